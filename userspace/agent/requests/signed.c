// SPDX-License-Identifier: GPL-2.0-only
/* Signed approvals: a request's statement, and approvals carried by SSHSIG signatures. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "errbuf.h"
#include "queries.h"
#include "signed.h"
#include "sshsig.h"
#include "statements.h"
#include "store.h"
#include "timefmt.h"
#include "workflow.h"

_Static_assert(PROTO_SIGNATURE_MAX == SSHSIG_ARMOR_MAX, "the protocol carries any signature");
_Static_assert(PROTO_HOSTS_MAX == STATEMENT_HOSTS_MAX && PROTO_PATTERN_MAX == STATEMENT_PATTERN_MAX,
	       "request --hosts takes what a statement can hold");

/* The statement text @q asks for, of request @r in a state that has one. */
static char *statement_reply(const struct cmd_ctx *x, const struct request *r, bool revoke)
{
	struct statement st, rev;
	char err[256], *text = NULL;
	size_t len;
	json_t *out;
	int ret;

	ret = request_statement(x, r, &st, err, sizeof(err));
	if (!ret && revoke) {
		statement_revocation(&st, &rev);
		/* a redeemed request revokes the statement it came from, fleet-wide */
		store_statement_of(x->st, r->id, rev.id, sizeof(rev.id));
		ret = statement_format(&rev, &text, &len, err, sizeof(err));
		statement_free(&rev);
	} else if (!ret) {
		ret = statement_format(&st, &text, &len, err, sizeof(err));
	}
	statement_free(&st);
	if (ret)
		return proto_reply_error(PROTO_E_INTERNAL, "statement: %s", err);
	out = json_pack("{s:s%}", "statement", text, len);
	free(text);
	return proto_reply_ok(out);
}

char *cmd_statement(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q)
{
	struct request r;
	char *reply = NULL;

	if (get_visible(x, c, q->id, "statement", &r, &reply))
		return reply;
	/* once decided, the request's times change: only a pending one can be signed */
	if (!q->revoke && r.state != REQ_PENDING)
		return proto_reply_error(PROTO_E_CONFLICT,
					 "statement: request %lld is %s: only a pending request's "
					 "statement can be signed",
					 (long long)r.id, req_state_name(r.state));
	if (q->revoke && r.state != REQ_APPROVED)
		return proto_reply_error(PROTO_E_CONFLICT,
					 "statement --revoke: request %lld is %s, not approved",
					 (long long)r.id, req_state_name(r.state));
	return statement_reply(x, &r, q->revoke);
}

/* Request @r's statement text (free it), or NULL with *@reply set. */
static char *statement_text(const struct cmd_ctx *x, const struct request *r, size_t *len,
			    char **reply)
{
	struct statement st;
	char err[256], *text = NULL;
	int ret = request_statement(x, r, &st, err, sizeof(err));

	if (!ret)
		ret = statement_format(&st, &text, len, err, sizeof(err));
	statement_free(&st);
	if (ret)
		*reply = proto_reply_error(PROTO_E_INTERNAL, "approve: statement: %s", err);
	return ret ? NULL : text;
}

/*
 * Whether an approval's signature counts in zone @z: a FIDO key's only if touched
 * (user presence), as OpenSSH itself demands by default; in a zone with
 * hardware_keys_only, only a touched FIDO key's.
 */
static bool presence_ok(const struct zone_cfg *z, const struct sshsig_info *info)
{
	bool sk = info->key.type == SSHKEY_SK_ED25519;

	if (sk && !(info->sk_flags & SSHSIG_SK_USER_PRESENT))
		return false;
	return sk || !z->hardware_keys_only;
}

/* The trusted key that made @info, or NULL with *@reply naming why it does not count. */
static const struct named_key *trusted_key(const struct cmd_ctx *x, const struct signer_check *sc,
					   const struct sshsig_info *info, char **reply)
{
	const struct zone_cfg *z = sc->zone;
	const struct named_key *k =
		config_named_key(z->approver_keys, z->n_approver_keys, &info->key);
	char fp[SSHKEY_FP_LEN] = "";

	sshkey_fingerprint(&info->key, fp);
	if (!k && sc->security_too) {
		k = config_named_key(x->cfg->security_keys, x->cfg->n_security_keys, &info->key);
		if (k)
			return k; /* a revocation needs no presence: it only takes access away */
	}
	if (!k)
		*reply = proto_reply_error(PROTO_E_NOT_PERMITTED,
					   "%s: key not trusted for zone %s: %s %s is not in "
					   "its approver_keys%s",
					   sc->verb, z->name, sshkey_type_name(info->key.type), fp,
					   sc->security_too ? " nor in security_keys" : "");
	else if (!sc->security_too && !presence_ok(z, info))
		*reply = proto_reply_error(PROTO_E_NOT_PERMITTED,
					   "%s: presence flag missing: zone %s counts a "
					   "hardware key (sk-ssh-ed25519) only when touched%s; "
					   "%s %s does not qualify",
					   sc->verb, z->name,
					   z->hardware_keys_only ? ", and no other key" : "",
					   sshkey_type_name(info->key.type), fp);
	return *reply ? NULL : k;
}

