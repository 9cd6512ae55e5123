// SPDX-License-Identifier: GPL-2.0-only
/* The statements and revocations tables (statements.h). */
#include <errno.h>
#include <string.h>
#include "statements.h"

static const char SQL_REQUEST[] = "SELECT request FROM statements WHERE id = ?1";
static const char SQL_SAME[] = "SELECT 1 FROM statements WHERE id = ?1 AND text = ?2";
static const char SQL_OF[] = "SELECT id FROM statements WHERE request = ?1";
static const char SQL_REDEEMED[] = "INSERT INTO statements (id, request, text) VALUES (?1, ?2, ?3)";
static const char SQL_REV_GET[] = "SELECT at, by FROM revocations"
				  " WHERE statement = ?1 AND zone = ?2 AND engineer = ?3";
static const char SQL_REV_ADD[] = "INSERT INTO revocations (statement, zone, engineer, at, by)"
				  " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING";

/* Steps @st once: 0 with a row, -ENOENT without, or a negative errno. */
static int step_row(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : store_sqlite_errno(rc);
}

/* Column @col of the current row into @buf, which must hold it. */
static int col_copy(sqlite3_stmt *st, int col, char *buf, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	if (!t || strlen((const char *)t) >= size)
		return -EBADMSG;
	strcpy(buf, (const char *)t);
	return 0;
}

int store_statement_request(struct store *s, const char *id, int64_t *request)
{
	sqlite3_stmt *st;
	int rc = store_stmt(s, SQL_REQUEST, &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = step_row(st);
	if (!rc)
		*request = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc;
}

bool store_statement_same_text(struct store *s, const char *id, const char *text, size_t len)
{
	sqlite3_stmt *st;
	int rc = store_stmt(s, SQL_SAME, &st);

	if (rc)
		return false;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, text, (int)len, SQLITE_STATIC);
	rc = step_row(st);
	sqlite3_reset(st);
	return rc == 0;
}

int store_statement_of(struct store *s, int64_t request, char *buf, size_t size)
{
	sqlite3_stmt *st;
	int rc = store_stmt(s, SQL_OF, &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, request);
	rc = step_row(st);
	if (!rc)
		rc = col_copy(st, 0, buf, size);
	sqlite3_reset(st);
	return rc;
}

int store_statement_redeemed(struct store *s, const char *id, const char *text, int64_t request)
{
	sqlite3_stmt *st;
	int rc = store_stmt(s, SQL_REDEEMED, &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, request);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlite_errno(rc); /* a second one: -EEXIST */
}

int store_revocation_get(struct store *s, const char *id, const char *zone, const char *engineer,
			 struct revocation *out)
{
	sqlite3_stmt *st;
	int rc = store_stmt(s, SQL_REV_GET, &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, zone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, engineer, -1, SQLITE_STATIC);
	rc = step_row(st);
	if (!rc) {
		out->at = sqlite3_column_int64(st, 0);
		rc = col_copy(st, 1, out->by, sizeof(out->by));
	}
	sqlite3_reset(st);
	return rc;
}

int store_revocation_add(struct store *s, const char *id, const char *zone, const char *engineer,
			 int64_t at, const char *by)
{
	sqlite3_stmt *st;
	int rc = store_stmt(s, SQL_REV_ADD, &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, zone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, engineer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, at);
	sqlite3_bind_text(st, 5, by, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_sqlite_errno(rc);
}
