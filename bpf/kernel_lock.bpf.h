/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel is not the engineer's to change (unless the site says so with
 * LB_CFG_ENGINEER_KERNEL): no modules, no kexec, nothing the lockdown LSM
 * guards (/dev/mem, /proc/kcore, kprobes, ...), no perf events on the kernel,
 * tracepoints or whole CPUs, and no writes to the files that make the kernel
 * run a program or change what it does (kernel sysctls, uevent_helper,
 * tracefs, debugfs, securityfs, configfs, binfmt_misc).
 *
 * Included from guard.bpf.c after guard.bpf.h; the refusals go through
 * deny_tamper() or deny_open(), so each one is an audit event.
 */
#ifndef KERNEL_LOCK_BPF_H
#define KERNEL_LOCK_BPF_H

#include "guard.bpf.h"
#include "devices.bpf.h"

/* include/uapi/linux/magic.h */
#define PROC_SUPER_MAGIC 0x9fa0
#define SYSFS_MAGIC	 0x62656572
#define DEBUGFS_MAGIC	 0x64626720
#define TRACEFS_MAGIC	 0x74726163
#define SECURITYFS_MAGIC 0x73636673
#define CONFIGFS_MAGIC	 0x62656570
#define BINFMTFS_MAGIC	 0x42494e4d

/* include/linux/perf_event.h: the second argument of the perf_event_open hook */
#define PERF_SECURITY_CPU	 1
#define PERF_SECURITY_KERNEL	 2
#define PERF_SECURITY_TRACEPOINT 3

/* How far up from a sysctl file the walk looks for /proc/sys/kernel. */
#define SYSCTL_DEPTH 6

static __always_inline bool kernel_open_to_engineers(void)
{
	struct lb_config *cfg = config_get();

	return cfg && (cfg->flags & LB_CFG_ENGINEER_KERNEL);
}

/* Whether @d's name is @want (@len bytes, no NUL). */
static __always_inline bool name_is(struct dentry *d, const char *want, __u32 len)
{
	char buf[16];
	__u32 i;

	if (BPF_CORE_READ(d, d_name.len) != len || len >= sizeof(buf))
		return false;
	if (bpf_probe_read_kernel(buf, len & 15, BPF_CORE_READ(d, d_name.name)) < 0)
		return false;
	for (i = 0; i < sizeof(buf) && i < len; i++)
		if (buf[i] != want[i])
			return false;
	return true;
}

#define NAME_IS(d, lit) name_is(d, lit, sizeof(lit) - 1)

/* @d is, or is below, <fs root>/sys/kernel: /proc/sys/kernel wherever procfs is mounted. */
static __always_inline bool under_proc_sys_kernel(struct dentry *d)
{
	struct dentry *root = BPF_CORE_READ(d, d_sb, s_root);
	int i;

	for (i = 0; i < SYSCTL_DEPTH; i++) {
		struct dentry *parent = BPF_CORE_READ(d, d_parent);

		if (parent == d)
			return false;
		if (BPF_CORE_READ(parent, d_parent) == root && NAME_IS(d, "kernel") &&
		    NAME_IS(parent, "sys"))
			return true;
		d = parent;
	}
	return false;
}

/*
 * A file an engineer opens for writing whose write changes the kernel or makes
 * it run a program: core_pattern, modprobe, hotplug, poweroff_cmd and the rest
 * of kernel.* (procfs inode numbers are not stable: matched by names up to the
 * filesystem's root), sysfs's uevent_helper and the attributes that make the
 * kernel open a disk or rebind a device, and whole filesystems that exist to
 * drive the kernel.
 */
