// SPDX-License-Identifier: GPL-2.0-only
/* lockboxctl's command line: argv -> the request it sends, or a usage error naming the option. */
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>
#include "tap.h"
#include "lockbox.h"
#include "ctl_args.h"

static struct ctl_cmdline cl;
static char err[512];

#define ARGV(...)  ((char *const[]){"lockboxctl", __VA_ARGS__, NULL})
#define ARGC(...)  ((int)(sizeof((char *[]){"lockboxctl", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(...) parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static int parse(int argc, char *const argv[])
{
	err[0] = '\0';
	return ctl_args_parse(argc, argv, &cl, err, sizeof(err));
}

/* Refused as a usage error whose message starts with want. */
#define REFUSES(want, what, ...)                                                                   \
	do {                                                                                       \
		int _r = PARSE(__VA_ARGS__);                                                       \
		if (!ok(_r == -EINVAL && !strncmp(err, want, strlen(want)), "refuses %s", what))   \
			printf("#   got %d \"%s\", want \"%s...\"\n", _r, err, want);              \
	} while (0)

static void test_request(void)
{
	is_int(PARSE("request", "acme", "--reason", "disk full on node 3", "--ticket", "INC-42",
		     "--duration", "4h", "--access", "write"),
	       0, "a full request parses");
	is_int(cl.req.cmd, CMD_REQUEST, "it is a request");
	is_str(cl.req.zone, "acme", "ZONE is the zone");
	is_str(cl.req.reason, "disk full on node 3", "--reason is the reason");
	is_str(cl.req.ticket, "INC-42", "--ticket is the ticket");
	is_int(cl.req.duration, 14400, "--duration 4h is 14400 s");
	is_int(cl.req.access, LB_ACCESS_READ | LB_ACCESS_WRITE, "--access write");
	ok(!cl.json && !cl.help && !cl.version && !cl.socket, "no other flags set");

	is_int(PARSE("request", "--reason=restore the backup", "--duration=1h30m", "globex"), 0,
	       "--opt=value and the zone after the options");
	is_str(cl.req.zone, "globex", "the zone after the options");
	is_int(cl.req.duration, 5400, "--duration=1h30m");
	is_int(cl.req.access, LB_ACCESS_READ, "access defaults to read");
	is_int(PARSE("request", "acme", "--reason", "   padded reason   "), 0, "a padded reason");
	is_str(cl.req.reason, "padded reason", "is sent trimmed");

	is_int(PARSE("request", "acme", "--reason", "disk full on node 3", "--hosts",
		     "stor-*,db-1"),
	       0, "--hosts");
	is_str(cl.req.hosts, "stor-*,db-1", "--hosts is sent as typed");
	REFUSES("--hosts: pattern 2 is empty", "an empty pattern in --hosts", "request", "acme",
		"--reason", "disk full on node 3", "--hosts", "stor-*,");
	REFUSES("--hosts: pattern 1 has a character", "a space in --hosts", "request", "acme",
		"--reason", "disk full on node 3", "--hosts", "stor 1");
	is_int(PARSE("statement", "7"), 0, "statement ID");
	ok(cl.req.cmd == CMD_STATEMENT && cl.req.id == 7 && !cl.req.revoke, "statement 7");
	is_int(PARSE("statement", "7", "--revoke"), 0, "statement ID --revoke");
	ok(cl.req.revoke, "--revoke sets revoke");
	REFUSES("statement: missing ID", "statement without ID", "statement");
	{
		char path[] = "/tmp/lockbox-sig-XXXXXX";
		int fd = mkstemp(path);
		static char big[PROTO_SIGNATURE_MAX + 2];
		const char *sig = "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n"
				  "-----END SSH SIGNATURE-----\n";

		ok(fd >= 0 && write(fd, sig, strlen(sig)) == (ssize_t)strlen(sig), "a sig file");
		is_int(PARSE("approve", "7", "--signature", path), 0,
		       "approve ID --signature FILE");
		is_str(cl.req.signature, sig, "the file's text is sent");
		memset(big, 'A', sizeof(big) - 1);
		ok(ftruncate(fd, 0) == 0 && pwrite(fd, big, sizeof(big) - 1, 0) > 0, "a big file");
		REFUSES("--signature: /tmp/lockbox-sig-", "a signature file over 16384 bytes",
			"approve", "7", "--signature", path);
		ok(strstr(err, "larger than 16384 bytes") != NULL, "says it is too large: %s", err);
		ok(ftruncate(fd, 0) == 0, "an empty file");
		REFUSES("--signature: /tmp/lockbox-sig-", "an empty signature file", "approve", "7",
			"--signature", path);
		unlink(path);
		REFUSES("--signature: cannot read /tmp/lockbox-sig-", "a missing signature file",
			"approve", "7", "--signature", path);
		close(fd);
	}
	REFUSES("request: missing --reason", "a request without --reason", "request", "acme");
	REFUSES("request: missing ZONE", "a request without ZONE", "request", "--reason",
		"disk full on node 3");
	REFUSES("--reason: must be at least 8 characters", "a short --reason", "request", "acme",
		"--reason", "fix");
	REFUSES("--reason: contains a control character", "a newline in --reason", "request",
		"acme", "--reason", "disk full\nrequest approved");
	REFUSES("--duration: invalid duration 'abc'", "a bad --duration", "request", "acme",
		"--reason", "disk full on node 3", "--duration", "abc");
	REFUSES("--duration: invalid duration '0'", "--duration 0", "request", "acme", "--reason",
		"disk full on node 3", "--duration", "0");
	REFUSES("--duration: invalid duration '-1h'", "a negative --duration", "request", "acme",
		"--reason", "disk full on node 3", "--duration=-1h");
	REFUSES("--duration: '99999d' is too long", "an endless --duration", "request", "acme",
		"--reason", "disk full on node 3", "--duration", "99999d");
	REFUSES("--access: expected read or write", "a bad --access", "request", "acme", "--reason",
		"disk full on node 3", "--access", "exec");
	REFUSES("--reason: missing value", "--reason without a value", "request", "acme",
		"--reason");
	REFUSES("request: unknown option --force", "an unknown option", "request", "acme",
		"--reason", "disk full on node 3", "--force");
	REFUSES("request: unknown option -f", "an unknown short option", "request", "acme",
		"--reason", "disk full on node 3", "-f");
	REFUSES("request: unknown option --follow", "--follow where it does not apply", "request",
		"acme", "--reason", "disk full on node 3", "--follow");
	REFUSES("request: --timeout needs --wait", "request --timeout without --wait", "request",
		"acme", "--reason", "disk full on node 3", "--timeout", "5m");
	is_int(PARSE("request", "acme", "--reason", "disk full on node 3", "--wait", "--timeout",
		     "5m", "--json"),
	       0, "request --wait --timeout D --json");
	ok(cl.wait && cl.json && cl.req.timeout == 300, "request: --wait, --json, the timeout");
	REFUSES("request: unexpected argument 'globex'", "a second zone", "request", "acme",
		"globex", "--reason", "disk full on node 3");
	REFUSES("ZONE: must not be empty", "an empty zone", "request", "", "--reason",
		"disk full on node 3");
	REFUSES("ZONE: longer than 63 bytes", "a zone too long", "request",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "--reason",
		"disk full on node 3");
	REFUSES("--ticket: not valid UTF-8", "a ticket that is not UTF-8", "request", "acme",
		"--reason", "disk full on node 3", "--ticket", "INC-\xff");
}

