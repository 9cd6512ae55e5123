// SPDX-License-Identifier: GPL-2.0-only
/*
 * The commands that read (queries.c): who sees which request, what show says
 * of the grant the map holds, status's counts, the audit trail and its check,
 * and wait's answers now and later.
 */
#include "ctx_double.h"
#include "queries.h"
#include "workflow.h"

#define REQ_ACME                                                                                   \
	"{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":\"disk full on node "           \
	"3\",\"duration\":3600}"
#define REQ_GLOBEX                                                                                 \
	"{\"v\":1,\"cmd\":\"request\",\"zone\":\"globex\",\"reason\":\"disk full on node 3\"}"

static char line[256];

static struct proto_req id_req(const char *cmd, int64_t id)
{
	snprintf(line, sizeof(line), "{\"v\":1,\"cmd\":\"%s\",\"id\":%lld}", cmd, (long long)id);
	return req(line);
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

/* How many requests @c sees in a list of all states. */
static int listed(struct fake *f, struct caller c)
{
	struct proto_req q = req("{\"v\":1,\"cmd\":\"list\",\"state\":\"all\"}");
	struct proto_reply r = reply(cmd_list(&f->x, &c, &q));
	int n = r.ok ? (int)json_array_size(r.result) : -1;

	json_decref(r.result);
	return n;
}

static void test_list(struct fake *f)
{
	struct caller anyone = {.uid = APPROVER, .loginuid = LB_UID_UNSET};

	file_request(f, REQ_ACME);
	file_request(f, REQ_GLOBEX);
	is_int(listed(f, who(ENG)), 2, "the engineer sees both of his requests");
	is_int(listed(f, who(APPROVER)), 2, "bin approves both zones: sees both");
	is_int(listed(f, who(APPROVER2)), 1, "sync approves globex only: sees one");
	is_int(listed(f, who(SECURITY)), 2, "security sees all");
	is_int(listed(f, anyone), 0, "a caller the guard did not record sees none");
}

/* show's "grant" object for @id as @uid, or NULL; owned. */
static json_t *shown_grant(struct fake *f, uint32_t uid, int64_t id, const char **code)
{
	struct caller c = who(uid);
	struct proto_req q = id_req("show", id);
	struct proto_reply r = reply(cmd_show(&f->x, &c, &q));
	json_t *g = r.ok ? json_incref(json_object_get(r.result, "grant")) : NULL;
	static char last[32];

	snprintf(last, sizeof(last), "%s", r.code);
	*code = last;
	json_decref(r.result);
	return g;
}

static void test_show(struct fake *f)
{
	int64_t id = file_request(f, REQ_ACME);
	struct caller appr = who(APPROVER);
	struct proto_req q = id_req("approve", id);
	const char *code;
	json_t *g;

	free(cmd_decide(&f->x, &appr, &q));
	g = shown_grant(f, ENG, id, &code);
	ok(json_is_object(g), "show has the grant of an approved request");
	ok(json_is_true(json_object_get(g, "active")), "active: the map holds this grant");
	is_str(json_string_value(json_object_get(g, "access")), "read", "its access");
	json_decref(g);
	fg_put(f, ENG, f->zones[0].id, id + 100, LB_ACCESS_READ, 0);
	g = shown_grant(f, ENG, id, &code);
	ok(json_is_false(json_object_get(g, "active")),
	   "not active when the map holds another grant");
	json_decref(g);
	fg_del(f, ENG, f->zones[0].id);
	g = shown_grant(f, ENG, id, &code);
	ok(json_is_false(json_object_get(g, "active")),
	   "not active once the map lost it, whatever the store says");
	json_decref(g);
	g = shown_grant(f, APPROVER2, id, &code);
	is_str(code, PROTO_E_NOT_PERMITTED, "sync does not approve acme: may not show it");
	g = shown_grant(f, ENG, 9999, &code);
	is_str(code, PROTO_E_NOT_FOUND, "no such request: not found");
}

/* show's "hosts" for @id, joined with ","; "" if none. */
static const char *shown_hosts(struct fake *f, int64_t id)
{
	static char buf[512];
	struct caller c = who(ENG);
	struct proto_req q = id_req("show", id);
	struct proto_reply r = reply(cmd_show(&f->x, &c, &q));
	json_t *h = r.ok ? json_object_get(r.result, "hosts") : NULL;
	size_t i, n = 0;
	json_t *v;

	buf[0] = '\0';
	json_array_foreach (h, i, v)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? "," : "", json_string_value(v));
	json_decref(r.result);
	return buf;
}

