/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Who may do what to a request, and which state it moves to. Pure functions
 * of the request and the caller's roles: the agent asks, then acts.
 */
#ifndef POLICY_H
#define POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include "model.h"

struct actor {
	uint32_t uid;
	bool root;
	bool engineer;
	bool security;
	bool approver; /* of the zone of the request in question */
};

enum req_event {
	EV_APPROVE, /* one approval; the request activates at approvals_required */
	EV_DENY,
	EV_CANCEL,
	EV_REVOKE,
	EV_EXPIRE, /* request_ttl passed while pending, or the grant ended */
};

/* The state @event moves a request in @from to, or -EINVAL if it cannot happen. */
int policy_next_state(enum req_state from, enum req_event event, int approvals, int required);

/*
 * 0 if @a may do @event to @r; -EPERM if their role does not allow it; -EBUSY
 * if the request is not in a state where it can happen; -EALREADY for a second
 * approval by the same person.
 */
int policy_check(const struct request *r, const struct actor *a, enum req_event event,
		 bool already_approved);

bool policy_can_request(const struct actor *a);
/* Whether @a may see @r (show, wait, list). */
bool policy_can_view(const struct request *r, const struct actor *a);
bool policy_can_audit(const struct actor *a);

/* The grant's length: what was asked, capped by @cap (zone and global max). */
int64_t policy_duration(int64_t asked, int64_t cap);

/*
 * The boot-clock expiry a sync gives the kernel for a grant: what the wall
 * clock gives now (@computed_ns), but never later than what the kernel already
 * holds for the same grant (@held): a wall clock stepped back must not
 * lengthen a grant.
 */
uint64_t policy_kernel_expiry(uint64_t computed_ns, bool held, uint64_t held_ns);

#endif /* POLICY_H */
