// SPDX-License-Identifier: GPL-2.0-only
/* lockboxctl's output for people: tables, key: value lines, one line per audit record. */
#include <stdlib.h>
#include <string.h>
#include "ctl_output.h"
#include "duration.h"
#include "utf8.h"

#define CELL_MAX 1100 /* a reason (1024) with room to spare */

/*
 * Text with control characters escaped as \xNN (C1 ones too), so that a crafted path or
 * reason cannot move the cursor or rewrite what the reader sees.
 */
void ctl_escape(const char *in, char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;

	for (; *s && o + 5 < len; s++) {
		bool c1 = s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f;

		if (*s < 0x20 || *s == 0x7f || c1) {
			if (c1)
				s++;
			o += snprintf(buf + o, len - o, "\\x%02x", *s);
		} else {
			buf[o++] = *s;
		}
	}
	buf[o] = '\0';
}

/* Any value as escaped text; null and absent values read "-". */
static void text(json_t *v, char *buf, size_t len)
{
	char *dumped = NULL, tmp[32];

	if (!v || json_is_null(v)) {
		ctl_escape("-", buf, len);
	} else if (json_is_string(v)) {
		ctl_escape(json_string_value(v), buf, len);
	} else if (json_is_integer(v)) {
		snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(v));
		ctl_escape(tmp, buf, len);
	} else if (json_is_boolean(v)) {
		ctl_escape(json_is_true(v) ? "true" : "false", buf, len);
	} else {
		dumped = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		ctl_escape(dumped ? dumped : "?", buf, len);
		free(dumped);
	}
}

static void field(json_t *o, const char *key, char *buf, size_t len)
{
	text(json_object_get(o, key), buf, len);
}

/* Display width of UTF-8 text: one column per character, good enough for names. */
static size_t width(const char *s)
{
	return utf8_chars(s, strlen(s));
}

static void pad(FILE *f, const char *s, size_t w)
{
	fputs(s, f);
	for (size_t n = width(s); n < w; n++)
		fputc(' ', f);
}

void ctl_print_json(FILE *f, json_t *v, bool compact)
{
	json_dumpf(v, f, JSON_ENCODE_ANY | (compact ? JSON_COMPACT : JSON_INDENT(2)));
	fputc('\n', f);
}

static const char *const list_keys[] = {"id",	  "state",	"zone",	      "requester",
					"access", "created_at", "expires_at", "reason"};
static const char *const list_heads[] = {"ID",	   "STATE",   "ZONE",	 "REQUESTER",
					 "ACCESS", "CREATED", "EXPIRES", "REASON"};
#define LIST_COLS (sizeof(list_keys) / sizeof(list_keys[0]))

void ctl_print_list(FILE *f, json_t *requests)
{
	size_t w[LIST_COLS], i, c;
	char buf[CELL_MAX];
	json_t *r;

	if (!json_is_array(requests)) {
		ctl_print_json(f, requests, false);
		return;
	}
	if (!json_array_size(requests)) {
		fprintf(f, "no requests\n");
		return;
	}
	for (c = 0; c < LIST_COLS; c++)
		w[c] = strlen(list_heads[c]);
	json_array_foreach (requests, i, r) {
		for (c = 0; c < LIST_COLS; c++) {
			field(r, list_keys[c], buf, sizeof(buf));
			if (width(buf) > w[c])
				w[c] = width(buf);
		}
	}
	for (c = 0; c < LIST_COLS; c++) {
		if (c + 1 < LIST_COLS)
			pad(f, list_heads[c], w[c] + 2);
		else
			fputs(list_heads[c], f);
	}
	fputc('\n', f);
	json_array_foreach (requests, i, r) {
		for (c = 0; c < LIST_COLS; c++) {
			field(r, list_keys[c], buf, sizeof(buf));
			if (c + 1 < LIST_COLS)
				pad(f, buf, w[c] + 2);
			else
				fputs(buf, f);
		}
		fputc('\n', f);
	}
}

