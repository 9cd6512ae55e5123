// SPDX-License-Identifier: GPL-2.0-only
/*
 * revoke --signed STATEMENT SIG: a revocation signed by a zone approver or a
 * security key, valid on every host of the fleet. It ends the grant the approval
 * became here, if there is one, and bars the approval from later redeems,
 * whether or not it was redeemed here yet.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "config.h"
#include "log.h"
#include "signed.h"
#include "statements.h"
#include "store.h"
#include "workflow.h"

/* The revocation @q carries and the key that signed it; -errno with *@reply set. */
static int check_revocation(const struct cmd_ctx *x, const struct proto_req *q,
			    struct statement *st, const struct named_key **k, char **reply)
{
	struct signer_check sc = {.security_too = true, .verb = "revoke", .over = "the statement"};
	const struct zone_ref *z;
	struct sshsig_info info;
	char err[256];

	if (statement_parse(q->statement, q->statement_len, st, err, sizeof(err))) {
		*reply = proto_reply_error(PROTO_E_INVALID, "revoke: STATEMENT: %s", err);
		return -EINVAL;
	}
	if (st->type != STATEMENT_REVOCATION) {
		REFUSE(reply,
		       "revoke: STATEMENT is a %s, not a revocation (make one with "
		       "`lockboxctl statement ID --revoke`)",
		       statement_type_name(st->type));
		return -EPERM;
	}
	z = ctx_zone_by_name(x, st->zone);
	if (!z) {
		*reply = proto_reply_error(PROTO_E_NOT_FOUND,
					   "revoke: zone %s is not configured on host %s", st->zone,
					   x->host);
		return -ENOENT;
	}
	sc.zone = z->cfg;
	*k = signed_verify(x, &sc, q->signature, q->statement, q->statement_len, &info, reply);
	return *k ? 0 : -EPERM;
}

/*
 * The local request the revoked approval stands for, when it has one: 0 with *@r
 * filled, 1 when there is none, or -errno with *@reply set.
 */
static int revoked_request(const struct cmd_ctx *x, const struct statement *st, struct request *r,
			   char **reply)
{
	int64_t id;
	int err = statement_local_request(x, st->id, &id);

	if (err == -ENOENT)
		return 1;
	if (!err)
		err = store_request_get(x->st, id, r);
	if (err) {
		*reply = reply_errno(err, "revoke");
		return err;
	}
	if (strcmp(r->zone, st->zone) || strcmp(r->requester, st->engineer)) {
		REFUSE(reply,
		       "revoke: statement %s is request %lld here, of %s in zone %s, not "
		       "of %s in %s",
		       st->id, (long long)r->id, r->requester, r->zone, st->engineer, st->zone);
		return -EPERM;
	}
	return 0;
}

/*
 * The bar, and the end of @r when it still may act: revoked when approved,
 * denied when pending (so no signature handed in later approves it); in one
 * transaction.
 */
static int revoke_apply(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q,
			const struct statement *st, const struct named_key *k, struct request *r,
			bool *changed)
{
	struct signed_by sb = {.name = k->name,
			       .fields = signed_fields(k, q->signature, q->statement, st->id),
			       .text = "ended by a signed revocation"};
	int64_t now = x->now();
	json_t *rec;
	int err = sb.fields ? store_revocation_add(x->st, st->id, st->zone, st->engineer, now,
						   k->name)
			    : -ENOMEM;

	if (!err && r && (r->state == REQ_APPROVED || r->state == REQ_PENDING)) {
		err = apply_signed(x, c, r->state == REQ_APPROVED ? CMD_REVOKE : CMD_DENY, r, now,
				   changed, &sb);
	} else if (!err) { /* nothing live here: the bar is what is recorded */
		rec = ctx_record(x, "statement.revoked", c->uid, st->zone, r ? r->id : 0);
		json_object_set_new(rec, "engineer", json_string(st->engineer));
		json_object_set_new(rec, "by", json_string(k->name));
		json_object_update(rec, sb.fields);
		err = ctx_append(x, rec);
	}
	json_decref(sb.fields);
	return err;
}

/* {"id": null, ...}: a bar with no request of this host behind it. */
static char *bar_reply(const struct statement *st)
{
	return proto_reply_ok(
		json_pack("{s:n, s:s, s:s}", "id", "state", "revoked", "statement_id", st->id));
}

static char *revoke_commit(const struct cmd_ctx *x, const struct caller *c,
			   const struct proto_req *q, const struct statement *st,
			   const struct named_key *k, struct request *r)
{
	bool changed = false;
	int err = ctx_begin(x);

	if (err)
		return reply_errno(err, "revoke");
	err = revoke_apply(x, c, q, st, k, r, &changed);
	if (!err)
		err = ctx_commit(x);
	if (err) {
		ctx_rollback(x);
		if (changed)
			grant_sync(x, r->uid, r->zone, x->now());
		return reply_errno(err, "revoke");
	}
	log_info("statement %s revoked by %s%s", st->id, k->name,
		 changed ? ": its grant here ended" : "");
	if (r && x->request_done)
		x->request_done(x->owner, r->id);
	return r ? proto_reply_ok(proto_request_to_json(r)) : bar_reply(st);
}

char *cmd_revoke_signed(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q)
{
	const struct named_key *k = NULL;
	struct statement st = {0};
	struct revocation rev;
	struct request r;
	char *reply = NULL;
	int none;

	if (check_revocation(x, q, &st, &k, &reply))
		goto out;
	none = revoked_request(x, &st, &r, &reply);
	if (none < 0)
		goto out;
	if (!store_revocation_get(x->st, st.id, st.zone, st.engineer, &rev) &&
	    (none || (r.state != REQ_APPROVED && r.state != REQ_PENDING)))
		/* said before, and nothing here may still act: nothing to change */
		reply = none ? bar_reply(&st) : proto_reply_ok(proto_request_to_json(&r));
	else
		reply = revoke_commit(x, c, q, &st, k, none ? NULL : &r);
out:
	statement_free(&st);
	return reply;
}
