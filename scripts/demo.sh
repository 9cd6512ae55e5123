# SPDX-License-Identifier: GPL-2.0-only
# The lockbox story, played in the guest with real users (make demo):
# eng1 is denied, asks, acme-admin is notified and approves, eng1 reads, the
# grant runs out in the kernel, eng1 is denied again, and the audit trail is
# printed and verified.
set -u
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
as() { # as USER CMD: run a shell command as USER, showing it
	printf '%s$ %s\n' "$1" "$2"
	su -s /bin/sh "$1" -c "$2"
}
fail() {
	echo "demo: $*" >&2
	exit 1
}

step "lockboxd is guarding this host"
lockboxctl status

step "eng1 (an operator engineer) has no standing access to customer data"
as eng1 "cat /srv/customers/acme/data.txt" && fail "eng1 read acme data without a grant"

step "eng1 asks for read access to zone acme for 20 seconds"
id=$(su -s /bin/sh eng1 -c "lockboxctl request acme --reason 'INC-4711: volume 3 reports checksum errors' --ticket INC-4711 --duration 20s --access read") ||
	fail "request failed"
echo "eng1\$ lockboxctl request acme --reason '...' --ticket INC-4711 --duration 20s  ->  request $id"
as eng1 "lockboxctl list"

step "acme's approvers were notified (the harness's notify command writes to /var/mail/outbox)"
sleep 1.5
sed -n '1,/^To deny/p' /var/mail/outbox

step "eng1 cannot approve their own request"
as eng1 "lockboxctl approve $id" && fail "the requester approved their own request"

step "acme-admin approves; the grant is in the kernel map when approve returns"
as acme-admin "lockboxctl approve $id --comment 'ok, read only, 20s'" || fail "approve failed"
as eng1 "cat /srv/customers/acme/data.txt" || fail "eng1 cannot read under the grant"
as eng1 "echo tamper >> /srv/customers/acme/rw.txt" && fail "a read grant allowed a write"
as eng1 "lockboxctl show $id"

step "the grant runs out: the kernel checks expiry itself, even with the agent stopped"
kill -STOP "$(pidof lockboxd)"
echo "(lockboxd is stopped; waiting for the grant to expire)"
sleep 21
as eng1 "cat /srv/customers/acme/data.txt" && fail "eng1 read after the grant expired"
kill -CONT "$(pidof lockboxd)"
sleep 2
as eng1 "lockboxctl show $id"

step "the audit trail, as the security team sees it"
as secops1 "lockboxctl audit"
as secops1 "lockboxctl audit verify" || fail "audit trail broken"
step "done: denied, requested, approved, read, expired in the kernel, denied again, all audited"
