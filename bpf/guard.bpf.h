/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guard's decision in three steps, shared by every hook:
 *   subject_get()  is the current task an engineer? (fast path: the subjects cache)
 *   zone_of()      which zone, if any, holds this dentry? (inode cache, else a bounded walk)
 *   decide()       does a live grant cover the intent? emit the audit event, cache the verdict.
 * file_open and file_permission look in the verdicts cache first (include/lockbox.h).
 */
#ifndef GUARD_BPF_H
#define GUARD_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "lockbox.h"
#include "maps.bpf.h"

#define EACCES	    13
#define FMODE_READ  0x1
#define FMODE_WRITE 0x2
#define MAY_WRITE   0x2
#define MAY_READ    0x4
#define MAY_APPEND  0x8
#define S_IFMT	    00170000
#define S_IFBLK	    0060000
#define S_IFCHR	    0020000
#define S_IFREG	    0100000
#define PROT_WRITE  0x2
#define MAP_SHARED  0x01

/* zone_of() results that are not zone ids */
#define ZONE_NONE     0
#define ZONE_TOO_DEEP ((__u32)-1) /* walk bound reached: fail closed */
#define ZONE_DETACHED ((__u32)-2) /* a dentry with no way up (open_by_handle_at): fail closed */

/* How many names an event path gets where bpf_d_path is not allowed. */

struct subject {
	__u32 uid;
	__u32 loginuid;
	__u32 engineer; /* identity the grant is keyed by */
};

static __always_inline struct lb_config *config_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&guard_config, &zero);
}

static __always_inline bool is_engineer(__u32 id)
{
	if (id < LB_UID_BITS) {
		__u32 word = id / 64;
		__u64 *bits = bpf_map_lookup_elem(&engineer_bits, &word);

		return bits && (*bits >> (id % 64)) & 1;
	}
	return id != LB_UID_UNSET && bpf_map_lookup_elem(&engineers, &id);
}

/*
 * A kernel address's low 32 bits as a number: the verifier refuses shifts and
 * masks on a pointer, but lets a privileged program copy one into a 32-bit
 * register (an alu32 move: the object is built with -mcpu=v3), which it then
 * treats as an unknown scalar.
 */
static __always_inline __u32 addr_bits(const void *p)
{
	__u32 v;

	/* spelled out: clang would fold the truncation into a 64-bit shift of the pointer */
	asm volatile("%[v] = %[p]" : [v] "=w"(v) : [p] "w"((__u32)(unsigned long)p));
	return v;
}

#define READ_ONCE(x) (*(volatile typeof(x) *)&(x))

_Static_assert(sizeof(struct lb_subject_slot) == 16, "subject_slot() computes 16-byte slots");

static __always_inline struct lb_subject_slot *subject_slot(const struct cred *cred)
{
	/* the slot's byte offset in one shift and one mask: (bits >> 6) * 16 */
	__u32 off = (addr_bits(cred) >> (LB_CRED_SHIFT - 4)) & ((LB_SUBJECT_SLOTS - 1) << 4);

	return (struct lb_subject_slot *)((char *)caches.subjects.slot + off);
}

/* @task's login uid; LB_UID_UNSET when it has none or the kernel keeps none. */
static __always_inline __u32 task_loginuid(struct task_struct *task)
{
	if (bpf_core_field_exists(task->loginuid)) /* CONFIG_AUDITSYSCALL */
		return task->loginuid.val;
	return LB_UID_UNSET;
}

/* What the subjects cache says of a cred and login uid (include/lockbox.h). */
enum subject_known {
	SUBJECT_MISS,	  /* nothing: the full check */
	SUBJECT_NONE,	  /* no engineer */
	SUBJECT_ENGINEER, /* an engineer, by the identity given */
};

/*
 * A slot's second word: the login uid, and the engineer the grants are keyed
 * by. A no-engineer slot holds LB_UID_UNSET there; an engineer slot only the
 * login uid itself (subject_store()).
 */
#define SUBJECT_WORD(login, engineer) ((__u64)(__u32)(login) | (__u64)(engineer) << 32)

