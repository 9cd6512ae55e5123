// SPDX-License-Identifier: GPL-2.0-only
/* Approval and revocation statements: canonical JSON built, checked and parsed (statement.h). */
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <linux/types.h>
#include "lockbox.h"
#include "duration.h"
#include "errbuf.h"
#include "statement.h"
#include "timefmt.h"
#include "utf8.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII)
#define HOST_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-"

static const char *const approval_fields[] = {
	"access",    "duration", "engineer", "hosts", "reason", "redeem_by",
	"statement", "ticket",	 "type",     "v",     "zone",	NULL,
};
static const char *const revocation_fields[] = {
	"engineer", "statement", "type", "v", "zone", NULL,
};

const char *statement_type_name(enum statement_type type)
{
	switch (type) {
	case STATEMENT_APPROVAL:
		return "lockbox.approval";
	case STATEMENT_REVOCATION:
		return "lockbox.revocation";
	}
	return "unknown";
}

/* RFC 1123 letters, as config.c checks "host". */
static bool host_ok(const char *s, size_t n)
{
	return n >= 1 && n <= 253 && strspn(s, HOST_CHARS) >= n && s[0] != '-' && s[0] != '.';
}

/* A zone name as config.c accepts it: [a-z0-9][a-z0-9._-]{0,62}. */
static bool zone_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 63 || s[0] == '.' || s[0] == '_' || s[0] == '-')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* A user name as requests store it: no ':' ',' or blanks (passwd fields), no controls. */
static bool user_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n >= LB_NAME_MAX || strpbrk(s, " \t:,"))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

int statement_make_id(const char *host, int64_t request_id, int64_t created_at,
		      char buf[STATEMENT_ID_MAX])
{
	char t[TIME_BUF];

	if (!host || !host_ok(host, strlen(host)) || request_id < 1 || created_at < 0)
		return -EINVAL;
	time_format(created_at, t, sizeof(t));
	snprintf(buf, STATEMENT_ID_MAX, "%s/%" PRId64 "/%s", host, request_id, t);
	return 0;
}

/* "<host>/<request id>/<created_at>", each part in the form statement_make_id() writes. */
static int check_id(const char *id, char *err, size_t errlen)
{
	const char *s1 = strchr(id, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
	char host[STATEMENT_ID_MAX], want[STATEMENT_ID_MAX];
	int64_t rid = 0, at = 0;
	char *end;

	if (s2 && host_ok(id, (size_t)(s1 - id)) && s1[1] >= '1' && s1[1] <= '9') {
		errno = 0;
		rid = strtoll(s1 + 1, &end, 10);
		if (errno || end != s2 || time_parse_rfc3339(s2 + 1, &at))
			rid = 0;
	}
	if (rid > 0) {
		snprintf(host, sizeof(host), "%.*s", (int)(s1 - id), id);
		statement_make_id(host, rid, at, want);
	}
	if (rid <= 0 || strcmp(want, id))
		return seterr_inval(err, errlen,
				    "statement: not a statement id (HOST/REQUEST-ID/CREATED-AT, "
				    "e.g. \"stor-1/42/2026-12-02T04:00:00Z\")");
	return 0;
}

/* A reason or ticket as a request holds it: trimmed, no control characters, valid UTF-8. */
static int check_text(const char *name, const char *s, size_t min_chars, size_t max_bytes,
		      char *err, size_t errlen)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return seterr_inval(err, errlen, "%s: contains a control character", name);
	if (!utf8_valid(s, n))
		return seterr_inval(err, errlen, "%s: not valid UTF-8", name);
	if (n && (s[0] == ' ' || s[n - 1] == ' '))
		return seterr_inval(err, errlen, "%s: starts or ends with a space", name);
	if (n > max_bytes)
		return seterr_inval(err, errlen, "%s: longer than %zu bytes", name, max_bytes);
	if (utf8_chars(s, n) < min_chars)
		return seterr_inval(err, errlen, "%s: must be at least %zu characters", name,
				    min_chars);
	return 0;
}

/* A host pattern: host name letters and fnmatch's * ? [ ] ! only. */
static int check_hosts(const struct statement *st, char *err, size_t errlen)
{
	if (st->n_hosts < 1 || st->n_hosts > STATEMENT_HOSTS_MAX)
		return seterr_inval(err, errlen, "hosts: expected 1 to %d host patterns",
				    STATEMENT_HOSTS_MAX);
	for (size_t i = 0; i < st->n_hosts; i++) {
		const char *p = st->hosts[i];
		size_t n = strlen(p);

		if (n < 1 || n > STATEMENT_PATTERN_MAX || strspn(p, HOST_CHARS "*?[]!") != n)
			return seterr_inval(err, errlen,
					    "hosts[%zu]: not a host pattern (1 to %d of letters, "
					    "digits, '.', '-' and the globs * ? [ ] !)",
					    i, STATEMENT_PATTERN_MAX);
	}
	return 0;
}

