// SPDX-License-Identifier: GPL-2.0-only
/* The wire protocol: every request checked at the boundary, replies that parse back. */
#include <errno.h>
#include <stdlib.h>
#include <linux/types.h>
#include "tap.h"
#include "lockbox.h"
#include "protocol.h"

static char err[512];

static int parse(const char *s, struct proto_req *r)
{
	err[0] = '\0';
	return proto_parse_request(s, strlen(s), r, err, sizeof(err));
}

/* The message is rejected and the error starts with want ("reason: must ..."). */
static void rejects(const char *msg, const char *want, const char *what)
{
	struct proto_req r;
	int ret = parse(msg, &r);

	if (!ok(ret == -EINVAL && !strncmp(err, want, strlen(want)), "rejects %s", what))
		printf("#   message %s\n#   got %d \"%s\", want \"%s...\"\n", msg, ret, err, want);
}

static void accepts(const char *msg, struct proto_req *r, const char *what)
{
	if (!ok(parse(msg, r) == 0, "accepts %s", what))
		printf("#   message %s\n#   error \"%s\"\n", msg, err);
}

static void test_every_command_parses(void)
{
	struct proto_req r;

	accepts("{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":\"disk full on "
		"node 3\",\"ticket\":\"INC-42\",\"duration\":3600,\"access\":\"write\"}",
		&r, "a full request");
	is_int(r.cmd, CMD_REQUEST, "request: cmd");
	is_int(r.version, 1, "request: version");
	is_str(r.zone, "acme", "request: zone");
	is_str(r.reason, "disk full on node 3", "request: reason");
	is_str(r.ticket, "INC-42", "request: ticket");
	is_int(r.duration, 3600, "request: duration");
	is_int(r.access, LB_ACCESS_READ | LB_ACCESS_WRITE, "request: write access includes read");

	accepts("{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":\"disk full on "
		"node 3\"}",
		&r, "a minimal request");
	is_int(r.access, LB_ACCESS_READ, "request: access defaults to read");
	is_int(r.duration, 0, "request: no duration leaves it to the agent");
	is_str(r.ticket, "", "request: no ticket is empty");

	accepts("{\"v\":1,\"cmd\":\"list\"}", &r, "list without state");
	is_int(r.cmd, CMD_LIST, "list: cmd");
	is_int(r.state_mask, (1u << REQ_PENDING) | (1u << REQ_APPROVED),
	       "list: default is pending and active");
	accepts("{\"v\":1,\"cmd\":\"list\",\"state\":\"pending\"}", &r, "list pending");
	is_int(r.state_mask, 1u << REQ_PENDING, "list pending: only pending");
	accepts("{\"v\":1,\"cmd\":\"list\",\"state\":\"active\"}", &r, "list active");
	is_int(r.state_mask, 1u << REQ_APPROVED, "list active: approved requests");
	accepts("{\"v\":1,\"cmd\":\"list\",\"state\":\"all\"}", &r, "list all");
	is_int(r.state_mask, PROTO_STATE_ALL, "list all: every state");
	for (int s = 0; s < REQ_STATE_MAX; s++)
		ok(r.state_mask & (1u << s), "list all includes %s", req_state_name(s));

	accepts("{\"v\":1,\"cmd\":\"show\",\"id\":7}", &r, "show");
	is_int(r.cmd, CMD_SHOW, "show: cmd");
	is_int(r.id, 7, "show: id");
	accepts("{\"v\":1,\"cmd\":\"cancel\",\"id\":8}", &r, "cancel");
	is_int(r.cmd, CMD_CANCEL, "cancel: cmd");
	is_int(r.id, 8, "cancel: id");
	accepts("{\"v\":1,\"cmd\":\"approve\",\"id\":9,\"comment\":\"ok for INC-42\"}", &r,
		"approve with a comment");
	is_int(r.cmd, CMD_APPROVE, "approve: cmd");
	is_str(r.comment, "ok for INC-42", "approve: comment");
	accepts("{\"v\":1,\"cmd\":\"approve\",\"id\":9}", &r, "approve without a comment");
	is_str(r.comment, "", "approve: no comment is empty");
	accepts("{\"v\":1,\"cmd\":\"deny\",\"id\":10,\"reason\":\"not during the freeze\"}", &r,
		"deny");
	is_int(r.cmd, CMD_DENY, "deny: cmd");
	is_str(r.reason, "not during the freeze", "deny: reason");
	accepts("{\"v\":1,\"cmd\":\"revoke\",\"id\":11}", &r, "revoke without a reason");
	is_int(r.cmd, CMD_REVOKE, "revoke: cmd");
	accepts("{\"v\":1,\"cmd\":\"revoke\",\"id\":11,\"reason\":\"done\"}", &r,
		"revoke with a short reason");
	is_str(r.reason, "done", "revoke: reason kept");
	accepts("{\"v\":1,\"cmd\":\"wait\",\"id\":12,\"timeout\":30}", &r, "wait with a timeout");
	is_int(r.cmd, CMD_WAIT, "wait: cmd");
	is_int(r.timeout, 30, "wait: timeout");
	accepts("{\"v\":1,\"cmd\":\"wait\",\"id\":12,\"timeout\":0}", &r, "wait forever (0)");
	is_int(r.timeout, 0, "wait: 0 is forever");
	accepts("{\"v\":1,\"cmd\":\"audit\",\"follow\":true,\"since\":1700000000}", &r,
		"audit follow since");
	is_int(r.cmd, CMD_AUDIT, "audit: cmd");
	ok(r.follow, "audit: follow");
	is_int(r.since, 1700000000, "audit: since");
	accepts("{\"v\":1,\"cmd\":\"audit\",\"follow\":true,\"after\":41}", &r,
		"audit follow after");
	is_int(r.after, 41, "audit: after");
	accepts("{\"v\":1,\"cmd\":\"audit\"}", &r, "audit without options");
	ok(!r.follow, "audit: follow defaults to false");
	accepts("{\"v\":1,\"cmd\":\"verify\"}", &r, "verify");
	is_int(r.cmd, CMD_VERIFY, "verify: cmd");
	accepts("{\"v\":1,\"cmd\":\"status\"}", &r, "status");
	is_int(r.cmd, CMD_STATUS, "status: cmd");
	accepts("  {\"cmd\":\"status\",\"v\":1}\n", &r, "fields in any order, whitespace, newline");
}

