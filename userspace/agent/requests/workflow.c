// SPDX-License-Identifier: GPL-2.0-only
/*
 * The commands that change a request: request, approve, deny, cancel, revoke,
 * and expiry. Each change, its decision, its audit record and its notification
 * commit in one transaction; the kernel map is edited inside it and put back
 * if the commit fails.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "agent_internal.h"
#include "audit.h"
#include "duration.h"
#include "log.h"
#include "mail.h"
#include "notify.h"
#include "store.h"
#include "timefmt.h"
#include "vec.h"

static void zone_list(struct agent *a, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (size_t i = 0; i < a->n_zones && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "", a->zones[i].cfg->name);
	if (!a->n_zones)
		snprintf(buf, len, "none configured");
}

/* Queues the requester's mail about @what; a bad address is logged, never fatal. */
static int tell_requester(struct agent *a, const struct request *r, const char *what,
			  const char *by, const char *comment, int64_t now)
{
	char to[MAIL_ADDR_MAX + 1];
	const char *rcpt[1] = {to};
	char *msg;
	int err;

	if (mail_user_address(a->cfg->notify_from, r->requester, to, sizeof(to)))
		return 0;
	msg = mail_request_decided(a->cfg->notify_from, to, r, what, by, comment, now);
	if (!msg) {
		log_warn("notify: cannot build the %s mail for request %lld", what,
			 (long long)r->id);
		return 0;
	}
	err = notifier_enqueue(a->notifier, rcpt, 1, msg, now);
	free(msg);
	return err;
}

static int tell_approvers(struct agent *a, const struct zone_cfg *z, const struct request *r,
			  int64_t now)
{
	char *msg;
	int err;

	if (!z->n_notify)
		return 0;
	msg = mail_request_created(a->cfg->notify_from, (const char *const *)z->notify, z->n_notify,
				   r, a->host, now);
	if (!msg) {
		log_warn("notify: cannot build the mail for request %lld", (long long)r->id);
		return 0;
	}
	err = notifier_enqueue(a->notifier, (const char *const *)z->notify, z->n_notify, msg, now);
	free(msg);
	return err;
}

/* The approvers who were asked hear that the question is withdrawn. */
static int tell_cancelled(struct agent *a, const struct zone_cfg *z, const struct request *r,
			  const char *by, int64_t now)
{
	int err = 0;

	for (size_t i = 0; i < z->n_notify && !err; i++) {
		const char *rcpt[1] = {z->notify[i]};
		char *msg = mail_request_decided(a->cfg->notify_from, z->notify[i], r, "cancelled",
						 by, NULL, now);

		if (!msg)
			continue; /* an address config_parse let through but mail refuses */
		err = notifier_enqueue(a->notifier, rcpt, 1, msg, now);
		free(msg);
	}
	return err;
}

static json_t *request_record(struct agent *a, const char *type, uint32_t uid,
			      const struct request *r)
{
	json_t *rec = agent_record(a, type, uid, r->zone, r->id);

	json_object_set_new(rec, "requester", json_string(r->requester));
	json_object_set_new(rec, "access", json_string(access_name(r->access)));
	return rec;
}

char *cmd_request(struct agent *a, struct client *c, const struct proto_req *q)
{
	const struct zone_ref *z = zone_by_name(a, q->zone);
	int64_t now = time(NULL);
	struct request r = {0};
	struct actor act;
	char zones[512];
	json_t *rec;
	int err;

	actor_of(a, c, q->zone, &act);
	if (!policy_can_request(&act))
		return proto_reply_error(PROTO_E_NOT_PERMITTED,
					 "request: only engineers file requests, and %s is not one",
					 user_name(a, act.uid));
	if (!z) {
		zone_list(a, zones, sizeof(zones));
		return proto_reply_error(PROTO_E_NOT_FOUND, "zone: no zone named '%s' (zones: %s)",
					 q->zone, zones);
	}
	snprintf(r.zone, sizeof(r.zone), "%s", z->cfg->name);
	r.uid = act.uid;
	snprintf(r.requester, sizeof(r.requester), "%s", user_name(a, act.uid));
	r.access = q->access;
	snprintf(r.reason, sizeof(r.reason), "%s", q->reason);
	snprintf(r.ticket, sizeof(r.ticket), "%s", q->ticket);
	r.duration = policy_duration(q->duration, config_max_duration(a->cfg, z->cfg));
	r.created_at = now;
	r.expires_at = now + a->cfg->request_ttl;
	r.state = REQ_PENDING;

	err = tx_begin(a);
	if (err)
		return reply_errno(err, "request");
	err = store_request_insert(a->st, &r);
	if (err)
		goto fail;
	rec = request_record(a, "request.created", r.uid, &r);
	json_object_set_new(rec, "reason", json_string(r.reason));
	json_object_set_new(rec, "ticket", r.ticket[0] ? json_string(r.ticket) : json_null());
	json_object_set_new(rec, "duration", json_integer(r.duration));
	err = agent_audit(a, rec);
	if (!err)
		err = tell_approvers(a, z->cfg, &r, now);
	if (!err)
		err = tx_commit(a);
	if (err)
		goto fail;
	log_info("request %lld: %s asks for %s access to %s", (long long)r.id, r.requester,
		 access_name(r.access), r.zone);
	return proto_reply_ok(proto_request_to_json(&r));
fail:
	tx_rollback(a);
	return reply_errno(err, "request");
}

