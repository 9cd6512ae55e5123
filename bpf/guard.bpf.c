// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockbox guard: BPF LSM hooks that keep engineers out of customer zones.
 * Every hook keeps an earlier LSM's refusal (`if (ret) return ret;`) and lets a
 * task that is not an engineer go after one map lookup.
 */
#include "guard.bpf.h"
#include "kernel_lock.bpf.h"

char LICENSE[] SEC("license") = "GPL";

static __always_inline __u32 fmode_intent(struct file *file)
{
	__u32 intent = 0;

	if (file->f_mode & FMODE_READ)
		intent |= LB_ACCESS_READ;
	if (file->f_mode & FMODE_WRITE)
		intent |= LB_ACCESS_WRITE;
	return intent;
}

/* A file hook's check: zone of the file, then the grant. */
static __always_inline int check_file(struct file *file, __u16 op, __u32 intent, bool quiet,
				      enum path_src src)
{
	struct access a = {.op = op, .intent = intent, .quiet_allow = quiet, .file = file};

	if (!subject_get(&a.subj))
		return 0;
	if (op == LB_OP_OPEN && kernel_file_open_check(file, &a.subj))
		return -EACCES;
	a.zone = zone_of_file(file, &a.root);
	if (a.zone == ZONE_NONE)
		return 0;
	a.dentry = file->f_path.dentry;
	return decide(&a, src);
}

SEC("lsm/file_open")
int BPF_PROG(lb_file_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	return check_file(file, LB_OP_OPEN, fmode_intent(file), false, PATH_D_PATH);
}

/*
 * Every read and write on an open descriptor: a grant that expired or was
 * revoked after the open stops the next read. Allowed ones are not logged
 * (the open was); the zone comes from the inode cache.
 */
SEC("lsm/file_permission")
int BPF_PROG(lb_file_permission, struct file *file, int mask, int ret)
{
	__u32 intent = 0;

	if (ret)
		return ret;
	if (mask & MAY_READ)
		intent |= LB_ACCESS_READ;
	if (mask & (MAY_WRITE | MAY_APPEND))
		intent |= LB_ACCESS_WRITE;
	if (!intent)
		return 0;
	return check_file(file, intent & LB_ACCESS_WRITE ? LB_OP_WRITE : LB_OP_READ, intent, true,
			  PATH_NAMES);
}

/*
 * Checked when the mapping is made. Pages of a mapping made under a grant stay
 * reachable after the grant ends, until munmap: page faults do not pass
 * through the LSM (docs/threat-model.md).
 */
SEC("lsm/mmap_file")
int BPF_PROG(lb_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	__u32 intent = LB_ACCESS_READ;

	if (ret)
		return ret;
	if (!file)
		return 0;
	if ((prot & PROT_WRITE) && (flags & MAP_SHARED))
		intent |= LB_ACCESS_WRITE;
	return check_file(file, LB_OP_MMAP, intent, false, PATH_NAMES);
}

SEC("lsm/bprm_check_security")
int BPF_PROG(lb_bprm_check, struct linux_binprm *bprm, int ret)
{
	if (ret)
		return ret;
	return check_file(bprm->file, LB_OP_EXEC, LB_ACCESS_READ, false, PATH_D_PATH);
}

/* A zone descriptor passed over SCM_RIGHTS or pidfd_getfd to an engineer without a grant. */
SEC("lsm/file_receive")
int BPF_PROG(lb_file_receive, struct file *file, int ret)
{
	if (ret)
		return ret;
	return check_file(file, LB_OP_RECEIVE, fmode_intent(file), false, PATH_D_PATH);
}

SEC("lsm/path_unlink")
int BPF_PROG(lb_path_unlink, const struct path *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return check_change(dentry, dentry, LB_OP_UNLINK);
}

SEC("lsm/path_rmdir")
int BPF_PROG(lb_path_rmdir, const struct path *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return check_change(dentry, dentry, LB_OP_RMDIR);
}

SEC("lsm/path_mkdir")
int BPF_PROG(lb_path_mkdir, const struct path *dir, struct dentry *dentry, umode_t mode, int ret)
{
	if (ret)
		return ret;
	return check_change(dir->dentry, dentry, LB_OP_MKDIR);
}

/* open(O_CREAT) of a new file comes here too */
SEC("lsm/path_mknod")
int BPF_PROG(lb_path_mknod, const struct path *dir, struct dentry *dentry, umode_t mode,
	     unsigned int dev, int ret)
{
	if (ret)
		return ret;
	return check_change(dir->dentry, dentry,
			    (mode & S_IFMT) == S_IFREG ? LB_OP_CREATE : LB_OP_MKNOD);
}

SEC("lsm/path_symlink")
int BPF_PROG(lb_path_symlink, const struct path *dir, struct dentry *dentry, const char *old_name,
	     int ret)
{
	if (ret)
		return ret;
	return check_change(dir->dentry, dentry, LB_OP_SYMLINK);
}

