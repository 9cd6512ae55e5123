// SPDX-License-Identifier: GPL-2.0-only
/* The wire protocol: requests checked at the boundary, replies and record lines built. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "errbuf.h"
#include "lockbox.h"
#include "protocol.h"
#include "timefmt.h"
#include "utf8.h"

enum field_bit {
	F_ID = 1u << 0,
	F_ZONE = 1u << 1,
	F_REASON = 1u << 2,
	F_TICKET = 1u << 3,
	F_COMMENT = 1u << 4,
	F_DURATION = 1u << 5,
	F_ACCESS = 1u << 6,
	F_STATE = 1u << 7,
	F_FOLLOW = 1u << 8,
	F_SINCE = 1u << 9,
	F_TIMEOUT = 1u << 10,
	F_AFTER = 1u << 11,
	F_HOSTS = 1u << 12,
	F_REVOKE = 1u << 13,
	F_SIGNATURE = 1u << 14,
	F_STATEMENT = 1u << 15,
	F_SIGNATURES = 1u << 16,
	F_CHECK_SIGS = 1u << 17,
};

static const struct {
	const char *name;
	unsigned allowed;
	unsigned required;
} cmds[CMD_MAX] = {
	[CMD_REQUEST] = {"request", F_ZONE | F_REASON | F_TICKET | F_DURATION | F_ACCESS | F_HOSTS,
			 F_ZONE | F_REASON},
	[CMD_LIST] = {"list", F_STATE, 0},
	[CMD_SHOW] = {"show", F_ID, F_ID},
	[CMD_APPROVE] = {"approve", F_ID | F_COMMENT | F_SIGNATURE, F_ID},
	[CMD_DENY] = {"deny", F_ID | F_REASON, F_ID | F_REASON},
	/* by ID, or signed: STATEMENT and SIGNATURE (check_revoke_form()) */
	[CMD_REVOKE] = {"revoke", F_ID | F_REASON | F_STATEMENT | F_SIGNATURE, 0},
	[CMD_CANCEL] = {"cancel", F_ID, F_ID},
	[CMD_WAIT] = {"wait", F_ID | F_TIMEOUT, F_ID},
	[CMD_AUDIT] = {"audit", F_FOLLOW | F_SINCE | F_AFTER, 0},
	[CMD_VERIFY] = {"verify", F_CHECK_SIGS, 0},
	[CMD_STATUS] = {"status", 0, 0},
	[CMD_STATEMENT] = {"statement", F_ID | F_REVOKE, F_ID},
	[CMD_REDEEM] = {"redeem", F_STATEMENT | F_SIGNATURES, F_STATEMENT | F_SIGNATURES},
};

typedef int (*field_parser)(json_t *v, struct proto_req *r, char *err, size_t errlen);

struct field {
	const char *name;
	unsigned bit;
	field_parser parse;
};

/* Names a client might try to claim an identity with; refused with a reason, not just "unknown". */
static const char *const identity_keys[] = {"uid", "gid", "pid", "user", "requester", "approver"};

const char *proto_cmd_name(enum proto_cmd cmd)
{
	return cmd < CMD_MAX ? cmds[cmd].name : "unknown";
}

int proto_cmd_parse(const char *name, enum proto_cmd *out)
{
	for (int i = 0; i < CMD_MAX; i++) {
		if (name && !strcmp(cmds[i].name, name)) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

void proto_req_init(struct proto_req *r, enum proto_cmd cmd)
{
	memset(r, 0, sizeof(*r));
	r->version = LB_PROTO_VERSION;
	r->cmd = cmd;
	if (cmd == CMD_REQUEST)
		r->access = LB_ACCESS_READ;
	if (cmd == CMD_LIST)
		r->state_mask = PROTO_STATE_DEFAULT;
}

/*
 * C0, DEL, C1, and the invisible direction/line controls (U+200E-F, U+2028-2E, U+2066-9)
 * that could make one audit line read as another. Input is valid UTF-8 (jansson checks).
 */
static bool has_control(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c < 0x20 || c == 0x7f)
			return true;
		if (c == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f)
			return true;
		if (c == 0xe2 && i + 2 < n) {
			unsigned char c1 = s[i + 1], c2 = s[i + 2];

			if (c1 == 0x80 && (c2 == 0x8e || c2 == 0x8f || (c2 >= 0xa8 && c2 <= 0xae)))
				return true;
			if (c1 == 0x81 && c2 >= 0xa6 && c2 <= 0xa9)
				return true;
		}
	}
	return false;
}