static const char *const verbs[CMD_MAX] = {
	[CMD_APPROVE] = "approve",
	[CMD_DENY] = "deny",
	[CMD_REVOKE] = "revoke",
	[CMD_CANCEL] = "cancel",
};

static char *refusal(struct agent *a, int err, const struct request *r, const struct actor *act,
		     enum proto_cmd cmd)
{
	const char *verb = verbs[cmd];

	switch (err) {
	case -EPERM:
		if ((cmd == CMD_APPROVE || cmd == CMD_DENY) && act->uid == r->uid)
			return proto_reply_error(PROTO_E_NOT_PERMITTED,
						 "%s: you cannot %s your own request", verb, verb);
		if (cmd == CMD_CANCEL)
			return proto_reply_error(
				PROTO_E_NOT_PERMITTED,
				"cancel: only the requester (%s) may cancel request %lld",
				r->requester, (long long)r->id);
		return proto_reply_error(PROTO_E_NOT_PERMITTED,
					 "%s: you are not an approver of zone %s", verb, r->zone);
	case -EBUSY:
		return proto_reply_error(PROTO_E_CONFLICT, "%s: request %lld is %s", verb,
					 (long long)r->id, req_state_name(r->state));
	case -EALREADY:
		return proto_reply_error(
			PROTO_E_CONFLICT,
			"approve: you already approved request %lld (%d approvals so far)",
			(long long)r->id, r->approvals);
	default:
		return reply_errno(err, verb);
	}
}

/* Applies @cmd to @r inside the open transaction. */
/* What each deciding command records and who hears of it. */
static const struct move {
	enum decision_kind kind;
	enum req_event event;
	const char *type; /* the audit record */
	const char *what; /* the requester's mail; NULL for none */
} moves[CMD_MAX] = {
	[CMD_APPROVE] = {DEC_APPROVE, EV_APPROVE, "request.approved", "approved"},
	[CMD_DENY] = {DEC_DENY, EV_DENY, "request.denied", "denied"},
	[CMD_CANCEL] = {DEC_CANCEL, EV_CANCEL, "request.cancelled", NULL},
	[CMD_REVOKE] = {DEC_REVOKE, EV_REVOKE, "grant.revoked", "revoked"},
};

/* Applies @cmd to @r inside the open transaction; the state comes from the policy. */
static int apply(struct agent *a, struct client *c, const struct proto_req *q, struct request *r,
		 const struct zone_ref *z, int64_t now, bool *grant_changed)
{
	const struct move *m = &moves[q->cmd];
	struct decision d = {.request = r->id, .kind = m->kind, .uid = c->cred.uid, .at = now};
	const char *by = user_name(a, c->cred.uid);
	const char *what = NULL, *text = q->reason;
	const char *type = m->type;
	json_t *rec;
	int err, next;

	if (!type)
		return -EINVAL;
	snprintf(d.user, sizeof(d.user), "%s", by);
	if (q->cmd == CMD_APPROVE) {
		text = q->comment;
		r->approvals++;
	}
	next = policy_next_state(r->state, m->event, r->approvals,
				 z ? z->cfg->approvals_required : 1);
	if (next < 0)
		return next;
	if (next != (int)r->state) {
		r->state = next;
		what = m->what;
		if (next == REQ_APPROVED) {
			r->grant_id = r->id;
			r->expires_at = now + r->duration;
		}
		if (next == REQ_REVOKED)
			r->expires_at = now; /* the grant ends now; decided_at stays the approval */
		else
			r->decided_at = now;
	}
	snprintf(d.comment, sizeof(d.comment), "%s", text);
	err = store_decision_add(a->st, &d);
	if (!err)
		err = store_request_update(a->st, r);
	if (err)
		return err;
	if (r->state == REQ_APPROVED || r->state == REQ_REVOKED) {
		*grant_changed = true;
		err = grant_sync(a, r->uid, r->zone, now);
		if (err)
			return err;
	}
	rec = request_record(a, type, c->cred.uid, r);
	json_object_set_new(rec, "state", json_string(req_state_name(r->state)));
	if (text[0])
		json_object_set_new(rec, q->cmd == CMD_APPROVE ? "comment" : "reason",
				    json_string(text));
	if (q->cmd == CMD_APPROVE) {
		json_object_set_new(rec, "approvals", json_integer(r->approvals));
		json_object_set_new(rec, "approvals_required",
				    json_integer(z ? z->cfg->approvals_required : 1));
	}
	if (r->state == REQ_APPROVED) {
		char t[TIME_BUF];

		time_format(r->expires_at, t, sizeof(t));
		json_object_set_new(rec, "grant_expires_at", json_string(t));
	}
	err = agent_audit(a, rec);
	if (!err && what)
		err = tell_requester(a, r, what, by, text, now);
	if (!err && q->cmd == CMD_CANCEL && z)
		err = tell_cancelled(a, z->cfg, r, by, now);
	return err;
}

