// SPDX-License-Identifier: GPL-2.0-only
/* The statements table (statements.h). */
#include <errno.h>
#include <string.h>
#include "statements.h"

static const char SQL_GET[] =
	"SELECT coalesce(request, 0), revoked_at, revoked_by FROM statements WHERE id = ?1";
static const char SQL_OF[] = "SELECT id FROM statements WHERE request = ?1";
static const char SQL_REDEEMED[] = "INSERT INTO statements (id, request) VALUES (?1, ?2)"
				   " ON CONFLICT (id) DO UPDATE SET request = ?2"
				   " WHERE request IS NULL AND revoked_at = 0";
static const char SQL_REVOKED[] = "INSERT INTO statements (id, revoked_at, revoked_by)"
				  " VALUES (?1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET"
				  " revoked_at = ?2, revoked_by = ?3 WHERE revoked_at = 0";

int store_statement_get(struct store *s, const char *id, struct statement_row *out)
{
	const unsigned char *by;
	sqlite3_stmt *st;
	int rc = store_stmt(s, SQL_GET, &st);

	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->request = sqlite3_column_int64(st, 0);
		out->revoked_at = sqlite3_column_int64(st, 1);
		by = sqlite3_column_text(st, 2);
		rc = by && strlen((const char *)by) < sizeof(out->revoked_by) ? 0 : -EBADMSG;
		if (!rc)
			strcpy(out->revoked_by, (const char *)by);
	} else {
		rc = rc == SQLITE_DONE ? -ENOENT : store_sqlite_errno(rc);
	}
	sqlite3_reset(st);
	return rc;
}

int store_statement_of(struct store *s, int64_t request, char *buf, size_t size)
{
	const unsigned char *id;
	sqlite3_stmt *st;
	int rc = store_stmt(s, SQL_OF, &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, request);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_text(st, 0);
		rc = id && strlen((const char *)id) < size ? 0 : -EBADMSG;
		if (!rc)
			strcpy(buf, (const char *)id);
	} else {
		rc = rc == SQLITE_DONE ? -ENOENT : store_sqlite_errno(rc);
	}
	sqlite3_reset(st);
	return rc;
}

/* Runs @st to its end; -EEXIST when it changed no row. */
static int step_changed(struct store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sqlite_errno(rc);
	return sqlite3_changes(store_db(s)) ? 0 : -EEXIST;
}

int store_statement_redeemed(struct store *s, const char *id, int64_t request)
{
	sqlite3_stmt *st;
	int rc = store_stmt(s, SQL_REDEEMED, &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, request);
	return step_changed(s, st);
}

int store_statement_revoked(struct store *s, const char *id, int64_t at, const char *by)
{
	sqlite3_stmt *st;
	int rc = store_stmt(s, SQL_REVOKED, &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
	rc = step_changed(s, st);
	return rc == -EEXIST ? 0 : rc;
}
