// SPDX-License-Identifier: GPL-2.0-only
/*
 * audit verify --signatures: every signed decision in the trail re-verified,
 * offline, against the key recorded with it (not against today's config, which
 * may have rotated the key out since).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "audit.h"
#include "errbuf.h"
#include "signed_audit.h"
#include "sshkey.h"
#include "sshsig.h"
#include "statement.h"
#include "vec.h"

/* A request redeemed from a statement (its request.created says which). */
struct redeemed {
	int64_t request;
	char id[STATEMENT_ID_MAX];
};

struct sig_walk {
	int64_t checked, bad_seq;
	char *why;
	size_t len;
	struct vec redeemed; /* of struct redeemed */
};

static const char *field(json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

/* Record @rec's signature: by its recorded key, over its statement. */
static int check_signature(json_t *rec, char *why, size_t len)
{
	const char *sig = field(rec, "signature"), *text = field(rec, "statement");
	const char *line = field(rec, "key");
	struct sshsig_info info;
	struct sshkey key;
	char err[256];

	if (!sig || !text || !line)
		return seterr(why, len, "signature, key or statement missing"), -EBADMSG;
	if (sshkey_parse_line(line, &key, err, sizeof(err)))
		return seterr(why, len, "recorded key: %s", err), -EBADMSG;
	if (sshsig_verify(sig, text, strlen(text), STATEMENT_NAMESPACE, &info, err, sizeof(err)))
		return seterr(why, len, "signature does not verify over the recorded statement: %s",
			      err),
		       -EBADMSG;
	if (!sshkey_equal(&info.key, &key))
		return seterr(why, len, "signed by another key than the one recorded"), -EBADMSG;
	return 0;
}

/*
 * Whether statement id @id is request @request's: the id it was redeemed from, or
 * "<host>/<request>/<created_at>" for one filed here (the host may have been
 * renamed since; the chain vouches for the rest).
 */
static bool id_of_request(const struct sig_walk *w, const char *id, int64_t request)
{
	const char *slash = strchr(id, '/');
	long long n;

	for (size_t i = 0; i < w->redeemed.n; i++) {
		const struct redeemed *d = &VEC_AT(&w->redeemed, struct redeemed, i);

		if (d->request == request)
			return !strcmp(d->id, id);
	}
	return slash && sscanf(slash + 1, "%lld/", &n) == 1 && n == request;
}

/* The statement says what the record says: type, zone, engineer, request. */
static int check_binding(const struct sig_walk *w, json_t *rec, const struct statement *st,
			 char *why, size_t len)
{
	const char *type = field(rec, "type"), *zone = field(rec, "zone");
	const char *who = field(rec, "requester") ?: field(rec, "engineer");
	bool approval = type && !strcmp(type, "request.approved");
	json_t *req = json_object_get(rec, "request");

	if (st->type != (approval ? STATEMENT_APPROVAL : STATEMENT_REVOCATION))
		return seterr(why, len, "a %s record signed with a %s", type ? type : "?",
			      statement_type_name(st->type)),
		       -EBADMSG;
	if (!zone || strcmp(st->zone, zone) || !who || strcmp(st->engineer, who))
		return seterr(why, len,
			      "the statement is for %s in zone %s, the record for %s in %s",
			      st->engineer, st->zone, who ? who : "?", zone ? zone : "none"),
		       -EBADMSG;
	if (!json_is_integer(req))
		return 0; /* a bar with no request here: its statement_id is checked below */
	if (!id_of_request(w, st->id, json_integer_value(req)))
		return seterr(why, len, "the statement %s is not request %lld's", st->id,
			      (long long)json_integer_value(req)),
		       -EBADMSG;
	return 0;
}

static int check_record(const struct sig_walk *w, json_t *rec, char *why, size_t len)
{
	const char *text = field(rec, "statement"), *id = field(rec, "statement_id");
	struct statement st = {0};
	char err[256];
	int ret = check_signature(rec, why, len);

	if (!ret && statement_parse(text, strlen(text), &st, err, sizeof(err))) {
		seterr(why, len, "recorded statement: %s", err);
		ret = -EBADMSG;
	}
	if (!ret)
		ret = check_binding(w, rec, &st, why, len);
	if (!ret && id && strcmp(id, st.id)) {
		seterr(why, len, "statement_id %s, but the statement is %s", id, st.id);
		ret = -EBADMSG;
	}
	statement_free(&st);
	return ret;
}

/* A request.created of a redeemed statement: the id its signatures will be over. */
static int note_redeemed(struct sig_walk *w, json_t *rec)
{
	const char *type = field(rec, "type"), *id = field(rec, "statement_id");
	struct redeemed d = {.request = json_integer_value(json_object_get(rec, "request"))};

	if (!type || strcmp(type, "request.created") || !id || strlen(id) >= sizeof(d.id))
		return 0;
	strcpy(d.id, id);
	return vec_push(&w->redeemed, &d);
}

static int walk_one(json_t *rec, void *ctx)
{
	struct sig_walk *w = ctx;
	char why[300];

	if (!json_object_get(rec, "signature"))
		return note_redeemed(w, rec);
	if (check_record(w, rec, why, sizeof(why))) {
		w->bad_seq = json_integer_value(json_object_get(rec, "seq"));
		seterr(w->why, w->len, "record %lld: %s", (long long)w->bad_seq, why);
		return -EBADMSG;
	}
	w->checked++;
	return 0;
}

int audit_check_signatures(struct store *st, int64_t *checked, int64_t *bad_seq, char *why,
			   size_t len)
{
	struct sig_walk w = {.why = why, .len = len, .redeemed = VEC_INIT(struct redeemed)};
	int err = audit_foreach(st, 0, 0, walk_one, &w);

	vec_free(&w.redeemed);
	*checked = w.checked;
	*bad_seq = w.bad_seq;
	return err;
}
