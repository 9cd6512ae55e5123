// SPDX-License-Identifier: GPL-2.0-only
/*
 * Approval statements: built from a request, the canonical bytes pinned, parsed
 * back; anything not byte-identical to the canonical form refused with a reason;
 * host globs; and the whole chain with OpenSSH: the statement written to a file,
 * signed by `ssh-keygen -Y sign -n lockbox`, verified by sshsig_verify().
 */
#include <errno.h>
#include <linux/types.h>
#include "tap.h"
#include "sshtest.h"
#include "sshsig.h"
#include "lockbox.h"
#include "statement.h"

static char err[512];

/* 2026-12-02T02:00:00Z, and its request lapsing 12 hours later */
#define CREATED 1796176800
#define EXPIRES (CREATED + 12 * 3600)

#define GOLDEN                                                                                     \
	"{\"access\":\"write\",\"duration\":7200,\"engineer\":\"eng1\",\"hosts\":[\"stor-*\","     \
	"\"db-[12]\"],\"reason\":\"disk 7 fails fsck, caf\\u00E9 \\\"quoted\\\"\","                \
	"\"redeem_by\":\"2026-12-02T14:00:00Z\",\"statement\":\"stor-1/42/2026-12-02T02:00:00Z\"," \
	"\"ticket\":\"INC-1234\",\"type\":\"lockbox.approval\",\"v\":1,\"zone\":\"acme\"}\n"

#define REVOKE_GOLDEN                                                                              \
	"{\"engineer\":\"eng1\",\"statement\":\"stor-1/42/2026-12-02T02:00:00Z\","                 \
	"\"type\":\"lockbox.revocation\",\"v\":1,\"zone\":\"acme\"}\n"

static const char *const hosts[] = {"stor-*", "db-[12]"};

static struct request sample_request(void)
{
	struct request r = {
		.id = 42,
		.zone = "acme",
		.requester = "eng1",
		.access = LB_ACCESS_READ | LB_ACCESS_WRITE,
		.reason = "disk 7 fails fsck, caf\xc3\xa9 \"quoted\"",
		.ticket = "INC-1234",
		.duration = 7200,
		.created_at = CREATED,
		.expires_at = EXPIRES,
	};
	return r;
}

static int has_err(const char *want)
{
	int found = strstr(err, want) != NULL;

	if (!found)
		printf("#   error was \"%s\", want it to contain \"%s\"\n", err, want);
	return found;
}

/* Parses @text; the statement is freed. */
static int parse(const char *text)
{
	struct statement st;
	int rc;

	err[0] = '\0';
	rc = statement_parse(text, strlen(text), &st, err, sizeof(err));
	statement_free(&st);
	return rc;
}

#define refused(text, want, ...) ok(parse(text) < 0 && has_err(want), __VA_ARGS__)

/* GOLDEN with its first @from replaced by @to. */
static const char *edit(const char *from, const char *to)
{
	static char buf[2048];
	const char *p = strstr(GOLDEN, from);

	if (!p)
		return "edit: not found";
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - GOLDEN), GOLDEN, to, p + strlen(from));
	return buf;
}

static void test_round_trip(void)
{
	struct request r = sample_request();
	struct statement st, back;
	char *text = NULL, *again = NULL;
	size_t len = 0, len2 = 0;

	is_int(statement_for_request(&r, "stor-1", hosts, 2, &st, err, sizeof(err)), 0,
	       "a statement for a request");
	is_int(statement_format(&st, &text, &len, err, sizeof(err)), 0, "formatted");
	is_str(text, GOLDEN, "the canonical bytes: sorted, compact, ASCII, one newline");
	is_int(len, strlen(GOLDEN), "its length");
	is_int(statement_parse(text, len, &back, err, sizeof(err)), 0, "parsed back");
	is_int(back.type, STATEMENT_APPROVAL, "type");
	is_str(back.id, "stor-1/42/2026-12-02T02:00:00Z", "statement id: host/request/created");
	is_str(back.zone, "acme", "zone");
	is_str(back.engineer, "eng1", "engineer");
	is_int(back.access, LB_ACCESS_READ | LB_ACCESS_WRITE, "access write");
	is_int(back.duration, 7200, "duration");
	is_str(back.reason, r.reason, "reason, UTF-8 restored");
	is_str(back.ticket, "INC-1234", "ticket");
	is_int(back.redeem_by, EXPIRES, "redeem_by is the request's expiry");
	ok(back.n_hosts == 2 && !strcmp(back.hosts[1], "db-[12]"), "hosts");
	is_int(statement_format(&back, &again, &len2, err, sizeof(err)), 0, "formatted again");
	ok(again && len2 == len && !memcmp(again, text, len), "the same bytes again");
	free(text);
	free(again);
	statement_free(&st);
	statement_free(&back);
	statement_free(&back); /* idempotent */
}

