// SPDX-License-Identifier: GPL-2.0-only
/*
 * A kernel event's record written as canonical text (evtext_build, then
 * audit_append_text) must store the very bytes, and so the very hashes, that
 * the JSON object (evtext_record, then audit_append) stores: for many random
 * events, with odd bytes in the command, the path and the names.
 */
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "tap.h"
#include "audit.h"
#include "evtext.h"
#include "store.h"

#define EVENTS 3000

static char tmpdir[] = "/tmp/test_evtext.XXXXXX";

#include "tmpstore.h"

static unsigned long long rng = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Bytes as the kernel may hand them: ASCII, controls, quotes, UTF-8 good and bad. */
static void odd_bytes(char *out, size_t max)
{
	static const char *const pieces[] = {
		"a",
		"/",
		"srv",
		"\"",
		"\\",
		"\n",
		"\t",
		"\x01",
		"\x1f",
		"\x7f",
		"\xc3\xa9",
		"\xe2\x80\xa8",
		"\xf0\x9f\x98\x80",
		"\xff",
		"\xc3",
		"\xed\xa0\x80",
		"\xf4\x90\x80\x80",
		"\xc0\xaf",
		" ",
		"\b\f\r",
	};
	size_t n = 0, want = rnd((unsigned)max);

	while (n < want) {
		const char *p = pieces[rnd(sizeof(pieces) / sizeof(pieces[0]))];
		size_t l = strlen(p);

		if (rnd(3) == 0) /* mostly plain text, as most paths are */
			p = "customers", l = 9;
		if (n + l >= max)
			break;
		memcpy(out + n, p, l);
		n += l;
	}
	memset(out + n, 0, max - n);
	if (max == LB_COMM_LEN && rnd(8) == 0) /* a full comm: no NUL inside it */
		memset(out, 'x', max);
}

static void random_event(struct lb_event *e, char *path, size_t path_max)
{
	static const __u64 grants[] = {0, 1, 42, 0x7fffffffffffffffull, 0x8000000000000000ull};
	static const __u32 zones[] = {0, 1, 7, LB_ZONE_GUARD, LB_ZONE_AGENT_DB};

	memset(e, 0, sizeof(*e));
	e->uid = rnd(3) ? 2001 : 0xffffffffu;
	e->loginuid = rnd(2) ? (__u32)-1 : rnd(100000);
	e->engineer = rnd(5000);
	e->pid = rnd(1u << 22);
	e->tgid = rnd(1u << 22);
	e->zone = zones[rnd(5)];
	e->grant_id = grants[rnd(5)];
	e->op = (__u16)(1 + rnd(LB_OP_MAX - 1)); /* what kevent_check() lets through */
	e->verdict = (__u8)rnd(3);
	e->reason = (__u8)rnd(8);
	e->access = (__u8)(1 + rnd(3));
	e->count = rnd(4) ? 1 : 1 + rnd(1u << 20);
	e->flags = rnd(3) ? 0 : LB_EVENT_REPEATS; /* the guard's record of repeated opens */
	odd_bytes(e->comm, LB_COMM_LEN);
	odd_bytes(path, path_max);
}

static const char *const users[] = {"eng1", "acme-admin", "jos\xc3\xa9", "a\"b\\c", "2002"};
static const char *const zone_names[] = {"acme", "zone#7", "lockbox-guard", "gl\303\266bex"};

/* The same event into @a as an object and into @b as text; 0 if both appended. */
static int append_both(struct store *a, struct store *b, const struct lb_event *e,
		       const struct event_names *n, struct evtext *t)
{
	json_t *rec = evtext_record(e, n);
	int ea, eb;

	if (rec)
		json_object_set_new(rec, "host", json_string(n->host)); /* as agent.c adds it */
	ea = rec ? audit_append(a, rec, NULL) : -ENOMEM;
	json_decref(rec);
	eb = evtext_build(t, e, n);
	eb = eb ?: audit_append_text(b, t->buf, t->head, t->buf + t->head, t->len - t->head, NULL);
	if (ea || eb)
		printf("# object %d, text %d\n", ea, eb);
	return ea || eb ? -1 : 0;
}

