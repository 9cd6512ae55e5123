// SPDX-License-Identifier: GPL-2.0-only
/* lockboxctl's command line: argv -> struct proto_req, checked before anything is sent. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "lockbox.h"
#include "ctl_args.h"
#include "duration.h"
#include "errbuf.h"
#include "timefmt.h"
#include "utf8.h"

enum opt_id {
	O_REASON,
	O_TICKET,
	O_DURATION,
	O_ACCESS,
	O_STATE,
	O_JSON,
	O_COMMENT,
	O_TIMEOUT,
	O_FOLLOW,
	O_SINCE,
	O_AFTER,
	O_WAIT,
	O_HOSTS,
	O_REVOKE,
	O_SIGNATURE,
	O_SIGNED,
	O_SIGNATURES,
	O_MAX,
};

static const struct {
	const char *name;
	bool has_arg;
} opts[O_MAX] = {
	[O_REASON] = {"reason", true},
	[O_TICKET] = {"ticket", true},
	[O_DURATION] = {"duration", true},
	[O_ACCESS] = {"access", true},
	[O_STATE] = {"state", true},
	[O_JSON] = {"json", false},
	[O_COMMENT] = {"comment", true},
	[O_TIMEOUT] = {"timeout", true},
	[O_FOLLOW] = {"follow", false},
	[O_SINCE] = {"since", true},
	[O_AFTER] = {"after", true},
	[O_WAIT] = {"wait", false},
	[O_HOSTS] = {"hosts", true},
	[O_REVOKE] = {"revoke", false},
	[O_SIGNATURE] = {"signature", true},
	[O_SIGNED] = {"signed", false},
	[O_SIGNATURES] = {"signatures", false},
};

#define OPT(o)	  (1u << (o))
#define JSON_HELP "  --json            print the agent's JSON result (and errors as JSON)\n"

static const struct {
	const char *name;	/* as typed; "audit verify" for CMD_VERIFY */
	const char *positional; /* "ZONE", "ID" or NULL */
	unsigned opts;
	const char *synopsis;
	const char *help;
} specs[CMD_MAX] = {
	[CMD_REQUEST] = {"request", "ZONE",
			 OPT(O_REASON) | OPT(O_TICKET) | OPT(O_DURATION) | OPT(O_ACCESS) |
				 OPT(O_HOSTS) | OPT(O_WAIT) | OPT(O_TIMEOUT) | OPT(O_JSON),
			 "request ZONE --reason TEXT [--ticket ID] [--duration D] "
			 "[--access read|write] [--hosts PATTERN[,PATTERN...]] "
			 "[--wait [--timeout D]] [--json]",
			 "File a request for access to ZONE; prints the new request's id alone.\n"
			 "  --reason TEXT     why (at least 8 characters; shown to the approvers)\n"
			 "  --ticket ID       the incident or change ticket this is for\n"
			 "  --duration D      how long access is needed: 30m, 4h, 1d (default: "
			 "the zone's maximum)\n"
			 "  --access MODE     read (default) or write (includes read)\n"
			 "  --hosts PATTERNS  the hosts a signed approval covers: shell globs on\n"
			 "                    host names, comma-separated (default: this host)\n"
			 "  --wait            then wait for the decision, as `wait ID` does\n"
			 "  --timeout D       with --wait: give up after D\n" JSON_HELP},
	[CMD_LIST] = {"list", NULL, OPT(O_STATE) | OPT(O_JSON),
		      "list [--state pending|active|all] [--json]",
		      "List the requests you may see (default: pending and active).\n"
		      "  --state S         pending, active (approved, grant in force) or all\n"
		      "  --json            print the agent's JSON array\n"},
	[CMD_SHOW] = {"show", "ID", OPT(O_JSON), "show ID [--json]",
		      "Show one request, its decisions and its grant.\n"
		      "  --json            print the agent's JSON object\n"},
	[CMD_APPROVE] =
		{"approve", "ID", OPT(O_COMMENT) | OPT(O_SIGNATURE) | OPT(O_JSON),
		 "approve ID [--comment TEXT] [--signature FILE] [--json]",
		 "Approve a pending request (zone approvers; not your own).\n"
		 "  --comment TEXT    recorded with the approval\n"
		 "  --signature FILE  an approver's signature of `lockboxctl statement ID`\n"
		 "                    (ssh-keygen -Y sign -n lockbox): approves as the\n"
		 "                    approver whose key made it, whoever sends it\n" JSON_HELP},
	[CMD_DENY] = {"deny", "ID", OPT(O_REASON) | OPT(O_JSON), "deny ID --reason TEXT [--json]",
		      "Deny a pending request (zone approvers).\n"
		      "  --reason TEXT     why (at least 8 characters; sent to the "
		      "requester)\n" JSON_HELP},
	[CMD_REVOKE] =
		{"revoke", "ID", OPT(O_REASON) | OPT(O_SIGNED) | OPT(O_JSON),
		 "revoke ID [--reason TEXT] [--json] | revoke --signed STATEMENT SIG [--json]",
		 "End an active grant now (zone approvers, security, root).\n"
		 "  --reason TEXT     recorded with the revocation\n"
		 "  --signed          STATEMENT is a request's revocation statement (see\n"
		 "                    `lockboxctl statement --help`) and SIG a zone\n"
		 "                    approver's or security key's signature of it: ends\n"
		 "                    the grant here and bars later redeems, whoever\n"
		 "                    sends it\n" JSON_HELP},
	[CMD_CANCEL] = {"cancel", "ID", OPT(O_JSON), "cancel ID [--json]",
			"Withdraw your own pending request.\n" JSON_HELP},
	[CMD_WAIT] = {"wait", "ID", OPT(O_TIMEOUT) | OPT(O_JSON), "wait ID [--timeout D] [--json]",
		      "Block until the request is decided. Exit 0 once it is approved; 1 if it\n"
		      "ended otherwise (the state is printed) or the timeout passed.\n"
		      "  --timeout D       give up after D (30s, 5m, 1h); 0 or absent: "
		      "never\n" JSON_HELP},
	[CMD_AUDIT] = {"audit", NULL, OPT(O_FOLLOW) | OPT(O_SINCE) | OPT(O_AFTER) | OPT(O_JSON),
		       "audit [--follow] [--since TIME] [--after SEQ] [--json]",
		       "Print the audit trail: agent records and kernel events (security, root).\n"
		       "  --follow          keep printing new records as they happen\n"
		       "  --since TIME      from TIME: RFC 3339, YYYY-MM-DD, or 1h (meaning ago)\n"
		       "  --after SEQ       only records after sequence number SEQ: a shipper\n"
		       "                    resumes from the last seq it has, without gaps\n"
		       "  --json            a JSON array; with --follow one object per line\n"
		       "See also: lockboxctl audit verify\n"},
	[CMD_VERIFY] =
		{"audit verify", NULL, OPT(O_SIGNATURES) | OPT(O_JSON),
		 "audit verify [--signatures] [--json]",
		 "Re-check the audit trail's hash chain; exit 1 naming the first bad "
		 "record.\n"
		 "  --signatures      also re-verify every recorded approval and revocation\n"
		 "                    signature against the key recorded with it\n" JSON_HELP},
	[CMD_STATUS] = {"status", NULL, OPT(O_JSON), "status [--json]",
			"Show the mode, attached hooks, counts and dropped events.\n"
			"  --json            print the agent's JSON object\n"},
	[CMD_STATEMENT] =
		{"statement", "ID", OPT(O_REVOKE) | OPT(O_JSON), "statement ID [--revoke] [--json]",
		 "Print the request's approval statement: the exact bytes approvers sign\n"
		 "with `ssh-keygen -Y sign -n lockbox` (requester, zone approvers,\n"
		 "security, root). Redirect it to a file and sign that file.\n"
		 "  --revoke          the revocation statement of an approved request\n"
		 "  --json            {\"statement\": TEXT}\n"},
	[CMD_REDEEM] =
		{"redeem", "STATEMENT SIG...", OPT(O_JSON),
		 "redeem STATEMENT SIG [SIG...] [--json]",
		 "On a host the statement covers, turn a statement signed by the zone's\n"
		 "approvers into a request, its approvals and the grant, in one step;\n"
		 "prints the local request's id (the engineer named in it, or root).\n"
		 "Redeeming it again prints the same id and changes nothing.\n"
		 "  STATEMENT         the file `lockboxctl statement ID` wrote on the origin "
		 "host\n"
		 "  SIG               a signature of it (ssh-keygen -Y sign -n lockbox), one\n"
		 "                    per approver\n" JSON_HELP},
};