/* A string field: no NUL or control characters, trimmed of spaces, then min/max checked. */
static int parse_text(json_t *v, const char *name, char *dst, size_t dstsz, size_t min_chars,
		      char *err, size_t errlen)
{
	const char *s;
	size_t n;

	if (!json_is_string(v))
		return seterr_inval(err, errlen, "%s: expected a string", name);
	s = json_string_value(v);
	n = json_string_length(v);
	if (memchr(s, '\0', n))
		return seterr_inval(err, errlen, "%s: contains a NUL byte", name);
	if (has_control((const unsigned char *)s, n))
		return seterr_inval(err, errlen, "%s: contains a control character", name);
	while (n && *s == ' ') {
		s++;
		n--;
	}
	while (n && s[n - 1] == ' ')
		n--;
	if (n > dstsz - 1)
		return seterr_inval(err, errlen, "%s: longer than %zu bytes", name, dstsz - 1);
	if (utf8_chars(s, n) < min_chars && min_chars == 1)
		return seterr_inval(err, errlen, "%s: must not be empty", name);
	if (utf8_chars(s, n) < min_chars)
		return seterr_inval(err, errlen, "%s: must be at least %zu characters", name,
				    min_chars);
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

static int parse_int(json_t *v, const char *name, int64_t min, int64_t max, const char *what,
		     int64_t *out, char *err, size_t errlen)
{
	json_int_t n;

	if (!json_is_integer(v))
		return seterr_inval(err, errlen, "%s: expected %s", name, what);
	n = json_integer_value(v);
	if (n < min)
		return seterr_inval(err, errlen, "%s: expected %s", name, what);
	if (n > max)
		return seterr_inval(err, errlen, "%s: at most %lld", name, (long long)max);
	*out = n;
	return 0;
}

static int parse_id(json_t *v, struct proto_req *r, char *err, size_t errlen)
{
	return parse_int(v, "id", 1, INT64_MAX, "a positive integer", &r->id, err, errlen);
}

static int parse_zone(json_t *v, struct proto_req *r, char *err, size_t errlen)
{
	return parse_text(v, "zone", r->zone, sizeof(r->zone), 1, err, errlen);
}

static int parse_reason(json_t *v, struct proto_req *r, char *err, size_t errlen)
{
	/* a revoke may say why; a request or a denial must */
	size_t min = r->cmd == CMD_REVOKE ? 0 : LB_REASON_MIN;

	return parse_text(v, "reason", r->reason, sizeof(r->reason), min, err, errlen);
}

static int parse_ticket(json_t *v, struct proto_req *r, char *err, size_t errlen)
{
	return parse_text(v, "ticket", r->ticket, sizeof(r->ticket), 1, err, errlen);
}

static int parse_comment(json_t *v, struct proto_req *r, char *err, size_t errlen)
{
	return parse_text(v, "comment", r->comment, sizeof(r->comment), 0, err, errlen);
}

static int parse_duration(json_t *v, struct proto_req *r, char *err, size_t errlen)
{
	return parse_int(v, "duration", 1, PROTO_SECS_MAX, "a positive integer (seconds)",
			 &r->duration, err, errlen);
}

static int parse_timeout(json_t *v, struct proto_req *r, char *err, size_t errlen)
{
	return parse_int(v, "timeout", 0, PROTO_SECS_MAX, "a non-negative integer (seconds)",
			 &r->timeout, err, errlen);
}

static int parse_since(json_t *v, struct proto_req *r, char *err, size_t errlen)
{
	return parse_int(v, "since", 0, INT64_MAX, "a non-negative integer (unix seconds)",
			 &r->since, err, errlen);
}

static int parse_after(json_t *v, struct proto_req *r, char *err, size_t errlen)
{
	return parse_int(v, "after", 0, INT64_MAX, "a non-negative integer (a record's seq)",
			 &r->after, err, errlen);
}

static int parse_access(json_t *v, struct proto_req *r, char *err, size_t errlen)
{
	if (!json_is_string(v) || access_parse(json_string_value(v), &r->access))
		return seterr_inval(err, errlen, "access: expected \"read\" or \"write\"");
	return 0;
}

static int parse_state(json_t *v, struct proto_req *r, char *err, size_t errlen)
{
	const char *s = json_string_value(v);

	if (s && !strcmp(s, "pending")) {
		r->state_mask = 1u << REQ_PENDING;
	} else if (s && !strcmp(s, "active")) {
		r->state_mask = 1u << REQ_APPROVED;
	} else if (s && !strcmp(s, "all")) {
		r->state_mask = PROTO_STATE_ALL;
	} else {
		return seterr_inval(err, errlen,
				    "state: expected \"pending\", \"active\" or \"all\"");
	}
	return 0;
}

/* An armored SSHSIG: lines of printable ASCII; the agent checks the rest. */
static int check_armor(json_t *v, const char *name, char *err, size_t errlen)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);

	if (!json_is_string(v))
		return seterr_inval(err, errlen, "%s: expected a string", name);
	if (!n)
		return seterr_inval(err, errlen, "%s: must not be empty", name);
	if (n > PROTO_SIGNATURE_MAX)
		return seterr_inval(err, errlen, "%s: longer than %d bytes", name,
				    PROTO_SIGNATURE_MAX);
	for (size_t i = 0; i < n; i++)
		if ((s[i] < 0x20 || s[i] >= 0x7f) && s[i] != '\n' && s[i] != '\r')
			return seterr_inval(err, errlen,
					    "%s: not an armored SSH signature (byte %zu)", name, i);
	return 0;
}

