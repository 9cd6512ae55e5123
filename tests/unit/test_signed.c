// SPDX-License-Identifier: GPL-2.0-only
/*
 * Signed approvals (signed.c) on a real store and an in-memory grant map: the
 * statement of a request, and approve --signature with keys and signatures made
 * by ssh-keygen, as an approver would make them.
 */
#include "ctx_double.h"
#include "sshtest.h"
#include "queries.h"
#include "signed.h"
#include "sshsig.h"
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

/* ssh-keygen -Y sign with key @key over @text (as s.json): the armored signature (free it). */
static char *sign_text(const char *key, const char *ns, const char *text)
{
	if (spit("s.json", text, strlen(text)) || sh("rm -f s.json.sig") ||
	    sh("ssh-keygen -q -Y sign -f %s -n %s s.json 2>/dev/null", key, ns))
		return NULL;
	return slurp("s.json.sig", NULL);
}

/* approve ID --signature (the armor @sig) sent by @uid: the reply. */
static struct proto_reply approve_sig(struct fake *f, uint32_t uid, int64_t id, const char *sig)
{
	static struct proto_req q;
	struct caller c = who(uid);

	proto_req_init(&q, CMD_APPROVE);
	q.id = id;
	snprintf(q.signature, sizeof(q.signature), "%s", sig ? sig : "");
	return reply(cmd_approve_signature(&f->x, &c, &q));
}

/* Request @id's statement signed by @key: the reply to approve --signature sent by @uid. */
static struct proto_reply approve_by(struct fake *f, uint32_t uid, int64_t id, const char *key)
{
	char code[32], *text = statement_of(f, ENG, id, false, code);
	char *sig = text ? sign_text(key, "lockbox", text) : NULL;
	struct proto_reply r = approve_sig(f, uid, id, sig);

	free(text);
	free(sig);
	return r;
}

static bool refused(struct proto_reply r, const char *code, const char *why, const char *what)
{
	bool good = !r.ok && !strcmp(r.code, code) && strstr(r.message, why);

	if (!ok(good, "%s: refused, %s", what, why))
		printf("#   got %s \"%s\"\n", r.ok ? "ok" : r.code, r.message);
	json_decref(r.result);
	return good;
}

static void test_signed_approval(struct fake *f)
{
	int64_t id = file_request(f, REQ_HOSTS("acme", "stor-*"));
	char code[32], *text = statement_of(f, ENG, id, false, code);
	char *sig = text ? sign_text("appr", "lockbox", text) : NULL;
	int approved = count_type(f, "request.approved", NULL), puts = f->puts;
	struct proto_reply r = approve_sig(f, ENG, id, sig);
	json_t *rec = NULL;
	char line[SSHKEY_LINE_MAX];

	ok(r.ok, "a signature by acme's approver key approves, whoever sends it (%s)", r.message);
	is_str(result_str(&r, "state"), "approved", "the request is approved");
	json_decref(r.result);
	ok(f->puts > puts && fake_find(f, ENG, f->zones[0].id), "the grant is in the map");
	is_int(count_type(f, "request.approved", &rec), approved + 1,
	       "request.approved in the trail");
	is_str(json_string_value(json_object_get(rec, "user")), "bin", "by bin, the key's name");
	is_str(json_string_value(json_object_get(rec, "key_name")), "bin", "key_name");
	is_str(json_string_value(json_object_get(rec, "statement")), text ? text : "",
	       "the statement signed, exactly");
	is_str(json_string_value(json_object_get(rec, "signature")), sig ? sig : "",
	       "the armored signature");
	sshkey_to_line(&f->cfg->zones[0].approver_keys[0].key, line);
	is_str(json_string_value(json_object_get(rec, "key")), line, "the signer's key line");
	is_str(json_string_value(json_object_get(rec, "sent_by")), "daemon", "sent by daemon");
	is_int(json_integer_value(json_object_get(rec, "sent_by_uid")), ENG, "sent_by_uid");
	ok(json_is_null(json_object_get(rec, "uid")), "uid null: bin is a key's name here");
	json_decref(rec);
	refused(approve_sig(f, APPROVER, id, sig), PROTO_E_NOT_PERMITTED, "request not pending",
		"the same signature again, the request approved");
	free(sig);
	free(text);
}

