# SPDX-License-Identifier: GPL-2.0-only
# One host of the fleet test (test_fleet.sh boots this once per host): ROLE is
# stor-1 (files the request, prints its statements), stor-2 (redeems and revokes
# what the approver signed on the build machine) or db-1 (must refuse it).
# The approver's public keys come in /opt/extra/keys.env; the signed files in
# /opt/extra/. Lines "##NAME TEXT" carry a statement back to the host.
. /opt/extra/lib.sh
. /opt/extra/agent_lib.sh
. /opt/extra/keys.env
ROLE=$1
X=/opt/extra

# the harness config, as host ROLE, with the keys the customer's admins gave
fleet_config() {
	config_with "$@" EXTRA="\"host\": \"$ROLE\", \"security_keys\": [{\"name\": \"secops\", \"key\": \"$SEC_PUB\"}],"
	sed -i "/\"name\": \"acme\"/s|\"devices\": \[\] }|\"devices\": [], \"approver_keys\": [{\"name\": \"acme-admin\", \"key\": \"$APPR_PUB\"}] }|" $CFG
	sed -i "/\"name\": \"globex\"/s|\"devices\": \[\] }|\"devices\": [], \"approver_keys\": [{\"name\": \"globex-admin\", \"key\": \"$GLOBEX_PUB\"}] }|" $CFG
}

stor_1() {
	local id late
	id=$(request eng1 acme --duration 1h --hosts 'stor-*')
	t_match "$id" '^[1-9][0-9]*$' "stor-1: eng1 files a request for hosts stor-*"
	ctl eng1 statement $id >/tmp/s.json
	t_is "$?" 0 "stor-1: eng1 prints its statement"
	echo "##STATEMENT $(cat /tmp/s.json)"
	fleet_config REQUEST_TTL=2s
	t_ok "stor-1: reload with a 2 s request_ttl" agent_reload
	late=$(request eng1 acme --duration 1h --hosts 'stor-*')
	ctl eng1 statement $late >/tmp/late.json
	t_is "$?" 0 "stor-1: a second request, to be redeemed by 2 s from now"
	echo "##LATE $(cat /tmp/late.json)"
}

stor_2_refusals() {
	t_rc 3 "stor-2: a signature by globex's key: exit 3" eng1 redeem $X/s.json $X/globex.sig
	t_match "$(cat $CTL_ERR)" "key not trusted for zone acme" "naming the reason"
	t_rc 3 "stor-2: one byte of the reason edited after signing: exit 3" eng1 redeem $X/edited.json $X/s.json.sig
	t_match "$(cat $CTL_ERR)" "signature over another statement" "naming the reason"
	t_rc 3 "stor-2: eng2 redeeming eng1's statement: exit 3" eng2 redeem $X/s.json $X/s.json.sig
	t_match "$(cat $CTL_ERR)" "only the engineer the statement names \(eng1\)" "naming the reason"
	t_rc 3 "stor-2: a statement past its deadline: exit 3" eng1 redeem $X/late.json $X/late.json.sig
	t_match "$(cat $CTL_ERR)" "deadline passed" "naming the reason"
	t_is "$(as $ENG1 r $ACME/data.txt)" EACCES "stor-2: after the refusals acme is still closed to eng1"
}

stor_2_revoke() {
	local id=$1
	ctl root statement $id --revoke >/tmp/rev.json
	t_ok "stor-2: statement --revoke of the redeemed request is the revocation signed on the build machine" \
		cmp -s /tmp/rev.json $X/rev.json
	t_rc 3 "stor-2: a revocation signed by an untrusted key: exit 3" eng2 revoke --signed $X/rev.json $X/rev-bad.sig
	t_is "$(as $ENG1 r $ACME/data.txt)" OK "stor-2: the grant holds after it"
	t_rc 0 "stor-2: the revocation signed by the security key, sent by eng2: accepted" eng2 revoke --signed $X/rev.json $X/rev.json.sig
	t_is "$(state $id)" revoked "stor-2: the request is revoked"
	t_is "$(as $ENG1 r $ACME/data.txt)" EACCES "stor-2: the kernel closes acme to eng1"
	t_rc 3 "stor-2: the statement redeemed again after revocation: exit 3" eng1 redeem $X/s.json $X/s.json.sig
	t_match "$(cat $CTL_ERR)" "statement revoked: secops revoked" "naming the reason and who"
	t_is "$(as $ENG1 r $ACME/data.txt)" EACCES "stor-2: and acme stays closed"
}

stor_2() {
	local id again
	stor_2_refusals
	id=$(ctl eng1 redeem $X/s.json $X/s.json.sig)
	t_match "$id" '^[1-9][0-9]*$' "stor-2: eng1 redeems the statement signed on the build machine: prints the local id"
	t_is "$(state $id)" approved "stor-2: the local request is approved"
	t_is "$(as $ENG1 r $ACME/data.txt)" OK "stor-2: the kernel opens acme for eng1: read OK"
	t_is "$(as $ENG1 w $ACME/rw.txt)" EACCES "stor-2: a read approval: write still EACCES"
	t_is "$(as $ENG2 r $ACME/data.txt)" EACCES "stor-2: eng2 stays shut out"
	again=$(ctl root redeem $X/s.json $X/s.json.sig)
	t_is "$again" "$id" "stor-2: a second redeem (by root) prints the same id"
	t_is "$(ctl root list --state all --json | jget '#')" 1 "stor-2: and made no second request"
	ctl root audit --json | jget -w type=request.approved -w request=$id 0 >/tmp/rec.json
	t_is "$(jget user </tmp/rec.json)" acme-admin "stor-2: request.approved by acme-admin"
	t_is "$(jget key </tmp/rec.json)" "$APPR_PUB" "stor-2: with the key that signed"
	t_is "$(jget statement </tmp/rec.json)" "$(cat $X/s.json)" "stor-2: with the statement"
	stor_2_revoke $id
	t_rc 0 "stor-2: audit verify --signatures" root audit verify --signatures
	t_match "$(cat /tmp/ctl.out)" "intact: [0-9]+ records; 2 signatures verified" \
		"stor-2: the approval's and the revocation's signatures re-verify"
}

db_1() {
	t_rc 3 "db-1: a statement for stor-*: exit 3" eng1 redeem $X/s.json $X/s.json.sig
	t_match "$(cat $CTL_ERR)" "host not matched: db-1" "db-1: naming the reason"
	t_is "$(as $ENG1 r $ACME/data.txt)" EACCES "db-1: acme stays closed to eng1"
}

fleet_config
t_ok "$ROLE: lockboxd takes the fleet config (host, approver_keys, security_keys)" agent_reload
case $ROLE in
stor-1) stor_1 ;;
stor-2) stor_2 ;;
db-1) db_1 ;;
esac
t_done