/*
 * A slot is a hit only when its cred word and its second word are what a
 * store for this cred and login uid could write. Two stores racing on a slot
 * (one cred can be shared by tasks with different login uids: fork, then a
 * login uid write; or two creds share a slot) can leave one's cred beside the
 * other's word. "No engineer" needs the whole word (login uid, none); an
 * engineer's word must name the task's login uid and, as its engineer, that
 * login uid or the task's own uid: the identity the full check gives it (a
 * word naming an engineer other than the login uid is only written when the
 * login uid is none, and the engineers set moving clears every slot). So a
 * task is never read as no engineer, or as someone else, from a word another
 * task wrote.
 */
static __always_inline bool subject_word_engineer(__u64 c, __u64 id, const struct cred *cred,
						  __u32 login, __u32 *engineer)
{
	__u32 e = id >> 32;

	/* an engineer's word names this task's own login uid or uid (subject_store()) */
	if ((c ^ LB_SUBJECT_ENGINEER) != (__u64)cred || (__u32)id != login || e == LB_UID_UNSET ||
	    (e != login && e != cred->uid.val))
		return false;
	*engineer = e;
	return true;
}

static __always_inline int subject_cached(const struct cred *cred, __u32 login, __u32 *engineer)
{
	struct lb_subject_slot *slot = subject_slot(cred);
	__u64 c = READ_ONCE(slot->cred), id = READ_ONCE(*(__u64 *)&slot->loginuid);

	if (c == (__u64)cred)
		return id == SUBJECT_WORD(login, LB_UID_UNSET) ? SUBJECT_NONE : SUBJECT_MISS;
	return subject_word_engineer(c, id, cred, login, engineer) ? SUBJECT_ENGINEER
								   : SUBJECT_MISS;
}

/*
 * Whether @cred with login uid @login is cached as no engineer: the fast path,
 * alone (one inlined array load; include/lockbox.h says why a hit cannot be
 * stale). file_open and file_permission make it first and leave the rest to a
 * subprogram, so a task that is no engineer runs nothing else.
 */
static __always_inline bool subject_cached_none(const struct cred *cred, __u32 login)
{
	struct lb_subject_slot *slot = subject_slot(cred);

	return READ_ONCE(slot->cred) == (__u64)cred &&
	       READ_ONCE(*(__u64 *)&slot->loginuid) == SUBJECT_WORD(login, LB_UID_UNSET);
}

/*
 * Caches what the full check found for @cred (@task's) and @login: no engineer
 * (@engineer LB_UID_UNSET), or the engineer by login uid or by uid. One by euid
 * or fsuid only is not cached: subject_cached() could not tell its word from
 * another cred's. Not when no LSM
 * keeps a blob on creds: the kernel then skips cred_free, which would have to
 * forget the slot.
 */
static __always_inline void subject_store(struct task_struct *task, const struct cred *cred,
					  __u32 login, __u32 engineer)
{
	struct lb_subject_slot *slot = subject_slot(cred);
	__u64 addr;

	if (!cred->security)
		return;
	/*
	 * The word first, the cred last (ordered stores; x86 keeps them in
	 * order): a reader that sees this cred sees a login uid and engineer
	 * found in the current engineers set, never ones left in the slot from
	 * before the agent last cleared it.
	 */
	if (engineer == LB_UID_UNSET) {
		*(volatile __u64 *)&slot->loginuid = SUBJECT_WORD(login, LB_UID_UNSET);
		*(volatile __u64 *)&slot->cred = (__u64)cred;
		return;
	}
	if (engineer != login && engineer != cred->uid.val)
		return;
	/*
	 * The address as a number, to be marked (the verifier allows no
	 * arithmetic on a pointer): @cred, as only the task itself changes it.
	 */
	if (bpf_probe_read_kernel(&addr, sizeof(addr), &task->cred))
		return;
	*(volatile __u64 *)&slot->loginuid = SUBJECT_WORD(login, engineer);
	*(volatile __u64 *)&slot->cred = addr | LB_SUBJECT_ENGINEER;
}

/*
 * The full check, when the subjects cache has no answer. A task is an engineer
 * if its uid, euid, fsuid or loginuid is one; su, sudo and setuid binaries
 * change the first three but not loginuid, so the grant is keyed by loginuid
 * when that is an engineer. Distinct ids only. The answer is cached either way.
 */
