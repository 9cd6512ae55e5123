#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# completion/lockboxctl offers exactly what lockboxctl --help lists: the
# commands, and for each command its options (plus --help), and the values of
# --state and --access.
. "$(dirname "$0")/../vm/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
D=${OUTPUT:-build}
if [ -r /usr/share/bash-completion/bash_completion ]; then
	. /usr/share/bash-completion/bash_completion
else
	echo "# bash-completion is not installed: a stand-in _init_completion"
	_init_completion() {
		words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
		cur=${words[cword]} prev=${words[cword - 1]}
	}
	_filedir() { :; }
fi
. "$top/completion/lockboxctl"

# complete WORDS...: what completing the last word offers, sorted, on one line
complete_line() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_lockboxctl lockboxctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort -u | tr '\n' ' '
}
opts() {
	grep -oE '(^|[^A-Za-z0-9-])--[A-Za-z][A-Za-z-]*' | sed 's/^[^-]*//' | sort -u | tr '\n' ' '
}

cmds=$("$D/lockboxctl" --help | awk '/^Commands:/ { on = 1; next } /^$/ { on = 0 } on { print $1 }' | sort -u)
t_is "$(complete_line lockboxctl '')" "$(echo "$cmds" | tr '\n' ' ')" "the commands are those of lockboxctl --help"
t_is "$(complete_line lockboxctl --)" "$("$D/lockboxctl" --help | awk '/^Options:/ { on = 1 } on' | opts)" \
	"the global options are those of lockboxctl --help"
for c in $cmds; do
	t_is "$(complete_line lockboxctl $c x --)" "$( ("$D/lockboxctl" $c --help | grep -v "^usage:"; echo --help) | opts)" \
		"$c: its options are those of lockboxctl $c --help"
done
t_is "$(complete_line lockboxctl audit verify --)" "$( ("$D/lockboxctl" audit verify --help | grep -v "^usage:"; echo --help) | opts)" \
	"audit verify: its options are those of lockboxctl audit verify --help"
t_is "$(complete_line lockboxctl audit '')" "verify " "audit offers verify"
t_is "$(complete_line lockboxctl list --state '')" "active all pending " "--state offers its values"
t_is "$(complete_line lockboxctl request acme --access w)" "write " "--access offers read and write"
t_is "$(complete_line lockboxctl --socket /tmp/s.sock statu)" "status " "a command after --socket PATH"
t_done