/* Rows of @a and @b that differ in record or hash; the first one's texts printed. */
static int differing_rows(struct store *a, struct store *b)
{
	sqlite3_stmt *qa, *qb;
	int bad = 0;

	sqlite3_prepare_v2(store_db(a), "SELECT record, hash FROM audit ORDER BY seq", -1, &qa,
			   NULL);
	sqlite3_prepare_v2(store_db(b), "SELECT record, hash FROM audit ORDER BY seq", -1, &qb,
			   NULL);
	while (sqlite3_step(qa) == SQLITE_ROW) {
		if (sqlite3_step(qb) != SQLITE_ROW)
			return bad + 1;
		for (int c = 0; c < 2; c++) {
			const char *x = (const char *)sqlite3_column_text(qa, c);
			const char *y = (const char *)sqlite3_column_text(qb, c);

			if (strcmp(x, y) && !bad++)
				printf("# object: %s\n# text:   %s\n", x, y);
		}
	}
	bad += sqlite3_step(qb) == SQLITE_ROW;
	sqlite3_finalize(qa);
	sqlite3_finalize(qb);
	return bad;
}

static void test_text_is_the_objects_canonical_form(struct store *a, struct store *b)
{
	struct evtext t = {0};
	char path[2 * LB_PATH_LEN], err[256];
	int failed = 0;
	int64_t bad;

	store_begin(a);
	store_begin(b);
	for (int i = 0; i < EVENTS; i++) {
		struct lb_event e;
		struct event_names n = {
			.time = rnd(2) ? "2026-12-02T07:32:15.042Z" : "1970-01-01T00:00:00.000Z",
			.user = users[rnd(5)],
			.engineer = users[rnd(5)],
			.path = path,
			.path_max = rnd(2) ? sizeof(path) : LB_PATH_LEN,
			.host = rnd(2) ? "stor-17" : "st\xc3\xb6r \"1\"\t",
		};

		random_event(&e, path, n.path_max);
		n.zone = e.zone ? zone_names[rnd(4)] : NULL;
		if (e.flags & LB_EVENT_REPEATS && rnd(2)) { /* a denial's repeats: first, last */
			n.first = "2026-12-02T07:32:14.001Z";
			n.last = n.time;
		}
		failed += append_both(a, b, &e, &n, &t) != 0;
	}
	is_int(store_commit(a), 0, "the objects commit");
	is_int(store_commit(b), 0, "the texts commit");
	is_int(failed, 0, "every one of %d random events appended both ways", EVENTS);
	is_int(differing_rows(a, b), 0,
	       "test_text_is_the_objects_canonical_form: same records, same hashes");
	is_int(audit_verify(b, &bad, err, sizeof(err)), 0, "the texts' trail verifies");
	evtext_release(&t);
}

static void test_bad_name_fails_both_ways(void)
{
	struct lb_event e = {
		.op = LB_OP_OPEN, .verdict = LB_VERDICT_DENY, .access = LB_ACCESS_READ};
	struct event_names n = {.time = "2026-12-02T07:32:15.042Z",
				.user = "not \xff UTF-8",
				.engineer = "eng1",
				.path = "/srv",
				.path_max = 5,
				.host = "h"};
	struct evtext t = {0};
	json_t *rec = evtext_record(&e, &n);

	ok(!rec, "a user name that is not UTF-8: no object");
	is_int(evtext_build(&t, &e, &n), -ENOMEM, "and no text, with the append's error");
	json_decref(rec);
	evtext_release(&t);
}

int main(void)
{
	struct store *a, *b;

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	a = tmp_store("object.db");
	b = tmp_store("text.db");
	ok(a && b, "two stores");
	if (a && b)
		test_text_is_the_objects_canonical_form(a, b);
	test_bad_name_fails_both_ways();
	store_close(a);
	store_close(b);
	tmp_remove();
	return done_testing();
}