static __always_inline bool subject_lookup(struct subject *s, struct task_struct *task,
					   const struct cred *cred, __u32 login)
{
	__u32 uid = cred->uid.val, euid = cred->euid.val, fsuid = cred->fsuid.val;

	s->uid = uid;
	s->loginuid = login;
	if (is_engineer(login))
		s->engineer = login;
	else if (uid != login && is_engineer(uid))
		s->engineer = uid;
	else if (euid != uid && euid != login && is_engineer(euid))
		s->engineer = euid;
	else if (fsuid != uid && fsuid != euid && fsuid != login && is_engineer(fsuid))
		s->engineer = fsuid;
	else
		s->engineer = LB_UID_UNSET;
	subject_store(task, cred, login, s->engineer);
	return s->engineer != LB_UID_UNSET;
}

/* Is the current task an engineer? The subjects cache first, then the full check. */
static __always_inline bool subject_get(struct subject *s)
{
	struct task_struct *task = bpf_get_current_task_btf();
	const struct cred *cred = task->cred;
	__u32 login = task_loginuid(task);

	switch (subject_cached(cred, login, &s->engineer)) {
	case SUBJECT_NONE:
		return false;
	case SUBJECT_ENGINEER:
		s->uid = cred->uid.val;
		s->loginuid = login;
		return true;
	}
	return subject_lookup(s, task, cred, login);
}

/* Whether @task runs as the same person as @s: same uid, euid and loginuid. */
static __always_inline bool same_identity(struct task_struct *task, struct subject *s)
{
	const struct cred *cred = task->cred;

	return cred->uid.val == s->uid && cred->euid.val == s->uid &&
	       task_loginuid(task) == s->loginuid;
}

static __always_inline bool zoned_fs(struct dentry *dentry)
{
	__u64 dev = dentry->d_sb->s_dev;

	return bpf_map_lookup_elem(&zone_devs, &dev);
}

/*
 * A dentry as a number, for the global functions below: a global function may
 * not take a kernel pointer on 6.1, and a pointer may not become a number
 * but by a copy.
 */
static __always_inline __u64 dentry_addr(struct dentry *p)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return v;
}

/*
 * Walks d_parent from @dentry up to the root of its filesystem, looking each
 * directory up by (@key->dev, ino): the zone, with @key->ino its root (0 for
 * none), or ZONE_TOO_DEEP or ZONE_DETACHED. A global function, so the verifier
 * checks its LB_MAX_DEPTH iterations once per program, not at every inlined
 * zone_of(); the dentries are read with probe reads, as a pointer walk's loads
 * are. Only uncached lookups walk (path changes, an inode's first open).
 */
__noinline int zone_walk(__u64 dentry, struct lb_zone_key *key)
{
	struct dentry *d = (struct dentry *)dentry;
	struct lb_zone_key k;
	int i;

	if (!key)
		return ZONE_DETACHED;
	k.dev = key->dev;
	for (i = 0; i < LB_MAX_DEPTH; i++) {
		struct inode *inode = BPF_CORE_READ(d, d_inode);
		struct dentry *parent;
		__u32 *z;

		if (inode) {
			k.ino = BPF_CORE_READ(inode, i_ino);
			z = bpf_map_lookup_elem(&zones, &k);
			if (z) {
				key->ino = k.ino;
				return *z;
			}
		}
		parent = BPF_CORE_READ(d, d_parent);
		if (parent == d) {
			/* the top: the filesystem's root, or a dentry cut off from it */
			if (d != BPF_CORE_READ(d, d_sb, s_root))
				return ZONE_DETACHED;
			key->ino = 0;
			return ZONE_NONE;
		}
		d = parent;
	}
	return ZONE_TOO_DEEP;
}

/*
 * The zone holding @dentry. A multiply-linked file may be tied to a zone by
 * one of its names (linked map); an inode's zone is cached in inode storage,
 * valid for the current zone generation, when the caller has a trusted pointer
 * to the inode (@cached: file->f_inode; from 7.x the verifier refuses inode
 * storage on a pointer read from a dentry). Otherwise walk d_parent up to the root of its
 * filesystem and look each directory up by (dev, ino): keyed by inode, not by name, so bind mounts,
 * "..", symlinks and relative paths all land on the same root.
 */
