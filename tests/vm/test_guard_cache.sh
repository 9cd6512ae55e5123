# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --no-agent
# The guard's caches (loaded by guardctl, no agent): no cached verdict outlives
# the identity, the engineers set, the grant or the zones it was made for.
# Each check first makes the guard cache something, then changes what it
# depended on, and expects the very next operation to see the change.
. /opt/extra/lib.sh

guardctl load || { echo "not ok 1 - guard loads"; exit 1; }
guardctl engineer add $ENG1
guardctl engineer add $ENG2
guardctl zone add $ACME 1
guardctl zone add $GLOBEX 2
t_match "$(ls /sys/fs/bpf/lockbox/)" '^subjects$' "the subjects cache is pinned"

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

t_done
