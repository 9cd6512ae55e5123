// SPDX-License-Identifier: GPL-2.0-only
/*
 * Arbitrary bytes as a request line. Whatever comes in: no crash, no leak; an accepted
 * message goes back out through proto_request_json() and parses to the same request; a
 * refused one has an error naming a field that still makes a valid error reply.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "protocol.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

static void round_trip(const struct proto_req *r)
{
	struct proto_req back;
	char err[512], *s;
	json_t *j;

	j = proto_request_json(r);
	CHECK(j);
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	CHECK(s);
	CHECK(!proto_parse_request(s, strlen(s), &back, err, sizeof(err)));
	CHECK(!memcmp(r, &back, sizeof(back)));
	free(s);
}

static void error_reply(const char *err)
{
	struct proto_reply rep;
	char perr[256], *line;

	/* "field: what is wrong" */
	CHECK(err[0] && strchr(err, ':'));
	line = proto_reply_error(PROTO_E_INVALID, "%s", err);
	CHECK(line);
	CHECK(strchr(line, '\n') == line + strlen(line) - 1);
	CHECK(!proto_parse_reply(line, strlen(line), &rep, perr, sizeof(perr)));
	CHECK(!rep.ok && !strcmp(rep.code, PROTO_E_INVALID));
	proto_reply_release(&rep);
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_reply rep;
	struct proto_req r;
	char err[512] = "";

	if (!proto_parse_request((const char *)data, size, &r, err, sizeof(err))) {
		CHECK(r.version == LB_PROTO_VERSION && r.cmd < CMD_MAX);
		CHECK(memchr(r.zone, '\0', sizeof(r.zone)) &&
		      memchr(r.reason, '\0', sizeof(r.reason)));
		if (r.cmd == CMD_REQUEST || r.cmd == CMD_DENY)
			CHECK(strlen(r.reason) >= LB_REASON_MIN);
		if (r.cmd == CMD_REQUEST)
			CHECK(r.zone[0] && r.access);
		round_trip(&r);
	} else {
		error_reply(err);
	}
	/* the same bytes as a reply, as the CLI would read them */
	if (!proto_parse_reply((const char *)data, size, &rep, err, sizeof(err)))
		proto_reply_release(&rep);
	return 0;
}