static void test_envelope_errors(void)
{
	rejects("{\"cmd\":\"status\"}", "v: missing", "a missing version");
	rejects("{\"v\":2,\"cmd\":\"status\"}", "v: unsupported protocol version 2", "version 2");
	rejects("{\"v\":0,\"cmd\":\"status\"}", "v: unsupported", "version 0");
	rejects("{\"v\":\"1\",\"cmd\":\"status\"}", "v: expected the integer 1",
		"a version as a string");
	rejects("{\"v\":1.0,\"cmd\":\"status\"}", "v: expected the integer 1",
		"a version as a real");
	rejects("{\"v\":1}", "cmd: missing", "a missing cmd");
	rejects("{\"v\":1,\"cmd\":3}", "cmd: expected a string", "a cmd that is not a string");
	rejects("{\"v\":1,\"cmd\":\"sudo\"}", "cmd: unknown command \"sudo\"", "an unknown cmd");
	rejects("{\"v\":1,\"cmd\":\"STATUS\"}", "cmd: unknown command", "cmd names are exact");
	rejects("[1,2]", "message: expected a JSON object", "an array");
	rejects("42", "message: expected a JSON object", "a number");
	rejects("\"status\"", "message: expected a JSON object", "a string");
	rejects("null", "message: expected a JSON object", "null");
	rejects("{", "message: invalid JSON", "truncated JSON");
	rejects("", "message: invalid JSON", "an empty line");
	rejects("{\"v\":1,\"cmd\":\"status\"} {}", "message: invalid JSON",
		"two objects on a line");
	rejects("{\"v\":1,\"cmd\":\"status\",}", "message: invalid JSON", "a trailing comma");
	rejects("{\"v\":1,\"v\":1,\"cmd\":\"status\"}", "message: invalid JSON",
		"a duplicated key");
	rejects("{\"v\":1,\"cmd\":\"show\",\"id\":1,\"id\":2}", "message: invalid JSON",
		"a duplicated field");
	rejects("{\"v\":1,\"cmd\":\"show\",\"id\":99999999999999999999}", "message: invalid JSON",
		"an integer too big for 64 bits");
	rejects("{\"v\":1,\"cmd\":\"request\",\"zone\":\"\xff\xfe\",\"reason\":\"broken disk\"}",
		"message: invalid JSON", "invalid UTF-8");
}

static void test_nul_and_size(void)
{
	static const char with_nul[] = "{\"v\":1,\"cmd\":\"status\"}\0{\"x\":1}";
	struct proto_req r;
	char *big;
	size_t n;

	is_int(proto_parse_request(with_nul, sizeof(with_nul) - 1, &r, err, sizeof(err)), -EINVAL,
	       "a raw NUL byte inside the line is refused");
	is_str(err, "message: contains a NUL byte", "the raw NUL error names the message");
	rejects("{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":\"disk full\\u0000; "
		"rm -rf\"}",
		"reason: contains a NUL byte", "an escaped NUL in a string");
	rejects("{\"v\":1,\"cmd\":\"request\",\"zone\":\"ac\\u0000me\",\"reason\":\"disk full on "
		"node 3\"}",
		"zone: contains a NUL byte", "an escaped NUL in the zone");

	/* exactly LB_MSG_MAX bytes: accepted; one more: refused before parsing */
	big = malloc(LB_MSG_MAX + 2);
	n = snprintf(big, LB_MSG_MAX + 2, "{\"v\":1,\"cmd\":\"status\"}");
	memset(big + n, ' ', LB_MSG_MAX - n);
	big[LB_MSG_MAX] = '\0';
	is_int(proto_parse_request(big, LB_MSG_MAX, &r, err, sizeof(err)), 0,
	       "a line of exactly LB_MSG_MAX bytes is accepted");
	big[LB_MSG_MAX] = ' ';
	big[LB_MSG_MAX + 1] = '\0';
	is_int(proto_parse_request(big, LB_MSG_MAX + 1, &r, err, sizeof(err)), -EINVAL,
	       "a line over LB_MSG_MAX bytes is refused");
	is_str(err, "message: longer than 65536 bytes", "the oversize error says the limit");
	free(big);
}