static __always_inline __u32 zone_of(struct dentry *dentry, struct inode *cached,
				     struct lb_zone_key *root)
{
	struct inode *leaf = dentry->d_inode;
	struct lb_inode_zone *iz = NULL;
	struct lb_config *cfg;
	struct lb_zone_key key;
	__u64 gen = 0;
	__u32 zone;

	key.dev = dentry->d_sb->s_dev;
	if (!bpf_map_lookup_elem(&zone_devs, &key.dev))
		return ZONE_NONE;
	cfg = config_get();
	if (cfg)
		gen = cfg->zone_gen + 1;
	if (leaf) {
		if (leaf->i_nlink > 1) {
			struct lb_zone_key lk = {.dev = key.dev, .ino = leaf->i_ino};

			iz = bpf_map_lookup_elem(&linked, &lk);
			if (iz) {
				root->dev = key.dev;
				root->ino = iz->root_ino;
				return iz->zone;
			}
		}
	}
	if (cached) {
		iz = bpf_inode_storage_get(&inode_zones, cached, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (iz && iz->gen == gen) {
			root->dev = key.dev;
			root->ino = iz->root_ino;
			return iz->zone;
		}
	}

	zone = zone_walk(dentry_addr(dentry), &key);
	if (zone == ZONE_TOO_DEEP || zone == ZONE_DETACHED)
		return zone;
	*root = key; /* the zone root, or (dev, 0) for a file in no zone */
	if (iz) {
		iz->zone = zone;
		iz->root_ino = root->ino;
		iz->gen = gen;
	}
	return zone;
}

/* Raw block devices listed by a zone are matched by device number, not by path. */
static __always_inline __u32 zone_of_file(struct file *file, struct lb_zone_key *root)
{
	struct inode *inode = file->f_inode;

	if ((inode->i_mode & S_IFMT) == S_IFBLK) {
		__u32 rdev = inode->i_rdev, *z = bpf_map_lookup_elem(&zone_blkdevs, &rdev);

		if (z) {
			root->dev = 0;
			root->ino = 0;
			return *z;
		}
	}
	return zone_of(file->f_path.dentry, inode, root);
}

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);

	if (c)
		*c += 1;
}

static __always_inline bool permissive(void)
{
	struct lb_config *cfg = config_get();

	return cfg && cfg->mode == LB_MODE_PERMISSIVE;
}

/* How an event gets its path. */
enum path_src {
	PATH_D_PATH, /* bpf_d_path(&file->f_path): only some hooks may call it */
	PATH_NAMES,  /* names walked up from dentry to the zone root */
};

struct access {
	struct subject subj;
	struct lb_zone_key root;
	__u32 zone;
	__u32 intent; /* LB_ACCESS_* */
	__u16 op;
	bool quiet_allow;      /* no event for an allowed access (per read/write checks) */
	struct file *file;     /* PATH_D_PATH */
	struct dentry *dentry; /* PATH_NAMES */
	struct inode *inode;   /* file_open, file_permission: cache an allowed verdict for it */
	struct inode *object;  /* another hook's existing file, for its denials' count */
};

/* The buffer names_into() fills: a type the verifier can size (a char * is one byte). */
struct names_buf {
	char s[LB_PATH_LEN];
};

/*
 * NUL-separated names from @dentry up to (not including) the zone root, leaf
 * first: how many. A global function, so the verifier checks its loop once
 * per program instead of at each inlined copy with each state that reaches
 * it (that was most of the guard's load time: seconds per agent start under
 * emulation). A global function may not take a kernel pointer on 6.1, so the
 * dentry comes as a number and is read with probe reads, as the direct loads
 * of a pointer walk are; only events and first denials pay for it.
 */