static void test_ticket_null_and_read(void)
{
	struct request r = sample_request();
	struct statement st;
	char *text = NULL;
	size_t len;

	r.ticket[0] = '\0';
	r.access = LB_ACCESS_READ;
	statement_for_request(&r, "stor-1", hosts, 1, &st, err, sizeof(err));
	is_int(statement_format(&st, &text, &len, err, sizeof(err)), 0, "no ticket: formatted");
	ok(text && strstr(text, "\"ticket\":null") && strstr(text, "\"access\":\"read\""),
	   "no ticket is null; read access is \"read\"");
	ok(text && !parse(text), "and parses");
	free(text);
	statement_free(&st);
}

static void test_revocation(void)
{
	struct statement ap, rv, back;
	char *text = NULL;
	size_t len;

	statement_parse(GOLDEN, strlen(GOLDEN), &ap, err, sizeof(err));
	statement_revocation(&ap, &rv);
	is_int(statement_format(&rv, &text, &len, err, sizeof(err)), 0, "a revocation statement");
	is_str(text, REVOKE_GOLDEN, "its canonical bytes");
	is_int(statement_parse(text, len, &back, err, sizeof(err)), 0, "parsed back");
	ok(back.type == STATEMENT_REVOCATION && !strcmp(back.id, ap.id),
	   "revokes the approval's id");
	ok(!statement_host_matches(&back, "stor-1"), "a revocation matches no host");
	is_int(parse(REVOKE_GOLDEN), 0, "the golden revocation parses");
	refused(REVOKE_GOLDEN "x", "not JSON", "bytes after it are refused");
	refused("{\"engineer\":\"eng1\",\"hosts\":[\"a\"],\"statement\":\"stor-1/42/"
		"2026-12-02T02:00:00Z\",\"type\":\"lockbox.revocation\",\"v\":1,\"zone\":"
		"\"acme\"}\n",
		"hosts: unknown field", "an approval field in a revocation is refused");
	free(text);
	statement_free(&ap);
	statement_free(&rv);
	statement_free(&back);
}

static void test_not_canonical(void)
{
	const char *noeol = edit("\"zone\":\"acme\"}\n", "\"zone\":\"acme\"}");

	is_int(parse(GOLDEN), 0, "the golden statement parses");
	refused(edit("{\"access\":\"write\",\"duration\":7200,",
		     "{\"duration\":7200,\"access\":\"write\","),
		"not in canonical form at byte 2", "reordered keys are refused, naming the byte");
	refused(edit("\"duration\":7200", "\"duration\": 7200"), "not in canonical form",
		"a space is refused");
	refused(noeol, "not in canonical form", "no trailing newline is refused");
	refused(edit("}\n", "}\n\n"), "bytes after its one newline", "two newlines are refused");
	refused(edit("}\n", "}\r\n"), "not in canonical form", "CRLF is refused");
	refused(edit("caf\\u00E9", "caf\xc3\xa9"), "not in canonical form",
		"raw UTF-8 where the canonical form escapes is refused");
	refused(edit("stor-*", "stor\\u002d*"), "not in canonical form",
		"a needless escape is refused");
	refused(edit("2026-12-02T14:00:00Z", "2026-12-02T15:00:00+01:00"), "not in canonical form",
		"the same time with an offset is refused");
	refused(edit("\"engineer\"", "\"extra\":1,\"engineer\""), "extra: unknown field",
		"an unknown field is refused by name");
	refused(edit("\"access\":\"write\",", "\"access\":\"write\",\"access\":\"read\","),
		"not JSON", "a duplicate field is refused");
}

static void test_bad_values(void)
{
	refused(edit("\"v\":1", "\"v\":2"), "v: version 2 is not supported", "version 2");
	refused(edit("lockbox.approval", "lockbox.grant"), "type: not a statement type", "type");
	refused(edit("\"access\":\"write\"", "\"access\":\"admin\""), "access: expected", "access");
	refused(edit("7200", "7200.0"), "duration: expected an integer", "a real duration");
	refused(edit("7200", "0"), "duration: expected 1 to", "a zero duration");
	refused(edit("\"acme\"", "\"Acme\""), "zone: not a zone name", "zone name rules");
	refused(edit("\"eng1\"", "\"eng:1\""), "engineer: not a user name", "engineer name");
	refused(edit("disk 7 fails fsck, caf\\u00E9 \\\"quoted\\\"", "fix"),
		"reason: must be at least 8", "a reason shorter than a request's");
	refused(edit("disk 7", "\\u0007disk 7"), "reason: contains a control character",
		"a control character in the reason");
	refused(edit("\"INC-1234\"", "\"\""), "ticket: empty", "an empty ticket (null is none)");
	refused(edit("[\"stor-*\",\"db-[12]\"]", "[]"), "hosts: expected an array", "no hosts");
	refused(edit("stor-*", "stor/1"), "hosts[0]: not a host pattern", "a '/' in a pattern");
	refused(edit("\"stor-*\"", "7"), "hosts[0]: expected a string", "a number as pattern");
	refused(edit("stor-1/42/", "stor-1/042/"), "statement: not a statement id",
		"a statement id not in its one form");
	refused(edit("\"statement\":\"stor-1/42/2026-12-02T02:00:00Z\",", ""), "statement: missing",
		"a missing field is named");
	refused("[1]\n", "expected a JSON object", "an array");
	refused("", "not JSON", "nothing");
	refused(edit("2026-12-02T14:00:00Z", "tomorrow"), "redeem_by: not an RFC 3339 time",
		"redeem_by not a time");
}