static void test_refusals(struct fake *f)
{
	int64_t id = file_request(f, REQ_HOSTS("acme", "stor-*"));
	char code[32], *text = statement_of(f, ENG, id, false, code), *edited, *sig;
	int approved = count_type(f, "request.approved", NULL);

	refused(approve_by(f, ENG, id, "other"), PROTO_E_NOT_PERMITTED, "key not trusted",
		"a key nobody listed");
	refused(approve_by(f, ENG, id, "g2"), PROTO_E_NOT_PERMITTED,
		"key not trusted for zone acme", "a key of another zone");
	refused(approve_by(f, ENG, id, "own"), PROTO_E_NOT_PERMITTED, "filed request",
		"the requester's own key");
	edited = strdup(text ? text : "");
	if (strstr(edited, "disk full"))
		strstr(edited, "disk full")[0] = 'D'; /* one byte of the reason */
	sig = sign_text("appr", "lockbox", edited);
	refused(approve_sig(f, ENG, id, sig), PROTO_E_NOT_PERMITTED, "signature over another",
		"a statement edited before signing");
	free(sig);
	sig = sign_text("appr", "file", text ? text : "");
	refused(approve_sig(f, ENG, id, sig), PROTO_E_NOT_PERMITTED, "bad signature",
		"a signature for another namespace");
	free(sig);
	refused(approve_sig(f, ENG, id, "-----BEGIN SSH SIGNATURE-----\nAAAA\n"),
		PROTO_E_NOT_PERMITTED, "bad signature", "a broken armor");
	refused(approve_sig(f, ENG, 9999, "x"), PROTO_E_NOT_FOUND, "no request", "no such request");
	fake_clock = T0 + f->cfg->request_ttl;
	refused(approve_by(f, ENG, id, "appr"), PROTO_E_NOT_PERMITTED, "deadline passed",
		"a request past its deadline");
	fake_clock = T0;
	is_int(count_type(f, "request.approved", NULL), approved, "none of them approved anything");
	sig = sign_text("appr", "lockbox", text ? text : "");
	{
		static struct proto_req q;
		struct caller c = who(ENG);

		proto_req_init(&q, CMD_APPROVE);
		q.id = id;
		snprintf(q.signature, sizeof(q.signature), "%s", sig ? sig : "");
		refused(reply(cmd_decide(&f->x, &c, &q)), PROTO_E_INTERNAL, "signed approval",
			"a signature that reached the local approve");
	}
	free(sig);
	free(edited);
	free(text);
}

static void test_distinct_names(struct fake *f)
{
	int64_t id = file_request(f, REQ_HOSTS("globex", "stor-*"));
	struct proto_reply r = approve_by(f, ENG, id, "g1");
	struct proto_req q;
	struct caller bin = who(APPROVER);

	is_int(result_int(&r, "approvals"), 1, "globex: bin's signature is one approval of two");
	json_decref(r.result);
	refused(approve_by(f, ENG, id, "g1"), PROTO_E_CONFLICT, "bin already approved",
		"bin's second signature");
	snprintf(line, sizeof(line), "{\"v\":1,\"cmd\":\"approve\",\"id\":%lld}", (long long)id);
	q = req(line);
	refused(reply(cmd_decide(&f->x, &bin, &q)), PROTO_E_CONFLICT, "already approved",
		"bin approving locally after signing");
	r = approve_by(f, ENG, id, "g2");
	is_str(result_str(&r, "state"), "approved", "sync's signature is the second: approved");
	is_int(result_int(&r, "approvals"), 2, "two approvals, by two names");
	json_decref(r.result);
}

/* NAME.pub's line: the key made now, or the one made before (free it). */
static char *key_once(const char *name)
{
	char pub[64], *line;

	snprintf(pub, sizeof(pub), "%s.pub", name);
	line = slurp(pub, NULL);
	return line ? line : keygen(name, "ed25519");
}

/* A public key line without its newline, as a JSON string (a new reference). */
static json_t *key_json(const char *name)
{
	char *line = key_once(name);
	json_t *j;

	if (!line)
		return json_null();
	line[strcspn(line, "\n")] = '\0';
	j = json_string(line);
	free(line);
	return j;
}

/*
 * The fake's config with approver_keys: acme trusts appr (as bin) and own (as daemon,
 * the requester); globex trusts g1 (bin) and g2 (sync); sec (as sys) is a security
 * key. "other" is nobody's.
 */