const char *ctl_cmd_name(enum proto_cmd cmd)
{
	return cmd < CMD_MAX ? specs[cmd].name : NULL;
}

void ctl_usage(FILE *f, enum proto_cmd cmd)
{
	if (cmd < CMD_MAX) {
		fprintf(f, "usage: lockboxctl [--socket PATH] %s\n\n%s", specs[cmd].synopsis,
			specs[cmd].help);
		return;
	}
	fprintf(f, "usage: lockboxctl [--socket PATH] COMMAND [ARGS]\n"
		   "       lockboxctl COMMAND --help\n\n"
		   "Commands:\n");
	for (int i = 0; i < CMD_MAX; i++)
		fprintf(f, "  %s\n", specs[i].synopsis);
	fprintf(f, "\nOptions:\n"
		   "  --socket PATH     the agent's socket (default: $LOCKBOX_SOCKET, else "
		   "\"socket\"\n"
		   "                    in /etc/lockbox/lockbox.json, else "
		   "/run/lockbox/lockbox.sock)\n"
		   "  -h, --help        this help\n"
		   "  --version         print the version\n\n"
		   "Exit status: 0 ok, 1 error, 2 usage, 3 not permitted, 4 not found.\n");
}

static bool is_help(const char *a)
{
	return !strcmp(a, "-h") || !strcmp(a, "--help");
}

