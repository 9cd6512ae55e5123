#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# systemd/lockboxd.service: `systemd-analyze verify` is clean, the unit is the
# contract's (Type=notify, reload, directories, restart), its exposure does not
# creep up, and every exposure `systemd-analyze security` still reports is
# explained in docs/operations.md. The capability set itself is checked in the
# guest (tests/vm/test_unit_caps.sh).
. "$(dirname "$0")/../vm/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
D=${OUTPUT:-build}
UNIT=$top/systemd/lockboxd.service
DOC=$top/docs/operations.md
if ! command -v systemd-analyze >/dev/null; then
	echo "# skip: systemd-analyze is not installed (scripts/deps.sh installs systemd)"
	t_done
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# verify wants ExecStart's program to exist: point it at the built one
sed "s|/usr/sbin/lockboxd|$(cd "$D" && pwd)/lockboxd|" "$UNIT" >"$tmp/lockboxd.service"

out=$(systemd-analyze verify --man=no "$tmp/lockboxd.service" 2>&1)
t_is "$?" 0 "systemd-analyze verify accepts the unit"
t_is "$out" "" "systemd-analyze verify prints nothing (no warning)"

key() {
	sed -n "s/^$1=//p" "$UNIT" | tr '\n' ' ' | sed 's/ $//'
}
t_is "$(key Type)" notify "Type=notify"
t_is "$(key ExecStart)" "/usr/sbin/lockboxd --foreground" "ExecStart runs the agent in the foreground"
t_is "$(key ExecReload)" '/bin/sh -c "kill -HUP $MAINPID"' "ExecReload sends SIGHUP (the agent notifies RELOADING/READY)"
t_is "$(key NotifyAccess)" main "only the main process may notify"
t_is "$(key Restart)" on-failure "Restart=on-failure"
t_is "$(key RuntimeDirectory)/$(key StateDirectory)/$(key ConfigurationDirectory)" \
	lockbox/lockbox/lockbox "Runtime-, State- and ConfigurationDirectory=lockbox"
t_match "$(key ReadWritePaths)" '^/sys/fs/bpf ' "the pins under /sys/fs/bpf stay writable"
t_is "$(key NoNewPrivileges)" yes "NoNewPrivileges=yes"

systemd-analyze security --offline=yes "$tmp/lockboxd.service" >"$tmp/sec" 2>&1
level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$tmp/sec")
t_ok "overall exposure $level is at most 3.5" awk -v l="$level" 'BEGIN { exit !(l != "" && l <= 3.5) }'
t_match "$(cat "$DOC")" "Overall exposure level for lockboxd.service: $level" \
	"docs/operations.md quotes the current overall exposure"
set -f # the names hold glob characters
missing=
sed 's/\\|/|/g' "$DOC" >"$tmp/doc" # table cells escape '|'
for name in $(grep '^✗' "$tmp/sec" | awk '{ print $2 }'); do
	grep -qF "\`$name\`" "$tmp/doc" || missing="$missing $name"
done
t_is "$missing" "" "every remaining exposure is explained in docs/operations.md"
t_done
