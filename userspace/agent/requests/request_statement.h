/* SPDX-License-Identifier: GPL-2.0-only */
/* A request's approval statement: for `statement ID` and the approvers' mail. */
#ifndef REQUEST_STATEMENT_H
#define REQUEST_STATEMENT_H

#include <stddef.h>
#include "context.h"
#include "statement.h"

/*
 * The approval statement of request @r as filed on this host (its stored host
 * patterns). 0 (statement_free() @st), or a negative errno with @err saying why.
 */
int request_statement(const struct cmd_ctx *x, const struct request *r, struct statement *st,
		      char *err, size_t errlen);

#endif /* REQUEST_STATEMENT_H */
