/* SPDX-License-Identifier: GPL-2.0-only */
/* The agent's records: requests and decisions, as stored and as sent. */
#ifndef MODEL_H
#define MODEL_H

#include <stdint.h>

#define LB_NAME_MAX    64 /* zone and user names */
#define LB_REASON_MIN  8  /* a reason an auditor can read, not "fix" */
#define LB_REASON_MAX  1024
#define LB_TICKET_MAX  128
#define LB_COMMENT_MAX 1024

enum req_state {
	REQ_PENDING = 0,
	REQ_APPROVED, /* grant active */
	REQ_DENIED,
	REQ_CANCELLED,
	REQ_EXPIRED,
	REQ_REVOKED,
	REQ_STATE_MAX,
};

struct request {
	int64_t id;
	char zone[LB_NAME_MAX];
	uint32_t uid; /* requester */
	char requester[LB_NAME_MAX];
	uint32_t access; /* LB_ACCESS_READ | LB_ACCESS_WRITE */
	char reason[LB_REASON_MAX + 1];
	char ticket[LB_TICKET_MAX + 1];
	int64_t duration;   /* seconds of access asked for */
	int64_t created_at; /* unix seconds, UTC */
	int64_t expires_at; /* pending: when the request lapses; approved: when the grant ends */
	int64_t decided_at; /* 0 while pending */
	int64_t grant_id;   /* 0 until approved */
	int approvals;	    /* distinct approvals so far */
	enum req_state state;
};

enum decision_kind {
	DEC_APPROVE = 0,
	DEC_DENY,
	DEC_REVOKE,
	DEC_CANCEL,
	DEC_EXPIRE,
	DEC_KIND_MAX,
};

struct decision {
	int64_t request;
	enum decision_kind kind;
	uint32_t uid; /* who decided; LB_UID_AGENT for the agent itself */
	char user[LB_NAME_MAX];
	char comment[LB_COMMENT_MAX + 1];
	int64_t at;
};

const char *req_state_name(enum req_state s);
int req_state_parse(const char *s, enum req_state *out);
const char *decision_kind_name(enum decision_kind k);
int decision_kind_parse(const char *s, enum decision_kind *out);
const char *access_name(uint32_t access); /* "read", "write" */
int access_parse(const char *s, uint32_t *out);

#endif /* MODEL_H */
