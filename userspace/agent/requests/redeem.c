// SPDX-License-Identifier: GPL-2.0-only
/*
 * redeem STATEMENT SIG...: a statement signed on an approver's machine becomes,
 * on any host it covers, a local request with its approvals and the grant, in
 * one transaction. Every check is made here, offline, before anything is written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "identity.h"
#include "log.h"
#include "policy.h"
#include "signed.h"
#include "statements.h"
#include "store.h"
#include "timefmt.h"
#include "workflow.h"

struct redeem {
	struct statement st;
	const struct zone_ref *z;
	uint32_t uid; /* the statement's engineer, here */
	const struct named_key *keys[PROTO_SIGS_MAX];
	int n_keys;
};

/* The approval statement @q carries, parsed into @rd->st; its zone configured here. */
static int parse_approval(const struct cmd_ctx *x, const struct proto_req *q, struct redeem *rd,
			  char **reply)
{
	char err[256];

	if (statement_parse(q->statement, q->statement_len, &rd->st, err, sizeof(err))) {
		*reply = proto_reply_error(PROTO_E_INVALID, "redeem: STATEMENT: %s", err);
		return -EINVAL;
	}
	if (rd->st.type != STATEMENT_APPROVAL) {
		REFUSE(reply, "redeem: STATEMENT is a %s, not an approval",
		       statement_type_name(rd->st.type));
		return -EPERM;
	}
	/* uname's name is root's to change (sethostname): only the protected config's counts */
	if (!x->cfg->host) {
		REFUSE(reply, "redeem: this host has no \"host\" in its config: the kernel's host "
			      "name is root's to change, so statements are redeemed only on a host "
			      "whose lockbox.json names it");
		return -EPERM;
	}
	rd->z = ctx_zone_by_name(x, rd->st.zone);
	if (!rd->z) {
		*reply = proto_reply_error(PROTO_E_NOT_FOUND,
					   "redeem: zone %s is not configured on host %s",
					   rd->st.zone, x->host);
		return -ENOENT;
	}
	if (!statement_host_matches(&rd->st, x->host)) {
		REFUSE(reply,
		       "redeem: host not matched: %s is not among the statement's hosts (%s%s)",
		       x->host, rd->st.hosts[0], rd->st.n_hosts > 1 ? ", ..." : "");
		return -EPERM;
	}
	return 0;
}

/* The engineer named is one here; the caller is that engineer, or root. */
static int check_engineer(const struct cmd_ctx *x, const struct caller *c, struct redeem *rd,
			  char **reply)
{
	const char *name = rd->st.engineer;
	struct actor act;
	int err = id_user_uid(name, &rd->uid);

	if (err == -ENOENT)
		REFUSE(reply, "redeem: engineer %s is not a user on host %s", name, x->host);
	else if (err)
		*reply = reply_errno(err, "redeem: looking up the engineer");
	else if (!id_matches(rd->uid, &x->cfg->engineers))
		REFUSE(reply, "redeem: %s is not an engineer on host %s", name, x->host);
	if (*reply)
		return -EPERM;
	ctx_actor(x, c, rd->st.zone, &act);
	if (act.engineer ? act.uid != rd->uid : !act.root) {
		REFUSE(reply,
		       "redeem: only the engineer the statement names (%s) or root may "
		       "redeem it",
		       name);
		return -EPERM;
	}
	return 0;
}

/* Signature @i's key, checked: trusted, not the engineer's, not a second one of a name. */
static int check_signer(const struct cmd_ctx *x, const struct proto_req *q, struct redeem *rd,
			int i, char **reply)
{
	struct sshsig_info info;
	char verb[48];
	struct signer_check sc = {.zone = rd->z->cfg, .verb = verb, .over = "the statement"};
	const struct named_key *k;

	snprintf(verb, sizeof(verb), "redeem: signature %d", i + 1);
	k = signed_verify(x, &sc, proto_signature_at(q, i), q->statement, q->statement_len, &info,
			  reply);
	if (!k)
		return -EPERM;
	if (!strcmp(k->name, rd->st.engineer)) {
		REFUSE(reply,
		       "%s: the signer %s is the engineer: nobody approves their own request", verb,
		       k->name);
		return -EPERM;
	}
	for (int j = 0; j < rd->n_keys; j++) {
		if (!strcmp(rd->keys[j]->name, k->name)) {
			REFUSE(reply, "%s: %s signed already (signature %d): one approval each",
			       verb, k->name, j + 1);
			return -EPERM;
		}
	}
	rd->keys[rd->n_keys++] = k;
	return 0;
}

