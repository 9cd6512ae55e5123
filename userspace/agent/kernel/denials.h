/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guard's denial counts (include/lockbox.h, struct lb_deny_slot): the
 * agent takes each count whose window has passed and records it as the guard
 * would have, so the tail of a burst does not wait in the kernel for another
 * denial to push it out. A count left by an agent that stopped is taken by
 * the next (the slots are pinned with the guard).
 */
#ifndef DENIALS_H
#define DENIALS_H

#include <stddef.h>
#include <linux/types.h>
#include "lockbox.h"

typedef void (*denials_fn)(const struct lb_event *e, void *ctx);

/*
 * Takes at most @max counts whose window ended by @now_ns (CLOCK_BOOTTIME),
 * each as one LB_EVENT_REPEATS event handed to @fn after its slot is let go.
 * A slot the guard holds at that moment waits for the next call. Returns how
 * many were taken.
 */
size_t denials_take(struct lb_denials *dn, __u64 now_ns, size_t max, denials_fn fn, void *ctx);

/*
 * Lets go of slots an agent killed while it held them left taken (seq odd:
 * the guard then never counts into them, and their count is never taken). The
 * guard holds a slot only while one of its programs runs, so a slot still odd,
 * and at the same seq, after @wait (every running program done) is such a
 * one. Returns how many were let go, or @wait's error.
 */
int denials_release_stale(struct lb_denials *dn, int (*wait)(void));

/* The record of @s's count, as the guard's deny_record() writes it (tests). */
void denials_event(const struct lb_deny_slot *s, struct lb_event *e);

#endif /* DENIALS_H */