static int use_keys(struct fake *f)
{
	char dir[96], dir2[96], err[256] = "", *text;
	struct config *cfg;
	json_t *c;
	int ret;

	snprintf(dir, sizeof(dir), "%s/acme", f->dir);
	snprintf(dir2, sizeof(dir2), "%s/globex", f->dir);
	c = json_pack(
		"{s:s, s:{s:[s],s:[]}, s:{s:[s],s:[]}, s:[{s:s,s:o}], s:[{s:s,s:[s],s:{s:[s],s:[]},"
		"s:[{s:s,s:o},{s:s,s:o},{s:s,s:o}]}, {s:s,s:[s],s:i,s:{s:[s,s],s:[]},"
		"s:[{s:s,s:o},{s:s,s:o}]}]}",
		"host", "testhost", "engineers", "users", "daemon", "groups", "security", "users",
		"sys", "groups", "security_keys", "name", "sys", "key", key_json("sec"), "zones",
		"name", "acme", "paths", dir, "approvers", "users", "bin", "groups",
		"approver_keys", "name", "bin", "key", key_json("appr"), "name", "daemon", "key",
		key_json("own"), "name", "ops", "key", key_json("appr2"), "name", "globex", "paths",
		dir2, "approvals_required", 2, "approvers", "users", "bin", "sync", "groups",
		"approver_keys", "name", "bin", "key", key_json("g1"), "name", "sync", "key",
		key_json("g2"));
	text = json_dumps(c, JSON_COMPACT);
	json_decref(c);
	ret = config_parse(text, strlen(text), &cfg, err, sizeof(err));
	free(text);
	text = ret ? NULL : key_once("other");
	if (!text) {
		printf("# config: %s\n", err);
		return -EINVAL;
	}
	free(text);
	config_free(f->cfg);
	f->cfg = cfg;
	f->x.cfg = cfg;
	for (int i = 0; i < 2; i++)
		f->zones[i].cfg = &cfg->zones[i];
	return 0;
}

/* The fake's config with acme taking only FIDO keys: bin's is an sk key. */
static int use_hardware(struct fake *f, const unsigned char pk[32])
{
	unsigned char kb[256];
	char *line = key_line("sk-ssh-ed25519@openssh.com", kb, sk_blob(kb, pk, "ssh:"));
	char dir[96], dir2[96], err[256] = "", *text;
	struct config *cfg;
	json_t *c;
	int ret;

	line[strcspn(line, "\n")] = '\0';
	snprintf(dir, sizeof(dir), "%s/acme", f->dir);
	snprintf(dir2, sizeof(dir2), "%s/globex", f->dir);
	c = json_pack("{s:{s:[s],s:[]}, s:[{s:s,s:[s],s:{s:[s],s:[]},s:b,s:[{s:s,s:s}]}, "
		      "{s:s,s:[s],s:{s:[s],s:[]}}]}",
		      "engineers", "users", "daemon", "groups", "zones", "name", "acme", "paths",
		      dir, "approvers", "users", "bin", "groups", "hardware_keys_only", 1,
		      "approver_keys", "name", "bin", "key", line, "name", "globex", "paths", dir2,
		      "approvers", "users", "sync", "groups");
	free(line);
	text = json_dumps(c, JSON_COMPACT);
	json_decref(c);
	ret = config_parse(text, strlen(text), &cfg, err, sizeof(err));
	free(text);
	if (ret) {
		printf("# config: %s\n", err);
		return ret;
	}
	config_free(f->cfg);
	f->cfg = cfg;
	f->x.cfg = cfg;
	for (int i = 0; i < 2; i++)
		f->zones[i].cfg = &cfg->zones[i];
	return 0;
}

static char *sk_sign(EVP_PKEY *k, const unsigned char pk[32], uint8_t flags, const char *msg);

static void test_hardware_keys_only(struct fake *f)
{
	unsigned char pk[32];
	EVP_PKEY *k = ed25519_new(pk);
	int64_t id = file_request(f, REQ_HOSTS("acme", "stor-*"));
	char code[32], *text = statement_of(f, ENG, id, false, code), *sig;
	struct proto_reply r;

	if (!ok(use_hardware(f, pk) == 0 && text, "acme now takes only hardware keys"))
		return;
	refused(approve_by(f, ENG, id, "appr"), PROTO_E_NOT_PERMITTED, "key not trusted",
		"the ed25519 key acme no longer lists");
	sig = sk_sign(k, pk, 0, text);
	refused(approve_sig(f, ENG, id, sig), PROTO_E_NOT_PERMITTED, "presence flag missing",
		"bin's FIDO key, not touched");
	free(sig);
	sig = sk_sign(k, pk, SSHSIG_SK_USER_PRESENT, text);
	r = approve_sig(f, ENG, id, sig);
	ok(r.ok, "bin's FIDO key, touched: approved (%s)", r.message);
	is_str(result_str(&r, "state"), "approved", "the request is approved");
	json_decref(r.result);
	free(sig);
	free(text);
	/* without hardware_keys_only, a FIDO key still counts only when touched */
	f->cfg->zones[0].hardware_keys_only = false;
	id = file_request(f, REQ_HOSTS("acme", "stor-*"));
	text = statement_of(f, ENG, id, false, code);
	sig = sk_sign(k, pk, 0, text ? text : "");
	refused(approve_sig(f, ENG, id, sig), PROTO_E_NOT_PERMITTED, "presence flag missing",
		"an untouched FIDO key, hardware_keys_only off");
	free(sig);
	free(text);
	EVP_PKEY_free(k);
}

