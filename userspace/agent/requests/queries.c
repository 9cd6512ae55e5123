// SPDX-License-Identifier: GPL-2.0-only
/* The commands that read: list, show, wait, audit, audit verify, status. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/types.h>
#include "audit.h"
#include "config.h"
#include "queries.h"
#include "signed_audit.h"
#include "store.h"
#include "timefmt.h"

struct list_ctx {
	const struct cmd_ctx *x;
	const struct caller *c;
	struct actor *by_zone; /* the caller's roles per zone, worked out once */
	json_t *out;
};

static int list_one(const struct request *r, void *ctx)
{
	struct list_ctx *l = ctx;
	const struct zone_ref *z = ctx_zone_by_name(l->x, r->zone);
	struct actor act;

	if (z && l->by_zone)
		act = l->by_zone[z - l->x->zones];
	else
		ctx_actor(l->x, l->c, r->zone, &act);
	if (policy_can_view(r, &act))
		json_array_append_new(l->out, proto_request_to_json(r));
	return 0;
}

char *cmd_list(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q)
{
	struct list_ctx l = {.x = x, .c = c, .out = json_array()};
	int err;

	l.by_zone = calloc(x->n_zones + 1, sizeof(*l.by_zone));
	for (size_t i = 0; l.by_zone && i < x->n_zones; i++)
		ctx_actor(x, c, x->zones[i].cfg->name, &l.by_zone[i]);
	err = store_requests_foreach(x->st, q->state_mask, list_one, &l);
	free(l.by_zone);
	if (err) {
		json_decref(l.out);
		return reply_errno(err, "list");
	}
	return proto_reply_ok(l.out);
}

static int add_decision(const struct decision *d, void *ctx)
{
	return json_array_append_new(ctx, proto_decision_to_json(d)) ? -ENOMEM : 0;
}

static json_t *grant_json(const struct cmd_ctx *x, const struct request *r)
{
	const struct zone_ref *z = ctx_zone_by_name(x, r->zone);
	struct lb_grant g;
	char t[TIME_BUF];
	bool live;

	if (!r->grant_id)
		return json_null();
	/* active means the kernel holds this very grant now, not just that the store says so */
	live = r->state == REQ_APPROVED && z && x->grants->get(x->guard, r->uid, z->id, &g) == 0 &&
	       g.id == (__u64)r->grant_id && r->expires_at > x->now();
	time_format(r->expires_at, t, sizeof(t));
	return json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)r->grant_id, "access",
			 access_name(r->access), "expires_at", t, "active", live);
}

int get_visible(const struct cmd_ctx *x, const struct caller *c, int64_t id, const char *verb,
		struct request *r, char **reply)
{
	struct actor act;
	int err = store_request_get(x->st, id, r);

	if (err == -ENOENT) {
		*reply = proto_reply_error(PROTO_E_NOT_FOUND, "%s: no request %lld", verb,
					   (long long)id);
		return err;
	}
	if (err) {
		*reply = reply_errno(err, verb);
		return err;
	}
	ctx_actor(x, c, r->zone, &act);
	if (!policy_can_view(r, &act)) {
		*reply = proto_reply_error(
			PROTO_E_NOT_PERMITTED,
			"%s: request %lld is not yours, nor in a zone you approve", verb,
			(long long)id);
		return -EPERM;
	}
	return 0;
}

int request_hosts(const struct cmd_ctx *x, int64_t id, char buf[PROTO_HOSTS_LEN])
{
	int err = store_request_hosts(x->st, id, buf, PROTO_HOSTS_LEN);

	/* a request filed before hosts were kept covers this host */
	if (!err && !buf[0])
		snprintf(buf, PROTO_HOSTS_LEN, "%s", x->host);
	return err;
}

/* The patterns of "PATTERN[,PATTERN...]" as a JSON array. */
static json_t *hosts_json(const char *list)
{
	json_t *a = json_array();
	size_t len;

	for (const char *p = list; a; p += len + 1) {
		len = strcspn(p, ",");
		json_array_append_new(a, json_stringn(p, len));
		if (!p[len])
			break;
	}
	return a;
}

char *cmd_show(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q)
{
	char hosts[PROTO_HOSTS_LEN];
	struct request r;
	char *reply = NULL;
	json_t *out, *decisions;
	int err;

	if (get_visible(x, c, q->id, "show", &r, &reply))
		return reply;
	out = proto_request_to_json(&r);
	decisions = json_array();
	err = store_decisions_foreach(x->st, r.id, add_decision, decisions);
	json_object_set_new(out, "decisions", decisions);
	json_object_set_new(out, "approvals", json_integer(r.approvals));
	json_object_set_new(out, "grant", grant_json(x, &r));
	if (!err)
		err = request_hosts(x, r.id, hosts);
	if (!err)
		json_object_set_new(out, "hosts", hosts_json(hosts));
	if (err) {
		json_decref(out);
		return reply_errno(err, "show");
	}
	return proto_reply_ok(out);
}

