#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The files an installation ships besides the programs: the example config is
# valid and has every key the parser knows (so it shows them all); the
# logrotate snippet parses, renames the audit file and signals lockboxd to reopen it
# it, so a writer holding it open with O_APPEND goes on at its start.
. "$(dirname "$0")/../vm/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
D=${OUTPUT:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# examples/lockbox.json, with its zone path made real here
mkdir -p "$tmp/acme"
# the example, pointed at what exists here (its groups, sendmail and log folder may not)
sed -e "s|/srv/customers/acme|$tmp/acme|" -e "s|\"/srv/customers\"|\"$tmp/no-customers\"|" -e 's|\["engineers"\]|["root"]|' \
	-e 's|\["acme-admins"\]|["root"]|' -e "s|/usr/sbin/sendmail|/bin/cat|" \
	-e "s|/var/log/lockbox/|$tmp/|" -e "s|/var/lib/prometheus/node-exporter/|$tmp/|" \
	"$top/examples/lockbox.json" >"$tmp/ex.json"
out=$("$D/lockboxd" --check-config --config "$tmp/ex.json" 2>&1)
t_is "$?" 0 "examples/lockbox.json passes lockboxd --check-config ($out)"
keys_of() {
	awk -v a="$1" 'index($0, a "[] = {") { on = 1 } on { print } on && /};/ { exit }' \
		"$top/userspace/agent/core/config.c" | grep -oE '"[a-z_]+"' | tr -d '"' | sort -u | tr '\n' ' '
}
top_ex=$(grep -oE '^  "[a-z_]+":' "$top/examples/lockbox.json" | tr -d ' ":' | sort -u | tr '\n' ' ')
t_is "$top_ex" "$(keys_of top_keys)" "examples/lockbox.json sets every top-level key"
zone_ex=$(grep -oE '^      "[a-z_]+":' "$top/examples/lockbox.json" | tr -d ' ":' | sort -u | tr '\n' ' ')
t_is "$zone_ex" "$(keys_of zone_keys)" "its zone sets every zone key"

# logrotate/lockbox
if command -v logrotate >/dev/null; then
	mkdir -p "$tmp/log"
	sed "s|/var/log/lockbox/|$tmp/log/|" "$top/logrotate/lockbox" >"$tmp/lr.conf"
	out=$(logrotate -d -s "$tmp/state" "$tmp/lr.conf" 2>&1)
	t_is "$?" 0 "logrotate accepts logrotate/lockbox"
	t_is "$(echo "$out" | grep -ci 'error')" 0 "logrotate reports no error"
	# the rotation renames the file and signals lockboxd (here: a stand-in for pkill)
	echo '{"seq":1}' >"$tmp/log/audit.jsonl"
	mkdir -p "$tmp/bin"
	printf '#!/bin/sh\necho "$@" >%s\n' "$tmp/signalled" >"$tmp/bin/pkill"
	printf '#!/bin/sh\nexit 1\n' >"$tmp/bin/systemctl"
	chmod +x "$tmp/bin/pkill" "$tmp/bin/systemctl"
	PATH=$tmp/bin:$PATH logrotate -f -s "$tmp/state" "$tmp/lr.conf" 2>&1
	t_is "$(cat "$tmp/log/audit.jsonl.1" 2>&1)" '{"seq":1}' "the file is renamed whole"
	t_is "$([ -e "$tmp/log/audit.jsonl" ] || echo absent)" absent \
		"and not recreated by logrotate (lockboxd creates it, 0640)"
	t_is "$(cat "$tmp/signalled" 2>&1)" "-USR1 -x lockboxd" \
		"lockboxd is told to reopen (SIGUSR1) when systemctl cannot"
else
	echo "# skip: logrotate is not installed (scripts/deps.sh installs it)"
fi
t_done
