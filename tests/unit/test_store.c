// SPDX-License-Identifier: GPL-2.0-only
/* The store: safe open, migrations, refusal of foreign files, and each row type. */
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/types.h>
#include "tap.h"
#include "lockbox.h"
#include "audit.h"
#include "store.h"

static char tmpdir[] = "/tmp/test_store.XXXXXX";

static const char *tmppath(const char *name)
{
	static char buf[8][256];
	static int i;
	char *p = buf[i++ % 8];

	snprintf(p, 256, "%s/%s", tmpdir, name);
	return p;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	*len = 0;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	if (buf && fread(buf, 1, n, f) == (size_t)n)
		*len = n;
	fclose(f);
	return buf;
}

static void spew(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	fwrite(data, 1, len, f);
	fclose(f);
}

/* Raw SQL on the file, as an older build, another program or an attacker would. */
static int raw_sql(const char *path, const char *sql)
{
	sqlite3 *db;
	int rc;

	if (sqlite3_open(path, &db))
		return -1;
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

static long long query_int(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL))
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void make_request(struct request *r, const char *zone, uint32_t uid)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->zone, sizeof(r->zone), "%s", zone);
	r->uid = uid;
	snprintf(r->requester, sizeof(r->requester), "eng%u", uid);
	r->access = LB_ACCESS_READ;
	snprintf(r->reason, sizeof(r->reason), "disk full on shard 7, need to inspect");
	snprintf(r->ticket, sizeof(r->ticket), "OPS-1234");
	r->duration = 3600;
	r->created_at = 1764352800;
	r->expires_at = 1764356400;
	r->state = REQ_PENDING;
}

static struct store *open_ok(const char *path)
{
	char err[512] = "";
	struct store *s = NULL;
	int rc = store_open(path, &s, err, sizeof(err));

	if (rc)
		printf("# store_open(%s): %d %s\n", path, rc, err);
	return s;
}

