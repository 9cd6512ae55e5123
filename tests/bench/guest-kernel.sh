# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --no-agent
# Kernel-side benchmark, one boot, run by scripts/bench under `-icount shift=0`
# (guest nanoseconds are guest instructions). Prints one parseable line per
# figure; scripts/bench turns them into build/bench/results.json.
#   guest-kernel.sh [ITER ROUNDS STATS_ITER]
#   guest-kernel.sh empty-cases ITER ROUNDS STATS_ITER   (run by emptyctl)
#   guest-kernel.sh parts-cases ITER ROUNDS STATS_ITER   (run by partsctl)
set -u
PATH=$PATH:/opt/extra

ENG1=2001    # engineer with a read-write grant on acme
ENG2=2002    # engineer without any grant
USER1=5001   # not an engineer
ACME=/srv/customers/acme
PUB=/srv/public/bench.dat
ZONE=$ACME/bench.dat
DEEPDIR=$ACME$(i=1; while [ $i -le 32 ]; do printf '/d%02d' $i; i=$((i + 1)); done)
DEEP=$DEEPDIR/bench.dat
GUARD=0

mode=main
case ${1:-} in
empty-cases) mode=empty; shift ;;
parts-cases) mode=parts; shift ;;
esac
N=${1:-1000}
R=${2:-5}
NS=${3:-2000}

# run TAG UID FILE [OPBENCH-ARGS...]: the three ops, each in its own process so a
# loaded guard's ring buffer is drained between them (an invocation emits at most
# N * (R + 1) + 1 events, well under the 4 MiB buffer's ~12,000)
run() {
	local tag=$1 uid=$2 file=$3 op
	shift 3
	for op in open read stat; do
		opbench -u "$uid" -n "$N" -r "$R" -w 1 -t "$tag" "$@" $op "$file" || echo "error $tag $op"
		[ $GUARD = 1 ] && benchctl drain >/dev/null
	done
}

# run_reader TAG UID FILE: opens only, while a reader waits on the ring buffer as the
# agent does, so each event also pays its wake-up (the reader's own work is counted too)
run_reader() {
	local tag=$1 uid=$2 file=$3 rd
	benchctl follow &
	rd=$!
	sleep 1
	opbench -u "$uid" -n "$N" -r "$R" -w 1 -t "$tag" open "$file" || echo "error $tag open"
	kill $rd
	wait $rd 2>/dev/null
	benchctl drain >/dev/null
}

# settle: wait until the guest is idle (6.12 runs its crypto self-tests for the first
# seconds after boot, on the one vCPU we measure on)
settle() {
	local what=$1 i=0 busy=1000 t0 i0 t1 i1
	while [ $i -lt 60 ]; do
		set -- $(head -1 /proc/stat)
		t0=$(($2 + $3 + $4 + $5 + $6 + $7 + $8))
		i0=$5
		sleep 1
		set -- $(head -1 /proc/stat)
		t1=$(($2 + $3 + $4 + $5 + $6 + $7 + $8))
		i1=$5
		[ $t1 -gt $t0 ] && busy=$(((t1 - t0 - (i1 - i0)) * 1000 / (t1 - t0)))
		i=$((i + 1))
		[ $busy -lt 20 ] && break
	done
	echo "meta settle=$what seconds=$i busy_permille=$busy"
}

# stats TAG PREFIX UID FILE: the kernel's per-program run time over NS opens and NS reads
stats() {
	local tag=$1 prefix=$2 uid=$3 file=$4
	echo 1 >/proc/sys/kernel/bpf_stats_enabled
	benchctl stats "$prefix" | sed "s/^prog /stats $tag before /"
	opbench -u "$uid" -n "$NS" -r 1 -w 0 -t "$tag" open,read "$file" >/dev/null
	benchctl stats "$prefix" | sed "s/^prog /stats $tag after /"
	echo 0 >/proc/sys/kernel/bpf_stats_enabled
	[ $GUARD = 1 ] && benchctl drain >/dev/null
}

