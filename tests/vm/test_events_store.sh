# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --add tests/vm/agent_lib.sh
# Kernel events and the database under them: a root engineer cannot open (and so
# cannot lock) the agent's database files, and a commit that fails while
# someone holds a lock keeps its events until a later commit stores them.
. /opt/extra/lib.sh
. /opt/extra/agent_lib.sh

# denied_path PATH: the trail holds eng1's access.denied of PATH
denied_path() {
	[ "$(ctl root audit --json | jget -w type=access.denied -w uid=$ENG1 -w path="$1" '#')" -ge 1 ] \
		2>/dev/null
}

# test_root_engineer_cannot_open_database_files
for f in $DB $DB-wal $DB-shm; do
	t_is "$(dblock -l $ENG1 $f 0)" EACCES "root with eng1's loginuid cannot open ${f##*/}"
done
t_is "$(dblock -l $ENG1 $CFG 0)" OK "the config stays readable (and lockable: nothing waits on it)"
as $ENG1 r $ACME/data.txt >/dev/null
t_ok "the agent keeps committing: eng1's next denial reaches the trail" \
	wait_for 10 denied_path $ACME/data.txt

# test_failed_commit_keeps_its_events: root (not an engineer) holds a read lock
# on the -shm for longer than the store's busy timeout, so commits fail meanwhile
for i in 1 2 3 4 5; do
	echo "row $i" >$ACME/held$i.txt
done
dblock $DB-shm 9 >/tmp/lock.out &
lock=$!
wait_for 5 grep -q OK /tmp/lock.out
t_is "$(cat /tmp/lock.out)" OK "root holds a read lock on the database's -shm"
for i in 1 2 3 4 5; do
	as $ENG1 r $ACME/held$i.txt >/dev/null
	sleep 1
done
wait $lock
missing=
for i in 1 2 3 4 5; do
	wait_for 20 denied_path $ACME/held$i.txt || missing="$missing $i"
done
t_is "$missing" "" "every denial made while commits failed reaches the trail"
lost=$(ctl root audit --json | jget -w type=events.lost '#')
t_is "$lost" 0 "and none of them was counted as lost"
t_ok "commits failed meanwhile (the agent said so)" grep -q "holding them" $AGENT_LOG
t_done