/* The approval-only fields. */
static int check_approval(const struct statement *st, char *err, size_t errlen)
{
	int ret;

	if (st->access != LB_ACCESS_READ && st->access != (LB_ACCESS_READ | LB_ACCESS_WRITE))
		return seterr_inval(err, errlen, "access: expected \"read\" or \"write\"");
	if (st->duration < 1 || st->duration > DURATION_MAX)
		return seterr_inval(err, errlen, "duration: expected 1 to %lld seconds",
				    (long long)DURATION_MAX);
	if (st->redeem_by < 1)
		return seterr_inval(err, errlen, "redeem_by: not a time");
	ret = check_hosts(st, err, errlen);
	if (!ret)
		ret = check_text("reason", st->reason, LB_REASON_MIN, LB_REASON_MAX, err, errlen);
	if (!ret)
		ret = check_text("ticket", st->ticket, 0, LB_TICKET_MAX, err, errlen);
	return ret;
}

/* Everything statement_parse() requires of the values. */
static int statement_check(const struct statement *st, char *err, size_t errlen)
{
	int ret;

	if (st->type != STATEMENT_APPROVAL && st->type != STATEMENT_REVOCATION)
		return seterr_inval(err, errlen,
				    "type: expected \"lockbox.approval\" or "
				    "\"lockbox.revocation\"");
	ret = check_id(st->id, err, errlen);
	if (ret)
		return ret;
	if (!zone_ok(st->zone))
		return seterr_inval(err, errlen, "zone: not a zone name");
	if (!user_ok(st->engineer))
		return seterr_inval(err, errlen, "engineer: not a user name");
	return st->type == STATEMENT_APPROVAL ? check_approval(st, err, errlen) : 0;
}

/* The approval-only members of the JSON object; nonzero on out of memory. */
static int approval_json(const struct statement *st, json_t *o)
{
	json_t *hosts = json_array();
	char t[TIME_BUF];
	int e = 0;

	time_format(st->redeem_by, t, sizeof(t));
	for (size_t i = 0; hosts && i < st->n_hosts; i++)
		e |= json_array_append_new(hosts, json_string(st->hosts[i]));
	e |= json_object_set_new(o, "hosts", hosts);
	e |= json_object_set_new(o, "access", json_string(access_name(st->access)));
	e |= json_object_set_new(o, "duration", json_integer(st->duration));
	e |= json_object_set_new(o, "reason", json_string(st->reason));
	e |= json_object_set_new(o, "ticket",
				 st->ticket[0] ? json_string(st->ticket) : json_null());
	e |= json_object_set_new(o, "redeem_by", json_string(t));
	return e;
}

/* The text of a checked statement (the canonical form), or NULL when out of memory. */
static char *build_text(const struct statement *st, size_t *len)
{
	json_t *o = json_object();
	char *s = NULL, *text = NULL;
	int e = !o;

	e |= json_object_set_new(o, "v", json_integer(STATEMENT_VERSION));
	e |= json_object_set_new(o, "type", json_string(statement_type_name(st->type)));
	e |= json_object_set_new(o, "statement", json_string(st->id));
	e |= json_object_set_new(o, "zone", json_string(st->zone));
	e |= json_object_set_new(o, "engineer", json_string(st->engineer));
	if (st->type == STATEMENT_APPROVAL)
		e |= approval_json(st, o);
	if (!e)
		s = json_dumps(o, DUMP_FLAGS);
	json_decref(o);
	if (s) {
		*len = strlen(s) + 1;
		text = malloc(*len + 1);
	}
	if (text) {
		memcpy(text, s, *len - 1);
		memcpy(text + *len - 1, "\n", 2);
	}
	free(s);
	return text;
}

int statement_format(const struct statement *st, char **text, size_t *len, char *err, size_t errlen)
{
	int ret = statement_check(st, err, errlen);

	*text = NULL;
	*len = 0;
	if (ret)
		return ret;
	*text = build_text(st, len);
	if (!*text) {
		seterr(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (*len > STATEMENT_TEXT_MAX) {
		free(*text);
		*text = NULL;
		return seterr(err, errlen, "statement: longer than %d bytes", STATEMENT_TEXT_MAX),
		       -E2BIG;
	}
	return 0;
}

void statement_free(struct statement *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n_hosts; i++)
		free(st->hosts[i]);
	free(st->hosts);
	st->hosts = NULL;
	st->n_hosts = 0;
}

bool statement_host_matches(const struct statement *st, const char *hostname)
{
	if (st->type != STATEMENT_APPROVAL || !hostname)
		return false;
	for (size_t i = 0; i < st->n_hosts; i++)
		if (!fnmatch(st->hosts[i], hostname, FNM_CASEFOLD))
			return true;
	return false;
}

/* A copy of @n patterns into @st; 0 or -ENOMEM (what was copied is st's to free). */
static int copy_hosts(struct statement *st, const char *const *hosts, size_t n)
{
	st->hosts = calloc(n ? n : 1, sizeof(*st->hosts));
	if (!st->hosts)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		st->hosts[i] = strdup(hosts[i]);
		if (!st->hosts[i])
			return -ENOMEM;
		st->n_hosts = i + 1;
	}
	return 0;
}