if [ $mode = empty ]; then
	run empty.public $USER1 $PUB
	run empty.zone $USER1 $ZONE
	run empty.deep $USER1 $DEEP
	stats empty.zone eb_ $USER1 $ZONE
	exit 0
fi
# building blocks (partsctl): only their per-program figures are kept
if [ $mode = parts ]; then
	stats parts.user p_ $USER1 $ZONE
	stats parts.engineer p_ $ENG1 $ZONE
	stats parts.outside p_ $ENG1 $PUB
	exit 0
fi

# lockbox cases: the same five on a freshly loaded guard and at scale
lockbox_cases() {
	local p=$1
	echo "counters $p.begin $(guardctl counters)"
	run $p.nonengineer $USER1 $ZONE
	run $p.outside $ENG1 $PUB
	run $p.grant $ENG1 $ZONE
	run $p.denied $ENG2 $ZONE
	run $p.deep $ENG1 $DEEP
	[ $p = lb ] && run_reader $p.grant_reader $ENG1 $ZONE
	echo "counters $p.end $(guardctl counters)"
	stats $p.nonengineer lb_ $USER1 $ZONE
	stats $p.outside lb_ $ENG1 $PUB
	stats $p.grant lb_ $ENG1 $ZONE
	stats $p.denied lb_ $ENG2 $ZONE
	stats $p.deep lb_ $ENG1 $DEEP
}

# uptime_cs: the guest clock in hundredths of a second
uptime_cs() {
	local u rest
	read -r u rest </proc/uptime
	echo "${u%.*}${u#*.}" # two decimals
}

# agent_memory PID: its resident memory, peak and now, and now by kind (anonymous:
# its own heap and stacks; file and shmem: what it maps, the events ring among them)
agent_memory() {
	awk '$1 == "VmHWM:" { h = $2 } $1 == "VmRSS:" { r = $2 } $1 == "RssAnon:" { a = $2 }
		$1 == "RssFile:" { f = $2 } $1 == "RssShmem:" { s = $2 }
		END { printf "hwm_kib=%d rss_kib=%d anon_kib=%d file_kib=%d shmem_kib=%d", h, r, a, f, s }' \
		/proc/$1/status
}

# agent_scale: lockboxd's start on the scale maps, and its memory after a few commands
agent_scale() {
	local t0 t1 i=0 agent
	mkdir -p /tmp/lockbox-scale
	sed 's#"/var/lib/lockbox/lockbox.db"#"/tmp/lockbox-scale/lockbox.db"#' \
		/etc/lockbox/lockbox.json >/etc/lockbox/scale.json
	t0=$(uptime_cs)
	lockboxd --foreground --config /etc/lockbox/scale.json </dev/null \
		>/var/log/lockboxd-scale.log 2>&1 &
	agent=$!
	until [ -S /run/lockbox/lockbox.sock ] && lockboxctl status >/dev/null 2>&1 || [ $i -gt 1200 ]; do
		i=$((i + 1))
		usleep 100000
	done
	t1=$(uptime_cs)
	[ $i -gt 1200 ] && echo "error agent-scale: lockboxd not ready after 120 s"
	agentbench rtt 3 $ACME/data.txt >/dev/null || echo "error agent-scale rtt"
	lockboxctl status >/dev/null || echo "error agent-scale status"
	echo "agent scale start_ms=$(((t1 - t0) * 10))" \
		"$(agent_memory $agent)" \
		"$(scale /tmp/bench-zones 0 0 0 | sed 's/^scale //; s/\([a-z]*\)=/left_\1=/g')" \
		"maps_after_bytes=$(scale --memory | awk '$2 == "total" { sub("memlock=", "", $3); print $3 }')"
	kill $agent
	wait $agent
	rm -rf /tmp/lockbox-scale
}

