# SPDX-License-Identifier: GPL-2.0-only
# Sourced by deps.sh and fresh-machine-test: the host's own Debian apt
# sources, so that lockbox fetches from the mirror the site already uses and
# names no host of its own.

# apt_host_entries: one line per enabled "deb" entry of the host's sources,
# in both formats (one-line .list and deb822 .sources):
#   URI SUITE SIGNED-BY COMPONENTS...   (SIGNED-BY is "-" when not given)
apt_host_entries() {
	local f etc=${APT_ETC:-/etc/apt}
	for f in "$etc/sources.list" "$etc"/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '
		/^[ \t]*deb[ \t]/ {
			sub(/^[ \t]*deb[ \t]+/, "")
			sb = "-"
			if ($0 ~ /^\[/) {
				opts = substr($0, 2, index($0, "]") - 2)
				$0 = substr($0, index($0, "]") + 1)
				n = split(opts, o, /[ \t]+/)
				for (i = 1; i <= n; i++)
					if (o[i] ~ /^signed-by=/) sb = substr(o[i], 11)
			}
			comps = ""
			for (i = 3; i <= NF; i++) comps = comps " " $i
			print $1, $2, sb comps
		}' "$f"
	done
	for f in "$etc"/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
		function flush(   u, s, nu, ns, i, j) {
			if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled !~ /^[Nn]o/) {
				nu = split(uris, u, /[ \t]+/)
				ns = split(suites, s, /[ \t]+/)
				for (i = 1; i <= nu; i++)
					for (j = 1; j <= ns; j++)
						if (u[i] != "" && s[j] != "")
							print u[i], s[j], (sb == "" ? "-" : sb), comps
			}
			types = uris = suites = comps = sb = enabled = ""
		}
		/^#/ { next }
		/^[ \t]*$/ { flush(); next }
		{
			key = tolower($1); sub(/:$/, "", key)
			val = $0; sub(/^[^:]*:[ \t]*/, "", val)
			if (key == "types") types = val
			else if (key == "uris") uris = val
			else if (key == "suites") suites = val
			else if (key == "components") comps = val
			else if (key == "signed-by" && val !~ /^$/) sb = val
			else if (key == "enabled") enabled = val
		}
		END { flush() }' "$f"
	done
}

# apt_debian_mirror CODENAME: the URI and Signed-By of the host's entry for
# the release CODENAME itself (its backports live on the same mirror)
apt_debian_mirror() {
	apt_host_entries | awk -v c="$1" '$2 == c { print $1, $3; exit }'
}

# apt_write_sources FILE CODENAME SUITE...: a deb822 file with SUITEs from
# the host's mirror for CODENAME; fails when the host has none
apt_write_sources() {
	local file=$1 codename=$2 uri sb
	shift 2
	read -r uri sb < <(apt_debian_mirror "$codename") || true
	if [ -z "${uri:-}" ]; then
		echo "apt: no Debian source for '$codename' in /etc/apt/sources.list{,.d}" >&2
		return 1
	fi
	{
		echo "Types: deb"
		echo "URIs: $uri"
		echo "Suites: $*"
		echo "Components: main"
		[ "$sb" = - ] || echo "Signed-By: $sb"
	} >"$file"
}
