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
#include "config.h"
#include "log.h"
#include "mail.h"
#include "notify.h"
#include "payload.h"
#include "protocol.h"
#include "request_statement.h"
#include "store.h"
#include "timefmt.h"
#include "vec.h"
#include "workflow.h"

struct best_grant {
	uint32_t uid;
	const char *zone;
	int64_t now;
	const struct request *best;
	struct request keep;
};

static int pick_grant(const struct request *r, void *ctx)
{
	struct best_grant *b = ctx;

	if (r->uid != b->uid || strcmp(r->zone, b->zone) || r->expires_at <= b->now)
		return 0;
	/*
	 * The kernel holds one grant per engineer and zone: the one with the most
	 * access, then the longest. When a short write grant ends before a longer
	 * read grant, the kernel denies until the agent's next tick puts the read
	 * grant back: closed, never open, in between.
	 */
	if (!b->best || r->access > b->keep.access ||
	    (r->access == b->keep.access && r->expires_at > b->keep.expires_at)) {
		b->keep = *r;
		b->best = &b->keep;
	}
	return 0;
}

/* The kernel's grant for @r, its expiry never moved later than the kernel has it. */
static int grant_put(const struct cmd_ctx *x, uint32_t uid, uint32_t zone, const struct request *r)
{
	const struct grant_ops *g = x->grants;
	struct lb_grant cur = {0};
	bool held = g->get(x->guard, uid, zone, &cur) == 0 && cur.id == (__u64)r->id;
	__u64 ns = policy_kernel_expiry(g->boot_expiry(r->expires_at), held, cur.expires_ns);

	return g->put(x->guard, uid, zone, r->id, r->access, ns);
}

int grant_sync(const struct cmd_ctx *x, uint32_t uid, const char *zone, int64_t now)
{
	const struct zone_ref *z = ctx_zone_by_name(x, zone);
	struct best_grant b = {.uid = uid, .zone = zone, .now = now};
	int err;

	if (!z)
		return 0; /* zone gone from the config: nothing in the kernel to keep */
	err = store_requests_of(x->st, uid, zone, 1u << REQ_APPROVED, pick_grant, &b);
	if (err)
		return err;
	if (!b.best)
		return x->grants->del(x->guard, uid, z->id);
	return grant_put(x, uid, z->id, b.best);
}

static void zone_list(const struct cmd_ctx *x, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (size_t i = 0; i < x->n_zones && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "", x->zones[i].cfg->name);
	if (!x->n_zones)
		snprintf(buf, len, "none configured");
}

/* notify.format "json": a structured payload (payload.h) instead of a mail. */
static bool json_format(const struct cmd_ctx *x)
{
	return x->cfg->notify_format && !strcmp(x->cfg->notify_format, "json");
}

/* Request @r's approval statement (free it), for the approvers to sign; NULL if none. */
static char *statement_for_mail(const struct cmd_ctx *x, const struct request *r)
{
	struct statement st;
	char err[256], *text = NULL;
	size_t len;

	if (!request_statement(x, r, &st, err, sizeof(err)))
		statement_format(&st, &text, &len, err, sizeof(err));
	statement_free(&st);
	return text;
}

/* The message about @what ("created", "approved"...) for @to, in the configured format. */
static char *message(const struct cmd_ctx *x, const struct request *r, const char *what,
		     const char *by, const char *comment, const char *const *to, size_t n_to,
		     int64_t now)
{
	char event[32], *msg;
	bool created = !strcmp(what, "created");
	char *statement = created ? statement_for_mail(x, r) : NULL;
	struct payload_event ev = {event, x->host, by, comment, to, n_to, statement};

	snprintf(event, sizeof(event), "request.%s", what);
	if (json_format(x))
		msg = payload_build(&ev, r, now);
	else if (created)
		msg = mail_request_created(x->cfg->notify_from, to, n_to, r, x->host, statement,
					   now);
	else
		msg = mail_request_decided(x->cfg->notify_from, to[0], r, what, by, comment, now);
	free(statement);
	return msg;
}