static int parse_signature(json_t *v, struct proto_req *r, char *err, size_t errlen)
{
	int ret = check_armor(v, "signature", err, errlen);

	if (!ret)
		memcpy(r->signature, json_string_value(v), json_string_length(v) + 1);
	return ret;
}

/* redeem's signatures: 1..PROTO_SIGS_MAX armored SSHSIGs, kept back to back. */
static int parse_signatures(json_t *v, struct proto_req *r, char *err, size_t errlen)
{
	size_t off = 0, i, n;
	json_t *s;
	int ret;

	if (!json_is_array(v) || !json_array_size(v))
		return seterr_inval(err, errlen,
				    "signatures: expected an array of 1 to %d "
				    "signatures",
				    PROTO_SIGS_MAX);
	if (json_array_size(v) > PROTO_SIGS_MAX)
		return seterr_inval(err, errlen, "signatures: more than %d", PROTO_SIGS_MAX);
	json_array_foreach (v, i, s) {
		ret = check_armor(s, "signatures", err, errlen);
		if (ret)
			return ret;
		n = json_string_length(s) + 1;
		if (off + n > sizeof(r->signatures))
			return seterr_inval(err, errlen, "signatures: more than %zu bytes in all",
					    sizeof(r->signatures));
		memcpy(r->signatures + off, json_string_value(s), n);
		off += n;
	}
	r->n_signatures = json_array_size(v);
	return 0;
}

const char *proto_signature_at(const struct proto_req *r, int i)
{
	const char *p = r->signatures;

	while (i-- > 0)
		p += strlen(p) + 1;
	return p;
}

/* A statement's exact bytes: printable ASCII lines (statements escape the rest). */
static int parse_statement(json_t *v, struct proto_req *r, char *err, size_t errlen)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);

	if (!json_is_string(v))
		return seterr_inval(err, errlen, "statement: expected a string");
	if (!n)
		return seterr_inval(err, errlen, "statement: must not be empty");
	if (n > PROTO_STATEMENT_MAX)
		return seterr_inval(err, errlen, "statement: longer than %d bytes",
				    PROTO_STATEMENT_MAX);
	for (size_t i = 0; i < n; i++)
		if ((s[i] < 0x20 || s[i] >= 0x7f) && s[i] != '\n')
			return seterr_inval(err, errlen,
					    "statement: byte %zu is not printable ASCII or a "
					    "newline (not a lockbox statement)",
					    i);
	memcpy(r->statement, s, n + 1);
	r->statement_len = n;
	return 0;
}

