# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --add tests/vm/agent_lib.sh
# The request workflow end to end, with lockboxd started by the harness: an
# engineer is denied, files a request, an approver of the zone decides, and the
# kernel opens or closes the zone for that engineer only. Also deny, cancel,
# wait and the JSON shape of list/show.
. /opt/extra/lib.sh
. /opt/extra/agent_lib.sh

# test_engineer_denied_before_any_request
t_is "$(as $ENG1 r $ACME/data.txt)" EACCES "eng1 without a grant: read in acme is EACCES"

# test_request_prints_only_the_id
id=$(request eng1 acme --duration 1h --ticket INC-1)
t_is "$?" 0 "request exits 0"
t_match "$id" '^[1-9][0-9]*$' "request prints the new id alone on stdout"

# test_list_json_shape
ctl eng1 list --json >/tmp/list.json
t_is "$?" 0 "list --json as the requester exits 0"
t_is "$(jget @type </tmp/list.json)" array "list --json prints a JSON array"
t_is "$(jget -w id=$id '#' </tmp/list.json)" 1 "the requester's list holds the new request"
jget -w id=$id 0 </tmp/list.json >/tmp/req.json
t_is "$(jget state </tmp/req.json)" pending "a new request is pending"
t_is "$(jget zone </tmp/req.json)" acme "the request names its zone"
t_is "$(jget requester </tmp/req.json)" eng1 "the requester is the caller's user name (SO_PEERCRED)"
t_is "$(jget access </tmp/req.json)" read "access defaults to read"
t_is "$(jget reason </tmp/req.json)" "maintenance on the acme volume" "the reason is kept as given"
t_is "$(jget ticket </tmp/req.json)" INC-1 "the ticket is kept as given"
t_is "$(jget id.@type </tmp/req.json)" number "id is a JSON number"
t_match "$(jget created_at </tmp/req.json)" "$RFC3339_UTC" "created_at is RFC 3339 UTC"
t_match "$(jget expires_at </tmp/req.json)" "$RFC3339_UTC" "expires_at is RFC 3339 UTC"
t_is "$(jget -a id.@type </tmp/list.json | grep -c number)" "$(jget '#' </tmp/list.json)" \
	"every list entry has an id"

# test_show_as_requester
ctl eng1 show $id --json >/tmp/show.json
t_is "$?" 0 "show as the requester exits 0"
t_is "$(jget id </tmp/show.json)" "$id" "show --json is the request object"
t_is "$(jget state </tmp/show.json)" pending "show says pending"
t_rc 0 "show without --json prints text and exits 0" eng1 show $id
t_is "$(jget grant </tmp/show.json)" null "a pending request has no grant"

# test_approver_sees_pending
t_is "$(ctl acme-admin list --state pending --json | jget -w id=$id '#')" 1 \
	"the zone's approver lists the pending request"

# test_wait_blocks_until_approved
ctl eng1 wait $id >/tmp/wait.out &
wpid=$!
usleep 500000
t_ok "wait blocks while the request is pending" kill -0 $wpid
t_rc 0 "acme-admin approves" acme-admin approve $id --comment "go ahead"
wait $wpid
t_is "$?" 0 "wait exits 0 once the request is approved"
t_is "$(state $id eng1)" approved "an approved request shows state approved"
t_is "$(ctl eng1 list --state active --json | jget -w id=$id '#')" 1 \
	"list --state active holds the approved request"
t_rc 0 "wait on an already approved request exits 0 at once" eng1 wait $id --timeout 2s
t_is "$(field $id grant.active eng1)" true "show: the approved request's grant is active"
exp=$(field $id expires_at eng1)
now=$(date +%s)
left=$(($(epoch "$exp") - now))
t_ok "the grant lasts the asked hour (expires_at - now = ${left}s)" \
	[ "$left" -gt 3500 -a "$left" -le 3605 ]

# test_read_grant_opens_reads_only
t_is "$(as $ENG1 r $ACME/data.txt)" OK "approved read grant: eng1 reads in acme"
t_is "$(as $ENG1 r $ACME/reports/q1.txt)" OK "approved read grant: nested file readable"
t_is "$(as $ENG1 w $ACME/rw.txt)" EACCES "read grant: write still EACCES"
t_is "$(as $ENG2 r $ACME/data.txt)" EACCES "eng1's grant does not open acme for eng2"
t_is "$(as $ENG1 r $GLOBEX/data.txt)" EACCES "eng1's acme grant does not open globex"