static void test_decisions(void)
{
	is_int(PARSE("approve", "12", "--comment", "fine, INC-42 checked"), 0, "approve parses");
	is_int(cl.req.cmd, CMD_APPROVE, "approve: cmd");
	is_int(cl.req.id, 12, "approve: ID");
	is_str(cl.req.comment, "fine, INC-42 checked", "approve: --comment");
	is_int(PARSE("deny", "12", "--reason", "not during the freeze"), 0, "deny parses");
	is_int(cl.req.cmd, CMD_DENY, "deny: cmd");
	is_str(cl.req.reason, "not during the freeze", "deny: --reason");
	REFUSES("deny: missing --reason", "deny without --reason", "deny", "12");
	REFUSES("--reason: must be at least 8 characters", "deny with a short --reason", "deny",
		"12", "--reason", "no");
	is_int(PARSE("revoke", "12"), 0, "revoke without a reason");
	is_int(cl.req.cmd, CMD_REVOKE, "revoke: cmd");
	is_int(PARSE("revoke", "12", "--reason", "done"), 0, "revoke with a short reason");
	is_str(cl.req.reason, "done", "revoke: --reason");
	is_int(PARSE("cancel", "3"), 0, "cancel parses");
	is_int(cl.req.cmd, CMD_CANCEL, "cancel: cmd");
	is_int(cl.req.id, 3, "cancel: ID");
	REFUSES("cancel: missing ID", "cancel without ID", "cancel");
	REFUSES("ID: expected a positive integer, got 'abc'", "a word for ID", "show", "abc");
	REFUSES("ID: expected a positive integer, got '0'", "ID 0", "show", "0");
	REFUSES("ID: expected a positive integer, got '-5'", "a negative ID", "show", "-5");
	REFUSES("ID: expected a positive integer, got '5x'", "an ID with junk", "show", "5x");
	REFUSES("ID: expected a positive integer, got '99999999999999999999'", "an ID too big",
		"show", "99999999999999999999");
	REFUSES("show: unexpected argument '6'", "two IDs", "show", "5", "6");
	REFUSES("approve: unknown option --reason", "--reason on approve", "approve", "5",
		"--reason", "looks right to me");
	is_int(PARSE("show", "--", "7"), 0, "-- ends the options");
	is_int(cl.req.id, 7, "the ID after --");
}

