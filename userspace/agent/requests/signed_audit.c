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

struct sig_walk {
	int64_t checked, bad_seq;
	char *why;
	size_t len;
};

static const char *field(json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

/* Record @rec's signature: by its recorded key, over its statement, for its zone. */
static int check_record(json_t *rec, char *why, size_t len)
{
	const char *sig = field(rec, "signature"), *text = field(rec, "statement");
	const char *line = field(rec, "key"), *zone = field(rec, "zone");
	struct sshsig_info info;
	struct statement st = {0};
	struct sshkey key;
	char err[256];
	int ret;

	if (!sig || !text || !line)
		return seterr(why, len, "signature, key or statement missing"), -EBADMSG;
	if (sshkey_parse_line(line, &key, err, sizeof(err)))
		return seterr(why, len, "recorded key: %s", err), -EBADMSG;
	ret = sshsig_verify(sig, text, strlen(text), STATEMENT_NAMESPACE, &info, err, sizeof(err));
	if (ret)
		return seterr(why, len, "signature does not verify over the recorded statement: %s",
			      err),
		       -EBADMSG;
	if (!sshkey_equal(&info.key, &key))
		return seterr(why, len, "signed by another key than the one recorded"), -EBADMSG;
	ret = statement_parse(text, strlen(text), &st, err, sizeof(err));
	if (!ret && (!zone || strcmp(st.zone, zone))) {
		seterr(why, len, "the statement is for zone %s, the record for %s", st.zone,
		       zone ? zone : "none");
		ret = -EBADMSG;
	} else if (ret) {
		seterr(why, len, "recorded statement: %s", err);
	}
	statement_free(&st);
	return ret ? -EBADMSG : 0;
}

static int walk_one(json_t *rec, void *ctx)
{
	struct sig_walk *w = ctx;
	char why[300];

	if (!json_object_get(rec, "signature"))
		return 0;
	if (check_record(rec, why, sizeof(why))) {
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
	struct sig_walk w = {.why = why, .len = len};
	int err = audit_foreach(st, 0, 0, walk_one, &w);

	*checked = w.checked;
	*bad_seq = w.bad_seq;
	return err;
}
