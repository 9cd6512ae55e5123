/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The signed statements this host knows of, by statement id: the local request
 * a redeemed approval became, and the signed revocations that bar a statement
 * from being redeemed again. Kept in the store's database.
 */
#ifndef STATEMENTS_H
#define STATEMENTS_H

#include <stdint.h>
#include "store.h"

struct statement_row {
	int64_t request;    /* the local request; 0 for none (revoked before any redeem) */
	int64_t revoked_at; /* unix seconds; 0 while not revoked */
	char revoked_by[LB_NAME_MAX]; /* the key name that signed the revocation */
};

/* The row of statement @id. 0, -ENOENT, or a negative errno. */
int store_statement_get(struct store *s, const char *id, struct statement_row *out);

/* The id of the statement request @request was redeemed from, into @buf. 0, -ENOENT. */
int store_statement_of(struct store *s, int64_t request, char *buf, size_t size);

/* Records that statement @id was redeemed into @request. -EEXIST if it was before. */
int store_statement_redeemed(struct store *s, const char *id, int64_t request);

/* Bars statement @id from now on (@at, by key name @by); a second call keeps the first. */
int store_statement_revoked(struct store *s, const char *id, int64_t at, const char *by);

#endif /* STATEMENTS_H */
