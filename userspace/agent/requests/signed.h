/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Signed approvals (docs/fleet.md): the statement approvers sign for a request filed
 * here, and approve --signature, which verifies one against the zone's approver_keys.
 */
#ifndef SIGNED_H
#define SIGNED_H

#include "config.h"
#include "context.h"
#include "protocol.h"
#include "request_statement.h"
#include "sshsig.h"
#include "statement.h"

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

/* *@reply = a not_permitted refusal: what every signed command answers when a check fails. */
#define REFUSE(reply, ...) (*(reply) = proto_reply_error(PROTO_E_NOT_PERMITTED, __VA_ARGS__))

/* Whose signatures count, and how refusals name the command. */
struct signer_check {
	const struct zone_cfg *zone; /* its approver_keys; hardware_keys_only */
	bool security_too;	     /* security_keys count as well (revocations) */
	const char *verb;	     /* "approve", "redeem: signature 2" */
	const char *over;	     /* what it must be over: "request 7's statement" */
};

/*
 * The trusted key (named_key of the zone's approver_keys, or security_keys when
 * @sc allows) that made the armored SSHSIG @sig over the @len bytes @text in
 * namespace "lockbox", with the signature's details in *@info; NULL with *@reply
 * set (not_permitted, naming why: bad, over another statement, untrusted key,
 * presence flag missing).
 */
const struct named_key *signed_verify(const struct cmd_ctx *x, const struct signer_check *sc,
				      const char *sig, const char *text, size_t len,
				      struct sshsig_info *info, char **reply);

/*
 * What a signed decision's audit record carries: signature, key, key_name,
 * statement and statement_id (@id, the approval statement's id).
 */
json_t *signed_fields(const struct named_key *k, const char *sig, const char *text, const char *id);

/*
 * redeem STATEMENT SIG...: on a host the statement covers, the signed approval
 * becomes a local request, its approvals and the grant, in one transaction; the
 * same statement again answers the same request and changes nothing (redeem.c).
 */
char *cmd_redeem(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q);

/*
 * revoke --signed STATEMENT SIG: a revocation statement signed by a zone approver
 * or a security key ends the grant it names here, if any, and bars the approval
 * from later redeems (revoke_signed.c).
 */
char *cmd_revoke_signed(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q);

/*
 * The local request statement @id stands for: one it was redeemed into, or one
 * filed here whose own statement it is. 0 with *@request set, -ENOENT, or a
 * negative errno.
 */
int statement_local_request(const struct cmd_ctx *x, const char *id, int64_t *request);

#endif /* SIGNED_H */
