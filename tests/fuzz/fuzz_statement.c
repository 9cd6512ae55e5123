// SPDX-License-Identifier: GPL-2.0-only
/*
 * Arbitrary bytes as a statement (what a root engineer hands `redeem`): no crash, no
 * read past the input, no leak; a refusal says why; an accepted statement is its own
 * canonical form (formatting it gives back exactly the input), its revocation formats
 * and parses, and host matching copes with its patterns.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "statement.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

static void check_accepted(const struct statement *st, const uint8_t *data, size_t size)
{
	struct statement rv, back;
	char err[512] = "", *text = NULL;
	size_t len = 0;

	CHECK(!statement_format(st, &text, &len, err, sizeof(err)));
	CHECK(len == size && !memcmp(text, data, size));
	free(text);
	statement_revocation(st, &rv);
	CHECK(!statement_format(&rv, &text, &len, err, sizeof(err)));
	CHECK(!statement_parse(text, len, &back, err, sizeof(err)));
	CHECK(back.type == STATEMENT_REVOCATION && !strcmp(back.id, st->id));
	statement_free(&back);
	free(text);
	(void)statement_host_matches(st, "stor-17");
	(void)statement_host_matches(st, "");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct statement st;
	char err[512] = "";
	/* an exact-size copy, no NUL after it, so ASan sees any read past the input */
	char *s = malloc(size ? size : 1);
	int rc;

	if (!s)
		return 0;
	memcpy(s, data, size);
	rc = statement_parse(s, size, &st, err, sizeof(err));
	if (rc)
		CHECK(rc < 0 && err[0]);
	else
		check_accepted(&st, data, size);
	statement_free(&st);
	free(s);
	return 0;
}
