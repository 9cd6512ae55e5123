# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --add tests/vm/agent_lib.sh
# lockbox-vm-kernels: 6.1
# Who may do what: every lockboxctl command tried by the roles that may and may
# not run it, with the contract's exit statuses (2 usage, 3 not permitted, 4 not
# found); then two-person approval after a config reload.
. /opt/extra/lib.sh
. /opt/extra/agent_lib.sh

id=$(request eng1 acme)
t_match "$id" '^[1-9][0-9]*$' "eng1 files a request"

# test_requester_cannot_approve_own
t_rc 3 "the requester cannot approve their own request" eng1 approve $id
t_rc 3 "the requester cannot deny their own request" eng1 deny $id --reason "changed my mind"
# the same engineer made an approver of the zone still may not approve their own request
cp /etc/group /tmp/group.orig
sed -i 's/^\(acme-admins:x:3000:.*\)$/\1,eng1/' /etc/group
t_match "$(grep ^acme-admins: /etc/group)" 'eng1' "eng1 added to acme-admins (setup)"
t_rc 3 "a requester who is also a zone approver cannot approve their own request" eng1 approve $id
cp /tmp/group.orig /etc/group

# test_other_roles_cannot_decide
t_rc 3 "an approver of another zone (globex-admin) cannot approve" globex-admin approve $id
t_rc 3 "an approver of another zone cannot deny" globex-admin deny $id --reason "not my zone at all"
t_rc 3 "another engineer (eng2) cannot approve" eng2 approve $id
t_rc 3 "a plain user cannot approve" user1 approve $id
t_rc 3 "security (secops1) cannot approve" secops1 approve $id
t_rc 3 "root, not an approver of the zone, cannot approve" root approve $id
t_rc 3 "another engineer cannot cancel eng1's request" eng2 cancel $id
t_rc 3 "the zone's approver cannot cancel the request (requester only)" acme-admin cancel $id
t_rc 3 "another engineer cannot wait on eng1's request" eng2 wait $id --timeout 1s
t_is "$(state $id)" pending "after all the refusals the request is still pending"

# test_visibility
t_rc 3 "another engineer cannot show eng1's request" eng2 show $id
t_rc 3 "an approver of another zone cannot show it" globex-admin show $id
t_rc 3 "a plain user cannot show it" user1 show $id
t_rc 0 "the requester shows it" eng1 show $id
t_rc 0 "the zone's approver shows it" acme-admin show $id
t_rc 0 "security shows it" secops1 show $id
t_rc 0 "root shows it" root show $id
t_is "$(ctl eng2 list --state all --json | jget -w id=$id '#')" 0 \
	"another engineer's list does not hold it"
t_is "$(ctl globex-admin list --state all --json | jget -w id=$id '#')" 0 \
	"another zone's approver's list does not hold it"
t_is "$(ctl secops1 list --state all --json | jget -w id=$id '#')" 1 "security's list holds it"
ctl user1 list --json >/tmp/u1.json
t_is "$?" 0 "a plain user may run list"
t_is "$(jget '#' </tmp/u1.json)" 0 "a plain user's list is empty"

# test_who_may_request
t_rc 3 "a plain user cannot file a request" user1 request acme --reason "just curious about it"
t_rc 3 "an approver cannot file a request" acme-admin request acme --reason "just curious about it"
t_rc 3 "security cannot file a request" secops1 request acme --reason "just curious about it"
t_rc 4 "a request for an unknown zone is not found (4)" eng1 request nosuchzone \
	--reason "maintenance on the volume"

# test_sudo_keeps_the_engineer: root whose login user is eng1 acts as eng1
sid=$(runas -l $ENG1 root lockboxctl request acme --reason "as root via sudo" 2>/dev/null)
t_match "$sid" '^[1-9][0-9]*$' "root with eng1's loginuid files a request"
t_is "$(field $sid requester)" eng1 "that request's requester is eng1, not root"
ctl eng1 cancel $sid >/dev/null