static void test_queries(void)
{
	int64_t now;

	is_int(PARSE("list"), 0, "list parses");
	is_int(cl.req.cmd, CMD_LIST, "list: cmd");
	is_int(cl.req.state_mask, PROTO_STATE_DEFAULT, "list: pending and active by default");
	is_int(PARSE("list", "--state", "all", "--json"), 0, "list --state all --json");
	is_int(cl.req.state_mask, PROTO_STATE_ALL, "list: --state all");
	ok(cl.json, "list: --json");
	is_int(PARSE("list", "--state=active"), 0, "list --state=active");
	is_int(cl.req.state_mask, 1u << REQ_APPROVED, "list: active is approved");
	REFUSES("--state: expected pending, active or all, got 'denied'", "a bad --state", "list",
		"--state", "denied");
	REFUSES("--json: takes no value", "--json=yes", "list", "--json=yes");

	is_int(PARSE("show", "5", "--json"), 0, "show --json");
	ok(cl.json, "show: --json");
	is_int(cl.req.id, 5, "show: ID");

	is_int(PARSE("wait", "5"), 0, "wait without a timeout");
	is_int(cl.req.timeout, 0, "wait: forever by default");
	is_int(PARSE("wait", "5", "--timeout", "30s"), 0, "wait --timeout 30s");
	is_int(cl.req.timeout, 30, "wait: 30 s");
	is_int(PARSE("wait", "5", "--timeout", "0"), 0, "wait --timeout 0");
	is_int(cl.req.timeout, 0, "wait: 0 is forever");
	REFUSES("--timeout: invalid duration 'soon'", "a bad --timeout", "wait", "5", "--timeout",
		"soon");

	is_int(PARSE("audit", "--follow", "--since", "2025-11-28", "--json"), 0,
	       "audit --follow --since DATE --json");
	is_int(cl.req.cmd, CMD_AUDIT, "audit: cmd");
	ok(cl.req.follow, "audit: --follow");
	ok(cl.json, "audit: --json");
	is_int(cl.req.since, 1764288000, "audit: --since a date is its midnight UTC");
	is_int(PARSE("audit", "--since", "2025-11-28T18:00:00Z"), 0, "audit --since RFC 3339");
	is_int(cl.req.since, 1764352800, "audit: --since RFC 3339");
	now = time(NULL);
	is_int(PARSE("audit", "--since", "1h"), 0, "audit --since 1h");
	ok(cl.req.since >= now - 3600 && cl.req.since <= now - 3600 + 5,
	   "audit: --since 1h is an hour ago");
	REFUSES("--since: invalid time 'yesterday'", "a bad --since", "audit", "--since",
		"yesterday");
	is_int(PARSE("audit", "--follow", "--after", "1234"), 0, "audit --follow --after SEQ");
	is_int(cl.req.after, 1234, "audit: --after is the seq");
	REFUSES("--after: expected a record's seq (an integer >= 0), got '-5'",
		"a negative --after", "audit", "--after", "-5");
	REFUSES("--after: expected a record's seq (an integer >= 0), got '12x'", "a bad --after",
		"audit", "--after", "12x");
	REFUSES("list: unknown option --after", "--after on list", "list", "--after", "3");

	is_int(PARSE("audit", "verify"), 0, "audit verify");
	is_int(cl.req.cmd, CMD_VERIFY, "audit verify is the verify command");
	REFUSES("audit verify: unknown option --follow", "options on audit verify", "audit",
		"verify", "--follow");
	REFUSES("unknown command 'verify'", "verify on its own", "verify");

	is_int(PARSE("status"), 0, "status");
	is_int(cl.req.cmd, CMD_STATUS, "status: cmd");
	is_int(PARSE("status", "--json"), 0, "status --json");
	ok(cl.json, "status: --json");
	REFUSES("status: unexpected argument 'now'", "an argument to status", "status", "now");
}