static int set_text(char *dst, size_t size, const char *name, const char *val, char *err,
		    size_t errlen)
{
	if (strlen(val) >= size)
		return seterr_inval(err, errlen, "%s: longer than %zu bytes", name, size - 1);
	/* the message is JSON: text that is not UTF-8 cannot be sent */
	if (!utf8_valid(val, strlen(val)))
		return seterr_inval(err, errlen, "%s: not valid UTF-8", name);
	strcpy(dst, val);
	return 0;
}

static int set_secs(const char *name, const char *val, bool zero_ok, int64_t *out, char *err,
		    size_t errlen)
{
	int ret;

	if (zero_ok && !strcmp(val, "0")) {
		*out = 0;
		return 0;
	}
	ret = duration_parse(val, out);
	if (ret == -ERANGE)
		return seterr_inval(err, errlen, "%s: '%s' is too long", name, val);
	if (ret)
		return seterr_inval(err, errlen,
				    "%s: invalid duration '%s' (examples: 90s, 30m, 4h, 1h30m, 1d)",
				    name, val);
	return 0;
}

/*
 * File @path read whole into @dst (at most @max bytes, then a NUL); its length in *@len.
 * @what names it in errors ("--signature", "STATEMENT", "SIG").
 */
static int read_whole(const char *what, const char *path, char *dst, size_t max, size_t *len,
		      char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return seterr_inval(err, errlen, "%s: cannot read %s: %s", what, path,
				    strerror(errno));
	n = fread(dst, 1, max + 1, f);
	fclose(f);
	if (n > max)
		return seterr_inval(err, errlen, "%s: %s is larger than %zu bytes", what, path,
				    max);
	if (!n)
		return seterr_inval(err, errlen, "%s: %s is empty", what, path);
	dst[n] = '\0';
	if (strlen(dst) != n)
		return seterr_inval(err, errlen, "%s: %s has a NUL byte: not %s", what, path,
				    strcmp(what, "STATEMENT") ? "an SSH signature"
							      : "a lockbox statement");
	*len = n;
	return 0;
}

/* --signature FILE: the armored signature, read whole (at most PROTO_SIGNATURE_MAX bytes). */
static int read_signature(const char *path, char *dst, char *err, size_t errlen)
{
	size_t n;

	return read_whole("--signature", path, dst, PROTO_SIGNATURE_MAX, &n, err, errlen);
}

