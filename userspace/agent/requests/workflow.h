/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The commands that change a request (request, approve, deny, cancel, revoke),
 * expiry, and the kernel grant each approved request stands for.
 */
#ifndef WORKFLOW_H
#define WORKFLOW_H

#include <stdint.h>
#include "context.h"
#include "protocol.h"

char *cmd_request(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q);
/* approve, deny, revoke and cancel */
char *cmd_decide(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q);
/* Request @r's request.created record, covering the host patterns @hosts (NULL: no memory). */
json_t *created_record(const struct cmd_ctx *x, const struct request *r, const char *hosts);
/* An approval carried by a signature (signed.c): by the approver_keys name @name. */
struct signed_by {
	const char *name;
	json_t *fields;	  /* added to the record: signature, key, key_name, statement */
	const char *text; /* apply_signed(): the comment or reason recorded; NULL for none */
};

/*
 * Records approve @q of @r by @sb->name, as a local approve by that name would be,
 * once signed.c has verified the signature and every check; the reply.
 */
char *approve_signed(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q,
		     struct request *r, const struct signed_by *sb);
/*
 * Inside the caller's open transaction: @cmd (approve, deny or revoke) on @r by the
 * signer @sb at @now, recorded as approve_signed() would; *@grant_changed is set
 * once the kernel's grant was touched (grant_sync() it back after a rollback).
 */
int apply_signed(const struct cmd_ctx *x, const struct caller *c, enum proto_cmd cmd,
		 struct request *r, int64_t now, bool *grant_changed, const struct signed_by *sb);
/* Expires the pending and approved requests whose time is up at @now. */
int expire_due(const struct cmd_ctx *x, int64_t now);
/* Makes the kernel's grant for (uid, zone) match the store's live approved requests. */
int grant_sync(const struct cmd_ctx *x, uint32_t uid, const char *zone, int64_t now);

#endif /* WORKFLOW_H */