static int check_signers(const struct cmd_ctx *x, const struct proto_req *q, struct redeem *rd,
			 char **reply)
{
	int need = rd->z->cfg->approvals_required;

	for (int i = 0; i < q->n_signatures; i++)
		if (check_signer(x, q, rd, i, reply))
			return -EPERM;
	if (rd->n_keys < need) {
		REFUSE(reply, "redeem: not enough approvals: %d of the %d zone %s requires",
		       rd->n_keys, need, rd->z->cfg->name);
		return -EPERM;
	}
	return 0;
}

/* A bar on the statement, for its zone and engineer: 1 with *@reply the refusal. */
static int barred(const struct cmd_ctx *x, const struct redeem *rd, char **reply)
{
	struct revocation rev;
	char t[TIME_BUF];
	int err = store_revocation_get(x->st, rd->st.id, rd->st.zone, rd->st.engineer, &rev);

	if (err == -ENOENT)
		return 0;
	if (err) {
		*reply = reply_errno(err, "redeem");
		return 1;
	}
	time_format(rev.at, t, sizeof(t));
	REFUSE(reply, "redeem: statement revoked: %s revoked %s at %s", rev.by, rd->st.id, t);
	return 1;
}

/*
 * A statement redeemed here before, byte for byte: its request, as it is (no
 * second grant, no longer one). 1 when *@reply is the answer, 0 to go on.
 */
static int redeemed_before(const struct cmd_ctx *x, const struct proto_req *q,
			   const struct redeem *rd, char **reply)
{
	struct request r;
	int64_t id;
	int err;

	if (!store_statement_same_text(x->st, rd->st.id, q->statement, q->statement_len))
		return 0;
	err = store_statement_request(x->st, rd->st.id, &id);
	if (!err)
		err = store_request_get(x->st, id, &r);
	*reply = err ? reply_errno(err, "redeem") : proto_reply_ok(proto_request_to_json(&r));
	return 1;
}

/* A statement this host filed (or one by the same id redeemed from other bytes). */
static int known_elsewise(const struct cmd_ctx *x, const struct redeem *rd, char **reply)
{
	int64_t id = 0;
	int err = statement_local_request(x, rd->st.id, &id);

	if (err == -ENOENT)
		return 0;
	if (err)
		*reply = reply_errno(err, "redeem");
	else
		*reply = proto_reply_error(PROTO_E_CONFLICT,
					   "redeem: statement %s is request %lld here: approve "
					   "it with `lockboxctl approve %lld --signature FILE`",
					   rd->st.id, (long long)id, (long long)id);
	return 1;
}

/* The local request @rd stands for, pending until its approvals are applied. */
static void redeemed_request(const struct cmd_ctx *x, const struct redeem *rd, int64_t now,
			     struct request *r)
{
	const struct statement *st = &rd->st;

	memset(r, 0, sizeof(*r));
	snprintf(r->zone, sizeof(r->zone), "%s", st->zone);
	r->uid = rd->uid;
	snprintf(r->requester, sizeof(r->requester), "%s", st->engineer);
	r->access = st->access;
	snprintf(r->reason, sizeof(r->reason), "%s", st->reason);
	snprintf(r->ticket, sizeof(r->ticket), "%s", st->ticket);
	/* never longer than this host's zone allows: what was signed is a maximum */
	r->duration = policy_duration(st->duration, config_max_duration(x->cfg, rd->z->cfg));
	r->created_at = now;
	r->expires_at = now + r->duration;
	r->state = REQ_PENDING;
}

