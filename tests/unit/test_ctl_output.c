// SPDX-License-Identifier: GPL-2.0-only
/* lockboxctl's output for people: tables, key: value lines, audit lines, escaping. */
#include <stdlib.h>
#include "tap.h"
#include "ctl_output.h"

static char *buf;
static size_t buflen;

static FILE *start(void)
{
	free(buf);
	buf = NULL;
	return open_memstream(&buf, &buflen);
}

static const char *finish(FILE *f)
{
	fclose(f);
	return buf;
}

static json_t *load(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);

	if (!j)
		printf("# bad test JSON: %s\n", e.text);
	return j;
}

/* Byte offset of the column title on the first line and of the same column on line n. */
static long col(const char *text, int line, const char *needle)
{
	const char *l = text, *hit;

	for (int i = 0; i < line && l; i++) {
		l = strchr(l, '\n');
		l = l ? l + 1 : NULL;
	}
	if (!l)
		return -1;
	hit = strstr(l, needle);
	return hit ? hit - l : -1;
}

static void test_list_table(void)
{
	json_t *reqs = load(
		"[{\"id\":7,\"state\":\"pending\",\"zone\":\"acme\",\"requester\":\"eng1\","
		"\"access\":\"read\",\"created_at\":\"2025-11-28T18:00:00Z\",\"expires_at\":"
		"\"2025-11-28T19:00:00Z\",\"reason\":\"disk full on node 3\"},"
		"{\"id\":12345,\"state\":\"approved\",\"zone\":\"globex-east\",\"requester\":"
		"\"engineer-two\",\"access\":\"write\",\"created_at\":\"2025-11-28T18:05:00Z\","
		"\"expires_at\":\"2025-11-28T22:05:00Z\",\"reason\":\"rebuild the index\"}]");
	const char *out;
	FILE *f = start();

	ctl_print_list(f, reqs);
	out = finish(f);
	ok(!strncmp(out, "ID ", 3), "the table starts with its header");
	ok(strstr(out, "STATE") && strstr(out, "ZONE") && strstr(out, "REQUESTER") &&
		   strstr(out, "ACCESS") && strstr(out, "CREATED") && strstr(out, "EXPIRES") &&
		   strstr(out, "REASON"),
	   "the header names every column");
	is_int(col(out, 1, "pending"), col(out, 0, "STATE"), "STATE is aligned on row 1");
	is_int(col(out, 2, "approved"), col(out, 0, "STATE"), "STATE is aligned on row 2");
	is_int(col(out, 1, "eng1"), col(out, 0, "REQUESTER"), "REQUESTER is aligned on row 1");
	is_int(col(out, 2, "engineer-two"), col(out, 0, "REQUESTER"),
	       "REQUESTER is aligned on row 2");
	is_int(col(out, 1, "disk full"), col(out, 0, "REASON"), "REASON is aligned on row 1");
	is_int(col(out, 2, "rebuild"), col(out, 0, "REASON"), "REASON is aligned on row 2");
	is_int(col(out, 2, "2025-11-28T22:05:00Z"), col(out, 0, "EXPIRES"),
	       "times are printed whole and aligned");
	ok(strstr(out, "disk full on node 3\n") != NULL, "the reason ends the row, unpadded");
	json_decref(reqs);

	reqs = load("[]");
	f = start();
	ctl_print_list(f, reqs);
	is_str(finish(f), "no requests\n", "an empty list says so");
	json_decref(reqs);

	reqs = load("[{\"id\":1,\"state\":\"pending\",\"zone\":\"acme\",\"requester\":\"eng1\","
		    "\"access\":\"read\",\"created_at\":null,\"expires_at\":null,"
		    "\"reason\":\"evil\\u001b[2J reason\"}]");
	f = start();
	ctl_print_list(f, reqs);
	out = finish(f);
	ok(!strchr(out, '\x1b'), "a terminal escape in a reason is not printed raw");
	ok(strstr(out, "evil\\x1b[2J reason") != NULL, "it is shown as \\x1b");
	ok(strstr(out, " - ") != NULL, "null times read -");
	json_decref(reqs);
}

