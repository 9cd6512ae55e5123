# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --add tests/vm/agent_lib.sh
# Time: grants expire with the agent running, and in the kernel with the agent
# stopped and then killed (the restarted agent records it); pending requests
# lapse after request_ttl.
. /opt/extra/lib.sh
. /opt/extra/agent_lib.sh

# test_grant_expires_with_agent_running
b=$(request eng2 acme --duration 3s)
approve $b
t_is "$(as $ENG2 r $ACME/data.txt)" OK "a 3 s grant: eng2 reads before expiry"
sleep 4
t_is "$(as $ENG2 r $ACME/data.txt)" EACCES "a 3 s grant: eng2 denied after 4 s"
t_ok "the agent marks the request expired" wait_for 5 state_is $b expired
t_ok "the audit trail has grant.expired for it" wait_for 5 audit_has grant.expired $b
t_rc 1 "wait on an expired grant's request exits 1" eng2 wait $b
t_ok "the requester is mailed that the grant expired" wait_for 5 mailed $b expired

# test_grant_expires_in_kernel_with_agent_stopped
a=$(request eng1 acme --duration 3s)
approve $a
t_is "$(as $ENG1 r $ACME/data.txt)" OK "a 3 s grant: eng1 reads before expiry"
pid=$(agent_pid)
kill -STOP $pid
t_ok "lockboxd is stopped (SIGSTOP)" grep -q '^State:[[:space:]]*T' /proc/$pid/status
sleep 4
t_is "$(as $ENG1 r $ACME/data.txt)" EACCES "agent stopped: the kernel ends the grant on time by itself"
t_is "$(as $ENG1 r $ACME/reports/q1.txt)" EACCES "agent stopped: nested files closed too"
t_ok "lockboxd killed while stopped" agent_kill KILL
t_is "$(as $ENG1 r $ACME/data.txt)" EACCES "agent dead: still denied"
t_ok "lockboxd restarts" agent_start
t_is "$(state $a)" expired "the restarted agent shows the request expired"
t_is "$(field $a grant.active)" false "show: the expired grant is not active"
t_ok "the restarted agent recorded grant.expired" audit_has grant.expired $a
t_is "$(as $ENG1 r $ACME/data.txt)" EACCES "after the restart eng1 is still denied"
t_is "$(ctl root status --json | jget counts.active)" 0 "status counts no active grant"

# test_pending_request_lapses_after_request_ttl
config_with REQUEST_TTL=2s
t_ok "reload with request_ttl 2s" agent_reload
c=$(request eng1 acme)
t_is "$(state $c)" pending "a fresh request is pending"
exp=$(field $c expires_at)
crt=$(field $c created_at)
t_is "$(($(epoch "$exp") - $(epoch "$crt")))" 2 "a pending request's expires_at is created_at + request_ttl"
ctl eng1 wait $c >/tmp/wait.out &
wpid=$!
t_ok "the pending request lapses to expired" wait_for 6 state_is $c expired
wait $wpid
t_is "$?" 1 "a wait blocked on it ends with exit 1 when it lapses"
t_ok "the audit trail has request.expired for it" audit_has request.expired $c
t_rc 1 "approving a lapsed request is an error (1)" acme-admin approve $c
t_is "$(as $ENG1 r $ACME/data.txt)" EACCES "a lapsed request opens nothing"
# a request approved in time is a grant, and request_ttl no longer applies to it
d=$(request eng1 acme --duration 10s)
approve $d
sleep 3
t_is "$(state $d)" approved "an approved grant outlives request_ttl"
t_is "$(as $ENG1 r $ACME/data.txt)" OK "and still reads after request_ttl has passed"
ctl acme-admin revoke $d >/dev/null

t_done
