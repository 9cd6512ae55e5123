# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the guest suites that drive lockboxd through lockboxctl (busybox sh).
# Source after lib.sh; a suite adds it with "# lockbox-vm: --add tests/vm/agent_lib.sh".
SOCK=/run/lockbox/lockbox.sock
DB=/var/lib/lockbox/lockbox.db
CFG=/etc/lockbox/lockbox.json
AGENT_LOG=/var/log/lockboxd.log
CTL_ERR=/tmp/ctl.err
# RFC 3339 in UTC, as the contract wants every time in the JSON
RFC3339_UTC='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$'

# ctl USER ARGS...: lockboxctl as USER (a name, or root), so SO_PEERCRED names USER.
# stdout is lockboxctl's; its stderr goes to $CTL_ERR; the status is lockboxctl's.
ctl() {
	local who=$1
	shift
	if [ "$who" = root ]; then
		lockboxctl "$@" 2>$CTL_ERR
	else
		runas "$who" lockboxctl "$@" 2>$CTL_ERR
	fi
}

# t_rc WANT NAME USER ARGS...: lockboxctl as USER must exit WANT
t_rc() {
	local want=$1 name=$2 got
	shift 2
	ctl "$@" >/tmp/ctl.out
	got=$?
	t_is "$got" "$want" "$name"
	if [ "$got" != "$want" ]; then
		echo "#   lockboxctl $*"
		sed 's/^/#   stdout: /' /tmp/ctl.out | head -5
		sed 's/^/#   stderr: /' $CTL_ERR | head -5
	fi
}

# request USER ZONE [ARGS...]: files a request, prints its id (or nothing on failure)
request() {
	local who=$1 zone=$2
	shift 2
	ctl "$who" request "$zone" --reason "maintenance on the $zone volume" "$@"
}

# approve ID [USER]: approves as USER (default acme-admin); returns lockboxctl's status
approve() {
	ctl "${2:-acme-admin}" approve "$1" >/dev/null
}

# state ID [USER]: the request's state as USER (default root) sees it
state() {
	ctl "${2:-root}" show "$1" --json | jget state
}

# field ID KEY [USER]: one field of show --json
field() {
	ctl "${3:-root}" show "$1" --json | jget "$2"
}

# wait_for SECONDS CMD...: polls CMD every 0.2 s until it succeeds; returns its last status
wait_for() {
	local n=$(($1 * 5))
	shift
	while :; do
		"$@" && return 0
		n=$((n - 1))
		[ $n -le 0 ] && return 1
		usleep 200000
	done
}

# state_is ID STATE: for wait_for
state_is() {
	[ "$(state "$1")" = "$2" ]
}

# audit_has TYPE REQUEST: the trail (as root) holds a TYPE record for REQUEST
audit_has() {
	[ "$(ctl root audit --json | jget -w type="$1" -w request="$2" '#')" -ge 1 ] 2>/dev/null
}

# epoch RFC3339: unix seconds of an RFC 3339 UTC time (fractions dropped)
epoch() {
	local t=${1%Z}
	t=${t%%.*}
	date -u -d "$(echo "$t" | tr T ' ')" +%s
}

# gone PID: the process has exited (a zombie counts as gone)
gone() {
	[ ! -d /proc/$1 ] || grep -q '^State:[[:space:]]*Z' /proc/$1/status 2>/dev/null
}

agent_pid() {
	# the agent, not a notify command it is starting (lockboxd --confined-exec, briefly)
	pidof lockboxd | tr ' ' '\n' | sort -n | head -1
}

# answers: the socket answers. A test first (no process), as a lockboxctl
# started several times a second takes much of the guest's one CPU from a
# starting agent's BPF load
answers() {
	[ -S $SOCK ] && lockboxctl status >/dev/null 2>&1
}

# agent_ready [SECONDS]: the socket answers
agent_ready() {
	wait_for "${1:-30}" answers
}

# agent_start [ARGS...]: starts lockboxd the way the harness does and waits until it answers
agent_start() {
	lockboxd --foreground "$@" </dev/null >>$AGENT_LOG 2>&1 &
	agent_ready 30
}