const struct named_key *signed_verify(const struct cmd_ctx *x, const struct signer_check *sc,
				      const char *sig, const char *text, size_t len,
				      struct sshsig_info *info, char **reply)
{
	char err[256];
	int ret = sshsig_verify(sig, text, len, STATEMENT_NAMESPACE, info, err, sizeof(err));

	if (ret == -EBADMSG) {
		*reply = proto_reply_error(PROTO_E_NOT_PERMITTED,
					   "%s: signature over another statement: it does "
					   "not verify over %s (edited after signing, signed for "
					   "another request, or not made by the key it names?)",
					   sc->verb, sc->over);
		return NULL;
	}
	if (ret) {
		*reply = proto_reply_error(PROTO_E_NOT_PERMITTED, "%s: bad signature: %s", sc->verb,
					   err);
		return NULL;
	}
	return trusted_key(x, sc, info, reply);
}

json_t *signed_fields(const struct named_key *k, const char *sig, const char *text, const char *id)
{
	char line[SSHKEY_LINE_MAX];

	sshkey_to_line(&k->key, line);
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "signature", sig, "key", line, "key_name",
			 k->name, "statement", text, "statement_id", id);
}

/* Records the approval of @r by @k, with what proves it in the trail. */
static char *record_signed(const struct cmd_ctx *x, const struct caller *c,
			   const struct proto_req *q, struct request *r, const struct named_key *k,
			   const char *text)
{
	struct signed_by sb = {.name = k->name};
	char id[STATEMENT_ID_MAX] = "";
	char *reply;

	statement_make_id(x->host, r->id, r->created_at, id);
	sb.fields = signed_fields(k, q->signature, text, id);
	if (!sb.fields)
		return reply_errno(-ENOMEM, "approve");
	reply = approve_signed(x, c, q, r, &sb);
	json_decref(sb.fields);
	return reply;
}

/* The request @q names, pending and in time; 0, or a negative errno with *@reply set. */
static int pending_request(const struct cmd_ctx *x, const struct proto_req *q, struct request *r,
			   const struct zone_cfg **z, char **reply)
{
	const struct zone_ref *zr;
	char t[TIME_BUF];
	int err = store_request_get(x->st, q->id, r);

	if (err == -ENOENT)
		*reply = proto_reply_error(PROTO_E_NOT_FOUND, "approve: no request %lld",
					   (long long)q->id);
	else if (err)
		*reply = reply_errno(err, "approve");
	if (err)
		return err;
	zr = ctx_zone_by_name(x, r->zone);
	*z = zr ? zr->cfg : NULL;
	time_format(r->expires_at, t, sizeof(t));
	if (!zr)
		*reply = proto_reply_error(PROTO_E_NOT_PERMITTED,
					   "approve: zone %s is no longer configured", r->zone);
	else if (r->state != REQ_PENDING)
		*reply = proto_reply_error(PROTO_E_NOT_PERMITTED,
					   "approve: request not pending: request %lld is %s",
					   (long long)r->id, req_state_name(r->state));
	else if (r->expires_at <= x->now())
		*reply = proto_reply_error(PROTO_E_NOT_PERMITTED,
					   "approve: deadline passed: request %lld had to be "
					   "approved by %s",
					   (long long)r->id, t);
	return *reply ? -EPERM : 0;
}

char *cmd_approve_signature(const struct cmd_ctx *x, const struct caller *c,
			    const struct proto_req *q)
{
	const struct named_key *k = NULL;
	const struct zone_cfg *z = NULL;
	struct sshsig_info info;
	struct request r;
	char *reply = NULL, *text = NULL, over[64];
	size_t len = 0;

	if (!pending_request(x, q, &r, &z, &reply))
		text = statement_text(x, &r, &len, &reply);
	snprintf(over, sizeof(over), "request %lld's statement", (long long)q->id);
	if (text)
		k = signed_verify(
			x, &(struct signer_check){.zone = z, .verb = "approve", .over = over},
			q->signature, text, len, &info, &reply);
	if (k && !strcmp(k->name, r.requester))
		reply = proto_reply_error(PROTO_E_NOT_PERMITTED,
					  "approve: the signer %s filed request %lld: nobody "
					  "approves their own request",
					  k->name, (long long)r.id);
	else if (k && store_has_approved_by(x->st, r.id, k->name))
		reply = proto_reply_error(PROTO_E_CONFLICT,
					  "approve: %s already approved request %lld (%d "
					  "approvals so far)",
					  k->name, (long long)r.id, r.approvals);
	else if (k)
		reply = record_signed(x, c, q, &r, k, text);
	free(text);
	return reply;
}

int statement_local_request(const struct cmd_ctx *x, const char *id, int64_t *request)
{
	char want[STATEMENT_ID_MAX];
	const char *slash = strchr(id, '/');
	struct request r;
	long long n;
	int err = store_statement_request(x->st, id, request);

	if (err != -ENOENT)
		return err;
	/* filed here: "<this host>/<id>/<created_at>", the id of a request that exists */
	if (!slash || (size_t)(slash - id) != strlen(x->host) || strncmp(id, x->host, slash - id) ||
	    sscanf(slash + 1, "%lld/", &n) != 1 || n <= 0)
		return -ENOENT;
	err = store_request_get(x->st, n, &r);
	if (!err && (statement_make_id(x->host, n, r.created_at, want) || strcmp(want, id)))
		err = -ENOENT;
	if (!err)
		*request = n;
	return err;
}