static void test_field_types_and_ranges(void)
{
	const char *req = "{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":\"disk full "
			  "on node 3\",";
	char msg[512];

#define REQ(extra) (snprintf(msg, sizeof(msg), "%s%s}", req, extra), msg)
	rejects("{\"v\":1,\"cmd\":\"show\",\"id\":\"5\"}", "id: expected a positive integer",
		"an id as a string");
	rejects("{\"v\":1,\"cmd\":\"show\",\"id\":5.5}", "id: expected a positive integer",
		"a fractional id");
	rejects("{\"v\":1,\"cmd\":\"show\",\"id\":5.0}", "id: expected a positive integer",
		"an id written as a real");
	rejects("{\"v\":1,\"cmd\":\"show\",\"id\":true}", "id: expected a positive integer",
		"an id as a boolean");
	rejects("{\"v\":1,\"cmd\":\"show\",\"id\":null}", "id: expected a positive integer",
		"a null id");
	rejects("{\"v\":1,\"cmd\":\"show\",\"id\":0}", "id: expected a positive integer", "id 0");
	rejects("{\"v\":1,\"cmd\":\"show\",\"id\":-3}", "id: expected a positive integer",
		"a negative id");
	rejects("{\"v\":1,\"cmd\":\"request\",\"zone\":5,\"reason\":\"disk full on node 3\"}",
		"zone: expected a string", "a zone as a number");
	rejects("{\"v\":1,\"cmd\":\"request\",\"zone\":\"\",\"reason\":\"disk full on node 3\"}",
		"zone: must not be empty", "an empty zone");
	rejects("{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":42}",
		"reason: expected a string", "a reason as a number");
	rejects(REQ("\"ticket\":42"), "ticket: expected a string", "a ticket as a number");
	rejects(REQ("\"ticket\":\"  \""), "ticket: must not be empty", "a blank ticket");
	rejects(REQ("\"ticket\":null"), "ticket: expected a string", "a null ticket");
	rejects("{\"v\":1,\"cmd\":\"approve\",\"id\":1,\"comment\":[]}",
		"comment: expected a string", "a comment as an array");
	rejects(REQ("\"duration\":\"4h\""), "duration: expected a positive integer",
		"a duration as text");
	rejects(REQ("\"duration\":0"), "duration: expected a positive integer", "duration 0");
	rejects(REQ("\"duration\":-60"), "duration: expected a positive integer",
		"a negative duration");
	rejects(REQ("\"duration\":60.5"), "duration: expected a positive integer",
		"a fractional duration");
	rejects(REQ("\"duration\":9000000000000"), "duration: at most", "a duration of ages");
	rejects(REQ("\"access\":\"exec\""), "access: expected \"read\" or \"write\"",
		"an unknown access");
	rejects(REQ("\"access\":1"), "access: expected \"read\" or \"write\"",
		"an access as a number");
	rejects(REQ("\"access\":\"READ\""), "access: expected", "access names are exact");
	rejects("{\"v\":1,\"cmd\":\"list\",\"state\":\"denied\"}", "state: expected",
		"a state outside pending/active/all");
	rejects("{\"v\":1,\"cmd\":\"list\",\"state\":1}", "state: expected", "a state as a number");
	rejects("{\"v\":1,\"cmd\":\"audit\",\"follow\":\"yes\"}", "follow: expected true or false",
		"follow as a string");
	rejects("{\"v\":1,\"cmd\":\"audit\",\"follow\":1}", "follow: expected true or false",
		"follow as a number");
	rejects("{\"v\":1,\"cmd\":\"audit\",\"since\":-1}", "since: expected a non-negative",
		"a negative since");
	rejects("{\"v\":1,\"cmd\":\"audit\",\"since\":\"1h\"}", "since: expected a non-negative",
		"since as text");
	rejects("{\"v\":1,\"cmd\":\"audit\",\"after\":-1}", "after: expected a non-negative",
		"a negative after");
	rejects("{\"v\":1,\"cmd\":\"list\",\"after\":3}", "after", "after on list");
	rejects("{\"v\":1,\"cmd\":\"wait\",\"id\":1,\"timeout\":-1}",
		"timeout: expected a non-negative", "a negative timeout");
	rejects("{\"v\":1,\"cmd\":\"wait\",\"id\":1,\"timeout\":1.5}",
		"timeout: expected a non-negative", "a fractional timeout");
	rejects("{\"v\":1,\"cmd\":\"wait\",\"id\":1,\"timeout\":9000000000000}", "timeout: at most",
		"a timeout of ages");
#undef REQ
}

