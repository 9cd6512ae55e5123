// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper for the guest, which has no sqlite3 CLI: edits one audit record
 * behind the agent's back, as an attacker with the database file would.
 *   dbtamper DB SEQ [FROM TO]
 * Replaces FROM (default "acme") with TO (default "acmx") in the record text of
 * audit row SEQ, leaving its stored hashes alone. Exit 0 if the row changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sqlite3.h>

int main(int argc, char **argv)
{
	const char *from = "acme", *to = "acmx";
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int ret = 1;

	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: dbtamper DB SEQ [FROM TO]\n");
		return 2;
	}
	if (argc == 5) {
		from = argv[3];
		to = argv[4];
	}
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		fprintf(stderr, "dbtamper: %s: %s\n", argv[1], sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db,
			       "UPDATE audit SET record = replace(record, ?1, ?2)"
			       " WHERE seq = ?3 AND instr(record, ?1) > 0",
			       -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "dbtamper: %s\n", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, atoll(argv[2]));
	if (sqlite3_step(st) != SQLITE_DONE) {
		fprintf(stderr, "dbtamper: %s\n", sqlite3_errmsg(db));
		goto out;
	}
	if (sqlite3_changes(db) != 1) {
		fprintf(stderr, "dbtamper: no audit row %s holds \"%s\"\n", argv[2], from);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ret;
}
