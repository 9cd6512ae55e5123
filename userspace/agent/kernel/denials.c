// SPDX-License-Identifier: GPL-2.0-only
/* The guard's denial counts, taken once their window has passed (denials.h). */
#include <stdbool.h>
#include <string.h>
#include "denials.h"

void denials_event(const struct lb_deny_slot *s, struct lb_event *e)
{
	memset(e, 0, sizeof(*e));
	e->time_ns = s->last_ns;
	e->first_ns = s->first_ns;
	e->grant_id = s->grant_id;
	e->dev = s->root_dev;
	e->ino = s->root_ino;
	e->uid = s->uid;
	e->loginuid = s->loginuid;
	e->engineer = s->engineer;
	e->zone = s->zone;
	e->op = s->op;
	e->verdict = s->verdict;
	e->reason = s->reason;
	e->access = s->access;
	e->path_kind = s->path_kind;
	e->names = s->names;
	memcpy(e->path, s->path, sizeof(e->path));
	e->count = s->count;
	e->flags = LB_EVENT_REPEATS;
}

/* Whether @s holds a count whose window has passed (read unlocked: a hint, or locked: the answer).
 */
static bool due(const struct lb_deny_slot *s, __u64 now_ns)
{
	__u64 start = __atomic_load_n(&s->start_ns, __ATOMIC_RELAXED);

	return __atomic_load_n(&s->count, __ATOMIC_RELAXED) &&
	       (__s64)(now_ns - start) >= (__s64)LB_DENY_WINDOW_NS;
}

/*
 * @s's count into @e, under the slot's lock (the guard's deny_lock(): seq odd
 * while held). The guard never waits for it: a denial that finds the slot
 * taken is logged on its own.
 */
static bool take(struct lb_deny_slot *s, __u64 now_ns, struct lb_event *e)
{
	__u32 seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
	bool taken = false;

	if (seq & 1 || !__atomic_compare_exchange_n(&s->seq, &seq, seq + 1, false, __ATOMIC_ACQUIRE,
						    __ATOMIC_RELAXED))
		return false;
	if (due(s, now_ns)) {
		denials_event(s, e);
		s->count = 0;
		taken = true;
	}
	__atomic_fetch_add(&s->seq, 1,
			   __ATOMIC_SEQ_CST); /* as the guard's unlock: a full barrier */
	return taken;
}

size_t denials_take(struct lb_denials *dn, __u64 now_ns, size_t max, denials_fn fn, void *ctx)
{
	struct lb_event e;
	size_t n = 0;

	for (size_t i = 0; i < LB_DENY_SLOTS && n < max; i++) {
		struct lb_deny_slot *s = &dn->slot[i];

		if (!due(s, now_ns) || !take(s, now_ns, &e))
			continue;
		fn(&e, ctx);
		n++;
	}
	return n;
}

int denials_release_stale(struct lb_denials *dn, int (*wait)(void))
{
	static __u32 seen[LB_DENY_SLOTS];
	bool any = false;
	int n = 0, err;

	for (size_t i = 0; i < LB_DENY_SLOTS; i++) {
		seen[i] = __atomic_load_n(&dn->slot[i].seq, __ATOMIC_ACQUIRE);
		any |= seen[i] & 1;
	}
	if (!any)
		return 0;
	err = wait();
	if (err)
		return err;
	for (size_t i = 0; i < LB_DENY_SLOTS; i++) {
		__u32 seq = seen[i];

		if (seq & 1 && __atomic_compare_exchange_n(&dn->slot[i].seq, &seq, seq + 1, false,
							   __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
			n++;
	}
	return n;
}