static void test_text_limits(void)
{
	char zone[LB_NAME_MAX + 1], reason[LB_REASON_MAX + 2], ticket[LB_TICKET_MAX + 2];
	char comment[LB_COMMENT_MAX + 2], msg[4096];
	struct proto_req r;

	memset(zone, 'z', LB_NAME_MAX - 1);
	zone[LB_NAME_MAX - 1] = '\0';
	snprintf(msg, sizeof(msg),
		 "{\"v\":1,\"cmd\":\"request\",\"zone\":\"%s\",\"reason\":"
		 "\"disk full on node 3\"}",
		 zone);
	accepts(msg, &r, "a zone of LB_NAME_MAX - 1 bytes");
	strcat(zone, "z");
	snprintf(msg, sizeof(msg),
		 "{\"v\":1,\"cmd\":\"request\",\"zone\":\"%s\",\"reason\":"
		 "\"disk full on node 3\"}",
		 zone);
	rejects(msg, "zone: longer than 63 bytes", "a zone of LB_NAME_MAX bytes");

	memset(reason, 'r', LB_REASON_MAX);
	reason[LB_REASON_MAX] = '\0';
	snprintf(msg, sizeof(msg),
		 "{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":"
		 "\"%s\"}",
		 reason);
	accepts(msg, &r, "a reason of LB_REASON_MAX bytes");
	is_int(strlen(r.reason), LB_REASON_MAX, "the longest reason is kept whole");
	strcat(reason, "r");
	snprintf(msg, sizeof(msg),
		 "{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":"
		 "\"%s\"}",
		 reason);
	rejects(msg, "reason: longer than 1024 bytes", "a reason over LB_REASON_MAX");

	memset(ticket, 't', LB_TICKET_MAX + 1);
	ticket[LB_TICKET_MAX + 1] = '\0';
	snprintf(msg, sizeof(msg),
		 "{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":"
		 "\"disk full on node 3\",\"ticket\":\"%s\"}",
		 ticket);
	rejects(msg, "ticket: longer than 128 bytes", "a ticket over LB_TICKET_MAX");

	memset(comment, 'c', LB_COMMENT_MAX + 1);
	comment[LB_COMMENT_MAX + 1] = '\0';
	snprintf(msg, sizeof(msg), "{\"v\":1,\"cmd\":\"approve\",\"id\":1,\"comment\":\"%s\"}",
		 comment);
	rejects(msg, "comment: longer than 1024 bytes", "a comment over LB_COMMENT_MAX");

	rejects("{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":\"fix\"}",
		"reason: must be at least 8 characters", "a reason of 3 characters");
	rejects("{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":\"   fix it     \"}",
		"reason: must be at least 8 characters", "a short reason padded with spaces");
	rejects("{\"v\":1,\"cmd\":\"deny\",\"id\":1,\"reason\":\"no\"}",
		"reason: must be at least 8 characters", "a short denial reason");
	rejects("{\"v\":1,\"cmd\":\"deny\",\"id\":1,\"reason\":\"\"}",
		"reason: must be at least 8 characters", "an empty denial reason");
	accepts("{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":\"  restore the "
		"backup  \"}",
		&r, "a padded reason");
	is_str(r.reason, "restore the backup", "the reason is stored trimmed");
	/* 8 characters, 16 bytes: characters are counted, not bytes */
	accepts("{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":\"\xc3\xa9\xc3\xa9\xc3"
		"\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}",
		&r, "a reason of 8 two-byte characters");
	rejects("{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":\"\xc3\xa9\xc3\xa9\xc3"
		"\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}",
		"reason: must be at least 8", "a reason of 7 two-byte characters (14 bytes)");
}

static void test_control_characters(void)
{
	rejects("{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":\"disk full\\nrequest "
		"approved\"}",
		"reason: contains a control character", "a newline in the reason");
	rejects("{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":\"disk\\tfull on "
		"node\"}",
		"reason: contains a control character", "a tab in the reason");
	rejects("{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":\"\\u001b[2Jdisk "
		"full\"}",
		"reason: contains a control character", "a terminal escape in the reason");
	rejects("{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":\"disk "
		"full\\u007f\\u007f"
		"\"}",
		"reason: contains a control character", "DEL in the reason");
	rejects("{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":\"disk full \\u0085 "
		"now\"}",
		"reason: contains a control character", "a C1 control in the reason");
	rejects("{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":\"disk full "
		"\\u202edeifirev\"}",
		"reason: contains a control character", "a right-to-left override in the reason");
	rejects("{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\\r\",\"reason\":\"disk full on node "
		"3\"}",
		"zone: contains a control character", "a carriage return in the zone");
	rejects("{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":\"disk full on node 3\","
		"\"ticket\":\"INC\\u0007\"}",
		"ticket: contains a control character", "a bell in the ticket");
	rejects("{\"v\":1,\"cmd\":\"approve\",\"id\":1,\"comment\":\"fine\\u2028really\"}",
		"comment: contains a control character", "a line separator in the comment");
}

static void test_missing_and_unknown_fields(void)
{
	rejects("{\"v\":1,\"cmd\":\"request\",\"reason\":\"disk full on node 3\"}",
		"zone: missing (required for request)", "a request without zone");
	rejects("{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\"}",
		"reason: missing (required for request)", "a request without reason");
	rejects("{\"v\":1,\"cmd\":\"deny\",\"id\":3}", "reason: missing (required for deny)",
		"a denial without reason");
	rejects("{\"v\":1,\"cmd\":\"show\"}", "id: missing (required for show)", "show without id");
	rejects("{\"v\":1,\"cmd\":\"cancel\"}", "id: missing (required for cancel)",
		"cancel without id");
	rejects("{\"v\":1,\"cmd\":\"approve\"}", "id: missing (required for approve)",
		"approve without id");
	rejects("{\"v\":1,\"cmd\":\"revoke\"}", "id: missing (required for revoke)",
		"revoke without id");
	rejects("{\"v\":1,\"cmd\":\"wait\"}", "id: missing (required for wait)", "wait without id");
	rejects("{\"v\":1,\"cmd\":\"status\",\"verbose\":true}", "verbose: unknown field",
		"an unknown field");
	rejects("{\"v\":1,\"cmd\":\"list\",\"id\":4}", "id: unknown field for list",
		"a field of another command");
	rejects("{\"v\":1,\"cmd\":\"approve\",\"id\":4,\"reason\":\"looks right to me\"}",
		"reason: unknown field for approve", "reason on approve (comment is the field)");
	rejects("{\"v\":1,\"cmd\":\"verify\",\"follow\":true}", "follow: unknown field for verify",
		"options on verify");
	rejects("{\"v\":1,\"cmd\":\"approve\",\"id\":4,\"uid\":0}", "uid: not accepted",
		"a claimed uid");
	rejects("{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":\"disk full on node 3\","
		"\"user\":\"acme-admin\"}",
		"user: not accepted", "a claimed user name");
	rejects("{\"v\":1,\"cmd\":\"list\",\"requester\":\"eng1\"}", "requester: not accepted",
		"a claimed requester");
	rejects("{\"v\":1,\"cmd\":\"status\",\"\\u001b[31m\":1}", "?[31m: unknown field",
		"an unknown key is quoted without its control characters");
}

