// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockbox guard: BPF LSM hooks that keep engineers out of customer zones.
 * Every hook keeps an earlier LSM's refusal (`if (ret) return ret;`) and lets a
 * task that is not an engineer go after one array load (the subjects cache).
 */
#include "guard.bpf.h"
#include "connect.bpf.h"
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

/* A file hook's check for a subject known to be an engineer: zone of the file, then the grant. */
static __always_inline int check_file_as(struct subject *subj, struct file *file, __u16 op,
					 __u32 intent, bool quiet, enum path_src src)
{
	struct access a = {
		.subj = *subj, .op = op, .intent = intent, .quiet_allow = quiet, .file = file};

	/* the two hooks whose allowed verdicts are cached (decide(), verdict_store()) */
	if (op == LB_OP_OPEN || op == LB_OP_READ || op == LB_OP_WRITE)
		a.inode = file->f_inode;
	else
		a.object = file->f_inode;

	a.zone = zone_of_file(file, &a.root);
	if (a.zone == ZONE_NONE)
		return 0;
	a.dentry = file->f_path.dentry;
	return decide(&a, src);
}

/* A file hook's check: is it an engineer, then zone of the file, then the grant. */
static __always_inline int check_file(struct file *file, __u16 op, __u32 intent, bool quiet,
				      enum path_src src)
{
	struct subject s;

	if (!subject_get(&s))
		return 0;
	return check_file_as(&s, file, op, intent, quiet, src);
}

/* Terminal majors: tty/ttyS (4), console (5:1), vcs screen contents (7), pts (136-143). */
static __always_inline bool is_terminal(__u32 rdev)
{
	__u32 major = rdev >> 20, minor = rdev & 0xfffff;

	return major == 4 || (major == 5 && minor == 1) || major == 7 ||
	       (major >= 136 && major <= 143);
}

/*
 * An engineer may open only a terminal of their own: another user's pts would
 * let them read it or type into it (an approver's shell approving for them).
 */
static __always_inline int check_terminal(struct subject *s, struct inode *inode)
{
	__u32 owner = inode->i_uid.val;

	if (owner == s->engineer || owner == s->uid)
		return 0;
	return deny_tamper(s, LB_OP_TTY);
}

#define PROC_SUPER_MAGIC 0x9fa0

/* Whether @inode is a file under /proc/<the agent's pid>/. */
static __always_inline bool agent_proc_file(struct inode *inode)
{
	struct lb_config *cfg;
	struct proc_inode *pi;
	struct pid *pid;

	if (BPF_CORE_READ(inode, i_sb, s_magic) != PROC_SUPER_MAGIC)
		return false;
	cfg = config_get();
	if (!cfg || !cfg->agent_tgid)
		return false;
	pi = container_of(inode, struct proc_inode, vfs_inode);
	pid = BPF_CORE_READ(pi, pid);
	return pid && BPF_CORE_READ(pid, numbers[0].nr) == cfg->agent_tgid;
}

/* What ps and pidof read of any process: the rest of /proc/<agent>/ is not the engineers'. */
static __always_inline bool harmless_proc_name(struct file *file)
{
	struct dentry *d = file->f_path.dentry;

	return NAME_IS(d, "stat") || NAME_IS(d, "status") || NAME_IS(d, "cmdline") ||
	       NAME_IS(d, "comm") || NAME_IS(d, "statm");
}

#define CGROUP2_SUPER_MAGIC 0x63677270

/*
 * Freezing, killing or moving processes by cgroup files: an engineer could
 * freeze the agent's cgroup, or move the agent into a frozen one. Engineers
 * write none of these control files (systemd, which is not an engineer, does).
 */
static __always_inline bool cgroup_control_write(struct file *file, struct inode *inode)
{
	struct dentry *d = file->f_path.dentry;

	if (!(file->f_mode & FMODE_WRITE) ||
	    BPF_CORE_READ(inode, i_sb, s_magic) != CGROUP2_SUPER_MAGIC)
		return false;
	return NAME_IS(d, "cgroup.procs") || NAME_IS(d, "cgroup.threads") ||
	       NAME_IS(d, "cgroup.freeze") || NAME_IS(d, "cgroup.kill");
}

/*
 * file_open for a task that may be an engineer (subject_cached_none() said
 * "not known"), the earlier verdict included. Takes the hook's context, not its
 * arguments, so the hook itself keeps fewer values across its calls.
 */
