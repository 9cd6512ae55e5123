# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --add tests/vm/agent_lib.sh
# lockbox-vm-kernels: 6.1
# The socket from a hostile or broken client: malformed JSON, wrong types,
# identity fields, NUL bytes, an oversized line, stalled and vanished clients.
# Each gets an error reply (or is dropped) and lockboxd keeps serving everyone
# else. Also the shape of status --json.
. /opt/extra/lib.sh
. /opt/extra/agent_lib.sh

pid=$(agent_pid)

# send USER: stdin to the socket as USER, the agent's reply lines on stdout
send() {
	runas "$1" rawsock -t 5 $SOCK
}

# t_invalid NAME USER LINE: LINE earns one error reply with code "invalid"
t_invalid() {
	printf '%s\n' "$3" | send "$2" >/tmp/reply
	t_is "$(jget ok </tmp/reply 2>/dev/null)" false "$1: error reply"
	t_is "$(jget error.code </tmp/reply 2>/dev/null)" invalid "$1: code invalid"
}

# test_well_formed_baseline: the helper and the socket work at all
printf '{"v":1,"cmd":"status"}\n' | send eng1 >/tmp/reply
t_is "$(jget ok </tmp/reply)" true "a well-formed status over the raw socket is answered ok"

# test_malformed
t_invalid "truncated JSON" eng1 '{"v":1,"cmd":'
t_invalid "not JSON at all" eng1 'hello lockboxd'
t_invalid "a JSON array, not an object" eng1 '[1,2,3]'
t_invalid "a JSON string" eng1 '"status"'
t_invalid "no protocol version" eng1 '{"cmd":"status"}'
t_invalid "an unknown protocol version" eng1 '{"v":99,"cmd":"status"}'
t_invalid "no cmd" eng1 '{"v":1}'
t_invalid "an unknown cmd" eng1 '{"v":1,"cmd":"format_disk"}'
t_invalid "a duplicated key" eng1 '{"v":1,"cmd":"status","cmd":"list"}'

# test_wrong_types
t_invalid "v as a string" eng1 '{"v":"1","cmd":"status"}'
t_invalid "cmd as a number" eng1 '{"v":1,"cmd":7}'
t_invalid "id as a string" eng1 '{"v":1,"cmd":"show","id":"1"}'
t_invalid "id negative" eng1 '{"v":1,"cmd":"show","id":-1}'
t_invalid "id as a float" eng1 '{"v":1,"cmd":"show","id":1.5}'
t_invalid "duration as a string" eng1 \
	'{"v":1,"cmd":"request","zone":"acme","reason":"maintenance on the volume","duration":"1h"}'
t_invalid "access not read or write" eng1 \
	'{"v":1,"cmd":"request","zone":"acme","reason":"maintenance on the volume","access":"root"}'
t_invalid "reason as an object" eng1 '{"v":1,"cmd":"request","zone":"acme","reason":{"a":1}}'
t_invalid "zone as null" eng1 '{"v":1,"cmd":"request","zone":null,"reason":"maintenance on the volume"}'
t_invalid "follow as a string" secops1 '{"v":1,"cmd":"audit","follow":"yes"}'
t_invalid "state unknown" eng1 '{"v":1,"cmd":"list","state":"everything"}'
t_invalid "an unknown field" eng1 '{"v":1,"cmd":"status","verbose":true}'
t_invalid "a required field missing (approve without id)" acme-admin '{"v":1,"cmd":"approve"}'
t_invalid "a reason with a control character" eng1 \
	'{"v":1,"cmd":"request","zone":"acme","reason":"maintenance\u001b[2J on the volume"}'
t_invalid "a reason with an escaped NUL" eng1 \
	'{"v":1,"cmd":"request","zone":"acme","reason":"maintenance\u0000 on the volume"}'

# test_identity_fields_refused: the caller is whoever SO_PEERCRED says
t_invalid "a request claiming a uid" user1 \
	'{"v":1,"cmd":"request","zone":"acme","reason":"maintenance on the volume","uid":2001}'
t_invalid "a request claiming a requester" user1 \
	'{"v":1,"cmd":"request","zone":"acme","reason":"maintenance on the volume","requester":"eng1"}'
t_is "$(ctl root list --state all --json | jget '#')" 0 "none of the bad messages filed a request"

# test_raw_nul_byte
printf '{"v":1,"cmd":"status"\0}\n' | send eng1 >/tmp/reply
t_is "$(jget ok </tmp/reply 2>/dev/null)" false "a raw NUL byte in the line: error reply"

