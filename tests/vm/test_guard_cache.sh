# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --no-agent
# The guard's caches (loaded by guardctl, no agent): no cached verdict outlives
# the identity, the engineers set, the grant or the zones it was made for.
# Each check first makes the guard cache something, then changes what it
# depended on, and expects the very next operation to see the change.
. /opt/extra/lib.sh

# show_events: what the collector read, for a failed check
show_events() {
	sed 's/^/#   event: /' /tmp/ev
	echo "#   opens: $(cat /tmp/opens 2>/dev/null)"
	guardctl counters | sed "s/^/#   counter: /"
}

guardctl load >/dev/null || { echo "not ok 1 - guard loads"; exit 1; }
guardctl engineer add $ENG1
guardctl engineer add $ENG2
guardctl zone add $ACME 1
guardctl zone add $GLOBEX 2
t_match "$(ls /sys/fs/bpf/lockbox/)" '^caches$' "the guard's caches are pinned"

# --- subjects cache: "not an engineer", by cred and login uid ---

# test_setresuid_to_engineer_after_cached_non_engineer
t_is "$(idswitch r $ACME/data.txt uid $ENG1 r $ACME/data.txt)" "OK EACCES " \
	"root reads a zone file, setresuid to an engineer: the next open is denied"
t_is "$(idswitch -u $USER1 r $ACME/data.txt r $ACME/data.txt)" "OK OK " \
	"a non-engineer's second open (cached) is allowed"
# test_seteuid_setfsuid_to_engineer
t_is "$(idswitch r $ACME/data.txt euid $ENG1 r $ACME/data.txt)" "OK EACCES " \
	"root reads a zone file, seteuid to an engineer: the next open is denied"
t_is "$(idswitch r $ACME/data.txt fsuid $ENG1 r $ACME/data.txt)" "OK EACCES " \
	"root reads a zone file, setfsuid to an engineer: the next open is denied"
# test_loginuid_write_after_cached_non_engineer (same cred, new login uid)
t_is "$(idswitch r $ACME/data.txt login $ENG1 r $ACME/data.txt)" "OK EACCES " \
	"root reads a zone file, then sets an engineer's login uid: the next open is denied"
# test_open_descriptor_after_setresuid
t_is "$(idswitch o $ACME/data.txt rd uid $ENG1 rd)" "OK OK EACCES " \
	"a descriptor read as root, then read after setresuid to an engineer: denied"
# test_root_engineer_never_cached
t_is "$(idswitch -l $ENG1 r $ACME/data.txt r $ACME/data.txt r /srv/public/readme.txt \
	r $ACME/data.txt)" "EACCES EACCES OK EACCES " \
	"root with an engineer's login uid: denied every time, whatever it read before"

# test_new_engineer_loses_cached_verdict
rm -f /tmp/go
idswitch -u $USER1 r $ACME/data.txt wait /tmp/go r $ACME/data.txt >/tmp/idswitch.out &
pid=$!
i=0
while ! grep -q OK /tmp/idswitch.out && [ $i -lt 100 ]; do
	usleep 100000
	i=$((i + 1))
done
guardctl engineer add $USER1
touch /tmp/go
wait $pid
t_is "$(cat /tmp/idswitch.out)" "OK EACCES " \
	"a running non-engineer made an engineer: its next open is denied"
guardctl engineer del $USER1
t_is "$(as $USER1 r $ACME/data.txt)" OK "removed from the engineers again: allowed"

# test_freed_cred_not_reused_as_non_engineer: creds are freed and their
# addresses reused all the time; an engineer must never land on a cached one
bad=0
i=0
while [ $i -lt 60 ]; do
	[ "$(as $USER1 r $ACME/data.txt)" = OK ] || bad=$((bad + 1))
	[ "$(as $ENG1 r $ACME/data.txt)" = EACCES ] || bad=$((bad + 1))
	[ "$(tryopen -u 0 -l $ENG2 r $ACME/data.txt)" = EACCES ] || bad=$((bad + 1))
	i=$((i + 1))
done
t_is "$bad" 0 "60 rounds of non-engineer, engineer and root-engineer processes: no verdict crossed"

# --- verdicts cache: an engineer's allowed access, by inode ---

# bgrun NAME WANT STEPS...: idswitch in the background until it has printed WANT, for a
# change made while it waits on /tmp/go-NAME
bgrun() {
	local name=$1 want=$2 i=0
	shift 2
	rm -f /tmp/go-$name
	idswitch "$@" >/tmp/out-$name &
	eval "pid_$name=$!"
	while [ "$(cat /tmp/out-$name 2>/dev/null)" != "$want" ] && [ $i -lt 100 ]; do
		usleep 100000
		i=$((i + 1))
	done
}
# fgdone NAME: let it go on and wait for it (in this shell: a job is not a subshell's)
fgdone() {
	touch /tmp/go-$1
	eval "wait \$pid_$1"
}

