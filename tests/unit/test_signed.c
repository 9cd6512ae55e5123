// SPDX-License-Identifier: GPL-2.0-only
/*
 * Signed approvals (signed.c) on a real store and an in-memory grant map: the
 * statement of a request, and approve --signature with keys and signatures made
 * by ssh-keygen, as an approver would make them.
 */
#include "ctx_double.h"
#include "queries.h"
#include "signed.h"
#include "workflow.h"

#define REQ_HOSTS(zone, hosts)                                                                     \
	"{\"v\":1,\"cmd\":\"request\",\"zone\":\"" zone "\",\"reason\":\"disk full on node "       \
	"3\",\"duration\":3600,\"hosts\":\"" hosts "\"}"

static char line[256];

static int64_t file_request(struct fake *f, const char *text)
{
	struct caller c = who(ENG);
	struct proto_req q = req(text);
	struct proto_reply r = reply(cmd_request(&f->x, &c, &q));
	int64_t id = result_int(&r, "id");

	json_decref(r.result);
	return id;
}

/* statement ID [--revoke] as @uid: the text (free it), or NULL with @code set. */
static char *statement_of(struct fake *f, uint32_t uid, int64_t id, bool revoke, char *code)
{
	struct caller c = who(uid);
	struct proto_req q;
	struct proto_reply r;
	char *text = NULL;

	snprintf(line, sizeof(line), "{\"v\":1,\"cmd\":\"statement\",\"id\":%lld%s}", (long long)id,
		 revoke ? ",\"revoke\":true" : "");
	q = req(line);
	r = reply(cmd_statement(&f->x, &c, &q));
	snprintf(code, 32, "%s", r.code);
	if (r.ok && json_is_string(json_object_get(r.result, "statement")))
		text = strdup(json_string_value(json_object_get(r.result, "statement")));
	json_decref(r.result);
	return text;
}

static void test_statement(struct fake *f)
{
	int64_t id = file_request(f, REQ_HOSTS("acme", "stor-*,db-1"));
	struct statement st = {0};
	char code[32], want_id[STATEMENT_ID_MAX], err[256];
	char *text = statement_of(f, ENG, id, false, code);

	ok(text != NULL, "the requester gets the statement (%s)", code);
	if (!text)
		return;
	is_int(statement_parse(text, strlen(text), &st, err, sizeof(err)), 0,
	       "it is a canonical statement (%s)", err);
	statement_make_id("testhost", id, T0, want_id);
	is_str(st.id, want_id, "its id is this host / request id / created_at");
	is_str(st.zone, "acme", "its zone");
	is_str(st.engineer, "daemon", "its engineer");
	is_int(st.n_hosts, 2, "both host patterns");
	ok(st.n_hosts == 2 && !strcmp(st.hosts[0], "stor-*") && !strcmp(st.hosts[1], "db-1"),
	   "in the order asked");
	is_int(st.duration, 3600, "its duration");
	is_int(st.redeem_by, T0 + f->cfg->request_ttl, "redeem by: when the request lapses");
	statement_free(&st);
	free(text);
	text = statement_of(f, APPROVER, id, false, code);
	ok(text != NULL, "the zone's approver gets it too");
	free(text);
	text = statement_of(f, SECURITY, id, false, code);
	ok(text != NULL, "and security");
	free(text);
	ok(!statement_of(f, APPROVER2, id, false, code), "an approver of another zone does not");
	is_str(code, PROTO_E_NOT_PERMITTED, "not permitted");
	ok(!statement_of(f, ENG, 9999, false, code), "no such request");
	is_str(code, PROTO_E_NOT_FOUND, "not found");
	ok(!statement_of(f, ENG, id, true, code), "no revocation statement while pending");
	is_str(code, PROTO_E_CONFLICT, "conflict");
}

static void test_revocation_statement(struct fake *f)
{
	int64_t id = file_request(f, REQ_HOSTS("acme", "stor-1"));
	struct caller appr = who(APPROVER);
	struct proto_req q;
	struct statement st = {0};
	char code[32], err[256], *text;

	snprintf(line, sizeof(line), "{\"v\":1,\"cmd\":\"approve\",\"id\":%lld}", (long long)id);
	q = req(line);
	free(cmd_decide(&f->x, &appr, &q));
	ok(!statement_of(f, ENG, id, false, code), "no approval statement once approved");
	is_str(code, PROTO_E_CONFLICT, "conflict");
	text = statement_of(f, APPROVER, id, true, code);
	ok(text != NULL, "the revocation statement of an approved request (%s)", code);
	if (!text)
		return;
	is_int(statement_parse(text, strlen(text), &st, err, sizeof(err)), 0,
	       "it is a canonical statement (%s)", err);
	is_int(st.type, STATEMENT_REVOCATION, "a revocation");
	ok(strstr(st.id, "testhost/") == st.id, "of this host's statement %s", st.id);
	statement_free(&st);
	free(text);
}

int main(void)
{
	struct fake f;

	if (!ok(fake_open(&f) == 0, "a context on a temp store"))
		return done_testing();
	test_statement(&f);
	test_revocation_statement(&f);
	fake_close(&f);
	return done_testing();
}