/* Queues @msg (taken) for @to; a message that could not be built is logged, never fatal. */
static int enqueue(const struct cmd_ctx *x, const struct request *r, const char *what, char *msg,
		   const char *const *to, size_t n_to, int64_t now)
{
	int err;

	if (!msg) {
		log_warn("notify: cannot build the %s message for request %lld", what,
			 (long long)r->id);
		return 0;
	}
	err = notifier_enqueue(x->notifier, to, n_to, msg, now);
	free(msg);
	return err;
}

/* The requester hears about @what: at notify.addresses' address, else user@domain of from. */
static int tell_requester(const struct cmd_ctx *x, const struct request *r, const char *what,
			  const char *by, const char *comment, int64_t now)
{
	char to[MAIL_ADDR_MAX + 1];
	const char *rcpt[1] = {to};
	const char *mapped = config_user_address(x->cfg, r->requester);

	if (mapped)
		snprintf(to, sizeof(to), "%s", mapped);
	else if (mail_user_address(x->cfg->notify_from, r->requester, to, sizeof(to)))
		return 0;
	return enqueue(x, r, what, message(x, r, what, by, comment, rcpt, 1, now), rcpt, 1, now);
}

static int tell_approvers(const struct cmd_ctx *x, const struct zone_cfg *z,
			  const struct request *r, int64_t now)
{
	const char *const *to = (const char *const *)z->notify;

	if (!z->n_notify)
		return 0;
	return enqueue(x, r, "created", message(x, r, "created", NULL, NULL, to, z->n_notify, now),
		       to, z->n_notify, now);
}

/* The approvers who were asked hear that the question is withdrawn. */
static int tell_cancelled(const struct cmd_ctx *x, const struct zone_cfg *z,
			  const struct request *r, const char *by, int64_t now)
{
	int err = 0;

	for (size_t i = 0; i < z->n_notify && !err; i++) {
		const char *rcpt[1] = {z->notify[i]};
		char *msg = message(x, r, "cancelled", by, NULL, rcpt, 1, now);

		if (msg) /* else an address config_parse let through but mail refuses */
			err = enqueue(x, r, "cancelled", msg, rcpt, 1, now);
	}
	return err;
}

static json_t *request_record(const struct cmd_ctx *x, const char *type, uint32_t uid,
			      const struct request *r)
{
	json_t *rec = ctx_record(x, type, uid, r->zone, r->id);

	json_object_set_new(rec, "requester", json_string(r->requester));
	json_object_set_new(rec, "access", json_string(access_name(r->access)));
	return rec;
}

json_t *created_record(const struct cmd_ctx *x, const struct request *r, const char *hosts)
{
	json_t *rec = request_record(x, "request.created", r->uid, r);

	json_object_set_new(rec, "reason", json_string(r->reason));
	json_object_set_new(rec, "ticket", r->ticket[0] ? json_string(r->ticket) : json_null());
	json_object_set_new(rec, "duration", json_integer(r->duration));
	json_object_set_new(rec, "hosts", json_string(hosts));
	return rec;
}

/* The request @act files for zone @z as @q asks, created @now. */
static void request_fill(const struct cmd_ctx *x, const struct actor *act, const struct zone_ref *z,
			 const struct proto_req *q, int64_t now, struct request *r)
{
	snprintf(r->zone, sizeof(r->zone), "%s", z->cfg->name);
	r->uid = act->uid;
	snprintf(r->requester, sizeof(r->requester), "%s", ctx_user(x, act->uid));
	r->access = q->access;
	snprintf(r->reason, sizeof(r->reason), "%s", q->reason);
	snprintf(r->ticket, sizeof(r->ticket), "%s", q->ticket);
	r->duration = policy_duration(q->duration, config_max_duration(x->cfg, z->cfg));
	r->created_at = now;
	r->expires_at = now + x->cfg->request_ttl;
	r->state = REQ_PENDING;
}

