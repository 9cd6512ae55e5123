/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The approval and revocation statements: what approvers sign with
 * `ssh-keygen -Y sign -n lockbox` and every host verifies offline.
 *
 * A statement is one line of JSON, compact, keys sorted, non-ASCII escaped
 * (jansson's JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII: "\u00E9", upper-case
 * hex; '/' not escaped), followed by exactly one "\n": the bytes
 * `lockboxctl statement ID > s.json` writes are the bytes signed and the bytes
 * verified, as given (nothing is trimmed or added).
 * It says nothing that differs between hosts, so one signature serves the fleet.
 *
 * Approval:   {"access":"read","duration":3600,"engineer":"eng1","hosts":["stor-*"],
 *              "reason":"...","redeem_by":"2026-12-02T16:00:00Z",
 *              "statement":"stor-1/42/2026-12-02T04:00:00Z","ticket":null,
 *              "type":"lockbox.approval","v":1,"zone":"acme"}
 * Revocation: {"engineer":"eng1","statement":"stor-1/42/2026-12-02T04:00:00Z",
 *              "type":"lockbox.revocation","v":1,"zone":"acme"}
 *
 * The statement id is readable, not a hash: "<origin host>/<request id>/<created_at>"
 * (created_at in RFC 3339 UTC), unique across the fleet as long as host names are,
 * and still unique on a host whose database was reset (the time differs).
 */
#ifndef STATEMENT_H
#define STATEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"

#define STATEMENT_VERSION     1
#define STATEMENT_NAMESPACE   "lockbox" /* ssh-keygen -Y sign -n */
#define STATEMENT_TEXT_MAX    32768	/* bytes of a statement, its "\n" included */
#define STATEMENT_ID_MAX      320	/* host (253) "/" id "/" time, with its NUL */
#define STATEMENT_HOSTS_MAX   128	/* patterns in "hosts" */
#define STATEMENT_PATTERN_MAX 255	/* bytes of one pattern */

enum statement_type {
	STATEMENT_APPROVAL = 1, /* "lockbox.approval" */
	STATEMENT_REVOCATION,	/* "lockbox.revocation" */
};

struct statement {
	enum statement_type type;
	char id[STATEMENT_ID_MAX]; /* "statement": for a revocation, the approval's id */
	char zone[LB_NAME_MAX];
	char engineer[LB_NAME_MAX]; /* user name of the requester */
	/* the rest is for approvals only (zero in a revocation) */
	uint32_t access;  /* LB_ACCESS_READ, or LB_ACCESS_READ | LB_ACCESS_WRITE */
	int64_t duration; /* seconds of access, 1..DURATION_MAX */
	char **hosts;	  /* fnmatch(3) patterns on host names; owned, statement_free() */
	size_t n_hosts;	  /* 1..STATEMENT_HOSTS_MAX */
	char reason[LB_REASON_MAX + 1];
	char ticket[LB_TICKET_MAX + 1]; /* "" is JSON null */
	int64_t redeem_by;		/* unix seconds: the request's expires_at */
};

/*
 * "<host>/<request id>/<created_at RFC 3339>" into @buf (STATEMENT_ID_MAX bytes).
 * 0, or -EINVAL for a bad host name or id.
 */
int statement_make_id(const char *host, int64_t request_id, int64_t created_at,
		      char buf[STATEMENT_ID_MAX]);

/*
 * The approval statement of a pending request @r filed on @host, covering the
 * @n_hosts patterns @hosts (copied). 0, or a negative errno with @err naming what
 * is wrong (the same checks as statement_parse()).
 */
int statement_for_request(const struct request *r, const char *host, const char *const *hosts,
			  size_t n_hosts, struct statement *out, char *err, size_t errlen);

/* The revocation statement of approval @approval (no hosts to free, but freeing is harmless). */
void statement_revocation(const struct statement *approval, struct statement *out);

/*
 * The canonical text of @st, "\n" included, NUL-terminated (free() it), its length in
 * *@len. 0, or a negative errno with @err naming what is wrong: a statement that
 * statement_parse() would refuse is never written.
 */
int statement_format(const struct statement *st, char **text, size_t *len, char *err,
		     size_t errlen);

/*
 * Parses @len bytes into @out (statement_free() it, even after a failure). Only the
 * canonical form is accepted: anything not byte-identical to what statement_format()
 * writes for it (key order, spaces, escapes, a missing or extra newline) is refused,
 * as are unknown fields, another version, wrong types and values outside the limits
 * of a request. 0, or -EINVAL (-E2BIG for over STATEMENT_TEXT_MAX) with @err saying why.
 */
int statement_parse(const char *text, size_t len, struct statement *out, char *err, size_t errlen);

/* Frees what @st owns (its hosts) and leaves it empty; NULL-safe. */
void statement_free(struct statement *st);

/*
 * Whether @hostname matches one of the approval's host patterns (fnmatch(3), case
 * ignored as DNS does): "stor-*" matches "stor-17", not "web-1". False for a revocation.
 */
bool statement_host_matches(const struct statement *st, const char *hostname);

/* "lockbox.approval", "lockbox.revocation" or "unknown". */
const char *statement_type_name(enum statement_type type);

#endif /* STATEMENT_H */