#define SIG_JSON "\"-----BEGIN SSH SIGNATURE-----\\nQUJD\\n-----END SSH SIGNATURE-----\\n\""

/* redeem and revoke --signed: the statement and signatures, and their combinations. */
static void test_signed_fields(void)
{
	char many[4096] = "{\"v\":1,\"cmd\":\"redeem\",\"statement\":\"x\\n\",\"signatures\":[";
	static struct proto_req q;
	size_t cut;

	rejects("{\"v\":1,\"cmd\":\"redeem\",\"statement\":\"x\\n\"}", "signatures: missing",
		"redeem without signatures");
	rejects("{\"v\":1,\"cmd\":\"redeem\",\"statement\":\"x\\n\",\"signatures\":[]}",
		"signatures: expected an array of 1 to 16", "redeem with an empty list");
	rejects("{\"v\":1,\"cmd\":\"redeem\",\"statement\":\"x\\n\",\"signatures\":[1]}",
		"signatures: expected a string", "a signature that is not a string");
	rejects("{\"v\":1,\"cmd\":\"redeem\",\"statement\":\"x\\u0007\",\"signatures\":[" SIG_JSON
		"]}",
		"statement: byte 1 is not printable ASCII", "a statement with a control character");
	rejects("{\"v\":1,\"cmd\":\"redeem\",\"statement\":\"\",\"signatures\":[" SIG_JSON "]}",
		"statement: must not be empty", "an empty statement");
	for (int i = 0; i < 17; i++) {
		cut = strlen(many);
		strcat(strcat(many, i ? "," : ""), SIG_JSON);
	}
	strcat(many, "]}");
	rejects(many, "signatures: more than 16", "17 signatures");
	strcpy(many + cut, "]}");
	accepts(many, &q, "16 signatures");
	is_int(q.n_signatures, 16, "all 16 kept");
	is_str(proto_signature_at(&q, 15),
	       "-----BEGIN SSH SIGNATURE-----\nQUJD\n-----END SSH SIGNATURE-----\n",
	       "the 16th, whole");
	is_int(q.statement_len, 2, "the statement's bytes, its newline kept");
	rejects("{\"v\":1,\"cmd\":\"revoke\",\"id\":3,\"statement\":\"x\\n\","
		"\"signature\":" SIG_JSON "}",
		"id: not with a signed revocation", "revoke with an id and a statement");
	rejects("{\"v\":1,\"cmd\":\"revoke\",\"statement\":\"x\\n\"}",
		"signature: missing (required with statement)",
		"a statement without its signature");
	rejects("{\"v\":1,\"cmd\":\"revoke\",\"signature\":" SIG_JSON "}",
		"statement: missing (required with signature)",
		"a signature without its statement");
	rejects("{\"v\":1,\"cmd\":\"revoke\",\"statement\":\"x\\n\",\"signature\":" SIG_JSON
		",\"reason\":\"done\"}",
		"reason: not with a signed revocation", "a reason nobody signed");
	rejects("{\"v\":1,\"cmd\":\"revoke\"}", "id: missing", "revoke with nothing");
	rejects("{\"v\":1,\"cmd\":\"verify\",\"check_signatures\":1}",
		"check_signatures: expected true or false", "check_signatures not a boolean");
}

/* Every command's message goes out and comes back the same. */
static void test_request_json_round_trips(void)
{
	static struct proto_req in[CMD_MAX + 1], back; /* + revoke --signed */
	static const char sigs[] = "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n"
				   "-----END SSH SIGNATURE-----\n\0-----BEGIN SSH SIGNATURE-----\n"
				   "QUJD\n-----END SSH SIGNATURE-----\n";
	char *s;

	for (int c = 0; c < CMD_MAX; c++)
		proto_req_init(&in[c], c);
	strcpy(in[CMD_REQUEST].zone, "globex");
	strcpy(in[CMD_REQUEST].reason, "rebuild the index");
	strcpy(in[CMD_REQUEST].ticket, "CHG-7");
	in[CMD_REQUEST].duration = 7200;
	in[CMD_REQUEST].access = LB_ACCESS_READ | LB_ACCESS_WRITE;
	strcpy(in[CMD_REQUEST].hosts, "stor-*,db-[0-9]");
	in[CMD_LIST].state_mask = PROTO_STATE_ALL;
	in[CMD_SHOW].id = 1;
	in[CMD_APPROVE].id = 2;
	strcpy(in[CMD_APPROVE].comment, "go ahead");
	strcpy(in[CMD_APPROVE].signature, "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n"
					  "-----END SSH SIGNATURE-----\n");
	in[CMD_DENY].id = 3;
	strcpy(in[CMD_DENY].reason, "not without a ticket");
	in[CMD_REVOKE].id = 4;
	strcpy(in[CMD_REVOKE].reason, "work finished");
	in[CMD_CANCEL].id = 5;
	in[CMD_WAIT].id = 6;
	in[CMD_WAIT].timeout = 90;
	in[CMD_AUDIT].follow = true;
	in[CMD_AUDIT].since = 1764352800;
	in[CMD_AUDIT].after = 77;
	in[CMD_STATEMENT].id = 8;
	in[CMD_STATEMENT].revoke = true;
	in[CMD_VERIFY].check_signatures = true;
	strcpy(in[CMD_REDEEM].statement, "{\"statement\":\"stor-1/9/x\"}\n");
	in[CMD_REDEEM].statement_len = strlen(in[CMD_REDEEM].statement);
	memcpy(in[CMD_REDEEM].signatures, sigs, sizeof(sigs));
	in[CMD_REDEEM].n_signatures = 2;
	proto_req_init(&in[CMD_MAX], CMD_REVOKE);
	strcpy(in[CMD_MAX].statement, "{\"type\":\"lockbox.revocation\"}\n");
	in[CMD_MAX].statement_len = strlen(in[CMD_MAX].statement);
	strcpy(in[CMD_MAX].signature, in[CMD_APPROVE].signature);

	for (int c = 0; c <= CMD_MAX; c++) {
		json_t *j = proto_request_json(&in[c]);

		s = j ? json_dumps(j, JSON_COMPACT) : NULL;
		json_decref(j);
		if (!ok(s && !proto_parse_request(s, strlen(s), &back, err, sizeof(err)),
			"%s: the CLI's message parses",
			c == CMD_MAX ? "revoke --signed" : proto_cmd_name(c))) {
			printf("#   %s: %s\n", s, err);
			free(s);
			continue;
		}
		ok(!memcmp(&in[c], &back, sizeof(back)), "%s: it parses back to the same request",
		   proto_cmd_name(c));
		free(s);
	}

	/* defaults are left out rather than spelled */
	json_t *j = proto_request_json(
		&(struct proto_req){.cmd = CMD_LIST, .state_mask = PROTO_STATE_DEFAULT});
	ok(j && !json_object_get(j, "state"), "list: the default state is not sent");
	is_int(json_integer_value(json_object_get(j, "v")), 1, "every message carries v: 1");
	is_str(json_string_value(json_object_get(j, "cmd")), "list", "and its cmd");
	json_decref(j);
	j = proto_request_json(&(struct proto_req){.cmd = CMD_LIST, .state_mask = 1u << 3});
	ok(!j, "a state mask with no name cannot be sent");
}

