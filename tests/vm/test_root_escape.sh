# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --add tests/vm/agent_lib.sh --add tests/vm/bypass_lib.sh
# A root engineer (root whose loginuid is eng1's) cannot get out from under the
# guard: shed the identity, move or cover a zone or lockbox's paths, plant code
# lockbox runs, change the identity sources, use another user's terminal, or
# step the clock. Each refusal has a control done by plain root or a non-zone path.
. /opt/extra/lib.sh
. /opt/extra/agent_lib.sh
. /opt/extra/bypass_lib.sh
esc1() { escape -u 0 -l $ENG1 "$@"; }

# test_identity_cannot_be_shed
t_is "$(esc1 audit-unlock)" EACCES "AUDIT_SET_FEATURE (loginuid_immutable off) by a root engineer: denied"
t_is "$(esc1 audit-hidden)" EACCES "the same hidden second in one netlink send: denied"
t_is "$(esc1 audit-get)" OK "AUDIT_GET (read-only) by a root engineer is allowed (control)"
t_is "$(escape audit-unlock)" EPERM "plain root cannot turn loginuid_immutable off either: the feature is locked"
t_is "$(esc1 loginuid 4294967295)" EPERM "a root engineer cannot unset their login uid"
t_is "$(esc1 loginuid 0)" EPERM "nor set it to root's"
t_is "$(escape loginuid 5001)" OK "a process with no login uid may set one once (login does, control)"

# test_clock_is_not_the_engineers
t_is "$(esc1 settime)" EACCES "clock_settime by a root engineer: denied"

# test_zone_gen_does_not_wrap: every rename on a zoned filesystem bumps it
escape zonegen 4294967295 >/dev/null
mkdir -p /srv/gen1 && mv /srv/gen1 /srv/gen2
t_is "$(escape zonegen)" 4294967296 "zone_gen goes past 2^32 (64-bit, a stale cache never revives)"
t_is "$(sudo1 read $ACME/data.txt)" EACCES "and the zone still holds"

# test_linked_entry_goes_with_the_last_name
n0=$(escape count linked)
echo x >$ACME/lk.txt && ln $ACME/lk.txt /srv/public/lk-out.txt
t_is "$(escape count linked)" $((n0 + 1)) "a hard link out of a zone is remembered (setup)"
t_is "$(sudo1 read /srv/public/lk-out.txt)" EACCES "the zone file by its outside name stays shut (setup)"
rm $ACME/lk.txt
t_is "$(escape count linked)" $((n0 + 1)) "one name gone, one left: still remembered"
rm /srv/public/lk-out.txt
t_is "$(escape count linked)" $n0 "the last name gone: the entry goes too"

# test_zones_do_not_move_or_get_covered
mkdir -p /srv/decoy /srv/decoy2 /tmp/free
t_is "$(esc1 exchange $ACME /srv/decoy)" EACCES "RENAME_EXCHANGE of a zone root with a decoy: denied"
t_is "$(esc1 exchange /srv/decoy $ACME)" EACCES "the same exchange, named the other way round: denied"
t_is "$(esc1 rename /srv/customers /srv/moved)" EACCES "mv of the directory above the zone roots: denied"
t_is "$(esc1 rename /srv/decoy /srv/decoy3)" OK "renaming a directory that holds no zone (control)"
t_is "$(esc1 bind /srv/decoy2 $ACME)" EACCES "bind mount of a decoy over a zone root: denied"
t_is "$(esc1 tmpfs /srv/customers)" EACCES "a tmpfs over the zones' parent: denied"
t_is "$(esc1 tmpfs /srv)" EACCES "a tmpfs over the mount point above the zones: denied"
t_is "$(esc1 bind /tmp/free /etc/lockbox)" EACCES "a bind mount over /etc/lockbox: denied"
t_is "$(esc1 tmpfs $ACME/reports)" EACCES "a tmpfs inside a zone: denied"
t_is "$(esc1 move /sys/fs/bpf /tmp/free)" EACCES "MS_MOVE of a mount: denied"
t_is "$(esc1 tmpfs /tmp/free)" OK "a tmpfs on a free directory (control)"
umount /tmp/free 2>/dev/null
t_is "$(escape bind /srv/decoy2 /tmp/free)" OK "plain root may bind-mount (control)"
umount /tmp/free 2>/dev/null
t_ok "the zone root is where it was" [ -f $ACME/data.txt ]