static void test_open_creates_private_dir_and_file(void)
{
	const char *path = tmppath("a/b/lockbox.db");
	struct store *s = open_ok(path);
	struct stat st;

	ok(s != NULL, "open creates a database under missing directories");
	ok(!stat(tmppath("a/b"), &st) && (st.st_mode & 07777) == 0700, "created dir is 0700");
	ok(!stat(tmppath("a"), &st) && (st.st_mode & 07777) == 0700, "created grandparent is 0700");
	ok(!stat(path, &st) && (st.st_mode & 07777) == 0600, "database file is 0600");
	if (!s)
		return;
	is_int(query_int(s, "SELECT version FROM schema"), STORE_SCHEMA_VERSION,
	       "a new database gets this build's schema version");
	is_int(query_int(s, "PRAGMA synchronous"), 2, "synchronous is FULL");
	is_int(query_int(s, "PRAGMA foreign_keys"), 1, "foreign keys are enforced");
	ok(query_int(s, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'") == 1,
	   "journal mode is WAL");
	ok(!stat(tmppath("a/b/lockbox.db-wal"), &st) && (st.st_mode & 07777) == 0600,
	   "the WAL file is 0600 too");
	store_close(s);
}

static void test_reopen_keeps_data(void)
{
	const char *path = tmppath("reopen.db");
	struct store *s = open_ok(path);
	struct request r, got;
	uint32_t zid = 0, zid2 = 0;

	make_request(&r, "acme", 2001);
	is_int(store_request_insert(s, &r), 0, "insert a request");
	is_int(store_zone_id(s, "acme", &zid), 0, "zone id assigned");
	store_close(s);
	s = open_ok(path);
	ok(s != NULL, "reopen an existing database");
	if (!s)
		return;
	is_int(store_request_get(s, r.id, &got), 0, "the request is still there after reopen");
	is_str(got.reason, r.reason, "with its reason");
	is_int(store_zone_id(s, "acme", &zid2), 0, "zone id after reopen");
	is_int(zid2, zid, "zone id is stable across reopen");
	store_close(s);
}

/* Copies @from to @to, cut at @len bytes (-1: whole). */
static int copy_file(const char *from, const char *to, off_t len)
{
	size_t n;
	char *buf = slurp(from, &n);
	FILE *f = fopen(to, "wb");
	int rc = buf && f && fwrite(buf, 1, len < 0 || (size_t)len > n ? n : (size_t)len, f) ? 0
											     : -1;

	if (f && fclose(f))
		rc = -1;
	free(buf);
	return rc;
}

/*
 * The WAL gets its blocks at open (commits then write it in place), and the
 * zeros never cost a commit: a crash copy cut right after its last frame, as a
 * WAL that had never been reserved would be, opens with every commit in it.
 */
static void test_wal_reserved_keeps_commits(void)
{
	const char *path = tmppath("crash.db"), *copy = tmppath("crash-copy.db");
	struct store *s = open_ok(path);
	struct request r, got;
	struct stat st;
	int frames;

	if (!s)
		return;
	ok(!stat(tmppath("crash.db-wal"), &st) && st.st_size >= 1000 * 4096,
	   "open reserves the WAL's space (%lld bytes)", (long long)st.st_size);
	make_request(&r, "acme", 2001);
	is_int(store_request_insert(s, &r), 0, "a request committed into the WAL");
	frames = store_wal_pages(s);
	ok(frames > 0, "the commit is in the WAL (%d frames), not yet in the database", frames);
	/* 32-byte WAL header, then a 24-byte header and a 4 KiB page per frame */
	ok(!copy_file(path, copy, -1) &&
		   !copy_file(tmppath("crash.db-wal"), tmppath("crash-copy.db-wal"),
			      32 + (off_t)frames * (24 + 4096)),
	   "copy the database as a crash leaves it");
	store_close(s);
	s = open_ok(copy);
	ok(s != NULL, "the crash copy opens");
	if (!s)
		return;
	is_int(store_request_get(s, r.id, &got), 0,
	       "the request committed before the crash is there");
	is_str(got.reason, r.reason, "with its reason");
	ok(!stat(tmppath("crash-copy.db-wal"), &st) && st.st_size >= 1000 * 4096,
	   "its WAL is reserved again");
	/* closing checkpoints the WAL as the file has it: a fresh open reads what it copied */
	store_close(s);
	s = open_ok(copy);
	ok(s && !store_request_get(s, r.id, &got) && !strcmp(got.reason, r.reason),
	   "and is still there once the WAL was copied back");
	store_close(s);
}

static off_t wal_bytes(const char *db)
{
	char wal[256];
	struct stat st;

	snprintf(wal, sizeof(wal), "%s-wal", db);
	return stat(wal, &st) ? -1 : st.st_size;
}

/* Commits of one outbox row each until the WAL holds @pages frames; 0 or -errno. */
static int fill_wal(struct store *s, int pages)
{
	static char msg[3000];
	int err = 0;

	memset(msg, 'm', sizeof(msg) - 1);
	while (!err && store_wal_pages(s) < pages)
		err = store_outbox_add(s, "ops@example.com", msg, 0);
	return err;
}

/*
 * The agent checkpoints once a second, and commands keep committing till then:
 * the reserve takes a WAL well past the checkpoint's 1,000 pages without the
 * file growing (a commit that grows it pays for the filesystem's journal), and
 * a checkpoint then restarts it in the same space.
 */
static void test_wal_reserve_outlasts_checkpoint(void)
{
	const char *path = tmppath("reserve.db");
	struct store *s = open_ok(path);
	off_t reserved = wal_bytes(path);

	if (!s)
		return;
	ok(reserved >= 32 + 1900 * (24 + 4096),
	   "open reserves room for 1,900 frames or more (%lld bytes)", (long long)reserved);
	is_int(fill_wal(s, 1900), 0, "commits up to 1,900 WAL frames, no checkpoint between");
	ok(wal_bytes(path) == reserved, "the WAL file did not grow (%lld bytes, %d frames)",
	   (long long)wal_bytes(path), store_wal_pages(s));
	is_int(store_checkpoint(s), 1, "a checkpoint copies them back and restarts the WAL");
	ok(store_wal_pages(s) < 10, "the restarted WAL holds only its first commit (%d frames)",
	   store_wal_pages(s));
	is_int(fill_wal(s, 1500), 0, "commits into the restarted WAL");
	ok(wal_bytes(path) == reserved, "written in place (%lld bytes)",
	   (long long)wal_bytes(path));
	store_close(s);
}

/* The v1 schema exactly as the first release wrote it. */
static const char v1_sql[] =
	"CREATE TABLE schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);"
	"CREATE TABLE zones (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE);"
	"CREATE TABLE requests ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, zone TEXT NOT NULL, uid INTEGER NOT NULL,"
	" requester TEXT NOT NULL, access INTEGER NOT NULL, reason TEXT NOT NULL,"
	" ticket TEXT NOT NULL DEFAULT '', duration INTEGER NOT NULL,"
	" created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
	" decided_at INTEGER NOT NULL DEFAULT 0, grant_id INTEGER NOT NULL DEFAULT 0,"
	" approvals INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL);"
	"CREATE TABLE decisions ("
	" id INTEGER PRIMARY KEY, request INTEGER NOT NULL REFERENCES requests (id),"
	" kind TEXT NOT NULL, uid INTEGER NOT NULL, user TEXT NOT NULL,"
	" comment TEXT NOT NULL DEFAULT '', at INTEGER NOT NULL);"
	"CREATE INDEX decisions_request ON decisions (request);"
	"CREATE UNIQUE INDEX decisions_one_approval ON decisions (request, uid)"
	" WHERE kind = 'approve';"
	"CREATE TABLE audit (seq INTEGER PRIMARY KEY, record TEXT NOT NULL,"
	" prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
	"INSERT INTO schema VALUES (1, 1);"
	"INSERT INTO requests (zone, uid, requester, access, reason, duration, created_at,"
	" expires_at, state) VALUES ('acme', 2001, 'eng1', 1, 'old request from v1', 60, 1, 2,"
	" 'pending');";

static void test_migrates_older_schema(void)
{
	const char *path = tmppath("v1.db");
	struct store *s;
	struct outbox_msg m;
	struct request got;
	char hosts[64];
	int64_t n = -1;

	is_int(raw_sql(path, v1_sql), 0, "write a version 1 database");
	s = open_ok(path);
	ok(s != NULL, "a version 1 database opens");
	if (!s)
		return;
	is_int(query_int(s, "SELECT version FROM schema"), STORE_SCHEMA_VERSION,
	       "it is migrated to this build's version");
	is_int(store_request_get(s, 1, &got), 0, "its rows survive the migration");
	is_str(got.reason, "old request from v1", "row content intact");
	is_int(store_request_hosts(s, 1, hosts, sizeof(hosts)), 0, "its hosts read back");
	is_str(hosts, "", "an old request has no hosts kept (it covers this host)");
	is_int(store_request_set_hosts(s, 1, "stor-*,db-1"), 0, "hosts can be set on it");
	is_int(store_request_hosts(s, 1, hosts, sizeof(hosts)), 0, "and read back");
	is_str(hosts, "stor-*,db-1", "as set");
	is_int(store_request_hosts(s, 1, hosts, 5), -EBADMSG, "a buffer too small: refused");
	is_int(store_request_hosts(s, 99, hosts, sizeof(hosts)), -ENOENT, "no such request");
	is_int(store_request_set_hosts(s, 99, "a"), -ENOENT, "setting on no such request");
	is_int(store_outbox_add(s, "admin@acme.example", "hello", 100), 0,
	       "the table version 2 added works");
	is_int(store_outbox_pending(s, &n), 0, "count the outbox");
	is_int(n, 1, "one message pending");
	is_int(store_outbox_next_due(s, 100, &m), 0, "message due");
	outbox_msg_clear(&m);
	store_close(s);
}

static void test_refused_untouched(const char *what, const char *path, const char *cause,
				   int want_rc)
{
	char err[512] = "";
	struct store *s = NULL;
	size_t len0, len1;
	char *before = slurp(path, &len0), *after;
	int rc = store_open(path, &s, err, sizeof(err));

	after = slurp(path, &len1);
	is_int(rc, want_rc, "%s is refused", what);
	ok(s == NULL, "%s: no store handed out", what);
	ok(strstr(err, path) != NULL, "%s: error names the file (%s)", what, err);
	ok(strstr(err, cause) != NULL, "%s: error names the cause \"%s\"", what, cause);
	ok(before && after && len0 == len1 && len0 > 0 && !memcmp(before, after, len0),
	   "%s: file left byte for byte as it was", what);
	store_close(s);
	free(before);
	free(after);
}

static void test_newer_schema_refused(void)
{
	const char *path = tmppath("newer.db");
	struct store *s = open_ok(path);

	store_close(s);
	is_int(raw_sql(path, "UPDATE schema SET version = 99"), 0, "a newer build's database");
	test_refused_untouched("a newer schema", path, "newer", -EPROTONOSUPPORT);
}

static void test_non_database_refused(void)
{
	const char *path = tmppath("notes.txt");
	char text[8192];

	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = "not a database\n"[i % 15];
	spew(path, text, sizeof(text));
	test_refused_untouched("a text file", path, "not a SQLite database", -EBADMSG);
}

static void test_foreign_database_refused(void)
{
	const char *path = tmppath("other.db");

	is_int(raw_sql(path, "CREATE TABLE t (x); INSERT INTO t VALUES (1);"), 0,
	       "another program's database");
	test_refused_untouched("another program's database", path, "not a lockbox database",
			       -EBADMSG);
}

static void test_corrupt_database_refused(void)
{
	const char *path = tmppath("corrupt.db");
	struct store *s = open_ok(path);
	struct request r;
	size_t len;
	char *data;

	make_request(&r, "acme", 2001);
	for (int i = 0; i < 200; i++)
		store_request_insert(s, &r);
	store_close(s);
	data = slurp(path, &len);
	ok(len > 4 * 4096, "database spans several pages (%zu bytes)", len);
	/* scribble over the middle of the last page: a table b-tree page's cells */
	memset(data + len - 4096 + 8, 0xa5, 2048);
	spew(path, data, len);
	free(data);
	test_refused_untouched("a corrupt database", path, "corrupt", -EBADMSG);
}

struct collect {
	int n;
	int64_t ids[16];
	enum req_state states[16];
	int stop_after;
};

static int collect_req(const struct request *r, void *ctx)
{
	struct collect *c = ctx;

	c->ids[c->n] = r->id;
	c->states[c->n] = r->state;
	c->n++;
	return c->stop_after && c->n == c->stop_after ? 42 : 0;
}

struct nested {
	struct store *s;
	int outer, inner, inner_err;
};

static int count_req(const struct request *r, void *ctx)
{
	(*(int *)ctx)++;
	return 0;
}

/* Each row of the outer walk walks the whole table again, on the same statement's SQL. */
static int walk_again(const struct request *r, void *ctx)
{
	struct nested *n = ctx;
	int inner = 0, err = store_requests_foreach(n->s, ~0u, count_req, &inner);

	n->outer++;
	n->inner += inner;
	if (err)
		n->inner_err = err;
	return n->outer > 100 ? -ELOOP : 0; /* an outer walk reset under it never ends */
}

static void test_walk_inside_walk(struct store *s)
{
	struct nested n = {.s = s};
	int all = 0;

	store_requests_foreach(s, ~0u, count_req, &all);
	is_int(store_requests_foreach(s, ~0u, walk_again, &n), 0, "a walk inside a walk");
	is_int(n.inner_err, 0, "the inner walks succeed");
	is_int(n.outer, all, "test_walk_inside_walk: the outer walk sees every row (%d)", all);
	is_int(n.inner, all * all, "and each inner walk every row");
	n = (struct nested){.s = s};
	is_int(store_requests_foreach(s, ~0u, walk_again, &n), 0, "again, on the cached statement");
	is_int(n.outer, all, "every row again");
}

static void test_requests(struct store *s)
{
	struct request r[4], got;
	struct collect c = {0};

	for (int i = 0; i < 4; i++) {
		make_request(&r[i], i % 2 ? "globex" : "acme", 2001 + i);
		is_int(store_request_insert(s, &r[i]), 0, "insert request %d", i);
	}
	ok(r[0].id > 0 && r[1].id > r[0].id && r[3].id > r[2].id, "ids are assigned in order");
	is_int(store_request_get(s, r[2].id, &got), 0, "get a request");
	ok(got.id == r[2].id && got.uid == r[2].uid && got.access == r[2].access &&
		   got.duration == r[2].duration && got.created_at == r[2].created_at &&
		   got.expires_at == r[2].expires_at && got.state == REQ_PENDING &&
		   !strcmp(got.zone, r[2].zone) && !strcmp(got.requester, r[2].requester) &&
		   !strcmp(got.reason, r[2].reason) && !strcmp(got.ticket, r[2].ticket),
	   "get returns every field as inserted");
	is_int(store_request_get(s, 99999, &got), -ENOENT, "get of a missing id is -ENOENT");

	r[1].state = REQ_APPROVED;
	r[1].decided_at = 1764353000;
	r[1].expires_at = 1764356600;
	r[1].grant_id = 77;
	r[1].approvals = 1;
	r[1].duration = 1; /* not an updated column */
	is_int(store_request_update(s, &r[1]), 0, "update a request");
	store_request_get(s, r[1].id, &got);
	is_int(got.state, REQ_APPROVED, "state updated");
	is_int(got.decided_at, 1764353000, "decided_at updated");
	is_int(got.expires_at, 1764356600, "expires_at updated");
	is_int(got.grant_id, 77, "grant_id updated");
	is_int(got.approvals, 1, "approvals updated");
	is_int(got.duration, 3600, "update leaves other columns alone");
	r[3].state = REQ_DENIED;
	store_request_update(s, &r[3]);

	got = r[0];
	got.id = 99999;
	is_int(store_request_update(s, &got), -ENOENT, "update of a missing id is -ENOENT");
	got = r[0];
	got.state = REQ_STATE_MAX;
	is_int(store_request_update(s, &got), -EINVAL, "update with an out-of-range state refused");
	got = r[0];
	memset(got.zone, 'z', sizeof(got.zone));
	is_int(store_request_insert(s, &got), -EINVAL, "insert of an unterminated zone refused");
	got = r[0];
	got.access = 0x8;
	is_int(store_request_insert(s, &got), -EINVAL, "insert with unknown access bits refused");

	is_int(store_requests_foreach(s, 1u << REQ_PENDING, collect_req, &c), 0, "walk pending");
	ok(c.n == 2 && c.ids[0] == r[0].id && c.ids[1] == r[2].id, "pending: the two, by id");
	memset(&c, 0, sizeof(c));
	store_requests_foreach(s, 1u << REQ_APPROVED | 1u << REQ_DENIED, collect_req, &c);
	ok(c.n == 2 && c.ids[0] == r[1].id && c.states[1] == REQ_DENIED,
	   "approved|denied: the other two");
	memset(&c, 0, sizeof(c));
	store_requests_foreach(s, 0, collect_req, &c);
	is_int(c.n, 0, "empty mask walks nothing");
	memset(&c, 0, sizeof(c));
	store_requests_foreach(s, ~0u, collect_req, &c);
	is_int(c.n, 4, "full mask walks all");
	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	is_int(store_requests_foreach(s, ~0u, collect_req, &c), 42,
	       "a callback's non-zero return stops the walk and is returned");
	is_int(c.n, 2, "no more rows after the stop");
	memset(&c, 0, sizeof(c));
	store_requests_foreach(s, ~0u, collect_req, &c);
	is_int(c.n, 4, "a walk after a stopped walk starts from the first row");
	test_walk_inside_walk(s);
}

/* One engineer's requests in one zone: those rows only, in id order, the mask applied. */
static void test_requests_of(struct store *s)
{
	struct request r[5];
	struct collect c = {0};
	const char *zones[5] = {"acme", "globex", "acme", "acme", "acme"};
	uint32_t uids[5] = {2101, 2101, 2102, 2101, 2101};

	for (int i = 0; i < 5; i++) {
		make_request(&r[i], zones[i], uids[i]);
		store_request_insert(s, &r[i]);
	}
	r[4].state = REQ_APPROVED;
	store_request_update(s, &r[4]);
	is_int(store_requests_of(s, 2101, "acme", ~0u, collect_req, &c), 0,
	       "walk 2101's acme rows");
	ok(c.n == 3 && c.ids[0] == r[0].id && c.ids[1] == r[3].id && c.ids[2] == r[4].id,
	   "exactly 2101's three acme requests, in order (%d)", c.n);
	c.n = 0;
	store_requests_of(s, 2101, "acme", 1u << REQ_APPROVED, collect_req, &c);
	ok(c.n == 1 && c.ids[0] == r[4].id, "the state mask applies");
	c.n = 0;
	store_requests_of(s, 2103, "acme", ~0u, collect_req, &c);
	is_int(c.n, 0, "none for an engineer with none");
	r[3].state = REQ_REVOKED;
	store_request_update(s, &r[3]);
	c.n = 0;
	store_requests_of(s, 2101, "acme", (1u << REQ_PENDING) | (1u << REQ_APPROVED), collect_req,
			  &c);
	ok(c.n == 2 && c.ids[0] == r[0].id && c.ids[1] == r[4].id,
	   "the live ones: pending and approved, not the revoked one, in order (%d)", c.n);
}

/* Whether SQLite plans @sql (a live walk) on the live rows' index, not every row. */
static bool plans_on_live_index(struct store *s, const char *sql)
{
	char q[1024];
	sqlite3_stmt *st;
	bool found = false;

	snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_prepare_v2(store_db(s), q, -1, &st, NULL))
		return false;
	while (sqlite3_step(st) == SQLITE_ROW)
		found |= strstr((const char *)sqlite3_column_text(st, 3), "requests_live") != NULL;
	sqlite3_finalize(st);
	return found;
}