__noinline int names_into(struct names_buf *buf, __u64 dentry, __u64 root_ino)
{
	struct dentry *d = (struct dentry *)dentry;
	__u32 off = 0;
	int n = 0, i;

	if (!buf)
		return 0;
	for (i = 0; i < LB_PATH_NAMES_MAX; i++) {
		struct inode *inode = BPF_CORE_READ(d, d_inode);
		struct dentry *parent;
		long len;

		if (inode && BPF_CORE_READ(inode, i_ino) == root_ino)
			break;
		/* masked offset and half-buffer size: the verifier's proof that it fits */
		len = bpf_probe_read_kernel_str(&buf->s[off & (LB_PATH_LEN / 2 - 1)],
						LB_PATH_LEN / 2, BPF_CORE_READ(d, d_name.name));
		if (len <= 0)
			break;
		off += len;
		n++;
		parent = BPF_CORE_READ(d, d_parent);
		if (off >= LB_PATH_LEN / 2 || parent == d)
			break;
		d = parent;
	}
	return n;
}

static __always_inline void fill_names(struct lb_event *e, struct dentry *d, __u64 root_ino)
{
	e->names = names_into((struct names_buf *)e->path, dentry_addr(d), root_ino);
	e->path_kind = LB_PATH_NAMES;
}

static __always_inline void fill_event(struct lb_event *e, struct access *a, __u64 now,
				       enum path_src src)
{
	__u64 id = bpf_get_current_pid_tgid();

	e->time_ns = now;
	e->dev = a->root.dev;
	e->ino = a->root.ino;
	e->pid = (__u32)id;
	e->tgid = id >> 32;
	e->uid = a->subj.uid;
	e->loginuid = a->subj.loginuid;
	e->engineer = a->subj.engineer;
	e->zone = a->zone == ZONE_TOO_DEEP || a->zone == ZONE_DETACHED ? 0 : a->zone;
	e->op = a->op;
	e->access = a->intent;
	e->names = 0;
	e->path_kind = LB_PATH_FULL;
	e->path[0] = 0;
	e->count = 1;
	e->flags = 0;
	e->first_ns = 0; /* ring memory is not zeroed: the agent refuses a plain event with one */
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (src == PATH_D_PATH && a->file) {
		if (bpf_d_path((struct path *)&a->file->f_path, e->path, sizeof(e->path)) < 0)
			e->path[0] = 0;
	} else if (a->dentry) {
		fill_names(e, a->dentry, a->root.ino);
	}
}

_Static_assert(sizeof(struct lb_verdict_slot) == 64, "verdict_slot() computes 64-byte slots");

static __always_inline struct lb_verdict_slot *verdict_slot(const struct inode *inode)
{
	__u32 off = (addr_bits(inode) << (6 - LB_INODE_SHIFT)) & ((LB_VERDICT_SLOTS - 1) << 6);

	return (struct lb_verdict_slot *)((char *)caches.verdicts.slot + off);
}

static __always_inline __u32 verdict_gen(void)
{
	return (__u32)READ_ONCE(caches.verdicts.gen);
}

/* Takes @slot for filling (seq odd): false if another writer has it. */
static __always_inline bool slot_lock(struct lb_verdict_slot *slot, __u32 *seq)
{
	__u32 s = READ_ONCE(slot->seq);

	if (s & 1)
		return false;
	if (__sync_val_compare_and_swap(&slot->seq, s, s + 1) != s)
		return false;
	*seq = s;
	return true;
}

/* An atomic add: a full barrier, so the slot's new fields are seen before seq is even. */
static __always_inline void slot_unlock(struct lb_verdict_slot *slot)
{
	__sync_fetch_and_add(&slot->seq, 1);
}

/* Whether @slot (read while it is stable) lets @engineer do @intent on @inode now. */
static __always_inline bool slot_allows(struct lb_verdict_slot *slot, const struct inode *inode,
					__u32 engineer, __u32 intent)
{
	return READ_ONCE(slot->inode) == (__u64)inode && READ_ONCE(slot->engineer) == engineer &&
	       READ_ONCE(slot->gen) == verdict_gen() && !(intent & ~READ_ONCE(slot->access)) &&
	       (__s32)(READ_ONCE(slot->until) - (__u32)bpf_jiffies64()) > 0;
}

/*
 * A read's or write's fast path: a cached allowed verdict for the hook's @mask,
 * read without taking the slot: seq must be even and not move meanwhile (one
 * compare: an odd seq read first is never equal to itself less one later). The
 * clock last, so that only the deadline is kept across its call.
 */