static int parse_check_sigs(json_t *v, struct proto_req *r, char *err, size_t errlen)
{
	if (!json_is_boolean(v))
		return seterr_inval(err, errlen, "check_signatures: expected true or false");
	r->check_signatures = json_is_true(v);
	return 0;
}

static int parse_revoke(json_t *v, struct proto_req *r, char *err, size_t errlen)
{
	if (!json_is_boolean(v))
		return seterr_inval(err, errlen, "revoke: expected true or false");
	r->revoke = json_is_true(v);
	return 0;
}

static int parse_follow(json_t *v, struct proto_req *r, char *err, size_t errlen)
{
	if (!json_is_boolean(v))
		return seterr_inval(err, errlen, "follow: expected true or false");
	r->follow = json_is_true(v);
	return 0;
}

int proto_hosts_check(const char *list, char *err, size_t errlen)
{
	size_t n = 0, len;

	for (const char *p = list;; p += len + 1) {
		len = strcspn(p, ",");
		if (++n > PROTO_HOSTS_MAX)
			return seterr_inval(err, errlen, "hosts: more than %d patterns",
					    PROTO_HOSTS_MAX);
		if (!len)
			return seterr_inval(err, errlen, "hosts: pattern %zu is empty", n);
		if (len > PROTO_PATTERN_MAX)
			return seterr_inval(err, errlen,
					    "hosts: pattern %zu is longer than %d bytes", n,
					    PROTO_PATTERN_MAX);
		for (size_t i = 0; i < len; i++)
			if (p[i] <= 0x20 || p[i] >= 0x7f)
				return seterr_inval(err, errlen,
						    "hosts: pattern %zu has a character that is "
						    "not printable ASCII",
						    n);
		if (!p[len])
			return 0;
	}
}

static int parse_hosts(json_t *v, struct proto_req *r, char *err, size_t errlen)
{
	int ret = parse_text(v, "hosts", r->hosts, sizeof(r->hosts), 1, err, errlen);

	return ret ? ret : proto_hosts_check(r->hosts, err, errlen);
}

static const struct field fields[] = {
	{"id", F_ID, parse_id},
	{"zone", F_ZONE, parse_zone},
	{"reason", F_REASON, parse_reason},
	{"ticket", F_TICKET, parse_ticket},
	{"comment", F_COMMENT, parse_comment},
	{"duration", F_DURATION, parse_duration},
	{"access", F_ACCESS, parse_access},
	{"state", F_STATE, parse_state},
	{"follow", F_FOLLOW, parse_follow},
	{"since", F_SINCE, parse_since},
	{"timeout", F_TIMEOUT, parse_timeout},
	{"after", F_AFTER, parse_after},
	{"hosts", F_HOSTS, parse_hosts},
	{"revoke", F_REVOKE, parse_revoke},
	{"signature", F_SIGNATURE, parse_signature},
	{"statement", F_STATEMENT, parse_statement},
	{"signatures", F_SIGNATURES, parse_signatures},
	{"check_signatures", F_CHECK_SIGS, parse_check_sigs},
};

#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

/* A key quoted in an error: printable ASCII only, and not too long. */
static void safe_key(const char *key, char *buf, size_t len)
{
	size_t i;

	for (i = 0; key[i] && i + 1 < len; i++)
		buf[i] = key[i] >= 0x20 && key[i] < 0x7f ? key[i] : '?';
	buf[i] = '\0';
}