#define REQ_HOSTS(h)                                                                               \
	"{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":\"disk full on "                \
	"node 3\",\"hosts\":" h "}"

static void test_hosts(void)
{
	static char msg[LB_MSG_MAX], list[PROTO_HOSTS_LEN + 300];
	struct proto_req r;
	size_t n = 0;

	accepts(REQ_HOSTS("\"stor-*,db-1\""), &r, "request with hosts");
	is_str(r.hosts, "stor-*,db-1", "hosts: kept as sent");
	accepts(REQ_HOSTS("\"stor-[1-9]?\""), &r, "one glob with classes");
	rejects(REQ_HOSTS("\"\""), "hosts: must not be empty", "empty hosts");
	rejects(REQ_HOSTS("\"a,,b\""), "hosts: pattern 2 is empty", "an empty pattern");
	rejects(REQ_HOSTS("\"a,\""), "hosts: pattern 2 is empty", "a trailing comma");
	rejects(REQ_HOSTS("\"a b\""), "hosts: pattern 1 has a character", "a space");
	rejects(REQ_HOSTS("\"st\u00f6r\""), "hosts: pattern 1 has a character", "non-ASCII");
	rejects(REQ_HOSTS("[\"a\"]"), "hosts: expected a string", "an array");
	rejects("{\"v\":1,\"cmd\":\"approve\",\"id\":1,\"hosts\":\"a\"}",
		"hosts: unknown field for approve", "hosts on approve");
	memset(list, 'h', PROTO_PATTERN_MAX + 1);
	list[PROTO_PATTERN_MAX + 1] = '\0';
	snprintf(msg, sizeof(msg), REQ_HOSTS("\"%s\""), list);
	rejects(msg, "hosts: pattern 1 is longer than 255 bytes", "a pattern of 256 bytes");
	list[PROTO_PATTERN_MAX] = '\0';
	snprintf(msg, sizeof(msg), REQ_HOSTS("\"%s\""), list);
	accepts(msg, &r, "a pattern of 255 bytes");
	for (int i = 0; i < PROTO_HOSTS_MAX; i++)
		n += sprintf(list + n, "%sh%d", i ? "," : "", i);
	snprintf(msg, sizeof(msg), REQ_HOSTS("\"%s\""), list);
	accepts(msg, &r, "128 patterns");
	sprintf(list + n, ",h128");
	snprintf(msg, sizeof(msg), REQ_HOSTS("\"%s\""), list);
	rejects(msg, "hosts: more than 128 patterns", "129 patterns");
	accepts("{\"v\":1,\"cmd\":\"statement\",\"id\":3}", &r, "statement");
	ok(r.cmd == CMD_STATEMENT && r.id == 3 && !r.revoke, "statement: id, no revoke");
	accepts("{\"v\":1,\"cmd\":\"statement\",\"id\":3,\"revoke\":true}", &r,
		"statement --revoke");
	ok(r.revoke, "statement: revoke");
	rejects("{\"v\":1,\"cmd\":\"statement\",\"id\":3,\"revoke\":1}",
		"revoke: expected true or false", "a revoke that is not a boolean");
	rejects("{\"v\":1,\"cmd\":\"statement\"}", "id: missing", "statement without id");
	accepts("{\"v\":1,\"cmd\":\"approve\",\"id\":3,\"signature\":\"-----BEGIN SSH "
		"SIGNATURE-----\\nU1NIU0lH\\r\\n-----END SSH SIGNATURE-----\\n\"}",
		&r, "approve with a signature");
	is_str(r.signature,
	       "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\r\n-----END SSH SIGNATURE-----\n",
	       "signature: kept as sent, line ends and all");
	rejects("{\"v\":1,\"cmd\":\"approve\",\"id\":3,\"signature\":\"\"}",
		"signature: must not be empty", "an empty signature");
	rejects("{\"v\":1,\"cmd\":\"approve\",\"id\":3,\"signature\":\"a\\tb\"}",
		"signature: not an armored SSH signature (byte 1)", "a tab in a signature");
	rejects("{\"v\":1,\"cmd\":\"approve\",\"id\":3,\"signature\":7}",
		"signature: expected a string", "a signature that is not a string");
	rejects("{\"v\":1,\"cmd\":\"deny\",\"id\":3,\"reason\":\"not this time\","
		"\"signature\":\"x\"}",
		"signature: unknown field for deny", "a signature on deny");
	memset(list, 'A', PROTO_SIGNATURE_MAX + 1);
	list[PROTO_SIGNATURE_MAX + 1] = '\0';
	snprintf(msg, sizeof(msg), "{\"v\":1,\"cmd\":\"approve\",\"id\":3,\"signature\":\"%s\"}",
		 list);
	rejects(msg, "signature: longer than 16384 bytes", "a signature over 16384 bytes");
	list[PROTO_SIGNATURE_MAX] = '\0';
	snprintf(msg, sizeof(msg), "{\"v\":1,\"cmd\":\"approve\",\"id\":3,\"signature\":\"%s\"}",
		 list);
	accepts(msg, &r, "a signature of 16384 bytes");
	is_int(proto_hosts_check("a,b", err, sizeof(err)), 0, "proto_hosts_check: a good list");
	is_int(proto_hosts_check("a\tb", err, sizeof(err)), -EINVAL, "and a tab refused");
}

