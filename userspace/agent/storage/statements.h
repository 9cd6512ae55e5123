/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The signed statements this host knows of, by statement id: the local request
 * a redeemed approval became (with the exact bytes redeemed), and the signed
 * revocations that bar a statement, each for the zone and engineer it named.
 * Kept in the store's database.
 */
#ifndef STATEMENTS_H
#define STATEMENTS_H

#include <stddef.h>
#include <stdint.h>
#include "store.h"

/* The local request statement @id was redeemed into, in *@request. 0, -ENOENT. */
int store_statement_request(struct store *s, const char *id, int64_t *request);

/* Whether the @len bytes @text are exactly what statement @id was redeemed from. */
bool store_statement_same_text(struct store *s, const char *id, const char *text, size_t len);

/* The id of the statement request @request was redeemed from, into @buf. 0, -ENOENT. */
int store_statement_of(struct store *s, int64_t request, char *buf, size_t size);

/* Records that statement @id (@text) was redeemed into @request. -EEXIST if it was before. */
int store_statement_redeemed(struct store *s, const char *id, const char *text, int64_t request);

struct revocation {
	int64_t at;	      /* unix seconds */
	char by[LB_NAME_MAX]; /* the name of the key that signed it */
};

/* The bar on statement @id for @zone and @engineer. 0, -ENOENT, or a negative errno. */
int store_revocation_get(struct store *s, const char *id, const char *zone, const char *engineer,
			 struct revocation *out);

/* Bars statement @id for @zone and @engineer from @at, by key @by; again keeps the first. */
int store_revocation_add(struct store *s, const char *id, const char *zone, const char *engineer,
			 int64_t at, const char *by);

#endif /* STATEMENTS_H */