/* Stores @r with its host patterns (@hosts; "" is this host) and records it. */
static int request_store(const struct cmd_ctx *x, const struct zone_cfg *z, struct request *r,
			 const char *hosts, int64_t now)
{
	json_t *rec;
	int err;

	err = store_request_insert(x->st, r);
	if (!err)
		err = store_request_set_hosts(x->st, r->id, hosts[0] ? hosts : x->host);
	if (err)
		return err;
	rec = created_record(x, r, hosts[0] ? hosts : x->host);
	err = ctx_append(x, rec);
	if (!err)
		err = tell_approvers(x, z, r, now);
	return err;
}

char *cmd_request(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q)
{
	const struct zone_ref *z = ctx_zone_by_name(x, q->zone);
	int64_t now = x->now();
	struct request r = {0};
	struct actor act;
	char zones[512];
	int err;

	ctx_actor(x, c, q->zone, &act);
	if (!policy_can_request(&act))
		return proto_reply_error(PROTO_E_NOT_PERMITTED,
					 "request: only engineers file requests, and %s is not one",
					 ctx_user(x, act.uid));
	if (!z) {
		zone_list(x, zones, sizeof(zones));
		return proto_reply_error(PROTO_E_NOT_FOUND, "zone: no zone named '%s' (zones: %s)",
					 q->zone, zones);
	}
	request_fill(x, &act, z, q, now, &r);
	err = ctx_begin(x);
	if (err)
		return reply_errno(err, "request");
	err = request_store(x, z->cfg, &r, q->hosts, now);
	if (!err)
		err = ctx_commit(x);
	if (err) {
		ctx_rollback(x);
		return reply_errno(err, "request");
	}
	log_info("request %lld: %s asks for %s access to %s", (long long)r.id, r.requester,
		 access_name(r.access), r.zone);
	return proto_reply_ok(proto_request_to_json(&r));
}

static const char *const verbs[CMD_MAX] = {
	[CMD_APPROVE] = "approve",
	[CMD_DENY] = "deny",
	[CMD_REVOKE] = "revoke",
	[CMD_CANCEL] = "cancel",
};

static char *refusal(const struct cmd_ctx *x, int err, const struct request *r,
		     const struct actor *act, enum proto_cmd cmd)
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

/*
 * Moves @r to the state the policy gives for @cmd (an approval counts first);
 * *what is the requester's mail when the state changed.
 */
static int advance(struct request *r, const struct move *m, enum proto_cmd cmd,
		   const struct zone_ref *z, int64_t now, const char **what)
{
	int next;

	if (cmd == CMD_APPROVE)
		r->approvals++;
	next = policy_next_state(r->state, m->event, r->approvals,
				 z ? z->cfg->approvals_required : 1);
	if (next < 0)
		return next;
	if (next == (int)r->state)
		return 0;
	r->state = next;
	*what = m->what;
	if (next == REQ_APPROVED) {
		r->grant_id = r->id;
		r->expires_at = now + r->duration;
	}
	if (next == REQ_REVOKED)
		r->expires_at = now; /* the grant ends now; decided_at stays the approval */
	else
		r->decided_at = now;
	return 0;
}