static __noinline int file_open_check(unsigned long long *ctx)
{
	struct file *file = (struct file *)ctx[0];
	struct inode *inode = file->f_inode;
	int ret = ctx[1];
	struct subject s;

	if (ret || !subject_get(&s))
		return ret;
	/*
	 * An inode this engineer opened under the same grant before: every check
	 * below passed then and depends on nothing that can change without
	 * moving the cache's generation. Counted, not logged again.
	 */
	if (verdict_repeat_open(inode, s.engineer, fmode_intent(file)))
		return 0;
	if ((inode->i_mode & S_IFMT) == S_IFCHR && is_terminal(inode->i_rdev)) {
		ret = check_terminal(&s, inode);
		if (ret)
			return ret;
	}
	/* environ, maps, fd/, mem...: 7.x reads some of these without ptrace_access_check */
	if (agent_proc_file(inode) && !harmless_proc_name(file))
		return deny_tamper(&s, LB_OP_PTRACE);
	if (cgroup_control_write(file, inode))
		return deny_tamper(&s, LB_OP_SIGNAL);
	ret = kernel_file_open_check(file, &s);
	if (ret)
		return ret;
	return check_file_as(&s, file, LB_OP_OPEN, fmode_intent(file), false, PATH_D_PATH);
}

/* A kernel that keeps no login uid (no CONFIG_AUDITSYSCALL): no fast path. */
static __noinline int file_open_nologin(unsigned long long *ctx)
{
	return file_open_check(ctx);
}

/*
 * (struct file *file, int ret). The earlier verdict is read after the probe,
 * where used: read first, it would be kept in a register across the probe's
 * helper call, which every task pays for in the prologue.
 */
SEC("lsm/file_open")
int lb_file_open(unsigned long long *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();

	/* a call of its own: where the field exists, the verifier drops the test and the call */
	if (!bpf_core_field_exists(task->loginuid))
		return file_open_nologin(ctx);
	if (subject_cached_none(task->cred, task->loginuid.val))
		return ctx[1];
	return file_open_check(ctx);
}

static __always_inline __u32 mask_intent(int mask)
{
	__u32 intent = 0;

	if (mask & MAY_READ)
		intent |= LB_ACCESS_READ;
	if (mask & (MAY_WRITE | MAY_APPEND))
		intent |= LB_ACCESS_WRITE;
	return intent;
}

/* file_permission for a task that may be an engineer (ctx: as file_open_check). */
static __noinline int file_permission_check(unsigned long long *ctx)
{
	struct file *file = (struct file *)ctx[0];
	int mask = (int)ctx[1];
	__u32 intent = mask_intent(mask);
	struct subject s;

	if (!(mask & (MAY_READ | MAY_WRITE | MAY_APPEND)))
		return 0;
	if (!subject_get(&s) || verdict_hit(file->f_inode, s.engineer, mask))
		return 0;
	return check_file_as(&s, file, intent & LB_ACCESS_WRITE ? LB_OP_WRITE : LB_OP_READ, intent,
			     true, PATH_NAMES);
}

static __noinline int permission_nologin(unsigned long long *ctx)
{
	return ctx[2] ? ctx[2] : file_permission_check(ctx);
}

/*
 * Every read and write on an open descriptor: a grant that expired or was
 * revoked after the open stops the next read. Allowed ones are not logged
 * (the open was); the zone comes from the inode cache. (struct file *file,
 * int mask, int ret), read as in file_open. The subjects slot is read here
 * and tested in two steps: its cred word alone tells a task that is no
 * engineer (or not known) from a cached engineer, whose cached verdict is read
 * here too; each way out is a return of its own, so the hook keeps no value
 * across a call but ctx.
 */