char *cmd_decide(struct agent *a, struct client *c, const struct proto_req *q)
{
	const char *verb = verbs[q->cmd];
	int64_t now = time(NULL);
	bool grant_changed = false;
	const struct zone_ref *z;
	struct request r;
	struct actor act;
	int err;

	err = store_request_get(a->st, q->id, &r);
	if (err == -ENOENT)
		return proto_reply_error(PROTO_E_NOT_FOUND, "%s: no request %lld", verb,
					 (long long)q->id);
	if (err)
		return reply_errno(err, verb);
	z = zone_by_name(a, r.zone);
	actor_of(a, c, r.zone, &act);
	err = policy_check(&r, &act, moves[q->cmd].event,
			   q->cmd == CMD_APPROVE && store_has_approved(a->st, r.id, c->cred.uid));
	if (err)
		return refusal(a, err, &r, &act, q->cmd);
	if (q->cmd == CMD_DENY && strlen(q->reason) < LB_REASON_MIN)
		return proto_reply_error(PROTO_E_INVALID, "reason: must be at least %d characters",
					 LB_REASON_MIN);

	err = tx_begin(a);
	if (err)
		return reply_errno(err, verb);
	err = apply(a, c, q, &r, z, now, &grant_changed);
	if (!err)
		err = tx_commit(a);
	if (err) {
		tx_rollback(a);
		if (grant_changed)
			grant_sync(a, r.uid, r.zone, now); /* back to what the store says */
		return reply_errno(err, verb);
	}
	log_info("request %lld: %s by %s, now %s", (long long)r.id, verb, user_name(a, c->cred.uid),
		 req_state_name(r.state));
	wake_waiters(a, r.id, 0);
	return proto_reply_ok(proto_request_to_json(&r));
}

struct due {
	int64_t now;
	struct vec ids; /* of int64_t */
};

static int collect_due(const struct request *r, void *ctx)
{
	struct due *d = ctx;

	if (r->expires_at > d->now)
		return 0;
	return vec_push(&d->ids, &r->id);
}

static int expire_one(struct agent *a, int64_t id, int64_t now)
{
	struct decision d = {.request = id, .kind = DEC_EXPIRE, .uid = LB_UID_AGENT, .at = now};
	bool was_active;
	struct request r;
	json_t *rec;
	int err;

	err = tx_begin(a);
	if (err)
		return err;
	err = store_request_get(a->st, id, &r);
	if (err)
		goto fail;
	was_active = r.state == REQ_APPROVED;
	r.state = REQ_EXPIRED;
	if (!was_active)
		r.decided_at = now;
	snprintf(d.user, sizeof(d.user), "lockboxd");
	err = store_decision_add(a->st, &d);
	if (!err)
		err = store_request_update(a->st, &r);
	if (!err && was_active)
		err = grant_sync(a, r.uid, r.zone, now);
	if (err)
		goto fail;
	rec = request_record(a, was_active ? "grant.expired" : "request.expired", LB_UID_AGENT, &r);
	err = agent_audit(a, rec);
	if (!err)
		err = tell_requester(a, &r, "expired", NULL, NULL, now);
	if (!err)
		err = tx_commit(a);
	if (err)
		goto fail;
	wake_waiters(a, id, 0);
	return 0;
fail:
	tx_rollback(a);
	return err;
}

int expire_due(struct agent *a, int64_t now)
{
	struct due d = {.now = now, .ids = VEC_INIT(int64_t)};
	int err = store_requests_foreach(a->st, (1u << REQ_PENDING) | (1u << REQ_APPROVED),
					 collect_due, &d);

	for (size_t i = 0; i < d.ids.n && !err; i++)
		err = expire_one(a, VEC_AT(&d.ids, int64_t, i), now);
	vec_free(&d.ids);
	return err;
}
