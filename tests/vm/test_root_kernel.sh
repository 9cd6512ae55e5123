# SPDX-License-Identifier: GPL-2.0-only
# lockbox-vm: --add tests/vm/agent_lib.sh --add tests/vm/bypass_lib.sh
# The kernel is not the engineer's to change (engineer_kernel_access, default
# false), modifying ioctls need a write grant, and nothing beneath the
# filesystem is open to engineers: the attacker is root whose loginuid is
# eng1's (kpoke -l $ENG1); plain root is the control each time.
. /opt/extra/lib.sh
. /opt/extra/agent_lib.sh
. /opt/extra/bypass_lib.sh
LOOP_KO=/lib/lockbox-vm/modules/extra/loop.ko

eng() {
	kpoke -u 0 -l $ENG1 "$@"
}

# not_denied RESULT: anything but the guard's EACCES (the call reached the kernel's own checks)
not_denied() {
	[ -n "$1" ] && [ "$1" != EACCES ]
}

# test_engineer_cannot_load_modules
t_is "$(eng initmod)" EACCES "init_module by root with eng1's loginuid: denied"
r=$(kpoke initmod)
t_ok "init_module by plain root reaches the module loader (control: $r)" not_denied "$r"
t_is "$(eng finitmod $LOOP_KO)" EACCES "finit_module(loop.ko) by root with eng1's loginuid: denied"
t_ok "and loop is not loaded" sh -c '! grep -q "^loop " /proc/modules'
t_is "$(kpoke finitmod $LOOP_KO)" OK "finit_module(loop.ko) by plain root (control)"

# test_engineer_cannot_kexec
t_is "$(eng kexec)" EACCES "kexec_load by root with eng1's loginuid: denied"
t_is "$(kpoke kexec)" OK "kexec_load (unload nothing) by plain root (control)"
echo "no kernel" >/tmp/junk.img
t_is "$(eng kexecfile /tmp/junk.img)" EACCES "kexec_file_load by root with eng1's loginuid: denied"
r=$(kpoke kexecfile /tmp/junk.img)
t_ok "kexec_file_load by plain root reaches the image parser (control: $r)" not_denied "$r"

# test_engineer_is_locked_down: /proc/kcore, /dev/mem and the rest of lockdown's list
t_is "$(eng open /proc/kcore)" EACCES "opening /proc/kcore: denied"
t_is "$(kpoke open /proc/kcore)" OK "opening /proc/kcore as plain root (control)"
t_is "$(eng open /dev/mem)" EACCES "opening /dev/mem: denied"
t_is "$(kpoke open /dev/mem)" OK "opening /dev/mem as plain root (control)"

# test_engineer_cannot_perf_the_kernel
t_is "$(eng perf kernel)" EACCES "perf_event_open counting the kernel: denied"
t_is "$(eng perf cpu)" EACCES "perf_event_open of a whole CPU: denied"
t_is "$(eng perf user)" OK "perf_event_open of the engineer's own user space (control)"
t_is "$(kpoke perf kernel)" OK "perf_event_open counting the kernel as plain root (control)"
tp=$(cat /sys/kernel/tracing/events/sched/sched_switch/id 2>/dev/null)
t_is "$(eng perf kprobe)" EACCES "a kprobe perf event (user space only): denied by the lockdown hook"
t_is "$(kpoke perf kprobe)" OK "a kprobe perf event as plain root (control)"
if [ -n "$tp" ]; then
	t_is "$(eng perf tracepoint $tp)" EACCES "perf_event_open of a tracepoint: denied"
	t_is "$(kpoke perf tracepoint $tp)" OK "perf_event_open of a tracepoint as plain root (control)"
fi

# test_engineer_cannot_make_the_kernel_run_a_program
for f in core_pattern modprobe poweroff_cmd; do
	[ -e /proc/sys/kernel/$f ] || continue
	t_is "$(eng openw /proc/sys/kernel/$f)" EACCES "writing kernel.$f: denied"
	t_is "$(kpoke openw /proc/sys/kernel/$f)" OK "writing kernel.$f as plain root (control)"
