# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --add tests/vm/agent_lib.sh
# Fail closed across agent crashes and restarts: the kernel keeps enforcing with
# lockboxd dead, and a restarted lockboxd picks up the database and the pinned
# maps without losing a grant or keeping a stale one.
. /opt/extra/lib.sh
. /opt/extra/agent_lib.sh

id=$(request eng1 acme --duration 1h)
approve $id
t_is "$(as $ENG1 r $ACME/data.txt)" OK "eng1 reads under an approved grant"
t_is "$(as $ENG2 r $ACME/data.txt)" EACCES "eng2, without a grant, is denied"
pending=$(request eng2 globex)

# test_enforcement_survives_kill_9
old=$(agent_pid)
guardctl links | sort >/tmp/links.before
t_ok "lockboxd killed with SIGKILL" agent_kill KILL
t_is "$(pidof lockboxd)" "" "no lockboxd is running"
t_is "$(as $ENG2 r $ACME/data.txt)" EACCES "agent dead: eng2 still denied"
t_is "$(as $ENG2 w $ACME/rw.txt)" EACCES "agent dead: eng2 still cannot write"
t_is "$(as $ENG1 r $ACME/data.txt)" OK "agent dead: eng1's grant still works"
t_is "$(as $ENG1 r $GLOBEX/data.txt)" EACCES "agent dead: eng1 still denied outside the grant"
t_is "$(as $USER1 r $ACME/data.txt)" OK "agent dead: non-engineers unaffected"
t_rc 1 "lockboxctl with no agent is an error (1)" eng1 list

# test_restart_keeps_state (daemon mode: lockboxd returns once it serves)
# and, daemonized without a journal, logs to syslog, not to the terminal that started it
syslogd -n -O /var/log/messages &
syslogd_pid=$!
wait_for 5 test -S /dev/log
lockboxd </dev/null >/tmp/daemon.out 2>&1
t_is "$?" 0 "lockboxd without --foreground exits 0 once the daemon is ready"
t_ok "the daemon's ready line is in syslog, with its priority and name" \
	wait_for 5 grep -q "daemon.info lockboxd\[[0-9]*\]: ready: guarding" /var/log/messages
t_is "$(cat /tmp/daemon.out)" "" "and nothing reaches the terminal that started it"
t_rc 0 "the restarted agent answers at once" root status
t_ok "the restarted agent is a new process" [ -n "$(agent_pid)" -a "$(agent_pid)" != "$old" ]
t_ok "it kept the running programs of its own build (no second verifier pass)" \
	grep -q "ready: .*BPF guard: this build's programs were running, kept them" \
	/var/log/messages
guardctl links | sort >/tmp/links.after
t_ok "... the same program on every hook" cmp -s /tmp/links.before /tmp/links.after
ctl eng1 list --state active --json >/tmp/active.json
t_is "$(jget -w id=$id 0.state </tmp/active.json)" approved "the active grant is listed after the restart"
t_is "$(field $id grant.active)" true "show: the grant is active (held by the kernel) after the restart"
t_is "$(state $pending)" pending "a pending request is still pending after the restart"
t_is "$(as $ENG1 r $ACME/data.txt)" OK "after the restart eng1 still reads"
t_is "$(as $ENG2 r $ACME/data.txt)" EACCES "after the restart eng2 is still denied"
t_is "$(ctl root status --json | jget counts.active)" 1 "status counts the one active grant"
t_is "$(ctl root status --json | jget counts.pending)" 1 "status counts the one pending request"
t_rc 0 "the pending request can still be approved" globex-admin approve $pending
t_is "$(as $ENG2 r $GLOBEX/data.txt)" OK "and its grant works"

# test_nothing_stale: a revoke after the restart closes at once
t_rc 0 "acme-admin revokes the grant made before the restart" acme-admin revoke $id
t_is "$(as $ENG1 r $ACME/data.txt)" EACCES "revoked after the restart: eng1 denied at once"

# test_stray_map_entry_removed: a grant in the kernel the database does not know
agent_kill KILL
t_ok "a stray grant for eng2 is put in the pinned map while the agent is down (setup)" \
	guardctl grant add $ENG2 1 r 3600 999999
t_is "$(as $ENG2 r $ACME/data.txt)" OK "the stray grant opens acme for eng2 (setup check)"
t_ok "lockboxd restarts" agent_start
t_is "$(as $ENG2 r $ACME/data.txt)" EACCES "the restarted agent removed the stray grant"
t_is "$(as $ENG2 r $GLOBEX/data.txt)" OK "and kept eng2's real globex grant"

# test_clean_stop_keeps_guard
t_ok "lockboxd stops on SIGTERM" agent_kill TERM
t_is "$(as $ENG2 r $GLOBEX/data.txt)" OK "after a clean stop the active grant still works"
t_is "$(as $ENG1 r $ACME/data.txt)" EACCES "after a clean stop the guard still denies"
t_ok "lockboxd restarts after a clean stop" agent_start
t_rc 0 "globex-admin revokes" globex-admin revoke $pending
t_is "$(as $ENG2 r $GLOBEX/data.txt)" EACCES "revoked: eng2 denied"
t_ok "the audit chain is intact across the restarts" sh -c 'lockboxctl audit verify >/dev/null'

kill $syslogd_pid 2>/dev/null
t_done