echo "meta kernel=$(uname -r) iter=$N rounds=$R stats_iter=$NS"
# the emulated CPU decides the kernel's mitigations, and with them what a call or
# a return costs: figures are comparable only for the same qemu and CPU model
echo "meta cpu=$(sed -n 's/^model name[^:]*: *//p' /proc/cpuinfo | head -1 | tr ' ' _)" \
	"spectre_v2=$(tr ' ,' '__' </sys/devices/system/cpu/vulnerabilities/spectre_v2 2>/dev/null)"
mkdir -p "$DEEPDIR" || exit 1
for f in $PUB $ZONE $DEEP; do
	dd if=/dev/urandom of=$f bs=4096 count=1 2>/dev/null && chmod 644 $f || exit 1
done
# the scale phase's zone roots from the start: 100,000 more dentries lengthen the
# dcache's hash chains, and every path lookup pays for it (~40 instructions on a
# stat); made here, the baseline and every phase pay the same
scale --dirs /tmp/bench-zones 100000 || { echo "error scale --dirs"; exit 1; }
sync
settle boot

echo "phase baseline"
run base.public $USER1 $PUB
run base.zone $USER1 $ZONE
run base.deep $USER1 $DEEP

echo "phase empty"
emptyctl sh /opt/script.sh empty-cases "$N" "$R" "$NS" || echo "error empty"

echo "phase landlock"
run landlock.zone $ENG1 $ZONE -L $ACME
run landlock.deep $ENG1 $DEEP -L $ACME

echo "phase parts"
partsctl $ACME sh /opt/script.sh parts-cases "$N" "$R" "$NS" || echo "error parts"

echo "phase lockbox"
guardctl load || { echo "error guardctl load"; exit 1; }
GUARD=1
guardctl engineer add $ENG1 && guardctl engineer add $ENG2 &&
	guardctl zone add $ACME 1 && guardctl zone add /srv/customers/globex 2 &&
	guardctl grant add $ENG1 1 rw 36000 7 || { echo "error guard setup"; exit 1; }
lockbox_cases lb

echo "phase scale"
# the 99,998 extra zone roots on tmpfs (made before the baseline): mkdirs on the
# virtio disk are slow under emulation and what the 6.12 guest most often crashes
# in (qemu 7); the measured paths stay on the ext4 /srv, and the maps hold the
# same entries either way
scale /tmp/bench-zones 10000 100000 1000000 || { echo "error scale"; exit 1; }
sync
settle scale
lockbox_cases scale

# what the maps cost the kernel, full
echo "phase memory"
scale --memory || echo "error scale --memory"

# lockboxd started on the full maps: it removes the 1,000,000 grants, 99,998 zone
# roots and 9,998 engineers it does not know; its memory (peak and after a few
# commands) and its start in guest instructions (1 ns each under -icount)
echo "phase agent-scale"
agent_scale
guardctl unpin

# the approve and status round trips once more, in guest instructions (the agent
# suite measures them in real time, which the host's load moves): with the
# database on the ext4 disk (waits for the disk count as real time), then on tmpfs
echo "phase agent-icount"
mkdir -p /srv/lockbox
sed 's#"/var/lib/lockbox/lockbox.db"#"/srv/lockbox/lockbox.db"#' /etc/lockbox/lockbox.json \
	>/etc/lockbox/bench.json
for db in ext4 tmpfs; do
	cfg=/etc/lockbox/bench.json
	[ $db = tmpfs ] && cfg=/etc/lockbox/lockbox.json
	lockboxd --foreground --config $cfg </dev/null >/var/log/lockboxd.log 2>&1 &
	agent=$!
	i=0
	until [ -S /run/lockbox/lockbox.sock ] && lockboxctl status >/dev/null 2>&1 || [ $i -gt 600 ]; do
		i=$((i + 1))
		usleep 100000
	done
	sync=
	[ $db = ext4 ] && sync=/srv/lockbox/fdatasync.bench
	agentbench rtt 10 $ACME/data.txt $sync | sed "s/^agent rtt /agent rtt_icount_$db /" ||
		echo "error agent-icount $db"
	echo "agent memory_$db $(agent_memory $agent)"
	kill $agent
	wait $agent
done
echo "phase done"
