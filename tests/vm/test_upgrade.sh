# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm-timeout: 600
# Upgrade and restart without a gap: the guard stays in the kernel while the
# agent is replaced, new programs take over from the old ones, grants survive.
# Also permissive mode, from the command line and from the config.
. /opt/extra/lib.sh

ctl() { # ctl USER ARGS...: lockboxctl as USER
	local u=$1
	shift
	su -s /bin/sh "$u" -c "lockboxctl $*"
}

start_agent() { # start_agent [ARGS]: a new lockboxd, wait until it answers
	lockboxd --foreground "$@" </dev/null >>/var/log/lockboxd.log 2>&1 &
	i=0
	until [ -S /run/lockbox/lockbox.sock ] && lockboxctl status >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt 1200 ] && return 1 # 120 s: a full load is slow under emulation, beside the loops
		usleep 100000
	done
}

id=$(ctl eng1 request acme --reason "'upgrade test: read access'" --duration 1h)
ctl acme-admin approve "$id" >/dev/null
t_is "$(as $ENG1 r $ACME/data.txt)" OK "eng1 reads under its grant before the upgrade"

# engineers keep trying all through the upgrade
: >/tmp/eng1.log
: >/tmp/eng2.log
(while [ ! -f /tmp/stop ]; do as $ENG1 r $ACME/data.txt >>/tmp/eng1.log; done) &
p1=$!
(while [ ! -f /tmp/stop ]; do as $ENG2 r $ACME/data.txt >>/tmp/eng2.log; done) &
p2=$!
sleep 1

guardctl links | sort >/tmp/links.before
guardctl stamp-other # the running programs are now another build's, as before an upgrade
kill -TERM "$(pidof lockboxd)"
sleep 1
t_is "$(pidof lockboxd)" "" "the old agent is gone"
t_is "$(as $ENG2 r $ACME/data.txt)" EACCES "with no agent running, eng2 is still denied"
t_is "$(as $ENG1 r $ACME/data.txt)" OK "with no agent running, eng1's grant still works"
t_ok "a new agent starts over the pinned guard" start_agent
guardctl links | sort >/tmp/links.after
sleep 1
touch /tmp/stop
wait $p1 $p2

t_is "$(wc -l </tmp/links.after)" "$(wc -l </tmp/links.before)" "every hook is still pinned"
t_is "$(grep -c missing /tmp/links.after)" 0 "no hook lost its link"
t_ok "the new agent's programs replaced the old ones (new program ids)" \
	sh -c '! cmp -s /tmp/links.before /tmp/links.after'
t_is "$(grep -vc '^EACCES$' /tmp/eng2.log)" 0 \
	"eng2 was denied on every try during the upgrade ($(wc -l </tmp/eng2.log) tries)"
t_is "$(grep -vc '^OK$' /tmp/eng1.log)" 0 \
	"eng1's grant held on every try during the upgrade ($(wc -l </tmp/eng1.log) tries)"
t_match "$(ctl eng1 show "$id")" "state: *approved" "the request is still approved after the upgrade"

# test_permissive_mode_from_the_command_line
kill -TERM "$(pidof lockboxd)"
sleep 1
t_ok "the agent starts in permissive mode" start_agent --permissive
t_match "$(lockboxctl status)" "mode: *permissive" "status says permissive"
t_is "$(as $ENG2 r $ACME/data.txt)" OK "permissive: eng2's would-be denial is allowed"
sleep 1.5
audit=$(ctl secops1 audit --json)
t_match "$audit" '"enforced": *false' "permissive: the would-be denial is audited as not enforced"
kill -TERM "$(pidof lockboxd)"
sleep 1
t_ok "the agent starts enforcing again" start_agent
t_match "$(lockboxctl status)" "mode: *enforce" "status says enforce"
t_is "$(as $ENG2 r $ACME/data.txt)" EACCES "enforce: eng2 is denied again"

# test_permissive_mode_from_the_config
kill -TERM "$(pidof lockboxd)"
sleep 1
sed 's/"request_ttl"/"permissive": true, "request_ttl"/' /etc/lockbox/lockbox.json >/tmp/perm.json
t_ok "permissive config is valid" lockboxd --check-config --config /tmp/perm.json
t_ok "the agent starts with the permissive config" start_agent --config /tmp/perm.json
t_is "$(as $ENG2 r $ACME/data.txt)" OK "permissive from the config: eng2 allowed"

t_done