static int check_header(json_t *root, enum proto_cmd *cmd, char *err, size_t errlen)
{
	json_t *v = json_object_get(root, "v");
	json_t *c = json_object_get(root, "cmd");
	char name[40];

	if (!v)
		return seterr_inval(err, errlen, "v: missing (the protocol version, %d)",
				    LB_PROTO_VERSION);
	if (!json_is_integer(v))
		return seterr_inval(err, errlen, "v: expected the integer %d", LB_PROTO_VERSION);
	if (json_integer_value(v) != LB_PROTO_VERSION)
		return seterr_inval(err, errlen,
				    "v: unsupported protocol version %lld (this agent speaks %d)",
				    (long long)json_integer_value(v), LB_PROTO_VERSION);
	if (!c)
		return seterr_inval(err, errlen, "cmd: missing");
	if (!json_is_string(c))
		return seterr_inval(err, errlen, "cmd: expected a string");
	if (proto_cmd_parse(json_string_value(c), cmd)) {
		safe_key(json_string_value(c), name, sizeof(name));
		return seterr_inval(err, errlen, "cmd: unknown command \"%s\"", name);
	}
	return 0;
}

static const struct field *find_field(const char *key)
{
	for (size_t i = 0; i < N_FIELDS; i++)
		if (!strcmp(fields[i].name, key))
			return &fields[i];
	return NULL;
}

static bool is_identity_key(const char *key)
{
	for (size_t i = 0; i < sizeof(identity_keys) / sizeof(identity_keys[0]); i++)
		if (!strcmp(identity_keys[i], key))
			return true;
	return false;
}

/* A revoke names a request by id, or carries a signed revocation statement: not both. */
static int check_revoke_form(unsigned seen, char *err, size_t errlen)
{
	bool is_signed = seen & (F_STATEMENT | F_SIGNATURE);

	if (is_signed && (seen & F_ID))
		return seterr_inval(err, errlen,
				    "id: not with a signed revocation (statement "
				    "and signature name the grant)");
	if (is_signed && !(seen & F_STATEMENT))
		return seterr_inval(err, errlen, "statement: missing (required with signature)");
	if (is_signed && !(seen & F_SIGNATURE))
		return seterr_inval(err, errlen, "signature: missing (required with statement)");
	if (is_signed && (seen & F_REASON))
		return seterr_inval(err, errlen,
				    "reason: not with a signed revocation (the "
				    "statement is what was signed)");
	if (!is_signed && !(seen & F_ID))
		return seterr_inval(err, errlen, "id: missing (required for revoke)");
	return 0;
}

static int parse_fields(json_t *root, struct proto_req *out, char *err, size_t errlen)
{
	unsigned allowed = cmds[out->cmd].allowed, seen = 0;
	const char *key;
	json_t *v;
	char name[72];
	int ret;

	json_object_foreach (root, key, v) {
		const struct field *f;

		if (!strcmp(key, "v") || !strcmp(key, "cmd"))
			continue;
		f = find_field(key);
		if (!f || !(f->bit & allowed)) {
			safe_key(key, name, sizeof(name));
			if (is_identity_key(key))
				return seterr_inval(err, errlen,
						    "%s: not accepted; lockboxd identifies the "
						    "caller by its socket credentials",
						    name);
			if (f)
				return seterr_inval(err, errlen, "%s: unknown field for %s", name,
						    cmds[out->cmd].name);
			return seterr_inval(err, errlen, "%s: unknown field", name);
		}
		ret = f->parse(v, out, err, errlen);
		if (ret)
			return ret;
		seen |= f->bit;
	}
	for (size_t i = 0; i < N_FIELDS; i++) {
		if ((cmds[out->cmd].required & fields[i].bit) && !(seen & fields[i].bit))
			return seterr_inval(err, errlen, "%s: missing (required for %s)",
					    fields[i].name, cmds[out->cmd].name);
	}
	return out->cmd == CMD_REVOKE ? check_revoke_form(seen, err, errlen) : 0;
}

