/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guard's decision in three steps, shared by every hook:
 *   subject_get()  is the current task an engineer? (fast path: one lookup)
 *   zone_of()      which zone, if any, holds this dentry? (bounded d_parent walk)
 *   decide()       does a live grant cover the intent? emit the audit event.
 */
#ifndef GUARD_BPF_H
#define GUARD_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "lockbox.h"

#define EACCES	    13
#define FMODE_READ  0x1
#define FMODE_WRITE 0x2
#define INVALID_UID ((__u32)-1)

/* zone_of() results that are not zone ids */
#define ZONE_NONE     0
#define ZONE_TOO_DEEP ((__u32)-1)

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_ENGINEERS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} engineers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_ZONE_ROOTS);
	__type(key, struct lb_zone_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} zones SEC(".maps");

/* dev -> number of zone roots on it: lets a walk on any other filesystem stop at once */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_ZONE_DEVS);
	__type(key, __u64);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} zone_devs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_GRANTS);
	__type(key, struct lb_grant_key);
	__type(value, struct lb_grant);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} grants SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, LB_EVENTS_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lb_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_config SEC(".maps");

struct subject {
	__u32 uid;
	__u32 loginuid;
	__u32 engineer; /* identity the grant is keyed by */
};

static __always_inline bool is_engineer(__u32 id)
{
	return id != INVALID_UID && bpf_map_lookup_elem(&engineers, &id);
}

/*
 * A task is an engineer if its uid, euid, fsuid or loginuid is one; su, sudo and
 * setuid binaries change the first three but not loginuid, so the grant is keyed
 * by loginuid when that is an engineer. Distinct ids only: a plain process
 * (all equal, loginuid unset or the same) costs one lookup.
 */
static __always_inline bool subject_get(struct subject *s)
{
	struct task_struct *task = bpf_get_current_task_btf();
	const struct cred *cred = task->cred;
	__u32 uid = cred->uid.val, euid = cred->euid.val, fsuid = cred->fsuid.val;
	__u32 login = INVALID_UID;

	if (bpf_core_field_exists(task->loginuid)) /* CONFIG_AUDITSYSCALL */
		login = task->loginuid.val;

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
		return false;
	return true;
}

/*
 * The zone holding @dentry: walk d_parent up to the root of its filesystem and
 * look each directory up by (dev, ino). Keyed by inode, not by name, so bind
 * mounts, "..", symlinks and relative paths all land on the same root.
 */
static __always_inline __u32 zone_of(struct dentry *dentry, struct lb_zone_key *root)
{
	struct lb_zone_key key;
	__u32 *zone;
	int i;

	key.dev = dentry->d_sb->s_dev;
	if (!bpf_map_lookup_elem(&zone_devs, &key.dev))
		return ZONE_NONE;

	for (i = 0; i < LB_MAX_DEPTH; i++) {
		struct inode *inode = dentry->d_inode;
		struct dentry *parent;

		if (inode) {
			key.ino = inode->i_ino;
			zone = bpf_map_lookup_elem(&zones, &key);
			if (zone) {
				*root = key;
				return *zone;
			}
		}
		parent = dentry->d_parent;
		if (!parent || parent == dentry)
			return ZONE_NONE;
		dentry = parent;
	}
	return ZONE_TOO_DEEP;
}

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);

	if (c)
		*c += 1;
}

static __always_inline bool permissive(void)
{
	__u32 zero = 0;
	struct lb_config *cfg = bpf_map_lookup_elem(&guard_config, &zero);

	return cfg && cfg->mode == LB_MODE_PERMISSIVE;
}

struct access {
	struct subject subj;
	struct lb_zone_key root;
	__u32 zone;
	__u32 intent; /* LB_ACCESS_* */
	__u16 op;
	struct file *file;     /* for the event path, when the hook has one */
	struct dentry *dentry; /* otherwise the path is built from names */
};

static __always_inline void fill_path(struct lb_event *e, struct access *a)
{
	/* bpf_d_path is only allowed from some hooks; callers set file only there */
	if (a->file) {
		if (bpf_d_path((struct path *)&a->file->f_path, e->path, sizeof(e->path)) >= 0)
			return;
	}
	if (a->dentry)
		bpf_probe_read_kernel_str(e->path, sizeof(e->path), a->dentry->d_name.name);
	else
		e->path[0] = 0;
}

/*
 * The verdict on an engineer's access in a zone, with its audit event. No
 * access is allowed without its log line: if the ring buffer is full, a
 * granted access is denied too.
 */
static __always_inline int decide(struct access *a)
{
	struct lb_grant_key gk = {.uid = a->subj.engineer, .zone = a->zone};
	struct lb_grant *g = NULL;
	struct lb_event *e;
	__u8 reason;
	__u64 now = bpf_ktime_get_boot_ns();

	if (a->zone == ZONE_TOO_DEEP) {
		reason = LB_REASON_DEPTH;
		count(LB_CNT_DEPTH_DENIED);
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

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(LB_CNT_EVENTS_LOST);
		if (reason == LB_REASON_GRANT) {
			count(LB_CNT_NOLOG_DENIED);
			reason = LB_REASON_NO_LOG;
		}
		return permissive() ? 0 : -EACCES;
	}

	e->time_ns = now;
	e->grant_id = g ? g->id : 0;
	e->dev = a->root.dev;
	e->ino = a->root.ino;
	e->pid = (__u32)bpf_get_current_pid_tgid();
	e->tgid = bpf_get_current_pid_tgid() >> 32;
	e->uid = a->subj.uid;
	e->loginuid = a->subj.loginuid;
	e->engineer = a->subj.engineer;
	e->zone = a->zone == ZONE_TOO_DEEP ? 0 : a->zone;
	e->op = a->op;
	e->reason = reason;
	e->access = a->intent;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	fill_path(e, a);

	if (reason == LB_REASON_GRANT) {
		e->verdict = LB_VERDICT_ALLOW;
		bpf_ringbuf_submit(e, 0);
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

#endif /* GUARD_BPF_H */
