# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --no-agent
# Agent-side benchmark, one boot, real time (no -icount), run by scripts/bench.
# Starts lockboxd itself on the harness config with the database on the ext4
# disk (/srv), not the guest's tmpfs, so commits pay for real fsyncs.
#   guest-agent.sh [RTT_N API_N BURST_N FSYNC_N BURST_FILES_N]
set -u
PATH=$PATH:/opt/extra
RTT_N=${1:-20}
API_N=${2:-100}
BURST_N=${3:-100000}
FSYNC_N=${4:-3}
BURST_FILES_N=${5:-10000}
FILE=/srv/customers/acme/data.txt

echo "meta kernel=$(uname -r) rtt_n=$RTT_N api_n=$API_N burst_n=$BURST_N fsync_n=$FSYNC_N" \
	"burst_files_n=$BURST_FILES_N"
mkdir -p /srv/lockbox
sed 's#"/var/lib/lockbox/lockbox.db"#"/srv/lockbox/lockbox.db"#' /etc/lockbox/lockbox.json \
	>/etc/lockbox/bench.json
grep -q '/srv/lockbox/lockbox.db' /etc/lockbox/bench.json || { echo "error config"; exit 1; }

# start_agent CONFIG: lockboxd in the background ($agent), ready on its socket
start_agent() {
	local i=0
	lockboxd --foreground --config "$1" </dev/null >/var/log/lockboxd.log 2>&1 &
	agent=$!
	until [ -S /run/lockbox/lockbox.sock ] && lockboxctl status >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 $agent 2>/dev/null; then
			echo "error lockboxd did not start"
			cat /var/log/lockboxd.log
			exit 1
		fi
		usleep 100000
	done
}

start_agent /etc/lockbox/bench.json

echo "phase rtt"
# each round also times one fdatasync of a 4 KiB write on the database's disk
agentbench rtt "$RTT_N" $FILE /srv/lockbox/fdatasync.bench || echo "error rtt"
echo "phase fsync"
agentbench fsync "$FSYNC_N" $agent || echo "error fsync"
echo "phase api"
agentbench api "$API_N" || echo "error api"
echo "phase burst"
agentbench burst "$BURST_N" $FILE || echo "error burst"
echo "phase burst_files"
agentbench burst_files "$BURST_FILES_N" /srv/customers/acme/burst || echo "error burst_files"
echo "phase verify"
# the chain must still verify after the burst
if lockboxctl audit verify >/tmp/verify 2>&1; then
	echo "agent verify ok=1"
else
	echo "agent verify ok=0 $(head -1 /tmp/verify)"
fi
kill $agent
wait $agent
echo "phase done"