int proto_parse_request(const char *line, size_t len, struct proto_req *out, char *err,
			size_t errlen)
{
	struct proto_req req;
	json_error_t jerr;
	json_t *root = NULL;
	enum proto_cmd cmd;
	int ret = -EINVAL;

	if (len > LB_MSG_MAX)
		return seterr_inval(err, errlen, "message: longer than %d bytes", LB_MSG_MAX);
	/* a raw NUL would end the text early for a C reader; strings are checked per field */
	if (memchr(line, '\0', len))
		return seterr_inval(err, errlen, "message: contains a NUL byte");
	root = json_loadb(line, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
			  &jerr);
	if (!root) {
		seterr(err, errlen, "message: invalid JSON at column %d: %s", jerr.column,
		       jerr.text);
		goto out;
	}
	if (!json_is_object(root)) {
		seterr(err, errlen, "message: expected a JSON object");
		goto out;
	}
	ret = check_header(root, &cmd, err, errlen);
	if (ret)
		goto out;
	proto_req_init(&req, cmd);
	ret = parse_fields(root, &req, err, errlen);
	if (ret)
		goto out;
	*out = req;
out:
	json_decref(root);
	return ret;
}

static const char *state_mask_name(unsigned mask)
{
	if (mask == 1u << REQ_PENDING)
		return "pending";
	if (mask == 1u << REQ_APPROVED)
		return "active";
	if (mask == PROTO_STATE_ALL)
		return "all";
	return NULL;
}

static int set_new(json_t *obj, const char *key, json_t *v)
{
	return json_object_set_new(obj, key, v);
}

/* A request command's fields. */
static int request_request_fields(json_t *o, const struct proto_req *r)
{
	int err = 0;

	err |= set_new(o, "zone", json_string(r->zone));
	err |= set_new(o, "reason", json_string(r->reason));
	if (r->ticket[0])
		err |= set_new(o, "ticket", json_string(r->ticket));
	if (r->duration > 0)
		err |= set_new(o, "duration", json_integer(r->duration));
	err |= set_new(o, "access", json_string(access_name(r->access)));
	if (r->hosts[0])
		err |= set_new(o, "hosts", json_string(r->hosts));
	return err;
}

/* revoke ID [--reason], or a signed revocation: its statement and signature. */
static int revoke_fields(json_t *o, const struct proto_req *r)
{
	int err = 0;

	if (r->statement_len) {
		err |= set_new(o, "statement", json_stringn(r->statement, r->statement_len));
		err |= set_new(o, "signature", json_string(r->signature));
		return err;
	}
	err |= set_new(o, "id", json_integer(r->id));
	if (r->reason[0])
		err |= set_new(o, "reason", json_string(r->reason));
	return err;
}

static int redeem_fields(json_t *o, const struct proto_req *r)
{
	json_t *sigs = json_array();
	int err = set_new(o, "statement", json_stringn(r->statement, r->statement_len));

	for (int i = 0; sigs && i < r->n_signatures; i++)
		err |= json_array_append_new(sigs, json_string(proto_signature_at(r, i)));
	return err | set_new(o, "signatures", sigs);
}

static int audit_fields(json_t *o, const struct proto_req *r)
{
	int err = 0;

	if (r->follow)
		err |= set_new(o, "follow", json_true());
	if (r->since > 0)
		err |= set_new(o, "since", json_integer(r->since));
	if (r->after > 0)
		err |= set_new(o, "after", json_integer(r->after));
	return err;
}