guardctl grant add $ENG1 1 r 3600 21
# test_revoked_grant_denies_cached_read_at_once
bgrun revread "OK OK OK " -u $ENG1 o $ACME/data.txt rd rd wait /tmp/go-revread rd
guardctl grant del $ENG1 1
fgdone revread
t_is "$(cat /tmp/out-revread)" "OK OK OK EACCES " \
	"reads on a descriptor (cached), grant revoked: the very next read is denied"
# test_revoked_grant_denies_cached_open_at_once
guardctl grant add $ENG1 1 r 3600 22
bgrun revopen "OK OK " -u $ENG1 r $ACME/data.txt r $ACME/data.txt wait /tmp/go-revopen \
	r $ACME/data.txt
guardctl grant del $ENG1 1
fgdone revopen
t_is "$(cat /tmp/out-revopen)" "OK OK EACCES " \
	"an inode opened twice (the second cached), grant revoked: the next open is denied"
# test_narrower_grant_denies_cached_write
guardctl grant add $ENG1 1 rw 3600 23
t_is "$(as $ENG1 rw $ACME/rw.txt)" OK "a read-write grant: read-write open allowed (cached)"
guardctl grant add $ENG1 1 r 3600 24
t_is "$(as $ENG1 rw $ACME/rw.txt)" EACCES "the grant narrowed to read: read-write open denied"
t_is "$(as $ENG1 r $ACME/rw.txt)" OK "and a read open allowed"
# test_expired_grant_denies_cached_read (the kernel's clock, no userspace action)
guardctl grant add $ENG1 1 r 3 25
bgrun expiry "OK OK OK " -u $ENG1 o $ACME/data.txt rd rd wait /tmp/go-expiry rd r $ACME/data.txt
sleep 4
fgdone expiry
t_is "$(cat /tmp/out-expiry)" "OK OK OK EACCES EACCES " \
	"a grant expires while its reads are cached: the next read and open are denied"
# test_rename_into_other_zone_denies_cached_read
guardctl grant add $ENG1 1 r 3600 26
echo moving >$ACME/moving.txt
bgrun rename "OK OK " -u $ENG1 o $ACME/moving.txt rd wait /tmp/go-rename rd
mv $ACME/moving.txt $GLOBEX/moving.txt
fgdone rename
t_is "$(cat /tmp/out-rename)" "OK OK EACCES " \
	"a cached file moved into a zone without a grant: the next read is denied"
rm -f $GLOBEX/moving.txt
# test_other_engineer_not_served_from_cache
t_is "$(as $ENG1 r $ACME/data.txt)$(as $ENG2 r $ACME/data.txt)" OKEACCES \
	"an inode cached for one engineer: another without a grant is denied"
# test_zone_removed_then_readded
guardctl zone del $ACME
guardctl zone add $ACME 1
t_is "$(as $ENG1 r $ACME/data.txt)" OK "zones reloaded: the grant still opens the zone"

# test_open_logged_once_per_inode_and_grant, the repeats counted
guardctl grant add $ENG1 1 r 3600 27
echo counted >$ACME/counted.txt
drain_events
guardctl events 3 3000 >/tmp/ev &
evpid=$!
idswitch -u $ENG1 r $ACME/counted.txt r $ACME/counted.txt r $ACME/counted.txt \
	r $ACME/counted.txt r $ACME/counted.txt >/tmp/opens
sync
echo 3 >/proc/sys/vm/drop_caches # the inode goes: its slot's count is recorded
wait $evpid
t_is "$(grep -c 'op=open verdict=allow.* grant=27 .*count=1 pid=[1-9]' /tmp/ev)" 1 \
	"five opens of one inode under one grant: one allowed-open record" || show_events
t_match "$(cat /tmp/ev)" 'op=open verdict=allow reason=grant uid=2001 .* grant=27 access=1 count=4 repeats pid=0 ' \
	"and one record of the four repeats, when the inode leaves the cache" || show_events

# test_write_open_after_read_opens_is_logged
guardctl grant add $ENG1 1 rw 3600 28
drain_events
guardctl events 4 3000 >/tmp/ev &
evpid=$!
idswitch -u $ENG1 r $ACME/rw.txt r $ACME/rw.txt >/dev/null
as $ENG1 rw $ACME/rw.txt >/dev/null
as $ENG1 rw $ACME/rw.txt >/dev/null
wait $evpid
t_is "$(grep -c 'op=open verdict=allow.* grant=28 access=1 count=1 pid=[1-9]' /tmp/ev) $(grep -c 'op=open verdict=allow.* grant=28 access=3 count=1 pid=[1-9]' /tmp/ev)" "1 1" \
	"a read open and a later read-write open of one file: each logged once" || show_events