/*
 * Expiry (each tick), status and grant_sync (each decision) walk the live
 * requests only: an index holds those, so years of history cost them nothing.
 */
static void test_live_walks_use_index(struct store *s)
{
	ok(plans_on_live_index(s, "SELECT id FROM requests INDEXED BY requests_live"
				  " WHERE state IN ('pending', 'approved') ORDER BY id"),
	   "the live walk reads the live rows' index");
	ok(plans_on_live_index(
		   s, "SELECT id FROM requests INDEXED BY requests_live WHERE uid = 1"
		      " AND zone = 'acme' AND state IN ('pending', 'approved') ORDER BY id"),
	   "one engineer's live walk in one zone too");
	ok(!plans_on_live_index(s, "SELECT id FROM requests ORDER BY id"),
	   "a walk of every state does not (the check can tell)");
}

static void test_bad_rows_rejected(struct store *s)
{
	struct request r, got;
	struct collect c = {0};
	char sql[256];
	int64_t id;

	make_request(&r, "acme", 2001);
	store_request_insert(s, &r);
	id = r.id;
	snprintf(sql, sizeof(sql), "UPDATE requests SET state = 'bogus' WHERE id = %lld",
		 (long long)id);
	sqlite3_exec(store_db(s), sql, NULL, NULL, NULL);
	is_int(store_request_get(s, id, &got), -EBADMSG, "an unknown state in a row is -EBADMSG");
	is_int(store_requests_foreach(s, ~0u, collect_req, &c), -EBADMSG,
	       "a walk meeting a bad row is -EBADMSG");
	snprintf(sql, sizeof(sql),
		 "UPDATE requests SET state = 'pending', zone = printf('%%.100c', 'x') WHERE id = "
		 "%lld",
		 (long long)id);
	sqlite3_exec(store_db(s), sql, NULL, NULL, NULL);
	is_int(store_request_get(s, id, &got), -EBADMSG,
	       "a zone too long for the struct is -EBADMSG");
	snprintf(sql, sizeof(sql), "UPDATE requests SET zone = 'acme', uid = -5 WHERE id = %lld",
		 (long long)id);
	sqlite3_exec(store_db(s), sql, NULL, NULL, NULL);
	is_int(store_request_get(s, id, &got), -EBADMSG, "a negative uid is -EBADMSG");
	snprintf(sql, sizeof(sql),
		 "UPDATE requests SET uid = 2001, access = 'read' WHERE id = %lld", (long long)id);
	sqlite3_exec(store_db(s), sql, NULL, NULL, NULL);
	is_int(store_request_get(s, id, &got), -EBADMSG,
	       "a text where a number belongs is -EBADMSG");
	snprintf(sql, sizeof(sql), "DELETE FROM requests WHERE id = %lld", (long long)id);
	sqlite3_exec(store_db(s), sql, NULL, NULL, NULL);
}