/* The fields of @r's command that are not at their defaults; non-zero if one failed. */
static int request_fields(json_t *o, const struct proto_req *r)
{
	int err = 0;

	switch (r->cmd) {
	case CMD_REQUEST:
		err |= request_request_fields(o, r);
		break;
	case CMD_LIST:
		if (r->state_mask != PROTO_STATE_DEFAULT) {
			const char *name = state_mask_name(r->state_mask);

			err |= name ? set_new(o, "state", json_string(name)) : -1;
		}
		break;
	case CMD_SHOW:
	case CMD_CANCEL:
		err |= set_new(o, "id", json_integer(r->id));
		break;
	case CMD_APPROVE:
		err |= set_new(o, "id", json_integer(r->id));
		if (r->comment[0])
			err |= set_new(o, "comment", json_string(r->comment));
		if (r->signature[0])
			err |= set_new(o, "signature", json_string(r->signature));
		break;
	case CMD_DENY:
		err |= set_new(o, "id", json_integer(r->id));
		err |= set_new(o, "reason", json_string(r->reason));
		break;
	case CMD_REVOKE:
		err |= revoke_fields(o, r);
		break;
	case CMD_REDEEM:
		err |= redeem_fields(o, r);
		break;
	case CMD_WAIT:
		err |= set_new(o, "id", json_integer(r->id));
		if (r->timeout > 0)
			err |= set_new(o, "timeout", json_integer(r->timeout));
		break;
	case CMD_AUDIT:
		err |= audit_fields(o, r);
		break;
	case CMD_STATEMENT:
		err |= set_new(o, "id", json_integer(r->id));
		if (r->revoke)
			err |= set_new(o, "revoke", json_true());
		break;
	case CMD_VERIFY:
		if (r->check_signatures)
			err |= set_new(o, "check_signatures", json_true());
		break;
	case CMD_STATUS:
	case CMD_MAX:
		break;
	}
	return err;
}