# test_write_grant
wid=$(request eng1 acme --access write --duration 30m)
t_is "$(field $wid access)" write "a --access write request says write"
t_is "$(as $ENG1 w $ACME/rw.txt)" EACCES "write still EACCES while the write request is pending"
t_rc 0 "acme-admin approves the write request" acme-admin approve $wid
t_rc 0 "wait on the approved write request exits 0" eng1 wait $wid
t_is "$(as $ENG1 w $ACME/rw.txt)" OK "write grant (approved while a longer read grant is active): eng1 writes"
t_is "$(as $ENG1 r $ACME/data.txt)" OK "write grant: eng1 still reads"

# test_revoke_denies_at_once
t_rc 0 "acme-admin revokes the write grant" acme-admin revoke $wid --reason "done with it"
t_is "$(state $wid)" revoked "a revoked request shows state revoked"
t_is "$(field $wid grant.active)" false "show: a revoked request's grant is not active"
t_is "$(as $ENG1 w $ACME/rw.txt)" EACCES "after revoking the write grant, write is EACCES at once"
t_is "$(as $ENG1 r $ACME/data.txt)" OK "the separate read grant still reads"
t_rc 0 "acme-admin revokes the read grant" acme-admin revoke $id
t_is "$(as $ENG1 r $ACME/data.txt)" EACCES "after revoking every grant, read is EACCES at once"
t_rc 1 "revoking a revoked request is an error (1)" acme-admin revoke $id
t_is "$(ctl eng1 list --json | jget -w id=$id '#')" 0 \
	"the default list (pending and active) no longer holds the revoked request"

# test_deny
did=$(request eng1 acme)
t_rc 2 "deny without --reason is a usage error" acme-admin deny $did
t_is "$(state $did)" pending "a refused deny leaves the request pending"
t_rc 0 "acme-admin denies with a reason" acme-admin deny $did --reason "not during the freeze"
t_is "$(state $did)" denied "a denied request shows state denied"
t_rc 1 "wait on a denied request exits 1" eng1 wait $did
t_rc 1 "approving a denied request is an error (1)" acme-admin approve $did
t_is "$(as $ENG1 r $ACME/data.txt)" EACCES "a denied request opens nothing"

# test_cancel
cid=$(request eng1 acme)
t_rc 0 "the requester cancels their pending request" eng1 cancel $cid
t_is "$(state $cid)" cancelled "a cancelled request shows state cancelled"
t_rc 1 "wait on a cancelled request exits 1" eng1 wait $cid
t_rc 1 "approving a cancelled request is an error (1)" acme-admin approve $cid
t_rc 1 "cancelling twice is an error (1)" eng1 cancel $cid

# test_wait_timeout
tid=$(request eng1 acme)
t0=$(date +%s)
t_rc 1 "wait --timeout 2s on a pending request exits 1" eng1 wait $tid --timeout 2s
took=$(($(date +%s) - t0))
t_ok "wait --timeout 2s waited about 2 s (took ${took}s)" [ "$took" -ge 1 -a "$took" -le 6 ]
t_is "$(state $tid)" pending "a timed-out wait leaves the request pending"
ctl eng1 cancel $tid >/dev/null

# test_list_all_has_every_state
ctl eng1 list --state all --json >/tmp/all.json
for s in revoked denied cancelled; do
	t_ok "list --state all holds a $s request" [ "$(jget -w state=$s '#' </tmp/all.json)" -ge 1 ]
done
n=$(jget '#' </tmp/all.json)
for k in id state zone requester access reason created_at expires_at; do
	t_is "$(jget -a $k.@type </tmp/all.json | grep -vc null)" "$n" "every listed request has $k"
done
t_is "$(jget -a created_at </tmp/all.json | grep -vEc "$RFC3339_UTC")" 0 \
	"every created_at is RFC 3339 UTC"
t_is "$(jget -a expires_at </tmp/all.json | grep -vEc "$RFC3339_UTC")" 0 \
	"every expires_at is RFC 3339 UTC"

# test_duration_capped_by_max_duration (docs/protocol.md: capped by the agent, not refused)
lid=$(request eng2 globex --duration 1d)
t_match "$lid" '^[1-9][0-9]*$' "a request for longer than max_duration is accepted"
t_is "$(field $lid duration)" 14400 "its duration is capped to max_duration (4h)"
ctl globex-admin approve $lid >/dev/null
left=$(($(epoch "$(field $lid expires_at)") - $(date +%s)))
t_ok "its grant ends within max_duration (asked 1d, got ${left}s)" [ "$left" -le 14405 -a "$left" -gt 14000 ]
ctl globex-admin revoke $lid >/dev/null

t_done
