/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Signed approvals (docs/fleet.md): the statement approvers sign for a request filed
 * here, and approve --signature, which verifies one against the zone's approver_keys.
 */
#ifndef SIGNED_H
#define SIGNED_H

#include "context.h"
#include "protocol.h"
#include "statement.h"

/*
 * The approval statement of request @r as filed on this host (its stored host
 * patterns). 0 (statement_free() @st), or a negative errno with @err saying why.
 */
int request_statement(const struct cmd_ctx *x, const struct request *r, struct statement *st,
		      char *err, size_t errlen);

/* statement ID [--revoke]: {"statement": TEXT}, the exact bytes to sign. */
char *cmd_statement(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q);

/*
 * approve ID --signature: verifies the armored SSHSIG in @q over request ID's
 * statement (namespace "lockbox"), finds the signer in the zone's approver_keys
 * and records the approval by that name, as a local approve by it. Anyone may
 * send it: the signature is what counts. A refusal is not_permitted, naming why.
 */
char *cmd_approve_signature(const struct cmd_ctx *x, const struct caller *c,
			    const struct proto_req *q);

#endif /* SIGNED_H */