# --- subjects cache: engineers, by cred and login uid, with the identity their grants use ---

guardctl grant add $ENG1 1 r 3600 29
# test_cached_engineer_keyed_by_login_uid_not_uid
t_is "$(idswitch -l $ENG2 uid $ENG1 r $ACME/data.txt r $ACME/data.txt r $ACME/data.txt)" \
	"EACCES EACCES EACCES " \
	"uid an engineer with a grant, login uid one without: denied every time (cached)"
t_is "$(idswitch -l $ENG1 uid $ENG2 r $ACME/data.txt r $ACME/data.txt o $ACME/data.txt rd rd)" \
	"OK OK OK OK OK " \
	"login uid an engineer with a grant, uid one without: allowed every time (cached)"
# test_cached_engineer_removed_goes_by_uid
bgrun engdel "OK OK OK " -l $ENG1 uid $ENG2 o $ACME/data.txt rd rd wait /tmp/go-engdel rd \
	r $ACME/data.txt
guardctl engineer del $ENG1
fgdone engdel
t_is "$(cat /tmp/out-engdel)" "OK OK OK EACCES EACCES " \
	"an engineer cached by login uid, removed from the engineers: the next read goes by the uid's grant"
guardctl engineer add $ENG1
# test_cached_engineer_removed_is_no_engineer
bgrun engdel2 "EACCES EACCES " -u $ENG2 r $ACME/data.txt r $ACME/data.txt wait /tmp/go-engdel2 \
	r $ACME/data.txt r $ACME/data.txt
t_is "$(cat /tmp/out-engdel2)" "EACCES EACCES " "an engineer without a grant: denied (cached)"
guardctl engineer del $ENG2
fgdone engdel2
t_is "$(cat /tmp/out-engdel2)" "EACCES EACCES OK OK " \
	"the same process removed from the engineers: its next open is no engineer's"
guardctl engineer add $ENG2
# test_cached_engineer_cred_change: a new cred is looked up again
t_is "$(idswitch -l $ENG1 o $ACME/data.txt rd rd uid $USER1 rd r $ACME/data.txt)" \
	"OK OK OK OK OK " "a cached engineer by login uid stays one after setresuid (grant: allowed)"
guardctl grant del $ENG1 1
t_is "$(idswitch -l $ENG1 r $ACME/data.txt uid $USER1 r $ACME/data.txt)" "EACCES EACCES " \
	"and without the grant, denied before and after setresuid"
# test_freed_cred_not_reused_as_engineer
guardctl grant add $ENG1 1 r 3600 30
bad=0
i=0
while [ $i -lt 40 ]; do
	[ "$(as $ENG1 r $ACME/data.txt)" = OK ] || bad=$((bad + 1))
	[ "$(as $ENG2 r $ACME/data.txt)" = EACCES ] || bad=$((bad + 1))
	[ "$(tryopen -u 0 -l $ENG2 r $ACME/data.txt)" = EACCES ] || bad=$((bad + 1))
	[ "$(as $USER1 r $ACME/data.txt)" = OK ] || bad=$((bad + 1))
	i=$((i + 1))
done
t_is "$bad" 0 "40 rounds of engineers with and without a grant and a non-engineer: no identity crossed"

# test_mixed_slot_is_a_miss: a cred shared by tasks of two login uids (fork, then a
# login uid write) can have two stores race on its slot and leave the engineer's
# (login uid, engineer) word beside the cred word of a no-engineer store.
# guardctl makes that state: the slot must read as a miss, never as no engineer.
bgrun mix "OK " -u 0 -l $ENG1 r $ACME/data.txt wait /tmp/go-mix r $ACME/data.txt
guardctl grant del $ENG1 1
n=$(guardctl subjects unmark $ENG1)
t_ok "the root engineer's cached slot, its cred word unmarked ($n)" [ "${n:-0}" -ge 1 ]
fgdone mix
t_is "$(cat /tmp/out-mix)" "OK EACCES " \
	"a no-engineer cred word beside an engineer's word: looked up again, the revoked grant denies"

# test_pinned_map_of_another_layout_named: a guard of another version left a
# map pinned whose layout this one's differs from; the load says which
guardctl unpin
guardctl pin-odd=grants
out=$(guardctl load 2>&1)
t_match "$out" "lockbox/grants was pinned by a guard of another lockbox version" \
	"a load over a pinned map of another layout is refused, naming the map"
rm -f /sys/fs/bpf/lockbox/grants

t_done
