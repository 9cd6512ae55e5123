// SPDX-License-Identifier: GPL-2.0-only
/* The JSON notification payload: fields, actions by state, hostile text kept on one line. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "payload.h"

static struct request pending(void)
{
	struct request r = {.id = 42,
			    .uid = 2001,
			    .access = 1,
			    .duration = 3600,
			    .created_at = 1764633600,
			    .expires_at = 1764676800,
			    .state = REQ_PENDING};

	strcpy(r.zone, "acme");
	strcpy(r.requester, "eng1");
	strcpy(r.reason, "disk full on\nline two \"quoted\" \x1b[31m");
	strcpy(r.ticket, "INC-7");
	return r;
}

static json_t *built(const struct payload_event *ev, const struct request *r, char **text)
{
	json_error_t e;

	*text = payload_build(ev, r, 1764633700);
	return *text ? json_loads(*text, 0, &e) : NULL;
}

static void test_created_statement(void)
{
	const char *to[] = {"admin@acme.example"};
	const char *st = "{\"statement\":\"stor-17/42/x\",\"v\":1}\n";
	struct payload_event ev = {.event = "request.created",
				   .host = "stor-17",
				   .to = to,
				   .n_to = 1,
				   .statement = st};
	struct request r = pending();
	char *text;
	json_t *p = built(&ev, &r, &text);

	is_str(json_string_value(json_object_get(p, "statement")), st,
	       "the statement, exactly, to save as statement.json");
	is_str(json_string_value(json_object_get(json_object_get(p, "actions"), "sign")),
	       "ssh-keygen -Y sign -f ~/.ssh/id_ed25519 -n lockbox statement.json",
	       "the command to sign it");
	is_str(json_string_value(json_object_get(json_object_get(p, "actions"), "approve_signed")),
	       "lockboxctl approve 42 --signature statement.json.sig", "and to hand it back");
	json_decref(p);
	free(text);
}

static void test_created(void)
{
	const char *to[] = {"admin@acme.example", "ops@acme.example"};
	struct payload_event ev = {
		.event = "request.created", .host = "stor-17", .to = to, .n_to = 2};
	struct request r = pending();
	char *text;
	json_t *p = built(&ev, &r, &text);

	ok(p != NULL, "the payload is JSON");
	ok(text && !strchr(text, '\n'), "on one line, whatever the reason holds");
	is_str(json_string_value(json_object_get(p, "event")), "request.created", "event");
	is_str(json_string_value(json_object_get(p, "host")), "stor-17", "host");
	is_int(json_integer_value(json_object_get(p, "version")), 1, "a versioned shape");
	is_str(json_string_value(json_object_get(p, "time")), "2025-12-02T00:01:40Z", "time");
	is_int(json_integer_value(json_object_get(json_object_get(p, "request"), "id")), 42, "id");
	is_str(json_string_value(json_object_get(json_object_get(p, "request"), "zone")), "acme",
	       "zone");
	is_str(json_string_value(json_object_get(json_object_get(p, "request"), "requester")),
	       "eng1", "requester");
	is_str(json_string_value(json_object_get(json_object_get(p, "request"), "reason")),
	       r.reason, "the reason comes back byte for byte (escaped, not cut)");
	is_str(json_string_value(json_object_get(json_object_get(p, "request"), "expires_at")),
	       "2025-12-02T12:00:00Z", "expires_at in RFC 3339");
	is_int(json_array_size(json_object_get(p, "recipients")), 2, "the recipients");
	is_str(json_string_value(json_object_get(json_object_get(p, "actions"), "approve")),
	       "lockboxctl approve 42", "the command to approve");
	is_str(json_string_value(json_object_get(json_object_get(p, "actions"), "deny")),
	       "lockboxctl deny 42 --reason TEXT", "the command to deny");
	ok(json_is_null(json_object_get(p, "by")), "by: null for the requester's own act");
	json_decref(p);
	free(text);
}

static void test_decided(void)
{
	struct payload_event ev = {.event = "request.approved",
				   .host = "stor-17",
				   .by = "acme-admin",
				   .comment = "ok for INC-7"};
	struct request r = pending();
	char *text;
	json_t *p;

	r.state = REQ_APPROVED;
	p = built(&ev, &r, &text);
	is_str(json_string_value(json_object_get(p, "by")), "acme-admin", "who decided");
	is_str(json_string_value(json_object_get(p, "comment")), "ok for INC-7", "their comment");
	ok(!json_object_get(json_object_get(p, "actions"), "approve"),
	   "no approve action once decided");
	ok(json_object_get(json_object_get(p, "actions"), "show") != NULL, "show stays");
	json_decref(p);
	free(text);

	strcpy(r.reason, "bad \xff utf-8");
	errno = 0;
	ok(payload_build(&ev, &r, 0) == NULL && errno == EINVAL,
	   "text that is not UTF-8 is refused (EINVAL), not sent mangled");
}

int main(void)
{
	test_created_statement();
	test_created();
	test_decided();
	return done_testing();
}
