# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --add tests/vm/agent_lib.sh
# The audit trail through lockboxctl: record shape, kernel events next to the
# agent's records, --since, --follow, and audit verify catching an edit made to
# the database behind the agent's back.
. /opt/extra/lib.sh
. /opt/extra/agent_lib.sh

# a history to look at: a denied open, a request, its approval, a use, a revoke
as $ENG1 r $ACME/data.txt >/dev/null
id=$(request eng1 acme)
approve $id
as $ENG1 r $ACME/data.txt >/dev/null
ctl acme-admin revoke $id --reason "work is finished" >/dev/null
as $ENG1 w $ACME/rw.txt >/dev/null

denied_seen() {
	ctl secops1 audit --json >/tmp/audit.json &&
		[ "$(jget -w type=access.denied -w uid=$ENG1 -w access=write '#' </tmp/audit.json)" -ge 1 ]
}
t_ok "the kernel's denial of the last write reaches the trail" wait_for 5 denied_seen

# test_record_shape
t_is "$(jget @type </tmp/audit.json)" array "audit --json prints a JSON array"
n=$(jget '#' </tmp/audit.json)
t_ok "the trail has records ($n)" [ "$n" -ge 6 ]
for k in seq time source type uid user zone request; do
	t_is "$(jget -a $k.@type </tmp/audit.json | wc -l)" "$n" "every record has $k"
done
t_is "$(jget -a time </tmp/audit.json | grep -vEc "$RFC3339_UTC")" 0 "every time is RFC 3339 UTC"
t_is "$(jget -a source </tmp/audit.json | grep -vEc '^(kernel|agent)$')" 0 \
	"every source is kernel or agent"
t_is "$(jget -a seq </tmp/audit.json | sort -n -u | wc -l)" "$n" "seq values are unique"
t_is "$(jget -a seq </tmp/audit.json | tr '\n' ' ')" "$(jget -a seq </tmp/audit.json | sort -n | tr '\n' ' ')" \
	"records come in seq order"

# test_kernel_denial_event
jget -w source=kernel -w type=access.denied -w uid=$ENG1 -w path=$ACME/data.txt 0 \
	</tmp/audit.json >/tmp/ev.json
t_is "$?" 0 "a denied open of acme/data.txt by eng1 is a kernel access.denied record"
t_is "$(jget user </tmp/ev.json)" eng1 "the denial names the user"
t_is "$(jget zone </tmp/ev.json)" acme "the denial names the zone"
t_is "$(jget op </tmp/ev.json)" open "the denial names the op"
t_match "$(jget pid </tmp/ev.json)" '^[1-9][0-9]*$' "the denial has the pid"
t_is "$(jget comm </tmp/ev.json)" tryopen "the denial has the comm"
t_is "$(jget request </tmp/ev.json)" null "a denial without a grant has no request"
t_is "$(jget -w type=access.denied -w uid=$ENG1 -w access=write 0.path </tmp/audit.json)" \
	$ACME/rw.txt "the denied write names its path"

# test_allowed_event_names_the_grant
t_is "$(jget -w source=kernel -w type=access.allowed -w uid=$ENG1 -w request=$id '#' </tmp/audit.json)" \
	1 "the read under the grant is one access.allowed record naming the request"

# test_agent_records
rec() {
	jget -w source=agent -w type=$1 -w request=$id 0.$2 </tmp/audit.json
}
t_is "$(rec request.created user)" eng1 "request.created is by eng1"
t_is "$(rec request.created uid)" $ENG1 "request.created has eng1's uid"
t_is "$(rec request.created zone)" acme "request.created names the zone"
t_is "$(rec request.approved user)" acme-admin "request.approved is by acme-admin"
t_is "$(rec grant.revoked user)" acme-admin "grant.revoked is by acme-admin"
c=$(rec request.created seq)
a=$(rec request.approved seq)
r=$(rec grant.revoked seq)
t_ok "created, approved, revoked are in that order ($c < $a < $r)" [ "$c" -lt "$a" -a "$a" -lt "$r" ]
t_is "$(ctl root audit --json | jget -w type=request.created -w request=$id '#')" 1 \
	"root reads the same trail"
ctl secops1 audit >/tmp/audit.txt
t_is "$?" 0 "audit without --json exits 0"
t_ok "audit without --json prints a line per record" [ "$(wc -l </tmp/audit.txt)" -ge "$n" ]

# test_since
future=$(date -u -d @$(($(date +%s) + 3600)) +%Y-%m-%dT%H:%M:%SZ)
t_is "$(ctl secops1 audit --json --since "$future" | jget '#')" 0 "--since an hour ahead: no records"
t_ok "--since 1h (ago): every record of this boot" [ "$(ctl secops1 audit --json --since 1h | jget '#')" -ge "$n" ]
t_ok "--since a date long ago: every record" [ "$(ctl secops1 audit --json --since 2000-01-01 | jget '#')" -ge "$n" ]
t_rc 2 "--since with a bad time is a usage error" secops1 audit --since yesterday-ish

