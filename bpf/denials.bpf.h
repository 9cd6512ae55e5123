/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * decide()'s path for a denied open, read or write of a file, and refuse()'s
 * for tampering with no file: the first is logged, the identical ones after
 * it counted in a denials slot and recorded as one event (include/lockbox.h,
 * struct lb_deny_slot). Included by guard.bpf.h, which it uses: struct
 * access, names_into(), addr_bits().
 */
#ifndef DENIALS_BPF_H
#define DENIALS_BPF_H

struct denial {
	__u64 grant_id;
	__u8 reason;
	__u8 verdict;
};

_Static_assert(sizeof(struct lb_deny_slot) % 8 == 0, "deny slots keep their fields aligned");

static __always_inline __u32 deny_index(__u64 addr)
{
	return (addr >> LB_INODE_SHIFT) & (LB_DENY_SLOTS - 1);
}

/*
 * The object a denials slot names for tampering with no file: odd, so never
 * an inode's address, and spread over the slots by engineer and operation.
 */
static __always_inline __u64 tamper_key(__u32 engineer, __u32 op)
{
	return (__u64)(engineer * 2654435761u ^ op * 40503u) << LB_INODE_SHIFT | 1;
}

/* Takes @slot (seq odd): false if another writer, or the agent, has it. */
static __always_inline bool deny_lock(struct lb_deny_slot *slot)
{
	__u32 s = READ_ONCE(slot->seq);

	return !(s & 1) && __sync_val_compare_and_swap(&slot->seq, s, s + 1) == s;
}

static __always_inline void deny_unlock(struct lb_deny_slot *slot)
{
	__sync_fetch_and_add(&slot->seq, 1);
}

/* The zone an event names: none for a walk that failed. */
static __always_inline __u32 deny_zone(const struct access *a)
{
	return a->zone == ZONE_TOO_DEEP || a->zone == ZONE_DETACHED ? 0 : a->zone;
}

/* Whether the locked @slot holds @a's denial @d: the same subject, file and decision. */
static __always_inline bool deny_same(struct lb_deny_slot *slot, struct access *a, struct denial *d)
{
	struct inode *inode = a->inode;

	return slot->inode == (__u64)inode && slot->ino == inode->i_ino &&
	       slot->igen == inode->i_generation && slot->engineer == a->subj.engineer &&
	       slot->uid == a->subj.uid && slot->loginuid == a->subj.loginuid &&
	       slot->op == a->op && slot->access == a->intent && slot->reason == d->reason &&
	       slot->verdict == d->verdict && slot->grant_id == d->grant_id &&
	       slot->zone == deny_zone(a) && slot->root_dev == a->root.dev &&
	       slot->root_ino == a->root.ino;
}

/* @slot's denial into @e: everything but the time, the task and the count. */
static __always_inline void deny_event(struct lb_event *e, struct lb_deny_slot *slot)
{
	e->grant_id = slot->grant_id;
	e->dev = slot->root_dev;
	e->ino = slot->root_ino;
	e->uid = slot->uid;
	e->loginuid = slot->loginuid;
	e->engineer = slot->engineer;
	e->zone = slot->zone;
	e->op = slot->op;
	e->verdict = slot->verdict;
	e->reason = slot->reason;
	e->access = slot->access;
	e->path_kind = slot->path_kind;
	e->names = slot->names;
	__builtin_memcpy(e->path, slot->path, LB_PATH_LEN);
}

/*
 * The record of the locked slot @i's count: 0, the count kept, if the ring
 * buffer is full. A global function (a slot index, not a pointer, for 6.1):
 * verified once per program rather than on every path that records a count.
 */
__noinline int deny_record(__u32 i)
{
	struct lb_deny_slot *slot = &caches.denials.slot[i & (LB_DENY_SLOTS - 1)];
	struct lb_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	deny_event(e, slot);
	e->time_ns = slot->last_ns;
	e->first_ns = slot->first_ns;
	e->pid = 0;
	e->tgid = 0;
	__builtin_memset(e->comm, 0, sizeof(e->comm));
	e->count = slot->count;
	e->flags = LB_EVENT_REPEATS;
	slot->count = 0;
	bpf_ringbuf_submit(e, 0);
	return 1;
}

