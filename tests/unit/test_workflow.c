// SPDX-License-Identifier: GPL-2.0-only
/*
 * The commands that change a request (workflow.c), on a real store and an
 * in-memory grant map: what each puts in the map, the store and the trail.
 */
#include "ctx_double.h"
#include "workflow.h"

#define REQ_ACME                                                                                   \
	"{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":\"disk full on node "           \
	"3\",\"duration\":3600,\"access\":\"write\"}"

static char line[512];

static const char *cmd_line(const char *cmd, int64_t id, const char *extra)
{
	snprintf(line, sizeof(line), "{\"v\":1,\"cmd\":\"%s\",\"id\":%lld%s}", cmd, (long long)id,
		 extra);
	return line;
}

static struct proto_reply decide(struct fake *f, uint32_t uid, const char *cmd, int64_t id,
				 const char *extra)
{
	struct caller c = who(uid);
	struct proto_req q = req(cmd_line(cmd, id, extra));

	return reply(cmd_decide(&f->x, &c, &q));
}

static int64_t file_request(struct fake *f, const char *text)
{
	struct caller c = who(ENG);
	struct proto_req q = req(text);
	struct proto_reply r = reply(cmd_request(&f->x, &c, &q));
	int64_t id = result_int(&r, "id");

	json_decref(r.result);
	return id;
}

static void test_request(struct fake *f)
{
	struct caller eng = who(ENG), appr = who(APPROVER);
	struct proto_req q = req(REQ_ACME);
	struct proto_reply r = reply(cmd_request(&f->x, &eng, &q));

	ok(r.ok, "an engineer files a request");
	is_str(result_str(&r, "state"), "pending", "it is pending");
	is_str(result_str(&r, "requester"), "daemon", "filed as daemon");
	is_int(f->puts, 0, "nothing in the grant map yet");
	is_int(count_type(f, "request.created", NULL), 1, "request.created in the trail");
	json_decref(r.result);

	r = reply(cmd_request(&f->x, &appr, &q));
	is_str(r.code, PROTO_E_NOT_PERMITTED, "an approver cannot file a request");
	q = req("{\"v\":1,\"cmd\":\"request\",\"zone\":\"nowhere\",\"reason\":\"disk full on "
		"node 3\"}");
	r = reply(cmd_request(&f->x, &eng, &q));
	is_str(r.code, PROTO_E_NOT_FOUND, "a zone not configured: not found");
	ok(strstr(r.message, "zones: acme, globex") != NULL, "and the zones are named: %s",
	   r.message);
}

static void test_approve_revoke(struct fake *f)
{
	int64_t id = file_request(f, REQ_ACME);
	struct caller eng = {
		.uid = APPROVER, .known = true, .engineer = true, .loginuid = LB_UID_UNSET};
	struct proto_req q = req(cmd_line("approve", id, ""));
	struct proto_reply r = decide(f, ENG, "approve", id, "");
	struct lb_grant g = {0};

	is_str(r.code, PROTO_E_NOT_PERMITTED, "the engineer cannot approve");
	r = reply(cmd_decide(&f->x, &eng, &q));
	is_str(r.code, PROTO_E_NOT_PERMITTED,
	       "bin's uid but an engineer by the guard's record: cannot approve");
	is_int(f->puts, 0, "no grant after refusals");

	f->n_done = 0;
	r = decide(f, APPROVER, "approve", id, ",\"comment\":\"ok for INC-42\"");
	ok(r.ok, "the approver approves");
	is_str(result_str(&r, "state"), "approved", "approved with one approval");
	json_decref(r.result);
	is_int(fg_get(f, ENG, f->zones[0].id, &g), 0, "the grant is in the map for (daemon, acme)");
	is_int(g.id, id, "the grant is the request's");
	is_int(g.access, LB_ACCESS_READ | LB_ACCESS_WRITE, "with write access");
	is_int(g.expires_ns, (T0 + 3600) * 1000000000ULL, "expiring after the duration asked");
	is_int(f->n_done ? f->done[0] : 0, id, "the request's waiters are woken");
	is_int(count_type(f, "request.approved", NULL), 1, "request.approved in the trail");

	r = decide(f, APPROVER, "approve", id, "");
	is_str(r.code, PROTO_E_CONFLICT, "approving an approved request: conflict");

	r = decide(f, APPROVER, "revoke", id, ",\"reason\":\"done with it\"");
	ok(r.ok, "the approver revokes");
	is_str(result_str(&r, "state"), "revoked", "revoked");
	json_decref(r.result);
	is_int(fg_get(f, ENG, f->zones[0].id, &g), -ENOENT, "the grant is gone from the map");
	ok(f->dels >= 1, "by a delete (%d)", f->dels);
	is_int(count_type(f, "grant.revoked", NULL), 1, "grant.revoked in the trail");
}