char *cmd_wait(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q,
	       int64_t *wait_id, int64_t *wait_until)
{
	struct request r;
	char *reply = NULL;

	if (get_visible(x, c, q->id, "wait", &r, &reply))
		return reply;
	if (r.state != REQ_PENDING)
		return proto_reply_ok(proto_request_to_json(&r));
	*wait_id = r.id;
	*wait_until = q->timeout ? x->now() + q->timeout : 0;
	return NULL; /* answered by wait_answer() */
}

char *wait_answer(const struct cmd_ctx *x, int64_t id, int64_t until, int64_t now)
{
	struct request r;

	if (store_request_get(x->st, id, &r) == 0 && r.state != REQ_PENDING)
		return proto_reply_ok(proto_request_to_json(&r));
	if (now && until && now >= until)
		return proto_reply_error(PROTO_E_TIMEOUT, "wait: request %lld is still pending",
					 (long long)id);
	return NULL;
}

static int add_record(json_t *rec, void *ctx)
{
	return json_array_append(ctx, rec) ? -ENOMEM : 0;
}

static char *audit_denied(const struct cmd_ctx *x, const char *verb)
{
	return proto_reply_error(PROTO_E_NOT_PERMITTED,
				 "%s: the audit trail is for security and root only", verb);
}

char *cmd_audit(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q,
		bool *follow)
{
	struct actor act;
	json_t *out;
	int err;

	ctx_actor(x, c, NULL, &act);
	if (!policy_can_audit(&act))
		return audit_denied(x, "audit");
	out = json_array();
	err = audit_foreach(x->st, q->after, q->since, add_record, out);
	if (err) {
		json_decref(out);
		return reply_errno(err, "audit");
	}
	*follow = q->follow;
	return proto_reply_ok(out);
}

char *cmd_verify(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q)
{
	int64_t bad = 0, records = 0, sigs = 0;
	char why[512] = "";
	struct actor act;
	json_t *out;
	int err;

	ctx_actor(x, c, NULL, &act);
	if (!policy_can_audit(&act))
		return audit_denied(x, "audit verify");
	err = audit_verify_count(x->st, &records, &bad, why, sizeof(why));
	if (!err && q->check_signatures)
		err = audit_check_signatures(x->st, &sigs, &bad, why, sizeof(why));
	if (err && err != -EBADMSG)
		return reply_errno(err, "audit verify");
	out = json_pack("{s:b, s:I, s:o, s:s}", "ok", !err, "records", (json_int_t)records,
			"bad_seq", err ? json_integer(bad) : json_null(), "message",
			err ? why : "audit trail intact");
	if (out && q->check_signatures)
		json_object_set_new(out, "signatures", json_integer(sigs));
	return proto_reply_ok(out);
}

struct counts {
	int64_t pending, active;
};

static int count_one(const struct request *r, void *ctx)
{
	struct counts *n = ctx;

	if (r->state == REQ_PENDING)
		n->pending++;
	else
		n->active++;
	return 0;
}

char *cmd_status(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q)
{
	const char *const *hooks = x->grants->hooks();
	struct counts n = {0};
	__u64 cnt[LB_CNT_MAX] = {0};
	int64_t outbox = 0;
	struct lb_config gc = {0};
	json_t *h = json_array();

	for (int i = 0; hooks[i]; i++)
		json_array_append_new(h, json_string(hooks[i]));
	store_requests_foreach(x->st, (1u << REQ_PENDING) | (1u << REQ_APPROVED), count_one, &n);
	x->grants->counters(x->guard, cnt);
	x->grants->get_config(x->guard, &gc);
	store_outbox_pending(x->st, &outbox);
	return proto_reply_ok(json_pack(
		"{s:s, s:o, s:{s:I, s:I, s:I, s:I}, s:I, s:I, s:I, s:I, s:s}", "mode",
		gc.mode == LB_MODE_PERMISSIVE ? "permissive" : "enforce", "hooks", h, "counts",
		"pending", (json_int_t)n.pending, "active", (json_int_t)n.active, "engineers",
		(json_int_t)x->n_engineers, "zones", (json_int_t)x->n_zones, "events_lost",
		(json_int_t)cnt[LB_CNT_EVENTS_LOST], "depth_denied",
		(json_int_t)cnt[LB_CNT_DEPTH_DENIED], "nolog_denied",
		(json_int_t)cnt[LB_CNT_NOLOG_DENIED], "outbox_pending", (json_int_t)outbox,
		"version", LOCKBOX_VERSION));
}
