// SPDX-License-Identifier: GPL-2.0-only
/* The agent's SQLite database: opening it safely, migrations, and the row types. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/types.h>
#include "errbuf.h"
#include "lockbox.h"
#include "store.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define STORE_MAX_STMTS 64
#define BUSY_TIMEOUT_MS 5000
/* WAL pages before store_checkpoint() copies them back: SQLite's own default */
#define CKPT_PAGES 1000
/* nobody called store_checkpoint(): the commit checkpoints, as SQLite would itself */
#define CKPT_FORCE_PAGES (16 * CKPT_PAGES)

struct stmt_slot {
	const char *sql;
	sqlite3_stmt *st;
};

struct store {
	sqlite3 *db;
	uint64_t txn_gen;
	int wal_pages;		/* in the WAL after the last commit */
	struct store_slot slot; /* audit.c's cache */
	int nstmts;
	struct stmt_slot stmts[STORE_MAX_STMTS];
};

/*
 * migrations[i] takes a database from schema version i to i + 1, one SQL step at a
 * time, inside one transaction. Version 0 is an empty file. Never edit a released
 * step: add a new list instead, so every database walks the same path.
 */
static const char *const schema_v1[] = {
	"CREATE TABLE schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
	/* AUTOINCREMENT: a zone id is a BPF map key, so it must never be reused */
	"CREATE TABLE zones (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE)",
	"CREATE TABLE requests ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, zone TEXT NOT NULL, uid INTEGER NOT NULL,"
	" requester TEXT NOT NULL, access INTEGER NOT NULL, reason TEXT NOT NULL,"
	" ticket TEXT NOT NULL DEFAULT '', duration INTEGER NOT NULL,"
	" created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
	" decided_at INTEGER NOT NULL DEFAULT 0, grant_id INTEGER NOT NULL DEFAULT 0,"
	" approvals INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL)",
	"CREATE TABLE decisions ("
	" id INTEGER PRIMARY KEY, request INTEGER NOT NULL REFERENCES requests (id),"
	" kind TEXT NOT NULL, uid INTEGER NOT NULL, user TEXT NOT NULL,"
	" comment TEXT NOT NULL DEFAULT '', at INTEGER NOT NULL)",
	"CREATE INDEX decisions_request ON decisions (request)",
	/* one approval per person per request, whatever the caller checked */
	"CREATE UNIQUE INDEX decisions_one_approval ON decisions (request, uid)"
	" WHERE kind = 'approve'",
	"CREATE TABLE audit (seq INTEGER PRIMARY KEY, record TEXT NOT NULL,"
	" prev_hash TEXT NOT NULL, hash TEXT NOT NULL)",
	NULL,
};

static const char *const schema_v2[] = {
	"CREATE TABLE outbox ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, recipients TEXT NOT NULL, message TEXT NOT NULL,"
	" created_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
	" next_at INTEGER NOT NULL, last_error TEXT)",
	"CREATE INDEX outbox_due ON outbox (next_at, id)",
	NULL,
};

/* the host patterns a signed approval covers ("" in rows from before: this host) */
static const char *const schema_v3[] = {
	"ALTER TABLE requests ADD COLUMN hosts TEXT NOT NULL DEFAULT ''",
	/*
	 * one approval per approver name: a signed approval (approve --signature) is by
	 * a name from approver_keys, which need not be a local user
	 */
	"DROP INDEX decisions_one_approval",
	"CREATE UNIQUE INDEX decisions_one_approval ON decisions (request, user)"
	" WHERE kind = 'approve'",
	NULL,
};

/*
 * the statements this host knows of (fleet/statement.h): the local request a
 * signed approval was redeemed into, and the revocations that bar it
 */
static const char *const schema_v4[] = {
	"CREATE TABLE statements (id TEXT PRIMARY KEY,"
	" request INTEGER NOT NULL UNIQUE REFERENCES requests (id), text TEXT NOT NULL)",
	/* a bar holds for the zone and engineer its signer spoke for, not another zone's */
	"CREATE TABLE revocations (statement TEXT NOT NULL, zone TEXT NOT NULL,"
	" engineer TEXT NOT NULL, at INTEGER NOT NULL, by TEXT NOT NULL,"
	" PRIMARY KEY (statement, zone, engineer))",
	/* grant_sync's walk: one engineer's requests in one zone, not every row */
	"CREATE INDEX requests_engineer_zone ON requests (uid, zone)",
	NULL,
};

/*
 * the requests still live, pending or approved: what expiry (each tick), status and
 * grant_sync (each decision) walk, so their cost follows the live requests, not
 * the years of history behind them
 */
static const char *const schema_v5[] = {
	"DROP INDEX requests_engineer_zone",
	"CREATE INDEX requests_live ON requests (uid, zone) WHERE state IN ('pending', 'approved')",
	NULL,
};

static const char *const *const migrations[] = {schema_v1, schema_v2, schema_v3, schema_v4,
						schema_v5};

