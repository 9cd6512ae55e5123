// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark floor: an empty BPF LSM program on each hook the guard uses
 * (bpf/guard.bpf.c), so a run with these attached pays the trampolines and
 * nothing else. Each keeps an earlier LSM's verdict, like the guard.
 * scripts/bench checks that the two files name the same hooks.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("lsm/file_open")
int BPF_PROG(eb_file_open, struct file *file, int ret)
{
	return ret;
}

SEC("lsm/file_permission")
int BPF_PROG(eb_file_permission, struct file *file, int mask, int ret)
{
	return ret;
}

SEC("lsm/mmap_file")
int BPF_PROG(eb_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	return ret;
}

SEC("lsm/bprm_check_security")
int BPF_PROG(eb_bprm_check, struct linux_binprm *bprm, int ret)
{
	return ret;
}

SEC("lsm/file_receive")
int BPF_PROG(eb_file_receive, struct file *file, int ret)
{
	return ret;
}

SEC("lsm/path_unlink")
int BPF_PROG(eb_path_unlink, const struct path *dir, struct dentry *dentry, int ret)
{
	return ret;
}

SEC("lsm/path_rmdir")
int BPF_PROG(eb_path_rmdir, const struct path *dir, struct dentry *dentry, int ret)
{
	return ret;
}

SEC("lsm/path_mkdir")
int BPF_PROG(eb_path_mkdir, const struct path *dir, struct dentry *dentry, umode_t mode, int ret)
{
	return ret;
}

SEC("lsm/path_mknod")
int BPF_PROG(eb_path_mknod, const struct path *dir, struct dentry *dentry, umode_t mode,
	     unsigned int dev, int ret)
{
	return ret;
}

SEC("lsm/path_symlink")
int BPF_PROG(eb_path_symlink, const struct path *dir, struct dentry *dentry, const char *old_name,
	     int ret)
{
	return ret;
}

SEC("lsm/path_truncate")
int BPF_PROG(eb_path_truncate, const struct path *path, int ret)
{
	return ret;
}

SEC("lsm/path_chmod")
int BPF_PROG(eb_path_chmod, const struct path *path, umode_t mode, int ret)
{
	return ret;
}

SEC("lsm/path_chown")
int BPF_PROG(eb_path_chown, const struct path *path, void *uid, void *gid, int ret)
{
	return ret;
}

SEC("lsm/inode_setxattr")
int BPF_PROG(eb_inode_setxattr, void *idmap, struct dentry *dentry, const char *name,
	     const void *value, size_t size, int flags, int ret)
{
	return ret;
}

SEC("lsm/inode_removexattr")
int BPF_PROG(eb_inode_removexattr, void *idmap, struct dentry *dentry, const char *name, int ret)
{
	return ret;
}

SEC("lsm/path_link")
int BPF_PROG(eb_path_link, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry, int ret)
{
	return ret;
}

SEC("lsm/path_rename")
int BPF_PROG(eb_path_rename, const struct path *old_dir, struct dentry *old_dentry,
	     const struct path *new_dir, struct dentry *new_dentry, unsigned int flags, int ret)
{
	return ret;
}

/* as the guard's lb_bpf: from 6.14 the fourth slot is an argument, not ret (7.x refuses it) */
SEC("lsm/bpf")
int BPF_PROG(eb_bpf, int cmd, union bpf_attr *attr, unsigned int size)
{
	return 0;
}

SEC("lsm/ptrace_access_check")
int BPF_PROG(eb_ptrace, struct task_struct *child, unsigned int mode, int ret)
{
	return ret;
}

SEC("lsm/ptrace_traceme")
int BPF_PROG(eb_ptrace_traceme, struct task_struct *parent, int ret)
{
	return ret;
}

SEC("lsm/task_kill")
int BPF_PROG(eb_task_kill, struct task_struct *p, struct kernel_siginfo *info, int sig,
	     const struct cred *cred, int ret)
{
	return ret;
}