static __always_inline bool kernel_control_file(struct file *file)
{
	struct dentry *d = file->f_path.dentry;
	unsigned long magic = BPF_CORE_READ(d, d_sb, s_magic);

	switch (magic) {
	case DEBUGFS_MAGIC:    /* kprobes, fault injection, raw kernel state */
	case TRACEFS_MAGIC:    /* kprobe_events, uprobe_events, ftrace */
	case SECURITYFS_MAGIC: /* LSM policies, the lockdown switch itself */
	case CONFIGFS_MAGIC:   /* LIO / nvmet targets export a zone disk from the kernel */
	case BINFMTFS_MAGIC:   /* an interpreter the kernel runs for matching files */
		return true;
	case PROC_SUPER_MAGIC:
		return under_proc_sys_kernel(d);
	case SYSFS_MAGIC:
		/*
		 * Writes that make the kernel open a disk itself, without file_open
		 * (md's new_dev, bcache's register), or hand a device to another
		 * driver (vfio-pci: the disk's controller to user space).
		 */
		return NAME_IS(d, "uevent_helper") || NAME_IS(d, "new_dev") ||
		       NAME_IS(d, "register") || NAME_IS(d, "register_quiet") ||
		       NAME_IS(d, "bind") || NAME_IS(d, "unbind") || NAME_IS(d, "new_id") ||
		       NAME_IS(d, "driver_override");
	}
	return false;
}

/*
 * The file_open part, called by lb_file_open (through check_file) for an
 * engineer: kernel-control files for writing, and device set-up (devices.bpf.h).
 */
static __always_inline int kernel_file_open_check(struct file *file, struct subject *s)
{
	int ret = device_open_check(file, s);

	if (ret)
		return ret;
	if (!(file->f_mode & FMODE_WRITE) || !kernel_control_file(file))
		return 0;
	if (kernel_open_to_engineers())
		return 0;
	return deny_open(s, LB_OP_KERNEL, file);
}

static __always_inline int deny_kernel(__u16 op)
{
	struct subject s;

	if (!subject_get(&s) || kernel_open_to_engineers())
		return 0;
	return deny_tamper(&s, op);
}

/* finit_module(2) and kexec_file_load(2) read their images through this hook. */
SEC("lsm/kernel_read_file")
int BPF_PROG(lb_kernel_read_file, struct file *file, enum kernel_read_file_id id, bool contents,
	     int ret)
{
	if (ret)
		return ret;
	if (id != READING_MODULE && id != READING_KEXEC_IMAGE && id != READING_KEXEC_INITRAMFS)
		return 0; /* firmware and certificates are the kernel's own business */
	return deny_kernel(LB_OP_KERNEL);
}

/* init_module(2) and kexec_load(2): images from memory. */
SEC("lsm/kernel_load_data")
int BPF_PROG(lb_kernel_load_data, enum kernel_load_data_id id, bool contents, int ret)
{
	if (ret)
		return ret;
	if (id != LOADING_MODULE && id != LOADING_KEXEC_IMAGE && id != LOADING_KEXEC_INITRAMFS)
		return 0;
	return deny_kernel(LB_OP_KERNEL);
}

/*
 * The engineer's own lockdown, at the "confidentiality" level whatever the
 * host's: every reason (the enum's values differ between kernels, so none is
 * named) is refused to engineers. Covers /dev/mem, /dev/port, /proc/kcore,
 * kprobes through perf, MSRs, ioperm, hibernation, unsafe module parameters...
 */
SEC("lsm/locked_down")
int BPF_PROG(lb_locked_down, enum lockdown_reason what, int ret)
{
	if (ret)
		return ret;
	return deny_kernel(LB_OP_KERNEL);
}

/*
 * On 6.1 and 6.12 the hook is (attr, type); by 7.3 attr is gone, leaving (type).
 * Only the first two slots exist on every kernel, so `ret` is not read (a BPF
 * LSM program that returns non-zero ends the chain anyway): a type is a small
 * number, attr a kernel pointer, which tells the layouts apart. The slots are
 * copied out as plain numbers, since the verifier types slot 0 as a pointer
 * on older kernels.
 */
SEC("lsm/perf_event_open")
int BPF_PROG(lb_perf_event_open)
{
	__u64 slot[2] = {};
	int type;

	bpf_probe_read_kernel(slot, sizeof(slot), ctx);
	type = slot[0] < 16 ? (int)slot[0] : (int)slot[1];
	if (type != PERF_SECURITY_KERNEL && type != PERF_SECURITY_TRACEPOINT &&
	    type != PERF_SECURITY_CPU)
		return 0;
	return deny_kernel(LB_OP_PERF);
}

#endif /* KERNEL_LOCK_BPF_H */
