#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# scripts/lib/apt-sources.sh: deps.sh takes its mirror from the host's own apt
# sources, in both formats, and names no host of its own.
. "$(dirname "$0")/../vm/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

entries() { APT_ETC=$1 bash -c ". '$top/scripts/lib/apt-sources.sh'; apt_host_entries"; }
write() { APT_ETC=$1 bash -c ". '$top/scripts/lib/apt-sources.sh'; apt_write_sources /dev/stdout bookworm bookworm-backports" 2>&1; }

mkdir -p "$tmp/one/sources.list.d"
cat >"$tmp/one/sources.list" <<'EOT'
# deb http://commented.example/debian bookworm main
deb [arch=amd64 signed-by=/k/site.gpg] http://mirror.site.example/debian bookworm main contrib
deb http://mirror.site.example/debian-security bookworm-security main
EOT
out=$(entries "$tmp/one")
t_is "$(echo "$out" | wc -l)" 2 "one-line format: each enabled deb line is an entry, comments are not"
t_match "$out" '^http://mirror.site.example/debian bookworm /k/site.gpg main contrib$' \
	"one-line format: URI, suite, signed-by and components are read"
out=$(write "$tmp/one")
t_match "$out" 'URIs: http://mirror.site.example/debian$' "backports come from the release's own mirror"
t_match "$out" 'Suites: bookworm-backports' "the written source is for backports"
t_match "$out" 'Signed-By: /k/site.gpg' "the mirror's key is kept"

mkdir -p "$tmp/822/sources.list.d"
cat >"$tmp/822/sources.list.d/site.sources" <<'EOT'
Types: deb deb-src
URIs: http://other.site.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://off.example/debian
Suites: bookworm
Components: main
Enabled: no
EOT
out=$(entries "$tmp/822")
t_is "$(echo "$out" | wc -l)" 2 "deb822 format: one entry per suite, disabled stanzas left out"
out=$(write "$tmp/822")
t_match "$out" 'URIs: http://other.site.example/debian$' "deb822 format: the mirror is the host's"

mkdir -p "$tmp/none/sources.list.d"
out=$(write "$tmp/none")
t_match "$out" "no Debian source for 'bookworm'" "no source for the release: an error that says so"

t_is "$(grep -rlE 'https?://[a-z]' "$top/scripts/deps.sh" "$top/scripts/lib" | wc -l)" 0 \
	"deps.sh names no mirror host of its own"
t_done
