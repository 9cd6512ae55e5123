# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --add tests/vm/agent_lib.sh --add tests/vm/bypass_lib.sh
# Tamper protection: an engineer, even as root through sudo and even holding a
# grant, cannot use bpf(), touch the pins, unmount what the guard stands on,
# signal or ptrace lockboxd, act through another process, shed the engineer
# identity or rewrite the agent's state. The attacker is root whose loginuid is
# eng1's. Killing the agent: test_tamper_kill.sh.
. /opt/extra/lib.sh
. /opt/extra/agent_lib.sh
. /opt/extra/bypass_lib.sh
PINS=/sys/fs/bpf/lockbox

# a grant does not open the guard itself: eng1 holds one on acme throughout
gid=$(request eng1 acme --duration 1h)
approve $gid
t_is "$(sudo1 read $ACME/data.txt)" OK "eng1 (as root) reads acme under its grant (setup)"
pid=$(agent_pid)

# test_bpf_syscall_denied_to_engineers
t_is "$(tamper -u 0 -l $ENG1 bpf)" EACCES "bpf() from root with eng1's loginuid: denied"
t_is "$(tamper bpf)" OK "bpf() from root with no engineer loginuid (control)"
t_is "$(tamper -u 0 -l $ENG1 objget $PINS/grants)" EACCES "BPF_OBJ_GET of the grants pin: denied"
t_is "$(tamper objget $PINS/grants)" OK "BPF_OBJ_GET of the grants pin by root (control)"
runas -l $ENG1 0 guardctl grant add $ENG1 2 rw 3600 99 2>/dev/null
t_is "$?" 1 "guardctl cannot write itself a grant as root with eng1's loginuid"
t_is "$(sudo1 read $GLOBEX/data.txt)" EACCES "and globex stays shut"

# test_pins_cannot_be_unlinked_or_replaced
t_is "$(sudo1 unlink $PINS/grants)" EACCES "unlinking the grants pin: denied"
t_is "$(sudo1 unlink $PINS/link_file_open)" EACCES "unlinking the file_open link pin: denied"
t_is "$(sudo1 rename $PINS/grants $PINS/grants_old)" EACCES "renaming the grants pin: denied"
t_is "$(sudo1 rename $PINS /sys/fs/bpf/lockbox_old)" EACCES "renaming the pin directory: denied"
t_is "$(sudo1 link $PINS/grants /sys/fs/bpf/grants)" EACCES "hard-linking a pin out of the pin directory: denied"
t_is "$(sudo1 mkdir $PINS/new)" EACCES "mkdir in the pin directory: denied"
t_is "$(sudo1 unlink $PINS/build_stamp)" EACCES \
	"unlinking the build stamp (to make the next start reload, or keep what runs): denied"
t_is "$(tamper -u 0 -l $ENG1 objget $PINS/build_stamp)" EACCES \
	"BPF_OBJ_GET of the build stamp, to rewrite it: denied"
t_ok "every pin is still in place" [ -e $PINS/grants -a -e $PINS/link_file_open -a -e $PINS/link_bpf \
	-a -e $PINS/build_stamp ]
t_is "$(tamper -u 0 -l $ENG1 umount /sys/fs/bpf)" EACCES "unmounting bpffs: denied"
t_is "$(tamper -u 0 -l $ENG1 umount /srv)" EACCES "unmounting the zoned filesystem: denied"
mkdir -p /mnt/t
mount -t tmpfs tmpfs /mnt/t
t_is "$(tamper -u 0 -l $ENG1 umount /mnt/t)" OK "unmounting a filesystem with no zone (control)"
t_ok "the guard still has its pins" [ -e $PINS/link_sb_umount ]

# test_agent_cannot_be_signalled
t_is "$(tamper -u 0 -l $ENG1 kill $pid 9)" EACCES "SIGKILL to lockboxd: denied"
t_is "$(tamper -u 0 -l $ENG1 kill $pid 15)" EACCES "SIGTERM to lockboxd: denied"
t_is "$(tamper -u 0 -l $ENG1 kill $pid 19)" EACCES "SIGSTOP to lockboxd: denied"
t_is "$(tamper -u 0 -l $ENG1 kill $pid 0)" OK "signal 0 (is it alive?) to lockboxd is allowed"
t_is "$(tamper -u $ENG1 kill $pid 9)" EPERM "eng1 itself cannot signal root's lockboxd (file permissions, control)"
sleep 100 &
victim=$!
t_is "$(tamper -u 0 -l $ENG1 kill $victim 9)" OK "root with eng1's loginuid may signal other processes (control)"
t_ok "lockboxd is alive after every signal" [ "$(agent_pid)" = "$pid" ]

# test_agent_cannot_be_ptraced
t_is "$(tamper -u 0 -l $ENG1 ptrace $pid)" EACCES "ptrace of lockboxd: denied"
t_is "$(tamper -u 0 -l $ENG1 vmread $pid)" EPERM "process_vm_readv of lockboxd: denied (the kernel reports EPERM)"
t_is "$(door -u 0 -l $ENG1 open /proc/$pid/mem)" EACCES "opening lockboxd's /proc/PID/mem: denied"
t_is "$(door -u 0 -l $ENG1 read /proc/$pid/environ)" EACCES "reading lockboxd's /proc/PID/environ: denied"
t_is "$(tamper ptrace $pid)" OK "ptrace of lockboxd by root with no engineer loginuid (control)"

# test_engineer_cannot_act_through_a_non_engineer_process
sleep 100 &
victim=$!
t_is "$(tamper -u 0 -l $ENG1 ptrace $victim)" EACCES \
	"ptrace of a non-engineer root process (to make it open the zone): denied"
t_is "$(tamper -u 0 -l $ENG1 vmread $victim)" EPERM "process_vm_readv of a non-engineer root process: denied"
kill $victim

# test_engineer_cannot_shed_loginuid
t_is "$(tamper -u 0 -l $ENG1 relogin 4294967295 $GLOBEX/data.txt 2>/dev/null)" EACCES \
	"root with eng1's loginuid unsets it through /proc/self/loginuid: still denied"
t_is "$(tamper -u 0 -l $ENG1 relogin 0 $GLOBEX/data.txt 2>/dev/null)" EACCES \
	"root with eng1's loginuid sets it to 0: still denied"

# test_agent_state_cannot_be_rewritten: approved grants are loaded from the
# database and engineers from the config when the agent starts or reloads
t_is "$(sudo1 openw $DB)" EACCES "opening lockboxd's database for writing: denied"
t_is "$(sudo1 openw $CFG)" EACCES "opening lockboxd's config for writing: denied"
t_is "$(door openw $CFG)" OK "root with no engineer loginuid may edit the config (control)"

t_done