# test_follow
ctl secops1 audit --follow --json >/tmp/follow.out &
fpid=$!
t_ok "--follow prints the trail so far" wait_for 5 lines_ge /tmp/follow.out $n
as $ENG2 r $ACME/reports/q1.txt >/dev/null
nid=$(request eng2 globex)
followed() {
	[ "$(jget -l -w type=request.created -w request=$nid '#' </tmp/follow.out)" = 1 ]
}
t_ok "--follow streams the new request.created record" wait_for 5 followed
kfollowed() {
	[ "$(jget -l -w type=access.denied -w uid=$ENG2 '#' </tmp/follow.out)" -ge 1 ]
}
t_ok "--follow streams the new kernel denial" wait_for 5 kfollowed
t_ok "the follower is still running" kill -0 $fpid
kill $fpid
wait $fpid 2>/dev/null
t_is "$(jget -l '#' </tmp/follow.out)" "$(wc -l </tmp/follow.out | tr -d ' ')" \
	"--follow --json prints one JSON object per line"
t_is "$(jget -l -a seq </tmp/follow.out | sort -n -u | wc -l)" "$(wc -l </tmp/follow.out | tr -d ' ')" \
	"--follow prints no record twice"
t_rc 3 "an engineer cannot follow the trail" eng1 audit --follow

# test_verify
ctl secops1 audit verify >/tmp/verify.out 2>&1
t_is "$?" 0 "audit verify of an untouched trail exits 0"
t_match "$(cat /tmp/verify.out)" '[Ii]ntact' "audit verify says the trail is intact"

# test_verify_names_an_edited_record
t_ok "lockboxd stops (SIGTERM)" agent_kill TERM
t_ok "request.created of request $id edited in the database (setup)" dbtamper $DB $c
t_ok "lockboxd restarts on the edited database" agent_start
ctl secops1 audit verify >/tmp/verify.out 2>&1
t_is "$?" 1 "audit verify of an edited trail exits 1"
t_match "$(cat /tmp/verify.out)" "(record|seq|#) ?$c([^0-9]|\$)" "audit verify names the edited record ($c)"
t_rc 0 "the edited trail can still be read" secops1 audit --json

# test_audit_log_rotation: the JSON-lines copy is created 0640 whatever the
# umask, reopened by name on SIGUSR1 after a rename, and nothing is lost or
# repeated across the rotation; every record names its host
mkdir -p /var/log/lockbox
AL=/var/log/lockbox/audit.jsonl
config_with EXTRA='"audit_log": "'$AL'", "syslog": true,'
t_ok "lockboxd stops (SIGTERM)" agent_kill TERM
(umask 000 && agent_start)
t_ok "lockboxd runs under umask 000 with audit_log set" [ -n "$(agent_pid)" ]
t_is "$(stat -c %a $AL)" 640 "audit_log is created 0640 (not the umask's 666)"
first=$(jget -l -a seq <$AL | head -1)
id2=$(request eng1 acme)
approve $id2
mv $AL $AL.1
as $ENG1 r $ACME/data.txt >/dev/null
ctl acme-admin revoke $id2 --reason "rotation test done" >/dev/null
t_ok "records written after the rename go on into the renamed file" \
	wait_for 5 grep -q grant.revoked $AL.1
kill -USR1 "$(agent_pid)"
t_ok "after SIGUSR1 the agent writes a new $AL" wait_for 5 test -e $AL
id3=$(request eng1 acme)
ctl eng1 cancel $id3 >/dev/null
t_ok "the new file has the later records" wait_for 5 grep -q request.cancelled $AL
last=$(ctl secops1 audit --json | jget -a seq | tail -1)
cat $AL.1 $AL | jget -l -a seq | awk -v l=$last '$1 <= l' >/tmp/shipped
t_is "$(sort -n -u /tmp/shipped | wc -l)" "$(wc -l </tmp/shipped | tr -d ' ')" "no record twice across the rotation"
t_is "$(head -1 /tmp/shipped) $(tail -1 /tmp/shipped) $(wc -l </tmp/shipped | tr -d ' ')" \
	"$first $last $((last - first + 1))" "every record from $first to $last, in order, none missing"
t_is "$(cat $AL.1 $AL | jget -l -a host | sort -u)" "$(hostname)" "every record names the host"
ctl secops1 audit --after $first --json >/tmp/after.json
# (records after $last may have come since: only those up to it are compared)
t_is "$(jget -a seq </tmp/after.json | awk -v l=$last '$1 <= l' | tr '\n' ' ')" \
	"$(seq $((first + 1)) $last | tr '\n' ' ')" "audit --after SEQ: every record after SEQ, in order"
t_rc 2 "audit --after with no number is a usage error" secops1 audit --after x
t_is "$(ctl secops1 audit --json | jget -a host | sort -u | tail -1)" "$(hostname)" \
	"and so does the trail (host field)"

# test_reload_applies_every_key: permissive on and off, a restart-only key named
config_with EXTRA='"permissive": true,'
t_ok "reload to a permissive config" agent_reload
t_is "$(as $ENG2 r $ACME/data.txt)" OK "permissive by reload: eng2 allowed (and audited)"
config_with
t_ok "reload to the enforcing config" agent_reload
t_is "$(as $ENG2 r $ACME/data.txt)" EACCES "permissive turned off by reload: eng2 denied again"
config_with
sed -i 's|/var/lib/lockbox/lockbox.db|/var/lib/lockbox/other.db|' $CFG
t_ok "reload with a new database path" agent_reload
t_is "$(ctl secops1 audit --json | jget -w type=config.reloaded -a restart_needed.0 | tail -1)" database \
	"and names the key that needs a restart"
t_match "$(cat $AGENT_LOG)" "reload: database changed; it takes effect at the next start" \
	"the log says so too"
config_with
agent_reload

t_done