/* redeem STATEMENT SIG... sent by @uid on host @host: the reply. */
static struct proto_reply redeem_as(struct fake *f, uint32_t uid, const char *host,
				    const char *text, char *const *sigs, int n)
{
	static struct proto_req q;
	struct caller c = who(uid);
	size_t off = 0;

	proto_req_init(&q, CMD_REDEEM);
	snprintf(q.statement, sizeof(q.statement), "%s", text ? text : "");
	q.statement_len = strlen(q.statement);
	for (int i = 0; i < n; i++) {
		snprintf(q.signatures + off, sizeof(q.signatures) - off, "%s",
			 sigs[i] ? sigs[i] : "");
		off += strlen(q.signatures + off) + 1;
	}
	q.n_signatures = n;
	f->x.host = host;
	return reply(cmd_redeem(&f->x, &c, &q));
}

/* revoke --signed: the revocation @text signed as @sig, sent by @uid on @host. */
static struct proto_reply revoke_as(struct fake *f, uint32_t uid, const char *host,
				    const char *text, const char *sig)
{
	static struct proto_req q;
	struct caller c = who(uid);

	proto_req_init(&q, CMD_REVOKE);
	snprintf(q.statement, sizeof(q.statement), "%s", text ? text : "");
	q.statement_len = strlen(q.statement);
	snprintf(q.signature, sizeof(q.signature), "%s", sig ? sig : "");
	f->x.host = host;
	return reply(cmd_revoke_signed(&f->x, &c, &q));
}

/* A request for @zone filed on stor-1 for @hosts: its statement (free it). */
static char *fleet_statement(struct fake *f, const char *zone, const char *hosts)
{
	char code[32], text[512];
	int64_t id;

	f->x.host = "stor-1";
	snprintf(text, sizeof(text),
		 "{\"v\":1,\"cmd\":\"request\",\"zone\":\"%s\",\"reason\":\"disk full on node "
		 "3\",\"duration\":3600,\"hosts\":\"%s\"}",
		 zone, hosts);
	id = file_request(f, text);
	return statement_of(f, ENG, id, false, code);
}

/* @text with its fields changed by @edit, re-formatted canonically (free it). */
static char *restated(const char *text, void (*edit)(struct statement *))
{
	struct statement st = {0}, rev;
	char err[256], *out = NULL;
	size_t len;

	if (!statement_parse(text, strlen(text), &st, err, sizeof(err))) {
		if (edit) {
			edit(&st);
			statement_format(&st, &out, &len, err, sizeof(err));
		} else {
			statement_revocation(&st, &rev);
			statement_format(&rev, &out, &len, err, sizeof(err));
		}
	}
	statement_free(&st);
	return out;
}

static void to_bin(struct statement *st)
{
	snprintf(st->engineer, sizeof(st->engineer), "bin");
}

static void to_nobody(struct statement *st)
{
	snprintf(st->engineer, sizeof(st->engineer), "no-such-user-lb");
}

static void test_redeem(struct fake *f)
{
	char *text = fleet_statement(f, "acme", "stor-*");
	char *sig = text ? sign_text("appr", "lockbox", text) : NULL;
	int created = count_type(f, "request.created", NULL);
	int approved = count_type(f, "request.approved", NULL), puts = f->puts;
	struct proto_reply r;
	json_t *rec = NULL;
	int64_t id;

	refused(redeem_as(f, ENG, "stor-1", text, &sig, 1), PROTO_E_CONFLICT, "is request",
		"redeem on the origin host");
	r = redeem_as(f, ENG, "stor-2", text, &sig, 1);
	id = r.ok ? result_int(&r, "id") : 0;

	ok(r.ok, "stor-2: the engineer redeems a statement signed by acme's approver (%s)",
	   r.message);
	is_str(result_str(&r, "state"), "approved", "the local request is approved");
	is_int(result_int(&r, "approvals"), 1, "with the one approval acme requires");
	json_decref(r.result);
	ok(f->puts > puts && fake_find(f, ENG, f->zones[0].id), "a grant went into the kernel map");
	is_int(count_type(f, "request.created", &rec), created + 1, "request.created recorded");
	ok(rec && strstr(json_string_value(json_object_get(rec, "statement_id")) ?: "", "stor-1/"),
	   "with the statement id from stor-1");
	json_decref(rec);
	rec = NULL;
	is_int(count_type(f, "request.approved", &rec), approved + 1, "request.approved recorded");
	is_str(json_string_value(json_object_get(rec, "signature")), sig ? sig : "",
	       "with the signature");
	is_str(json_string_value(json_object_get(rec, "user")), "bin", "by the key's name");
	json_decref(rec);
	r = redeem_as(f, 0, "stor-2", text, &sig, 1);
	ok(r.ok && result_int(&r, "id") == id,
	   "a second redeem (by root) answers the same request");
	json_decref(r.result);
	is_int(count_type(f, "request.approved", NULL), approved + 1, "and records nothing more");
	free(sig);
	free(text);
}

