# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --add tests/vm/agent_lib.sh
# A burst of denials loses nothing: the guard logs a denial of a file once and
# counts the identical ones after it (bpf/denials.bpf.h), so the trail holds
# every denied open, read and write, in few records whose counts add up to
# exactly what was refused, and no event is counted lost. A different file,
# intent or engineer is never folded into another's count.
. /opt/extra/lib.sh
. /opt/extra/agent_lib.sh

# snapshot: the trail as JSON, for denials
snapshot() {
	ctl root audit --json >/tmp/deny.json
}

# denials UID [KEY=VALUE...]: how many denials UID's access.denied records in the
# snapshot (those whose KEYs have these VALUEs) stand for: one each, or their count
denials() {
	local f="-w type=access.denied -w uid=$1" all n=0 c sum=0
	shift
	for c in "$@"; do
		f="$f -w $c"
	done
	all=$(jget $f '#' </tmp/deny.json)
	for c in $(jget $f -w repeats=true -a count </tmp/deny.json); do
		sum=$((sum + c))
		n=$((n + 1))
	done
	echo $((all - n + sum))
}

# drained: the ring buffer read and no denial still counted in the guard
drained() {
	[ "$(ringpeek)" = 0.000000 ] && [ "$(burst pending)" = 0 ]
}

# denials_are N UID [KEY=VALUE...]: for wait_for
denials_are() {
	local n=$1
	shift
	snapshot
	[ "$(denials "$@")" = "$n" ]
}

lost() {
	ctl root status --json | jget events_lost
}

lost0=$(lost)

# test_burst_one_file: 5,000 denied opens of one file, a few records, exact
F=$ACME/burst.txt
echo burst >$F
chmod 666 $F # so that only the guard refuses eng1's write open
t_is "$(burst -u $ENG1 open 5000 $F)" "denied=5000 ok=0 other=0" \
	"eng1 opens a zone file 5000 times: every open is refused"
t_ok "the agent records what the guard counted once the window passes" wait_for 20 drained
t_ok "the trail's counts add up to exactly 5000" wait_for 10 denials_are 5000 $ENG1 path=$F
n=$(jget -w type=access.denied -w uid=$ENG1 -w path=$F '#' </tmp/deny.json)
t_ok "in a few records, not 5000 ($n)" [ "$n" -ge 2 -a "$n" -le 20 ]
jget -w type=access.denied -w uid=$ENG1 -w path=$F -w repeats=true 0 </tmp/deny.json >/tmp/rec.json
first=$(jget first </tmp/rec.json)
last=$(jget last </tmp/rec.json)
t_match "$first" "$RFC3339_UTC" "a counted record says when the first of its denials was ($first)"
t_ok "and the last ($last), not before the first" [ "$(epoch "$last")" -ge "$(epoch "$first")" ]
t_is "$(jget op </tmp/rec.json)/$(jget access </tmp/rec.json)/$(jget verdict </tmp/rec.json)" \
	open/read/deny "it is a denied read open"
t_is "$(lost)" "$lost0" "no event was counted lost"
c=$(jget count </tmp/rec.json)
t_ok "lockboxctl audit shows the count ($c)" \
	sh -c "lockboxctl audit | grep -F '$F ($c times, $first to $last)'"

# test_distinct_denials_keep_their_records: another intent, another engineer
burst -u $ENG1 open 200 $F >/dev/null
t_is "$(as $ENG1 w $F)" EACCES "a write open in the middle of a burst of read opens is refused"
t_is "$(as $ENG2 r $F)" EACCES "and so is eng2's read open"
burst -u $ENG1 open 200 $F >/dev/null
wait_for 20 drained
t_ok "the write open has its own record" wait_for 10 denials_are 1 $ENG1 path=$F access=write
t_ok "eng2's open has its own record" wait_for 10 denials_are 1 $ENG2 path=$F
t_is "$(denials $ENG1 path=$F access=read)" 5400 "eng1's read opens add up to 5400 apart from them"

# test_burst_distinct_files: 2,000 files, one denial each, one record each
mkdir -p $ACME/many
burst mkfiles 2000 $ACME/many
t_is "$(burst -u $ENG1 files 2000 $ACME/many)" "denied=2000 ok=0 other=0" \
	"eng1 opens 2000 distinct zone files: every open is refused"
wait_for 20 drained
snapshot
jget -w type=access.denied -w uid=$ENG1 -a path </tmp/deny.json | grep "^$ACME/many/" >/tmp/many.txt
t_is "$(wc -l </tmp/many.txt)" 2000 "each has a record"
t_is "$(sort -u /tmp/many.txt | wc -l)" 2000 "its own"
t_is "$(lost)" "$lost0" "none was counted lost"

# test_burst_denied_reads: a descriptor opened under a grant, read after the revoke
id=$(request eng1 acme --duration 1h)
approve $id
R=$ACME/data.txt
rm -f /tmp/go
burst -u $ENG1 read 3000 $R /tmp/go >/tmp/reads.out &
pid=$!
wait_for 10 sh -c "grep -q . /proc/$pid/fdinfo/3 2>/dev/null"
ctl acme-admin revoke $id --reason "burst test" >/dev/null
touch /tmp/go
wait $pid
t_is "$(cat /tmp/reads.out)" "denied=3000 ok=0 other=0" \
	"3000 reads of a descriptor after its grant was revoked: every one refused"
