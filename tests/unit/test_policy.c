// SPDX-License-Identifier: GPL-2.0-only
/* The state machine: every transition, every refused one, and the role rules. */
#include <errno.h>
#include "tap.h"
#include "policy.h"

static void test_every_transition(void)
{
	static const struct {
		enum req_state from;
		enum req_event ev;
		int approvals, required;
		int want;
	} cases[] = {
		{REQ_PENDING, EV_APPROVE, 1, 1, REQ_APPROVED},
		{REQ_PENDING, EV_APPROVE, 1, 2, REQ_PENDING},
		{REQ_PENDING, EV_APPROVE, 2, 2, REQ_APPROVED},
		{REQ_PENDING, EV_DENY, 0, 1, REQ_DENIED},
		{REQ_PENDING, EV_CANCEL, 0, 1, REQ_CANCELLED},
		{REQ_PENDING, EV_EXPIRE, 0, 1, REQ_EXPIRED},
		{REQ_PENDING, EV_REVOKE, 0, 1, -EINVAL},
		{REQ_APPROVED, EV_REVOKE, 1, 1, REQ_REVOKED},
		{REQ_APPROVED, EV_EXPIRE, 1, 1, REQ_EXPIRED},
		{REQ_APPROVED, EV_APPROVE, 1, 1, -EINVAL},
		{REQ_APPROVED, EV_DENY, 1, 1, -EINVAL},
		{REQ_APPROVED, EV_CANCEL, 1, 1, -EINVAL},
	};
	static const enum req_state finals[] = {REQ_DENIED, REQ_CANCELLED, REQ_EXPIRED,
						REQ_REVOKED};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(policy_next_state(cases[i].from, cases[i].ev, cases[i].approvals,
					 cases[i].required),
		       cases[i].want, "%s + event %d (%d/%d approvals)",
		       req_state_name(cases[i].from), cases[i].ev, cases[i].approvals,
		       cases[i].required);
	for (size_t i = 0; i < 4; i++)
		for (int ev = EV_APPROVE; ev <= EV_EXPIRE; ev++)
			is_int(policy_next_state(finals[i], ev, 5, 1), -EINVAL,
			       "%s is final: event %d refused", req_state_name(finals[i]), ev);
}

static void test_roles(void)
{
	struct request r = {.uid = 2001, .state = REQ_PENDING};
	struct actor requester = {.uid = 2001, .engineer = true};
	struct actor requester_in_approvers = {.uid = 2001, .engineer = true, .approver = true};
	struct actor approver = {.uid = 3001, .approver = true};
	struct actor other_zone_admin = {.uid = 3101};
	struct actor sec = {.uid = 4001, .security = true};
	struct actor root = {.uid = 0, .root = true};

	is_int(policy_check(&r, &approver, EV_APPROVE, false), 0, "zone approver may approve");
	is_int(policy_check(&r, &requester, EV_APPROVE, false), -EPERM,
	       "requester may not approve");
	is_int(policy_check(&r, &requester_in_approvers, EV_APPROVE, false), -EPERM,
	       "requester may not approve even when in the approvers group");
	is_int(policy_check(&r, &other_zone_admin, EV_APPROVE, false), -EPERM,
	       "approver of another zone may not approve");
	is_int(policy_check(&r, &sec, EV_APPROVE, false), -EPERM, "security may not approve");
	is_int(policy_check(&r, &root, EV_APPROVE, false), -EPERM, "root may not approve");
	is_int(policy_check(&r, &approver, EV_APPROVE, true), -EALREADY,
	       "the same approver twice does not count twice");
	is_int(policy_check(&r, &approver, EV_DENY, false), 0, "zone approver may deny");
	is_int(policy_check(&r, &requester_in_approvers, EV_DENY, false), -EPERM,
	       "requester may not deny their own request");
	is_int(policy_check(&r, &other_zone_admin, EV_DENY, false), -EPERM,
	       "approver of another zone may not deny");
	is_int(policy_check(&r, &requester, EV_CANCEL, false), 0, "requester may cancel");
	is_int(policy_check(&r, &approver, EV_CANCEL, false), -EPERM, "approver may not cancel");
	is_int(policy_check(&r, &approver, EV_REVOKE, false), -EBUSY,
	       "a pending request cannot be revoked");
	is_int(policy_check(&r, &approver, EV_EXPIRE, false), -EPERM, "nobody expires by hand");

	r.state = REQ_APPROVED;
	is_int(policy_check(&r, &approver, EV_REVOKE, false), 0, "zone approver may revoke");
	is_int(policy_check(&r, &sec, EV_REVOKE, false), 0, "security may revoke");
	is_int(policy_check(&r, &root, EV_REVOKE, false), 0, "root may revoke");
	is_int(policy_check(&r, &requester, EV_REVOKE, false), -EPERM, "requester may not revoke");
	is_int(policy_check(&r, &other_zone_admin, EV_REVOKE, false), -EPERM,
	       "approver of another zone may not revoke");
	is_int(policy_check(&r, &approver, EV_APPROVE, false), -EBUSY,
	       "an active request cannot be approved again");
	is_int(policy_check(&r, &requester, EV_CANCEL, false), -EBUSY,
	       "an active request cannot be cancelled");

	r.state = REQ_DENIED;
	is_int(policy_check(&r, &approver, EV_APPROVE, false), -EBUSY,
	       "a denied request stays denied");

	ok(policy_can_request(&requester), "engineers may request");
	ok(!policy_can_request(&approver), "non-engineers may not request");
	ok(policy_can_view(&r, &requester), "requester sees their request");
	ok(policy_can_view(&r, &approver), "approver sees it");
	ok(policy_can_view(&r, &sec), "security sees it");
	ok(!policy_can_view(&r, &other_zone_admin), "another zone's admin does not");
	ok(policy_can_audit(&sec) && policy_can_audit(&root), "security and root audit");
	ok(!policy_can_audit(&approver) && !policy_can_audit(&requester), "others do not");
}

static void test_duration_cap(void)
{
	is_int(policy_duration(3600, 14400), 3600, "asked under the cap is kept");
	is_int(policy_duration(86400, 14400), 14400, "asked over the cap is capped");
	is_int(policy_duration(0, 14400), 14400, "nothing asked: the cap");
}

static void test_sync_never_extends_kernel_expiry(void)
{
	is_int(policy_kernel_expiry(5000, false, 0), 5000, "a new grant: the computed expiry");
	is_int(policy_kernel_expiry(5000, true, 9000), 5000,
	       "the clock stepped forward: the earlier computed expiry");
	is_int(policy_kernel_expiry(90000, true, 5000), 5000,
	       "the clock stepped back a day: the kernel's expiry stays");
	is_int(policy_kernel_expiry(5000, true, 5000), 5000, "unchanged: unchanged");
}

int main(void)
{
	test_every_transition();
	test_roles();
	test_duration_cap();
	test_sync_never_extends_kernel_expiry();
	return done_testing();
}