_Static_assert(ARRAY_SIZE(migrations) == STORE_SCHEMA_VERSION,
	       "STORE_SCHEMA_VERSION must count the migrations");

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";
static const char SQL_SYNC_NORMAL[] = "PRAGMA synchronous = NORMAL";
static const char SQL_SYNC_FULL[] = "PRAGMA synchronous = FULL";
static const char SQL_USER_VERSION[] = "PRAGMA user_version";

static const char SQL_ZONE_GET[] = "SELECT id FROM zones WHERE name = ?1";
static const char SQL_ZONE_ADD[] = "INSERT INTO zones (name) VALUES (?1)";

#define REQ_COLS                                                                                   \
	"id, zone, uid, requester, access, reason, ticket, duration, created_at, expires_at,"      \
	" decided_at, grant_id, approvals, state"
static const char SQL_REQ_INSERT[] =
	"INSERT INTO requests (zone, uid, requester, access, reason, ticket, duration,"
	" created_at, expires_at, decided_at, grant_id, approvals, state)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
static const char SQL_REQ_HOSTS_SET[] = "UPDATE requests SET hosts = ?2 WHERE id = ?1";
static const char SQL_REQ_HOSTS_GET[] = "SELECT hosts FROM requests WHERE id = ?1";
static const char SQL_REQ_GET[] = "SELECT " REQ_COLS " FROM requests WHERE id = ?1";
static const char SQL_REQ_UPDATE[] =
	"UPDATE requests SET state = ?2, expires_at = ?3, decided_at = ?4, grant_id = ?5,"
	" approvals = ?6 WHERE id = ?1";
/* every row, filtered after validation: a row with an unknown state must not hide */
static const char SQL_REQ_FOREACH[] = "SELECT " REQ_COLS " FROM requests ORDER BY id";
/*
 * The live rows only (requests_live), for walks that want no other state: a row
 * whose state is not a live one's, even garbage, is no grant and nothing to
 * expire. The term matches the index's own, as SQLite needs to use it, and the
 * walk of every live row names the index (by rowid would read every row).
 */
#define LIVE_STATES "state IN ('pending', 'approved')"
static const char SQL_REQ_LIVE[] = "SELECT " REQ_COLS " FROM requests INDEXED BY requests_live"
				   " WHERE " LIVE_STATES " ORDER BY id";
/* one engineer's rows in one zone, filtered as SQL_REQ_FOREACH's */
static const char SQL_REQ_OF[] =
	"SELECT " REQ_COLS " FROM requests WHERE uid = ?1 AND zone = ?2 ORDER BY id";
static const char SQL_REQ_OF_LIVE[] =
	"SELECT " REQ_COLS " FROM requests INDEXED BY requests_live"
	" WHERE uid = ?1 AND zone = ?2 AND " LIVE_STATES " ORDER BY id";
#define LIVE_MASK ((1u << REQ_PENDING) | (1u << REQ_APPROVED))

static const char SQL_DEC_ADD[] = "INSERT INTO decisions (request, kind, uid, user, comment, at)"
				  " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_DEC_FOREACH[] = "SELECT request, kind, uid, user, comment, at"
				      " FROM decisions WHERE request = ?1 ORDER BY id";
static const char SQL_DEC_APPROVED[] = "SELECT 1 FROM decisions"
				       " WHERE request = ?1 AND uid = ?2 AND kind = 'approve'";
static const char SQL_DEC_APPROVED_BY[] =
	"SELECT 1 FROM decisions WHERE request = ?1 AND user = ?2 AND kind = 'approve'";

static const char SQL_OUT_ADD[] = "INSERT INTO outbox (recipients, message, created_at, next_at)"
				  " VALUES (?1, ?2, ?3, ?3)";
static const char SQL_OUT_DUE[] = "SELECT id, recipients, message, attempts, next_at FROM outbox"
				  " WHERE next_at <= ?1 ORDER BY next_at, id LIMIT 1";
static const char SQL_OUT_DONE[] = "DELETE FROM outbox WHERE id = ?1";
static const char SQL_OUT_RETRY[] = "UPDATE outbox SET attempts = attempts + 1, next_at = ?2,"
				    " last_error = ?3 WHERE id = ?1";
static const char SQL_OUT_COUNT[] = "SELECT count(*) FROM outbox";
static const char SQL_OUT_OLDEST[] = "SELECT coalesce(min(created_at), 0) FROM outbox";
static const char SQL_REQ_COUNTS[] = "SELECT state, count(*) FROM requests GROUP BY state";

int store_sqlite_errno(int rc)
{
	switch (rc) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return -EEXIST;
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return -ENOENT;
	}
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return -EBADMSG;
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE:
		return -EINVAL;
	case SQLITE_TOOBIG:
		return -E2BIG;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EPERM;
	case SQLITE_CANTOPEN:
		return -EACCES;
	default:
		return -EIO;
	}
}