static int collect_dec(const struct decision *d, void *ctx)
{
	struct decision *out = ctx;
	int i = 0;

	while (out[i].request)
		i++;
	out[i] = *d;
	return 0;
}

static void test_decisions(struct store *s)
{
	struct decision d = {0}, got[8] = {0};
	struct request r;

	make_request(&r, "acme", 2001);
	store_request_insert(s, &r);
	d.request = r.id;
	d.kind = DEC_APPROVE;
	d.uid = 3001;
	snprintf(d.user, sizeof(d.user), "acme-admin");
	snprintf(d.comment, sizeof(d.comment), "ok for one hour");
	d.at = 1764353000;
	ok(!store_has_approved(s, r.id, 3001), "nobody approved yet");
	is_int(store_decision_add(s, &d), 0, "add an approval");
	ok(store_has_approved(s, r.id, 3001), "the approver has approved");
	ok(!store_has_approved(s, r.id, 3002), "another approver has not");
	ok(!store_has_approved(s, r.id + 1, 3001), "not for another request");
	is_int(store_decision_add(s, &d), -EEXIST, "the same uid cannot approve twice");
	ok(store_has_approved_by(s, r.id, "acme-admin"), "approved by that name");
	ok(!store_has_approved_by(s, r.id, "acme-lead"), "not by another name");
	d.uid = (uint32_t)-1; /* signed approvals: by an approver_keys name */
	is_int(store_decision_add(s, &d), -EEXIST, "nor the same name, signed");
	snprintf(d.user, sizeof(d.user), "acme-lead");
	is_int(store_decision_add(s, &d), 0, "a signed approval by another name");
	snprintf(d.user, sizeof(d.user), "acme-third");
	is_int(store_decision_add(s, &d), 0, "and a third: names are counted, not uids");
	d.kind = DEC_REVOKE;
	d.uid = (uint32_t)-1;
	snprintf(d.user, sizeof(d.user), "lockboxd");
	d.comment[0] = '\0';
	d.at++;
	is_int(store_decision_add(s, &d), 0, "add a decision by the agent itself");
	d.request = 99999;
	is_int(store_decision_add(s, &d), -ENOENT, "a decision on a missing request is refused");
	d.kind = DEC_KIND_MAX;
	is_int(store_decision_add(s, &d), -EINVAL, "an out-of-range kind is refused");

	is_int(store_decisions_foreach(s, r.id, collect_dec, got), 0, "walk decisions");
	ok(got[0].kind == DEC_APPROVE && got[0].uid == 3001 && got[0].at == 1764353000,
	   "first the approval");
	is_str(got[0].comment, "ok for one hour", "with its comment");
	ok(got[3].kind == DEC_REVOKE && got[3].uid == (uint32_t)-1,
	   "then (after the two signed) the agent's revoke");
	ok(got[4].request == 0, "and nothing else");
}

