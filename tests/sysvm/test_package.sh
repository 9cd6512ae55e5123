#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs in the systemd guest (scripts/systemd-vm), after boot, as root: the
# package installed with dpkg -i, no config file (the embedded default), the
# unit started by systemd at boot with its real hardening.
# the guest suites' TAP helpers (t_is, t_match, as, t_done), installed by scripts/systemd-vm
. /usr/local/share/lockbox-test/lib.sh

echo "# systemd $(systemctl --version | head -1 | cut -d' ' -f2), kernel $(uname -r)"
t_is "$(systemctl is-active lockboxd)" active "dpkg -i + boot: lockboxd.service is active"
if ! systemctl is-active --quiet lockboxd; then
	systemctl status --no-pager lockboxd 2>&1 | sed 's/^/#   /'
	journalctl -u lockboxd -o cat --no-pager 2>&1 | tail -20 | sed 's/^/#   /'
fi
t_match "$(systemctl show -p StatusText --value lockboxd)" '^guarding /run/lockbox/lockbox.sock' \
	"its STATUS says what it guards"
t_is "$(as 2001 r $ACME/data.txt)" EACCES "an engineer is denied under the package's default config"
t_match "$(lockboxd --check-config 2>&1)" '^config OK: 1 zone' \
	"/etc/lockbox/lockbox.json (zones_from /srv/customers) passes --check-config"
cp /etc/lockbox/lockbox.json /tmp/lockbox.json.default
t_is "$(as 5001 r $ACME/data.txt)" OK "a non-engineer is not"
pid=$(systemctl show -p MainPID --value lockboxd)
t_is "$(awk '/^CapBnd/ { print $2 }' /proc/$pid/status)" 000000c0400000ef \
	"the agent runs with the unit's bounding set"
t_is "$(awk '/^NoNewPrivs/ { print $2 }' /proc/$pid/status)" 1 "and no_new_privs"

id=$(runas eng1 lockboxctl request acme --reason "disk full on node 3" 2>&1)
t_match "$id" '^[0-9]+$' "eng1 files a request through the socket"
t_match "$(runas acme-admin lockboxctl approve "$id" 2>&1)" approved "acme-admin approves it"
t_is "$(as 2001 r $ACME/data.txt)" OK "the grant made under the hardened unit opens the zone"
# the default notify command, sendmail -t (exim4), run by the confined agent
# under the unit's bounding set, hands the approval mail to the MTA
if [ -x /usr/sbin/exim4 ]; then
	n=0
	until grep -q ' <= .* P=local' /var/log/exim4/mainlog 2>/dev/null || [ $n -ge 50 ]; do
		sleep 0.2
		n=$((n + 1))
	done
	t_match "$(grep ' <= .* P=local' /var/log/exim4/mainlog 2>&1 | head -1)" ' <= .* U=root P=local' \
		"sendmail -t under the unit queued the approval mail (exim4 mainlog)"
	t_match "$(lockboxctl status 2>&1 | grep 'notifications queued')" ': 0$' \
		"the outbox is empty: the command succeeded"
	if ! grep -q ' <= .* P=local' /var/log/exim4/mainlog 2>/dev/null; then
		journalctl -u lockboxd -o cat --no-pager | grep -i notif | tail -5 | sed 's/^/#   /'
		tail -n 5 /var/log/exim4/mainlog /var/log/exim4/paniclog 2>&1 | sed 's/^/#   /'
	fi
fi

mkdir -p /srv/customers/globex && echo globex >/srv/customers/globex/data.txt
t_is "$(as 2002 r /srv/customers/globex/data.txt)" OK "a new customer directory is open before a reload"
systemctl reload lockboxd
sleep 1
t_is "$(as 2002 r /srv/customers/globex/data.txt)" EACCES "systemctl reload applies the new zone"
t_match "$(systemctl show -p StatusText --value lockboxd)" 'config reloaded' "STATUS says the reload applied"

t_match "$(journalctl -u lockboxd -o cat --no-pager | grep -c 'ready: guarding')" '^[1-9]' \
	"the agent's log is in the journal"