/* mkdir -p of path's directory; what it creates is 0700 (the database is private). */
static int make_parent(const char *path)
{
	char dir[PATH_MAX];
	struct stat st;
	char *slash;

	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	if (stat(dir, &st))
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* Creating the file ourselves is the only way to get 0600 whatever the umask. */
static int create_private(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	if (fchmod(fd, 0600)) {
		int e = -errno;

		close(fd);
		return e;
	}
	close(fd);
	return 0;
}

static int exec_sql(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* A one-column, one-row query's text answer, copied; "" when there is no row. */
static int query_text(sqlite3 *db, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *st = NULL;
	int rc;

	out[0] = '\0';
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		snprintf(out, size, "%s", t ? (const char *)t : "");
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * The schema version, read without writing anything: 0 for an empty database,
 * -EBADMSG (with err) for a database that is not ours.
 */
static int read_version(sqlite3 *db, const char *path, int64_t *version, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char buf[64];
	int rc;

	rc = query_text(db, "SELECT count(*) FROM sqlite_schema", buf, sizeof(buf));
	if ((rc & 0xff) == SQLITE_NOTADB) {
		seterr(err, errlen, "%s: not a SQLite database; left untouched", path);
		return -EBADMSG;
	}
	if ((rc & 0xff) == SQLITE_CORRUPT) {
		seterr(err, errlen, "%s: database is corrupt (%s); left untouched", path,
		       sqlite3_errmsg(db));
		return -EBADMSG;
	}
	if (rc) {
		seterr(err, errlen, "%s: cannot read: %s", path, sqlite3_errmsg(db));
		return store_sqlite_errno(rc);
	}
	if (!strcmp(buf, "0")) {
		*version = 0;
		return 0;
	}
	rc = sqlite3_prepare_v2(db, "SELECT version FROM schema WHERE id = 1", -1, &st, NULL);
	if (rc) {
		seterr(err, errlen, "%s: not a lockbox database (no schema table); left untouched",
		       path);
		return -EBADMSG;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER &&
	    sqlite3_column_int64(st, 0) > 0) {
		*version = sqlite3_column_int64(st, 0);
		rc = 0;
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		seterr(err, errlen, "%s: schema table holds no valid version", path);
		rc = -EBADMSG;
	} else {
		seterr(err, errlen, "%s: reading the schema version: %s", path, sqlite3_errmsg(db));
		rc = store_sqlite_errno(rc);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Everything that decides whether we may touch the file at all: reads only. */
static int probe(sqlite3 *db, const char *path, int64_t *version, char *err, size_t errlen)
{
	char res[256];
	int rc;

	rc = read_version(db, path, version, err, errlen);
	if (rc)
		return rc;
	rc = query_text(db, "PRAGMA quick_check", res, sizeof(res));
	for (char *p = res; *p; p++)
		if (*p == '\n')
			*p = ' '; /* one line for the log */
	if (rc || strcmp(res, "ok")) {
		seterr(err, errlen, "%s: database is corrupt (quick_check: %s); left untouched",
		       path, rc ? sqlite3_errstr(rc) : res);
		return -EBADMSG;
	}
	if (*version > STORE_SCHEMA_VERSION) {
		seterr(err, errlen,
		       "%s: schema version %lld is newer than this build's %d"
		       " (written by a newer lockbox?); left untouched",
		       path, (long long)*version, STORE_SCHEMA_VERSION);
		return -EPROTONOSUPPORT;
	}
	return 0;
}

static int migrate(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int64_t version;
	int rc;

	rc = exec_sql(db, "BEGIN IMMEDIATE");
	if (rc) {
		seterr(err, errlen, "%s: cannot lock for migration: %s", path, sqlite3_errmsg(db));
		return store_sqlite_errno(rc);
	}
	/* again under the lock: another process may have migrated meanwhile */
	rc = read_version(db, path, &version, err, errlen);
	if (rc)
		goto out;
	if (version > STORE_SCHEMA_VERSION) {
		seterr(err, errlen, "%s: schema version %lld is newer than this build's %d", path,
		       (long long)version, STORE_SCHEMA_VERSION);
		rc = -EPROTONOSUPPORT;
		goto out;
	}
	for (; version < STORE_SCHEMA_VERSION; version++) {
		for (const char *const *step = migrations[version]; *step; step++) {
			rc = exec_sql(db, *step);
			if (rc) {
				seterr(err, errlen,
				       "%s: migration to schema version %lld failed: %s", path,
				       (long long)version + 1, sqlite3_errmsg(db));
				rc = store_sqlite_errno(rc);
				goto out;
			}
		}
	}
	rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO schema (id, version) VALUES (1, ?1)",
				-1, &st, NULL);
	if (!rc)
		rc = sqlite3_bind_int64(st, 1, version);
	if (!rc && sqlite3_step(st) == SQLITE_DONE)
		rc = exec_sql(db, "COMMIT");
	else
		rc = rc ? rc : sqlite3_errcode(db);
	if (rc) {
		seterr(err, errlen, "%s: recording schema version %lld: %s", path,
		       (long long)version, sqlite3_errmsg(db));
		rc = store_sqlite_errno(rc);
	}
out:
	sqlite3_finalize(st);
	if (rc)
		exec_sql(db, "ROLLBACK");
	return rc;
}

/*
 * The WAL written in place: SQLite appends each commit's frames to the WAL,
 * and an fdatasync of a file that grew must also commit the filesystem's
 * journal (the new size, the new blocks): a commit past the reserve took 2.5
 * times one within it (6.1 guest, ext4). Zeros past the WAL's end give the
 * first WAL_RESERVE bytes their blocks once; SQLite reads frames only up to
 * the first bad checksum, so zeros are an end of log, as the old frames it
 * leaves past a restarted WAL's end are. Room for twice the checkpoint's
 * threshold: the WAL passes it between two calls of store_checkpoint() (the
 * agent's is once a second), by 600 pages in the approval benchmark.
 */
#define WAL_HEADER_BYTES 32
#define WAL_FRAME_BYTES	 (24 + 4096) /* a frame's header and one page */
#define WAL_RESERVE	 (WAL_HEADER_BYTES + 2 * CKPT_PAGES * WAL_FRAME_BYTES)

static void wal_reserve(const char *path)
{
	static const char zeros[65536];
	char wal[PATH_MAX];
	struct stat sb;
	off_t at;
	int fd;

	if (snprintf(wal, sizeof(wal), "%s-wal", path) >= (int)sizeof(wal))
		return;
	fd = open(wal, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	if (fstat(fd, &sb) < 0 || sb.st_size >= WAL_RESERVE) {
		close(fd);
		return;
	}
	for (at = sb.st_size; at < WAL_RESERVE; at += sizeof(zeros))
		if (pwrite(fd, zeros, sizeof(zeros), at) != (ssize_t)sizeof(zeros))
			break;
	/*
	 * Only a speed-up: a disk too small or too full for it gets its space
	 * back (the database needs it more) and commits grow the WAL as before.
	 */
	if (at < WAL_RESERVE || fdatasync(fd) < 0)
		(void)!ftruncate(fd, sb.st_size);
	close(fd);
}

/* Settings that only hold for this connection, or need to be asked for each time. */
static int configure(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	char mode[16];
	int rc;

	rc = query_text(db, "PRAGMA journal_mode = WAL", mode, sizeof(mode));
	if (!rc && strcmp(mode, "wal")) {
		seterr(err, errlen, "%s: cannot switch to WAL mode (got \"%s\")", path, mode);
		return -EIO;
	}
	if (!rc)
		rc = exec_sql(db, "PRAGMA synchronous = FULL");
	if (!rc)
		rc = exec_sql(db, "PRAGMA foreign_keys = ON");
	if (!rc)
		wal_reserve(path);
	if (rc) {
		seterr(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		return store_sqlite_errno(rc);
	}
	return 0;
}

/* Anything cached from the database (the audit chain's head) is stale after these. */
static int on_commit(void *arg)
{
	((struct store *)arg)->txn_gen++;
	return 0;
}

static void on_rollback(void *arg)
{
	((struct store *)arg)->txn_gen++;
}

/*
 * After each commit, instead of SQLite's autocheckpoint: a checkpoint in the
 * commit would make that command wait for two more syncs, and the next one for
 * the restarted WAL's header. store_checkpoint() does it between commands.
 */
static int on_wal(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store *s = arg;

	s->wal_pages = pages;
	if (pages >= CKPT_FORCE_PAGES)
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

int store_open(const char *path, struct store **out, char *err, size_t errlen)
{
	struct store *s = NULL;
	int64_t version = 0;
	int rc;

	*out = NULL;
	if (!path || !*path)
		return seterr_inval(err, errlen, "database path is empty");
	rc = make_parent(path);
	if (rc) {
		seterr(err, errlen, "%s: cannot create its directory: %s", path, strerror(-rc));
		return rc;
	}
	rc = create_private(path);
	if (rc) {
		seterr(err, errlen, "%s: cannot create: %s", path, strerror(-rc));
		return rc;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		seterr(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc) {
		seterr(err, errlen, "%s: cannot open: %s", path,
		       s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		rc = store_sqlite_errno(rc);
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	/* a refused file must stay as it is: no checkpoint when we close it */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	rc = probe(s->db, path, &version, err, errlen);
	if (rc)
		goto fail;
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
	rc = configure(s->db, path, err, errlen);
	if (rc)
		goto fail;
	if (version < STORE_SCHEMA_VERSION) {
		rc = migrate(s->db, path, err, errlen);
		if (rc)
			goto fail;
	}
	sqlite3_commit_hook(s->db, on_commit, s);
	sqlite3_rollback_hook(s->db, on_rollback, s);
	sqlite3_wal_hook(s->db, on_wal, s);
	*out = s;
	return 0;
fail:
	store_close(s);
	return rc;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nstmts; i++)
		sqlite3_finalize(s->stmts[i].st);
	if (s->slot.p && s->slot.release)
		s->slot.release(s->slot.p);
	sqlite3_close_v2(s->db);
	free(s);
}

const char *store_errmsg(struct store *s)
{
	return s && s->db ? sqlite3_errmsg(s->db) : "no database";
}

sqlite3 *store_db(struct store *s)
{
	return s->db;
}

uint64_t store_txn_gen(struct store *s)
{
	return s->txn_gen;
}

struct store_slot *store_slot(struct store *s)
{
	return &s->slot;
}

int store_stmt(struct store *s, const char *sql, sqlite3_stmt **out)
{
	struct stmt_slot *slot = NULL;
	int rc;

	for (int i = 0; i < s->nstmts && !slot; i++)
		if (s->stmts[i].sql == sql)
			slot = &s->stmts[i];
	for (int i = 0; i < s->nstmts && !slot; i++)
		if (!strcmp(s->stmts[i].sql, sql))
			slot = &s->stmts[i];
	if (slot) {
		sqlite3_reset(slot->st);
		sqlite3_clear_bindings(slot->st);
		*out = slot->st;
		return 0;
	}
	if (s->nstmts == STORE_MAX_STMTS)
		return -ENOSPC;
	slot = &s->stmts[s->nstmts];
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &slot->st, NULL);
	if (rc)
		return store_sqlite_errno(rc);
	slot->sql = sql;
	s->nstmts++;
	*out = slot->st;
	return 0;
}

/* Runs a statement that returns no rows, and leaves it reset (no lingering read lock). */
static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlite_errno(rc);
}

static int exec_cached(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int rc = store_stmt(s, sql, &st);

	return rc ? rc : step_done(st);
}

int store_begin(struct store *s)
{
	return exec_cached(s, SQL_BEGIN);
}

int store_commit(struct store *s)
{
	return exec_cached(s, SQL_COMMIT);
}

int store_rollback(struct store *s)
{
	if (sqlite3_get_autocommit(s->db))
		return 0;
	return exec_cached(s, SQL_ROLLBACK);
}

/*
 * A write whose loss in a crash costs nothing but a repeat (the outbox's
 * bookkeeping): committed without waiting for the disk. WAL keeps it atomic and
 * in order, and the next durable commit's sync carries it to the disk.
 */
static int step_lazy(struct store *s, sqlite3_stmt *st)
{
	bool own = sqlite3_get_autocommit(s->db);
	int rc;

	if (own && exec_cached(s, SQL_SYNC_NORMAL))
		own = false; /* then durably, as any other */
	rc = step_done(st);
	if (own && exec_cached(s, SQL_SYNC_FULL) && !rc)
		rc = -EIO; /* never leave the connection lazy */
	return rc;
}

int store_checkpoint(struct store *s)
{
	sqlite3_stmt *st;
	int log = 0, done = 0, rc;
	char sql[64];

	if (s->wal_pages < CKPT_PAGES || !sqlite3_get_autocommit(s->db))
		return 0;
	rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
	if (rc)
		return store_sqlite_errno(rc);
	if (log != done)
		return 1; /* a reader still needs part of it: again next time */
	/* the first commit into the restarted WAL syncs its header as well: this one */
	rc = store_stmt(s, SQL_USER_VERSION, &st);
	if (rc)
		return rc;
	rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -EIO;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", sqlite3_column_int(st, 0));
	sqlite3_reset(st);
	if (!rc && exec_sql(s->db, sql))
		rc = store_sqlite_errno(sqlite3_errcode(s->db)) ?: -EIO;
	return rc ?: 1;
}

int store_wal_pages(struct store *s)
{
	return s->wal_pages;
}

/* Binds a string that must fit (with its NUL) in size bytes. */
static int bind_str(sqlite3_stmt *st, int i, const char *str, size_t size, bool nonempty)
{
	size_t n;

	if (!str)
		return -EINVAL;
	n = strnlen(str, size);
	if (n == size || (nonempty && !n))
		return -EINVAL;
	return sqlite3_bind_text(st, i, str, (int)n, SQLITE_STATIC) ? -ENOMEM : 0;
}

/* Rows read back are input like any other: type, length and range are checked. */
static int col_text(sqlite3_stmt *st, int col, const char **text, size_t *len)
{
	const unsigned char *t;
	int n;

	if (sqlite3_column_type(st, col) != SQLITE_TEXT)
		return -EBADMSG;
	t = sqlite3_column_text(st, col);
	n = sqlite3_column_bytes(st, col);
	if (!t)
		return -ENOMEM;
	if (n < 0 || strlen((const char *)t) != (size_t)n)
		return -EBADMSG; /* an embedded NUL */
	*text = (const char *)t;
	*len = n;
	return 0;
}

static int col_str(sqlite3_stmt *st, int col, char *dst, size_t size, bool nonempty)
{
	const char *t;
	size_t n;
	int err = col_text(st, col, &t, &n);

	if (err)
		return err;
	if (n >= size || (nonempty && !n))
		return -EBADMSG;
	memcpy(dst, t, n);
	dst[n] = '\0';
	return 0;
}

static int col_dup(sqlite3_stmt *st, int col, char **dst)
{
	const char *t;
	size_t n;
	int err = col_text(st, col, &t, &n);

	if (err)
		return err;
	if (!n)
		return -EBADMSG;
	*dst = strndup(t, n);
	return *dst ? 0 : -ENOMEM;
}

static int col_int(sqlite3_stmt *st, int col, int64_t min, int64_t max, int64_t *out)
{
	int64_t v;

	if (sqlite3_column_type(st, col) != SQLITE_INTEGER)
		return -EBADMSG;
	v = sqlite3_column_int64(st, col);
	if (v < min || v > max)
		return -EBADMSG;
	*out = v;
	return 0;
}

static bool access_valid(int64_t a)
{
	return a && !(a & ~(int64_t)(LB_ACCESS_READ | LB_ACCESS_WRITE));
}

int store_zone_id(struct store *s, const char *name, uint32_t *id)
{
	sqlite3_stmt *st;
	int64_t v = 0;
	int rc;

	rc = store_stmt(s, SQL_ZONE_GET, &st);
	if (!rc)
		rc = bind_str(st, 1, name, LB_NAME_MAX, true);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		rc = store_stmt(s, SQL_ZONE_ADD, &st);
		if (!rc)
			rc = bind_str(st, 1, name, LB_NAME_MAX, true);
		if (!rc)
			rc = step_done(st);
		if (rc)
			return rc;
		v = sqlite3_last_insert_rowid(s->db);
		rc = v > 0 && v <= UINT32_MAX ? 0 : -EOVERFLOW;
	} else if (rc == SQLITE_ROW) {
		rc = col_int(st, 0, 1, UINT32_MAX, &v);
	} else {
		rc = store_sqlite_errno(rc);
	}
	sqlite3_reset(st);
	if (!rc)
		*id = (uint32_t)v;
	return rc;
}

static int request_valid(const struct request *r)
{
	if ((unsigned)r->state >= REQ_STATE_MAX || !access_valid(r->access) || r->approvals < 0)
		return -EINVAL;
	return 0;
}

int store_request_insert(struct store *s, struct request *r)
{
	sqlite3_stmt *st;
	int rc;

	rc = request_valid(r);
	if (!rc)
		rc = store_stmt(s, SQL_REQ_INSERT, &st);
	if (rc)
		return rc;
	rc = bind_str(st, 1, r->zone, sizeof(r->zone), true);
	if (!rc)
		rc = bind_str(st, 3, r->requester, sizeof(r->requester), true);
	if (!rc)
		rc = bind_str(st, 5, r->reason, sizeof(r->reason), false);
	if (!rc)
		rc = bind_str(st, 6, r->ticket, sizeof(r->ticket), false);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 2, r->uid);
	sqlite3_bind_int64(st, 4, r->access);
	sqlite3_bind_int64(st, 7, r->duration);
	sqlite3_bind_int64(st, 8, r->created_at);
	sqlite3_bind_int64(st, 9, r->expires_at);
	sqlite3_bind_int64(st, 10, r->decided_at);
	sqlite3_bind_int64(st, 11, r->grant_id);
	sqlite3_bind_int64(st, 12, r->approvals);
	sqlite3_bind_text(st, 13, req_state_name(r->state), -1, SQLITE_STATIC);
	rc = step_done(st);
	if (!rc)
		r->id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

/* Columns in REQ_COLS order. */
static int read_request(sqlite3_stmt *st, struct request *r)
{
	char state[16];
	int64_t v[10];
	int rc;

	memset(r, 0, sizeof(*r));
	rc = col_int(st, 0, 1, INT64_MAX, &v[0]);
	if (!rc)
		rc = col_str(st, 1, r->zone, sizeof(r->zone), true);
	if (!rc)
		rc = col_int(st, 2, 0, UINT32_MAX, &v[1]);
	if (!rc)
		rc = col_str(st, 3, r->requester, sizeof(r->requester), true);
	if (!rc)
		rc = col_int(st, 4, 1, LB_ACCESS_READ | LB_ACCESS_WRITE, &v[2]);
	if (!rc && !access_valid(v[2]))
		rc = -EBADMSG;
	if (!rc)
		rc = col_str(st, 5, r->reason, sizeof(r->reason), false);
	if (!rc)
		rc = col_str(st, 6, r->ticket, sizeof(r->ticket), false);
	for (int i = 7; i <= 11 && !rc; i++)
		rc = col_int(st, i, INT64_MIN, INT64_MAX, &v[i - 4]);
	if (!rc)
		rc = col_int(st, 12, 0, INT_MAX, &v[8]);
	if (!rc)
		rc = col_str(st, 13, state, sizeof(state), true);
	if (!rc && req_state_parse(state, &r->state))
		rc = -EBADMSG;
	if (rc)
		return rc;
	r->id = v[0];
	r->uid = (uint32_t)v[1];
	r->access = (uint32_t)v[2];
	r->duration = v[3];
	r->created_at = v[4];
	r->expires_at = v[5];
	r->decided_at = v[6];
	r->grant_id = v[7];
	r->approvals = (int)v[8];
	return 0;
}

int store_request_get(struct store *s, int64_t id, struct request *r)
{
	sqlite3_stmt *st;
	int rc;

	rc = store_stmt(s, SQL_REQ_GET, &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = read_request(st, r);
	else
		rc = rc == SQLITE_DONE ? -ENOENT : store_sqlite_errno(rc);
	sqlite3_reset(st);
	return rc;
}

int store_request_set_hosts(struct store *s, int64_t id, const char *hosts)
{
	sqlite3_stmt *st;
	int rc;

	rc = store_stmt(s, SQL_REQ_HOSTS_SET, &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, hosts, -1, SQLITE_TRANSIENT);
	rc = step_done(st);
	if (!rc && !sqlite3_changes(s->db))
		rc = -ENOENT;
	return rc;
}

int store_request_hosts(struct store *s, int64_t id, char *buf, size_t size)
{
	sqlite3_stmt *st;
	int rc;

	rc = store_stmt(s, SQL_REQ_HOSTS_GET, &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = col_str(st, 0, buf, size, false);
	else
		rc = rc == SQLITE_DONE ? -ENOENT : store_sqlite_errno(rc);
	sqlite3_reset(st);
	return rc;
}

int store_request_update(struct store *s, const struct request *r)
{
	sqlite3_stmt *st;
	int rc;

	rc = request_valid(r);
	if (!rc)
		rc = store_stmt(s, SQL_REQ_UPDATE, &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_text(st, 2, req_state_name(r->state), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, r->expires_at);
	sqlite3_bind_int64(st, 4, r->decided_at);
	sqlite3_bind_int64(st, 5, r->grant_id);
	sqlite3_bind_int64(st, 6, r->approvals);
	rc = step_done(st);
	if (!rc && sqlite3_changes(s->db) == 0)
		rc = -ENOENT;
	return rc;
}

/*
 * A walk's statement: the cached one, unless a walk on it is under way (a
 * callback may call back into the store, even into the same walk, and the
 * cached statement must not be reset under it): then one of its own.
 */
static int walk_begin(struct store *s, const char *sql, sqlite3_stmt **out, bool *own)
{
	for (int i = 0; i < s->nstmts; i++) {
		if (s->stmts[i].sql == sql && sqlite3_stmt_busy(s->stmts[i].st)) {
			*own = true;
			return store_sqlite_errno(sqlite3_prepare_v2(s->db, sql, -1, out, NULL));
		}
	}
	*own = false;
	return store_stmt(s, sql, out);
}

static void walk_end(sqlite3_stmt *st, bool own)
{
	if (own) {
		sqlite3_finalize(st);
	} else if (st) {
		sqlite3_reset(st); /* no lingering read lock */
		sqlite3_clear_bindings(st);
	}
}

/* Walks the rows @sql selects (with @uid and @zone bound when @zone is set). */
static int requests_walk(struct store *s, const char *sql, uint32_t uid, const char *zone,
			 unsigned state_mask, store_request_fn fn, void *ctx)
{
	sqlite3_stmt *st = NULL;
	struct request *r;
	bool own = false;
	int rc;

	r = malloc(sizeof(*r)); /* over 2 KiB: keep it off small stacks */
	if (!r)
		return -ENOMEM;
	rc = walk_begin(s, sql, &st, &own);
	if (rc)
		goto out;
	if (zone) {
		sqlite3_bind_int64(st, 1, uid);
		sqlite3_bind_text(st, 2, zone, -1, SQLITE_STATIC);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = read_request(st, r);
		if (!rc && (state_mask & (1u << r->state)))
			rc = fn(r, ctx);
		if (rc)
			goto out;
	}
	rc = store_sqlite_errno(rc);
out:
	walk_end(st, own);
	free(r);
	return rc;
}

int store_requests_foreach(struct store *s, unsigned state_mask, store_request_fn fn, void *ctx)
{
	return requests_walk(s, state_mask & ~LIVE_MASK ? SQL_REQ_FOREACH : SQL_REQ_LIVE, 0, NULL,
			     state_mask, fn, ctx);
}

int store_requests_of(struct store *s, uint32_t uid, const char *zone, unsigned state_mask,
		      store_request_fn fn, void *ctx)
{
	return requests_walk(s, state_mask & ~LIVE_MASK ? SQL_REQ_OF : SQL_REQ_OF_LIVE, uid, zone,
			     state_mask, fn, ctx);
}

int store_decision_add(struct store *s, const struct decision *d)
{
	sqlite3_stmt *st;
	int rc;

	if ((unsigned)d->kind >= DEC_KIND_MAX)
		return -EINVAL;
	rc = store_stmt(s, SQL_DEC_ADD, &st);
	if (!rc)
		rc = bind_str(st, 4, d->user, sizeof(d->user), true);
	if (!rc)
		rc = bind_str(st, 5, d->comment, sizeof(d->comment), false);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, d->request);
	sqlite3_bind_text(st, 2, decision_kind_name(d->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, d->uid);
	sqlite3_bind_int64(st, 6, d->at);
	return step_done(st);
}

static int read_decision(sqlite3_stmt *st, struct decision *d)
{
	char kind[16];
	int64_t uid;
	int rc;

	memset(d, 0, sizeof(*d));
	rc = col_int(st, 0, 1, INT64_MAX, &d->request);
	if (!rc)
		rc = col_str(st, 1, kind, sizeof(kind), true);
	if (!rc && decision_kind_parse(kind, &d->kind))
		rc = -EBADMSG;
	if (!rc)
		rc = col_int(st, 2, 0, UINT32_MAX, &uid);
	if (!rc)
		rc = col_str(st, 3, d->user, sizeof(d->user), true);
	if (!rc)
		rc = col_str(st, 4, d->comment, sizeof(d->comment), false);
	if (!rc)
		rc = col_int(st, 5, INT64_MIN, INT64_MAX, &d->at);
	if (!rc)
		d->uid = (uint32_t)uid;
	return rc;
}

int store_decisions_foreach(struct store *s, int64_t request, store_decision_fn fn, void *ctx)
{
	sqlite3_stmt *st = NULL;
	struct decision *d;
	bool own = false;
	int rc;

	d = malloc(sizeof(*d));
	if (!d)
		return -ENOMEM;
	rc = walk_begin(s, SQL_DEC_FOREACH, &st, &own);
	if (rc)
		goto out;
	sqlite3_bind_int64(st, 1, request);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = read_decision(st, d);
		if (!rc)
			rc = fn(d, ctx);
		if (rc)
			goto out;
	}
	rc = store_sqlite_errno(rc);
out:
	walk_end(st, own);
	free(d);
	return rc;
}

bool store_has_approved(struct store *s, int64_t request, uint32_t uid)
{
	sqlite3_stmt *st;
	int rc;

	if (store_stmt(s, SQL_DEC_APPROVED, &st))
		return true;
	sqlite3_bind_int64(st, 1, request);
	sqlite3_bind_int64(st, 2, uid);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc != SQLITE_DONE;
}

bool store_has_approved_by(struct store *s, int64_t request, const char *user)
{
	sqlite3_stmt *st;
	int rc;

	if (store_stmt(s, SQL_DEC_APPROVED_BY, &st))
		return true;
	sqlite3_bind_int64(st, 1, request);
	sqlite3_bind_text(st, 2, user, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc != SQLITE_DONE;
}

int store_outbox_add(struct store *s, const char *recipients, const char *message, int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	if (!recipients || !*recipients || !message || !*message)
		return -EINVAL;
	rc = store_stmt(s, SQL_OUT_ADD, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, recipients, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, message, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	return step_done(st);
}

void outbox_msg_clear(struct outbox_msg *m)
{
	if (!m)
		return;
	free(m->recipients);
	free(m->message);
	memset(m, 0, sizeof(*m));
}

int store_outbox_next_due(struct store *s, int64_t now, struct outbox_msg *m)
{
	sqlite3_stmt *st;
	int64_t attempts;
	int rc;

	memset(m, 0, sizeof(*m));
	rc = store_stmt(s, SQL_OUT_DUE, &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, now);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? -ENOENT : store_sqlite_errno(rc);
		goto out;
	}
	rc = col_int(st, 0, 1, INT64_MAX, &m->id);
	if (!rc)
		rc = col_dup(st, 1, &m->recipients);
	if (!rc)
		rc = col_dup(st, 2, &m->message);
	if (!rc)
		rc = col_int(st, 3, 0, INT_MAX, &attempts);
	if (!rc)
		rc = col_int(st, 4, INT64_MIN, INT64_MAX, &m->next_at);
	if (!rc)
		m->attempts = (int)attempts;
out:
	sqlite3_reset(st);
	if (rc)
		outbox_msg_clear(m);
	return rc;
}

int store_outbox_done(struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	int rc;

	rc = store_stmt(s, SQL_OUT_DONE, &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = step_lazy(s, st);
	if (!rc && sqlite3_changes(s->db) == 0)
		rc = -ENOENT;
	return rc;
}

int store_outbox_retry(struct store *s, int64_t id, int64_t next_at, const char *error)
{
	sqlite3_stmt *st;
	int rc;

	rc = store_stmt(s, SQL_OUT_RETRY, &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, next_at);
	if (error)
		sqlite3_bind_text(st, 3, error, -1, SQLITE_STATIC);
	rc = step_lazy(s, st);
	if (!rc && sqlite3_changes(s->db) == 0)
		rc = -ENOENT;
	return rc;
}

int store_outbox_pending(struct store *s, int64_t *count)
{
	sqlite3_stmt *st;
	int rc;

	rc = store_stmt(s, SQL_OUT_COUNT, &st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = col_int(st, 0, 0, INT64_MAX, count);
	else
		rc = store_sqlite_errno(rc) ?: -EIO;
	sqlite3_reset(st);
	return rc;
}

int store_outbox_oldest(struct store *s, int64_t *created_at)
{
	sqlite3_stmt *st;
	int rc = store_stmt(s, SQL_OUT_OLDEST, &st);

	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = col_int(st, 0, 0, INT64_MAX, created_at);
	else
		rc = store_sqlite_errno(rc) ?: -EIO;
	sqlite3_reset(st);
	return rc;
}

int store_request_counts(struct store *s, uint64_t counts[REQ_STATE_MAX])
{
	enum req_state state;
	sqlite3_stmt *st;
	int64_t n;
	int rc = store_stmt(s, SQL_REQ_COUNTS, &st);

	if (rc)
		return rc;
	memset(counts, 0, REQ_STATE_MAX * sizeof(counts[0]));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		if (!name || req_state_parse(name, &state) || col_int(st, 1, 0, INT64_MAX, &n)) {
			rc = -EIO; /* a state this version does not know: the database is not ours
				    */
			break;
		}
		counts[state] = (uint64_t)n;
	}
	rc = rc == SQLITE_DONE ? 0 : rc < 0 ? rc : store_sqlite_errno(rc) ?: -EIO;
	sqlite3_reset(st);
	return rc;
}