wait_for 20 drained
t_ok "the trail's read denials add up to exactly 3000" \
	wait_for 10 denials_are 3000 $ENG1 path=$R op=read
t_is "$(lost)" "$lost0" "none was counted lost"

# test_burst_tamper: root with eng1's login uid calls bpf() 20,000 times; each
# is refused as tampering (no file: the same subject and operation make it
# identical), and the trail counts them all in a few records
t_is "$(burst -u 0 -l $ENG1 bpf 20000)" "denied=20000 ok=0 other=0" \
	"root with eng1's login uid calls bpf() 20000 times: every call is refused"
wait_for 20 drained
t_ok "the trail's bpf() denials add up to exactly 20000" \
	wait_for 10 denials_are 20000 0 engineer_uid=$ENG1 op=bpf reason=tamper
n=$(jget -w type=access.denied -w uid=0 -w engineer_uid=$ENG1 -w op=bpf -w reason=tamper '#' </tmp/deny.json)
t_ok "in a few records, not 20000 ($n)" [ "$n" -ge 2 -a "$n" -le 40 ]
t_is "$(lost)" "$lost0" "none was counted lost"

# test_burst_changes: eng1 (no write grant) tries to unlink a zone file 5,000
# times and to chmod it 5,000 times: a denied change of an existing file is
# counted as a denied open is, each op on its own
U=$ACME/keep.txt
echo keep >$U
chmod 777 $ACME # so that only the guard refuses eng1's unlink
t_is "$(burst -u $ENG1 unlink 5000 $U)" "denied=5000 ok=0 other=0" \
	"eng1 tries to unlink a zone file 5000 times: every one is refused"
chmod 755 $ACME
chmod 666 $U
t_is "$(burst -u $ENG1 chmod 5000 $U)" "denied=5000 ok=0 other=0" \
	"and to chmod it 5000 times: refused (the guard; eng1 does not own it either)"
wait_for 20 drained
t_ok "the trail's unlink denials add up to exactly 5000" \
	wait_for 10 denials_are 5000 $ENG1 path=$U op=unlink
n=$(jget -w type=access.denied -w uid=$ENG1 -w path=$U -w op=unlink '#' </tmp/deny.json)
t_ok "in a few records, not 5000 ($n)" [ "$n" -ge 2 -a "$n" -le 20 ]
t_is "$(denials $ENG1 path=$U op=setattr)" 5000 "and the chmod denials, in records of their own"
t_ok "the file is still there, as it was" [ "$(stat -c %a $U)" = 666 ]
t_is "$(lost)" "$lost0" "none was counted lost"

# test_full_ring_keeps_a_burst: no agent, the ring buffer filled by
# 50,000 denials of one file that each differ from the one before (read and
# write opens in turn: never folded), then 1,000 identical ones of another
# file: those wait in the guard (no agent runs meanwhile: a restart), and the
# next agent records all of them. What the ring held the test reads off itself
# (the trail stays small); with what did not fit, counted lost, that accounts
# for every one of the 50,000.
lost1=$(lost)
FL=$ACME/flood.txt
X=$ACME/full.txt
echo f >$FL
chmod 666 $FL
echo x >$X
agent_kill TERM
t_is "$(burst -u $ENG2 alt 50000 $FL)" "denied=50000 ok=0 other=0" \
	"eng2 opens a file 50000 times, for reading and writing in turn, with no agent: refused"
t_match "$(ringpeek)" '^(0\.99|1\.0)' "each is its own event: the ring buffer is full"
t_is "$(burst -u $ENG2 open 1000 $X)" "denied=1000 ok=0 other=0" \
	"then 1000 read opens of another file: refused"
t_is "$(burst -u 0 -l $ENG2 bpf 1000)" "denied=1000 ok=0 other=0" \
	"and 1000 bpf() calls by root with eng2's login uid: refused"
ring=$(guardctl events 46603 60000 | grep -c "path=$FL\$")
agent_start
t_ok "the next agent records what the guard kept" wait_for 60 drained
sleep 2 # events.lost is recorded on the tick
snapshot
t_is "$(denials $ENG2 path=$X)" 1000 "all 1000 opens of the one file are in the trail"
t_is "$(denials 0 engineer_uid=$ENG2 op=bpf reason=tamper)" 1000 "and all 1000 bpf() calls"
kept=$(denials $ENG2 path=$FL)
missed=$(($(lost) - lost1))
t_ok "of the 50000, some did not fit ($missed counted lost)" [ "$missed" -gt 0 ]
t_is "$((ring + kept + missed))" 50000 \
	"each is in the ring ($ring), kept by the guard ($kept) or counted lost"
# the ring has wrapped: a plain event now lands on old records' bytes, and must
# still be read as one (every field of it written, none left from before)
A=$ACME/after-wrap.txt
echo a >$A
t_is "$(burst -u $ENG2 open 1 $A)" "denied=1 ok=0 other=0" "a denial after the ring wrapped"
t_ok "it is in the trail" wait_for 20 denials_are 1 $ENG2 path=$A

t_rc 0 "audit verify passes" root audit verify
t_done