json_t *proto_request_json(const struct proto_req *r)
{
	json_t *o;
	int err = 0;

	if (r->cmd >= CMD_MAX)
		return NULL;
	o = json_object();
	if (!o)
		return NULL;
	err |= set_new(o, "v", json_integer(LB_PROTO_VERSION));
	err |= set_new(o, "cmd", json_string(cmds[r->cmd].name));
	err |= request_fields(o, r);
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* One compact line with its newline; the caller frees it. */
static char *dump_line(json_t *o)
{
	char *s, *line;
	size_t n;

	s = json_dumps(o, JSON_COMPACT);
	if (!s)
		return NULL;
	n = strlen(s);
	line = realloc(s, n + 2);
	if (!line) {
		free(s);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
}

char *proto_reply_ok(json_t *result)
{
	json_t *o;
	char *line = NULL;

	if (!result)
		return NULL;
	o = json_object();
	if (!o || set_new(o, "v", json_integer(LB_PROTO_VERSION)) ||
	    set_new(o, "ok", json_true())) {
		json_decref(result);
		goto out;
	}
	if (set_new(o, "result", result))
		goto out;
	line = dump_line(o);
out:
	json_decref(o);
	return line;
}

/* A message that may quote invalid UTF-8 (a truncated name) still makes a valid reply. */
static json_t *string_lossy(char *s)
{
	json_t *j = json_string(s);

	if (j)
		return j;
	for (char *p = s; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	return json_string(s);
}

char *proto_reply_error(const char *code, const char *fmt, ...)
{
	json_t *o = NULL, *e;
	char *msg = NULL, *line = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0) {
		msg = NULL;
		goto out;
	}
	o = json_object();
	e = json_object();
	if (!o) {
		json_decref(e);
		goto out;
	}
	if (set_new(o, "v", json_integer(LB_PROTO_VERSION)) || set_new(o, "ok", json_false())) {
		json_decref(e);
		goto out;
	}
	if (set_new(o, "error", e))
		goto out;
	if (set_new(e, "code", json_string(code ? code : PROTO_E_INTERNAL)) ||
	    set_new(e, "message", string_lossy(msg)))
		goto out;
	line = dump_line(o);
out:
	json_decref(o);
	free(msg);
	return line;
}

char *proto_record_line(json_t *record)
{
	json_t *o;
	char *line = NULL;

	if (!record)
		return NULL;
	o = json_object();
	if (!o || set_new(o, "v", json_integer(LB_PROTO_VERSION)) ||
	    json_object_set(o, "record", record))
		goto out;
	line = dump_line(o);
out:
	json_decref(o);
	return line;
}

int proto_parse_reply(const char *line, size_t len, struct proto_reply *out, char *err,
		      size_t errlen)
{
	json_t *root, *v, *e, *code, *msg;
	json_error_t jerr;
	int ret = -EINVAL;

	memset(out, 0, sizeof(*out));
	root = json_loadb(line, len, JSON_DECODE_ANY, &jerr);
	if (!root)
		return seterr_inval(err, errlen, "reply: invalid JSON at column %d: %s",
				    jerr.column, jerr.text);
	if (!json_is_object(root)) {
		seterr(err, errlen, "reply: expected a JSON object");
		goto out;
	}
	v = json_object_get(root, "v");
	if (!json_is_integer(v) || json_integer_value(v) != LB_PROTO_VERSION) {
		seterr(err, errlen, "v: expected protocol version %d", LB_PROTO_VERSION);
		goto out;
	}
	if ((v = json_object_get(root, "record"))) {
		if (!json_is_object(v)) {
			seterr(err, errlen, "record: expected an object");
			goto out;
		}
		out->is_record = true;
		out->record = json_incref(v);
		ret = 0;
		goto out;
	}
	v = json_object_get(root, "ok");
	if (!json_is_boolean(v)) {
		seterr(err, errlen, "ok: expected true or false");
		goto out;
	}
	if (json_is_true(v)) {
		v = json_object_get(root, "result");
		if (!v) {
			seterr(err, errlen, "result: missing");
			goto out;
		}
		out->ok = true;
		out->result = json_incref(v);
		ret = 0;
		goto out;
	}
	e = json_object_get(root, "error");
	code = json_object_get(e, "code");
	msg = json_object_get(e, "message");
	if (!json_is_string(code) || !json_is_string(msg)) {
		seterr(err, errlen, "error: expected an object with string code and message");
		goto out;
	}
	snprintf(out->code, sizeof(out->code), "%s", json_string_value(code));
	snprintf(out->message, sizeof(out->message), "%s", json_string_value(msg));
	ret = 0;
out:
	json_decref(root);
	return ret;
}

void proto_reply_release(struct proto_reply *r)
{
	if (!r)
		return;
	json_decref(r->result);
	json_decref(r->record);
	r->result = NULL;
	r->record = NULL;
}

static json_t *time_or_null(int64_t t)
{
	char buf[TIME_BUF];

	if (!t)
		return json_null();
	time_format(t, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *text_or_null(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

json_t *proto_request_to_json(const struct request *r)
{
	json_t *o = json_object();
	int err = 0;

	if (!o)
		return NULL;
	err |= set_new(o, "id", json_integer(r->id));
	err |= set_new(o, "state", json_string(req_state_name(r->state)));
	err |= set_new(o, "zone", json_string(r->zone));
	err |= set_new(o, "requester", json_string(r->requester));
	err |= set_new(o, "uid", json_integer(r->uid));
	err |= set_new(o, "access", json_string(access_name(r->access)));
	err |= set_new(o, "reason", json_string(r->reason));
	err |= set_new(o, "ticket", text_or_null(r->ticket));
	err |= set_new(o, "duration", json_integer(r->duration));
	err |= set_new(o, "approvals", json_integer(r->approvals));
	err |= set_new(o, "created_at", time_or_null(r->created_at));
	err |= set_new(o, "expires_at", time_or_null(r->expires_at));
	err |= set_new(o, "decided_at", time_or_null(r->decided_at));
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *proto_decision_to_json(const struct decision *d)
{
	json_t *o = json_object();
	bool agent = d->uid == LB_UID_AGENT;
	int err = 0;

	if (!o)
		return NULL;
	err |= set_new(o, "kind", json_string(decision_kind_name(d->kind)));
	err |= set_new(o, "user", json_string(agent && !d->user[0] ? "lockboxd" : d->user));
	err |= set_new(o, "uid", agent ? json_null() : json_integer(d->uid));
	err |= set_new(o, "comment", text_or_null(d->comment));
	err |= set_new(o, "at", time_or_null(d->at));
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int proto_exit_code(const char *error_code)
{
	if (!error_code)
		return LB_EXIT_ERROR;
	if (!strcmp(error_code, PROTO_E_INVALID))
		return LB_EXIT_USAGE;
	if (!strcmp(error_code, PROTO_E_NOT_PERMITTED))
		return LB_EXIT_NOT_PERMITTED;
	if (!strcmp(error_code, PROTO_E_NOT_FOUND))
		return LB_EXIT_NOT_FOUND;
	return LB_EXIT_ERROR;
}
