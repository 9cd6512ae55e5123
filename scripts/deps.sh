#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Installs what building and testing lockbox needs, and fetches the guest
# kernels into build/cache/ (never into the host's /boot). Idempotent.
set -euo pipefail

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${LOCKBOX_CACHE:-$top/build/cache}

pkgs=(make gcc git clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libsqlite3-dev
      libjansson-dev libssl-dev libcap-dev pkg-config busybox-static cpio
      e2fsprogs xz-utils clang-format libclang-rt-14-dev sqlite3 kmod)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done

backports=/etc/apt/sources.list.d/lockbox-backports.list
need_update=0
if [ ! -f "$backports" ] && ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee "$backports" >/dev/null
	need_update=1
fi

export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ] || [ $need_update = 1 ]; then
	$SUDO apt-get update -q
	if [ ${#missing[@]} -gt 0 ]; then
		$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
	fi
fi

# qemu 7.2 (Debian 12) crashes the 6.12 guest at random under software
# emulation; bookworm-backports' qemu does not.
qemu_major=$(qemu-system-x86_64 --version 2>/dev/null | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
if [ "${qemu_major:-0}" -lt 8 ]; then
	[ $need_update = 1 ] || $SUDO apt-get update -q
	need_update=1
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
		-t bookworm-backports qemu-system-x86
fi

# fetch_kernel NAME [APT-ARGS...]: the cloud kernel image and its modules,
# extracted under $cache/NAME.
fetch_kernel() {
	local name=$1
	shift
	local dir=$cache/kernel-$name
	[ -f "$dir/ok" ] && return 0
	rm -rf "$dir"
	mkdir -p "$dir/dl"
	(
		cd "$dir/dl"
		apt-get download "$@" linux-image-cloud-amd64 >/dev/null
		local dep
		dep=$(dpkg-deb -f linux-image-cloud-amd64_*.deb Depends | tr ',' '\n' |
		      grep -o 'linux-image-[0-9][^ ]*-cloud-amd64' | head -1)
		apt-get download "$@" "$dep" >/dev/null
		dpkg-deb -x "$dep"_*.deb ../root
	)
	rm -rf "$dir/dl"
	touch "$dir/ok"
	echo "deps: guest kernel $name in $dir"
}

if [ ! -f "$cache/kernel-6.1/ok" ] || [ ! -f "$cache/kernel-6.12/ok" ]; then
	[ $need_update = 1 ] || $SUDO apt-get update -q >/dev/null
	fetch_kernel 6.1 -t bookworm
	fetch_kernel 6.12 -t bookworm-backports
fi