/* The audit record of @cmd's decision on @r (the approver named by @sb when signed). */
static json_t *decision_record(const struct cmd_ctx *x, const struct caller *c, enum proto_cmd cmd,
			       const struct request *r, const struct zone_ref *z,
			       const struct signed_by *sb)
{
	json_t *rec = request_record(x, moves[cmd].type, c->uid, r);

	json_object_set_new(rec, "state", json_string(req_state_name(r->state)));
	if (cmd == CMD_APPROVE) {
		json_object_set_new(rec, "approvals", json_integer(r->approvals));
		json_object_set_new(rec, "approvals_required",
				    json_integer(z ? z->cfg->approvals_required : 1));
	}
	if (r->state == REQ_APPROVED) {
		char t[TIME_BUF];

		time_format(r->expires_at, t, sizeof(t));
		json_object_set_new(rec, "grant_expires_at", json_string(t));
	}
	if (sb) { /* by the approver whose key signed; sent by whoever handed it over */
		json_object_set_new(rec, "uid", json_null()); /* a name, not a local user */
		json_object_set_new(rec, "user", json_string(sb->name));
		json_object_set_new(rec, "sent_by", json_string(ctx_user(x, c->uid)));
		json_object_set_new(rec, "sent_by_uid", json_integer(c->uid));
		json_object_update(rec, sb->fields);
	}
	return rec;
}

/*
 * Applies @cmd to @r inside the open transaction (@text: the approval's comment or
 * the reason); the state comes from the policy.
 */
static int apply(const struct cmd_ctx *x, const struct caller *c, enum proto_cmd cmd,
		 const char *text, struct request *r, const struct zone_ref *z, int64_t now,
		 bool *grant_changed, const struct signed_by *sb)
{
	const struct move *m = &moves[cmd];
	struct decision d = {.request = r->id, .kind = m->kind, .uid = c->uid, .at = now};
	const char *by = sb ? sb->name : ctx_user(x, c->uid);
	const char *what = NULL;
	json_t *rec;
	int err;

	if (!m->type)
		return -EINVAL;
	snprintf(d.user, sizeof(d.user), "%s", by);
	if (sb)
		d.uid = LB_UID_AGENT; /* a name from approver_keys, not a local user */
	err = advance(r, m, cmd, z, now, &what);
	if (err)
		return err;
	snprintf(d.comment, sizeof(d.comment), "%s", text);
	err = store_decision_add(x->st, &d);
	if (!err)
		err = store_request_update(x->st, r);
	if (err)
		return err;
	if (r->state == REQ_APPROVED || r->state == REQ_REVOKED) {
		*grant_changed = true;
		err = grant_sync(x, r->uid, r->zone, now);
		if (err)
			return err;
	}
	rec = decision_record(x, c, cmd, r, z, sb);
	if (text[0])
		json_object_set_new(rec, cmd == CMD_APPROVE ? "comment" : "reason",
				    json_string(text));
	err = ctx_append(x, rec);
	if (!err && what)
		err = tell_requester(x, r, what, by, text, now);
	if (!err && cmd == CMD_CANCEL && z)
		err = tell_cancelled(x, z->cfg, r, by, now);
	return err;
}

/* @q's decision on @r, applied and committed; the reply. */
static char *decide_commit(const struct cmd_ctx *x, const struct caller *c,
			   const struct proto_req *q, struct request *r, const struct zone_ref *z,
			   int64_t now, const struct signed_by *sb)
{
	const char *verb = verbs[q->cmd];
	bool grant_changed = false;
	int err;

	err = ctx_begin(x);
	if (err)
		return reply_errno(err, verb);
	err = apply(x, c, q->cmd, q->cmd == CMD_APPROVE ? q->comment : q->reason, r, z, now,
		    &grant_changed, sb);
	if (!err)
		err = ctx_commit(x);
	if (err) {
		ctx_rollback(x);
		if (grant_changed)
			grant_sync(x, r->uid, r->zone, now); /* back to what the store says */
		return reply_errno(err, verb);
	}
	log_info("request %lld: %s by %s, now %s", (long long)r->id, verb,
		 sb ? sb->name : ctx_user(x, c->uid), req_state_name(r->state));
	if (x->request_done)
		x->request_done(x->owner, r->id);
	return proto_reply_ok(proto_request_to_json(r));
}

char *approve_signed(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q,
		     struct request *r, const struct signed_by *sb)
{
	return decide_commit(x, c, q, r, ctx_zone_by_name(x, r->zone), x->now(), sb);
}