static void test_redeem_refusals(struct fake *f)
{
	char *text = fleet_statement(f, "acme", "stor-*,web-?");
	char *sig = text ? sign_text("appr", "lockbox", text) : NULL, *other, *edited;
	int puts = f->puts, dels = f->dels, created = count_type(f, "request.created", NULL);

	refused(redeem_as(f, ENG, "db-1", text, &sig, 1), PROTO_E_NOT_PERMITTED,
		"host not matched: db-1", "db-1 is not among stor-*");
	refused(redeem_as(f, APPROVER, "stor-3", text, &sig, 1), PROTO_E_NOT_PERMITTED,
		"only the engineer", "an approver redeeming for the engineer");
	other = sign_text("g2", "lockbox", text ? text : "");
	refused(redeem_as(f, ENG, "stor-3", text, &other, 1), PROTO_E_NOT_PERMITTED,
		"key not trusted for zone acme", "a signature by globex's key");
	free(other);
	other = sign_text("own", "lockbox", text ? text : "");
	refused(redeem_as(f, ENG, "stor-3", text, &other, 1), PROTO_E_NOT_PERMITTED,
		"is the engineer", "the engineer's own key");
	free(other);
	edited = strdup(text ? text : "");
	if (strstr(edited, "disk full"))
		strstr(edited, "disk full")[0] = 'D'; /* one byte of the reason */
	refused(redeem_as(f, ENG, "stor-3", edited, &sig, 1), PROTO_E_NOT_PERMITTED,
		"signature over another statement", "the reason edited after signing");
	free(edited);
	refused(redeem_as(f, ENG, "stor-3", "{\"v\":1}\n", &sig, 1), PROTO_E_INVALID, "STATEMENT",
		"not a statement");
	{
		char *host = f->cfg->host;

		f->cfg->host = NULL; /* the name would be uname's */
		refused(redeem_as(f, ENG, "stor-3", text, &sig, 1), PROTO_E_NOT_PERMITTED,
			"no \"host\" in its config", "a host whose config does not name it");
		f->cfg->host = host;
	}
	edited = restated(text ? text : "", to_bin);
	other = sign_text("appr", "lockbox", edited ? edited : "");
	refused(redeem_as(f, 0, "stor-3", edited, &other, 1), PROTO_E_NOT_PERMITTED,
		"bin is not an engineer on host stor-3", "a statement naming a non-engineer");
	free(edited);
	free(other);
	edited = restated(text ? text : "", to_nobody);
	other = sign_text("appr", "lockbox", edited ? edited : "");
	refused(redeem_as(f, 0, "stor-3", edited, &other, 1), PROTO_E_NOT_PERMITTED,
		"is not a user on host stor-3", "a statement naming an unknown user");
	free(edited);
	free(other);
	fake_clock = T0 + f->cfg->request_ttl;
	refused(redeem_as(f, ENG, "stor-3", text, &sig, 1), PROTO_E_NOT_PERMITTED,
		"deadline passed", "a statement past its redeem_by");
	fake_clock = T0;
	ok(f->puts == puts && f->dels == dels, "no refusal touched the kernel map");
	is_int(count_type(f, "request.created", NULL), created, "nor created a request");
	free(sig);
	free(text);
}

static void test_redeem_two_approvals(struct fake *f)
{
	char *text = fleet_statement(f, "globex", "stor-*");
	char *sigs[2] = {text ? sign_text("g1", "lockbox", text) : NULL, NULL};
	struct proto_reply r;

	refused(redeem_as(f, ENG, "stor-4", text, sigs, 1), PROTO_E_NOT_PERMITTED,
		"not enough approvals: 1 of the 2", "globex with one signature");
	sigs[1] = strdup(sigs[0] ? sigs[0] : "");
	refused(redeem_as(f, ENG, "stor-4", text, sigs, 2), PROTO_E_NOT_PERMITTED,
		"bin signed already", "bin's signature twice");
	free(sigs[1]);
	sigs[1] = text ? sign_text("g2", "lockbox", text) : NULL;
	r = redeem_as(f, ENG, "stor-4", text, sigs, 2);
	ok(r.ok, "globex with bin's and sync's signatures (%s)", r.message);
	is_int(result_int(&r, "approvals"), 2, "two approvals");
	is_str(result_str(&r, "state"), "approved", "approved");
	json_decref(r.result);
	free(sigs[0]);
	free(sigs[1]);
	free(text);
}

