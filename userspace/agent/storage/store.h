/* SPDX-License-Identifier: GPL-2.0-only */
/* The agent's SQLite database: requests, decisions, zone ids, notification outbox. */
#ifndef STORE_H
#define STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>
#include "model.h"

/* Schema version this build writes; a database with a newer one is refused. */
#define STORE_SCHEMA_VERSION 5

struct store;

/*
 * Opens (creating if missing: parent dir 0700, file 0600) and migrates the database.
 * A file that is not a database, fails PRAGMA quick_check, belongs to something else
 * or has a newer schema is refused with err naming the file and the cause, untouched.
 */
int store_open(const char *path, struct store **out, char *err, size_t errlen);
void store_close(struct store *s);
const char *store_errmsg(struct store *s); /* SQLite's words for the last failure */

/* Transactions: BEGIN IMMEDIATE; rollback outside a transaction is a no-op. */
int store_begin(struct store *s);
int store_commit(struct store *s);
int store_rollback(struct store *s);

/* Get-or-create the stable id (> 0) of a zone name; ids are never reused. */
int store_zone_id(struct store *s, const char *name, uint32_t *id);

int store_request_insert(struct store *s, struct request *r);	       /* sets r->id */
int store_request_get(struct store *s, int64_t id, struct request *r); /* -ENOENT */
/* Writes state, expires_at, decided_at, grant_id and approvals; -ENOENT. */
int store_request_update(struct store *s, const struct request *r);
/*
 * The host patterns of request @id ("PATTERN[,PATTERN...]"; "" for a request filed
 * before they were kept: this host). -ENOENT for no such request; -EBADMSG if the
 * stored text does not fit @size.
 */
int store_request_set_hosts(struct store *s, int64_t id, const char *hosts);
int store_request_hosts(struct store *s, int64_t id, char *buf, size_t size);

/*
 * Walks requests whose state bit (1u << state) is in state_mask, ordered by id.
 * A non-zero return from fn stops the walk and is returned; a bad row is -EBADMSG.
 * A mask of live states only (pending, approved) walks an index of those rows,
 * so its cost does not grow with the history.
 */
typedef int (*store_request_fn)(const struct request *r, void *ctx);
int store_requests_foreach(struct store *s, unsigned state_mask, store_request_fn fn, void *ctx);
/* The same over the requests of engineer @uid in @zone only (an index, not every row). */
int store_requests_of(struct store *s, uint32_t uid, const char *zone, unsigned state_mask,
		      store_request_fn fn, void *ctx);

/* A second approval by the same uid is refused by the schema: -EEXIST. */
int store_decision_add(struct store *s, const struct decision *d);
typedef int (*store_decision_fn)(const struct decision *d, void *ctx);
int store_decisions_foreach(struct store *s, int64_t request, store_decision_fn fn, void *ctx);
/* This uid already approved the request; a store error answers true (fail closed). */
bool store_has_approved(struct store *s, int64_t request, uint32_t uid);
/* The same by name: an approval's user (signed approvals are by approver_keys name). */
bool store_has_approved_by(struct store *s, int64_t request, const char *user);

/* Notification outbox: messages wait here until the notify command took them. */
struct outbox_msg {
	int64_t id;
	char *recipients;
	char *message;
	int attempts;
	int64_t next_at;
};

int store_outbox_add(struct store *s, const char *recipients, const char *message, int64_t now);
/*
 * Done and retry are committed without waiting for the disk when called outside a
 * transaction: a crash that loses one only sends the message again, or sooner.
 */
/* Oldest message due at now; -ENOENT if none. Free with outbox_msg_clear(). */
int store_outbox_next_due(struct store *s, int64_t now, struct outbox_msg *m);
void outbox_msg_clear(struct outbox_msg *m);
int store_outbox_done(struct store *s, int64_t id);
int store_outbox_retry(struct store *s, int64_t id, int64_t next_at, const char *error);
int store_outbox_pending(struct store *s, int64_t *count);
/* When the oldest undelivered message was queued; 0 when none is. */
int store_outbox_oldest(struct store *s, int64_t *created_at);
/* How many requests are in each state. */
int store_request_counts(struct store *s, uint64_t counts[REQ_STATE_MAX]);

/*
 * Commits do not checkpoint the WAL (a command would wait for the checkpoint's
 * syncs, the next one for the restarted WAL's header): the owner calls this
 * between commands. Past 1,000 WAL pages it copies them into the database and,
 * when all were copied, makes the restarted WAL's first (doubly synced) commit
 * itself. 1 if it checkpointed, 0 if not due, or -errno. A store whose owner
 * never calls it checkpoints in the commit past 16,000 pages.
 */
int store_checkpoint(struct store *s);
int store_wal_pages(struct store *s); /* after the last commit */

/* For audit.c, which keeps its table in the same database. */
sqlite3 *store_db(struct store *s);
/* A cached prepared statement for sql (a static string), reset with bindings cleared. */
int store_stmt(struct store *s, const char *sql, sqlite3_stmt **out);
/* Changes at every commit and rollback: anything cached from the database is stale. */
uint64_t store_txn_gen(struct store *s);
/*
 * One slot for a user of the store to keep per-store state in (audit.c's chain
 * cache); store_close() hands it to @release. The store knows nothing of what
 * it holds, so it depends on no user of it.
 */
struct store_slot {
	void *p;
	void (*release)(void *p);
};
struct store_slot *store_slot(struct store *s);
int store_sqlite_errno(int rc); /* SQLite result code -> negative errno */

#endif /* STORE_H */
