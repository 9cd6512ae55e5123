# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the bypass suites (busybox sh). Source after lib.sh; a suite adds
# it with "# lockbox-vm: --add tests/vm/bypass_lib.sh".

# sudo1 OP ARGS...: door as root whose loginuid is eng1's (what sudo or su gives
# an engineer who logged in): file permissions never stop it, only the guard can
sudo1() {
	door -u 0 -l $ENG1 "$@"
}

# wait_lines FILE N: waits (up to 20 s) until FILE has at least N lines
wait_lines() {
	local i=0
	while [ "$(cat "$1" 2>/dev/null | wc -l)" -lt "$2" ]; do
		i=$((i + 1))
		[ $i -gt 200 ] && return 1
		usleep 100000
	done
}

# step FILE N: the result of the Nth "STEP RESULT" line a holding helper printed
step() {
	sed -n "${2}p" "$1" | cut -d' ' -f2
}

# go FILE: lets a holding helper waiting on wait:FILE go on
go() {
	touch "$1"
}

# events_start MAX MS: collects up to MAX kernel events for MS ms into /tmp/ev
# (no agent: guardctl reads the ring buffer); events_wait ends the collection
events_start() {
	drain_events
	guardctl events "$1" "$2" >/tmp/ev &
	EV_PID=$!
	usleep 300000
}

events_wait() {
	wait $EV_PID
}

# deep BASE N: prints BASE/d/d/... with N levels of d
deep() {
	local p=$1 i=0
	while [ $i -lt "$2" ]; do
		p=$p/d
		i=$((i + 1))
	done
	echo "$p"
}

# gen_bump: a rename on /srv by root, which retires every cached inode zone, so
# a later check cannot lean on a cached walk
gen_bump() {
	touch /srv/public/.bump && mv /srv/public/.bump /srv/public/.bumped
}