static void test_deny_cancel(struct fake *f)
{
	int64_t id = file_request(f, REQ_ACME);
	int puts = f->puts;
	struct caller appr = who(APPROVER);
	struct proto_req q = {.cmd = CMD_DENY, .id = id, .reason = "no"};
	struct proto_reply r = reply(cmd_decide(&f->x, &appr, &q));

	is_str(r.code, PROTO_E_INVALID, "a deny needs a reason of some length");
	r = decide(f, APPROVER, "deny", id, ",\"reason\":\"not during the freeze\"");
	ok(r.ok, "the approver denies");
	is_str(result_str(&r, "state"), "denied", "denied");
	json_decref(r.result);
	is_int(f->puts, puts, "a denied request puts nothing in the map");
	is_int(count_type(f, "request.denied", NULL), 1, "request.denied in the trail");

	id = file_request(f, REQ_ACME);
	r = decide(f, APPROVER, "cancel", id, "");
	is_str(r.code, PROTO_E_NOT_PERMITTED, "only the requester cancels");
	r = decide(f, ENG, "cancel", id, "");
	ok(r.ok, "the requester cancels");
	is_str(result_str(&r, "state"), "cancelled", "cancelled");
	json_decref(r.result);
	r = decide(f, APPROVER, "approve", id, "");
	is_str(r.code, PROTO_E_CONFLICT, "a cancelled request cannot be approved");
	r = decide(f, APPROVER, "approve", 9999, "");
	is_str(r.code, PROTO_E_NOT_FOUND, "no such request: not found");
}

static void test_two_approvals(struct fake *f)
{
	int64_t id = file_request(f, "{\"v\":1,\"cmd\":\"request\",\"zone\":\"globex\","
				     "\"reason\":\"disk full on node 3\",\"duration\":600}");
	struct lb_grant g;
	struct proto_reply r = decide(f, APPROVER, "approve", id, "");

	ok(r.ok, "first of two approvals");
	is_str(result_str(&r, "state"), "pending", "still pending after one of two");
	is_int(result_int(&r, "approvals"), 1, "one approval counted");
	json_decref(r.result);
	is_int(fg_get(f, ENG, f->zones[1].id, &g), -ENOENT, "no grant after one of two");
	r = decide(f, APPROVER, "approve", id, "");
	is_str(r.code, PROTO_E_CONFLICT, "the same approver twice: conflict");
	r = decide(f, APPROVER2, "approve", id, "");
	ok(r.ok, "second approver");
	is_str(result_str(&r, "state"), "approved", "approved after two");
	json_decref(r.result);
	is_int(fg_get(f, ENG, f->zones[1].id, &g), 0, "now the grant is in the map");
	is_int(g.access, LB_ACCESS_READ, "read access by default");
	is_int(g.expires_ns, (T0 + 600) * 1000000000ULL, "for the 600 s asked");
}