done
t_is "$(eng open /proc/sys/kernel/core_pattern)" OK "reading kernel.core_pattern (control)"
t_is "$(eng openw /proc/sys/vm/swappiness)" OK "writing vm.swappiness: not the kernel's program (control)"
mkdir -p /mnt/proc2 && mount -t proc proc /mnt/proc2
t_is "$(eng openw /mnt/proc2/sys/kernel/core_pattern)" EACCES "kernel.core_pattern through a second procfs mount: denied"
umount /mnt/proc2
if [ -e /sys/kernel/uevent_helper ]; then
	t_is "$(eng openw /sys/kernel/uevent_helper)" EACCES "writing /sys/kernel/uevent_helper: denied"
	t_is "$(kpoke openw /sys/kernel/uevent_helper)" OK "writing uevent_helper as plain root (control)"
fi

# test_engineer_cannot_trace_the_kernel
if [ -e /sys/kernel/tracing/kprobe_events ]; then
	t_is "$(eng openw /sys/kernel/tracing/kprobe_events)" EACCES "writing tracefs kprobe_events: denied"
	t_is "$(kpoke openw /sys/kernel/tracing/kprobe_events)" OK "writing kprobe_events as plain root (control)"
fi
t_ok "the denials are in the audit trail as op kernel" \
	wait_for 5 sh -c '[ "$(lockboxctl audit --json | jget -w op=kernel "#")" -ge 5 ]'
t_ok "with the file's path" \
	wait_for 5 sh -c '[ "$(lockboxctl audit --json | jget -w op=kernel -w path=/proc/sys/kernel/core_pattern "#")" -ge 1 ]'