int statement_for_request(const struct request *r, const char *host, const char *const *hosts,
			  size_t n_hosts, struct statement *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->type = STATEMENT_APPROVAL;
	if (statement_make_id(host, r->id, r->created_at, out->id))
		return seterr_inval(err, errlen, "statement: bad host name or request id");
	snprintf(out->zone, sizeof(out->zone), "%s", r->zone);
	snprintf(out->engineer, sizeof(out->engineer), "%s", r->requester);
	out->access = r->access;
	out->duration = r->duration;
	snprintf(out->reason, sizeof(out->reason), "%s", r->reason);
	snprintf(out->ticket, sizeof(out->ticket), "%s", r->ticket);
	out->redeem_by = r->expires_at;
	if (n_hosts > STATEMENT_HOSTS_MAX)
		return seterr_inval(err, errlen, "hosts: more than %d host patterns",
				    STATEMENT_HOSTS_MAX);
	if (copy_hosts(out, hosts, n_hosts)) {
		seterr(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return statement_check(out, err, errlen);
}

void statement_revocation(const struct statement *approval, struct statement *out)
{
	memset(out, 0, sizeof(*out));
	out->type = STATEMENT_REVOCATION;
	memcpy(out->id, approval->id, sizeof(out->id));
	memcpy(out->zone, approval->zone, sizeof(out->zone));
	memcpy(out->engineer, approval->engineer, sizeof(out->engineer));
}

/* Unknown fields and missing ones, named. */
static int check_fields(json_t *o, const char *const *fields, char *err, size_t errlen)
{
	const char *k;
	json_t *v;
	char q[64];

	json_object_foreach (o, k, v) {
		const char *const *f = fields;

		while (*f && strcmp(*f, k))
			f++;
		if (!*f) {
			size_t n = strcspn(k, "\"\\");

			snprintf(q, sizeof(q), "%.*s", (int)(n < 40 ? n : 40), k);
			return seterr_inval(err, errlen, "%s%s: unknown field", q,
					    n > 40 || k[n] ? "..." : "");
		}
	}
	for (; *fields; fields++)
		if (!json_object_get(o, *fields))
			return seterr_inval(err, errlen, "%s: missing", *fields);
	return 0;
}

/* A string member (present: check_fields() ran) into @dst of @size bytes. */
static int get_string(json_t *o, const char *key, char *dst, size_t size, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);
	size_t n = json_string_length(v);

	if (!json_is_string(v))
		return seterr_inval(err, errlen, "%s: expected a string", key);
	if (memchr(json_string_value(v), '\0', n))
		return seterr_inval(err, errlen, "%s: contains a NUL byte", key);
	if (n >= size)
		return seterr_inval(err, errlen, "%s: longer than %zu bytes", key, size - 1);
	memcpy(dst, json_string_value(v), n + 1);
	return 0;
}

static int get_integer(json_t *o, const char *key, int64_t *dst, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		return seterr_inval(err, errlen, "%s: expected an integer", key);
	*dst = json_integer_value(v);
	return 0;
}

/* "v" and "type": which fields the rest of the statement must have. */
static int get_type(json_t *o, struct statement *st, char *err, size_t errlen)
{
	char type[32];
	int64_t v;
	int ret = json_object_get(o, "v") ? get_integer(o, "v", &v, err, errlen)
					  : seterr_inval(err, errlen, "v: missing");

	if (ret)
		return ret;
	if (v != STATEMENT_VERSION)
		return seterr_inval(err, errlen, "v: version %lld is not supported (only %d)",
				    (long long)v, STATEMENT_VERSION);
	if (!json_object_get(o, "type"))
		return seterr_inval(err, errlen, "type: missing");
	ret = get_string(o, "type", type, sizeof(type), err, errlen);
	if (ret)
		return seterr_inval(err, errlen, "type: not a statement type");
	if (!strcmp(type, statement_type_name(STATEMENT_APPROVAL)))
		st->type = STATEMENT_APPROVAL;
	else if (!strcmp(type, statement_type_name(STATEMENT_REVOCATION)))
		st->type = STATEMENT_REVOCATION;
	else
		return seterr_inval(err, errlen, "type: not a statement type");
	return check_fields(o, st->type == STATEMENT_APPROVAL ? approval_fields : revocation_fields,
			    err, errlen);
}

static int get_hosts(json_t *o, struct statement *st, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, "hosts"), *h;
	const char *p[STATEMENT_HOSTS_MAX];
	size_t i;

	if (!json_is_array(v) || !json_array_size(v) || json_array_size(v) > STATEMENT_HOSTS_MAX)
		return seterr_inval(err, errlen, "hosts: expected an array of 1 to %d patterns",
				    STATEMENT_HOSTS_MAX);
	json_array_foreach (v, i, h) {
		if (!json_is_string(h) || json_string_length(h) != strlen(json_string_value(h)))
			return seterr_inval(err, errlen, "hosts[%zu]: expected a string", i);
		p[i] = json_string_value(h);
	}
	if (copy_hosts(st, p, json_array_size(v)))
		return seterr(err, errlen, "out of memory"), -ENOMEM;
	return 0;
}

