# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --add tests/vm/agent_lib.sh
# Who a caller is, fixed when it connects: a root engineer's child that switches
# to an approver's uid, connects and exits does not approve, and an engineer
# put in an approvers' or security group gets neither role.
. /opt/extra/lib.sh
. /opt/extra/agent_lib.sh
ADMIN=3001

# sneak_approve ID [LOGINUID]: approves ID over a connection made by a child
# running as acme-admin, reaped before the (stopped) agent accepts it; prints the reply
sneak_approve() {
	local apid sn
	apid=$(agent_pid)
	rm -f /tmp/sneak.out
	kill -STOP $apid
	if [ -n "$2" ]; then
		sockflood sneak -l "$2" $SOCK $ADMIN "{\"v\":1,\"cmd\":\"approve\",\"id\":$1}" \
			>/tmp/sneak.out &
	else
		sockflood sneak $SOCK $ADMIN "{\"v\":1,\"cmd\":\"approve\",\"id\":$1}" >/tmp/sneak.out &
	fi
	sn=$!
	wait_for 5 grep -q sent /tmp/sneak.out
	kill -CONT $apid
	wait $sn
	tail -n 1 /tmp/sneak.out
}

# test_child_switched_to_approver_then_gone_cannot_approve
id=$(request eng1 acme)
reply=$(sneak_approve $id $ENG1)
t_match "$reply" '"not_permitted"' "a root engineer's child turned acme-admin, gone before accept, is refused"
t_is "$(state $id)" pending "the request stays pending"
t_is "$(ctl root audit --json | jget -w type=request.approved -w request=$id '#')" 0 \
	"and no approval is recorded"

# the same trick by a genuine acme-admin (no engineer login uid) still works
reply=$(sneak_approve $id)
t_match "$reply" '"ok":true' "acme-admin's own connection, made the same way, approves"
t_is "$(state $id)" approved "the request is approved"

# test_engineer_in_approvers_group_cannot_approve
sed -i 's/^acme-admins:x:3000:.*$/&,eng2/; s/^secops:x:4000:.*$/&,eng2/' /etc/group
id=$(request eng1 acme)
t_rc 3 "eng2, an engineer listed in acme-admins, cannot approve" eng2 approve $id
t_rc 3 "nor deny" eng2 deny $id --reason "not mine to refuse"
t_is "$(state $id)" pending "the request stays pending"
t_rc 3 "eng2, an engineer listed in secops, cannot read the audit trail" eng2 audit
t_rc 0 "acme-admin still approves" acme-admin approve $id
t_done