# test_engineer_cannot_rebind_a_device: vfio-pci would hand the disk's controller to user space
unbind=$(ls -d /sys/bus/pci/drivers/*/unbind 2>/dev/null | head -1)
if [ -n "$unbind" ]; then
	t_is "$(eng openw $unbind)" EACCES "opening $unbind for writing: denied"
	t_is "$(kpoke openw $unbind)" OK "opening it as plain root, nothing written (control)"
fi

# test_engineer_cannot_plant_what_the_kernel_loads: module autoload runs
# modprobe as root with no login uid, which reads /etc/modprobe.d and loads
# from /lib/modules (the guest has neither until now: the agent picks them up
# on reload)
mkdir -p /lib/modules/$(uname -r)/extra /etc/modprobe.d /usr/local/sbin
printf '#!/bin/sh\nexec /sbin/modprobe "$@"\n' >/usr/local/sbin/modprobe-site
chmod 755 /usr/local/sbin/modprobe-site
old_modprobe=$(cat /proc/sys/kernel/modprobe)
echo /usr/local/sbin/modprobe-site >/proc/sys/kernel/modprobe
agent_reload
t_is "$(sudo1 create /etc/modprobe.d/evil.conf)" EACCES "creating a modprobe.d file (install CMD): denied"
t_is "$(sudo1 create /lib/modules/$(uname -r)/extra/evil.ko)" EACCES "planting a module under /lib/modules: denied"
t_is "$(sudo1 rename /lib/modules /lib/modules.old)" EACCES "moving the module tree aside: denied"
t_is "$(door create /etc/modprobe.d/ok.conf)" OK "plain root adds a modprobe.d file (control)"
t_is "$(sudo1 read /etc/modprobe.d/ok.conf)" OK "engineers still read modprobe.d (control)"
t_is "$(sudo1 openw /usr/local/sbin/modprobe-site)" EACCES "opening kernel.modprobe's program for writing: denied"
t_is "$(door openw /usr/local/sbin/modprobe-site)" OK "plain root may (control)"
echo "$old_modprobe" >/proc/sys/kernel/modprobe

# test_engineer_kernel_access_switch: a site that lets engineers do kernel work
sed -i 's/^{$/{ "engineer_kernel_access": true,/' $CFG
agent_reload
t_is "$(eng openw /proc/sys/kernel/core_pattern)" OK "engineer_kernel_access: writing kernel.core_pattern allowed"
t_is "$(eng perf kernel)" OK "engineer_kernel_access: perf of the kernel allowed"
t_is "$(eng open /proc/kcore)" OK "engineer_kernel_access: /proc/kcore allowed"
t_is "$(sudo1 create /etc/modprobe.d/site.conf)" OK "engineer_kernel_access: modprobe.d writable"
sed -i 's/^{ "engineer_kernel_access": true,$/{/' $CFG
agent_reload
t_is "$(eng openw /proc/sys/kernel/core_pattern)" EACCES "back to the default: denied again"

# test_modifying_ioctl_needs_a_write_grant: eng1 reads acme, eng2 writes it
r1=$(request eng1 acme --duration 1h --access read)
approve $r1
r2=$(request eng2 acme --duration 1h --access write)
approve $r2
t_is "$(eng getflags $ACME/data.txt)" OK "FS_IOC_GETFLAGS under a read grant"
t_is "$(eng setflags $ACME/data.txt)" EACCES "FS_IOC_SETFLAGS under a read grant: denied"
t_is "$(eng setflags $ACME/data.txt +a)" EACCES "chattr +a under a read grant: denied"
t_is "$(kpoke appendonly $ACME/data.txt)" no "the file did not become append-only"
t_is "$(kpoke -u 0 -l $ENG2 setflags $ACME/data.txt)" OK "FS_IOC_SETFLAGS under a write grant"
t_is "$(kpoke setflags $ACME/data.txt)" OK "FS_IOC_SETFLAGS by plain root (control)"
t_is "$(eng setflags /srv/public/readme.txt)" OK "FS_IOC_SETFLAGS outside the zones (control)"
echo x >/tmp/dedupe
t_is "$(eng dedupe /srv/public/readme.txt $ACME/data.txt)" EACCES \
	"FIDEDUPERANGE from a file beside the zones (its destinations are out of the hook's sight): denied"
r=$(kpoke dedupe /srv/public/readme.txt $ACME/data.txt)
t_ok "FIDEDUPERANGE by plain root gets past the guard (control: $r)" not_denied "$r"
r=$(eng dedupe /tmp/dedupe /tmp/dedupe)
t_ok "FIDEDUPERANGE on a filesystem with no zone (control: $r)" not_denied "$r"

# test_engineer_cannot_push_terminal_input
t_is "$(eng tiocsti)" EACCES "TIOCSTI by root with eng1's loginuid: denied"
t_is "$(kpoke tiocsti)" OK "TIOCSTI by plain root (control)"

# test_raw_zone_disk_is_guarded_without_configuration: the harness has "devices": []
t_is "$(eng open /dev/vda)" EACCES "opening /dev/vda (under /srv) for reading, even with a grant on acme: denied"
t_is "$(kpoke open /dev/vda)" OK "opening /dev/vda as plain root (control)"
mknod /tmp/disk b $(sed 's/:/ /' /sys/block/vda/dev)
t_is "$(eng open /tmp/disk)" EACCES "a node of its own for the same disk: denied"
t_is "$(eng swapon /dev/vda)" EACCES "swapon of the zone disk: denied (its file_open)"
r=$(kpoke swapon /dev/vda)
t_ok "swapon of /dev/vda by plain root gets past the guard (control: $r)" not_denied "$r"

# test_engineer_cannot_set_up_or_open_loop
t_is "$(eng loop /srv/public/readme.txt)" EACCES \
	"LOOP_CONFIGURE on a loop device plain root opened, by root with eng1's loginuid: denied"
t_is "$(kpoke loop /srv/public/readme.txt)" OK "LOOP_CONFIGURE by plain root (control)"
losetup -r /dev/loop0 /dev/vda
t_is "$(eng open /dev/loop0)" EACCES "opening a loop device plain root set up over the zone disk: denied"
t_is "$(kpoke open /dev/loop0)" OK "opening it as plain root (control)"
losetup -d /dev/loop0

# test_engineer_cannot_open_mapper_control_or_passthrough
[ -e /dev/mapper/control ] || { mkdir -p /dev/mapper && mknod /dev/mapper/control c 10 236; }
t_is "$(eng open /dev/mapper/control)" EACCES "opening device-mapper's control node: denied"
r=$(kpoke open /dev/mapper/control)
t_ok "device-mapper control as plain root gets past the guard (control: $r)" not_denied "$r"
mknod /tmp/sg0 c 21 0
t_is "$(eng open /tmp/sg0)" EACCES "opening a SCSI generic node (21:0): denied"
r=$(kpoke open /tmp/sg0)
t_ok "sg as plain root gets past the guard (control: $r)" not_denied "$r"
for name in bsg nvme-generic; do
	maj=$(sed -n "/^Character/,/^Block/s/^ *\([0-9]*\) $name\$/\1/p" /proc/devices)
	[ -n "$maj" ] || continue
	mknod /tmp/pt-$name c $maj 0
	t_is "$(eng open /tmp/pt-$name)" EACCES "opening a $name node ($maj:0): denied"
	r=$(kpoke open /tmp/pt-$name)
	t_ok "$name as plain root gets past the guard (control: $r)" not_denied "$r"
done

t_done