SEC("lsm/file_send_sigiotask")
int BPF_PROG(eb_sigiotask, struct task_struct *tsk, struct fown_struct *fown, int sig, int ret)
{
	return ret;
}

/* 6.2 and later; emptyctl skips hooks the running kernel lacks, as the loader does */
SEC("lsm/file_truncate")
int BPF_PROG(eb_file_truncate, struct file *file, int ret)
{
	return ret;
}

SEC("lsm/inode_set_acl")
int BPF_PROG(eb_inode_set_acl, void *idmap, struct dentry *dentry, const char *acl_name, void *kacl,
	     int ret)
{
	return ret;
}

SEC("lsm/inode_remove_acl")
int BPF_PROG(eb_inode_remove_acl, void *idmap, struct dentry *dentry, const char *acl_name, int ret)
{
	return ret;
}

SEC("lsm/sb_umount")
int BPF_PROG(eb_sb_umount, struct vfsmount *mnt, int flags, int ret)
{
	return ret;
}

SEC("lsm/task_setrlimit")
int BPF_PROG(eb_task_setrlimit, struct task_struct *p, unsigned int resource, struct rlimit *rlim,
	     int ret)
{
	return ret;
}

SEC("lsm/task_setnice")
int BPF_PROG(eb_task_setnice, struct task_struct *p, int nice, int ret)
{
	return ret;
}

SEC("lsm/task_setscheduler")
int BPF_PROG(eb_task_setscheduler, struct task_struct *p, int ret)
{
	return ret;
}

SEC("lsm/task_setioprio")
int BPF_PROG(eb_task_setioprio, struct task_struct *p, int ioprio, int ret)
{
	return ret;
}

SEC("lsm/sb_mount")
int BPF_PROG(eb_sb_mount, const char *dev_name, const struct path *path, const char *type,
	     unsigned long flags, void *data, int ret)
{
	return ret;
}

SEC("lsm/move_mount")
int BPF_PROG(eb_move_mount, const struct path *from_path, const struct path *to_path, int ret)
{
	return ret;
}

SEC("lsm/sb_pivotroot")
int BPF_PROG(eb_sb_pivotroot, const struct path *old_path, const struct path *new_path, int ret)
{
	return ret;
}

SEC("lsm/netlink_send")
int BPF_PROG(eb_netlink_send, struct sock *sk, struct sk_buff *skb, int ret)
{
	return ret;
}

SEC("lsm/settime")
int BPF_PROG(eb_settime, const struct timespec64 *ts, const struct timezone *tz, int ret)
{
	return ret;
}

SEC("lsm/kernel_read_file")
int BPF_PROG(eb_kernel_read_file, struct file *file, enum kernel_read_file_id id, bool contents,
	     int ret)
{
	return ret;
}

SEC("lsm/kernel_load_data")
int BPF_PROG(eb_kernel_load_data, enum kernel_load_data_id id, bool contents, int ret)
{
	return ret;
}

SEC("lsm/locked_down")
int BPF_PROG(eb_locked_down, enum lockdown_reason what, int ret)
{
	return ret;
}

SEC("lsm/perf_event_open")
int BPF_PROG(eb_perf_event_open)
{
	return 0;
}

SEC("lsm/file_ioctl")
int BPF_PROG(eb_file_ioctl, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	return ret;
}

SEC("lsm/file_ioctl_compat")
int BPF_PROG(eb_file_ioctl_compat, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	return ret;
}

SEC("lsm/unix_stream_connect")
int BPF_PROG(eb_unix_stream_connect, struct sock *sock, struct sock *other, struct sock *newsk,
	     int ret)
{
	return ret;
}

SEC("lsm/cred_free")
int BPF_PROG(eb_cred_free, struct cred *cred)
{
	return 0;
}

SEC("lsm/inode_free_security")
int BPF_PROG(eb_inode_free_security, struct inode *inode)
{
	return 0;
}