static __always_inline bool verdict_hit(const struct inode *inode, __u32 engineer, int mask)
{
	struct lb_verdict_slot *slot = verdict_slot(inode);
	__u32 seq = READ_ONCE(slot->seq) & ~1u;
	volatile __u32
		until; /* on the stack: in a register, every caller's prologue would save one */
	__u32 now;

	if (READ_ONCE(slot->inode) != (__u64)inode || READ_ONCE(slot->engineer) != engineer ||
	    READ_ONCE(slot->gen) != verdict_gen() || mask & READ_ONCE(slot->denies))
		return false;
	until = READ_ONCE(slot->until);
	if (READ_ONCE(slot->seq) != seq)
		return false;
	now = bpf_jiffies64();
	return (__s32)(until - now) > 0;
}

/*
 * An open's fast path: a cached allowed verdict whose open with this intent
 * was logged; this one is counted in the slot (under its lock: the count is
 * exact). A first write open after read opens is logged on its own.
 */
static __always_inline bool verdict_repeat_open(const struct inode *inode, __u32 engineer,
						__u32 intent)
{
	struct lb_verdict_slot *slot = verdict_slot(inode);
	bool hit;
	__u32 seq;

	if (!slot_lock(slot, &seq))
		return false;
	hit = slot->logged && !(intent & ~slot->logged) &&
	      slot_allows(slot, inode, engineer, intent);
	if (hit)
		slot->opens++;
	slot_unlock(slot);
	return hit;
}

/* The record of a slot's unrecorded repeated opens (the slot is locked). */
static __always_inline void verdict_flush(struct lb_verdict_slot *slot, __u64 now)
{
	struct lb_event *e;

	if (!slot->logged || !slot->opens)
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(LB_CNT_EVENTS_LOST);
		return;
	}
	__builtin_memset(e, 0, __builtin_offsetof(struct lb_event, path));
	e->path[0] = 0;
	e->flags = LB_EVENT_REPEATS;
	e->first_ns = 0;
	e->time_ns = now;
	e->grant_id = slot->grant_id;
	e->dev = slot->root_dev;
	e->ino = slot->root_ino;
	e->uid = slot->engineer;
	e->loginuid = LB_UID_UNSET;
	e->engineer = slot->engineer;
	e->zone = slot->zone;
	e->op = LB_OP_OPEN;
	e->verdict = LB_VERDICT_ALLOW;
	e->reason = LB_REASON_GRANT;
	e->access = slot->logged;     /* the intents of the logged opens these repeat */
	e->path_kind = LB_PATH_NAMES; /* no names: the zone root, the file unknown here */
	e->count = slot->opens;
	slot->opens = 0;
	bpf_ringbuf_submit(e, 0);
}

/*
 * Caches @a's allowed verdict under grant @g, read at generation @gen (before
 * the grant lookup). Returns true when @a is an open of an inode already
 * logged under this grant: counted, not logged again.
 */
static __always_inline bool verdict_store(struct access *a, struct lb_grant *g, __u32 gen,
					  __u64 now)
{
	struct lb_verdict_slot *slot = verdict_slot(a->inode);
	bool same, open = a->op == LB_OP_OPEN, repeat = false;
	__u64 left = (g->expires_ns - now) >> 24; /* in ticks of 16.7 ms: no HZ is slower */
	__u32 seq;

	/*
	 * Regular files only: file_open's other checks (terminals, devices, /proc,
	 * cgroup and kernel-control files) never apply to one on a filesystem that
	 * holds a zone, so a repeated open may skip them.
	 */
	if ((a->inode->i_mode & S_IFMT) != S_IFREG || !slot_lock(slot, &seq))
		return false;
	same = slot->inode == (__u64)a->inode && slot->engineer == a->subj.engineer &&
	       slot->grant_id == g->id;
	if (!same) {
		verdict_flush(slot, now);
		slot->logged = 0;
		slot->opens = 0;
	}
	if (open && same && slot->logged && !(a->intent & ~slot->logged)) {
		slot->opens++;
		repeat = true;
	} else if (open) {
		slot->logged |= a->intent;
	}
	slot->inode = (__u64)a->inode;
	slot->engineer = a->subj.engineer;
	slot->grant_id = g->id;
	slot->gen = gen;
	slot->until = (__u32)bpf_jiffies64() + (left < LB_VERDICT_TICKS ? left : LB_VERDICT_TICKS);
	slot->access = g->access;
	slot->denies = (g->access & LB_ACCESS_READ ? 0 : MAY_READ) |
		       (g->access & LB_ACCESS_WRITE ? 0 : MAY_WRITE | MAY_APPEND);
	slot->zone = a->zone;
	slot->root_dev = a->root.dev;
	slot->root_ino = a->root.ino;
	slot_unlock(slot);
	return repeat;
}

