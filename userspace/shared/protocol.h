/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The wire protocol between lockboxctl and lockboxd: newline-delimited JSON over the unix
 * socket, one request per line, one reply per line. Every message from a client is checked
 * here, at the boundary; the caller's identity comes from SO_PEERCRED, never from a field.
 * See docs/protocol.md.
 */
#ifndef PROTOCOL_H
#define PROTOCOL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "duration.h"
#include "model.h"

#define LB_PROTO_VERSION 1
#define LB_MSG_MAX	 65536 /* longest request line, newline not counted */

/* Longest duration or timeout a message may carry; the agent enforces the real maxima. */
#define PROTO_SECS_MAX DURATION_MAX

/* state_mask bits: 1u << enum req_state; "active" is approved */
#define PROTO_STATE_ALL	    ((1u << REQ_STATE_MAX) - 1)
#define PROTO_STATE_DEFAULT ((1u << REQ_PENDING) | (1u << REQ_APPROVED))

/* request --hosts: the limits of the signed statement's "hosts" (fleet/statement.h) */
#define PROTO_HOSTS_MAX	  128 /* patterns */
#define PROTO_PATTERN_MAX 255 /* bytes of one pattern */
#define PROTO_HOSTS_LEN	  (PROTO_HOSTS_MAX * (PROTO_PATTERN_MAX + 1))

/* approve --signature: an armored SSHSIG (SSHSIG_ARMOR_MAX in fleet/sshsig.h) */
#define PROTO_SIGNATURE_MAX 16384
/* redeem, revoke --signed: a statement's text (STATEMENT_TEXT_MAX in fleet/statement.h) */
#define PROTO_STATEMENT_MAX 32768
/* redeem: at most this many signatures, held back to back (each with its NUL) */
#define PROTO_SIGS_MAX 16
#define PROTO_SIGS_LEN LB_MSG_MAX /* a message cannot carry more */

/* Error codes of a failed reply */
#define PROTO_E_INVALID	      "invalid"
#define PROTO_E_NOT_PERMITTED "not_permitted"
#define PROTO_E_NOT_FOUND     "not_found"
#define PROTO_E_CONFLICT      "conflict"
#define PROTO_E_INTERNAL      "internal"
#define PROTO_E_TIMEOUT	      "timeout"

/* lockboxctl's exit statuses */
enum {
	LB_EXIT_OK = 0,
	LB_EXIT_ERROR = 1,
	LB_EXIT_USAGE = 2,
	LB_EXIT_NOT_PERMITTED = 3,
	LB_EXIT_NOT_FOUND = 4,
};

enum proto_cmd {
	CMD_REQUEST,
	CMD_LIST,
	CMD_SHOW,
	CMD_APPROVE,
	CMD_DENY,
	CMD_REVOKE,
	CMD_CANCEL,
	CMD_WAIT,
	CMD_AUDIT,
	CMD_VERIFY,
	CMD_STATUS,
	CMD_STATEMENT,
	CMD_REDEEM,
	CMD_MAX,
};

struct proto_req {
	int version;
	enum proto_cmd cmd;
	int64_t id;
	char zone[LB_NAME_MAX];
	char reason[LB_REASON_MAX + 1];	  /* request, deny; revoke (optional) */
	char ticket[LB_TICKET_MAX + 1];	  /* "" when none */
	char comment[LB_COMMENT_MAX + 1]; /* approve */
	int64_t duration;		  /* seconds; 0: the agent's default */
	uint32_t access;		  /* LB_ACCESS_*; request only */
	unsigned state_mask;		  /* list: 1u << enum req_state */
	bool follow;			  /* audit */
	int64_t since;			  /* audit: unix seconds; 0: from the start */
	int64_t after;			  /* audit: records with seq > after (gapless resume) */
	int64_t timeout;		  /* wait: seconds; 0: forever */
	char hosts[PROTO_HOSTS_LEN];	  /* request: "PATTERN[,PATTERN...]"; "" default */
	bool revoke;			  /* statement: the revocation statement */
	char signature[PROTO_SIGNATURE_MAX + 1]; /* approve, revoke: armored SSHSIG; "" none */
	/* redeem, revoke --signed: the statement's exact bytes; "" for none */
	char statement[PROTO_STATEMENT_MAX + 1];
	size_t statement_len;
	/* redeem: n_signatures armored SSHSIGs, each NUL-terminated, back to back */
	char signatures[PROTO_SIGS_LEN];
	int n_signatures;
	bool check_signatures; /* verify: also re-verify every recorded signature */
};

/* The @i-th of @r's redeem signatures (0 <= i < n_signatures). */
const char *proto_signature_at(const struct proto_req *r, int i);

/* A parsed reply line: either {"ok":...} or, during audit --follow, {"record":...}. */
struct proto_reply {
	bool ok;
	bool is_record;
	json_t *result; /* ok reply: owned, never NULL (json null when the server sent null) */
	json_t *record; /* record line: owned */
	char code[32];	/* failed reply */
	char message[1024];
};

const char *proto_cmd_name(enum proto_cmd cmd);
int proto_cmd_parse(const char *name, enum proto_cmd *out);

/* Zeroes *r and sets the defaults a message without optional fields gets. */
void proto_req_init(struct proto_req *r, enum proto_cmd cmd);

/*
 * Validates everything: version present and == 1, cmd known, each field's JSON type and
 * range, strings' length (reason at least LB_REASON_MIN characters after trimming for
 * request/deny), NUL bytes and control characters in strings, unknown fields. Returns 0, or
 * -EINVAL with err naming the field: "reason: must be at least 8 characters".
 */
int proto_parse_request(const char *line, size_t len, struct proto_req *out, char *err,
			size_t errlen);

/*
 * Checks a "PATTERN[,PATTERN...]" host list: 1..PROTO_HOSTS_MAX patterns, each
 * non-empty, at most PROTO_PATTERN_MAX bytes of printable ASCII. 0, or -EINVAL with
 * @err naming what is wrong.
 */
int proto_hosts_check(const char *list, char *err, size_t errlen);

/* What the CLI sends; only the fields the command takes. NULL on a state_mask with no name. */
json_t *proto_request_json(const struct proto_req *r);

/* Reply lines, malloc'd, ending in "\n"; NULL on allocation failure. */
char *proto_reply_ok(json_t *result); /* steals result; NULL result gives NULL */
char *proto_reply_error(const char *code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *proto_record_line(json_t *record); /* {"v":1,"record":...}; does not steal */

/* Client side: one reply line. Returns 0 or -EINVAL (err set) on a malformed line. */
int proto_parse_reply(const char *line, size_t len, struct proto_reply *out, char *err,
		      size_t errlen);
void proto_reply_release(struct proto_reply *r); /* frees what *r owns; NULL-safe */

/* The request object of list/show/wait; times RFC 3339 UTC, unset ones null. */
json_t *proto_request_to_json(const struct request *r);
json_t *proto_decision_to_json(const struct decision *d);

/* invalid -> 2, not_permitted -> 3, not_found -> 4, anything else -> 1 */
int proto_exit_code(const char *error_code);

#endif /* PROTOCOL_H */
