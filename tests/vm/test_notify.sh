# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --add tests/vm/agent_lib.sh
# lockbox-vm-kernels: 6.1
# Notifications through the harness's notify command, which appends each
# message to /var/mail/outbox: who is told what, and the outbox retrying a
# message the command refused. The retry waits the real first backoff (30 s).
. /opt/extra/lib.sh
. /opt/extra/agent_lib.sh
NOTIFY=/usr/libexec/lockbox-test-notify

# test_approvers_told_of_new_request
id=$(request eng1 acme --ticket INC-77)
t_ok "a mail about the new request reaches the outbox" wait_for 5 mailed $id "$id"
mail_of $id >/tmp/m1
t_match "$(grep '^To:' /tmp/m1 | head -1)" 'admin@acme\.example' "it goes to the zone's notify address"
t_match "$(grep '^Subject:' /tmp/m1 | head -1)" "(^|[^0-9])$id([^0-9]|\$)" "its Subject has the request id"
t_match "$(grep '^Subject:' /tmp/m1 | head -1)" 'eng1' "its Subject names the requester"
t_match "$(grep '^From:' /tmp/m1 | head -1)" 'lockbox@guest' "it comes from notify.from"
t_ok "its body has the reason" sh -c "tr '\\n' ' ' </tmp/m1 | grep -q 'maintenance on the acme volume'"
t_ok "its body has the ticket" grep -q "INC-77" /tmp/m1
t_ok "its body says how to approve" grep -q "lockboxctl approve $id" /tmp/m1
t_is "$(grep -c 'admin@globex\.example' /tmp/m1)" 0 "another zone's admins are not told"
t_is "$(mail_of $id | grep -c '^--$')" 1 "one message per new request"

# test_requester_told_of_approval
approve $id
t_ok "the requester is told of the approval" wait_for 5 mailed $id approved
mail_msg $id approved >/tmp/m2
t_match "$(grep '^To:' /tmp/m2)" '^To: eng1@guest$' "the approval mail goes to eng1 at notify.from's domain"
t_match "$(grep '^Subject:' /tmp/m2)" "(^|[^0-9])$id([^0-9]|\$)" "the approval mail's Subject has the request id"
ctl acme-admin revoke $id >/dev/null
t_ok "the requester is told of the revocation" wait_for 5 mailed $id revoked

# test_requester_told_of_denial
did=$(request eng1 acme)
ctl acme-admin deny $did --reason "change freeze this week" >/dev/null
t_ok "the requester is told of the denial" wait_for 5 mailed $did denied
mail_msg $did denied >/tmp/m3
t_ok "the denial mail carries the reason" sh -c "tr '\\n' ' ' </tmp/m3 | grep -q 'change freeze this week'"

# test_outbox_retries_a_refused_message
cp $NOTIFY /tmp/notify.orig
cat >$NOTIFY.new <<'NEOF'
#!/bin/sh
# refuses every message, and says so
cat >/dev/null
echo x >>/tmp/notify.refused
echo "mail system down" >&2
exit 75
NEOF
chmod 755 $NOTIFY.new
mv $NOTIFY.new $NOTIFY
rid=$(request eng2 globex)
t_ok "the agent tried the failing command" wait_for 5 [ -s /tmp/notify.refused ]
t0=$(date +%s)
t_is "$(mail_count $rid .)" 0 "the refused message is not in the outbox"
t_ok "the request was filed all the same" state_is $rid pending
cp /tmp/notify.orig $NOTIFY.new
mv $NOTIFY.new $NOTIFY
# a newer message goes out while the refused one waits for its retry
nid=$(request eng1 globex)
t_ok "a newer message goes out while the refused one waits" wait_for 5 mailed $nid .
t_is "$(mail_count $rid .)" 0 "the refused message waits for its backoff"
t_ok "the refused message arrives on retry within 40 s" wait_for 40 mailed $rid .
took=$(($(date +%s) - t0))
t_ok "the retry came after a backoff, not at once (${took}s)" [ "$took" -ge 5 ]
t_match "$(mail_of $rid | grep '^To:' | head -1)" 'admin@globex\.example' "the retried message is the right one"
t_is "$(mail_of $rid | grep -c '^--$')" 1 "the retried message is delivered once"

t_done
