// SPDX-License-Identifier: GPL-2.0-only
/*
 * A kernel event's audit record as an object and as its canonical text (evtext.h).
 * The canonical form is audit.c's: compact JSON, keys sorted, ASCII only, as
 * jansson dumps it. The text is written here member by member in that order;
 * strings that are plain ASCII are escaped here the way jansson escapes them,
 * anything else is handed to jansson itself.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "evtext.h"
#include "kevent.h"

/* audit.c's canonical flags, for one value */
#define VALUE_FLAGS	(JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII | JSON_ENCODE_ANY)
#define PUT_LIT(t, lit) put(t, lit, sizeof(lit) - 1)

json_t *evtext_bytes_json(const char *s, size_t max)
{
	size_t len = strnlen(s, max), o = 0;
	json_t *j = json_stringn(s, len);
	char buf[4 * LB_PATH_LEN + 1];

	if (j)
		return j;
	for (size_t i = 0; i < len && o + 5 < sizeof(buf); i++) {
		unsigned char c = s[i];

		if (c < 0x80)
			buf[o++] = c;
		else
			o += snprintf(buf + o, sizeof(buf) - o, "\\x%02x", c);
	}
	return json_stringn(buf, o);
}

json_t *evtext_record(const struct lb_event *e, const struct event_names *n)
{
	json_t *rec;

	rec = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:s, s:s, s:I, s:I, s:o, s:o, s:s, s:s, "
			"s:s}",
			"source", "kernel", "type",
			e->verdict == LB_VERDICT_ALLOW ? "access.allowed" : "access.denied", "time",
			n->time, "uid", (json_int_t)e->uid, "user", n->user, "engineer_uid",
			(json_int_t)e->engineer, "engineer", n->engineer, "op",
			kevent_op_name(e->op), "pid", (json_int_t)e->tgid, "tid",
			(json_int_t)e->pid, "comm", evtext_bytes_json(e->comm, LB_COMM_LEN), "path",
			evtext_bytes_json(n->path, n->path_max), "access",
			e->access & LB_ACCESS_WRITE ? "write" : "read", "verdict",
			kevent_verdict_name(e->verdict), "reason", kevent_reason_name(e->reason));
	if (!rec)
		return NULL;
	json_object_set_new(rec, "zone", n->zone ? json_string(n->zone) : json_null());
	json_object_set_new(rec, "request", e->grant_id ? json_integer(e->grant_id) : json_null());
	json_object_set_new(rec, "loginuid",
			    e->loginuid == (__u32)-1 ? json_null() : json_integer(e->loginuid));
	if (e->verdict == LB_VERDICT_AUDIT)
		json_object_set_new(rec, "enforced", json_false()); /* permissive mode */
	/*
	 * The guard logs an allowed open once per inode and grant, and a denial of
	 * a file once per window, and counts the repeats; a record of those says
	 * how many accesses it stands for.
	 */
	if (e->flags & LB_EVENT_REPEATS) {
		json_object_set_new(rec, "count", json_integer(e->count));
		json_object_set_new(rec, "repeats", json_true());
	}
	/* a denial's repeats: when the first and the last of them were refused */
	if (n->first)
		json_object_set_new(rec, "first", json_string(n->first));
	if (n->last)
		json_object_set_new(rec, "last", json_string(n->last));
	return rec;
}

void evtext_release(struct evtext *t)
{
	if (!t)
		return;
	free(t->buf);
	memset(t, 0, sizeof(*t));
}

static int reserve(struct evtext *t, size_t n)
{
	size_t cap = t->cap ? t->cap : 1024;
	char *buf;

	if (t->len + n <= t->cap)
		return 0;
	while (cap < t->len + n)
		cap *= 2;
	buf = realloc(t->buf, cap);
	if (!buf)
		return -ENOMEM;
	t->buf = buf;
	t->cap = cap;
	return 0;
}

static int put(struct evtext *t, const char *s, size_t n)
{
	int err = reserve(t, n);

	if (!err) {
		memcpy(t->buf + t->len, s, n);
		t->len += n;
	}
	return err;
}