SEC("lsm/file_permission")
int lb_file_permission(unsigned long long *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	const struct cred *cred = task->cred;
	struct lb_subject_slot *slot;
	__u32 login, engineer;
	__u64 c, id;

	if (!bpf_core_field_exists(task->loginuid)) /* as in file_open */
		return permission_nologin(ctx);
	login = task->loginuid.val;
	slot = subject_slot(cred);
	c = READ_ONCE(slot->cred);
	id = READ_ONCE(*(__u64 *)&slot->loginuid);
	if (c == (__u64)cred) {
		if (id == SUBJECT_WORD(login, LB_UID_UNSET))
			return ctx[2];
	} else if (!ctx[2] && subject_word_engineer(c, id, cred, login, &engineer) &&
		   verdict_hit(((struct file *)ctx[0])->f_inode, engineer, (int)ctx[1])) {
		return 0;
	}
	return ctx[2] ? ctx[2] : file_permission_check(ctx);
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

/* The last name of a hard-linked zone file goes: its linked entry goes with it. */
static __always_inline void linked_forget(struct dentry *dentry)
{
	struct inode *inode = dentry->d_inode;
	struct lb_zone_key key;

	if (!inode || inode->i_nlink > 1 || !zoned_fs(dentry))
		return;
	key.dev = dentry->d_sb->s_dev;
	key.ino = inode->i_ino;
	bpf_map_delete_elem(&linked, &key);
}

SEC("lsm/path_unlink")
int BPF_PROG(lb_path_unlink, const struct path *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	ret = check_change(dentry, dentry, LB_OP_UNLINK);
	if (!ret)
		linked_forget(dentry);
	return ret;
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
	struct lb_zone_key root_new = {};
	__u32 zone_new;
	bool engineer;

	if (ret)
		return ret;
	engineer = subject_get(&a.subj);
	if (engineer && protected_name(new_dentry))
		return deny_tamper(&a.subj, LB_OP_LINK);
	if (!zoned_fs(old_dentry))
		return 0;
	a.zone = zone_of(old_dentry, NULL, &a.root);
	zone_new = zone_of(new_dir->dentry, NULL, &root_new);
	if (engineer) /* a denial's file, for its count: probe read as in pinned_dir() */
		a.object = BPF_CORE_READ(old_dentry, d_inode);
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
		__sync_fetch_and_add(&caches.verdicts.gen, 1); /* its zone may have moved */
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
	struct lb_zone_key root_new = {};
	struct lb_config *cfg;
	bool engineer;
	__u32 zone_new;

	if (ret)
		return ret;
	engineer = subject_get(&a.subj);
	/* zones, lockbox's paths and their ancestors stay where they are, by any rename or exchange
	 */
	if (engineer && (pinned_dir(old_dentry) || pinned_dir(new_dentry) ||
			 protected_name(old_dentry) || protected_name(new_dentry)))
		return deny_tamper(&a.subj, LB_OP_RENAME);
	if (!zoned_fs(old_dentry))
		return 0;
	if (engineer) {
		a.object = BPF_CORE_READ(old_dentry, d_inode); /* as in path_link */
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
	__sync_fetch_and_add(&caches.verdicts.gen, 1);
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
	struct subject s = {.uid = cred->uid.val, .loginuid = task_loginuid(parent)};

	if (ret)
		return ret;
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

/* Starving the agent: no rlimit, nice, scheduler or I/O priority change of it by an engineer. */
static __always_inline int deny_if_agent(struct task_struct *p)
{
	struct subject s;

	if (!is_agent(p) || !subject_get(&s))
		return 0;
	return deny_tamper(&s, LB_OP_SIGNAL);
}

SEC("lsm/task_setrlimit")
int BPF_PROG(lb_task_setrlimit, struct task_struct *p, unsigned int resource, struct rlimit *rlim,
	     int ret)
{
	if (ret)
		return ret;
	return deny_if_agent(p);
}

SEC("lsm/task_setnice")
int BPF_PROG(lb_task_setnice, struct task_struct *p, int nice, int ret)
{
	if (ret)
		return ret;
	return deny_if_agent(p);
}

SEC("lsm/task_setscheduler")
int BPF_PROG(lb_task_setscheduler, struct task_struct *p, int ret)
{
	if (ret)
		return ret;
	return deny_if_agent(p);
}

SEC("lsm/task_setioprio")
int BPF_PROG(lb_task_setioprio, struct task_struct *p, int ioprio, int ret)
{
	if (ret)
		return ret;
	return deny_if_agent(p);
}

/* O_ASYNC's SIGIO can carry any signal to the owner: none goes to the agent (it uses none). */
SEC("lsm/file_send_sigiotask")
int BPF_PROG(lb_sigiotask, struct task_struct *tsk, struct fown_struct *fown, int sig, int ret)
{
	struct subject s = {.uid = LB_UID_UNSET, .loginuid = LB_UID_UNSET};

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
	if (!subject_get(&s))
		return 0;
	if (!zoned_fs(mnt->mnt_root) && !pinned_dir(mnt->mnt_root))
		return 0;
	return deny_tamper(&s, LB_OP_UMOUNT);
}

#define MS_MOVE 8192
#define MS_PROPAGATION                                                                             \
	(0x100000 | 0x40000 | 0x80000 | 0x20000) /* SHARED|PRIVATE|SLAVE|UNBINDABLE */

/* A mount on @d would cover a zone, lockbox's own paths, or a directory above them. */
static __always_inline bool covers_guarded(struct dentry *d)
{
	struct lb_zone_key root;

	if (pinned_dir(d) || protected_name(d))
		return true;
	return zone_of(d, NULL, &root) != ZONE_NONE;
}

/*
 * Engineers may not mount on or above a zone or lockbox's paths, nor move a
 * mount (MS_MOVE names its source only as a string). Propagation changes
 * (unshare -m makes / private) move nothing and stay allowed.
 */
SEC("lsm/sb_mount")
int BPF_PROG(lb_sb_mount, const char *dev_name, const struct path *path, const char *type,
	     unsigned long flags, void *data, int ret)
{
	struct subject s;

	if (ret)
		return ret;
	if (!subject_get(&s))
		return 0;
	if (!(flags & MS_MOVE) && ((flags & MS_PROPAGATION) || !covers_guarded(path->dentry)))
		return 0;
	return deny_tamper(&s, LB_OP_MOUNT);
}

/* The new mount API's attach and move: the target as for mount(2), the source by its fs. */
SEC("lsm/move_mount")
int BPF_PROG(lb_move_mount, const struct path *from_path, const struct path *to_path, int ret)
{
	struct subject s;

	if (ret)
		return ret;
	if (!subject_get(&s))
		return 0;
	if (!covers_guarded(to_path->dentry) && !zoned_fs(from_path->dentry) &&
	    !pinned_dir(from_path->dentry))
		return 0;
	return deny_tamper(&s, LB_OP_MOUNT);
}

SEC("lsm/sb_pivotroot")
int BPF_PROG(lb_sb_pivotroot, const struct path *old_path, const struct path *new_path, int ret)
{
	struct subject s;

	if (ret)
		return ret;
	if (!subject_get(&s))
		return 0;
	return deny_tamper(&s, LB_OP_MOUNT);
}

#define NETLINK_AUDIT	     9
#define AUDIT_GET	     1000
#define AUDIT_SIGNAL_INFO    1010
#define AUDIT_LIST_RULES     1013
#define AUDIT_TTY_GET	     1016
#define AUDIT_GET_FEATURE    1019
#define AUDIT_FIRST_USER_MSG 1100
#define AUDIT_MSGS_MAX	     8 /* messages looked at in one send; more is refused */

static __always_inline bool audit_control(__u16 type)
{
	if (type >= AUDIT_FIRST_USER_MSG)
		return false; /* user messages: sudo and login write these */
	return type != AUDIT_GET && type != AUDIT_SIGNAL_INFO && type != AUDIT_LIST_RULES &&
	       type != AUDIT_TTY_GET && type != AUDIT_GET_FEATURE;
}

/*
 * Engineers get no audit control: turning loginuid_immutable off (the login
 * uid is the identity the guard keys on), rules, the audit daemon's pid.
 * Every message of the send is looked at, not just the first.
 */
SEC("lsm/netlink_send")
int BPF_PROG(lb_netlink_send, struct sock *sk, struct sk_buff *skb, int ret)
{
	unsigned char *data;
	struct subject s;
	__u32 len, off = 0;
	int i;

	if (ret)
		return ret;
	if (sk->sk_protocol != NETLINK_AUDIT || !subject_get(&s))
		return 0;
	data = skb->data;
	len = skb->len;
	for (i = 0; i < AUDIT_MSGS_MAX; i++) {
		struct nlmsghdr nh;

		if (off + sizeof(nh) > len)
			return 0;
		if (bpf_probe_read_kernel(&nh, sizeof(nh), data + off) < 0)
			break;
		if (audit_control(nh.nlmsg_type) || nh.nlmsg_len < sizeof(nh))
			break;
		off += (nh.nlmsg_len + 3) & ~3u;
	}
	return deny_tamper(&s, LB_OP_AUDIT_CTL);
}

/* Engineers do not set the clock: the trail's times and request expiry read it. */
SEC("lsm/settime")
int BPF_PROG(lb_settime, const struct timespec64 *ts, const struct timezone *tz, int ret)
{
	struct subject s;

	if (ret)
		return ret;
	if (!subject_get(&s))
		return 0;
	return deny_tamper(&s, LB_OP_CLOCK);
}

/*
 * A struct cred is freed: its address may next hold anyone's credentials, so
 * the subjects cache forgets it, as no engineer or as one (subject_get()).
 * Called by the kernel for every cred with an LSM blob; subject_store() caches
 * no other.
 */
SEC("lsm/cred_free")
int BPF_PROG(lb_cred_free, struct cred *cred)
{
	struct lb_subject_slot *slot = subject_slot(cred);
	__u64 c = READ_ONCE(slot->cred);

	if (c == (__u64)cred || (c ^ LB_SUBJECT_ENGINEER) == (__u64)cred)
		slot->cred = 0;
	return 0;
}

/*
 * An inode is freed: its address may next hold another file, so the verdicts
 * cache forgets it, recording the opens it counted. A writer that has the
 * slot fills it for another inode (one being freed has no open file), after
 * recording these.
 */
SEC("lsm/inode_free_security")
int BPF_PROG(lb_inode_free_security, struct inode *inode)
{
	struct lb_verdict_slot *slot = verdict_slot(inode);
	__u32 seq;

	if (READ_ONCE(slot->inode) != (__u64)inode || !slot_lock(slot, &seq))
		return 0;
	if (slot->inode == (__u64)inode) {
		verdict_flush(slot, bpf_ktime_get_boot_ns());
		slot->inode = 0;
	}
	slot_unlock(slot);
	return 0;
}