/* The locked @slot for @a's denial @d, now, with its path. */
static __always_inline void deny_take(struct lb_deny_slot *slot, struct access *a, struct denial *d,
				      __u64 now, enum path_src src)
{
	struct inode *inode = a->inode;

	slot->inode = (__u64)inode;
	slot->ino = inode->i_ino;
	slot->igen = inode->i_generation;
	slot->engineer = a->subj.engineer;
	slot->uid = a->subj.uid;
	slot->loginuid = a->subj.loginuid;
	slot->op = a->op;
	slot->access = a->intent;
	slot->reason = d->reason;
	slot->verdict = d->verdict;
	slot->grant_id = d->grant_id;
	slot->zone = deny_zone(a);
	slot->root_dev = a->root.dev;
	slot->root_ino = a->root.ino;
	slot->start_ns = now;
	slot->count = 0;
	slot->names = 0;
	slot->path_kind = LB_PATH_FULL;
	slot->path[0] = 0;
	if (src == PATH_D_PATH && a->file) {
		if (bpf_d_path((struct path *)&a->file->f_path, slot->path, sizeof(slot->path)) < 0)
			slot->path[0] = 0;
	} else if (a->dentry) {
		slot->names = names_into((struct names_buf *)slot->path, dentry_addr(a->dentry),
					 a->root.ino);
		slot->path_kind = LB_PATH_NAMES;
	}
}

/*
 * The event of the denial that took the locked slot @i: 0 if the ring buffer
 * is full. Global, as deny_record() is.
 */
__noinline int deny_log(__u32 i, __u64 now)
{
	struct lb_deny_slot *slot = &caches.denials.slot[i & (LB_DENY_SLOTS - 1)];
	struct lb_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	__u64 id = bpf_get_current_pid_tgid();

	if (!e)
		return 0;
	deny_event(e, slot);
	e->time_ns = now;
	e->first_ns = 0;
	e->pid = (__u32)id;
	e->tgid = id >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->count = 1;
	e->flags = 0;
	bpf_ringbuf_submit(e, 0);
	return 1;
}

/* What a denial does with the denials slot it locked. */
enum deny_next {
	DENY_COUNT, /* counted in the slot */
	DENY_TAKE,  /* takes the slot, logged */
	DENY_OWN,   /* logged on its own by the caller: the slot is unlocked */
};

/*
 * The step for a denial, identical (@same) or not to the locked @slot's. A
 * distinct denial never joins another's count; a count leaves its slot as a
 * record, or, a single one the full ring buffer could not take either,
 * counted lost.
 */
static __always_inline enum deny_next deny_next(struct lb_deny_slot *slot, __u32 i, bool same,
						__u64 now)
{
	if (same && now - slot->start_ns < LB_DENY_WINDOW_NS)
		return DENY_COUNT;
	if (slot->count && !deny_record(i)) {
		if (same)
			return DENY_COUNT; /* the ring buffer is full: the count grows instead */
		if (slot->count > 1) {
			deny_unlock(slot);
			return DENY_OWN;
		}
		/*
		 * A single denial waiting for room, of another file: lost (and
		 * counted) rather than this one, so that a burst that follows it
		 * here is counted whole, not lost one by one.
		 */
		count(LB_CNT_EVENTS_LOST);
		slot->count = 0;
	}
	return DENY_TAKE;
}

/* One more denial counted in the locked @slot, which it unlocks: false if its count is full. */
static __always_inline bool deny_count(struct lb_deny_slot *slot, __u64 now)
{
	if (slot->count == (__u32)-1) {
		deny_unlock(slot);
		return false;
	}
	if (!slot->count)
		slot->first_ns = now;
	slot->count++;
	slot->last_ns = now;
	deny_unlock(slot);
	return true;
}

/*
 * @a's denial @d of a file, logged or counted: true when it is on its way to
 * the trail (a ring event, or a count in its slot), false when the caller
 * must log it on its own (another CPU has the slot, or the slot holds another
 * file's count of several that the full ring buffer cannot take).
 */
