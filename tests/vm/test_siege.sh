# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --add tests/vm/agent_lib.sh
# The agent under siege: an engineer holding a thousand connections, or enough
# to run the agent out of descriptors, does not keep security from the socket;
# and lockboxctl talks only to a socket served by root.
. /opt/extra/lib.sh
. /opt/extra/agent_lib.sh

# within SECONDS USER ARGS...: lockboxctl as USER answers with status 0 within SECONDS
within() {
	local secs=$1 who=$2
	shift 2
	timeout "$secs" runas "$who" lockboxctl "$@" >/dev/null 2>$CTL_ERR
}

# flood N: eng1 holds N connections in the background until flood_end
flood() {
	rm -f /tmp/flood.out
	runas eng1 sockflood hold $SOCK "$1" 60 >/tmp/flood.out &
	FLOOD=$!
	wait_for 60 grep -q open /tmp/flood.out
}

flood_end() {
	kill $FLOOD 2>/dev/null
	wait $FLOOD 2>/dev/null
}

# test_engineer_flood_leaves_security_served
id=$(request eng1 acme)
approve $id
flood 1100
set -- $(cat /tmp/flood.out)
t_is "$2" 1100 "eng1 connects 1100 times"
t_ok "the agent closes all but $((1100 - $4)) of them (at most 64)" [ $((1100 - $4)) -le 64 ]
t_ok "secops1's status answers within 3 s while eng1 floods" within 3 secops1 status
t_ok "secops1's revoke answers within 3 s while eng1 floods" within 3 secops1 revoke $id \
	--reason "siege test"
t_is "$(state $id)" revoked "and the grant is revoked"
t_ok "acme-admin is served too" within 3 acme-admin list
flood_end

# test_engineer_cannot_run_the_agent_out_of_descriptors: 32 descriptors more
# than the agent needs, fewer than eng1's 64 allowed connections; counted on a
# restarted agent (which keeps the running programs: no descriptor for each)
agent_kill TERM
agent_start
nfd=$(($(ls /proc/$(agent_pid)/fd | wc -l) + 32))
agent_kill TERM
(
	ulimit -n $nfd
	agent_start
)
t_ok "the agent restarts with $nfd descriptors" agent_ready 10
id=$(request eng1 acme)
approve $id
flood 200
# nearly: out of descriptors, the agent closes one of eng1's to accept the next
t_ok "eng1's connections take (nearly) every descriptor the agent has" \
	[ "$(ls /proc/$(agent_pid)/fd | wc -l)" -ge $((nfd - 4)) ]
t_ok "out of descriptors, secops1's status still answers within 3 s" within 3 secops1 status
t_ok "and secops1's revoke" within 3 secops1 revoke $id --reason "siege test"
t_is "$(state $id)" revoked "the grant is revoked"
flood_end

# test_client_that_never_reads_is_bounded: 60,000 status requests on one
# connection, no reply read (about 70 MB of replies)
rss() {
	awk '/^VmRSS/ { print $2 }' /proc/$(agent_pid)/status
}
rss0=$(rss)
runas eng1 sockflood pipe $SOCK 60000 30 >/tmp/pipe.out 2>&1 &
pipe=$!
sleep 8
grown=$(($(rss) - rss0))
t_ok "the agent's memory grows by less than 40 MB (${grown} kB)" [ "$grown" -lt 40000 ]
t_ok "secops1 is served meanwhile" within 3 secops1 status
kill $pipe 2>/dev/null
wait $pipe 2>/dev/null

# test_ctl_refuses_a_socket_not_served_by_root
runas user1 sockflood serve /tmp/fake.sock 30 &
fake=$!
wait_for 5 test -S /tmp/fake.sock
LOCKBOX_SOCKET=/tmp/fake.sock runas acme-admin lockboxctl status >/tmp/fake.out 2>$CTL_ERR
t_is "$?" 1 "lockboxctl against a socket served by user1 exits 1"
t_match "$(cat $CTL_ERR)" "served by uid $USER1, not root" "naming who serves it"
t_is "$(cat /tmp/fake.out)" "" "and prints nothing from it"
kill $fake 2>/dev/null
t_done