# a forced error: a config that does not parse, reloaded (the running config stays)
echo '{"zones": [' >/etc/lockbox/lockbox.json
systemctl reload lockboxd
cp /tmp/lockbox.json.default /etc/lockbox/lockbox.json
sleep 1
t_match "$(journalctl -u lockboxd -p err -o cat --no-pager)" 'reload: config: .*keeping the running config' \
	"journalctl -p err shows the forced error"
t_is "$(journalctl -u lockboxd -p err -o cat --no-pager | grep -c 'ready: guarding')" 0 \
	"and not the info lines"
t_is "$(journalctl -u lockboxd -p info -o cat --no-pager | grep -c '^<')" 0 \
	"the priority prefixes are taken by journald, not shown"
# the audit trail to a SIEM through rsyslog's imfile (docs/operations.md), across
# a logrotate rotation, and the metrics file node-exporter would scrape
PROM=/var/lib/prometheus/node-exporter
mkdir -p $PROM
cat >/etc/rsyslog.d/lockbox-audit.conf <<'EOT'
module(load="imfile")
input(type="imfile" File="/var/log/lockbox/audit.jsonl" Tag="lockbox-audit"
      Facility="authpriv" Severity="info" freshStartTail="off" reopenOnTruncate="on")
template(name="lockbox_line" type="string" string="%msg%\n")
if $programname == "lockbox-audit" then {
	action(type="omfile" file="/var/log/siem.jsonl" template="lockbox_line")
	stop
}
EOT
systemctl restart rsyslog
cat >/etc/lockbox/lockbox.json <<EOT
{"engineers": {"groups": ["engineers"]}, "security": {"groups": ["secops"]},
 "audit_log": "/var/log/lockbox/audit.jsonl", "metrics_file": "$PROM/lockbox.prom",
 "host": "stor-17",
 "zones": [{"name": "acme", "paths": ["/srv/customers/acme"], "approvers": {"groups": ["acme-admins"]}}]}
EOT
t_ok "lockboxd --check-config passes the config" lockboxd --check-config
systemctl restart lockboxd
t_is "$(systemctl is-active lockboxd)" active "restarted with audit_log and metrics_file"
t_is "$(stat -c %a /var/log/lockbox/audit.jsonl)" 640 "the audit file is 0640"
first=$(runas secops1 lockboxctl audit --json | grep -o '"seq": *[0-9]*' | tail -1 | tr -dc 0-9)
r1=$(runas eng1 lockboxctl request acme --reason "rotation test one" 2>&1)
runas acme-admin lockboxctl deny "$r1" --reason "not in the freeze window" >/dev/null 2>&1
as 2001 r $ACME/data.txt >/dev/null
logrotate -f /etc/logrotate.d/lockbox
t_ok "logrotate renamed the file and lockboxd made a new one" \
	sh -c 'sleep 1; [ -s /var/log/lockbox/audit.jsonl.1 ] && [ -e /var/log/lockbox/audit.jsonl ]'
r2=$(runas eng1 lockboxctl request acme --reason "rotation test two" 2>&1)
runas eng1 lockboxctl cancel "$r2" >/dev/null 2>&1
as 2002 r $ACME/data.txt >/dev/null
sleep 2
last=$(runas secops1 lockboxctl audit --json | grep -o '"seq": *[0-9]*' | tail -1 | tr -dc 0-9)
shipped() { grep -o '"seq":[0-9]*' /var/log/siem.jsonl | tr -dc '0-9\n' | awk -v f="$first" -v l="$last" '$1 > f && $1 <= l'; }
n=0
until [ "$(shipped | tail -1)" = "$last" ] || [ $n -ge 50 ]; do
	sleep 0.2
	n=$((n + 1))
done
t_is "$(shipped | tr '\n' ' ')" "$(seq $((first + 1)) $last | tr '\n' ' ')" \
	"rsyslog delivered every record after $first up to $last, in order, none twice, across the rotation"
t_is "$(grep -c '"host":"stor-17"' /var/log/siem.jsonl)" "$(wc -l </var/log/siem.jsonl | tr -d ' ')" \
	"every shipped record names its host"
t_ok "the metrics file is written" sh -c "sleep 2; [ -s $PROM/lockbox.prom ]"
out=$(promtool check metrics <$PROM/lockbox.prom 2>&1)
t_is "$?" 0 "promtool check metrics passes on it ($out)"
t_match "$(cat $PROM/lockbox.prom)" 'lockbox_requests\{state="denied"\} [1-9]' "it counts the denied request"
t_match "$(cat $PROM/lockbox.prom)" 'lockbox_access_denied_total\{zone="acme"\} [1-9]' \
	"and the engineers' denied opens in acme"