static __always_inline bool deny_counted(struct access *a, struct denial *d, __u64 now,
					 enum path_src src)
{
	__u32 i = deny_index(addr_bits(a->inode));
	struct lb_deny_slot *slot = &caches.denials.slot[i];

	if (!deny_lock(slot))
		return false;
	switch (deny_next(slot, i, deny_same(slot, a, d), now)) {
	case DENY_COUNT:
		return deny_count(slot, now);
	case DENY_OWN:
		return false;
	case DENY_TAKE:
		break;
	}
	deny_take(slot, a, d, now, src);
	/* the ring buffer full: counted, recorded when there is room */
	if (!deny_log(i, now))
		return deny_count(slot, now);
	deny_unlock(slot);
	return true;
}

/* The locked @slot for a tampering with no file (tamper_counted()'s), now. */
static __always_inline void tamper_take(struct lb_deny_slot *slot, __u64 key, __u32 engineer,
					__u32 uid, __u32 loginuid, __u32 op, __u32 verdict,
					__u64 now)
{
	slot->inode = key;
	slot->ino = 0;
	slot->igen = 0;
	slot->engineer = engineer;
	slot->uid = uid;
	slot->loginuid = loginuid;
	slot->op = op;
	slot->access = 0;
	slot->reason = LB_REASON_TAMPER;
	slot->verdict = verdict;
	slot->grant_id = 0;
	slot->zone = 0;
	slot->root_dev = 0;
	slot->root_ino = 0;
	slot->start_ns = now;
	slot->count = 0;
	slot->names = 0;
	slot->path_kind = LB_PATH_FULL;
	slot->path[0] = 0;
}

/*
 * An engineer's refused tampering with no file (bpf(), a signal, ptrace, a
 * mount, the clock...), logged or counted as deny_counted() does a file's:
 * the identical ones (same engineer, uid, login uid, operation and verdict)
 * within LB_DENY_WINDOW_NS of the one logged are counted, so that a loop of
 * them cannot flood the ring buffer and push others' records out. Non-zero
 * when it is on its way to the trail. A global function: verified once per
 * program, not at each of the hooks that refuse; scalars only, as 6.1 wants.
 */
__noinline int tamper_counted(__u32 engineer, __u32 uid, __u32 loginuid, __u32 op, __u32 verdict)
{
	__u64 key = tamper_key(engineer, op), now = bpf_ktime_get_boot_ns();
	__u32 i = deny_index(key);
	struct lb_deny_slot *slot = &caches.denials.slot[i];
	bool same;

	if (!deny_lock(slot))
		return 0;
	same = slot->inode == key && slot->engineer == engineer && slot->uid == uid &&
	       slot->loginuid == loginuid && slot->op == op && slot->verdict == verdict &&
	       slot->reason == LB_REASON_TAMPER;
	switch (deny_next(slot, i, same, now)) {
	case DENY_COUNT:
		return deny_count(slot, now);
	case DENY_OWN:
		return 0;
	case DENY_TAKE:
		break;
	}
	tamper_take(slot, key, engineer, uid, loginuid, op, verdict, now);
	if (!deny_log(i, now))
		return deny_count(slot, now);
	deny_unlock(slot);
	return 1;
}

/*
 * A denied change or use of an existing file reached by name (unlink, chmod,
 * rename, mmap, ioctl...), as scalars for deny_named(): decide() fills it.
 */
struct deny_req {
	__u64 object; /* the inode's address */
	__u64 ino;
	__u64 grant_id;
	__u64 root_dev;
	__u64 root_ino;
	__u64 dentry; /* the path's names are walked up from it */
	__u64 now;
	__u32 igen;
	__u32 engineer;
	__u32 uid;
	__u32 loginuid;
	__u32 zone;
	__u16 op;
	__u8 intent;
	__u8 reason;
	__u8 verdict;
};

/*
 * @r logged on its own, as decide() would: when its slot is busy or holds
 * another file's count the full ring buffer cannot take. Counted lost if the
 * ring buffer is full.
 */
