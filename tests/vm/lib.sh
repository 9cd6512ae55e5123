# SPDX-License-Identifier: GPL-2.0-only
# TAP helpers for guest suites (busybox sh). Source from /opt/extra/lib.sh.
T_N=0
T_FAILED=0
ACME=/srv/customers/acme
GLOBEX=/srv/customers/globex
ENG1=2001
ENG2=2002
USER1=5001

# t_is GOT WANT NAME
t_is() {
	T_N=$((T_N + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $T_N - $3"
	else
		echo "not ok $T_N - $3"
		echo "#   got '$1', want '$2'"
		T_FAILED=$((T_FAILED + 1))
		return 1
	fi
}

# t_ok NAME CMD...: CMD must exit 0
t_ok() {
	local name=$1
	shift
	T_N=$((T_N + 1))
	if "$@"; then
		echo "ok $T_N - $name"
	else
		echo "not ok $T_N - $name"
		echo "#   command failed: $*"
		T_FAILED=$((T_FAILED + 1))
		return 1
	fi
}

# t_match TEXT REGEX NAME
t_match() {
	T_N=$((T_N + 1))
	if echo "$1" | grep -qE "$2"; then
		echo "ok $T_N - $3"
	else
		echo "not ok $T_N - $3"
		echo "#   '$1' does not match /$2/"
		T_FAILED=$((T_FAILED + 1))
		return 1
	fi
}

t_done() {
	echo "1..$T_N"
	[ "$T_FAILED" = 0 ]
}

# as UID OP PATH: the errno name of an operation done as UID (tryopen prints OK or e.g. EACCES)
as() {
	tryopen -u "$1" "$2" "$3"
}

# drain_events: read and discard what the ring buffer holds, so the next reader sees new events only
drain_events() {
	guardctl events 1000000 300 >/dev/null
}