SEC("lsm/path_truncate")
int BPF_PROG(lb_path_truncate, const struct path *path, int ret)
{
	if (ret)
		return ret;
	return check_change(path->dentry, path->dentry, LB_OP_TRUNCATE);
}

SEC("lsm/path_chmod")
int BPF_PROG(lb_path_chmod, const struct path *path, umode_t mode, int ret)
{
	if (ret)
		return ret;
	return check_change(path->dentry, path->dentry, LB_OP_SETATTR);
}

SEC("lsm/path_chown")
int BPF_PROG(lb_path_chown, const struct path *path, void *uid, void *gid, int ret)
{
	if (ret)
		return ret;
	return check_change(path->dentry, path->dentry, LB_OP_SETATTR);
}

/* The first argument is a user_namespace on 6.1 and a mnt_idmap on 6.12: unused. */
SEC("lsm/inode_setxattr")
int BPF_PROG(lb_inode_setxattr, void *idmap, struct dentry *dentry, const char *name,
	     const void *value, size_t size, int flags, int ret)
{
	if (ret)
		return ret;
	return check_change(dentry, dentry, LB_OP_SETXATTR);
}

SEC("lsm/inode_removexattr")
int BPF_PROG(lb_inode_removexattr, void *idmap, struct dentry *dentry, const char *name, int ret)
{
	if (ret)
		return ret;
	return check_change(dentry, dentry, LB_OP_REMOVEXATTR);
}

/*
 * A hard link in or out of a zone: the engineer needs a write grant on each
 * zone involved, and whoever makes it, the inode stays in its zone (linked map)
 * whichever name it is later opened by, even after its inode leaves the cache.
 */
SEC("lsm/path_link")
int BPF_PROG(lb_path_link, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry, int ret)
{
	struct access a = {.op = LB_OP_LINK, .intent = LB_ACCESS_WRITE, .dentry = old_dentry};
	struct lb_zone_key root_new;
	__u32 zone_new;
	bool engineer;

	if (ret)
		return ret;
	if (!zoned_fs(old_dentry))
		return 0;
	engineer = subject_get(&a.subj);
	a.zone = zone_of(old_dentry, NULL, &a.root);
	zone_new = zone_of(new_dir->dentry, NULL, &root_new);
	if (engineer && a.zone != ZONE_NONE) {
		ret = decide(&a, PATH_NAMES);
		if (ret)
			return ret;
	}
	if (engineer && zone_new != ZONE_NONE && zone_new != a.zone) {
		a.zone = zone_new;
		a.root = root_new;
		a.dentry = new_dentry;
		ret = decide(&a, PATH_NAMES);
		if (ret)
			return ret;
		a.zone = ZONE_NONE;
	}
	if (a.zone == ZONE_NONE || a.zone == ZONE_TOO_DEEP || a.zone == ZONE_DETACHED) {
		a.zone = zone_new;
		a.root = root_new;
	}
	if (a.zone == ZONE_NONE || a.zone == ZONE_TOO_DEEP || a.zone == ZONE_DETACHED)
		return 0;
	{
		struct inode *inode = old_dentry->d_inode;
		struct lb_zone_key lk = {.dev = old_dentry->d_sb->s_dev};
		struct lb_inode_zone v = {.zone = a.zone, .root_ino = a.root.ino};

		if (!inode)
			return 0;
		lk.ino = inode->i_ino;
		bpf_map_update_elem(&linked, &lk, &v, BPF_ANY);
	}
	return 0;
}

/*
 * Rename into, out of, or within a zone needs a write grant on each zone
 * involved. Any rename on a zoned filesystem moves a subtree's answer to
 * "which zone?", so it also retires every cached inode zone.
 */
SEC("lsm/path_rename")
int BPF_PROG(lb_path_rename, const struct path *old_dir, struct dentry *old_dentry,
	     const struct path *new_dir, struct dentry *new_dentry, unsigned int flags, int ret)
{
	struct access a = {.op = LB_OP_RENAME, .intent = LB_ACCESS_WRITE, .dentry = old_dentry};
	struct lb_zone_key root_new;
	struct lb_config *cfg;
	__u32 zone_new;

	if (ret)
		return ret;
	if (!zoned_fs(old_dentry))
		return 0;
	if (subject_get(&a.subj)) {
		a.zone = zone_of(old_dentry, NULL, &a.root);
		zone_new = zone_of(new_dir->dentry, NULL, &root_new);
		if (a.zone != ZONE_NONE) {
			ret = decide(&a, PATH_NAMES);
			if (ret)
				return ret;
		}
		if (zone_new != ZONE_NONE && zone_new != a.zone) {
			a.zone = zone_new;
			a.root = root_new;
			a.dentry = new_dentry;
			ret = decide(&a, PATH_NAMES);
			if (ret)
				return ret;
		}
	}
	cfg = config_get();
	if (cfg)
		__sync_fetch_and_add(&cfg->zone_gen, 1);
	return 0;
}