static void test_show(void)
{
	json_t *req = load(
		"{\"id\":7,\"state\":\"approved\",\"zone\":\"acme\",\"requester\":\"eng1\","
		"\"uid\":2001,\"access\":\"read\",\"reason\":\"disk full on node 3\",\"ticket\":"
		"null,\"duration\":14400,\"created_at\":\"2025-11-28T18:00:00Z\",\"expires_at\":"
		"\"2025-11-28T22:03:20Z\",\"decided_at\":\"2025-11-28T18:03:20Z\",\"decisions\":"
		"[{\"kind\":\"approve\",\"user\":\"acme-admin\",\"uid\":3001,\"comment\":\"go\","
		"\"at\":\"2025-11-28T18:03:20Z\"}],\"grant\":{\"id\":3,\"access\":\"read\","
		"\"expires_at\":\"2025-11-28T22:03:20Z\",\"active\":true},\"hosts\":[\"stor-*\","
		"\"db-1\"]}");
	const char *out;
	FILE *f = start();

	ctl_print_show(f, req);
	out = finish(f);
	ok(!strncmp(out, "id: 7\n", 6), "show starts with the id");
	ok(strstr(out, "\nstate: approved\n") != NULL, "state: value");
	ok(strstr(out, "\nzone: acme\n") != NULL, "zone: value");
	ok(strstr(out, "\nrequester: eng1 (uid 2001)\n") != NULL, "the requester with the uid");
	ok(strstr(out, "\nreason: disk full on node 3\n") != NULL, "reason: value");
	ok(strstr(out, "\nticket: -\n") != NULL, "no ticket reads -");
	ok(strstr(out, "\nduration: 4h\n") != NULL, "the duration as people write it");
	ok(strstr(out, "\nhosts: stor-*, db-1\n") != NULL, "the host patterns on one line");
	ok(strstr(out, "\nexpires_at: 2025-11-28T22:03:20Z\n") != NULL, "expires_at: time");
	ok(strstr(out, "\ngrant: 3 (read until 2025-11-28T22:03:20Z, active)\n") != NULL,
	   "the grant on one line");
	ok(strstr(out, "\ndecisions:\n  2025-11-28T18:03:20Z approve by acme-admin (uid 3001): "
		       "go\n") != NULL,
	   "the decisions listed under their heading");
	json_decref(req);

	req = load("{\"id\":8,\"state\":\"pending\",\"decisions\":[],\"grant\":null}");
	f = start();
	ctl_print_show(f, req);
	out = finish(f);
	ok(strstr(out, "\ngrant: none\n") != NULL, "no grant: none");
	ok(strstr(out, "\ndecisions: none\n") != NULL, "no decisions: none");
	ok(!strstr(out, "hosts:"), "no hosts from an older agent: no line");
	json_decref(req);
}

static void test_status(void)
{
	json_t *st = load("{\"mode\":\"enforce\",\"hooks\":[\"file_open\",\"file_permission\"],"
			  "\"counts\":{\"pending\":1,\"active\":2,\"engineers\":3,\"zones\":4},"
			  "\"events_lost\":5,\"depth_denied\":6,\"nolog_denied\":7,"
			  "\"outbox_pending\":8,\"version\":\"0.1.0\",\"uptime\":99}");
	const char *out;
	FILE *f = start();

	ctl_print_status(f, st);
	out = finish(f);
	ok(!strncmp(out, "mode: enforce\n", 14), "status starts with the mode");
	ok(strstr(out, "\nhooks: file_open, file_permission\n") != NULL, "the hooks on one line");
	ok(strstr(out, "\npending requests: 1\n") && strstr(out, "\nactive grants: 2\n") &&
		   strstr(out, "\nengineers: 3\n") && strstr(out, "\nzones: 4\n"),
	   "the counts");
	ok(strstr(out, "\nevents lost: 5\n") != NULL, "events lost");
	ok(strstr(out, "\ndenied at the depth limit: 6\n") != NULL, "depth denials");
	ok(strstr(out, "\ndenied for lack of log space: 7\n") != NULL, "no-log denials");
	ok(strstr(out, "\nnotifications queued: 8\n") != NULL, "the outbox");
	ok(strstr(out, "\nversion: 0.1.0\n") != NULL, "the version");
	ok(strstr(out, "\nuptime: 99\n") != NULL, "a field this CLI does not know still shows");
	json_decref(st);
}