static __always_inline int deny_alone(struct deny_req *r)
{
	struct lb_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	__u64 id = bpf_get_current_pid_tgid();

	if (!e) {
		count(LB_CNT_EVENTS_LOST);
		return 0;
	}
	e->time_ns = r->now;
	e->first_ns = 0;
	e->grant_id = r->grant_id;
	e->dev = r->root_dev;
	e->ino = r->root_ino;
	e->pid = (__u32)id;
	e->tgid = id >> 32;
	e->uid = r->uid;
	e->loginuid = r->loginuid;
	e->engineer = r->engineer;
	e->zone = r->zone;
	e->op = r->op;
	e->access = r->intent;
	e->reason = r->reason;
	e->verdict = r->verdict;
	e->count = 1;
	e->flags = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->names = names_into((struct names_buf *)e->path, r->dentry, r->root_ino);
	e->path_kind = LB_PATH_NAMES;
	bpf_ringbuf_submit(e, 0);
	return 1;
}

/*
 * @r logged or counted as deny_counted() does an open's, read's or write's,
 * or else logged on its own: 0 only if it was counted lost. A global
 * function: at every hook that may deny a change, inlined, it cost the
 * verifier 260,000 more instructions on 6.1.
 */
__noinline int deny_named(struct deny_req *r)
{
	struct lb_deny_slot *slot;
	bool same;
	__u32 i;

	if (!r)
		return 0;
	i = deny_index(r->object);
	slot = &caches.denials.slot[i];
	if (!deny_lock(slot))
		return deny_alone(r);
	same = slot->inode == r->object && slot->ino == r->ino && slot->igen == r->igen &&
	       slot->engineer == r->engineer && slot->uid == r->uid &&
	       slot->loginuid == r->loginuid && slot->op == r->op && slot->access == r->intent &&
	       slot->reason == r->reason && slot->verdict == r->verdict &&
	       slot->grant_id == r->grant_id && slot->zone == r->zone &&
	       slot->root_dev == r->root_dev && slot->root_ino == r->root_ino;
	switch (deny_next(slot, i, same, r->now)) {
	case DENY_COUNT:
		return deny_count(slot, r->now) ?: deny_alone(r);
	case DENY_OWN:
		return deny_alone(r);
	case DENY_TAKE:
		break;
	}
	slot->inode = r->object;
	slot->ino = r->ino;
	slot->igen = r->igen;
	slot->engineer = r->engineer;
	slot->uid = r->uid;
	slot->loginuid = r->loginuid;
	slot->op = r->op;
	slot->access = r->intent;
	slot->reason = r->reason;
	slot->verdict = r->verdict;
	slot->grant_id = r->grant_id;
	slot->zone = r->zone;
	slot->root_dev = r->root_dev;
	slot->root_ino = r->root_ino;
	slot->start_ns = r->now;
	slot->count = 0;
	slot->names = names_into((struct names_buf *)slot->path, r->dentry, r->root_ino);
	slot->path_kind = LB_PATH_NAMES;
	if (!deny_log(i, r->now))
		return deny_count(slot, r->now);
	deny_unlock(slot);
	return 1;
}

/*
 * @a's denial @d of its object (an existing file, reached by name) handed to
 * deny_named(), which logs or counts it. The object may come from a probe
 * read (a dentry's inode): read with probe reads.
 */
static __always_inline void deny_named_counted(struct access *a, struct denial *d, __u64 now)
{
	struct inode *object = a->object;
	struct deny_req r = {
		.grant_id = d->grant_id,
		.root_dev = a->root.dev,
		.root_ino = a->root.ino,
		.now = now,
		.engineer = a->subj.engineer,
		.uid = a->subj.uid,
		.loginuid = a->subj.loginuid,
		.zone = deny_zone(a),
		.op = a->op,
		.intent = a->intent,
		.reason = d->reason,
		.verdict = d->verdict,
	};

	bpf_probe_read_kernel(&r.object, sizeof(r.object), &object);
	r.ino = BPF_CORE_READ(object, i_ino);
	r.igen = BPF_CORE_READ(object, i_generation);
	r.dentry = dentry_addr(a->dentry);
	deny_named(&r);
}

#endif /* DENIALS_BPF_H */