/* Tamper protection: engineers may not use bpf() at all. */
/*
 * Linux 6.14 added a fourth argument (bool kernel) before the return value,
 * so `ret` is not read here: the arguments named are the ones every kernel
 * has. A BPF LSM program that returns non-zero ends the chain anyway.
 */
SEC("lsm/bpf")
int BPF_PROG(lb_bpf, int cmd, union bpf_attr *attr, unsigned int size)
{
	struct subject s;

	if (!subject_get(&s))
		return 0;
	return deny_tamper(&s, LB_OP_BPF);
}

static __always_inline bool is_agent(struct task_struct *p)
{
	struct lb_config *cfg = config_get();

	return cfg && cfg->agent_tgid && p->tgid == cfg->agent_tgid;
}

/*
 * An engineer may trace only their own processes: tracing the agent, or a
 * root process that is not theirs, would be a way around every other check.
 */
SEC("lsm/ptrace_access_check")
int BPF_PROG(lb_ptrace, struct task_struct *child, unsigned int mode, int ret)
{
	struct subject s;

	if (ret)
		return ret;
	if (!subject_get(&s))
		return 0;
	if (!is_agent(child) && same_identity(child, &s))
		return 0;
	return deny_tamper(&s, LB_OP_PTRACE);
}

/* PTRACE_TRACEME hands the caller to its parent: the same rule, seen from the tracee. */
SEC("lsm/ptrace_traceme")
int BPF_PROG(lb_ptrace_traceme, struct task_struct *parent, int ret)
{
	struct task_struct *self = bpf_get_current_task_btf();
	const struct cred *cred = parent->cred;
	struct subject s = {.uid = cred->uid.val, .loginuid = INVALID_UID};

	if (ret)
		return ret;
	if (bpf_core_field_exists(parent->loginuid))
		s.loginuid = parent->loginuid.val;
	if (!is_engineer(s.uid) && !is_engineer(s.loginuid) && !is_engineer(cred->euid.val))
		return 0;
	if (!is_agent(self) && same_identity(self, &s))
		return 0;
	s.engineer = is_engineer(s.loginuid) ? s.loginuid : s.uid;
	return deny_tamper(&s, LB_OP_PTRACE);
}

SEC("lsm/task_kill")
int BPF_PROG(lb_task_kill, struct task_struct *p, struct kernel_siginfo *info, int sig,
	     const struct cred *cred, int ret)
{
	struct subject s;

	if (ret)
		return ret;
	/* signal 0 only asks whether the agent is alive */
	if (!sig || !is_agent(p) || !subject_get(&s))
		return 0;
	return deny_tamper(&s, LB_OP_SIGNAL);
}

/* O_ASYNC's SIGIO can carry any signal to the owner: none goes to the agent (it uses none). */
SEC("lsm/file_send_sigiotask")
int BPF_PROG(lb_sigiotask, struct task_struct *tsk, struct fown_struct *fown, int sig, int ret)
{
	struct subject s = {.uid = INVALID_UID, .loginuid = INVALID_UID};

	if (ret)
		return ret;
	if (!is_agent(tsk))
		return 0;
	return deny_tamper(&s, LB_OP_SIGNAL);
}

/*
 * Hooks that appeared in 6.2: O_TRUNC and ftruncate(2) moved from path_truncate
 * to file_truncate, POSIX ACLs from the xattr hooks to their own. The loader
 * attaches these only where the kernel has them.
 */
SEC("lsm/file_truncate")
int BPF_PROG(lb_file_truncate, struct file *file, int ret)
{
	if (ret)
		return ret;
	return check_file(file, LB_OP_TRUNCATE, LB_ACCESS_WRITE, false, PATH_NAMES);
}

SEC("lsm/inode_set_acl")
int BPF_PROG(lb_inode_set_acl, void *idmap, struct dentry *dentry, const char *acl_name, void *kacl,
	     int ret)
{
	if (ret)
		return ret;
	return check_change(dentry, dentry, LB_OP_SETXATTR);
}

SEC("lsm/inode_remove_acl")
int BPF_PROG(lb_inode_remove_acl, void *idmap, struct dentry *dentry, const char *acl_name, int ret)
{
	if (ret)
		return ret;
	return check_change(dentry, dentry, LB_OP_REMOVEXATTR);
}

/*
 * Unmounting bpffs drops the pins and with them the guard; unmounting a zoned
 * filesystem is no business of an engineer's either.
 */
SEC("lsm/sb_umount")
int BPF_PROG(lb_sb_umount, struct vfsmount *mnt, int flags, int ret)
{
	struct subject s;

	if (ret)
		return ret;
	if (!zoned_fs(mnt->mnt_root) || !subject_get(&s))
		return 0;
	return deny_tamper(&s, LB_OP_UMOUNT);
}
