# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --add tests/vm/agent_lib.sh --add tests/vm/bypass_lib.sh
# The bypass suite, doors the agent shuts when it sets zones up: a hard link
# made before the zone existed, the raw disk under a zone, and a directory that
# becomes a zone on reload after an engineer has read it. Grants come from
# lockboxctl request/approve.
. /opt/extra/lib.sh
. /opt/extra/agent_lib.sh
. /opt/extra/bypass_lib.sh
HOOLI=/srv/customers/hooli
INITECH=/srv/customers/initech

# zones_config ACME-DEVICES NAME=PATH...: $CFG with zone acme (its devices a JSON
# list) and the zones NAME=PATH, all approved by acme-admins
zones_config() {
	local devices=$1 z sep=
	shift
	{
		cat <<EOF
{
  "socket": "/run/lockbox/lockbox.sock",
  "database": "/var/lib/lockbox/lockbox.db",
  "engineers": { "users": [], "groups": ["engineers"] },
  "security":  { "users": [], "groups": ["secops"] },
  "request_ttl": "1h",
  "max_duration": "4h",
  "notify": { "command": "/usr/libexec/lockbox-test-notify", "from": "lockbox@guest" },
  "zones": [
    { "name": "acme", "paths": ["$ACME"], "approvers": { "users": [], "groups": ["acme-admins"] }, "approvals_required": 1, "max_duration": "4h", "notify": ["admin@acme.example"], "devices": $devices }
EOF
		for z in "$@"; do
			printf '    ,{ "name": "%s", "paths": ["%s"], "approvers": { "users": [], "groups": ["acme-admins"] }, "approvals_required": 1, "max_duration": "4h", "notify": ["admin@acme.example"], "devices": [] }\n' \
				"${z%%=*}" "${z#*=}"
		done
		echo '  ]'
		echo '}'
	} >$CFG
}

# grant_for USER ZONE: an approved request's id
grant_for() {
	local id
	id=$(request "$1" "$2" --duration 1h)
	approve "$id" && echo "$id"
}

mkdir -p $HOOLI $INITECH
echo hooli >$HOOLI/h.txt
echo secret >$INITECH/secret.txt
echo other >$INITECH/other.txt

# test_hard_link_made_before_zone_setup
ln $HOOLI/h.txt /srv/public/hooli-link
t_is "$(as $ENG1 r /srv/public/hooli-link)" OK "before hooli is a zone its file is open to eng1 (setup)"
zones_config '[]' globex=$GLOBEX hooli=$HOOLI
t_ok "reload with the new zone hooli" agent_reload
t_match "$(lockboxctl status)" 'zones: 3' "the agent guards three zones (setup)"
t_is "$(door -u $ENG1 open $HOOLI/h.txt)" EACCES "hooli's file by its zone name: denied"
t_is "$(door -u $ENG1 open /srv/public/hooli-link)" EACCES \
	"a hard link made before the zone existed: denied by its outside name"
gen_bump
t_is "$(door -u $ENG1 open /srv/public/hooli-link)" EACCES "and still denied once cached walks are retired"
h=$(grant_for eng1 hooli)
t_is "$(as $ENG1 r /srv/public/hooli-link)" OK "a hard link made before the zone existed: read under a grant"
ctl acme-admin revoke $h >/dev/null
t_is "$(door -u $ENG1 open /srv/public/hooli-link)" EACCES "revoked: the outside name is shut again"
# the agent's mark lives in inode storage: it must outlive the inode's eviction
sync
echo 3 >/proc/sys/vm/drop_caches
t_is "$(door -u $ENG1 open /srv/public/hooli-link)" EACCES \
	"a hard link made before the zone existed, inode evicted and reloaded: still denied"

# test_raw_device_of_a_zone
zones_config '["/dev/vda"]' globex=$GLOBEX hooli=$HOOLI
t_ok "reload with /dev/vda (the disk under /srv) listed by acme" agent_reload
chmod 644 /dev/vda
t_is "$(as $USER1 r /dev/vda)" OK "a non-engineer reads the raw disk (file permissions allow it: setup)"
t_is "$(door -u $ENG1 open /dev/vda)" EACCES "eng1 opening the raw disk under a zone: denied"
t_is "$(as $ENG1 stat /dev/vda)" OK "eng1 may still stat the device node (only its contents are guarded)"
maj=$(stat -c %t /dev/vda)
min=$(stat -c %T /dev/vda)
mknod /tmp/vda-alias b $((0x$maj)) $((0x$min))
chmod 644 /tmp/vda-alias
t_is "$(door -u $ENG1 open /tmp/vda-alias)" EACCES "another node for the same disk (matched by device number): denied"
g=$(grant_for eng2 globex)
t_is "$(door -u $ENG2 open /dev/vda)" EACCES "a grant on another zone does not open acme's disk"
ctl acme-admin revoke $g >/dev/null
a=$(grant_for eng1 acme)
t_is "$(as $ENG1 r /dev/vda)" OK "eng1 reads acme's raw disk under an acme grant"
t_is "$(as $ENG1 r /tmp/vda-alias)" OK "and through the other node"
ctl acme-admin revoke $a >/dev/null
t_is "$(door -u $ENG1 open /dev/vda)" EACCES "revoked: the raw disk is shut again"

# test_zone_added_by_reload_after_engineer_read_it: a walk cached before the
# reload ("no zone") must not outlive it; globex is swapped for initech, so the
# number of zone roots stays the same
t_is "$(as $ENG1 r $INITECH/secret.txt)" OK "before initech is a zone eng1 reads its file (setup)"
zones_config '["/dev/vda"]' initech=$INITECH hooli=$HOOLI
t_ok "reload: initech replaces globex" agent_reload
t_is "$(door -u $ENG1 open $INITECH/other.txt)" EACCES "a file of the new zone eng1 never read: denied"
t_is "$(door -u $ENG1 open $INITECH/secret.txt)" EACCES "a file of the new zone eng1 read before the reload: denied"
t_is "$(as $ENG1 r $GLOBEX/data.txt)" OK "globex, no longer a zone, is open (control)"
i=$(grant_for eng1 initech)
t_is "$(as $ENG1 r $INITECH/secret.txt)" OK "the new zone opens under a grant"
ctl acme-admin revoke $i >/dev/null

t_done
