# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --add tests/vm/agent_lib.sh --add systemd/lockboxd.service
# The capability set of systemd/lockboxd.service is enough and each of the
# agent's capabilities is needed: lockboxd runs under capexec, which applies a
# bounding set and no_new_privs the way systemd does (the guest has no systemd).
. /opt/extra/lib.sh
. /opt/extra/agent_lib.sh
UNIT=/opt/extra/lockboxd.service

# caps_of LINE-NUMBER: the unit's Nth CapabilityBoundingSet= line as capexec wants it
caps_of() {
	grep '^CapabilityBoundingSet=' $UNIT | sed -n "${1}p" | sed 's/^[^=]*=//; s/CAP_//g' |
		tr 'A-Z ' 'a-z,'
}
AGENT_CAPS=$(caps_of 1)
MTA_CAPS=$(caps_of 2)
UNIT_CAPS=$AGENT_CAPS,$MTA_CAPS
t_match "$AGENT_CAPS" '^bpf,perfmon,audit_control,dac_read_search$' "the unit's agent capabilities"
without() {
	echo ",$UNIT_CAPS," | sed "s/,$1,/,/; s/^,//; s/,\$//"
}

# start CAPS: lockboxd --foreground under capexec; its log in /tmp/agent.log
start() {
	rm -f /tmp/agent.log
	capexec "$1" lockboxd --foreground </dev/null >/tmp/agent.log 2>&1 &
	pid=$!
}
stop() {
	kill $pid 2>/dev/null
	wait_for 10 gone $pid
}

agent_kill TERM

# test_unit_caps_run_the_whole_workflow
start "$UNIT_CAPS"
t_ok "with the unit's capabilities lockboxd becomes ready" agent_ready 30
t_is "$(grep -c 'warning' /tmp/agent.log)" 0 "no warning (the login uid is locked)"
t_is "$(as $ENG2 r $ACME/data.txt)" EACCES "an engineer is denied"
id=$(request eng1 acme)
approve $id
t_is "$(as $ENG1 r $ACME/data.txt)" OK "a grant made under the unit's capabilities opens the zone"
t_ok "the notify command ran confined and delivered" wait_for 15 mailed $id 'approved|Approved|granted'
stop
t_is "$(as $ENG2 r $ACME/data.txt)" EACCES "stopped: the guard still enforces"

# test_without_audit_control_loginuid_stays_mutable
start "$(without audit_control)"
agent_ready 30
t_match "$(cat /tmp/agent.log)" 'cannot make loginuid immutable' \
	"without CAP_AUDIT_CONTROL the login uid cannot be locked (so the unit keeps it)"
stop

# test_without_bpf_the_load_is_refused
start "$(without bpf)"
t_ok "without CAP_BPF lockboxd exits" wait_for 15 gone $pid
t_match "$(cat /tmp/agent.log)" 'refused|not permitted|EPERM' "and says the kernel refused the load"

# test_without_dac_read_search_a_private_tree_is_unreachable
mkdir -p /srv/private/cust
chown $USER1 /srv/private
chmod 0700 /srv/private
cp $CFG /tmp/cfg.good
sed 's|"/srv/customers/globex"|"/srv/private/cust"|' /tmp/cfg.good >$CFG
start "$(without dac_read_search | sed 's/,dac_override//')"
t_ok "without CAP_DAC_READ_SEARCH a zone under a 0700 directory stops the start" \
	wait_for 15 gone $pid
t_match "$(cat /tmp/agent.log)" 'private/cust' "and the error names the path"
start "$AGENT_CAPS"
t_ok "with CAP_DAC_READ_SEARCH (no DAC_OVERRIDE) the same config starts" agent_ready 30
stop
cp /tmp/cfg.good $CFG
t_done
