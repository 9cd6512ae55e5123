// SPDX-License-Identifier: GPL-2.0-only
/*
 * The store's syncs, counted by a VFS that wraps SQLite's default one: one per
 * durable commit, none for the outbox's bookkeeping, and the checkpoint's (and
 * the restarted WAL's header) in store_checkpoint(), never in a command's commit.
 */
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "tap.h"
#include "audit.h"
#include "store.h"

static char tmpdir[] = "/tmp/test_store_sync.XXXXXX";

#include "tmpstore.h"

static sqlite3_vfs *real_vfs;
static int syncs; /* xSync calls on any file */

struct cfile {
	sqlite3_file base;
	sqlite3_file *real; /* follows this struct in the same allocation */
};

#define REAL(f) (((struct cfile *)(f))->real)

static int c_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int c_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int c_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int c_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int c_sync(sqlite3_file *f, int flags)
{
	syncs++;
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int c_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int c_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}

static int c_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}

static int c_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int c_fcntl(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int c_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int c_caps(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int c_shm_map(sqlite3_file *f, int pg, int sz, int extend, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, extend, pp);
}

static int c_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void c_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int c_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static const sqlite3_io_methods counting_io = {
	.iVersion = 2,
	.xClose = c_close,
	.xRead = c_read,
	.xWrite = c_write,
	.xTruncate = c_truncate,
	.xSync = c_sync,
	.xFileSize = c_size,
	.xLock = c_lock,
	.xUnlock = c_unlock,
	.xCheckReservedLock = c_reserved,
	.xFileControl = c_fcntl,
	.xSectorSize = c_sector,
	.xDeviceCharacteristics = c_caps,
	.xShmMap = c_shm_map,
	.xShmLock = c_shm_lock,
	.xShmBarrier = c_shm_barrier,
	.xShmUnmap = c_shm_unmap,
};

static int c_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
	struct cfile *c = (struct cfile *)f;
	int rc;

	c->real = (sqlite3_file *)(c + 1);
	rc = real_vfs->xOpen(real_vfs, name, c->real, flags, out);
	f->pMethods = rc == SQLITE_OK && c->real->pMethods ? &counting_io : NULL;
	return rc;
}

static sqlite3_vfs counting_vfs;

/* Every store opened from here on goes through the counting VFS. */
static void install_vfs(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	counting_vfs = *real_vfs;
	counting_vfs.zName = "counting";
	counting_vfs.szOsFile = (int)sizeof(struct cfile) + real_vfs->szOsFile;
	counting_vfs.xOpen = c_open;
	sqlite3_vfs_register(&counting_vfs, 1);
}

/* A command's commit: a state change and its audit record, in one transaction. */
static int command(struct store *s, int i)
{
	json_t *rec = json_pack("{s:s, s:s, s:i, s:s}", "source", "agent", "type",
				"request.created", "request", i, "padding",
				"a record of some size, as a command writes one");
	int err = store_begin(s);

	err = err ?: store_outbox_add(s, "admin@acme.example", "Subject: x\n\nbody\n", i);
	err = err ?: audit_append(s, rec, NULL);
	err = err ?: store_commit(s);
	if (err)
		store_rollback(s);
	json_decref(rec);
	return err;
}

static long long synchronous(struct store *s)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(store_db(s), "PRAGMA synchronous", -1, &st, NULL))
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_command_commit_syncs_once(struct store *s)
{
	int before = syncs;

	is_int(command(s, 1), 0, "a command commits");
	is_int(syncs - before, 1, "test_command_commit_syncs_once: one sync for the commit");
}

static void test_outbox_bookkeeping_does_not_sync(struct store *s)
{
	struct outbox_msg m;
	int before;

	is_int(store_outbox_next_due(s, 1000, &m), 0, "a message is due");
	before = syncs;
	is_int(store_outbox_retry(s, m.id, 0, "exit status 1"), 0, "retry recorded");
	is_int(store_outbox_done(s, m.id), 0, "done recorded");
	is_int(syncs - before, 0,
	       "test_outbox_bookkeeping_does_not_sync: done and retry wait for no disk");
	is_int(synchronous(s), 2, "the connection is back to synchronous=FULL");
	outbox_msg_clear(&m);
	before = syncs;
	is_int(command(s, 2), 0, "the next command commits");
	is_int(syncs - before, 1, "and syncs once, carrying the bookkeeping to the disk");
}

static void test_outbox_bookkeeping_in_a_transaction_is_durable(struct store *s)
{
	struct outbox_msg m;
	int before = syncs;

	is_int(store_outbox_next_due(s, 1000, &m), 0, "a message is due");
	is_int(store_begin(s), 0, "a transaction");
	is_int(store_outbox_done(s, m.id), 0, "done inside it");
	is_int(store_commit(s), 0, "commits");
	is_int(syncs - before, 1, "the transaction's commit syncs, as every other");
	is_int(synchronous(s), 2, "synchronous=FULL throughout");
	outbox_msg_clear(&m);
}

/* Commands until the WAL is past the checkpoint threshold: none of them checkpoints. */
static void test_checkpoint_not_in_commit(struct store *s)
{
	int most = 0, i = 0, err = 0;

	while (store_wal_pages(s) < 1000 && i < 100000 && !err) {
		int before = syncs;

		err = command(s, 100 + i++);
		if (syncs - before > most)
			most = syncs - before;
	}
	is_int(err, 0, "%d commands commit", i);
	ok(store_wal_pages(s) >= 1000, "the WAL grew past 1,000 pages (%d)", store_wal_pages(s));
	is_int(most, 1, "test_checkpoint_not_in_commit: no command synced more than once");
}

static void test_checkpoint_restarts_wal_itself(struct store *s)
{
	int before = syncs;

	is_int(store_checkpoint(s), 1, "store_checkpoint checkpoints when due");
	ok(syncs - before >= 2, "it syncs the WAL, the database and the restarted WAL (%d)",
	   syncs - before);
	ok(store_wal_pages(s) < 10, "the WAL starts over (%d pages)", store_wal_pages(s));
	before = syncs;
	is_int(command(s, 1), 0, "the next command commits");
	is_int(syncs - before, 1,
	       "test_checkpoint_restarts_wal_itself: the next command syncs once, not twice");
	is_int(store_checkpoint(s), 0, "not due again at once");
}

int main(void)
{
	struct store *s;

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	install_vfs();
	s = tmp_store("sync.db");
	ok(s != NULL, "store opened through the counting VFS");
	if (s) {
		test_command_commit_syncs_once(s);
		test_outbox_bookkeeping_does_not_sync(s);
		test_outbox_bookkeeping_in_a_transaction_is_durable(s);
		test_checkpoint_not_in_commit(s);
		test_checkpoint_restarts_wal_itself(s);
		store_close(s);
	}
	tmp_remove();
	return done_testing();
}