cp /tmp/lockbox.json.default /etc/lockbox/lockbox.json
systemctl restart lockboxd

systemctl stop lockboxd
t_is "$(systemctl is-active lockboxd)" inactive "systemctl stop stops the agent"
t_is "$(as 2002 r $ACME/data.txt)" EACCES "stopped: the pinned guard still denies"
t_is "$(as 2001 r $ACME/data.txt)" OK "stopped: the grant still works"
systemctl start lockboxd
t_is "$(systemctl is-active lockboxd)" active "systemctl start again"
t_is "$(runas eng1 lockboxctl show "$id" --json 2>&1 | grep -o '"state": *"[a-z]*"' | tr -d ' ')" \
	'"state":"approved"' "the restarted agent kept the grant"
systemctl restart lockboxd
t_is "$(systemctl is-active lockboxd)" active "systemctl restart"
t_is "$(as 2002 r $ACME/data.txt)" EACCES "after the restart engineers are still denied"

# test_upgrade_has_no_gap: reinstalling is dpkg's upgrade path (postinst restarts)
old=$(systemctl show -p MainPID --value lockboxd)
: >/tmp/tries
(while [ ! -f /tmp/stop ]; do as 2002 r $ACME/data.txt >>/tmp/tries; done) &
dpkg -i /var/cache/lockbox-test/lockbox.deb >/tmp/dpkg.out 2>&1
t_is "$?" 0 "dpkg -i over the installed package (an upgrade)"
touch /tmp/stop
wait
t_is "$(systemctl is-active lockboxd)" active "after the upgrade the agent runs"
t_is "$([ "$(systemctl show -p MainPID --value lockboxd)" != "$old" ] && echo new)" new \
	"the upgrade restarted it"
t_match "$(sort -u /tmp/tries | tr '\n' ' ')" '^EACCES $' \
	"every engineer access during the upgrade was denied ($(wc -l </tmp/tries) tries)"

# test_remove_leaves_the_guard_and_says_so
dpkg -r lockbox >/tmp/dpkg.out 2>&1
t_is "$?" 0 "dpkg -r lockbox"
t_is "$(systemctl is-active lockboxd)" inactive "remove stops the agent"
t_match "$(cat /tmp/dpkg.out)" 'STILL ENFORCING' "remove says loudly that the guard stays"
t_is "$(as 2002 r $ACME/data.txt)" EACCES "removed: the pinned guard still denies"

# test_purge_keeps_state_unless_asked
dpkg -P lockbox >/tmp/dpkg.out 2>&1
t_is "$?" 0 "dpkg -P lockbox"
t_match "$(cat /tmp/dpkg.out)" 'purge kept /var/lib/lockbox' "purge says what it kept"
t_is "$([ -f /var/lib/lockbox/lockbox.db ] && [ -d /sys/fs/bpf/lockbox ] && echo kept)" kept \
	"purge keeps the database and the pins"
dpkg -i /var/cache/lockbox-test/lockbox.deb >/dev/null 2>&1
t_is "$(systemctl is-active lockboxd)" active "a new install starts again on the kept state"
t_is "$(runas eng1 lockboxctl show "$id" --json 2>&1 | grep -o '"state": *"[a-z]*"' | tr -d ' ')" \
	'"state":"approved"' "and still knows the grant"
systemctl stop lockboxd
LOCKBOX_PURGE=yes dpkg -P lockbox >/tmp/dpkg.out 2>&1
t_is "$?" 0 "LOCKBOX_PURGE=yes dpkg -P lockbox"
t_is "$([ -e /var/lib/lockbox ] || [ -e /sys/fs/bpf/lockbox ] || echo gone)" gone \
	"asked to, purge removes the database and the pins"
# the kernel detaches a link whose last reference went with its pin a moment
# later (deferred on 6.12 and newer)
n=0
until [ "$(as 2002 r $ACME/data.txt)" = OK ] || [ $n -ge 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
t_is "$(as 2002 r $ACME/data.txt)" OK "and the guard is lifted"
t_done