/* The approval-only members; their values are checked by statement_check(). */
static int get_approval(json_t *o, struct statement *st, char *err, size_t errlen)
{
	char access[8], t[TIME_BUF];
	json_t *ticket = json_object_get(o, "ticket");
	int ret = get_string(o, "access", access, sizeof(access), err, errlen);

	if (!ret && access_parse(access, &st->access))
		ret = seterr_inval(err, errlen, "access: expected \"read\" or \"write\"");
	if (!ret)
		ret = get_integer(o, "duration", &st->duration, err, errlen);
	if (!ret)
		ret = get_string(o, "reason", st->reason, sizeof(st->reason), err, errlen);
	if (!ret && !json_is_null(ticket))
		ret = get_string(o, "ticket", st->ticket, sizeof(st->ticket), err, errlen);
	if (!ret && !json_is_null(ticket) && !st->ticket[0])
		ret = seterr_inval(err, errlen, "ticket: empty (null when there is none)");
	if (!ret)
		ret = get_string(o, "redeem_by", t, sizeof(t), err, errlen);
	if (!ret && time_parse_rfc3339(t, &st->redeem_by))
		ret = seterr_inval(err, errlen, "redeem_by: not an RFC 3339 time");
	if (!ret)
		ret = get_hosts(o, st, err, errlen);
	return ret;
}

static int from_json(json_t *o, struct statement *st, char *err, size_t errlen)
{
	int ret;

	if (!json_is_object(o))
		return seterr_inval(err, errlen, "statement: expected a JSON object");
	ret = get_type(o, st, err, errlen);
	if (!ret)
		ret = get_string(o, "statement", st->id, sizeof(st->id), err, errlen);
	if (!ret)
		ret = get_string(o, "zone", st->zone, sizeof(st->zone), err, errlen);
	if (!ret)
		ret = get_string(o, "engineer", st->engineer, sizeof(st->engineer), err, errlen);
	if (!ret && st->type == STATEMENT_APPROVAL)
		ret = get_approval(o, st, err, errlen);
	if (!ret)
		ret = statement_check(st, err, errlen);
	return ret;
}

/* The text must be the bytes statement_format() writes for what it says. */
static int check_canonical(const struct statement *st, const char *text, size_t len, char *err,
			   size_t errlen)
{
	size_t clen, i = 0;
	char *canon = build_text(st, &clen);

	if (!canon)
		return seterr(err, errlen, "out of memory"), -ENOMEM;
	while (i < len && i < clen && text[i] == canon[i])
		i++;
	free(canon);
	if (i == len && i == clen)
		return 0;
	if (i == clen)
		return seterr_inval(err, errlen,
				    "statement: not in canonical form: bytes after its one "
				    "newline (sign exactly what lockboxctl statement prints)");
	return seterr_inval(err, errlen,
			    "statement: not in canonical form at byte %zu (one line, keys sorted, "
			    "no spaces, one newline at the end: sign exactly what lockboxctl "
			    "statement prints)",
			    i);
}

int statement_parse(const char *text, size_t len, struct statement *out, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *o;
	int ret;

	memset(out, 0, sizeof(*out));
	if (len > STATEMENT_TEXT_MAX)
		return seterr(err, errlen, "statement: longer than %d bytes", STATEMENT_TEXT_MAX),
		       -E2BIG;
	o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o)
		return seterr_inval(err, errlen, "statement: not JSON (column %d: %.80s)",
				    jerr.column, jerr.text);
	ret = from_json(o, out, err, errlen);
	json_decref(o);
	if (!ret)
		ret = check_canonical(out, text, len, err, errlen);
	return ret;
}
