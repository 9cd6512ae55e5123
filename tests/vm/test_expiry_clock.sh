# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --add tests/vm/agent_lib.sh
# A grant's end in the kernel (boot clock) is never moved later by a sync, however
# the wall clock was stepped: not by a reload, not by a restart.
. /opt/extra/lib.sh
. /opt/extra/agent_lib.sh

# kexp ID: the kernel's expiry (boot-clock ns) of the grant of request ID
kexp() {
	guardctl grants | awk -v id="$1" '$3 == id { print $4 }'
}

# step SECONDS: moves the wall clock by SECONDS (negative: back)
step() {
	date -u -s "$(date -u -d "@$(($(date +%s) + $1))" '+%Y-%m-%d %H:%M:%S')" >/dev/null
}

# test_clock_stepped_back_does_not_extend_kernel_expiry
id=$(request eng1 acme --duration 1h)
approve $id
before=$(kexp $id)
t_match "$before" '^[0-9]+$' "the approved grant is in the kernel"
step -86400
agent_reload
after=$(kexp $id)
t_ok "a day back and a reload: the kernel expiry did not move later ($before -> $after)" \
	[ "$after" -le "$before" ]
agent_kill TERM
agent_start
after=$(kexp $id)
t_ok "and a restart: still not later ($before -> $after)" [ "$after" -le "$before" ]
t_is "$(as $ENG1 r $ACME/data.txt)" OK "the grant still opens the zone"
step 86400
t_done