int apply_signed(const struct cmd_ctx *x, const struct caller *c, enum proto_cmd cmd,
		 struct request *r, int64_t now, bool *grant_changed, const struct signed_by *sb)
{
	return apply(x, c, cmd, sb->text ? sb->text : "", r, ctx_zone_by_name(x, r->zone), now,
		     grant_changed, sb);
}

/* Whether @act (or anyone by the same name) already approved @r. */
static bool approved_before(const struct cmd_ctx *x, const struct request *r,
			    const struct actor *act)
{
	return store_has_approved(x->st, r->id, act->uid) ||
	       store_has_approved_by(x->st, r->id, ctx_user(x, act->uid));
}

char *cmd_decide(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q)
{
	const char *verb = verbs[q->cmd];
	int64_t now = x->now();
	const struct zone_ref *z;
	struct request r;
	struct actor act;
	int err;

	/* signed.c answers those: never count one as the sender's own decision */
	if (q->signature[0] || q->statement_len)
		return proto_reply_error(PROTO_E_INTERNAL, "approve: a signed approval is "
							   "cmd_approve_signature()'s");
	err = store_request_get(x->st, q->id, &r);
	if (err == -ENOENT)
		return proto_reply_error(PROTO_E_NOT_FOUND, "%s: no request %lld", verb,
					 (long long)q->id);
	if (err)
		return reply_errno(err, verb);
	z = ctx_zone_by_name(x, r.zone);
	ctx_actor(x, c, r.zone, &act);
	err = policy_check(&r, &act, moves[q->cmd].event,
			   q->cmd == CMD_APPROVE && approved_before(x, &r, &act));
	if (err)
		return refusal(x, err, &r, &act, q->cmd);
	if (q->cmd == CMD_DENY && strlen(q->reason) < LB_REASON_MIN)
		return proto_reply_error(PROTO_E_INVALID, "reason: must be at least %d characters",
					 LB_REASON_MIN);

	return decide_commit(x, c, q, &r, z, now, NULL);
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

static int expire_one(const struct cmd_ctx *x, int64_t id, int64_t now)
{
	struct decision d = {.request = id, .kind = DEC_EXPIRE, .uid = LB_UID_AGENT, .at = now};
	bool was_active;
	struct request r;
	json_t *rec;
	int err;

	err = ctx_begin(x);
	if (err)
		return err;
	err = store_request_get(x->st, id, &r);
	if (err)
		goto fail;
	was_active = r.state == REQ_APPROVED;
	r.state = REQ_EXPIRED;
	if (!was_active)
		r.decided_at = now;
	snprintf(d.user, sizeof(d.user), "lockboxd");
	err = store_decision_add(x->st, &d);
	if (!err)
		err = store_request_update(x->st, &r);
	if (!err && was_active)
		err = grant_sync(x, r.uid, r.zone, now);
	if (err)
		goto fail;
	rec = request_record(x, was_active ? "grant.expired" : "request.expired", LB_UID_AGENT, &r);
	err = ctx_append(x, rec);
	if (!err)
		err = tell_requester(x, &r, "expired", NULL, NULL, now);
	if (!err)
		err = ctx_commit(x);
	if (err)
		goto fail;
	if (x->request_done)
		x->request_done(x->owner, id);
	return 0;
fail:
	ctx_rollback(x);
	return err;
}

int expire_due(const struct cmd_ctx *x, int64_t now)
{
	struct due d = {.now = now, .ids = VEC_INIT(int64_t)};
	int err = store_requests_foreach(x->st, (1u << REQ_PENDING) | (1u << REQ_APPROVED),
					 collect_due, &d);

	for (size_t i = 0; i < d.ids.n && !err; i++)
		err = expire_one(x, VEC_AT(&d.ids, int64_t, i), now);
	vec_free(&d.ids);
	return err;
}
