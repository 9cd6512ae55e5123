#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The userspace modules depend on each other without a cycle, and what both
# programs share depends on neither. A module is a file stem (x.c and x.h are
# one node); an edge is an `#include "y.h"` of another module's header. tsort
# names a loop when there is one. `sh test_layering.sh --edges` prints the
# graph ("from to" a line) for docs/architecture.md.
. "$(dirname "$0")/../vm/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
src=${LAYERING_SRC:-$top/userspace}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the headers of the tree: a stem a line
find "$src" -name '*.h' -printf '%f\n' | sed 's/\.h$//' | sort -u >"$tmp/headers"

# edges: "module included" for every quoted include of a tree header
for f in $(find "$src" -name '*.[ch]' | sort); do
	from=$(basename "$f" | sed 's/\.[ch]$//')
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)\.h".*/\1/p' "$f" |
		while read -r to; do
			to=$(basename "$to")
			[ "$to" != "$from" ] && grep -qx "$to" "$tmp/headers" && echo "$from $to"
		done
done | sort -u >"$tmp/edges"

if [ "$1" = "--edges" ]; then
	cat "$tmp/edges"
	exit 0
fi

t_ok "the include graph has edges ($(wc -l <"$tmp/edges") found)" test -s "$tmp/edges"
# every module a node, so a lone one is sorted too
awk '{print $1, $1; print $2, $2} 1' "$tmp/edges" >"$tmp/pairs"
loop=$(tsort "$tmp/pairs" 2>&1 >/dev/null)
t_is "$loop" "" "no cycle between modules (tsort reports no loop)"

# shared/ is used by both programs and includes neither's headers
find "$src/agent" "$src/ctl" -name '*.h' -printf '%f\n' 2>/dev/null | sort -u >"$tmp/program"
bad=""
for f in $(find "$src/shared" -name '*.[ch]' 2>/dev/null | sort); do
	for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
		grep -qx "$(basename "$h")" "$tmp/program" && bad="$bad ${f#"$src"/}:$h"
	done
done
t_is "$bad" "" "nothing under userspace/shared includes an agent or ctl header"

# the agent's commands see the agent through context.h only
bad=$(grep -l '"agent\.h"\|"agent_internal\.h"\|"server\.h"\|"loader\.h"' \
	"$src"/agent/requests/*.c "$src"/agent/kernel/events.c 2>/dev/null | sed "s|$src/||")
t_is "$bad" "" "workflow, queries and events include neither agent, server nor loader"
t_done
