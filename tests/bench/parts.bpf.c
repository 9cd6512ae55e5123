// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark building blocks: each program does one thing the guard's hot path
 * does (or could do instead), on lsm/file_permission (and lsm/file_open for
 * bpf_d_path), and never changes a verdict. All are attached at once; the
 * kernel's per-program statistics (run_time_ns / run_cnt) give each block's
 * own cost in the same run. Uses the guard's own maps and helpers
 * (bpf/guard.bpf.h), unpinned, so what is measured is the guard's code.
 */
#include "guard.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define BITS_WORDS (LB_UID_BITS / 64)

/* engineers as a bitmap (engineer_bits): now the guard's own map, in bpf/maps.bpf.h */

/* proposed: the read verdict cached per inode, checked against a grant generation */
struct verdict {
	__u32 zone;
	__u32 gen;	/* zone generation, as lb_inode_zone.gen */
	__u32 engineer; /* whose grant */
	__u32 access;
	__u64 expires_ns;
	__u64 grant_gen; /* bumped by the agent on every grant change */
};

struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct verdict);
} verdicts SEC(".maps");

__u64 grant_gen; /* .bss: the agent would bump it where it edits grants */

static __always_inline bool bit_engineer(__u32 id)
{
	__u32 w = id >> 6;
	__u64 *bits;

	if (id >= BITS_WORDS * 64)
		return id != LB_UID_UNSET && bpf_map_lookup_elem(&engineers, &id);
	bits = bpf_map_lookup_elem(&engineer_bits, &w);
	return bits && (*bits >> (id & 63)) & 1;
}

/* subject_get() with the bitmap in place of the hash lookups */
static __always_inline bool subject_bits(struct subject *s)
{
	struct task_struct *task = bpf_get_current_task_btf();
	const struct cred *cred = task->cred;
	__u32 uid = cred->uid.val, euid = cred->euid.val, fsuid = cred->fsuid.val;
	__u32 login = LB_UID_UNSET;

	if (bpf_core_field_exists(task->loginuid))
		login = task->loginuid.val;
	s->uid = uid;
	s->loginuid = login;
	if (login != LB_UID_UNSET && bit_engineer(login))
		s->engineer = login;
	else if (uid != login && bit_engineer(uid))
		s->engineer = uid;
	else if (euid != uid && euid != login && bit_engineer(euid))
		s->engineer = euid;
	else if (fsuid != uid && fsuid != euid && fsuid != login && bit_engineer(fsuid))
		s->engineer = fsuid;
	else
		return false;
	return true;
}

SEC("lsm/file_permission")
int BPF_PROG(p_empty, struct file *file, int mask, int ret)
{
	return ret;
}

/* the guard's subject check as it is: hash lookups */
SEC("lsm/file_permission")
int BPF_PROG(p_subject_hash, struct file *file, int mask, int ret)
{
	struct subject s;

	subject_get(&s);
	return ret;
}

SEC("lsm/file_permission")
int BPF_PROG(p_subject_bits, struct file *file, int mask, int ret)
{
	struct subject s;

	subject_bits(&s);
	return ret;
}

SEC("lsm/file_permission")
int BPF_PROG(p_hash_hit, struct file *file, int mask, int ret)
{
	__u32 id = 2001;

	bpf_map_lookup_elem(&engineers, &id);
	return ret;
}

SEC("lsm/file_permission")
int BPF_PROG(p_array, struct file *file, int mask, int ret)
{
	__u32 w = 2001 >> 6;

	bpf_map_lookup_elem(&engineer_bits, &w);
	return ret;
}

SEC("lsm/file_permission")
int BPF_PROG(p_current_task, struct file *file, int mask, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return ret + (task->cred->uid.val & 0); /* keeps the loads */
}

SEC("lsm/file_permission")
int BPF_PROG(p_zone_devs, struct file *file, int mask, int ret)
{
	zoned_fs(file->f_path.dentry);
	return ret;
}

