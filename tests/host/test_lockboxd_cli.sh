#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# lockboxd's command line on the host: config checking, usage errors, and the
# one-line error on a kernel that refuses BPF LSM (the build machines' kernels do).
. "$(dirname "$0")/../vm/lib.sh"
D=${OUTPUT:-build}
LBD=$D/lockboxd
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/zone"
cat >"$tmp/good.json" <<EOT
{"socket": "$tmp/s.sock", "database": "$tmp/db.sqlite",
 "engineers": {"groups": ["root"]}, "notify": {"command": "/bin/cat"},
 "zones": [{"name": "z", "paths": ["$tmp/zone"], "approvers": {"users": ["root"]}}]}
EOT
sed 's/"approvers"/"approvrs"/' "$tmp/good.json" >"$tmp/typo.json"
sed "s|$tmp/zone|$tmp/nope|" "$tmp/good.json" >"$tmp/missing.json"

out=$("$LBD" --check-config --config "$tmp/good.json" 2>&1)
t_is "$?" 0 "--check-config accepts a valid config"
t_match "$out" "config OK: 1 zone" "--check-config says what it found"
out=$("$LBD" --check-config --config "$tmp/typo.json" 2>&1)
t_is "$?" 1 "--check-config refuses an unknown key"
t_match "$out" 'zones\[0\]\.approvrs' "the error names the unknown key"
out=$("$LBD" --check-config --config "$tmp/missing.json" 2>&1)
t_is "$?" 1 "--check-config refuses a zone path that does not exist"
t_match "$out" "zones\[0\]\.paths\[0\].*$tmp/nope" "the error names the key and the path"
# every error in the file at once, each named by its key path
cat >"$tmp/many.json" <<EOT
{"socket": "relative.sock", "request_ttl": "forever", "engineers": {"groups": ["root"]}, "bogus": 1,
 "zones": [{"name": "Bad Name", "paths": ["$tmp/zone"], "approvers": {"users": ["root"]}},
           {"name": "ok", "paths": ["$tmp/nope"], "approvers": {"users": ["root"]}}]}
EOT
out=$("$LBD" --check-config --config "$tmp/many.json" 2>&1)
t_is "$?" 1 "--check-config refuses a config with five errors"
t_match "$out" "bogus: unknown key" "the unknown key"
t_match "$out" "socket: \"relative.sock\" is not an absolute path" "the relative socket"
t_match "$out" "request_ttl: \"forever\" is not a duration" "the bad duration"
t_match "$out" "zones\[0\]\.name: \"Bad Name\" is not a zone name" "the bad zone name"
t_match "$out" "zones\[1\]\.paths\[0\]: $tmp/nope" "the second zone's missing path"
t_match "$out" "5 errors" "all five, not just the first"

# what start would fail on, every problem at once, each named by its key
cat >"$tmp/env.json" <<EOT
{"socket": "$tmp/s.sock", "database": "$tmp/db.sqlite",
 "engineers": {"users": ["no-such-user-lb"]}, "notify": {"command": "/nonexistent/sendmail -t"},
 "audit_log": "$tmp/no-dir/audit.jsonl",
 "zones": [{"name": "z", "paths": ["$tmp/zone"], "approvers": {"groups": ["no-such-group-lb"]}}]}
EOT
out=$("$LBD" --check-config --config "$tmp/env.json" 2>&1)
t_is "$?" 1 "--check-config refuses what start would fail on"
t_match "$out" "notify.command: cannot run '/nonexistent/sendmail'" "a notify command that does not exist"
t_match "$out" "audit_log: the directory of $tmp/no-dir/audit.jsonl does not exist" \
	"an audit_log in a missing directory"
t_match "$out" "engineers: names no existing user" "engineers who resolve to nobody"
t_match "$out" "zones\[0\]\.approvers: names no existing user" "approvers who resolve to nobody"
t_match "$out" "4 problems" "all four, not just the first"
sed 's|"/bin/cat"|"sh -c \\"exec cat\\""|' "$tmp/good.json" >"$tmp/shell.json"
"$LBD" --check-config --config "$tmp/shell.json" >/dev/null
t_is "$?" 0 "a notify command in shell syntax is left to the shell"
out=$("$LBD" --check-config --config "$tmp/absent.json" 2>&1)
t_is "$?" 1 "an explicit config file that does not exist is an error"
out=$("$LBD" --no-such-flag 2>&1)
t_is "$?" 2 "an unknown option is a usage error (exit 2)"

# This machine's kernel refuses BPF LSM programs: one clear line, exit 1.
out=$("$LBD" --foreground --config "$tmp/good.json" 2>&1)
status=$?
if [ -r /sys/kernel/security/lsm ] && grep -qw bpf /sys/kernel/security/lsm &&
	[ "$(id -u)" = 0 ] && [ "$status" = 0 ]; then
	echo "# this kernel runs BPF LSM: the refusal case is covered in the guest only"
else
	t_is "$status" 1 "a kernel that refuses BPF LSM: exit status 1"
	t_is "$(printf '%s\n' "$out" | wc -l)" 1 "a kernel that refuses BPF LSM: exactly one line"
	t_match "$out" "lsm=|EPERM|Operation not permitted|not active" \
		"the line names the cause and the fix"
fi
# Where bpffs is not mounted on /sys/fs/bpf, lockboxd mounts it before it loads
# (in a mount namespace of its own, so the host's mounts stay as they are).
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	out=$(unshare -m --propagation private sh -c '
		while umount /sys/fs/bpf 2>/dev/null; do :; done
		'"$LBD"' --foreground --config '"$tmp/good.json"' >/dev/null 2>&1
		stat -f -c %T /sys/fs/bpf')
	t_is "$out" bpf_fs "lockboxd mounts bpffs on /sys/fs/bpf where it is missing"
else
	echo "# not root or no mount namespaces: the bpffs mount is covered in the guest"
fi
t_done
