/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The structured notification (notify.format "json"): one JSON object on the
 * notify command's standard input, for chat and webhook adapters (docs/notifications.md).
 */
#ifndef PAYLOAD_H
#define PAYLOAD_H

#include <stddef.h>
#include <stdint.h>
#include "model.h"

/* What the payload is about. */
struct payload_event {
	const char *event;   /* "request.created", "request.approved", "grant.revoked"... */
	const char *host;    /* the host the request is for */
	const char *by;	     /* who decided; NULL for the agent or the requester */
	const char *comment; /* the approver's comment or the reason given; NULL for none */
	const char *const *to;
	size_t n_to;	       /* the recipients the mail would have gone to */
	const char *statement; /* request.created: the approval statement; NULL for none */
};

/*
 * The payload as one line of compact JSON (malloc'd; NULL with errno ENOMEM):
 * {"version":1,"event","time","host","request":{id, zone, requester, uid, access,
 * reason, ticket, duration, created_at, expires_at, state},"by","comment",
 * "recipients":[...],"actions":{"approve","deny","show"}} — the actions are the
 * exact commands to run on the host (approve and deny only while pending).
 * With a statement: "statement" (its exact text, to save as statement.json) and
 * actions "sign" (ssh-keygen on the approver's machine) and "approve_signed".
 */
char *payload_build(const struct payload_event *ev, const struct request *r, int64_t now);

#endif /* PAYLOAD_H */