SEC("lsm/file_permission")
int BPF_PROG(p_inode_storage, struct file *file, int mask, int ret)
{
	bpf_inode_storage_get(&inode_zones, file->f_inode, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	return ret;
}

SEC("lsm/file_permission")
int BPF_PROG(p_ktime, struct file *file, int mask, int ret)
{
	bpf_ktime_get_boot_ns();
	return ret;
}

SEC("lsm/file_permission")
int BPF_PROG(p_jiffies, struct file *file, int mask, int ret)
{
	bpf_jiffies64();
	return ret;
}

SEC("lsm/file_permission")
int BPF_PROG(p_grant, struct file *file, int mask, int ret)
{
	struct lb_grant_key k = {.uid = 2001, .zone = 1};

	bpf_map_lookup_elem(&grants, &k);
	return ret;
}

/* an event's fixed cost: reserve, fields, comm; discarded so the buffer never fills */
SEC("lsm/file_permission")
int BPF_PROG(p_event, struct file *file, int mask, int ret)
{
	struct access a = {.op = LB_OP_READ, .intent = LB_ACCESS_READ};
	struct lb_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return ret;
	fill_event(e, &a, bpf_ktime_get_boot_ns(), PATH_NAMES);
	bpf_ringbuf_discard(e, 0);
	return ret;
}

/* the same with the leaf-first names of the file up to its zone root (LB_PATH_NAMES) */
SEC("lsm/file_permission")
int BPF_PROG(p_event_names, struct file *file, int mask, int ret)
{
	struct access a = {.op = LB_OP_READ, .intent = LB_ACCESS_READ};
	struct lb_event *e;

	a.zone = zone_of(file->f_path.dentry, file->f_inode, &a.root);
	a.dentry = file->f_path.dentry;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return ret;
	fill_event(e, &a, bpf_ktime_get_boot_ns(), PATH_NAMES);
	bpf_ringbuf_discard(e, 0);
	return ret;
}

/* the guard's read check as it is (check_file in bpf/guard.bpf.c, quiet allow) */
SEC("lsm/file_permission")
int BPF_PROG(p_guard_read, struct file *file, int mask, int ret)
{
	struct access a = {.op = LB_OP_READ, .intent = LB_ACCESS_READ, .quiet_allow = true};

	if (!subject_get(&a.subj))
		return ret;
	a.zone = zone_of_file(file, &a.root);
	if (a.zone == ZONE_NONE)
		return ret;
	a.dentry = file->f_path.dentry;
	decide(&a, PATH_NAMES); /* verdict ignored: this copy only measures */
	return ret;
}

/*
 * proposed read check: bitmap subject, then the inode's cached verdict (zone,
 * engineer, access, expiry, grant generation) before any hash lookup; a miss
 * falls back to the full check and refills the cache.
 */
SEC("lsm/file_permission")
int BPF_PROG(p_fast_read, struct file *file, int mask, int ret)
{
	struct access a = {.op = LB_OP_READ, .intent = LB_ACCESS_READ, .quiet_allow = true};
	struct lb_config *cfg = config_get();
	__u64 gen = cfg ? cfg->zone_gen + 1 : 0;
	struct lb_grant_key gk;
	struct lb_grant *g;
	struct verdict *v;
	__u64 now;

	if (!subject_bits(&a.subj))
		return ret;
	v = bpf_inode_storage_get(&verdicts, file->f_inode, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!v)
		return ret;
	if (v->gen == gen && v->zone == ZONE_NONE)
		return ret; /* outside every zone */
	now = bpf_ktime_get_boot_ns();
	if (v->gen == gen && v->engineer == a.subj.engineer && v->grant_gen == grant_gen &&
	    !(a.intent & ~v->access) && now < v->expires_ns)
		return ret; /* allowed under the cached grant */
	a.zone = zone_of_file(file, &a.root);
	v->gen = gen;
	v->zone = a.zone;
	v->engineer = a.subj.engineer;
	v->access = 0;
	if (a.zone == ZONE_NONE)
		return ret;
	gk.uid = a.subj.engineer;
	gk.zone = a.zone;
	g = bpf_map_lookup_elem(&grants, &gk);
	if (g && now < g->expires_ns) {
		v->access = g->access;
		v->expires_ns = g->expires_ns;
		v->grant_gen = grant_gen;
	}
	return ret;
}

/* bpf_d_path of an opened file into an event: what each allowed open pays today */
SEC("lsm/file_open")
int BPF_PROG(p_event_d_path, struct file *file, int ret)
{
	struct lb_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return ret;
	if (bpf_d_path((struct path *)&file->f_path, e->path, sizeof(e->path)) < 0)
		e->path[0] = 0;
	bpf_ringbuf_discard(e, 0);
	return ret;
}

SEC("lsm/file_open")
int BPF_PROG(p_open_empty, struct file *file, int ret)
{
	return ret;
}