# test_oversized_line: more than 64 KiB without a newline
head -c 70000 /dev/zero | tr '\0' a | send eng1 >/tmp/reply
rc=$?
t_is "$rc" 0 "an oversized line: the agent answers and hangs up (no timeout)"
t_is "$(head -1 /tmp/reply | jget ok 2>/dev/null)" false "an oversized line: error reply"
t_is "$(head -1 /tmp/reply | jget error.code 2>/dev/null)" invalid "an oversized line: code invalid"
# the same as one JSON line with a huge reason, newline-terminated
{
	printf '{"v":1,"cmd":"request","zone":"acme","reason":"'
	head -c 70000 /dev/zero | tr '\0' r
	printf '"}\n'
} | send eng1 >/tmp/reply
t_is "$(head -1 /tmp/reply | jget ok 2>/dev/null)" false "an oversized JSON request: error reply"
t_rc 0 "status still works after the oversized lines" eng1 status

# test_several_requests_on_one_connection
printf '{"v":1,"cmd":"status"}\n{"v":1,"cmd":"list"}\n' | send eng1 >/tmp/reply
t_is "$(wc -l </tmp/reply | tr -d ' ')" 2 "two request lines on one connection get two replies"
t_is "$(jget -l -a ok </tmp/reply | tr '\n' ' ')" "true true " "both replies are ok"
printf 'garbage\n{"v":1,"cmd":"status"}\n' | send eng1 >/tmp/reply
t_is "$(jget -l -a ok </tmp/reply | tr '\n' ' ')" "false true " \
	"a bad line does not spoil the next one on the same connection"

# test_stalled_and_idle_clients_do_not_block_others
printf '{"v":1,"cmd":' | runas eng2 rawsock -k -t 15 $SOCK >/dev/null &
i=0
while [ $i -lt 20 ]; do
	runas user1 rawsock -k -t 15 $SOCK </dev/null >/dev/null &
	i=$((i + 1))
done
sleep 2
# the clients by pid ($! of a background pipeline is not reliably its last process in ash)
clients=$(pidof rawsock)
stalled=
for p in $clients; do
	grep -q "^Uid:[[:space:]]*${ENG2}[[:space:]]" /proc/$p/status && stalled=$p
done
t_is "$(ls -l /proc/$stalled/fd 2>/dev/null | grep -c socket)" 1 "eng2 sits connected on half a line (setup)"
t_is "$(echo $clients | wc -w)" 21 "21 clients are connected (setup)"
t0=$(uptime_cs)
t_rc 0 "status works while a client sits on half a line and 20 sit idle" eng1 status
took=$(($(uptime_cs) - t0))
t_ok "and answers promptly (${took}0 ms)" [ $took -le 200 ]
id=$(request eng1 acme)
t_match "$id" '^[1-9][0-9]*$' "a request is filed meanwhile"
kill $clients 2>/dev/null
wait 2>/dev/null

# test_vanished_waiter: a wait whose client is gone, then the request decided
ctl eng1 wait $id >/dev/null &
w=$!
usleep 300000
kill $w
wait $w 2>/dev/null
t_rc 0 "approving a request whose waiter vanished works" acme-admin approve $id
t_rc 0 "the agent still answers after writing to a vanished waiter" eng1 show $id
ctl secops1 audit --follow --json >/dev/null &
f=$!
usleep 300000
kill $f
wait $f 2>/dev/null
t_rc 0 "revoke with a vanished follower works" acme-admin revoke $id
t_is "$(agent_pid)" "$pid" "lockboxd is the same process after all of the above"

# test_status_json
ctl eng1 status --json >/tmp/status.json
t_is "$?" 0 "status --json as an engineer exits 0"
t_is "$(jget @type </tmp/status.json)" object "status --json is an object"
t_is "$(jget mode </tmp/status.json)" enforce "status mode is enforce"
t_is "$(jget hooks.@type </tmp/status.json)" array "status hooks is an array"
t_match "$(jget hooks </tmp/status.json)" '"file_open"' "status hooks names file_open"
t_is "$(jget counts.@type </tmp/status.json)" object "status counts is an object"
t_is "$(jget counts.pending </tmp/status.json)" 0 "status counts no pending request"
t_is "$(jget counts.active </tmp/status.json)" 0 "status counts no active grant"
p=$(request eng2 globex)
t_is "$(ctl user1 status --json | jget counts.pending)" 1 "status counts a new pending request"
approve $p globex-admin
t_is "$(ctl user1 status --json | jget counts.active)" 1 "status counts it as active once approved"
t_rc 0 "status without --json exits 0" user1 status

t_done