static void test_revoke_signed(struct fake *f)
{
	char *text = fleet_statement(f, "acme", "stor-*");
	char *sig = text ? sign_text("appr", "lockbox", text) : NULL;
	char *rev = restated(text ? text : "", NULL), *rsig, code[32];
	struct proto_reply r = redeem_as(f, ENG, "stor-5", text, &sig, 1);
	int64_t id = r.ok ? result_int(&r, "id") : -1;

	json_decref(r.result);
	rsig = statement_of(f, SECURITY, id, true, code);
	is_str(rsig ? rsig : "", rev ? rev : "-",
	       "statement --revoke of the redeemed request: the revocation of stor-1's statement");
	free(rsig);
	rsig = sign_text("other", "lockbox", rev ? rev : "");
	refused(revoke_as(f, ENG, "stor-5", rev, rsig), PROTO_E_NOT_PERMITTED, "key not trusted",
		"a revocation signed by nobody's key");
	free(rsig);
	refused(revoke_as(f, ENG, "stor-5", text, sig), PROTO_E_NOT_PERMITTED, "not a revocation",
		"an approval statement as a revocation");
	rsig = sign_text("sec", "lockbox", rev ? rev : "");
	r = revoke_as(f, ENG, "stor-5", rev, rsig);
	ok(r.ok && result_int(&r, "id") == id, "security's key revokes request %lld (%s)",
	   (long long)id, r.message);
	is_str(result_str(&r, "state"), "revoked", "revoked");
	json_decref(r.result);
	ok(!fake_find(f, ENG, f->zones[0].id) ||
		   fake_find(f, ENG, f->zones[0].id)->g.id != (__u64)id,
	   "its grant left the kernel map");
	refused(redeem_as(f, ENG, "stor-5", text, &sig, 1), PROTO_E_NOT_PERMITTED,
		"statement revoked", "the replay after revocation");
	r = revoke_as(f, ENG, "stor-5", rev, rsig);
	ok(r.ok, "the revocation again changes nothing (%s)", r.message);
	json_decref(r.result);
	free(rsig);
	free(rev);
	free(sig);
	free(text);
}

/* On the origin host, the revocation names the request filed there. */
static void test_revoke_signed_origin(struct fake *f)
{
	char *text = fleet_statement(f, "acme", "stor-*");
	char *rev = restated(text ? text : "", NULL);
	char *rsig = sign_text("sec", "lockbox", rev ? rev : "");
	struct statement st = {0};
	char err[256];
	int64_t id = 0;
	struct proto_reply r;

	if (text && !statement_parse(text, strlen(text), &st, err, sizeof(err)))
		sscanf(strchr(st.id, '/') + 1, "%lld", (long long *)&id);
	statement_free(&st);
	r = approve_by(f, ENG, id, "appr");
	is_str(result_str(&r, "state"), "approved", "stor-1: request %lld approved by signature",
	       (long long)id);
	json_decref(r.result);
	r = revoke_as(f, APPROVER2, "stor-1", rev, rsig);
	ok(r.ok && result_int(&r, "id") == id,
	   "stor-1: the signed revocation ends request %lld (%s)", (long long)id, r.message);
	is_str(result_str(&r, "state"), "revoked", "revoked");
	json_decref(r.result);
	free(rsig);
	free(rev);
	free(text);
}

/* A revocation reaching the origin while the request is pending ends it there too. */
static void test_revoke_pending_origin(struct fake *f)
{
	char *text = fleet_statement(f, "acme", "stor-*");
	char *rev = restated(text ? text : "", NULL);
	char *rsig = sign_text("sec", "lockbox", rev ? rev : "");
	struct statement st = {0};
	int64_t id = 0;
	int puts = f->puts;
	char err[256];
	struct proto_reply r;
	struct proto_req q;
	struct caller bin = who(APPROVER);

	if (text && !statement_parse(text, strlen(text), &st, err, sizeof(err)))
		sscanf(strchr(st.id, '/') + 1, "%lld", (long long *)&id);
	statement_free(&st);
	r = revoke_as(f, APPROVER2, "stor-1", rev, rsig);
	ok(r.ok && result_int(&r, "id") == id,
	   "stor-1: a signed revocation of pending request %lld", (long long)id);
	is_str(result_str(&r, "state"), "denied", "ends it: denied, so nothing can approve it");
	json_decref(r.result);
	refused(approve_by(f, ENG, id, "appr"), PROTO_E_NOT_PERMITTED, "request not pending",
		"an approver's signature made before the revocation");
	snprintf(line, sizeof(line), "{\"v\":1,\"cmd\":\"approve\",\"id\":%lld}", (long long)id);
	q = req(line);
	refused(reply(cmd_decide(&f->x, &bin, &q)), PROTO_E_CONFLICT, "is denied",
		"a local approval after it");
	is_int(f->puts, puts, "the kernel map got no grant");
	free(rsig);
	free(rev);
	free(text);
}