static void test_hosts(struct fake *f)
{
	int64_t id = file_request(f, REQ_GLOBEX);

	is_str(shown_hosts(f, id), "testhost", "no --hosts: the request covers this host");
	id = file_request(f, "{\"v\":1,\"cmd\":\"request\",\"zone\":\"acme\",\"reason\":"
			     "\"disk full on node 3\",\"hosts\":\"stor-*,db-1\"}");
	is_str(shown_hosts(f, id), "stor-*,db-1", "show --json has the hosts asked for, in order");
	is_int(count_type(f, "request.created", NULL) > 0, 1, "request.created recorded");
}

static void test_status(struct fake *f)
{
	struct caller c = who(ENG);
	struct proto_req q = req("{\"v\":1,\"cmd\":\"status\"}");
	struct proto_reply r;
	json_t *counts;

	f->cnt[LB_CNT_EVENTS_LOST] = 7;
	f->x.n_engineers = 1;
	r = reply(cmd_status(&f->x, &c, &q));
	ok(r.ok, "status answers anyone");
	counts = json_object_get(r.result, "counts");
	is_int(json_integer_value(json_object_get(counts, "pending")), 2, "two pending");
	is_int(json_integer_value(json_object_get(counts, "active")), 1, "one active");
	is_int(json_integer_value(json_object_get(counts, "zones")), 2, "two zones");
	is_int(json_integer_value(json_object_get(counts, "engineers")), 1, "one engineer");
	is_int(result_int(&r, "events_lost"), 7, "the kernel's lost counter");
	is_str(result_str(&r, "mode"), "enforce", "the guard's mode");
	is_int(json_array_size(json_object_get(r.result, "hooks")), 1, "the hooks");
	json_decref(r.result);
	f->cnt[LB_CNT_EVENTS_LOST] = 0;
}

static void test_audit(struct fake *f)
{
	struct caller sec = who(SECURITY), eng = who(ENG);
	struct proto_req q = req("{\"v\":1,\"cmd\":\"audit\",\"follow\":true}");
	struct proto_reply r;
	bool follow = false;

	r = reply(cmd_audit(&f->x, &eng, &q, &follow));
	is_str(r.code, PROTO_E_NOT_PERMITTED, "an engineer may not read the trail");
	ok(!follow, "nor follow it");
	r = reply(cmd_audit(&f->x, &sec, &q, &follow));
	ok(r.ok, "security reads the trail");
	is_int(json_array_size(r.result), audit_last_seq(f->st), "every record");
	ok(follow, "and follows it when asked");
	json_decref(r.result);

	q = req("{\"v\":1,\"cmd\":\"verify\"}");
	r = reply(cmd_verify(&f->x, &sec, &q));
	ok(r.ok && json_is_true(json_object_get(r.result, "ok")), "verify: intact");
	is_int(result_int(&r, "records"), audit_last_seq(f->st), "verify: every record checked");
	json_decref(r.result);
	r = reply(cmd_verify(&f->x, &eng, &q));
	is_str(r.code, PROTO_E_NOT_PERMITTED, "an engineer may not verify");
}

static void test_wait(struct fake *f)
{
	int64_t id = file_request(f, REQ_ACME), wait_id = 0, until = 0;
	struct caller eng = who(ENG), appr = who(APPROVER);
	struct proto_req q = req("{\"v\":1,\"cmd\":\"wait\",\"id\":1,\"timeout\":30}");
	struct proto_reply r;
	char *now;

	q.id = id;
	now = cmd_wait(&f->x, &eng, &q, &wait_id, &until);
	ok(now == NULL, "a pending request: no answer yet");
	is_int(wait_id, id, "the caller waits on it");
	is_int(until, T0 + 30, "for the timeout asked");
	ok(wait_answer(&f->x, id, until, T0 + 29) == NULL, "still waiting before the timeout");
	r = reply(wait_answer(&f->x, id, until, T0 + 30));
	is_str(r.code, PROTO_E_TIMEOUT, "timeout at the deadline");
	q = (struct proto_req){.cmd = CMD_DENY, .id = id, .reason = "not during the freeze"};
	free(cmd_decide(&f->x, &appr, &q));
	r = reply(wait_answer(&f->x, id, 0, 0));
	ok(r.ok, "answered once decided");
	is_str(result_str(&r, "state"), "denied", "with the new state");
	json_decref(r.result);
	q = id_req("wait", id);
	wait_id = 0;
	r = reply(cmd_wait(&f->x, &eng, &q, &wait_id, &until));
	ok(r.ok && wait_id == 0, "waiting on a decided request answers at once");
	json_decref(r.result);
}

int main(void)
{
	struct fake f;

	if (!ok(fake_open(&f) == 0, "a context on a temp store"))
		return done_testing();
	test_list(&f);
	test_show(&f);
	test_status(&f);
	test_audit(&f);
	test_wait(&f);
	test_hosts(&f); /* last: status counts the requests above */
	fake_close(&f);
	return done_testing();
}