# test_unknown_id
for c in show approve cancel revoke wait; do
	who=acme-admin
	[ $c = cancel ] || [ $c = wait ] && who=eng1
	t_rc 4 "$c of an unknown id is not found (4)" $who $c 999999
done
t_rc 4 "deny of an unknown id is not found (4)" acme-admin deny 999999 --reason "no such request"

# test_usage_errors
t_rc 2 "request without --reason is a usage error" eng1 request acme
t_rc 2 "request without a zone is a usage error" eng1 request --reason "maintenance on the volume"
t_rc 2 "request with a bad --duration is a usage error" eng1 request acme \
	--reason "maintenance on the volume" --duration 5x
t_rc 2 "request with a bad --access is a usage error" eng1 request acme \
	--reason "maintenance on the volume" --access exec
t_rc 2 "an unknown command is a usage error" eng1 frobnicate
t_rc 2 "an unknown option is a usage error" eng1 list --bogus
t_rc 2 "a non-numeric id is a usage error" eng1 show abc
t_rc 2 "list --state with a bad state is a usage error" eng1 list --state sideways
t_rc 2 "approve without an id is a usage error" acme-admin approve
t_is "$(ctl eng1 list --state all --json | jget '#')" 2 \
	"none of the refused commands filed a request (eng1 has 2)"

# test_revoke_roles
t_rc 0 "acme-admin approves" acme-admin approve $id
t_is "$(as $ENG1 r $ACME/data.txt)" OK "eng1 reads under the grant"
t_rc 3 "another engineer cannot revoke" eng2 revoke $id
t_rc 3 "another zone's approver cannot revoke" globex-admin revoke $id
t_rc 3 "a plain user cannot revoke" user1 revoke $id
t_is "$(as $ENG1 r $ACME/data.txt)" OK "refused revokes leave the grant in force"
t_rc 0 "security (secops1) revokes" secops1 revoke $id --reason "incident closed"
t_is "$(as $ENG1 r $ACME/data.txt)" EACCES "revoked by security: eng1 denied"
id2=$(request eng2 acme)
approve $id2
t_is "$(as $ENG2 r $ACME/data.txt)" OK "eng2 reads under a new grant"
t_rc 0 "root revokes" root revoke $id2
t_is "$(as $ENG2 r $ACME/data.txt)" EACCES "revoked by root: eng2 denied"

# test_audit_roles
t_rc 0 "security may read the audit trail" secops1 audit --json
t_rc 0 "root may read the audit trail" root audit --json
t_rc 3 "an engineer may not read the audit trail" eng1 audit
t_rc 3 "an approver may not read the audit trail" acme-admin audit
t_rc 3 "a plain user may not read the audit trail" user1 audit --json
t_rc 0 "security may verify the audit trail" secops1 audit verify
t_rc 3 "an engineer may not verify the audit trail" eng1 audit verify

# test_two_approvals: a second approver and approvals_required 2, by SIGHUP
add_user acme-admin2 3002 3000 acme-admins
config_with ACME_APPROVALS=2
t_ok "lockboxd reloads its config on SIGHUP" agent_reload
t_ok "lockboxd is still the same process after the reload" [ -n "$(agent_pid)" ]
tid=$(request eng1 acme)
t_rc 0 "the first approval is accepted" acme-admin approve $tid
t_is "$(state $tid)" pending "one approval of two leaves the request pending"
t_is "$(as $ENG1 r $ACME/data.txt)" EACCES "one approval of two opens nothing"
ctl acme-admin approve $tid >/dev/null
t_ok "the same approver approving twice is refused" [ $? -ne 0 ]
t_is "$(state $tid)" pending "the same approver twice does not count as two"
t_is "$(as $ENG1 r $ACME/data.txt)" EACCES "still nothing open after the repeated approval"
t_rc 0 "a second approver approves" acme-admin2 approve $tid
t_is "$(state $tid)" approved "the second distinct approval makes it approved"
t_is "$(as $ENG1 r $ACME/data.txt)" OK "two approvals of two: eng1 reads"
t_rc 0 "wait on the request exits 0" eng1 wait $tid
t_rc 0 "either approver may revoke" acme-admin2 revoke $tid

t_done