/* redeem STATEMENT SIG..., revoke --signed STATEMENT SIG: the files, as they are. */
static int read_signed_files(struct proto_req *r, const char *const *pos, int n, char *err,
			     size_t errlen)
{
	size_t off = 0, len;
	int ret = read_whole("STATEMENT", pos[0], r->statement, PROTO_STATEMENT_MAX,
			     &r->statement_len, err, errlen);

	if (!ret && r->cmd == CMD_REVOKE)
		return read_whole("SIG", pos[1], r->signature, PROTO_SIGNATURE_MAX, &len, err,
				  errlen);
	for (int i = 1; !ret && i < n; i++) {
		if (off + PROTO_SIGNATURE_MAX + 1 > sizeof(r->signatures))
			return seterr_inval(err, errlen,
					    "SIG: the signatures are more than a "
					    "message can carry");
		ret = read_whole("SIG", pos[i], r->signatures + off, PROTO_SIGNATURE_MAX, &len, err,
				 errlen);
		off += len + 1;
		r->n_signatures = i;
	}
	return ret;
}

static int set_state(struct proto_req *r, const char *val, char *err, size_t errlen)
{
	if (!strcmp(val, "pending"))
		r->state_mask = 1u << REQ_PENDING;
	else if (!strcmp(val, "active"))
		r->state_mask = 1u << REQ_APPROVED;
	else if (!strcmp(val, "all"))
		r->state_mask = PROTO_STATE_ALL;
	else
		return seterr_inval(err, errlen,
				    "--state: expected pending, active or all, got '%s'", val);
	return 0;
}

/* The options that take no value. */
static void set_flag(struct ctl_cmdline *out, enum opt_id o)
{
	if (o == O_JSON)
		out->json = true;
	else if (o == O_FOLLOW)
		out->req.follow = true;
	else if (o == O_WAIT)
		out->wait = true;
	else if (o == O_REVOKE)
		out->req.revoke = true;
	else if (o == O_SIGNED)
		out->is_signed = true;
	else if (o == O_SIGNATURES)
		out->req.check_signatures = true;
}

static int set_option(struct ctl_cmdline *out, enum opt_id o, const char *val, char *err,
		      size_t errlen)
{
	struct proto_req *r = &out->req;
	char *end;

	switch (o) {
	case O_REASON:
		return set_text(r->reason, sizeof(r->reason), "--reason", val, err, errlen);
	case O_TICKET:
		return set_text(r->ticket, sizeof(r->ticket), "--ticket", val, err, errlen);
	case O_COMMENT:
		return set_text(r->comment, sizeof(r->comment), "--comment", val, err, errlen);
	case O_DURATION:
		return set_secs("--duration", val, false, &r->duration, err, errlen);
	case O_TIMEOUT:
		return set_secs("--timeout", val, true, &r->timeout, err, errlen);
	case O_ACCESS:
		if (access_parse(val, &r->access))
			return seterr_inval(err, errlen,
					    "--access: expected read or write, got '%s'", val);
		return 0;
	case O_STATE:
		return set_state(r, val, err, errlen);
	case O_SINCE:
		if (time_parse(val, &r->since) || r->since < 0)
			return seterr_inval(
				err, errlen,
				"--since: invalid time '%s' (use RFC 3339, YYYY-MM-DD, or a "
				"duration such as 1h meaning that long ago)",
				val);
		return 0;
	case O_AFTER:
		errno = 0;
		r->after = strtoll(val, &end, 10);
		if (errno || end == val || *end || r->after < 0 || !isdigit((unsigned char)val[0]))
			return seterr_inval(
				err, errlen,
				"--after: expected a record's seq (an integer >= 0), got '%s'",
				val);
		return 0;
	case O_HOSTS:
		/* checked with the rest in validate(), as the agent will */
		return set_text(r->hosts, sizeof(r->hosts), "--hosts", val, err, errlen);
	case O_JSON:
	case O_FOLLOW:
	case O_WAIT:
	case O_REVOKE:
	case O_SIGNED:
	case O_SIGNATURES:
		set_flag(out, o);
		return 0;
	case O_SIGNATURE:
		return read_signature(val, r->signature, err, errlen);
	case O_MAX:
		break;
	}
	return -EINVAL;
}