# test_lockbox_files_and_what_it_runs_are_not_the_engineers
t_is "$(esc1 write /etc/ld.so.preload)" EACCES "creating /etc/ld.so.preload: denied"
t_ok "and it was not created" [ ! -e /etc/ld.so.preload ]
t_is "$(sudo1 chmod /usr/sbin/lockboxd 4755)" EACCES "chmod of lockboxd: denied"
t_is "$(esc1 write /usr/bin/lockboxctl)" EACCES "writing to lockboxctl: denied"
cp /usr/bin/busybox /usr/bin/evil
t_is "$(esc1 rename /usr/bin/evil /usr/bin/lockboxctl)" EACCES "replacing lockboxctl by rename: denied"
t_is "$(sudo1 unlink /usr/sbin/lockboxd)" EACCES "unlinking lockboxd: denied"
lib=$(awk '/libjansson/ { print $6; exit }' /proc/$(agent_pid)/maps)
cp /usr/bin/busybox ${lib%/*}/evil
t_is "$(esc1 write $lib)" EACCES "writing to a library lockboxd maps ($lib): denied"
t_is "$(esc1 rename ${lib%/*}/evil $lib)" EACCES "replacing that library by rename: denied"
t_ok "the guest has no /usr/local (setup)" [ ! -e /usr/local ]
mkdir -p /etc/ld.so.conf.d && echo /usr/local/lib >/etc/ld.so.conf.d/libc.conf && agent_reload
t_is "$(sudo1 mkdir /usr/local)" EACCES "making a missing folder of ld.so's search path: denied"
mkdir -p /usr/local && agent_reload
t_is "$(sudo1 mkdir /usr/local/lib)" EACCES "its next missing component, after a reload: denied"
mkdir -p /usr/local/lib && agent_reload
t_is "$(esc1 write /usr/local/lib/${lib##*/})" EACCES "planting a mapped library's name earlier in ld.so's search path: denied"
t_is "$(esc1 write /usr/local/lib/libmine.so.1)" OK "another library there (control)"
interp=$(readlink /lib64/ld-linux-x86-64.so.2 || echo /lib64/ld-linux-x86-64.so.2)
t_is "$(esc1 rename /usr/bin/evil /lib64/ld-linux-x86-64.so.2)" EACCES "replacing the program interpreter's name: denied"
t_is "$(esc1 write /usr/libexec/lockbox-test-notify)" EACCES "writing to the notify command: denied"
t_is "$(esc1 write /etc/lockbox/other.json)" EACCES "a new file in /etc/lockbox: denied"
t_is "$(esc1 rename /etc/lockbox /etc/lockbox.old)" EACCES "renaming /etc/lockbox: denied"
t_is "$(esc1 write /run/lockbox/evil.sock)" EACCES "a new file beside the socket: denied"
t_is "$(sudo1 unlink /run/lockbox/lockbox.sock)" EACCES "removing the agent's socket: denied"
t_is "$(esc1 write /tmp/free/ok)" OK "writing a file of one's own (control)"
t_is "$(door -u 0 -l $ENG1 read /usr/sbin/lockboxd)" OK "engineers still read lockboxd (control)"

# test_agent_proc_files_are_not_the_engineers (7.x no longer asks ptrace_access_check for some)
t_is "$(sudo1 read /proc/$(agent_pid)/maps)" EACCES "lockboxd's /proc/PID/maps: denied"
t_is "$(sudo1 read /proc/$(agent_pid)/auxv)" EACCES "lockboxd's /proc/PID/auxv: denied"
t_is "$(sudo1 read /proc/$(agent_pid)/cmdline)" OK "its cmdline, as ps reads it (control)"

