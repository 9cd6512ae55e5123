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

#define REFUSE(reply, ...) (*(reply) = proto_reply_error(PROTO_E_NOT_PERMITTED, __VA_ARGS__))

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

/* The bar, and the revocation of @r when it is live; in one transaction. */
static int revoke_apply(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q,
			const struct statement *st, const struct named_key *k, struct request *r,
			bool *changed)
{
	struct signed_by sb = {.name = k->name,
			       .fields = signed_fields(k, q->signature, q->statement)};
	int64_t now = x->now();
	json_t *rec;
	int err = sb.fields ? store_statement_revoked(x->st, st->id, now, k->name) : -ENOMEM;

	if (!err && r && r->state == REQ_APPROVED) {
		err = apply_signed(x, c, CMD_REVOKE, r, now, changed, &sb);
	} else if (!err) { /* nothing live here: the bar is what is recorded */
		rec = ctx_record(x, "statement.revoked", c->uid, st->zone, r ? r->id : 0);
		json_object_set_new(rec, "statement_id", json_string(st->id));
		json_object_set_new(rec, "by", json_string(k->name));
		json_object_update(rec, sb.fields);
		err = ctx_append(x, rec);
	}
	json_decref(sb.fields);
	return err;
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
	if (changed && x->request_done)
		x->request_done(x->owner, r->id);
	if (!r)
		return proto_reply_ok(json_pack("{s:n, s:s, s:s}", "id", "state", "revoked",
						"statement_id", st->id));
	return proto_reply_ok(proto_request_to_json(r));
}

char *cmd_revoke_signed(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q)
{
	const struct named_key *k = NULL;
	struct statement st = {0};
	struct statement_row row;
	struct request r;
	char *reply = NULL;
	int found;

	if (check_revocation(x, q, &st, &k, &reply))
		goto out;
	found = revoked_request(x, &st, &r, &reply);
	if (found < 0)
		goto out;
	if (!store_statement_get(x->st, st.id, &row) && row.revoked_at &&
	    (found || r.state != REQ_APPROVED)) /* said before: nothing to change */
		reply = found ? proto_reply_ok(json_pack("{s:n, s:s, s:s}", "id", "state",
							 "revoked", "statement_id", st.id))
			      : proto_reply_ok(proto_request_to_json(&r));
	else
		reply = revoke_commit(x, c, q, &st, k, found ? NULL : &r);
out:
	statement_free(&st);
	return reply;
}