static void test_reply_builders(void)
{
	struct proto_reply rep;
	json_t *rec, *res;
	char *line;

	line = proto_reply_ok(json_pack("{s:i}", "id", 42));
	ok(line && line[strlen(line) - 1] == '\n', "an ok reply ends in a newline");
	ok(line && !strchr(line, '\n')[1], "and is one line");
	is_str(line, "{\"v\":1,\"ok\":true,\"result\":{\"id\":42}}\n", "an ok reply's shape");
	free(line);
	ok(!proto_reply_ok(NULL), "no result, no reply");
	line = proto_reply_ok(json_null());
	is_str(line, "{\"v\":1,\"ok\":true,\"result\":null}\n", "a null result is sent as null");
	free(line);

	line = proto_reply_error(PROTO_E_NOT_FOUND, "id: no request %d", 7);
	is_str(line,
	       "{\"v\":1,\"ok\":false,\"error\":{\"code\":\"not_found\",\"message\":\"id: no "
	       "request 7\"}}\n",
	       "an error reply's shape");
	free(line);
	line = proto_reply_error(PROTO_E_INVALID, "reason: %s", "two\nlines");
	ok(line && strchr(line, '\n') == line + strlen(line) - 1,
	   "a newline in an error message is escaped, keeping one line");
	free(line);
	line = proto_reply_error(PROTO_E_INVALID, "zone: '%s'", "ac\xffme");
	ok(line && !proto_parse_reply(line, strlen(line), &rep, err, sizeof(err)),
	   "a message quoting invalid UTF-8 still makes valid JSON");
	is_str(rep.message, "zone: 'ac?me'", "the bad byte is replaced");
	proto_reply_release(&rep);
	free(line);

	rec = json_pack("{s:i,s:s}", "seq", 12, "type", "access.denied");
	line = proto_record_line(rec);
	is_str(line, "{\"v\":1,\"record\":{\"seq\":12,\"type\":\"access.denied\"}}\n",
	       "a record line's shape");
	is_int(rec->refcount, 1, "a record line does not steal the record");
	free(line);
	json_decref(rec);

	/* and the client reads them back */
	line = proto_reply_ok(json_pack("[i,i]", 1, 2));
	ok(!proto_parse_reply(line, strlen(line) - 1, &rep, err, sizeof(err)) && rep.ok &&
		   !rep.is_record && json_array_size(rep.result) == 2,
	   "an ok reply parses with its result");
	proto_reply_release(&rep);
	free(line);
	line = proto_reply_error(PROTO_E_CONFLICT, "approve: request 3 is denied");
	ok(!proto_parse_reply(line, strlen(line), &rep, err, sizeof(err)) && !rep.ok,
	   "an error reply parses as not ok");
	is_str(rep.code, "conflict", "with its code");
	is_str(rep.message, "approve: request 3 is denied", "and its message");
	proto_reply_release(&rep);
	free(line);
	res = json_pack("{s:i}", "seq", 3);
	line = proto_record_line(res);
	ok(!proto_parse_reply(line, strlen(line), &rep, err, sizeof(err)) && rep.is_record &&
		   json_integer_value(json_object_get(rep.record, "seq")) == 3,
	   "a record line parses as a record");
	proto_reply_release(&rep);
	free(line);
	json_decref(res);

	ok(proto_parse_reply("{\"v\":2,\"ok\":true,\"result\":1}", 29, &rep, err, sizeof(err)),
	   "a reply of another version is refused");
	ok(proto_parse_reply("{\"v\":1,\"result\":1}", 19, &rep, err, sizeof(err)),
	   "a reply without ok is refused");
	ok(proto_parse_reply("{\"v\":1,\"ok\":true}", 17, &rep, err, sizeof(err)),
	   "an ok reply without result is refused");
	ok(proto_parse_reply("{\"v\":1,\"ok\":false,\"error\":\"x\"}", 30, &rep, err, sizeof(err)),
	   "an error reply without code and message is refused");
	ok(proto_parse_reply("{\"v\":1,\"ok\":tr", 14, &rep, err, sizeof(err)),
	   "a truncated reply is refused");
	proto_reply_release(NULL);
	ok(1, "proto_reply_release(NULL) is a no-op");
}