static int spit_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ret = f && fputs(text, f) >= 0 ? 0 : -1;

	if (f)
		fclose(f);
	return ret;
}

/* redeem STATEMENT SIG..., revoke --signed STATEMENT SIG, audit verify --signatures */
static void test_signed_commands(void)
{
	static char st[] = "/tmp/lockbox-st.json", s1[] = "/tmp/lockbox-st.json.sig",
		    s2[] = "/tmp/lockbox-st.json.sig2";
	const char *text = "{\"statement\":\"stor-1/7/x\"}\n";
	const char *sig = "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n";

	ok(!spit_file(st, text) && !spit_file(s1, sig) && !spit_file(s2, sig), "the files");
	is_int(PARSE("redeem", st, s1, s2), 0, "redeem STATEMENT SIG SIG");
	ok(cl.req.cmd == CMD_REDEEM && cl.req.statement_len == strlen(text) &&
		   !strcmp(cl.req.statement, text),
	   "the statement's bytes, newline and all");
	ok(cl.req.n_signatures == 2 && !strcmp(proto_signature_at(&cl.req, 1), sig),
	   "both signatures");
	REFUSES("redeem: missing STATEMENT", "redeem with nothing", "redeem");
	REFUSES("redeem: missing SIG", "redeem without a signature", "redeem", st);
	REFUSES("SIG: cannot read /nonexistent", "a missing signature file", "redeem", st,
		"/nonexistent");
	REFUSES("STATEMENT: cannot read /nonexistent", "a missing statement file", "redeem",
		"/nonexistent", s1);
	REFUSES("redeem: at most 16 signatures", "17 signatures", "redeem", st, s1, s1, s1, s1, s1,
		s1, s1, s1, s1, s1, s1, s1, s1, s1, s1, s1, s1);
	is_int(PARSE("revoke", "--signed", st, s1), 0, "revoke --signed STATEMENT SIG");
	ok(cl.req.cmd == CMD_REVOKE && cl.req.statement_len && !strcmp(cl.req.signature, sig) &&
		   !cl.req.id,
	   "sends the statement and the signature, no id");
	REFUSES("revoke: missing SIG", "revoke --signed without SIG", "revoke", "--signed", st);
	REFUSES("revoke: unexpected argument", "revoke --signed with two SIGs", "revoke",
		"--signed", st, s1, s2);
	REFUSES("revoke --signed: --reason is not signed", "revoke --signed --reason", "revoke",
		"--signed", st, s1, "--reason", "done now");
	REFUSES("ID: expected a positive integer", "revoke with a file and no --signed", "revoke",
		st);
	is_int(PARSE("audit", "verify", "--signatures"), 0, "audit verify --signatures");
	ok(cl.req.cmd == CMD_VERIFY && cl.req.check_signatures, "asks for the signatures");
	unlink(st);
	unlink(s1);
	unlink(s2);
}