static void test_records(void)
{
	json_t *rec = load("{\"seq\":12,\"time\":\"2026-11-28T18:00:00.123Z\",\"source\":"
			   "\"kernel\",\"type\":\"access.denied\",\"uid\":2001,\"user\":\"eng1\","
			   "\"zone\":\"acme\",\"request\":null,\"op\":\"open\",\"pid\":123,"
			   "\"comm\":\"cat\",\"path\":\"/srv/customers/acme/data.txt\","
			   "\"verdict\":\"deny\",\"reason\":\"no_grant\"}");
	FILE *f = start();

	ctl_print_record(f, rec);
	is_str(finish(f),
	       "#12 2026-11-28T18:00:00.123Z kernel access.denied eng1 acme open "
	       "/srv/customers/acme/data.txt (cat, pid 123)\n",
	       "a kernel event on one line");
	json_decref(rec);

	rec = load("{\"seq\":13,\"time\":\"2026-11-28T18:01:00.000Z\",\"source\":\"kernel\","
		   "\"type\":\"access.denied\",\"uid\":2001,\"user\":\"eng1\",\"zone\":\"acme\","
		   "\"op\":\"open\",\"pid\":9,\"comm\":\"sh\",\"path\":\"/srv/customers/acme/"
		   "\\u001b]0;pwned\\u0007x\",\"enforced\":false,\"request\":4}");
	f = start();
	ctl_print_record(f, rec);
	is_str(finish(f),
	       "#13 2026-11-28T18:01:00.000Z kernel access.denied eng1 acme open "
	       "/srv/customers/acme/\\x1b]0;pwned\\x07x (sh, pid 9) request 4 [permissive: not "
	       "enforced]\n",
	       "control characters in a path are escaped; permissive events are marked");
	json_decref(rec);

	rec = load("{\"seq\":15,\"time\":\"2026-11-28T18:01:30.000Z\",\"source\":\"kernel\","
		   "\"type\":\"access.allowed\",\"uid\":2001,\"user\":\"eng1\",\"zone\":\"acme\","
		   "\"op\":\"open\",\"pid\":0,\"comm\":\"\",\"path\":\"/srv/customers/acme\","
		   "\"request\":4,\"repeats\":true,\"count\":41}");
	f = start();
	ctl_print_record(f, rec);
	is_str(finish(f),
	       "#15 2026-11-28T18:01:30.000Z kernel access.allowed eng1 acme open "
	       "/srv/customers/acme (41 more opens) request 4\n",
	       "the guard's record of repeated opens shows its count, not a task");
	json_decref(rec);

	rec = load("{\"seq\":16,\"time\":\"2026-11-28T18:01:31.900Z\",\"source\":\"kernel\","
		   "\"type\":\"access.denied\",\"uid\":2002,\"user\":\"eng2\",\"zone\":\"acme\","
		   "\"op\":\"open\",\"pid\":0,\"comm\":\"\",\"path\":\"/srv/customers/acme/a.txt\","
		   "\"request\":null,\"repeats\":true,\"count\":27345,"
		   "\"first\":\"2026-11-28T18:01:30.901Z\",\"last\":\"2026-11-28T18:01:31.900Z\"}");
	f = start();
	ctl_print_record(f, rec);
	is_str(finish(f),
	       "#16 2026-11-28T18:01:31.900Z kernel access.denied eng2 acme open "
	       "/srv/customers/acme/a.txt (27345 times, 2026-11-28T18:01:30.901Z to "
	       "2026-11-28T18:01:31.900Z)\n",
	       "the guard's count of repeated denials shows the count, the first and the last");
	json_decref(rec);

	rec = load("{\"seq\":17,\"time\":\"2026-11-28T18:01:32.000Z\",\"source\":\"kernel\","
		   "\"type\":\"access.denied\",\"uid\":0,\"user\":\"root\",\"zone\":null,"
		   "\"op\":\"bpf\",\"pid\":0,\"comm\":\"\",\"path\":\"\",\"request\":null,"
		   "\"repeats\":true,\"count\":20000,\"first\":\"2026-11-28T18:01:31.000Z\","
		   "\"last\":\"2026-11-28T18:01:32.000Z\"}");
	f = start();
	ctl_print_record(f, rec);
	is_str(finish(f),
	       "#17 2026-11-28T18:01:32.000Z kernel access.denied root - bpf (20000 times, "
	       "2026-11-28T18:01:31.000Z to 2026-11-28T18:01:32.000Z)\n",
	       "a count of refused tampering, which names no file, shows no path");
	json_decref(rec);

	rec = load("{\"seq\":14,\"time\":\"2026-11-28T18:02:00.000Z\",\"source\":\"agent\","
		   "\"type\":\"request.created\",\"uid\":2001,\"user\":\"eng1\",\"zone\":\"acme\","
		   "\"request\":5,\"reason\":\"disk full on node 3\"}");
	f = start();
	ctl_print_record(f, rec);
	is_str(finish(f),
	       "#14 2026-11-28T18:02:00.000Z agent request.created eng1 acme request 5: disk "
	       "full on node 3\n",
	       "an agent record with its request and reason");
	json_decref(rec);

	rec = load("{\"seq\":15,\"time\":\"t\",\"source\":\"agent\",\"type\":\"events.lost\","
		   "\"uid\":null,\"zone\":null,\"request\":null}");
	f = start();
	ctl_print_record(f, rec);
	is_str(finish(f), "#15 t agent events.lost - -\n", "missing user and zone read -");
	json_decref(rec);

	rec = load("{\"seq\":16,\"time\":\"t\",\"source\":\"kernel\",\"type\":\"access.denied\","
		   "\"uid\":4242,\"zone\":\"acme\",\"op\":\"unlink\",\"pid\":1,\"comm\":\"rm\","
		   "\"path\":\"/x\"}");
	f = start();
	ctl_print_record(f, rec);
	is_str(finish(f), "#16 t kernel access.denied uid:4242 acme unlink /x (rm, pid 1)\n",
	       "a uid without a name is shown as uid:N");
	json_decref(rec);
}

static void test_json_and_escape(void)
{
	json_t *j = load("{\"a\":[1,2],\"b\":\"x\"}");
	char out[64];
	FILE *f = start();

	ctl_print_json(f, j, true);
	is_str(finish(f), "{\"a\":[1,2],\"b\":\"x\"}\n", "compact JSON is one line");
	f = start();
	ctl_print_json(f, j, false);
	ok(strchr(finish(f), '\n') != buf + strlen(buf) - 1, "indented JSON spans lines");
	json_decref(j);

	ctl_escape("a\tb\x7f"
		   "c\xc2\x9b"
		   "d\xc3\xa9",
		   out, sizeof(out));
	is_str(out, "a\\x09b\\x7fc\\x9bd\xc3\xa9", "C0, DEL and C1 escaped, other UTF-8 kept");
	ctl_escape("\x1b\x1b\x1b\x1b", out, 9);
	is_str(out, "\\x1b", "escaping stops whole when the buffer is full");
}

int main(void)
{
	test_list_table();
	test_show();
	test_status();
	test_records();
	test_json_and_escape();
	free(buf);
	return done_testing();
}