static void test_request_to_json(void)
{
	struct request r = {
		.id = 17,
		.zone = "acme",
		.uid = 2001,
		.requester = "eng1",
		.access = LB_ACCESS_READ | LB_ACCESS_WRITE,
		.reason = "disk full on node 3",
		.duration = 14400,
		.created_at = 1764352800, /* 2025-11-28T18:00:00Z */
		.expires_at = 1764356400,
		.state = REQ_PENDING,
	};
	struct decision d = {.request = 17,
			     .kind = DEC_APPROVE,
			     .uid = 3001,
			     .user = "acme-admin",
			     .comment = "ok",
			     .at = 1764353000};
	json_t *j;

	j = proto_request_to_json(&r);
	is_int(json_integer_value(json_object_get(j, "id")), 17, "request json: id");
	is_str(json_string_value(json_object_get(j, "state")), "pending", "request json: state");
	is_str(json_string_value(json_object_get(j, "zone")), "acme", "request json: zone");
	is_str(json_string_value(json_object_get(j, "requester")), "eng1",
	       "request json: requester is the user name");
	is_int(json_integer_value(json_object_get(j, "uid")), 2001, "request json: uid");
	is_str(json_string_value(json_object_get(j, "access")), "write", "request json: access");
	is_str(json_string_value(json_object_get(j, "reason")), "disk full on node 3",
	       "request json: reason");
	ok(json_is_null(json_object_get(j, "ticket")), "request json: no ticket is null");
	is_int(json_integer_value(json_object_get(j, "duration")), 14400,
	       "request json: duration in seconds");
	is_str(json_string_value(json_object_get(j, "created_at")), "2025-11-28T18:00:00Z",
	       "request json: created_at is RFC 3339 UTC");
	is_str(json_string_value(json_object_get(j, "expires_at")), "2025-11-28T19:00:00Z",
	       "request json: expires_at is RFC 3339 UTC");
	ok(json_is_null(json_object_get(j, "decided_at")),
	   "request json: decided_at is null while pending");
	json_decref(j);

	strcpy(r.ticket, "INC-9");
	r.state = REQ_APPROVED;
	r.access = LB_ACCESS_READ;
	r.decided_at = 1764353000;
	j = proto_request_to_json(&r);
	is_str(json_string_value(json_object_get(j, "state")), "approved",
	       "request json: approved state");
	is_str(json_string_value(json_object_get(j, "access")), "read", "request json: read");
	is_str(json_string_value(json_object_get(j, "ticket")), "INC-9", "request json: ticket");
	is_str(json_string_value(json_object_get(j, "decided_at")), "2025-11-28T18:03:20Z",
	       "request json: decided_at once decided");
	json_decref(j);

	j = proto_decision_to_json(&d);
	is_str(json_string_value(json_object_get(j, "kind")), "approve", "decision json: kind");
	is_str(json_string_value(json_object_get(j, "user")), "acme-admin", "decision json: user");
	is_int(json_integer_value(json_object_get(j, "uid")), 3001, "decision json: uid");
	is_str(json_string_value(json_object_get(j, "comment")), "ok", "decision json: comment");
	is_str(json_string_value(json_object_get(j, "at")), "2025-11-28T18:03:20Z",
	       "decision json: at is RFC 3339 UTC");
	json_decref(j);

	d.kind = DEC_EXPIRE;
	d.uid = (uint32_t)-1;
	d.user[0] = '\0';
	d.comment[0] = '\0';
	j = proto_decision_to_json(&d);
	ok(json_is_null(json_object_get(j, "uid")), "decision json: the agent has a null uid");
	is_str(json_string_value(json_object_get(j, "user")), "lockboxd",
	       "decision json: and is named lockboxd");
	ok(json_is_null(json_object_get(j, "comment")), "decision json: no comment is null");
	is_str(json_string_value(json_object_get(j, "kind")), "expire", "decision json: expire");
	json_decref(j);
}

static void test_exit_codes(void)
{
	is_int(proto_exit_code("invalid"), 2, "invalid exits 2 (usage)");
	is_int(proto_exit_code("not_permitted"), 3, "not_permitted exits 3");
	is_int(proto_exit_code("not_found"), 4, "not_found exits 4");
	is_int(proto_exit_code("conflict"), 1, "conflict exits 1");
	is_int(proto_exit_code("internal"), 1, "internal exits 1");
	is_int(proto_exit_code("timeout"), 1, "timeout exits 1");
	is_int(proto_exit_code("something_new"), 1, "an unknown code exits 1");
	is_int(proto_exit_code(NULL), 1, "no code exits 1");
}

static void test_cmd_names(void)
{
	enum proto_cmd c;

	for (int i = 0; i < CMD_MAX; i++)
		ok(!proto_cmd_parse(proto_cmd_name(i), &c) && c == (enum proto_cmd)i,
		   "cmd %s names itself both ways", proto_cmd_name(i));
	ok(proto_cmd_parse("nope", &c) == -EINVAL, "an unknown cmd name is -EINVAL");
	ok(proto_cmd_parse(NULL, &c) == -EINVAL, "a NULL cmd name is -EINVAL");
}

int main(void)
{
	test_every_command_parses();
	test_envelope_errors();
	test_nul_and_size();
	test_field_types_and_ranges();
	test_text_limits();
	test_control_characters();
	test_missing_and_unknown_fields();
	test_request_json_round_trips();
	test_signed_fields();
	test_hosts();
	test_reply_builders();
	test_request_to_json();
	test_exit_codes();
	test_cmd_names();
	return done_testing();
}
