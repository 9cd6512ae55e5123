#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# `make deb` builds the lockbox package from the tree; it holds the expected
# files, with the logrotate snippet as its one conffile; lintian reports no
# error and no warning; the maintainer scripts parse; and `make install` puts
# the same files in the same places. The slow suite of the host ones (~30 s).
. "$(dirname "$0")/../vm/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
D=${OUTPUT:-build}
for t in dpkg-buildpackage dh lintian fakeroot; do
	if ! command -v $t >/dev/null; then
		echo "# skip: $t is not installed (scripts/deps.sh installs it)"
		t_done
		exit 0
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$top" || exit 1

out=$(make --no-print-directory deb 2>&1)
t_is "$?" 0 "make deb builds the package"
deb=$(ls "$D"/lockbox_*_*.deb 2>/dev/null | grep -v dbgsym | tail -1)
t_ok "make deb copies the package into $D/" [ -f "$deb" ]
[ -f "$deb" ] || { echo "$out" | tail -20 | sed 's/^/# /'; t_done; exit 1; }

dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print "/" $6 }' | sort >"$tmp/files"
cat >"$tmp/want" <<EOT
/etc/lockbox/lockbox.json
/etc/logrotate.d/lockbox
/lib/systemd/system/lockboxd.service
/usr/bin/lockboxctl
/usr/sbin/lockboxd
/usr/share/bash-completion/completions/lockboxctl
/usr/share/doc/lockbox/changelog.gz
/usr/share/doc/lockbox/copyright
/usr/share/doc/lockbox/examples/lockbox.json
/usr/share/man/man1/lockboxctl.1.gz
/usr/share/man/man5/lockbox.json.5.gz
/usr/share/man/man8/lockboxd.8.gz
EOT
t_is "$(cat "$tmp/files")" "$(cat "$tmp/want")" "the package holds exactly the expected files"
t_is "$(dpkg-deb --ctrl-tarfile "$deb" | tar xO ./conffiles | sort | tr '\n' ' ')" \
	"/etc/lockbox/lockbox.json /etc/logrotate.d/lockbox " \
	"the default config and the logrotate snippet are conffiles"
t_is "$(dpkg-deb --fsys-tarfile "$deb" | tar xO ./etc/lockbox/lockbox.json)" "$(cat "$top/config/lockbox.json")" \
	"the default config is config/lockbox.json"
t_match "$(dpkg-deb -f "$deb" Depends)" 'libsystemd0' "Depends comes from the binaries' libraries"
unit=$(dpkg-deb --fsys-tarfile "$deb" | tar xO ./lib/systemd/system/lockboxd.service)
t_match "$unit" '^ExecStart=/usr/sbin/lockboxd --foreground' "the packaged unit runs /usr/sbin/lockboxd"
ctl=$tmp/ctl
mkdir -p "$ctl"
dpkg-deb -e "$deb" "$ctl"
for s in postinst prerm postrm; do
	t_ok "$s parses (sh -n)" sh -n "$ctl/$s"
done
t_match "$(cat "$ctl/postinst")" "deb-systemd-invoke \\\$_dh_action 'lockboxd.service'" \
	"postinst starts the unit, and restarts it on upgrade"
t_match "$(grep -c 'deb-systemd-invoke stop' "$ctl/prerm")" '^1$' "prerm stops the agent on remove only"
t_match "$(cat "$ctl/postrm")" 'STILL ENFORCING' "postrm says loudly that the guard stays"
t_match "$(cat "$ctl/postrm")" 'LOCKBOX_PURGE:-}" = yes' "purge removes state and pins only when asked"

lintian --tag-display-limit 0 "$deb" >"$tmp/lintian" 2>&1
t_is "$(grep -c '^E:' "$tmp/lintian")" 0 "lintian: no error"
t_is "$(grep -c '^W:' "$tmp/lintian")" 0 "lintian: no warning"
grep -E '^[EW]:' "$tmp/lintian" | sed 's/^/#   /'

# make install: the same files as the package, in the same places
make --no-print-directory install DESTDIR="$tmp/root" PREFIX=/usr UNITDIR=/lib/systemd/system \
	>/dev/null 2>&1
t_is "$?" 0 "make install DESTDIR=… PREFIX=/usr"
(cd "$tmp/root" && find . -type f | sed 's/^\.//' | sort) >"$tmp/installed"
t_is "$(cat "$tmp/installed")" \
	"$(sed 's/\.gz$//' "$tmp/want" | grep -v '^/usr/share/doc/lockbox/c' | sort)" \
	"make install installs the package's files (less dpkg's changelog and copyright)"
echo '{"zones": []}' >"$tmp/root/etc/lockbox/lockbox.json"
make --no-print-directory install DESTDIR="$tmp/root" PREFIX=/usr >/dev/null 2>&1
t_is "$(cat "$tmp/root/etc/lockbox/lockbox.json")" '{"zones": []}' \
	"make install again keeps an admin's own config"
make --no-print-directory install DESTDIR="$tmp/local" >/dev/null 2>&1
t_match "$(cat "$tmp/local/usr/local/lib/systemd/system/lockboxd.service")" \
	'ExecStart=/usr/local/sbin/lockboxd --foreground' \
	"with the default PREFIX the unit runs /usr/local/sbin/lockboxd"
t_done