static int put_int(struct evtext *t, long long v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	unsigned long long u = v < 0 ? -(unsigned long long)v : (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	return put(t, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* jansson's dump of @j (stolen); NULL is what json_pack would have failed on. */
static int put_json(struct evtext *t, json_t *j)
{
	size_t n = j ? json_dumpb(j, NULL, 0, VALUE_FLAGS) : 0;
	int err = j ? -EINVAL : -ENOMEM;

	if (n && !(err = reserve(t, n)))
		t->len += json_dumpb(j, t->buf + t->len, n, VALUE_FLAGS);
	json_decref(j);
	return err;
}

static bool is_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* @n ASCII bytes as a JSON string, escaped as jansson escapes them (DEL stays as is). */
static int put_ascii(struct evtext *t, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	static const char esc[32] = {
		['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't'};
	int err = reserve(t, 6 * n + 2);
	char *o = t->buf + t->len;

	if (err)
		return err;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		if (c >= 0x20 || esc[c]) {
			*o++ = c >= 0x20 ? (char)c : esc[c];
			continue;
		}
		memcpy(o, "u00", 3);
		o[3] = hex[c >> 4];
		o[4] = hex[c & 15];
		o += 5;
	}
	*o++ = '"';
	t->len = (size_t)(o - t->buf);
	return 0;
}

/* Kernel bytes (comm, path), as evtext_bytes_json() makes them a string. */
static int put_bytes(struct evtext *t, const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	return is_ascii(s, n) ? put_ascii(t, s, n) : put_json(t, evtext_bytes_json(s, max));
}

/*
 * A name (user, zone, host, op): json_string()'s, which refuses what is not UTF-8.
 * What json_pack() refuses (that, or NULL) fails as the object's append does.
 */
static int put_name(struct evtext *t, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!s)
		return -ENOMEM;
	return is_ascii(s, n) ? put_ascii(t, s, n) : put_json(t, json_string(s));
}

/* "access" to "request": the members before "seq", in strcmp order. */
static int build_head(struct evtext *t, const struct lb_event *e, const struct event_names *n)
{
	int err = PUT_LIT(t, "\"access\":");

	err = err
		      ?: (e->access & LB_ACCESS_WRITE ? PUT_LIT(t, "\"write\"")
						      : PUT_LIT(t, "\"read\""));
	err = err ?: PUT_LIT(t, ",\"comm\":") ?: put_bytes(t, e->comm, LB_COMM_LEN);
	if (e->flags & LB_EVENT_REPEATS)
		err = err ?: PUT_LIT(t, ",\"count\":") ?: put_int(t, e->count);
	if (e->verdict == LB_VERDICT_AUDIT)
		err = err ?: PUT_LIT(t, ",\"enforced\":false");
	err = err ?: PUT_LIT(t, ",\"engineer\":") ?: put_name(t, n->engineer);
	err = err ?: PUT_LIT(t, ",\"engineer_uid\":") ?: put_int(t, e->engineer);
	if (n->first)
		err = err ?: PUT_LIT(t, ",\"first\":") ?: put_name(t, n->first);
	err = err ?: PUT_LIT(t, ",\"host\":") ?: put_name(t, n->host);
	if (n->last)
		err = err ?: PUT_LIT(t, ",\"last\":") ?: put_name(t, n->last);
	err = err ?: PUT_LIT(t, ",\"loginuid\":");
	err = err ?: (e->loginuid == (__u32)-1 ? PUT_LIT(t, "null") : put_int(t, e->loginuid));
	err = err ?: PUT_LIT(t, ",\"op\":") ?: put_name(t, kevent_op_name(e->op));
	err = err ?: PUT_LIT(t, ",\"path\":") ?: put_bytes(t, n->path, n->path_max);
	err = err ?: PUT_LIT(t, ",\"pid\":") ?: put_int(t, e->tgid);
	err = err ?: PUT_LIT(t, ",\"reason\":") ?: put_name(t, kevent_reason_name(e->reason));
	if (e->flags & LB_EVENT_REPEATS)
		err = err ?: PUT_LIT(t, ",\"repeats\":true");
	err = err ?: PUT_LIT(t, ",\"request\":");
	err = err ?: (e->grant_id ? put_int(t, (json_int_t)e->grant_id) : PUT_LIT(t, "null"));
	return err;
}

/* "source" to "zone": the members after "seq". */
static int build_tail(struct evtext *t, const struct lb_event *e, const struct event_names *n)
{
	int err = PUT_LIT(t, "\"source\":\"kernel\",\"tid\":") ?: put_int(t, e->pid);

	err = err ?: PUT_LIT(t, ",\"time\":") ?: put_name(t, n->time);
	err = err
		      ?: (e->verdict == LB_VERDICT_ALLOW
				  ? PUT_LIT(t, ",\"type\":\"access.allowed\"")
				  : PUT_LIT(t, ",\"type\":\"access.denied\""));
	err = err ?: PUT_LIT(t, ",\"uid\":") ?: put_int(t, e->uid);
	err = err ?: PUT_LIT(t, ",\"user\":") ?: put_name(t, n->user);
	err = err ?: PUT_LIT(t, ",\"verdict\":") ?: put_name(t, kevent_verdict_name(e->verdict));
	err = err ?: PUT_LIT(t, ",\"zone\":");
	err = err ?: (n->zone ? put_name(t, n->zone) : PUT_LIT(t, "null"));
	return err;
}

int evtext_build(struct evtext *t, const struct lb_event *e, const struct event_names *n)
{
	int err;

	t->len = 0;
	err = build_head(t, e, n);
	t->head = t->len;
	return err ?: build_tail(t, e, n);
}