static void test_zone_ids(const char *path)
{
	struct store *s = open_ok(path);
	uint32_t a = 0, a2 = 0, b = 0, c = 0;

	is_int(store_zone_id(s, "acme", &a), 0, "zone id for acme");
	is_int(store_zone_id(s, "globex", &b), 0, "zone id for globex");
	is_int(store_zone_id(s, "acme", &a2), 0, "zone id for acme again");
	ok(a > 0 && b > 0, "ids are > 0");
	ok(a != b, "distinct zones get distinct ids");
	is_int(a2, a, "the same zone gets the same id");
	is_int(store_zone_id(s, "", &c), -EINVAL, "an empty zone name is refused");
	sqlite3_exec(store_db(s), "DELETE FROM zones WHERE name = 'globex'", NULL, NULL, NULL);
	is_int(store_zone_id(s, "initech", &c), 0, "zone id for a new zone");
	ok(c > b, "a deleted zone's id is not reused (%u after %u)", c, b);
	store_close(s);
}

static void test_outbox(struct store *s)
{
	struct outbox_msg m = {0};
	int64_t n = -1, first;

	is_int(store_outbox_pending(s, &n), 0, "count an empty outbox");
	is_int(n, 0, "nothing pending");
	is_int(store_outbox_next_due(s, 1000, &m), -ENOENT, "nothing due in an empty outbox");
	is_int(store_outbox_add(s, "a@acme.example", "Subject: one\n\nfirst", 1000), 0, "add one");
	is_int(store_outbox_add(s, "b@acme.example", "Subject: two\n\nsecond", 1001), 0, "add two");
	is_int(store_outbox_add(s, "", "x", 1001), -EINVAL, "no recipients is refused");
	is_int(store_outbox_next_due(s, 999, &m), -ENOENT, "nothing due before its time");
	is_int(store_outbox_next_due(s, 1005, &m), 0, "the oldest is due");
	is_str(m.recipients, "a@acme.example", "with its recipients");
	is_str(m.message, "Subject: one\n\nfirst", "and its message");
	is_int(m.attempts, 0, "not tried yet");
	first = m.id;
	outbox_msg_clear(&m);
	ok(m.recipients == NULL && m.message == NULL, "clear frees and zeroes");
	outbox_msg_clear(NULL);

	is_int(store_outbox_retry(s, first, 1060, "sendmail exited 75"), 0, "retry later");
	is_int(query_int(s, "SELECT count(*) FROM outbox WHERE last_error = 'sendmail exited 75'"),
	       1, "the retry's error is kept");
	is_int(store_outbox_next_due(s, 1005, &m), 0, "then the second is due");
	is_str(m.recipients, "b@acme.example", "the second message");
	is_int(store_outbox_pending(s, &n), 0, "count");
	is_int(n, 2, "two pending");
	is_int(store_outbox_done(s, m.id), 0, "second is done");
	outbox_msg_clear(&m);
	is_int(store_outbox_next_due(s, 1059, &m), -ENOENT, "the retried one waits its time");
	is_int(store_outbox_next_due(s, 1060, &m), 0, "at its new time the first is due");
	ok(m.id == first && m.attempts == 1 && m.next_at == 1060, "with one attempt counted");
	outbox_msg_clear(&m);
	is_int(store_outbox_pending(s, &n), 0, "count");
	is_int(n, 1, "one pending");
	is_int(store_outbox_done(s, first), 0, "first is done");
	is_int(store_outbox_pending(s, &n), 0, "count");
	is_int(n, 0, "none pending");
	is_int(store_outbox_done(s, first), -ENOENT, "done twice is -ENOENT");
	is_int(store_outbox_retry(s, first, 2000, NULL), -ENOENT, "retry of a done message");
}