/* The request, its statement's row and its request.created record. */
static int store_redeemed(const struct cmd_ctx *x, const struct caller *c,
			  const struct proto_req *q, const struct redeem *rd, struct request *r)
{
	char hosts[PROTO_HOSTS_LEN] = "";
	json_t *rec;
	int err;

	for (size_t i = 0; i < rd->st.n_hosts; i++)
		snprintf(hosts + strlen(hosts), sizeof(hosts) - strlen(hosts), "%s%s", i ? "," : "",
			 rd->st.hosts[i]);
	err = store_request_insert(x->st, r);
	if (!err)
		err = store_request_set_hosts(x->st, r->id, hosts);
	if (!err)
		err = store_statement_redeemed(x->st, rd->st.id, q->statement, r->id);
	if (err)
		return err;
	rec = created_record(x, r, hosts);
	json_object_set_new(rec, "statement_id", json_string(rd->st.id));
	json_object_set_new(rec, "sent_by", json_string(ctx_user(x, c->uid)));
	json_object_set_new(rec, "sent_by_uid", json_integer(c->uid));
	return ctx_append(x, rec);
}

/* Each signer's approval, the last one opening the grant. */
static int approve_all(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q,
		       const struct redeem *rd, struct request *r, int64_t now, bool *changed)
{
	int err = 0;

	/* every signature was verified; approvals past the zone's count change nothing */
	for (int i = 0; i < rd->n_keys && !err && r->state == REQ_PENDING; i++) {
		struct signed_by sb = {.name = rd->keys[i]->name};

		sb.fields = signed_fields(rd->keys[i], proto_signature_at(q, i), q->statement,
					  rd->st.id);
		err = sb.fields ? apply_signed(x, c, CMD_APPROVE, r, now, changed, &sb) : -ENOMEM;
		json_decref(sb.fields);
	}
	if (!err && r->state != REQ_APPROVED)
		err = -EPROTO; /* the count was checked: the policy must agree */
	return err;
}

static char *redeem_commit(const struct cmd_ctx *x, const struct caller *c,
			   const struct proto_req *q, const struct redeem *rd, int64_t now)
{
	bool changed = false;
	struct request r;
	int err;

	redeemed_request(x, rd, now, &r);
	err = ctx_begin(x);
	if (err)
		return reply_errno(err, "redeem");
	err = store_redeemed(x, c, q, rd, &r);
	if (!err)
		err = approve_all(x, c, q, rd, &r, now, &changed);
	if (!err)
		err = ctx_commit(x);
	if (err) {
		ctx_rollback(x);
		if (changed)
			grant_sync(x, r.uid, r.zone, now); /* back to what the store says */
		return reply_errno(err, "redeem");
	}
	log_info("request %lld: statement %s redeemed for %s, %s access to %s", (long long)r.id,
		 rd->st.id, r.requester, access_name(r.access), r.zone);
	if (x->request_done)
		x->request_done(x->owner, r.id);
	return proto_reply_ok(proto_request_to_json(&r));
}

char *cmd_redeem(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q)
{
	struct redeem rd = {0};
	char *reply = NULL;
	char t[TIME_BUF];
	int64_t now = x->now();

	if (!parse_approval(x, q, &rd, &reply) && !check_engineer(x, c, &rd, &reply) &&
	    !barred(x, &rd, &reply) && !redeemed_before(x, q, &rd, &reply) &&
	    !check_signers(x, q, &rd, &reply) && !known_elsewise(x, &rd, &reply)) {
		time_format(rd.st.redeem_by, t, sizeof(t));
		if (rd.st.redeem_by <= now)
			REFUSE(&reply,
			       "redeem: deadline passed: the statement had to be redeemed by %s",
			       t);
		else
			reply = redeem_commit(x, c, q, &rd, now);
	}
	statement_free(&rd.st);
	return reply;
}