# test_agent_cannot_be_starved_by_cgroup_rlimit_or_nice
mkdir -p /sys/fs/cgroup/trap
t_is "$(esc1 write /sys/fs/cgroup/trap/cgroup.freeze)" EACCES "freezing a cgroup: denied"
t_is "$(esc1 write /sys/fs/cgroup/trap/cgroup.procs)" EACCES "moving a process between cgroups: denied"
t_is "$(esc1 write /sys/fs/cgroup/cgroup.procs)" EACCES "the same in the root cgroup: denied"
t_is "$(esc1 rlimit $(agent_pid))" EACCES "prlimit of lockboxd's open files: denied"
t_is "$(esc1 nice $(agent_pid))" EACCES "renicing lockboxd: denied"
sleep 60 &
t_is "$(esc1 nice $!)" OK "renicing another root process (control)"
t_is "$(escape rlimit $!)" OK "plain root sets a limit (control)"
kill $!
t_is "$(sudo1 read /proc/$(agent_pid)/oom_score_adj)" EACCES "lockboxd's oom_score_adj: denied"
rmdir /sys/fs/cgroup/trap

# test_identity_sources_are_not_the_engineers
t_is "$(esc1 write /etc/group)" EACCES "appending to /etc/group: denied"
t_is "$(esc1 write /etc/passwd)" EACCES "appending to /etc/passwd: denied"
cp /etc/group /etc/group.new
t_is "$(esc1 rename /etc/group.new /etc/group)" EACCES "replacing /etc/group by rename: denied"
t_is "$(esc1 write /etc/nsswitch.conf)" EACCES "changing nsswitch.conf: denied"
t_is "$(door -u 0 -l $ENG1 read /etc/group)" OK "engineers still read /etc/group (control)"
t_is "$(escape write /etc/group.test)" OK "plain root writes in /etc (control)"

# test_no_other_users_terminal
escape -u 3001 pts >/tmp/pts.out &
ptspid=$!
wait_lines /tmp/pts.out 1
pts=$(cat /tmp/pts.out)
t_match "$pts" '^/dev/pts/[0-9]+$' "acme-admin has a terminal (setup)"
t_is "$(esc1 open $pts)" EACCES "a root engineer opens acme-admin's terminal: denied"
t_is "$(escape open $pts)" OK "plain root opens it (control)"
t_is "$(escape -u $ENG1 -l $ENG1 open /dev/ptmx)" OK "an engineer makes a terminal of their own (control)"
kill $ptspid 2>/dev/null

# test_notify_command_runs_confined: whoever wrote it, it reads no zone
cat >/usr/libexec/notify-probe <<'PROBE'
#!/bin/sh
cat >/dev/null
{ echo "loginuid=$(cat /proc/self/loginuid)"; cat /srv/customers/acme/data.txt 2>/dev/null || echo READ-DENIED; } >>/var/mail/probe
PROBE
chmod 755 /usr/libexec/notify-probe
agent_kill
sed -i 's|/usr/libexec/lockbox-test-notify|/usr/libexec/notify-probe|' $CFG
agent_start
id=$(request eng1 acme)
wait_for 20 sh -c 'grep -q READ /var/mail/probe 2>/dev/null || grep -q acme /var/mail/probe 2>/dev/null'
probe=$(cat /var/mail/probe 2>/dev/null)
t_match "$probe" "loginuid=$(printf %u 0x7ffffff0)" "the notify command runs under the confined login uid"
t_match "$probe" "READ-DENIED" "the notify command cannot read a zone"
t_is "$(echo "$probe" | grep -c 'acme data')" 0 "no zone data reached the notify command"
t_is "$(escape -u 0 -l $ENG1 write /usr/libexec/notify-probe)" EACCES "and engineers cannot rewrite it"
t_done