static int set_positional(struct ctl_cmdline *out, const char *what, const char *val, char *err,
			  size_t errlen)
{
	struct proto_req *r = &out->req;
	char *end;

	if (!strcmp(what, "ZONE")) {
		if (!*val)
			return seterr_inval(err, errlen, "ZONE: must not be empty");
		return set_text(r->zone, sizeof(r->zone), "ZONE", val, err, errlen);
	}
	errno = 0;
	r->id = strtoll(val, &end, 10);
	if (errno || end == val || *end || r->id <= 0 || val[0] == '+' || val[0] == ' ')
		return seterr_inval(err, errlen, "ID: expected a positive integer, got '%s'", val);
	return 0;
}

/* The arguments after the command: an ID or ZONE, or the files of a signed command. */
static int set_positionals(struct ctl_cmdline *out, const char *const *pos, int n, char *err,
			   size_t errlen)
{
	enum proto_cmd cmd = out->req.cmd;
	const char *cname = specs[cmd].name;
	bool files = cmd == CMD_REDEEM || (cmd == CMD_REVOKE && out->is_signed);
	int want_min = files ? 2 : !!specs[cmd].positional;
	int want_max = cmd == CMD_REDEEM ? PROTO_SIGS_MAX + 1 : want_min;

	if (n < want_min && files)
		return seterr_inval(err, errlen, "%s: missing %s", cname, n ? "SIG" : "STATEMENT");
	if (n < want_min)
		return seterr_inval(err, errlen, "%s: missing %s", cname, specs[cmd].positional);
	if (n > want_max && cmd == CMD_REDEEM)
		return seterr_inval(err, errlen, "redeem: at most %d signatures", PROTO_SIGS_MAX);
	if (n > want_max)
		return seterr_inval(err, errlen, "%s: unexpected argument '%s'", cname,
				    pos[want_max]);
	if (cmd == CMD_REVOKE && out->is_signed && out->req.reason[0])
		return seterr_inval(err, errlen,
				    "revoke --signed: --reason is not signed; "
				    "leave it out");
	if (files)
		return read_signed_files(&out->req, pos, n, err, errlen);
	return n ? set_positional(out, specs[cmd].positional, pos[0], err, errlen) : 0;
}

/* The agent's field names, as the user typed them. */
static const char *option_for_field(const char *field, size_t len)
{
	static const struct {
		const char *field, *option;
	} map[] = {
		{"zone", "ZONE"},
		{"id", "ID"},
		{"reason", "--reason"},
		{"ticket", "--ticket"},
		{"comment", "--comment"},
		{"duration", "--duration"},
		{"access", "--access"},
		{"state", "--state"},
		{"since", "--since"},
		{"timeout", "--timeout"},
		{"follow", "--follow"},
		{"after", "--after"},
		{"hosts", "--hosts"},
		{"revoke", "--revoke"},
		{"signature", "--signature"},
		{"statement", "STATEMENT"},
		{"signatures", "SIG"},
		{"check_signatures", "--signatures"},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].field) == len && !strncmp(map[i].field, field, len))
			return map[i].option;
	return NULL;
}

/*
 * The same checks the agent makes, so that a bad value is a usage error here, named as
 * the option the user typed, and the request sent is exactly what the agent will parse.
 */
static int validate(struct ctl_cmdline *out, char *err, size_t errlen)
{
	struct proto_req parsed;
	char perr[512];
	const char *colon, *opt;
	json_t *j;
	char *s;
	int ret;

	j = proto_request_json(&out->req);
	s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!s)
		return seterr_inval(err, errlen, "out of memory");
	ret = proto_parse_request(s, strlen(s), &parsed, perr, sizeof(perr));
	free(s);
	if (!ret) {
		/* request --wait --timeout: the timeout is for the wait that follows, not sent */
		parsed.timeout = out->req.cmd == CMD_REQUEST ? out->req.timeout : parsed.timeout;
		out->req = parsed;
		return 0;
	}
	colon = strchr(perr, ':');
	opt = colon ? option_for_field(perr, colon - perr) : NULL;
	if (opt)
		return seterr_inval(err, errlen, "%s%s", opt, colon);
	return seterr_inval(err, errlen, "%s", perr);
}

static int find_option(enum proto_cmd cmd, const char *name, size_t len)
{
	for (int o = 0; o < O_MAX; o++)
		if ((specs[cmd].opts & OPT(o)) && strlen(opts[o].name) == len &&
		    !strncmp(opts[o].name, name, len))
			return o;
	return -1;
}

