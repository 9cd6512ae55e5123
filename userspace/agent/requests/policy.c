// SPDX-License-Identifier: GPL-2.0-only
/* The request state machine and the role rules around it. */
#include <errno.h>
#include "policy.h"

int policy_next_state(enum req_state from, enum req_event event, int approvals, int required)
{
	switch (from) {
	case REQ_PENDING:
		switch (event) {
		case EV_APPROVE:
			return approvals >= required ? REQ_APPROVED : REQ_PENDING;
		case EV_DENY:
			return REQ_DENIED;
		case EV_CANCEL:
			return REQ_CANCELLED;
		case EV_EXPIRE:
			return REQ_EXPIRED;
		case EV_REVOKE:
			return -EINVAL; /* nothing to revoke yet: deny it instead */
		}
		break;
	case REQ_APPROVED:
		if (event == EV_REVOKE)
			return REQ_REVOKED;
		if (event == EV_EXPIRE)
			return REQ_EXPIRED;
		break;
	default:
		break; /* denied, cancelled, expired, revoked are final */
	}
	return -EINVAL;
}

int policy_check(const struct request *r, const struct actor *a, enum req_event event,
		 bool already_approved)
{
	bool requester = a->uid == r->uid;

	switch (event) {
	case EV_APPROVE:
		/* the requester never approves their own request, even as an approver or root */
		if (!a->approver || requester)
			return -EPERM;
		if (r->state != REQ_PENDING)
			return -EBUSY;
		return already_approved ? -EALREADY : 0;
	case EV_DENY:
		if (!a->approver || requester)
			return -EPERM;
		return r->state == REQ_PENDING ? 0 : -EBUSY;
	case EV_CANCEL:
		if (!requester)
			return -EPERM;
		return r->state == REQ_PENDING ? 0 : -EBUSY;
	case EV_REVOKE:
		if (!a->approver && !a->security && !a->root)
			return -EPERM;
		return r->state == REQ_APPROVED ? 0 : -EBUSY;
	case EV_EXPIRE:
		return -EPERM; /* only the agent's clock expires things */
	}
	return -EINVAL;
}

bool policy_can_request(const struct actor *a)
{
	return a->engineer;
}

bool policy_can_view(const struct request *r, const struct actor *a)
{
	return a->uid == r->uid || a->approver || a->security || a->root;
}

bool policy_can_audit(const struct actor *a)
{
	return a->security || a->root;
}

int64_t policy_duration(int64_t asked, int64_t cap)
{
	if (asked <= 0 || asked > cap)
		return cap;
	return asked;
}

uint64_t policy_kernel_expiry(uint64_t computed_ns, bool held, uint64_t held_ns)
{
	return held && held_ns < computed_ns ? held_ns : computed_ns;
}