static void test_build_refused(void)
{
	struct request r = sample_request();
	struct statement st;
	const char *bad[] = {"stor 1"};

	ok(statement_for_request(&r, "stor_1", hosts, 2, &st, err, sizeof(err)) < 0 &&
		   has_err("bad host name"),
	   "a bad origin host name is refused");
	statement_free(&st);
	ok(statement_for_request(&r, "stor-1", bad, 1, &st, err, sizeof(err)) < 0 &&
		   has_err("hosts[0]"),
	   "a bad host pattern is refused when building");
	statement_free(&st);
	ok(statement_for_request(&r, "stor-1", hosts, 0, &st, err, sizeof(err)) < 0 &&
		   has_err("hosts:"),
	   "no host pattern is refused when building");
	statement_free(&st);
}

static void test_host_match(void)
{
	struct statement st;

	statement_parse(GOLDEN, strlen(GOLDEN), &st, err, sizeof(err));
	ok(statement_host_matches(&st, "stor-17"), "stor-* matches stor-17");
	ok(statement_host_matches(&st, "STOR-2"), "host names match without case");
	ok(!statement_host_matches(&st, "web-1"), "stor-* does not match web-1");
	ok(!statement_host_matches(&st, "xstor-1"), "nor xstor-1 (the whole name)");
	ok(statement_host_matches(&st, "db-2"), "db-[12] matches db-2");
	ok(!statement_host_matches(&st, "db-3"), "db-[12] does not match db-3");
	ok(!statement_host_matches(&st, NULL), "no host name matches nothing");
	statement_free(&st);
}

/* The chain with OpenSSH: a file of the printed bytes, signed by ssh-keygen, verified here. */
static void test_signed_with_ssh_keygen(void)
{
	struct sshsig_info info;
	struct statement st;
	char *sig, *text, *pub;
	size_t len;

	pub = keygen("approver", "ed25519");
	ok(pub && !spit("s.json", GOLDEN, strlen(GOLDEN)), "an approver key and a statement file");
	is_int(sh("ssh-keygen -Y sign -f approver -n lockbox s.json 2>/dev/null"), 0,
	       "ssh-keygen -Y sign -n lockbox signs it");
	sig = slurp("s.json.sig", NULL);
	text = slurp("s.json", &len);
	ok(sig && text && len == strlen(GOLDEN), "the signature and the statement's bytes");
	is_int(sig && text
		       ? sshsig_verify(sig, text, len, STATEMENT_NAMESPACE, &info, err, sizeof(err))
		       : -1,
	       0, "sshsig_verify accepts ssh-keygen's signature over the statement");
	is_int(text ? statement_parse(text, len, &st, err, sizeof(err)) : -1, 0,
	       "and the signed bytes parse as a statement");
	statement_free(&st);
	if (text && strstr(text, "fsck"))
		*strstr(text, "fsck") = 'F';
	if (text)
		is_int(sshsig_verify(sig, text, len, STATEMENT_NAMESPACE, &info, err, sizeof(err)),
		       -EBADMSG,
		       "one byte of the reason changed: the signature no longer verifies");
	is_int(sh("printf 'acme-admin namespaces=\"lockbox\" %%s' \"$(cat approver.pub)\" >allowed"
		  " && ssh-keygen -Y verify -f allowed -I acme-admin -n lockbox -s s.json.sig "
		  "<s.json >/dev/null 2>&1"),
	       0, "ssh-keygen -Y verify agrees on the same bytes");
	free(pub);
	free(sig);
	free(text);
}

int main(void)
{
	test_dir_make();
	test_round_trip();
	test_ticket_null_and_read();
	test_revocation();
	test_not_canonical();
	test_bad_values();
	test_build_refused();
	test_host_match();
	test_signed_with_ssh_keygen();
	test_dir_remove();
	return done_testing();
}