static void to_globex(struct statement *st)
{
	snprintf(st->zone, sizeof(st->zone), "globex");
}

/* Another zone's approver cannot bar acme's statement by naming their own zone in it. */
static void test_revoke_other_zone(struct fake *f)
{
	char *text = fleet_statement(f, "acme", "stor-*");
	char *sig = text ? sign_text("appr", "lockbox", text) : NULL;
	char *rev = restated(text ? text : "", NULL), *grev = restated(rev ? rev : "", to_globex);
	char *gsig = sign_text("g1", "lockbox", grev ? grev : "");
	struct proto_reply r = revoke_as(f, ENG, "stor-8", grev, gsig);

	ok(r.ok, "stor-8: globex's approver revokes \"the statement in globex\" (%s)", r.message);
	json_decref(r.result);
	r = redeem_as(f, ENG, "stor-8", text, &sig, 1);
	ok(r.ok, "acme's statement still redeems: that bar was for globex (%s)", r.message);
	is_str(result_str(&r, "state"), "approved", "approved");
	json_decref(r.result);
	free(gsig);
	free(grev);
	free(rev);
	free(sig);
	free(text);
}

/* More signatures than the zone needs: approved, by the first ones. */
static void test_redeem_surplus(struct fake *f)
{
	char *text = fleet_statement(f, "acme", "stor-*");
	char *sigs[2] = {text ? sign_text("appr", "lockbox", text) : NULL,
			 text ? sign_text("appr2", "lockbox", text) : NULL};
	struct proto_reply r = redeem_as(f, ENG, "stor-10", text, sigs, 2);
	int64_t id = r.ok ? result_int(&r, "id") : 0;
	struct zone_cfg *z = &f->cfg->zones[0];
	size_t n = z->n_approver_keys;

	ok(r.ok, "acme (one approval) with two signatures (%s)", r.message);
	is_str(result_str(&r, "state"), "approved", "approved");
	json_decref(r.result);
	z->n_approver_keys = 0; /* the keys rotated out since */
	r = redeem_as(f, ENG, "stor-10", text, sigs, 2);
	ok(r.ok && result_int(&r, "id") == id,
	   "after the keys were rotated out, a second redeem still answers request %lld (%s)",
	   (long long)id, r.message);
	json_decref(r.result);
	z->n_approver_keys = n;
	free(sigs[0]);
	free(sigs[1]);
	free(text);
}

static void test_revoke_before_redeem(struct fake *f)
{
	char *text = fleet_statement(f, "acme", "stor-*");
	char *sig = text ? sign_text("appr", "lockbox", text) : NULL;
	char *rev = restated(text ? text : "", NULL);
	char *rsig = sign_text("appr", "lockbox", rev ? rev : "");
	int bars = count_type(f, "statement.revoked", NULL);
	struct proto_reply r = revoke_as(f, 0, "stor-6", rev, rsig);

	ok(r.ok && json_is_null(json_object_get(r.result, "id")),
	   "stor-6: the approver's revocation, before any redeem here (%s)", r.message);
	json_decref(r.result);
	is_int(count_type(f, "statement.revoked", NULL), bars + 1, "statement.revoked recorded");
	refused(redeem_as(f, ENG, "stor-6", text, &sig, 1), PROTO_E_NOT_PERMITTED,
		"statement revoked", "a redeem after it");
	free(rsig);
	free(rev);
	free(sig);
	free(text);
}

static struct proto_reply verify_sigs(struct fake *f)
{
	struct caller c = who(SECURITY);
	struct proto_req q = req("{\"v\":1,\"cmd\":\"verify\",\"check_signatures\":true}");

	return reply(cmd_verify(&f->x, &c, &q));
}

static void test_verify_signatures(struct fake *f)
{
	struct proto_reply r = verify_sigs(f);
	int64_t n = result_int(&r, "signatures");
	json_t *rec = NULL, *orig = NULL;

	ok(r.ok && json_is_true(json_object_get(r.result, "ok")),
	   "audit verify --signatures passes (%s)", result_str(&r, "message"));
	ok(n >= 8, "every signed record re-verified (%lld)", (long long)n);
	json_decref(r.result);
	/* a record whose chain is intact but whose signature is not the statement's */
	count_type(f, "request.approved", &orig); /* the last approval, a copy */
	rec = json_deep_copy(orig);
	json_decref(orig);
	json_object_set_new(rec, "statement", json_string("{\"v\":1}\n"));
	json_object_del(rec, "seq");
	is_int(ctx_append(&f->x, rec), 0, "a record with a signature over another statement");
	r = verify_sigs(f);
	ok(r.ok && json_is_false(json_object_get(r.result, "ok")),
	   "a signature over another statement is reported");
	ok(strstr(result_str(&r, "message"), "does not verify over the recorded statement") != NULL,
	   "naming why: %s", result_str(&r, "message"));
	ok(result_int(&r, "bad_seq") > 0, "and the record");
	json_decref(r.result);
}

