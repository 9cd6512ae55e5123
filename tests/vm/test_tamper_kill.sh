# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --add tests/vm/agent_lib.sh --add tests/vm/bypass_lib.sh
# Tamper protection, the agent's death: lockboxd cannot be killed by an
# engineer through a side channel, and when real root kills it the guard keeps
# denying an engineer who keeps trying, before, during and after, while a
# grant keeps working.
. /opt/extra/lib.sh
. /opt/extra/agent_lib.sh
. /opt/extra/bypass_lib.sh

gid=$(request eng1 acme --duration 1h)
approve $gid
pid=$(agent_pid)

# test_agent_cannot_be_killed_by_sigio: F_SETSIG makes a file's owner signal the agent
t_is "$(tamper -u 0 -l $ENG1 sigio $pid 9)" SENT "SIGKILL queued to lockboxd as SIGIO (setup)"
sleep 1
if gone $pid; then
	t_ok "lockboxd survives a SIGKILL sent through F_SETOWN/F_SETSIG" false
	agent_start
	pid=$(agent_pid)
else
	t_ok "lockboxd survives a SIGKILL sent through F_SETOWN/F_SETSIG" true
fi

# test_agent_killed_while_engineer_keeps_trying: denied before, during and after
rm -f /tmp/stop
: >/tmp/try2
: >/tmp/try1
# a pause between attempts leaves the one guest CPU to the agent's restart
(while [ ! -e /tmp/stop ]; do as $ENG2 r $ACME/data.txt; usleep 100000; done >>/tmp/try2) &
loop2=$!
(while [ ! -e /tmp/stop ]; do as $ENG1 r $ACME/data.txt; usleep 100000; done >>/tmp/try1) &
loop1=$!
wait_lines /tmp/try2 3
t_ok "lockboxd killed with SIGKILL by root" agent_kill KILL
n=$(wc -l </tmp/try2)
t_ok "eng2 kept trying while lockboxd was dead" wait_lines /tmp/try2 $((n + 5))
t_ok "lockboxd restarts" agent_start
n=$(wc -l </tmp/try2)
wait_lines /tmp/try2 $((n + 3))
touch /tmp/stop
wait $loop1 $loop2
t_match "$(wc -l </tmp/try2)" '^ *([1-9][0-9]+)$' "eng2 made ten or more attempts in all"
t_is "$(grep -vc '^EACCES$' /tmp/try2)" 0 "every attempt by eng2 was denied, before, during and after"
t_is "$(grep -vc '^OK$' /tmp/try1)" 0 "eng1's grant kept working throughout"
t_is "$(as $ENG2 r $GLOBEX/data.txt)" EACCES "after the restart eng2 is still denied"

t_done
