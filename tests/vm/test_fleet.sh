#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: host
# Signed approvals across a fleet (issue 12, docs/fleet.md): three guest boots
# play three hosts. stor-1 files a request for 'stor-*' and prints its statement;
# here, on the build machine (the approver's laptop), ssh-keygen makes the keys
# and signs it; stor-2 redeems it, and later revokes it with a signed
# revocation; db-1 refuses it. The guest half is fleet_guest.sh.
# Run by scripts/run-tests on the host with LOCKBOX_VM_KERNEL set.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
fail=0

t() { # t STATUS NAME
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi
}

# boot ROLE: one guest as ROLE with the files made so far; its TAP is renumbered into ours
boot() {
	local role=$1 adds=() f
	for f in "$work"/keys.env "$work"/*.json "$work"/*.sig; do
		[ -e "$f" ] && adds+=(--add "$f")
	done
	LOCKBOX_VM_NO_BUILD=1 "$top"/scripts/lockbox-vm run --add "$top"/tests/vm/lib.sh \
		--add "$top"/tests/vm/agent_lib.sh "${adds[@]}" "$top"/tests/vm/fleet_guest.sh "$role" \
		>"$work/$role.log" 2>&1
	echo $? >"$work/$role.rc"
	while IFS= read -r line; do
		case $line in
		"ok "*) t 0 "${line#* - }" ;;
		"not ok "*) t 1 "${line#* - }" ;;
		"#"*) echo "$line" ;;
		esac
	done < <(tr -d '\r' <"$work/$role.log")
}

# take NAME FILE: the "##NAME TEXT" line of stor-1's output, as FILE with its newline
take() {
	tr -d '\r' <"$work/stor-1.log" | sed -n "s/^##$1 //p" | head -1 >"$work/$2"
	[ -s "$work/$2" ]
}

sign() { # sign KEY FILE [OUT]: ssh-keygen -Y sign, as the approver does
	rm -f "$work/$2.sig"
	ssh-keygen -q -Y sign -f "$work/$1" -n lockbox "$work/$2" </dev/null 2>>"$work/kg.err" &&
		{ [ -z "${3:-}" ] || mv "$work/$2.sig" "$work/$3"; }
}

for k in appr globex sec other; do
	ssh-keygen -q -t ed25519 -N '' -C "$k@laptop" -f "$work/$k" </dev/null 2>>"$work/kg.err"
done
t $? "the approvers' keys, made with ssh-keygen on the build machine"
{
	echo "APPR_PUB='$(cut -d' ' -f1,2 "$work/appr.pub")'"
	echo "GLOBEX_PUB='$(cut -d' ' -f1,2 "$work/globex.pub")'"
	echo "SEC_PUB='$(cut -d' ' -f1,2 "$work/sec.pub")'"
} >"$work/keys.env"

boot stor-1
take STATEMENT s.json
t $? "stor-1 printed the statement"
take LATE late.json
t $? "stor-1 printed the second statement"
sign globex s.json globex.sig && sign appr s.json
t $? "acme-admin signs the statement on the build machine (and globex's key too)"
sed 's/maintenance on/maintenance of/' "$work/s.json" >"$work/edited.json"
cmp -s "$work/s.json" "$work/edited.json"
t $(($? == 1 ? 0 : 1)) "a copy with one byte of the reason edited"
sign appr late.json
t $? "acme-admin signs the second statement"
sid=$(sed -n 's/.*"statement":"\([^"]*\)".*/\1/p' "$work/s.json")
eng=$(sed -n 's/.*"engineer":"\([^"]*\)".*/\1/p' "$work/s.json")
printf '{"engineer":"%s","statement":"%s","type":"lockbox.revocation","v":1,"zone":"acme"}\n' \
	"$eng" "$sid" >"$work/rev.json"
sign other rev.json rev-bad.sig && sign sec rev.json
t $? "security signs the revocation of statement $sid (and an untrusted key does)"
boot stor-2
boot db-1
for role in stor-1 stor-2 db-1; do
	[ "$(cat "$work/$role.rc")" = 0 ]
	t $? "the $role guest passed"
done
echo "1..$n"
[ $fail = 0 ]
