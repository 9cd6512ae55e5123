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

# test_failed_commit_keeps_its_events: the database on a small filesystem that
# fills up, so commits fail (SQLITE_FULL) until space is freed
agent_kill TERM
mkdir -p /mnt/lockbox
mount -t tmpfs -o size=4m tmpfs /mnt/lockbox
sed -i "s|$DB|/mnt/lockbox/lockbox.db|" $CFG
agent_start
DB=/mnt/lockbox/lockbox.db
for i in 1 2 3 4 5; do
	echo "row $i" >$ACME/held$i.txt
done
dd if=/dev/zero of=/mnt/lockbox/fill bs=4096 2>/dev/null
for i in 1 2 3 4 5; do
	as $ENG1 r $ACME/held$i.txt >/dev/null
done
t_ok "commits fail while the disk is full (the agent says so)" \
	wait_for 10 grep -q "cannot store kernel events" $AGENT_LOG
rm /mnt/lockbox/fill
missing=
for i in 1 2 3 4 5; do
	wait_for 10 denied_path $ACME/held$i.txt || missing="$missing $i"
done
t_is "$missing" "" "every denial made while commits failed reaches the trail"
t_is "$(ctl root audit --json | jget -w type=events.lost '#')" 0 \
	"and none of them had to be counted as lost"

# test_events_held_at_stop_are_counted_lost: the disk full again, the agent
# stopped before it could store three denials; what it took from the ring is
# counted as lost, what it left there the next agent stores
for i in 6 7 8; do
	echo "row $i" >$ACME/held$i.txt
done
dd if=/dev/zero of=/mnt/lockbox/fill bs=4096 2>/dev/null
n=$(grep -c "cannot store kernel events" $AGENT_LOG)
for i in 6 7 8; do
	as $ENG1 r $ACME/held$i.txt >/dev/null
done
wait_for 10 sh -c "[ \$(grep -c 'cannot store kernel events' $AGENT_LOG) -gt $n ]"
agent_kill TERM
t_ok "stopping with events held says they are counted as lost" \
	grep -q "not stored, counted as lost" $AGENT_LOG
rm /mnt/lockbox/fill
agent_start
lost=$(ctl root status --json | jget events_lost)
missing=0
for i in 6 7 8; do
	wait_for 5 denied_path $ACME/held$i.txt || missing=$((missing + 1))
done
t_ok "each of the three is stored or counted lost ($missing missing, $lost lost)" \
	[ "$lost" -ge 1 -a "$lost" -ge "$missing" ]
# test_ring_fill: what the metrics report as the ring buffer's fill rises while
# the agent does not read and falls back once it does
kill -STOP "$(agent_pid)"
t_is "$(ringpeek)" 0.000000 "the ring is empty while nothing happens"
# of 300 distinct files: repeated denials of one file would be one event and a count
mkdir -p $ACME/fill
burst mkfiles 300 $ACME/fill
burst -u $ENG1 files 300 $ACME/fill >/dev/null
fill=$(ringpeek)
t_ok "300 denials with the agent stopped fill the ring ($fill)" [ "$fill" != 0.000000 ]
kill -CONT "$(agent_pid)"
t_ok "the agent drains it once it runs" wait_for 10 sh -c '[ "$(ringpeek)" = 0.000000 ]'

t_done