/*
 * An sk-ssh-ed25519 SSHSIG over @msg by @k (public @pk), application "ssh:", with
 * the authenticator @flags: what a FIDO key makes, built here for want of a token.
 */
static char *sk_sign(EVP_PKEY *k, const unsigned char pk[32], uint8_t flags, const char *msg)
{
	unsigned char inner[512], tbs[69], sig[64], pub[256], sigb[128], blob[1024], *p;
	size_t siglen = 64, publen = sk_blob(pub, pk, "ssh:"), n;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char b64[2048], *out = malloc(4096);

	memcpy(inner, "SSHSIG", 6);
	p = sshwire_put_string(inner + 6, "lockbox", 7);
	p = sshwire_put_string(p, "", 0);
	p = sshwire_put_string(p, "sha512", 6);
	EVP_Digest(msg, strlen(msg), tbs, NULL, EVP_sha512(), NULL);
	p = sshwire_put_string(p, tbs, 64);
	EVP_Digest("ssh:", 4, tbs, NULL, EVP_sha256(), NULL); /* FIDO: app hash, flags, */
	tbs[32] = flags;				      /* counter, then the data's hash */
	sshwire_put_u32(tbs + 33, 1);
	EVP_Digest(inner, (size_t)(p - inner), tbs + 37, NULL, EVP_sha256(), NULL);
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, k) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, tbs, sizeof(tbs)) != 1)
		printf("# signing failed\n");
	EVP_MD_CTX_free(ctx);
	p = sshwire_put_string(sigb, "sk-ssh-ed25519@openssh.com", 26);
	p = sshwire_put_string(p, sig, 64);
	*p++ = flags;
	siglen = (size_t)(sshwire_put_u32(p, 1) - sigb);
	memcpy(blob, "SSHSIG", 6);
	p = sshwire_put_string(sshwire_put_u32(blob + 6, 1), pub, publen);
	p = sshwire_put_string(p, "lockbox", 7);
	p = sshwire_put_string(p, "", 0);
	p = sshwire_put_string(p, "sha512", 6);
	n = (size_t)(sshwire_put_string(p, sigb, siglen) - blob);
	EVP_EncodeBlock((unsigned char *)b64, blob, (int)n);
	snprintf(out, 4096, "-----BEGIN SSH SIGNATURE-----\n%s\n-----END SSH SIGNATURE-----\n",
		 b64);
	return out;
}

/* A signed record copied onto another request does not pass as that request's. */
static void test_verify_binding(void)
{
	json_t *rec = NULL, *orig = NULL;
	struct proto_reply r;
	struct fake g;
	int64_t id;

	if (!ok(fake_open(&g) == 0 && use_keys(&g) == 0, "a second store"))
		return;
	id = file_request(&g, REQ_HOSTS("acme", "stor-*"));
	r = approve_by(&g, ENG, id, "appr");
	json_decref(r.result);
	file_request(&g, REQ_HOSTS("acme", "stor-*"));
	count_type(&g, "request.approved", &orig);
	rec = json_deep_copy(orig);
	json_decref(orig);
	json_object_set_new(rec, "request", json_integer(id + 1));
	json_object_del(rec, "seq");
	is_int(ctx_append(&g.x, rec), 0, "request %lld's signed approval recorded for %lld",
	       (long long)id, (long long)id + 1);
	r = verify_sigs(&g);
	ok(r.ok && json_is_false(json_object_get(r.result, "ok")) &&
		   strstr(result_str(&r, "message"), "is not request"),
	   "audit verify --signatures: that statement is not the request's (%s)",
	   result_str(&r, "message"));
	json_decref(r.result);
	fake_close(&g);
}

int main(void)
{
	struct fake f;

	test_dir_make();
	if (!ok(fake_open(&f) == 0, "a context on a temp store") ||
	    !ok(use_keys(&f) == 0, "approver_keys made with ssh-keygen"))
		return done_testing();
	test_statement(&f);
	test_revocation_statement(&f);
	test_signed_approval(&f);
	test_refusals(&f);
	test_distinct_names(&f);
	test_redeem(&f);
	test_redeem_refusals(&f);
	test_redeem_two_approvals(&f);
	test_revoke_signed(&f);
	test_revoke_signed_origin(&f);
	test_revoke_pending_origin(&f);
	test_revoke_other_zone(&f);
	test_redeem_surplus(&f);
	test_revoke_before_redeem(&f);
	test_verify_signatures(&f);
	test_verify_binding();
	test_hardware_keys_only(&f); /* last: it changes the config */
	fake_close(&f);
	test_dir_remove();
	return done_testing();
}