static void test_rollback_undoes_state_and_audit(struct store *s)
{
	struct request r, got;
	char err[256] = "";
	int64_t before = audit_last_seq(s), seq = 0;
	json_t *rec;

	make_request(&r, "acme", 2001);
	store_request_insert(s, &r);
	is_int(store_begin(s), 0, "begin");
	r.state = REQ_APPROVED;
	is_int(store_request_update(s, &r), 0, "approve inside the transaction");
	rec = json_pack("{s:s, s:s, s:I}", "source", "agent", "type", "request.approved", "request",
			(json_int_t)r.id);
	is_int(audit_append(s, rec, &seq), 0, "audit it in the same transaction");
	json_decref(rec);
	is_int(seq, before + 1, "the record got the next seq");
	is_int(store_rollback(s), 0, "roll back");
	store_request_get(s, r.id, &got);
	is_int(got.state, REQ_PENDING, "the state change is undone");
	is_int(audit_last_seq(s), before, "and so is its audit record");
	is_int(store_rollback(s), 0, "rollback outside a transaction is a no-op");

	rec = json_pack("{s:s, s:s}", "source", "agent", "type", "request.denied");
	store_begin(s);
	is_int(audit_append(s, rec, &seq), 0, "append after the rollback");
	store_commit(s);
	json_decref(rec);
	is_int(seq, before + 1, "it reuses the rolled-back seq, not one past it");
	is_int(audit_verify(s, NULL, err, sizeof(err)), 0, "the chain is intact (%s)", err);
}

int main(void)
{
	struct store *s;

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	umask(022);
	test_open_creates_private_dir_and_file();
	test_reopen_keeps_data();
	test_wal_reserved_keeps_commits();
	test_wal_reserve_outlasts_checkpoint();
	test_migrates_older_schema();
	test_newer_schema_refused();
	test_non_database_refused();
	test_foreign_database_refused();
	test_corrupt_database_refused();
	test_zone_ids(tmppath("zones.db"));
	s = open_ok(tmppath("rows.db"));
	if (s) {
		test_requests(s);
		test_requests_of(s);
		test_live_walks_use_index(s);
		test_bad_rows_rejected(s);
		test_decisions(s);
		test_outbox(s);
		test_rollback_undoes_state_and_audit(s);
		store_close(s);
	}
	store_close(NULL);
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return done_testing();
}