static void test_expire(struct fake *f)
{
	int64_t id = file_request(f, REQ_ACME), pending;
	struct lb_grant g;
	struct proto_reply r = decide(f, APPROVER, "approve", id, "");
	struct request rq;
	int expired, req_expired;

	json_decref(r.result);
	pending = file_request(f, REQ_ACME);
	is_int(expire_due(&f->x, T0 + 3599), 0, "expire_due before the end");
	expired = count_type(f, "grant.expired", NULL);
	req_expired = count_type(f, "request.expired", NULL);
	is_int(fg_get(f, ENG, f->zones[0].id, &g), 0, "the grant is still there");
	fake_clock = T0 + 3600;
	is_int(expire_due(&f->x, T0 + 3600), 0, "expire_due at the end");
	is_int(fg_get(f, ENG, f->zones[0].id, &g), -ENOENT, "the grant is deleted");
	store_request_get(f->st, id, &rq);
	is_str(req_state_name(rq.state), "expired", "the request is expired");
	is_int(count_type(f, "grant.expired", NULL), expired + 1, "grant.expired in the trail");
	store_request_get(f->st, pending, &rq);
	is_str(req_state_name(rq.state), "pending", "a pending request within its ttl stays");
	fake_clock = T0 + f->cfg->request_ttl;
	is_int(expire_due(&f->x, fake_clock), 0, "expire_due at the request ttl");
	store_request_get(f->st, pending, &rq);
	is_str(req_state_name(rq.state), "expired", "the unanswered request is expired");
	ok(count_type(f, "request.expired", NULL) > req_expired, "request.expired in the trail");
	fake_clock = T0;
}

/* The last message queued, or "" (the outbox keeps them in order). */
static const char *last_message(struct fake *f, char *buf, size_t len, char *to, size_t tolen)
{
	struct outbox_msg m = {0};

	buf[0] = to[0] = 0;
	while (store_outbox_next_due(f->st, INT64_MAX, &m) == 0) {
		snprintf(buf, len, "%s", m.message);
		snprintf(to, tolen, "%s", m.recipients ? m.recipients : "");
		store_outbox_done(f->st, m.id);
		outbox_msg_clear(&m);
	}
	return buf;
}

/* notify.format "json" and notify.addresses: a payload to the mapped address. */
/* A decision whose reply is not looked at. */
static void decided(struct fake *f, const char *cmd, int64_t id, const char *extra)
{
	struct proto_reply r = decide(f, APPROVER, cmd, id, extra);

	json_decref(r.result);
}

static void test_notify_format(struct fake *f)
{
	static struct user_address map[] = {{"daemon", "dee@corp.example"}, {NULL, NULL}};
	char msg[4096], to[256];
	json_error_t e;
	json_t *p;
	int64_t id;

	id = file_request(f, REQ_ACME);
	decided(f, "approve", id, "");
	last_message(f, msg, sizeof(msg), to, sizeof(to));
	ok(!strncmp(msg, "Date: ", 6), "mail by default: an RFC 5322 message");
	ok(strstr(to, "daemon@") == to, "to user@domain of from: %s", to);
	decided(f, "revoke", id, ",\"reason\":\"done with it\"");

	f->cfg->notify_format = strdup("json");
	f->cfg->notify_addresses = map;
	id = file_request(f, REQ_ACME);
	decided(f, "approve", id, ",\"comment\":\"go\"");
	p = json_loads(last_message(f, msg, sizeof(msg), to, sizeof(to)), 0, &e);
	ok(p != NULL, "notify.format json: the message is JSON");
	is_str(json_string_value(json_object_get(p, "event")), "request.approved", "its event");
	is_str(json_string_value(json_object_get(p, "comment")), "go", "the approver's comment");
	is_str(json_string_value(json_object_get(p, "by")), "bin", "who approved");
	is_str(to, "dee@corp.example", "sent to the address notify.addresses maps daemon to");
	is_int(json_integer_value(json_object_get(json_object_get(p, "request"), "id")), id,
	       "about the request");
	json_decref(p);
	decided(f, "revoke", id, ",\"reason\":\"done with it\"");
	free(f->cfg->notify_format);
	f->cfg->notify_format = NULL;
	f->cfg->notify_addresses = NULL;
}

int main(void)
{
	struct fake f;

	if (!ok(fake_open(&f) == 0, "a context on a temp store"))
		return done_testing();
	test_request(&f);
	test_approve_revoke(&f);
	test_deny_cancel(&f);
	test_two_approvals(&f);
	test_expire(&f);
	test_notify_format(&f);
	fake_close(&f);
	return done_testing();
}