# agent_kill [SIGNAL]: sends SIGNAL (default KILL) to lockboxd and waits until it is gone
agent_kill() {
	local pid
	pid=$(agent_pid) || return 1
	kill -"${1:-KILL}" $pid
	wait_for 10 gone $pid
}

# agent_reload: SIGHUP, then one round trip, which the agent answers only after the reload
agent_reload() {
	kill -HUP "$(agent_pid)" && lockboxctl status >/dev/null 2>&1
}

# add_user NAME UID GID GROUP: a guest user, also a member of GROUP
add_user() {
	echo "$1:x:$2:$3:$1:/home/$1:/bin/sh" >>/etc/passwd
	sed -i "s/^$4:x:\([0-9]*\):\(.*\)\$/$4:x:\1:\2,$1/" /etc/group
}

# config_with KEY=VALUE...: writes $CFG as the harness config with these changes
# (REQUEST_TTL, ACME_APPROVALS, ACME_APPROVERS as a JSON list of users;
# EXTRA: more top-level keys as JSON members, e.g. EXTRA='"permissive": true,')
config_with() {
	local ttl=1h approvals=1 approvers='[]' extra= kv
	for kv in "$@"; do
		case $kv in
		REQUEST_TTL=*) ttl=${kv#*=} ;;
		ACME_APPROVALS=*) approvals=${kv#*=} ;;
		ACME_APPROVERS=*) approvers=${kv#*=} ;;
		EXTRA=*) extra=${kv#*=} ;;
		esac
	done
	cat >$CFG <<CFGEOF
{ $extra
  "socket": "/run/lockbox/lockbox.sock",
  "database": "/var/lib/lockbox/lockbox.db",
  "engineers": { "users": [], "groups": ["engineers"] },
  "security":  { "users": [], "groups": ["secops"] },
  "request_ttl": "$ttl",
  "max_duration": "4h",
  "notify": { "command": "/usr/libexec/lockbox-test-notify", "from": "lockbox@guest" },
  "zones": [
    { "name": "acme", "paths": ["/srv/customers/acme"], "approvers": { "users": $approvers, "groups": ["acme-admins"] }, "approvals_required": $approvals, "max_duration": "4h", "notify": ["admin@acme.example"], "devices": [] },
    { "name": "globex", "paths": ["/srv/customers/globex"], "approvers": { "users": [], "groups": ["globex-admins"] }, "approvals_required": 1, "max_duration": "4h", "notify": ["admin@globex.example"], "devices": [] }
  ]
}
CFGEOF
}

# mail_of ID [OUTBOX]: the messages in the outbox (default /var/mail/outbox) whose
# X-Lockbox-Request header is ID, whole, each followed by a line "--". A message
# starts at an RFC 5322 Date header that opens the file or follows a blank line.
mail_of() {
	awk -v id="$1" '
	function flush() { if (found) printf "%s--\n", msg; msg = ""; found = 0 }
	(NR == 1 || prev == "") && /^Date: [A-Z][a-z][a-z], / { flush(); inhdr = 1 }
	inhdr && $0 == "" { inhdr = 0 }
	inhdr && $0 == "X-Lockbox-Request: " id { found = 1 }
	{ msg = msg $0 "\n"; prev = $0 }
	END { flush() }' "${2:-/var/mail/outbox}"
}

# mail_count ID SUBJECT-ERE: how many messages about ID have a Subject matching SUBJECT-ERE
mail_count() {
	mail_of "$1" | grep -E "^Subject: " | grep -cE "$2"
}

# mailed ID SUBJECT-ERE: at least one such message is in the outbox (for wait_for)
mailed() {
	[ "$(mail_count "$1" "$2")" -ge 1 ]
}

# mail_msg ID SUBJECT-ERE: the first message about ID whose Subject matches, whole
mail_msg() {
	mail_of "$1" | awk -v re="$2" '
	$0 == "--" { if (hit) { printf "%s", msg; exit } msg = ""; next }
	/^Subject: / && $0 ~ re { hit = 1 }
	{ msg = msg $0 "\n" }'
}

# lines_ge FILE N: FILE exists and has at least N lines (for wait_for)
lines_ge() {
	[ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]
}

# uptime_cs: guest uptime in hundredths of a second, for timing short things
uptime_cs() {
	awk '{ split($1, t, "."); print t[1] * 100 + t[2] }' /proc/uptime
}