#include "denials.bpf.h"

/*
 * The verdict on an engineer's access in a zone, with its audit event. No
 * access is allowed without its log line: if the ring buffer is full, a
 * granted access is denied too. @src must be a constant so hooks that may not
 * call bpf_d_path do not contain the call at all.
 */
static __always_inline int decide(struct access *a, enum path_src src)
{
	struct lb_grant_key gk = {.uid = a->subj.engineer, .zone = a->zone};
	__u32 gen = verdict_gen(); /* before the grant: a change after it moves gen */
	struct lb_grant *g = NULL;
	struct lb_event *e;
	__u64 now = bpf_ktime_get_boot_ns();
	__u8 reason;

	if (a->zone == ZONE_TOO_DEEP) {
		reason = LB_REASON_DEPTH;
		count(LB_CNT_DEPTH_DENIED);
	} else if (a->zone == ZONE_DETACHED) {
		reason = LB_REASON_DETACHED;
	} else if (a->zone == LB_ZONE_AGENT && !(a->intent & LB_ACCESS_WRITE)) {
		return 0; /* the agent's config and database: readable, not changeable */
	} else {
		g = bpf_map_lookup_elem(&grants, &gk);
		if (!g)
			reason = LB_REASON_NO_GRANT;
		else if (now >= g->expires_ns)
			reason = LB_REASON_EXPIRED;
		else if (a->intent & ~g->access)
			reason = LB_REASON_ACCESS;
		else
			reason = LB_REASON_GRANT;
	}
	if (reason == LB_REASON_GRANT && a->inode && g && verdict_store(a, g, gen, now))
		return 0; /* an open of an inode already logged under this grant: counted */
	if (reason != LB_REASON_GRANT && a->inode) {
		struct denial d = {.grant_id = g ? g->id : 0,
				   .reason = reason,
				   .verdict = permissive() ? LB_VERDICT_AUDIT : LB_VERDICT_DENY};

		/* a denied open, read or write of a file: logged once, its repeats counted */
		if (deny_counted(a, &d, now, src))
			return d.verdict == LB_VERDICT_AUDIT ? 0 : -EACCES;
	} else if (reason != LB_REASON_GRANT && src == PATH_NAMES && a->object && a->dentry) {
		struct denial d = {.grant_id = g ? g->id : 0,
				   .reason = reason,
				   .verdict = permissive() ? LB_VERDICT_AUDIT : LB_VERDICT_DENY};

		/* any other denial of an existing file: the same, or logged there alone */
		deny_named_counted(a, &d, now);
		return d.verdict == LB_VERDICT_AUDIT ? 0 : -EACCES;
	}
	if (reason == LB_REASON_GRANT && a->quiet_allow)
		return 0;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(LB_CNT_EVENTS_LOST);
		if (reason == LB_REASON_GRANT)
			count(LB_CNT_NOLOG_DENIED);
		return permissive() ? 0 : -EACCES;
	}
	fill_event(e, a, now, src);
	e->grant_id = g ? g->id : 0;
	e->reason = reason;
	if (reason == LB_REASON_GRANT) {
		e->verdict = LB_VERDICT_ALLOW;
		/*
		 * Waking the agent costs more than the whole check: allowed events
		 * wait for its next read (at most a second) unless the buffer is
		 * filling up. Denials wake it at once.
		 */
		bpf_ringbuf_submit(e, bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >
						      LB_EVENTS_BYTES / 4
					      ? BPF_RB_FORCE_WAKEUP
					      : BPF_RB_NO_WAKEUP);
		return 0;
	}
	if (permissive()) {
		e->verdict = LB_VERDICT_AUDIT;
		bpf_ringbuf_submit(e, 0);
		return 0;
	}
	e->verdict = LB_VERDICT_DENY;
	bpf_ringbuf_submit(e, 0);
	return -EACCES;
}

