/* SPDX-License-Identifier: GPL-2.0-only */
/* The commands that read: list, show, wait, audit, audit verify, status. */
#ifndef QUERIES_H
#define QUERIES_H

#include <stdbool.h>
#include <stdint.h>
#include "context.h"
#include "protocol.h"

char *cmd_list(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q);
/*
 * Request @id into *@r when @c may see it (requester, zone approvers, security, root);
 * otherwise a negative errno and *@reply the refusal (not found, not permitted) for @verb.
 */
int get_visible(const struct cmd_ctx *x, const struct caller *c, int64_t id, const char *verb,
		struct request *r, char **reply);
/* Request @id's host patterns, "PATTERN[,PATTERN...]" (this host for an old request). */
int request_hosts(const struct cmd_ctx *x, int64_t id, char buf[PROTO_HOSTS_LEN]);
char *cmd_show(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q);
/* The audit trail; *follow: the caller stays subscribed to new records. */
char *cmd_audit(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q,
		bool *follow);
char *cmd_verify(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q);
char *cmd_status(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q);
/*
 * The answer now, or NULL with *wait_id (and *wait_until, unix seconds, 0 for
 * ever) set when the request is still pending: wait_answer() answers later.
 */
char *cmd_wait(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q,
	       int64_t *wait_id, int64_t *wait_until);
/* The answer to a wait on @id: NULL while it is pending and @now is before @until. */
char *wait_answer(const struct cmd_ctx *x, int64_t id, int64_t until, int64_t now);

#endif /* QUERIES_H */
