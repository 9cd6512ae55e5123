// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockboxctl against a canned agent: the replies are queued on one end of a socketpair
 * before the command runs, and what the command sent is read back from it afterwards.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include "tap.h"
#include "ctl_run.h"

struct outcome {
	int status;
	char *out, *err;
	size_t out_len, err_len;
	struct proto_req sent;
	bool sent_ok;  /* what the CLI sent parsed as a request */
	bool one_line; /* and was exactly one line */
	char sent_text[4096];
};

static struct outcome o;

static void reset(void)
{
	free(o.out);
	free(o.err);
	memset(&o, 0, sizeof(o));
}

static void run(int argc, char *const argv[], const char *replies)
{
	struct ctl_cmdline cl;
	char perr[256], sent[4096];
	FILE *out, *err;
	ssize_t n;
	int sv[2];

	reset();
	if (ctl_args_parse(argc, argv, &cl, perr, sizeof(perr))) {
		printf("# bad test argv: %s\n", perr);
		o.status = -1;
		return;
	}
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
	if (write(sv[1], replies, strlen(replies)) != (ssize_t)strlen(replies))
		printf("# short write of the canned replies\n");
	shutdown(sv[1], SHUT_WR); /* the agent hangs up after its replies */
	out = open_memstream(&o.out, &o.out_len);
	err = open_memstream(&o.err, &o.err_len);
	o.status = ctl_run(&cl, sv[0], out, err);
	fclose(out);
	fclose(err);
	close(sv[0]);
	n = read(sv[1], sent, sizeof(sent) - 1);
	close(sv[1]);
	if (n > 0) {
		sent[n] = '\0';
		snprintf(o.sent_text, sizeof(o.sent_text), "%s", sent);
		o.one_line = sent[n - 1] == '\n' && strchr(sent, '\n') == sent + n - 1;
		o.sent_ok = !proto_parse_request(sent, n - 1, &o.sent, perr, sizeof(perr));
	}
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

#define ARGV(...)	  ((char *const[]){"lockboxctl", __VA_ARGS__, NULL})
#define ARGC(...)	  ((int)(sizeof((char *[]){"lockboxctl", __VA_ARGS__}) / sizeof(char *)))
#define RUN(replies, ...) run(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), replies)

#define REQ_JSON(state)                                                                            \
	"{\"id\":17,\"state\":\"" state "\",\"zone\":\"acme\",\"requester\":\"eng1\","             \
	"\"uid\":2001,\"access\":\"read\",\"reason\":\"disk full on node 3\",\"ticket\":null,"     \
	"\"duration\":3600,\"created_at\":\"2025-11-28T18:00:00Z\",\"expires_at\":"                \
	"\"2025-11-28T19:00:00Z\",\"decided_at\":null}"

static void test_request_prints_id_alone(void)
{
	RUN("{\"v\":1,\"ok\":true,\"result\":" REQ_JSON("pending") "}\n", "request", "acme",
	    "--reason", "disk full on node 3", "--duration", "1h");
	is_int(o.status, 0, "request: exit 0");
	is_str(o.out, "17\n", "request: the id alone on stdout");
	is_str(o.err, "", "request: nothing on stderr");
	ok(o.sent_ok && o.one_line, "request: one line the agent parses was sent");
	ok(o.sent.cmd == CMD_REQUEST && !strcmp(o.sent.zone, "acme") && o.sent.duration == 3600,
	   "request: with the zone and duration given");
}

static void test_errors_map_to_exit_codes(void)
{
	RUN("{\"v\":1,\"ok\":false,\"error\":{\"code\":\"not_permitted\",\"message\":\"approve: "
	    "you cannot approve your own request\"}}\n",
	    "approve", "17");
	is_int(o.status, 3, "not_permitted exits 3");
	is_str(o.err, "lockboxctl: approve: you cannot approve your own request\n",
	       "the agent's message on stderr");
	is_str(o.out, "", "nothing on stdout");
	RUN("{\"v\":1,\"ok\":false,\"error\":{\"code\":\"not_found\",\"message\":\"id: no "
	    "request 99\"}}\n",
	    "show", "99");
	is_int(o.status, 4, "not_found exits 4");
	RUN("{\"v\":1,\"ok\":false,\"error\":{\"code\":\"invalid\",\"message\":\"duration: over "
	    "the zone's maximum of 4h\"}}\n",
	    "request", "acme", "--reason", "disk full on node 3", "--duration", "8h");
	is_int(o.status, 2, "invalid exits 2");
	ok(strstr(o.err, "duration: over the zone's maximum") != NULL, "with the agent's words");
	RUN("{\"v\":1,\"ok\":false,\"error\":{\"code\":\"conflict\",\"message\":\"approve: "
	    "request 17 is denied\"}}\n",
	    "approve", "17");
	is_int(o.status, 1, "conflict exits 1");
	RUN("{\"v\":1,\"ok\":false,\"error\":{\"code\":\"internal\",\"message\":\"store: "
	    "\\u001b[2Jdisk I/O error\"}}\n",
	    "status");
	is_int(o.status, 1, "internal exits 1");
	ok(!strchr(o.err, '\x1b'), "control characters in the agent's message are escaped");
	RUN("", "status");
	is_int(o.status, 1, "an agent that hangs up without a reply: exit 1");
	is_str(o.err, "lockboxctl: lockboxd closed the connection without a reply\n",
	       "and says so");
	RUN("HTTP/1.0 400 Bad Request\n", "status");
	is_int(o.status, 1, "a reply that is not the protocol: exit 1");
	ok(!strncmp(o.err, "lockboxctl: invalid reply from lockboxd: ", 41), "and says so");
}

static void test_decisions(void)
{
	RUN("{\"v\":1,\"ok\":true,\"result\":" REQ_JSON("approved") "}\n", "approve", "17",
	    "--comment", "go ahead");
	is_int(o.status, 0, "approve: exit 0");
	is_str(o.out, "request 17: approved\n", "approve: the new state");
	ok(o.sent_ok && o.sent.cmd == CMD_APPROVE && o.sent.id == 17 &&
		   !strcmp(o.sent.comment, "go ahead"),
	   "approve: the id and comment were sent");
	RUN("{\"v\":1,\"ok\":true,\"result\":{\"id\":17,\"state\":\"pending\",\"approvals\":1}}\n",
	    "approve", "17");
	ok(strstr(o.out, "approval recorded (1 so far), still pending") != NULL,
	   "approve: a first of several approvals says it is still pending");
	RUN("{\"v\":1,\"ok\":true,\"result\":" REQ_JSON("denied") "}\n", "deny", "17", "--reason",
	    "not during the freeze");
	is_str(o.out, "request 17: denied\n", "deny: the new state");
	ok(o.sent_ok && !strcmp(o.sent.reason, "not during the freeze"), "deny: reason sent");
	RUN("{\"v\":1,\"ok\":true,\"result\":" REQ_JSON("cancelled") "}\n", "cancel", "17");
	is_str(o.out, "request 17: cancelled\n", "cancel: the new state");
	RUN("{\"v\":1,\"ok\":true,\"result\":null}\n", "revoke", "17");
	is_int(o.status, 0, "revoke: exit 0 with a null result");
	is_str(o.out, "request 17: done\n", "revoke: done");
}

static void test_wait(void)
{
	RUN("{\"v\":1,\"ok\":true,\"result\":" REQ_JSON("approved") "}\n", "wait", "17");
	is_int(o.status, 0, "wait: exit 0 once approved");
	is_str(o.out, "approved\n", "wait: prints the state");
	ok(o.sent_ok && o.sent.cmd == CMD_WAIT && o.sent.timeout == 0,
	   "wait: no timeout sent means forever");
	RUN("{\"v\":1,\"ok\":true,\"result\":" REQ_JSON("denied") "}\n", "wait", "17", "--timeout",
	    "5m");
	is_int(o.status, 1, "wait: exit 1 when denied");
	is_str(o.out, "denied\n", "wait: prints denied");
	ok(o.sent_ok && o.sent.timeout == 300, "wait: --timeout 5m sent as 300");
	RUN("{\"v\":1,\"ok\":true,\"result\":" REQ_JSON("expired") "}\n", "wait", "17");
	is_int(o.status, 1, "wait: exit 1 when expired");
	is_str(o.out, "expired\n", "wait: prints expired");
	RUN("{\"v\":1,\"ok\":false,\"error\":{\"code\":\"timeout\",\"message\":\"wait: request 17 "
	    "still pending after 30s\"}}\n",
	    "wait", "17", "--timeout", "30s");
	is_int(o.status, 1, "wait: exit 1 on timeout");
	is_str(o.err, "lockboxctl: wait: request 17 still pending after 30s\n",
	       "wait: the timeout message");
}

static void test_lists_and_json(void)
{
	RUN("{\"v\":1,\"ok\":true,\"result\":[" REQ_JSON("pending") "]}\n", "list");
	is_int(o.status, 0, "list: exit 0");
	ok(!strncmp(o.out, "ID ", 3) && strstr(o.out, "\n17 ") != NULL, "list: a table");
	ok(o.sent_ok && o.sent.state_mask == PROTO_STATE_DEFAULT, "list: default state sent");
	RUN("{\"v\":1,\"ok\":true,\"result\":[" REQ_JSON("pending") "]}\n", "list", "--json",
	    "--state", "all");
	json_t *j = json_loads(o.out, 0, NULL);
	ok(json_is_array(j) && json_array_size(j) == 1, "list --json: one JSON array");
	is_int(json_integer_value(json_object_get(json_array_get(j, 0), "id")), 17,
	       "list --json: the agent's objects");
	json_decref(j);
	ok(o.sent_ok && o.sent.state_mask == PROTO_STATE_ALL, "list: --state all sent");
	RUN("{\"v\":1,\"ok\":true,\"result\":" REQ_JSON("pending") "}\n", "show", "17", "--json");
	j = json_loads(o.out, 0, NULL);
	ok(json_is_object(j) && !strcmp(json_string_value(json_object_get(j, "state")), "pending"),
	   "show --json: the agent's object");
	json_decref(j);
	RUN("{\"v\":1,\"ok\":true,\"result\":{\"mode\":\"permissive\",\"hooks\":[],\"counts\":{}}}"
	    "\n",
	    "status");
	ok(!strncmp(o.out, "mode: permissive\n", 17), "status: lines");
}

static void test_audit(void)
{
	static const char *stream =
		"{\"v\":1,\"ok\":true,\"result\":[{\"seq\":1,\"time\":\"t1\",\"source\":\"agent\","
		"\"type\":\"agent.started\"}]}\n"
		"{\"v\":1,\"record\":{\"seq\":2,\"time\":\"t2\",\"source\":\"kernel\",\"type\":"
		"\"access.denied\",\"user\":\"eng1\",\"zone\":\"acme\",\"op\":\"open\",\"pid\":5,"
		"\"comm\":\"cat\",\"path\":\"/srv/customers/acme/a\"}}\n"
		"{\"v\":1,\"record\":{\"seq\":3,\"time\":\"t3\",\"source\":\"agent\",\"type\":"
		"\"request.created\",\"user\":\"eng1\",\"zone\":\"acme\",\"request\":4}}\n";
	json_t *j;
	char *second;

	RUN("{\"v\":1,\"ok\":true,\"result\":[{\"seq\":1},{\"seq\":2}]}\n", "audit", "--json");
	is_int(o.status, 0, "audit --json: exit 0");
	j = json_loads(o.out, 0, NULL);
	ok(json_is_array(j) && json_array_size(j) == 2, "audit --json: one array");
	json_decref(j);
	ok(o.sent_ok && o.sent.cmd == CMD_AUDIT && !o.sent.follow, "audit: follow not sent");

	RUN(stream, "audit", "--follow");
	is_int(o.status, 1, "audit --follow: exit 1 when the agent goes away");
	is_str(o.out,
	       "#1 t1 agent agent.started - -\n"
	       "#2 t2 kernel access.denied eng1 acme open /srv/customers/acme/a (cat, pid 5)\n"
	       "#3 t3 agent request.created eng1 acme request 4\n",
	       "audit --follow: the existing records, then each new one");
	is_str(o.err, "lockboxctl: lockboxd closed the connection\n",
	       "audit --follow: says the agent closed the stream");
	ok(o.sent_ok && o.sent.follow, "audit --follow: follow sent");

	RUN(stream, "audit", "--follow", "--json");
	second = strchr(o.out, '\n');
	ok(second && !strncmp(o.out, "{\"seq\":1,", 9) && !strncmp(second + 1, "{\"seq\":2,", 9),
	   "audit --follow --json: one compact object per line");
	is_int(lines(o.out), 4, "audit --follow --json: three records, then the end, four lines");
	ok(strstr(o.out, "\n{\"error\":{\"code\":\"error\",\"message\":\"lockboxd closed the "
			 "connection\"}}\n") != NULL,
	   "audit --follow --json: the stream's end is an error object a reader can parse");
	ok(o.out_len && o.out[o.out_len - 1] == '\n', "audit --follow --json: the last line ends");

	RUN("{\"v\":1,\"ok\":true,\"result\":[]}\n"
	    "{\"v\":1,\"ok\":false,\"error\":{\"code\":\"internal\",\"message\":\"shutting "
	    "down\"}}\n",
	    "audit", "--follow");
	is_str(o.err, "lockboxctl: shutting down\n",
	       "audit --follow: an error mid-stream is shown");
	is_int(o.status, 1, "and exits 1");
}

static void test_verify(void)
{
	RUN("{\"v\":1,\"ok\":true,\"result\":{\"ok\":true,\"records\":42,\"bad_seq\":null,"
	    "\"message\":\"audit trail intact\"}}\n",
	    "audit", "verify");
	is_int(o.status, 0, "verify: exit 0 when intact");
	is_str(o.out, "audit trail intact: 42 records\n", "verify: the count");
	ok(o.sent_ok && o.sent.cmd == CMD_VERIFY, "verify: the verify command was sent");
	RUN("{\"v\":1,\"ok\":true,\"result\":{\"ok\":false,\"records\":16,\"bad_seq\":17,"
	    "\"message\":\"record 17: hash mismatch (record edited?)\"}}\n",
	    "audit", "verify");
	is_int(o.status, 1, "verify: exit 1 when broken");
	is_str(o.out, "audit trail BROKEN at record 17: hash mismatch (record edited?)\n",
	       "verify: names the first bad record once");
	RUN("{\"v\":1,\"ok\":true,\"result\":{\"ok\":false,\"records\":3,\"bad_seq\":4,"
	    "\"message\":\"seq gap\"}}\n",
	    "audit", "verify");
	is_str(o.out, "audit trail BROKEN at record 4: seq gap\n", "verify: another message");
}

/* --json on every command, errors as JSON, request --wait. */
static void test_json_everywhere(void)
{
	json_t *j;

	RUN("{\"v\":1,\"ok\":true,\"result\":" REQ_JSON("approved") "}\n", "approve", "17",
	    "--json");
	j = json_loads(o.out, 0, NULL);
	ok(json_is_object(j) && json_integer_value(json_object_get(j, "id")) == 17,
	   "approve --json: the agent's object");
	json_decref(j);
	RUN("{\"v\":1,\"ok\":true,\"result\":" REQ_JSON("pending") "}\n", "request", "acme",
	    "--reason", "disk full on node 3", "--json");
	j = json_loads(o.out, 0, NULL);
	ok(json_is_object(j) && !strcmp(json_string_value(json_object_get(j, "state")), "pending"),
	   "request --json: the request object, not the id alone");
	json_decref(j);
	RUN("{\"v\":1,\"ok\":true,\"result\":" REQ_JSON("denied") "}\n", "wait", "17", "--json");
	is_int(o.status, 1, "wait --json: exit 1 when denied, as without --json");
	RUN("{\"v\":1,\"ok\":true,\"result\":{\"ok\":false,\"records\":5,\"bad_seq\":3,"
	    "\"message\":\"record 3: hash mismatch\"}}\n",
	    "audit", "verify", "--json");
	is_int(o.status, 1, "audit verify --json: exit 1 on a broken trail");
	ok(strstr(o.out, "\"bad_seq\": 3") != NULL, "with the agent's object");
	RUN("{\"v\":1,\"ok\":false,\"error\":{\"code\":\"not_permitted\",\"message\":\"approve: "
	    "you cannot approve your own request\"}}\n",
	    "approve", "17", "--json");
	is_int(o.status, 3, "an error with --json: the same exit status");
	is_str(o.out,
	       "{\"error\":{\"code\":\"not_permitted\",\"message\":\"approve: you cannot approve "
	       "your own request\"}}\n",
	       "and the error as one JSON object on stdout");
	ok(strstr(o.err, "cannot approve your own") != NULL, "and on stderr for people");
	RUN("", "status", "--json");
	is_str(o.out,
	       "{\"error\":{\"code\":\"error\",\"message\":\"lockboxd closed the connection "
	       "without a reply\"}}\n",
	       "a local error with --json is JSON too");
}

static void test_request_wait(void)
{
	RUN("{\"v\":1,\"ok\":true,\"result\":" REQ_JSON(
		    "pending") "}\n"
			       "{\"v\":1,\"ok\":true,\"result\":" REQ_JSON("approved") "}\n",
	    "request", "acme", "--reason", "disk full on node 3", "--wait", "--timeout", "10m");
	is_int(o.status, 0, "request --wait: exit 0 once approved");
	is_str(o.out, "17\napproved\n", "request --wait: the id, then the decision");
	ok(!o.one_line, "two messages went out (the request, then wait)");
	ok(o.out && strstr(o.sent_text, "\"cmd\":\"wait\",\"id\":17,\"timeout\":600") != NULL,
	   "the second is wait for the new id, with the timeout: %s", o.sent_text);
	RUN("{\"v\":1,\"ok\":true,\"result\":" REQ_JSON(
		    "pending") "}\n"
			       "{\"v\":1,\"ok\":true,\"result\":" REQ_JSON("denied") "}\n",
	    "request", "acme", "--reason", "disk full on node 3", "--wait");
	is_int(o.status, 1, "request --wait: exit 1 when denied");
	RUN("{\"v\":1,\"ok\":true,\"result\":" REQ_JSON(
		    "pending") "}\n"
			       "{\"v\":1,\"ok\":true,\"result\":" REQ_JSON("approved") "}\n",
	    "request", "acme", "--reason", "disk full on node 3", "--wait", "--json");
	{
		json_t *j = json_loads(o.out, 0, NULL);

		ok(json_is_object(j) &&
			   !strcmp(json_string_value(json_object_get(j, "state")), "approved"),
		   "request --wait --json: one document, the decided request");
		json_decref(j);
	}
}

int main(void)
{
	test_request_prints_id_alone();
	test_errors_map_to_exit_codes();
	test_decisions();
	test_wait();
	test_lists_and_json();
	test_audit();
	test_verify();
	test_json_everywhere();
	test_request_wait();
	reset();
	return done_testing();
}
