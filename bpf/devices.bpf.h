/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Beneath the filesystem, and ioctls that change a zone file:
 *  - engineers may not open device-mapper's control node (a table names the
 *    disks, which the kernel then opens with no file_open check) or SCSI/NVMe
 *    passthrough character devices (sg, bsg, nvme-generic, nvme, and vfio
 *    and uio, which hand a device's registers and DMA to user space);
 *  - nor open a loop device, set one up (LOOP_SET_FD, LOOP_CHANGE_FD,
 *    LOOP_CONFIGURE, on a descriptor they were passed) or add a disk to an md
 *    array by ioctl;
 *  - nor push input into a terminal (TIOCSTI, TIOCLINUX);
 *  - on a zone file (or zone device), an ioctl outside a short list of
 *    read-only ones needs a write grant: chattr, project ids, clone/dedupe
 *    into it, ext4's extent moves...
 * The raw block devices under each zone are in zone_blkdevs (found by the
 * agent, userspace/blockdevs.c), which zone_of_file() matches on open.
 *
 * Included from guard.bpf.c after guard.bpf.h.
 */
#ifndef DEVICES_BPF_H
#define DEVICES_BPF_H

#include "guard.bpf.h"

#ifndef S_IFCHR
#define S_IFCHR 0020000
#endif
#define MINORBITS  20
#define MINORMASK  ((1u << MINORBITS) - 1)
#define KDEV(a, b) (((__u32)(a) << MINORBITS) | (b))

#define LOOP_MAJOR	   7
#define MD_MAJOR	   9
#define MISC_MAJOR	   10
#define SCSI_GENERIC_MAJOR 21
#define MAPPER_CTRL_MINOR  236
#define LB_DEV_ANY_MINOR   MINORMASK /* passthru key: every minor of a major */

/*
 * Character devices engineers may not open, by number in kernel encoding;
 * KDEV(major, LB_DEV_ANY_MINOR) stands for the whole major. The static ones
 * are checked below; the agent adds the dynamic majors it reads from
 * /proc/devices (bsg, nvme-generic, nvme, vfio, uio).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} passthru SEC(".maps");

/* include/uapi/linux/loop.h, raid/md_u.h */
#define LOOP_SET_FD    0x4C00
#define LOOP_CHANGE_FD 0x4C06
#define LOOP_CONFIGURE 0x4C0A
#define ADD_NEW_DISK   0x40140921
#define HOT_ADD_DISK   0x928
#define SET_ARRAY_INFO 0x40480923
#define RUN_ARRAY      0x400c0930
#define FIDEDUPERANGE  0xc0189436

/* include/uapi/asm-generic/ioctls.h */
#define TCGETS	   0x5401
#define TIOCSTI	   0x5412
#define TIOCGWINSZ 0x5413
#define FIONREAD   0x541B
#define TIOCLINUX  0x541C
#define FIONBIO	   0x5421
#define FIONCLEX   0x5450
#define FIOCLEX	   0x5451
#define FIOASYNC   0x5452
#define FIOQSIZE   0x5460

/* include/uapi/linux/fs.h, fiemap.h: ioctls that only read */
#define FIGETBSZ	    0x2
#define FS_IOC_GETFLAGS	    0x80086601
#define FS_IOC32_GETFLAGS   0x80046601
#define FS_IOC_GETVERSION   0x80087601
#define FS_IOC32_GETVERSION 0x80047601
#define FS_IOC_FSGETXATTR   0x801c581f
#define FS_IOC_FIEMAP	    0xc020660b
#define FS_IOC_GETFSLABEL   0x81009431
#define FS_IOC_GETFSUUID    0x80111500
#define BLKROGET	    0x125e
#define BLKGETSIZE	    0x1260
#define BLKSSZGET	    0x1268
#define BLKBSZGET	    0x80081270
#define BLKGETSIZE64	    0x80081272

static __always_inline bool ioctl_reads_only(unsigned int cmd)
{
	switch (cmd) {
	case FIGETBSZ:
	case FS_IOC_GETFLAGS:
	case FS_IOC32_GETFLAGS:
	case FS_IOC_GETVERSION:
	case FS_IOC32_GETVERSION:
	case FS_IOC_FSGETXATTR:
	case FS_IOC_FIEMAP:
	case FS_IOC_GETFSLABEL:
	case FS_IOC_GETFSUUID:
	case TCGETS:
	case TIOCGWINSZ:
	case FIONREAD:
	case FIONBIO:
	case FIONCLEX:
	case FIOCLEX:
	case FIOASYNC:
	case FIOQSIZE:
	case BLKROGET:
	case BLKGETSIZE:
	case BLKSSZGET:
	case BLKBSZGET:
	case BLKGETSIZE64:
		return true;
	}
	return false;
}

static __always_inline bool ioctl_sets_up_device(struct file *file, unsigned int cmd)
{
	struct inode *inode = file->f_inode;
	__u32 major = inode->i_rdev >> MINORBITS;

	if ((inode->i_mode & S_IFMT) != S_IFBLK)
		return false;
	if (major == LOOP_MAJOR)
		return cmd == LOOP_SET_FD || cmd == LOOP_CHANGE_FD || cmd == LOOP_CONFIGURE;
	if (major == MD_MAJOR)
		return cmd == ADD_NEW_DISK || cmd == HOT_ADD_DISK || cmd == SET_ARRAY_INFO ||
		       cmd == RUN_ARRAY;
	return false;
}

/*
 * deny_tamper() for a file being opened: the event carries the file's path
 * (file_open may call bpf_d_path; only ever inlined into lb_file_open).
 */
static __always_inline int deny_open(struct subject *s, __u16 op, struct file *file)
{
	return refuse(s, op, file, PATH_D_PATH);
}

/* The file_open part for an engineer (called from kernel_file_open_check). */
static __always_inline int device_open_check(struct file *file, struct subject *s)
{
	struct inode *inode = file->f_inode;
	__u32 rdev = inode->i_rdev, any;

	/*
	 * A loop device reads its backing file with the kernel's rights: one set
	 * up by anyone over a zone file or disk would be a way in.
	 */
	if ((inode->i_mode & S_IFMT) == S_IFBLK && rdev >> MINORBITS == LOOP_MAJOR)
		return deny_open(s, LB_OP_DEVICE, file);
	if ((inode->i_mode & S_IFMT) != S_IFCHR)
		return 0;
	any = rdev | LB_DEV_ANY_MINOR;
	if (rdev == KDEV(MISC_MAJOR, MAPPER_CTRL_MINOR) ||
	    any == KDEV(SCSI_GENERIC_MAJOR, LB_DEV_ANY_MINOR) ||
	    bpf_map_lookup_elem(&passthru, &rdev) || bpf_map_lookup_elem(&passthru, &any))
		return deny_open(s, LB_OP_DEVICE, file);
	return 0;
}

static __always_inline int ioctl_check(struct file *file, unsigned int cmd)
{
	struct access a = {.op = LB_OP_IOCTL, .intent = LB_ACCESS_WRITE};

	if (!subject_get(&a.subj))
		return 0;
	/* another terminal's input is another person's commands */
	if (cmd == TIOCSTI || cmd == TIOCLINUX)
		return deny_tamper(&a.subj, LB_OP_TTY);
	if (ioctl_sets_up_device(file, cmd))
		return deny_tamper(&a.subj, LB_OP_DEVICE);
	if (ioctl_reads_only(cmd))
		return 0;
	a.zone = zone_of_file(file, &a.root);
	/*
	 * Dedupe names its destinations by descriptor in the argument, out of
	 * the hook's sight: on a zoned filesystem, only from a zone file under a
	 * write grant.
	 */
	if (a.zone == ZONE_NONE && cmd == FIDEDUPERANGE && zoned_fs(file->f_path.dentry))
		return deny_tamper(&a.subj, LB_OP_IOCTL);
	if (a.zone == ZONE_NONE)
		return 0;
	a.dentry = file->f_path.dentry;
	a.object = file->f_inode;
	return decide(&a, PATH_NAMES);
}

SEC("lsm/file_ioctl")
int BPF_PROG(lb_file_ioctl, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ret;
	return ioctl_check(file, cmd);
}

/* 32-bit ioctls on a 64-bit kernel: their own hook from 6.8 (and Debian's 6.1). */
SEC("lsm/file_ioctl_compat")
int BPF_PROG(lb_file_ioctl_compat, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ret;
	return ioctl_check(file, cmd);
}

#endif /* DEVICES_BPF_H */
