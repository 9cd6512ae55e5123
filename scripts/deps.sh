#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Installs what building and testing lockbox needs, and fetches the guest
# kernels into build/cache/ (never into the host's /boot). Idempotent: on a
# machine already set up it touches no package. Extra arguments are more
# packages to install in the same apt run (.ci/run adds mmdebstrap).
#
# Guest kernels: 6.1 (bookworm), 6.12 (bookworm-backports) and "latest"
# (trixie-backports, fetched with a private apt configuration under
# build/cache, so the host's own sources stay as they are).
set -euo pipefail

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${LOCKBOX_CACHE:-$top/build/cache}
# shellcheck source=scripts/lib/apt-sources.sh
. "$top/scripts/lib/apt-sources.sh"
export DEBIAN_FRONTEND=noninteractive

pkgs=(make gcc git clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libsqlite3-dev
      libjansson-dev libssl-dev libcap-dev libsystemd-dev pkg-config groff-base groff bash-completion logrotate
      dpkg-dev debhelper lintian fakeroot busybox-static cpio
      e2fsprogs xz-utils zstd clang-format libclang-rt-14-dev sqlite3 kmod openssh-client systemd
      ca-certificates "$@")

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done

# qemu 7.2 (Debian 12) crashes the 6.12 guest at random under software
# emulation; bookworm-backports' qemu does not. The probe must not fail
# where qemu is not installed yet (every fresh machine).
qemu_major=0
if command -v qemu-system-x86_64 >/dev/null; then
	qemu_major=$(qemu-system-x86_64 --version | sed -n '1s/.*version \([0-9]*\)\..*/\1/p')
fi
need_qemu=0
[ "${qemu_major:-0}" -ge 8 ] || need_qemu=1

need_kernels=0
for k in 6.1 6.12 latest; do
	[ -f "$cache/kernel-$k/ok" ] || need_kernels=1
done
[ -x "$cache/promtool/promtool" ] || need_kernels=1 # fetched with the kernels

# bookworm-backports from the mirror the host already uses for its release
backports=/etc/apt/sources.list.d/lockbox-backports.sources
need_update=0
if [ $need_qemu = 1 ] || [ $need_kernels = 1 ]; then
	if ! apt_host_entries | awk -v s="$codename-backports" '$2 == s { f = 1 } END { exit !f }'; then
		tmp=$(mktemp)
		apt_write_sources "$tmp" "$codename" "$codename-backports"
		$SUDO install -m 0644 "$tmp" "$backports"
		rm -f "$tmp"
		echo "deps: added $codename-backports from the host's mirror in $backports"
		need_update=1
	fi
fi

if [ ${#missing[@]} -gt 0 ] || [ $need_qemu = 1 ] || [ $need_update = 1 ] || [ $need_kernels = 1 ]; then
	$SUDO apt-get update -q
fi
if [ ${#missing[@]} -gt 0 ]; then
	$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if [ $need_qemu = 1 ]; then
	$SUDO apt-get install -y -q --no-install-recommends -t "$codename-backports" qemu-system-x86
fi

# fetch_kernel NAME [APT-ARGS...]: the cloud kernel image and its modules,
# extracted under $cache/kernel-NAME. The metapackage's dependencies are
# followed: linux-image-VER up to 6.12, and from 7.x linux-image-VER split
# into linux-binary-VER (the image), linux-modules-VER and linux-base-VER.
fetch_kernel() {
	local name=$1
	shift
	local dir=$cache/kernel-$name
	[ -f "$dir/ok" ] && return 0
	rm -rf "$dir"
	mkdir -p "$dir/dl"
	(
		cd "$dir/dl"
		local todo=(linux-image-cloud-amd64) p deb
		while [ ${#todo[@]} -gt 0 ]; do
			p=${todo[0]}
			todo=("${todo[@]:1}")
			apt-get download "$@" "$p" >/dev/null
			deb=$(ls "${p}"_*.deb)
			dpkg-deb -x "$deb" ../root
			# shellcheck disable=SC2207
			todo+=($(dpkg-deb -f "$deb" Depends | tr ',|' '\n\n' |
				grep -oE '^ *linux-(image|binary|modules|base)-[0-9][^ ]*-cloud-amd64' | tr -d ' ' || true))
		done
	)
	rm -rf "$dir/dl"
	# up to 6.12 the image is /boot/vmlinuz-VER, from 7.x /usr/lib/modules/VER/vmlinuz
	if [ -z "$(find "$dir/root" -name 'vmlinuz*' -type f | head -1)" ]; then
		echo "deps: no kernel image in the $name packages" >&2
		return 1
	fi
	touch "$dir/ok"
	echo "deps: guest kernel $name ($(basename "$(find "$dir"/root/{,usr/}lib/modules -mindepth 1 -maxdepth 1 -type d 2>/dev/null | head -1 || true)")) in $dir"
}

# private_apt SUITE: apt options for a sources file and lists of our own
# under $cache/apt-SUITE, updated once; the host's apt state is not touched
private_apt() {
	local d=$cache/apt-$1
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	apt_write_sources "$d/sources.sources" "$codename" "$1" >&2
	# deb822 needs the .sources name: point sourceparts at a folder holding it
	mkdir -p "$d/parts"
	cp "$d/sources.sources" "$d/parts/lockbox.sources"
	echo "-o Dir::Etc::sourcelist=/dev/null -o Dir::Etc::sourceparts=$d/parts" \
	     "-o Dir::State::Lists=$d/lists -o Dir::Cache=$d/cache" \
	     "-o APT::Sandbox::User=root"
}

sandbox=(-o APT::Sandbox::User=root)
fetch_kernel 6.1 "${sandbox[@]}" -t "$codename"
fetch_kernel 6.12 "${sandbox[@]}" -t "$codename-backports"
if [ ! -f "$cache/kernel-latest/ok" ]; then
	# shellcheck disable=SC2207 # options are single words
	opts=($(private_apt trixie-backports))
	apt-get "${opts[@]}" update -q >/dev/null
	fetch_kernel latest "${opts[@]}"
fi

# promtool (checks the metrics file), taken out of Debian's prometheus package
# without installing it: the package would start a Prometheus server on the host.
if [ ! -x "$cache/promtool/promtool" ]; then
	rm -rf "$cache/promtool" && mkdir -p "$cache/promtool/dl"
	(cd "$cache/promtool/dl" && apt-get download "${sandbox[@]}" prometheus >/dev/null &&
		dpkg-deb -x prometheus_*.deb root)
	mv "$cache/promtool/dl/root/usr/bin/promtool" "$cache/promtool/promtool"
	rm -rf "$cache/promtool/dl"
	echo "deps: promtool $("$cache/promtool/promtool" --version 2>&1 | sed -n '1s/^promtool, version \([^ ]*\).*/\1/p') in $cache/promtool"
fi