static int parse_command_args(int argc, char *const argv[], int i, struct ctl_cmdline *out,
			      char *err, size_t errlen)
{
	enum proto_cmd cmd = out->req.cmd;
	const char *cname = specs[cmd].name;
	const char *pos[PROTO_SIGS_MAX + 2];
	bool only_pos = false, seen_reason = false;
	int ret, npos = 0;

	for (; i < argc; i++) {
		const char *a = argv[i], *val = NULL, *eq;
		int o;

		if (!only_pos && !strcmp(a, "--")) {
			only_pos = true;
			continue;
		}
		/* "-5" is a (bad) ID, not an option */
		if (only_pos || a[0] != '-' || !a[1] || (a[1] >= '0' && a[1] <= '9')) {
			if (!specs[cmd].positional || npos == (int)(sizeof(pos) / sizeof(pos[0])))
				return seterr_inval(err, errlen, "%s: unexpected argument '%s'",
						    cname, a);
			pos[npos++] = a;
			continue;
		}
		if (a[1] != '-')
			return seterr_inval(err, errlen, "%s: unknown option %s", cname, a);
		eq = strchr(a, '=');
		o = find_option(cmd, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
		if (o < 0)
			return seterr_inval(err, errlen, "%s: unknown option %.*s", cname,
					    eq ? (int)(eq - a) : (int)strlen(a), a);
		if (opts[o].has_arg) {
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return seterr_inval(err, errlen, "--%s: missing value",
						    opts[o].name);
		} else if (eq) {
			return seterr_inval(err, errlen, "--%s: takes no value", opts[o].name);
		}
		ret = set_option(out, o, val, err, errlen);
		if (ret)
			return ret;
		if (o == O_REASON)
			seen_reason = true;
	}
	ret = set_positionals(out, pos, npos, err, errlen);
	if (ret)
		return ret;
	if ((cmd == CMD_REQUEST || cmd == CMD_DENY) && !seen_reason)
		return seterr_inval(err, errlen, "%s: missing --reason", cname);
	if (cmd == CMD_REQUEST && out->req.timeout && !out->wait)
		return seterr_inval(err, errlen, "request: --timeout needs --wait");
	return validate(out, err, errlen);
}

int ctl_args_parse(int argc, char *const argv[], struct ctl_cmdline *out, char *err, size_t errlen)
{
	enum proto_cmd cmd;
	int i;

	memset(out, 0, sizeof(*out));
	out->req.cmd = CMD_MAX;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (is_help(a)) {
			out->help = true;
			return 0;
		}
		if (!strcmp(a, "--version")) {
			out->version = true;
			return 0;
		}
		if (!strcmp(a, "--socket")) {
			if (i + 1 >= argc)
				return seterr_inval(err, errlen, "--socket: missing value");
			out->socket = argv[++i];
		} else if (!strncmp(a, "--socket=", 9)) {
			out->socket = a + 9;
		} else {
			return seterr_inval(err, errlen, "unknown option %s", a);
		}
		if (!*out->socket)
			return seterr_inval(err, errlen, "--socket: must not be empty");
	}
	if (i >= argc)
		return seterr_inval(err, errlen, "missing command");
	if (!strcmp(argv[i], "help")) {
		out->help = true;
		if (i + 1 < argc && !proto_cmd_parse(argv[i + 1], &cmd) && cmd != CMD_VERIFY)
			out->req.cmd = cmd;
		return 0;
	}
	if (proto_cmd_parse(argv[i], &cmd) || cmd == CMD_VERIFY)
		return seterr_inval(err, errlen, "unknown command '%s'", argv[i]);
	i++;
	if (cmd == CMD_AUDIT && i < argc && !strcmp(argv[i], "verify")) {
		cmd = CMD_VERIFY;
		i++;
	}
	proto_req_init(&out->req, cmd);
	/* "CMD --help" works whatever else is on the line */
	for (int j = i; j < argc && strcmp(argv[j], "--"); j++) {
		if (is_help(argv[j])) {
			out->help = true;
			return 0;
		}
	}
	return parse_command_args(argc, argv, i, out, err, errlen);
}