static void print_decision(FILE *f, json_t *d)
{
	char at[64], kind[64], user[128], uid[32], comment[CELL_MAX];

	field(d, "at", at, sizeof(at));
	field(d, "kind", kind, sizeof(kind));
	field(d, "user", user, sizeof(user));
	field(d, "uid", uid, sizeof(uid));
	field(d, "comment", comment, sizeof(comment));
	fprintf(f, "  %s %s by %s", at, kind, user);
	if (strcmp(uid, "-"))
		fprintf(f, " (uid %s)", uid);
	if (strcmp(comment, "-"))
		fprintf(f, ": %s", comment);
	fputc('\n', f);
}

static void print_grant(FILE *f, json_t *g)
{
	char id[32], access[32], expires[64];

	if (!json_is_object(g)) {
		fprintf(f, "grant: none\n");
		return;
	}
	field(g, "id", id, sizeof(id));
	field(g, "access", access, sizeof(access));
	field(g, "expires_at", expires, sizeof(expires));
	fprintf(f, "grant: %s (%s until %s, %s)\n", id, access, expires,
		json_is_true(json_object_get(g, "active")) ? "active" : "not active");
}

/* "hosts: stor-*, db-1": the host patterns a signed approval covers (none from an old agent). */
static void print_hosts(FILE *f, json_t *hosts)
{
	char buf[CELL_MAX];
	json_t *h;
	size_t i;

	if (!json_is_array(hosts))
		return;
	fprintf(f, "hosts:");
	json_array_foreach (hosts, i, h) {
		text(h, buf, sizeof(buf));
		fprintf(f, "%s %s", i ? "," : "", buf);
	}
	fputc('\n', f);
}

void ctl_print_show(FILE *f, json_t *request)
{
	static const char *const keys[] = {"id",	"state",      "zone",	    "requester",
					   "access",	"reason",     "ticket",	    "duration",
					   "approvals", "created_at", "expires_at", "decided_at"};
	json_t *decisions, *d;
	char buf[CELL_MAX], uid[32];
	size_t i;

	if (!json_is_object(request)) {
		ctl_print_json(f, request, false);
		return;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(request, keys[i]);

		if (!v && !strcmp(keys[i], "approvals"))
			continue;
		if (!strcmp(keys[i], "duration") && json_is_integer(v))
			duration_format(json_integer_value(v), buf, sizeof(buf));
		else
			text(v, buf, sizeof(buf));
		fprintf(f, "%s: %s", keys[i], buf);
		if (!strcmp(keys[i], "requester") && json_object_get(request, "uid")) {
			field(request, "uid", uid, sizeof(uid));
			fprintf(f, " (uid %s)", uid);
		}
		fputc('\n', f);
	}
	print_hosts(f, json_object_get(request, "hosts"));
	print_grant(f, json_object_get(request, "grant"));
	decisions = json_object_get(request, "decisions");
	if (!json_array_size(decisions)) {
		fprintf(f, "decisions: none\n");
		return;
	}
	fprintf(f, "decisions:\n");
	json_array_foreach (decisions, i, d)
		print_decision(f, d);
}