/*
 * An engineer's attempt on the guard, the kernel or lockbox's own paths:
 * refused and logged. @src must be a constant (PATH_D_PATH only where the
 * hook may call bpf_d_path, with @file set).
 */
static __always_inline int refuse(struct subject *s, __u16 op, struct file *file, enum path_src src)
{
	struct access a = {.subj = *s, .op = op, .file = file};
	bool audit_only = permissive();
	struct lb_event *e;

	/* with no file, identical ones are counted (tamper_counted()) */
	if (!file && tamper_counted(s->engineer, s->uid, s->loginuid, op,
				    audit_only ? LB_VERDICT_AUDIT : LB_VERDICT_DENY))
		return audit_only ? 0 : -EACCES;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(LB_CNT_EVENTS_LOST);
		return audit_only ? 0 : -EACCES;
	}
	fill_event(e, &a, bpf_ktime_get_boot_ns(), src);
	e->grant_id = 0;
	e->reason = LB_REASON_TAMPER;
	e->verdict = audit_only ? LB_VERDICT_AUDIT : LB_VERDICT_DENY;
	bpf_ringbuf_submit(e, 0);
	return audit_only ? 0 : -EACCES;
}

/* bpf(), ptrace or a signal aimed at the guard by an engineer: refused and logged. */
static __always_inline int deny_tamper(struct subject *s, __u16 op)
{
	return refuse(s, op, NULL, PATH_NAMES);
}

/* Whether @d is one of the directories that may not move: a zone root, a protected path, or an
 * ancestor of one. */
static __always_inline bool pinned_dir(struct dentry *d)
{
	/*
	 * @d may be negative (a rename's target). 6.12's verifier takes a hook
	 * argument's d_inode as trusted and never NULL, drops the NULL check and
	 * faults on it (later kernels list d_inode as trusted_or_null in the verifier);
	 * read it with a probe read instead.
	 */
	struct inode *inode = BPF_CORE_READ(d, d_inode);
	struct lb_zone_key key;

	if (!inode)
		return false;
	key.dev = BPF_CORE_READ(d, d_sb, s_dev);
	key.ino = BPF_CORE_READ(inode, i_ino);
	return bpf_map_lookup_elem(&pinned_dirs, &key);
}

/* Whether the name @d stands at is one of lockbox's own paths or an identity source. */
static __always_inline bool protected_name(struct dentry *d)
{
	struct dentry *parent = d->d_parent;
	struct lb_name_key key = {};
	struct inode *dir;

	if (!parent || parent == d)
		return false;
	dir = parent->d_inode;
	if (!dir)
		return false;
	key.dev = d->d_sb->s_dev;
	key.parent_ino = dir->i_ino;
	if (bpf_probe_read_kernel_str(key.name, sizeof(key.name), d->d_name.name) <= 0)
		return false;
	return bpf_map_lookup_elem(&protected_names, &key);
}

/* An engineer's change inside a zone (create, unlink, rename, chmod…): needs a write grant. */
static __always_inline int check_change(struct dentry *dentry, struct dentry *named, __u16 op)
{
	struct access a = {.op = op, .intent = LB_ACCESS_WRITE, .dentry = named};

	if (!subject_get(&a.subj))
		return 0;
	/* a new name has no file yet: a create's denials are each logged */
	if (op != LB_OP_MKDIR && op != LB_OP_MKNOD && op != LB_OP_CREATE && op != LB_OP_SYMLINK)
		a.object = BPF_CORE_READ(named, d_inode);
	/* one decide() for both: each inlined copy is verified again */
	if (protected_name(named))
		a.zone = LB_ZONE_AGENT;
	else
		a.zone = zone_of(dentry, NULL, &a.root);
	if (a.zone == ZONE_NONE)
		return 0;
	return decide(&a, PATH_NAMES);
}

#endif /* GUARD_BPF_H */
