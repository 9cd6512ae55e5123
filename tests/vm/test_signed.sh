# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --add tests/vm/agent_lib.sh --add /usr/bin/ssh-keygen
# lockbox-vm-kernels: 6.1
# Signed approvals end to end (docs/fleet.md): the approver's keys and signatures
# are made with OpenSSH's ssh-keygen (copied into the guest, as an approver's
# laptop would hold it); the engineer files a request with --hosts, prints its
# statement, and hands in a signature; the kernel opens the zone only for a
# signature by a key the zone trusts over the exact statement.
. /opt/extra/lib.sh
. /opt/extra/agent_lib.sh
KG=/opt/extra/ssh-keygen
K=/tmp/keys

# sign KEY IN OUT: ssh-keygen -Y sign -n lockbox of file IN, the signature in OUT
sign() {
	rm -f "$2.sig"
	$KG -q -Y sign -f "$K/$1" -n lockbox "$2" </dev/null 2>>/tmp/kg.err && mv "$2.sig" "$3"
}

# test_setup_keys_and_config
mkdir -p $K && chmod 700 $K
$KG -q -t ed25519 -N '' -C acme-admin@laptop -f $K/appr </dev/null 2>/tmp/kg.err
t_is "$?" 0 "ssh-keygen makes the approver's ed25519 key"
$KG -q -t ed25519 -N '' -C mallory@laptop -f $K/other </dev/null 2>>/tmp/kg.err
t_is "$?" 0 "and a key nobody trusts"
pub=$(cut -d' ' -f1,2 $K/appr.pub)
config_with EXTRA='"host": "stor-1",'
sed -i "/\"name\": \"acme\"/s|\"devices\": \[\] }|\"devices\": [], \"approver_keys\": [{\"name\": \"acme-admin\", \"key\": \"$pub\"}] }|" $CFG
t_is "$(grep -c approver_keys $CFG)" 1 "acme lists acme-admin's public key"
t_ok "lockboxd reloads the config with approver_keys and host" agent_reload

# test_request_hosts_and_statement
t_is "$(as $ENG1 r $ACME/data.txt)" EACCES "eng1 without a grant: read in acme is EACCES"
id=$(request eng1 acme --duration 1h --hosts 'stor-*,db-1')
t_match "$id" '^[1-9][0-9]*$' "request --hosts prints the new id alone"
t_is "$(field $id hosts eng1)" '["stor-*","db-1"]' "show --json: the hosts asked for"
ctl eng1 statement $id >/tmp/s.json
t_is "$?" 0 "the requester prints the statement"
t_match "$(cat /tmp/s.json)" "^\{\"access\":\"read\",\"duration\":3600,\"engineer\":\"eng1\",\"hosts\":\[\"stor-\*\",\"db-1\"\],.*\"statement\":\"stor-1/$id/" \
	"one canonical line: access, duration, engineer, hosts, ..., statement id stor-1/ID/..."
t_is "$(wc -l </tmp/s.json)" 1 "exactly one line, newline-terminated"
t_rc 0 "the zone's approver may print it too" acme-admin statement $id
t_rc 3 "globex's approver may not" globex-admin statement $id
t_rc 4 "no such request: exit 4" eng1 statement 9999

# test_untrusted_key_refused
sign other /tmp/s.json /tmp/other.sig
t_is "$?" 0 "mallory signs the statement"
t_rc 3 "a signature by a key acme does not trust: exit 3" eng1 approve $id --signature /tmp/other.sig
t_match "$(cat $CTL_ERR)" "key not trusted for zone acme" "the refusal names the reason"

# test_changed_statement_refused
sed 's/maintenance on/maintenance of/' /tmp/s.json >/tmp/edited.json
t_is "$(cmp -s /tmp/s.json /tmp/edited.json; echo $?)" 1 "a statement with its reason edited"
sign appr /tmp/edited.json /tmp/edited.sig
t_is "$?" 0 "acme-admin's key signs the edited statement"
t_rc 3 "a signature over a changed statement: exit 3" eng1 approve $id --signature /tmp/edited.sig
t_match "$(cat $CTL_ERR)" "signature over another statement" "the refusal names the reason"
t_is "$(state $id)" pending "after both refusals the request is still pending"
t_is "$(as $ENG1 r $ACME/data.txt)" EACCES "and acme is still closed to eng1"
t_is "$(ctl root audit --json | jget -w type=request.approved -w request=$id '#')" 0 \
	"no request.approved in the trail"

# test_signed_approval_opens_the_zone
sign appr /tmp/s.json /tmp/good.sig
t_is "$?" 0 "acme-admin signs the statement as printed"
t_rc 0 "eng1 hands in acme-admin's signature: accepted" eng1 approve $id --signature /tmp/good.sig
t_is "$(state $id)" approved "the request is approved"
t_is "$(as $ENG1 r $ACME/data.txt)" OK "the kernel opens acme for eng1: the read succeeds"
t_is "$(as $ENG1 w $ACME/rw.txt)" EACCES "a read grant: write still EACCES"
t_is "$(as $ENG2 r $ACME/data.txt)" EACCES "eng2 stays shut out"
ctl root audit --json | jget -w type=request.approved -w request=$id 0 >/tmp/rec.json
t_is "$(jget user </tmp/rec.json)" acme-admin "request.approved: by acme-admin, the key's name"
t_is "$(jget key_name </tmp/rec.json)" acme-admin "with key_name"
t_is "$(jget key </tmp/rec.json)" "$pub" "with the signer's public key"
t_is "$(jget statement </tmp/rec.json)" "$(cat /tmp/s.json)" "with the statement signed"
t_is "$(jget signature </tmp/rec.json)" "$(cat /tmp/good.sig)" "with the signature"
t_rc 3 "the same signature again: the request is not pending" eng1 approve $id --signature /tmp/good.sig
ctl root revoke $id >/dev/null
t_is "$(as $ENG1 r $ACME/data.txt)" EACCES "revoked: acme closed again"

t_done