void ctl_print_status(FILE *f, json_t *status)
{
	static const struct {
		const char *key, *label;
	} counts[] =
		{
			{"pending", "pending requests"},
			{"active", "active grants"},
			{"engineers", "engineers"},
			{"zones", "zones"},
		},
	  top[] = {
		  {"events_lost", "events lost"},
		  {"depth_denied", "denied at the depth limit"},
		  {"nolog_denied", "denied for lack of log space"},
		  {"outbox_pending", "notifications queued"},
		  {"version", "version"},
	  };
	json_t *hooks, *h, *c, *v;
	char buf[CELL_MAX], label[128];
	const char *key;
	size_t i;

	if (!json_is_object(status)) {
		ctl_print_json(f, status, false);
		return;
	}
	field(status, "mode", buf, sizeof(buf));
	fprintf(f, "mode: %s\n", buf);
	hooks = json_object_get(status, "hooks");
	fprintf(f, "hooks:");
	json_array_foreach (hooks, i, h) {
		text(h, buf, sizeof(buf));
		fprintf(f, "%s %s", i ? "," : "", buf);
	}
	fprintf(f, "%s\n", json_array_size(hooks) ? "" : " none");
	c = json_object_get(status, "counts");
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		field(c, counts[i].key, buf, sizeof(buf));
		fprintf(f, "%s: %s\n", counts[i].label, buf);
	}
	for (i = 0; i < sizeof(top) / sizeof(top[0]); i++) {
		field(status, top[i].key, buf, sizeof(buf));
		fprintf(f, "%s: %s\n", top[i].label, buf);
	}
	/* whatever a newer agent adds still shows */
	json_object_foreach (status, key, v) {
		bool known =
			!strcmp(key, "mode") || !strcmp(key, "hooks") || !strcmp(key, "counts");

		for (i = 0; !known && i < sizeof(top) / sizeof(top[0]); i++)
			known = !strcmp(key, top[i].key);
		if (known)
			continue;
		ctl_escape(key, label, sizeof(label));
		text(v, buf, sizeof(buf));
		fprintf(f, "%s: %s\n", label, buf);
	}
}

/* A kernel record's op, path and task; the guard's counted records say how many, no task. */
static void print_access(FILE *f, json_t *rec)
{
	char buf[CELL_MAX], comm[64], pid[32], first[64], last[64];
	long long n = json_integer_value(json_object_get(rec, "count"));

	field(rec, "op", buf, sizeof(buf));
	fprintf(f, " %s", buf);
	field(rec, "path", buf, sizeof(buf));
	if (buf[0]) /* a tampering with no file has none */
		fprintf(f, " %s", buf);
	if (!json_is_true(json_object_get(rec, "repeats"))) {
		field(rec, "comm", comm, sizeof(comm));
		field(rec, "pid", pid, sizeof(pid));
		fprintf(f, " (%s, pid %s)", comm, pid);
	} else if (json_object_get(rec, "first")) { /* a denial's repeats */
		field(rec, "first", first, sizeof(first));
		field(rec, "last", last, sizeof(last));
		fprintf(f, " (%lld times, %s to %s)", n, first, last);
	} else {
		fprintf(f, " (%lld more opens)", n);
	}
}

void ctl_print_record(FILE *f, json_t *rec)
{
	static const char *const notes[] = {"message", "reason", "comment"};
	char seq[32], time[64], source[32], type[64], user[128], zone[128];
	char buf[CELL_MAX];
	bool is_kernel;
	json_t *v;

	field(rec, "seq", seq, sizeof(seq));
	field(rec, "time", time, sizeof(time));
	field(rec, "source", source, sizeof(source));
	field(rec, "type", type, sizeof(type));
	field(rec, "zone", zone, sizeof(zone));
	v = json_object_get(rec, "user");
	if (json_is_string(v) && *json_string_value(v)) {
		text(v, user, sizeof(user));
	} else if (json_is_integer(json_object_get(rec, "uid"))) {
		snprintf(user, sizeof(user), "uid:%lld",
			 (long long)json_integer_value(json_object_get(rec, "uid")));
	} else {
		snprintf(user, sizeof(user), "-");
	}
	is_kernel = !strcmp(source, "kernel");
	fprintf(f, "#%s %s %s %s %s %s", seq, time, source, type, user, zone);
	if (json_object_get(rec, "op"))
		print_access(f, rec);
	v = json_object_get(rec, "request");
	if (v && !json_is_null(v)) {
		text(v, buf, sizeof(buf));
		fprintf(f, " request %s", buf);
	}
	if (json_is_false(json_object_get(rec, "enforced")))
		fprintf(f, " [permissive: not enforced]");
	/* a kernel event's reason is a code the type already implies; an agent's is prose */
	for (size_t i = 0; !is_kernel && i < sizeof(notes) / sizeof(notes[0]); i++) {
		v = json_object_get(rec, notes[i]);
		if (json_is_string(v) && *json_string_value(v)) {
			text(v, buf, sizeof(buf));
			fprintf(f, ": %s", buf);
			break;
		}
	}
	fputc('\n', f);
}
