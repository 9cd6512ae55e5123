#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The man pages render without a warning, and say what the binaries do: the
# options of lockboxd(8) and lockboxctl(1) are exactly those of --help, the
# commands of lockboxctl(1) exactly those of its --help, and the keys of
# lockbox.json(5) exactly those the config parser accepts.
. "$(dirname "$0")/../vm/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
D=${OUTPUT:-build}
M=$top/man

# opts: the options (-x, --word) in a text on stdin, one a line, sorted
opts() {
	grep -oE '(^|[^A-Za-z0-9-])--?[A-Za-z][A-Za-z-]*' | sed 's/^[^-]*//' | sort -u
}
# roff_text PAGE: the source with escapes for '-' and fonts undone
roff_text() {
	sed 's/\\-/-/g; s/\\f[BIRP]//g' "$1"
}
# section PAGE NAME: the source of one .SH section
section() {
	roff_text "$1" | awk -v s=".SH $2" '$0 == s { on = 1; next } /^\.SH / { on = 0 } on'
}

if command -v groff >/dev/null; then
	for p in lockboxd.8 lockboxctl.1 lockbox.json.5; do
		out=$(LC_ALL=C.UTF-8 groff -man -ww -z "$M/$p" 2>&1)
		t_is "$?:$out" "0:" "$p renders without a warning (groff -man -ww)"
	done
else
	echo "# skip: groff is not installed (scripts/deps.sh installs it)"
fi

# lockboxd(8)
help=$("$D/lockboxd" --help | opts | tr '\n' ' ')
man=$(roff_text "$M/lockboxd.8" | opts | tr '\n' ' ')
t_is "$man" "$help" "lockboxd(8) has exactly the options of lockboxd --help"

# lockboxctl(1): commands, then the options of the tool and of every command
cmds_help=$("$D/lockboxctl" --help | awk '/^Commands:/ { on = 1; next } /^$/ { on = 0 }
	on { c = $1; if ($2 ~ /^[a-z]+$/) c = c " " $2; print c }' | sort -u)
cmds_man=$(section "$M/lockboxctl.1" COMMANDS | awk 'p == ".TP" { c = $1; if ($2 ~ /^[a-z]+$/) c = c " " $2; print c } { p = $0 }' | sort -u)
t_is "$(echo $cmds_man)" "$(echo $cmds_help)" "lockboxctl(1) has exactly the commands of lockboxctl --help"
help=$({
	"$D/lockboxctl" --help
	echo "$cmds_help" | while read -r c; do
		# shellcheck disable=SC2086 # "audit verify" is two words
		"$D/lockboxctl" $c --help
	done
} | opts | tr '\n' ' ')
man=$(roff_text "$M/lockboxctl.1" | opts | tr '\n' ' ')
t_is "$man" "$help" "lockboxctl(1) has exactly the options of lockboxctl and each command's --help"

# lockbox.json(5): the keys the parser knows (userspace/config.c)
keys_of() {
	awk -v a="$1" 'index($0, a "[] = {") { on = 1 } on { print } on && /};/ { exit }' \
		"$top/userspace/agent/core/config.c" | grep -oE '"[a-z_]+"' | tr -d '"' | sort -u | tr '\n' ' '
}
keys_man() {
	section "$M/lockbox.json.5" "$1" | awk 'p == ".TP" && $1 == ".B" { print $2 } { p = $0 }' |
		sort -u | tr '\n' ' '
}
t_is "$(keys_man 'TOP-LEVEL KEYS')" "$(keys_of top_keys)" "lockbox.json(5) has exactly the parser's top-level keys"
t_is "$(keys_man ZONES)" "$(keys_of zone_keys)" "lockbox.json(5) has exactly the parser's zone keys"

# the unit's Documentation= pages exist
for ref in $(sed -n 's/^Documentation=//p' "$top/systemd/lockboxd.service"); do
	page=$(echo "$ref" | sed 's/^man:\(.*\)(\(.\))$/\1.\2/')
	t_ok "the unit's $ref is in man/" [ -f "$M/$page" ]
done
t_done
