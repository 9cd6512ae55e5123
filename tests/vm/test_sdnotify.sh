# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --add tests/vm/agent_lib.sh
# lockbox-vm-kernels: 6.1
# The systemd notification protocol, against a stand-in notify socket (the guest
# has no systemd): READY=1 only once the guard enforces and the socket answers,
# STATUS lines on the way, RELOADING=1 with MONOTONIC_USEC then READY=1 on
# SIGHUP, STOPPING=1 on SIGTERM; the guard stays when the agent stops.
. /opt/extra/lib.sh
. /opt/extra/agent_lib.sh
NS=/run/notify.sock
LOG=/tmp/notify.log

agent_kill TERM
sdlisten $NS >$LOG 2>&1 &
listener=$!
usleep 200000

# msgs: the messages received so far, one per line (assignments joined by '|')
msgs() {
	awk '$0 == "--" { print m; m = ""; next } { m = m (m == "" ? "" : "|") $0 }' $LOG
}
has() {
	msgs | grep -qE "$1"
}

# test_ready_only_once_enforcing
NOTIFY_SOCKET=$NS lockboxd --foreground </dev/null >>$AGENT_LOG 2>&1 &
pid=$!
t_ok "lockboxd sends READY=1" wait_for 30 has '^READY=1'
t_is "$(as $ENG2 r $ACME/data.txt)" EACCES "right after READY=1 an engineer is denied"
t_ok "right after READY=1 the socket answers" sh -c "lockboxctl status >/dev/null"
t_ok "READY=1 names the main pid" has "^READY=1\|MAINPID=$pid\|"
t_ok "READY=1 carries a STATUS naming the socket" has '^READY=1.*STATUS=guarding /run/lockbox/lockbox.sock'
first=$(msgs | head -1)
t_match "$first" '^STATUS=loading' "the first message is a STATUS line, before READY=1"
t_is "$(msgs | grep -n '^READY=1' | head -1 | cut -d: -f1)" "$(msgs | wc -l)" \
	"READY=1 comes after every start-up STATUS line"

# test_reload_notifies
n=$(msgs | wc -l)
kill -HUP $pid
t_ok "SIGHUP: RELOADING=1 with MONOTONIC_USEC" \
	wait_for 10 has '^RELOADING=1\|MONOTONIC_USEC=[0-9]+\|STATUS='
t_ok "SIGHUP: READY=1 again once reloaded" wait_for 10 has '^READY=1\|STATUS=.*config reloaded'
t_is "$(msgs | tail -n +$((n + 1)) | cut -d'|' -f1 | tr '\n' ' ')" "RELOADING=1 READY=1 " \
	"a reload sends RELOADING=1 then READY=1, nothing else"

# test_failed_reload_still_ready
cp $CFG /tmp/cfg.good
echo '{"zones": [' >$CFG
n=$(msgs | wc -l)
kill -HUP $pid
t_ok "a failed reload still ends with READY=1, saying it failed" \
	wait_for 10 has '^READY=1\|STATUS=reload failed, running the previous config'
cp /tmp/cfg.good $CFG
t_ok "after a failed reload the agent still answers" sh -c "lockboxctl status >/dev/null"

# test_stop_notifies
kill -TERM $pid
t_ok "SIGTERM: STOPPING=1" wait_for 10 has '^STOPPING=1\|STATUS=stopping'
t_ok "the agent exits" wait_for 10 gone $pid
t_is "$(as $ENG2 r $ACME/data.txt)" EACCES "after the stop the guard still enforces"
kill $listener
t_done