static void test_globals_and_help(void)
{
	is_int(PARSE("--socket", "/tmp/lb.sock", "status"), 0, "--socket before the command");
	is_str(cl.socket, "/tmp/lb.sock", "--socket PATH");
	is_int(PARSE("--socket=/tmp/x.sock", "list"), 0, "--socket=PATH");
	is_str(cl.socket, "/tmp/x.sock", "--socket=PATH value");
	REFUSES("--socket: missing value", "--socket without a path", "--socket");
	REFUSES("--socket: must not be empty", "an empty --socket", "--socket", "", "status");
	REFUSES("status: unknown option --socket", "--socket after the command", "status",
		"--socket", "/tmp/x");
	REFUSES("unknown option --verbose", "an unknown global option", "--verbose", "status");
	REFUSES("missing command", "no command", "--socket", "/tmp/x");
	ok(parse(1, (char *const[]){"lockboxctl", NULL}) == -EINVAL, "no arguments at all");
	is_str(err, "missing command", "no arguments: missing command");
	REFUSES("unknown command 'frobnicate'", "an unknown command", "frobnicate");

	is_int(PARSE("--help"), 0, "--help");
	ok(cl.help && cl.req.cmd == CMD_MAX, "--help asks for the global usage");
	is_int(PARSE("-h"), 0, "-h");
	ok(cl.help, "-h is --help");
	is_int(PARSE("--version"), 0, "--version");
	ok(cl.version, "--version asks for the version");
	is_int(PARSE("request", "--help"), 0, "request --help without the required options");
	ok(cl.help && cl.req.cmd == CMD_REQUEST, "request --help asks for request's usage");
	is_int(PARSE("deny", "x", "--bogus", "-h"), 0, "-h wins over errors before it");
	ok(cl.help && cl.req.cmd == CMD_DENY, "deny -h asks for deny's usage");
	is_int(PARSE("audit", "verify", "--help"), 0, "audit verify --help");
	ok(cl.help && cl.req.cmd == CMD_VERIFY, "audit verify --help is verify's usage");
	is_int(PARSE("help", "wait"), 0, "help wait");
	ok(cl.help && cl.req.cmd == CMD_WAIT, "help CMD is CMD --help");
	is_int(PARSE("show", "--", "--help"), -EINVAL, "--help after -- is an argument");
}

static void test_usage_text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ctl_usage(f, CMD_MAX);
	fflush(f);
	ok(strstr(buf, "request ZONE --reason TEXT [--ticket ID] [--duration D] "
		       "[--access read|write]") != NULL,
	   "the global usage has request's synopsis");
	ok(strstr(buf, "audit verify") && strstr(buf, "status [--json]") &&
		   strstr(buf, "wait ID [--timeout D]"),
	   "and the others'");
	ok(strstr(buf, "--socket PATH") != NULL, "and --socket");
	ok(strstr(buf, "3 not permitted") != NULL, "and the exit statuses");
	fclose(f);
	free(buf);
	f = open_memstream(&buf, &len);
	ctl_usage(f, CMD_DENY);
	fflush(f);
	ok(!strncmp(buf, "usage: lockboxctl [--socket PATH] deny ID --reason TEXT [--json]\n",
		    strlen("usage: lockboxctl [--socket PATH] deny ID --reason TEXT [--json]\n")),
	   "a command's usage starts with its synopsis");
	ok(!strstr(buf, "approve ID"), "and only its own");
	fclose(f);
	free(buf);
	is_str(ctl_cmd_name(CMD_VERIFY), "audit verify", "verify is typed as audit verify");
	ok(ctl_cmd_name(CMD_MAX) == NULL, "no name for CMD_MAX");
}

int main(void)
{
	test_signed_commands();
	test_request();
	test_decisions();
	test_queries();
	test_globals_and_help();
	test_usage_text();
	return done_testing();
}
