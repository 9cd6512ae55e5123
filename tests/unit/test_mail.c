// SPDX-License-Identifier: GPL-2.0-only
/* Notification mails: well-formed headers, no header injection, RFC 2047, actionable bodies. */
#include <errno.h>
#include <regex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include <openssl/evp.h>
#include "tap.h"
#include "lockbox.h"
#include "mail.h"

#define FROM "lockbox@host.example"
#define NOW  1795888800LL /* 2026-11-28T18:00:00Z, a Saturday */

static const char *const approvers[] = {"admin@acme.example", "sec@acme.example"};

static void sample(struct request *r)
{
	memset(r, 0, sizeof(*r));
	r->id = 42;
	strcpy(r->zone, "acme");
	r->uid = 2001;
	strcpy(r->requester, "eng1");
	r->access = LB_ACCESS_READ;
	strcpy(r->reason, "disk full on the acme volume, need to look at it");
	strcpy(r->ticket, "INC-1234");
	r->duration = 4 * 3600;
	r->created_at = NOW;
	r->expires_at = NOW + 3600;
}

/* The header section (up to the blank line), malloc'd; the body in *body. */
static char *headers_of(const char *msg, const char **body)
{
	const char *end = strstr(msg, "\n\n");

	if (!end)
		return NULL;
	*body = end + 2;
	return strndup(msg, end - msg + 1);
}

/* The unfolded value of the first header called name, malloc'd, or NULL. */
static char *header(const char *msg, const char *name)
{
	const char *body;
	char *h = headers_of(msg, &body), *out = NULL;
	size_t nlen = strlen(name);
	const char *p = h;

	while (p && *p) {
		if (!strncasecmp(p, name, nlen) && p[nlen] == ':') {
			const char *v = p + nlen + 1;
			size_t o = 0;

			out = malloc(strlen(v) + 1);
			while (*v == ' ')
				v++;
			for (; *v; v++) {
				if (*v == '\n' && v[1] != ' ' && v[1] != '\t')
					break;
				if (*v != '\n')
					out[o++] = *v;
			}
			out[o] = '\0';
			break;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	free(h);
	return out;
}

static bool matches(const char *s, const char *re)
{
	regex_t rx;
	bool m;

	if (!s || regcomp(&rx, re, REG_EXTENDED | REG_NOSUB))
		return false;
	m = regexec(&rx, s, 0, NULL, 0) == 0;
	regfree(&rx);
	return m;
}

/* Every header line is "Name: value" or a continuation, within 998 octets, no CR. */
static bool headers_well_formed(const char *msg)
{
	const char *body;
	char *h = headers_of(msg, &body);
	bool good = h != NULL;

	for (char *line = h ? strtok(h, "\n") : NULL; line; line = strtok(NULL, "\n")) {
		if (strlen(line) > 998 || strchr(line, '\r'))
			good = false;
		if (line[0] != ' ' && line[0] != '\t' && !matches(line, "^[A-Za-z-]+: [^ ]"))
			good = false;
	}
	free(h);
	return good;
}

static int count_header(const char *msg, const char *name)
{
	const char *body;
	char *h = headers_of(msg, &body);
	size_t nlen = strlen(name);
	int n = 0;

	for (const char *p = h; p && *p;) {
		if (!strncasecmp(p, name, nlen) && p[nlen] == ':')
			n++;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	free(h);
	return n;
}

static void test_build_has_all_headers(void)
{
	char *m = mail_build(FROM, approvers, 2, "hello", "line one\nline two\n", 42, NOW);
	char *v;
	const char *body;
	char *h;

	ok(m != NULL, "mail_build builds a message");
	if (!m)
		return;
	ok(headers_well_formed(m), "every header line is well formed");
	v = header(m, "Date");
	is_str(v, "Sat, 28 Nov 2026 18:00:00 +0000", "Date is RFC 5322 in UTC");
	ok(matches(v, "^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} "
		      "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} "
		      "[0-9]{2}:[0-9]{2}:[0-9]{2} \\+0000$"),
	   "Date matches the RFC 5322 date-time grammar");
	free(v);
	v = header(m, "From");
	is_str(v, FROM, "From is the configured sender");
	free(v);
	v = header(m, "To");
	is_str(v, "admin@acme.example, sec@acme.example", "To lists every recipient");
	free(v);
	v = header(m, "Subject");
	is_str(v, "hello", "an ASCII subject is sent as is");
	free(v);
	v = header(m, "Message-ID");
	ok(matches(v, "^<[^<>@ ]+@host\\.example>$"), "Message-ID is <unique@domain of From>: %s",
	   v ? v : "(none)");
	free(v);
	v = header(m, "MIME-Version");
	is_str(v, "1.0", "MIME-Version: 1.0");
	free(v);
	v = header(m, "Content-Type");
	is_str(v, "text/plain; charset=utf-8", "plain text in UTF-8");
	free(v);
	v = header(m, "Content-Transfer-Encoding");
	is_str(v, "8bit", "8bit transfer encoding");
	free(v);
	v = header(m, "Auto-Submitted");
	is_str(v, "auto-generated", "marked auto-generated so nobody auto-replies");
	free(v);
	v = header(m, "X-Lockbox-Request");
	is_str(v, "42", "X-Lockbox-Request carries the request id");
	free(v);
	h = headers_of(m, &body);
	is_str(body, "line one\nline two\n", "the body follows one blank line, LF line ends");
	ok(!strchr(m, '\r'), "no CR anywhere: sendmail -t reads LF");
	free(h);
	free(m);
}

static void test_date_pads_day(void)
{
	char *m = mail_build(FROM, approvers, 1, "s", "b\n", 1, 1767323045LL);
	char *v = m ? header(m, "Date") : NULL;

	is_str(v, "Fri, 02 Jan 2026 03:04:05 +0000", "Date pads day and time fields to two digits");
	free(v);
	free(m);
}

static void test_message_ids_are_unique(void)
{
	char *a = mail_build(FROM, approvers, 1, "s", "b\n", 1, NOW);
	char *b = mail_build(FROM, approvers, 1, "s", "b\n", 1, NOW);
	char *ia = a ? header(a, "Message-ID") : NULL, *ib = b ? header(b, "Message-ID") : NULL;

	ok(ia && ib && strcmp(ia, ib),
	   "two messages built in the same second differ in Message-ID");
	free(ia);
	free(ib);
	free(a);
	free(b);
}

static void test_message_id_host_from_display_form(void)
{
	char *m = mail_build("Lockbox <lockbox@mx.acme.example>", approvers, 1, "s", "b\n", 7, NOW);
	char *v = m ? header(m, "Message-ID") : NULL;

	ok(matches(v, "@mx\\.acme\\.example>$"), "Message-ID host comes from inside <...> of From");
	free(v);
	free(m);
}

static void test_header_injection_rejected(void)
{
	const char *evil_to[] = {"admin@acme.example\nBcc: evil@example.com"};
	const char *comma_to[] = {"admin@acme.example,evil@example.com"};
	char *m;

	errno = 0;
	m = mail_build(FROM, approvers, 1, "hi\r\nBcc: evil@example.com", "b\n", 1, NOW);
	ok(!m && errno == EINVAL, "CRLF in the subject is refused with EINVAL");
	free(m);
	errno = 0;
	m = mail_build(FROM, approvers, 1, "hi\nBcc: evil@example.com", "b\n", 1, NOW);
	ok(!m && errno == EINVAL, "a bare LF in the subject is refused");
	free(m);
	errno = 0;
	m = mail_build(FROM, approvers, 1, "tab\there", "b\n", 1, NOW);
	ok(!m && errno == EINVAL, "other control characters in the subject are refused");
	free(m);
	errno = 0;
	m = mail_build(FROM, evil_to, 1, "hi", "b\n", 1, NOW);
	ok(!m && errno == EINVAL, "LF in a recipient is refused");
	free(m);
	errno = 0;
	m = mail_build(FROM, comma_to, 1, "hi", "b\n", 1, NOW);
	ok(!m && errno == EINVAL, "a comma inside one recipient (a hidden extra one) is refused");
	free(m);
	errno = 0;
	m = mail_build("lockbox@host\r\nBcc: evil@example.com", approvers, 1, "hi", "b\n", 1, NOW);
	ok(!m && errno == EINVAL, "CRLF in From is refused");
	free(m);
	errno = 0;
	m = mail_build(FROM, approvers, 0, "hi", "b\n", 1, NOW);
	ok(!m && errno == EINVAL, "no recipients is refused");
	free(m);
	errno = 0;
	m = mail_build(FROM, approvers, 1, "bad \xc3\x28 utf8", "b\n", 1, NOW);
	ok(!m && errno == EINVAL, "invalid UTF-8 in the subject is refused");
	free(m);
}

/* Decodes the subject's encoded-words back to text (only the B form this module writes). */
static char *decode_2047(const char *v)
{
	char *out = calloc(1, strlen(v) + 1);
	size_t o = 0;
	const char *p = v;

	while ((p = strstr(p, "=?UTF-8?B?"))) {
		const char *s = p + 10, *e = strstr(s, "?=");
		unsigned char buf[128];
		int n, pad = 0;

		if (!e || e - s > 120 || (e - s) % 4)
			break;
		n = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)(e - s));
		if (n < 0)
			break;
		if (e - s >= 1 && e[-1] == '=')
			pad++;
		if (e - s >= 2 && e[-2] == '=')
			pad++;
		memcpy(out + o, buf, n - pad);
		o += n - pad;
		p = e + 2;
	}
	out[o] = '\0';
	return out;
}

static void test_non_ascii_subject_rfc2047(void)
{
	const char *subj = "Zugriff auf Kundendaten – Prüfung nötig für größere "
			   "Datenträger ✓ 日本語のテキストも大丈夫";
	char *m = mail_build(FROM, approvers, 1, subj, "b\n", 1, NOW);
	char *v = m ? header(m, "Subject") : NULL;
	char *dec = v ? decode_2047(v) : NULL;
	const char *body;
	char *h = m ? headers_of(m, &body) : NULL;
	bool ascii = true, short_words = true;

	ok(matches(v,
		   "^=\\?UTF-8\\?B\\?[A-Za-z0-9+/=]+\\?=( =\\?UTF-8\\?B\\?[A-Za-z0-9+/=]+\\?=)*$"),
	   "a non-ASCII subject is RFC 2047 B encoded-words");
	for (const char *p = h; p && *p; p++)
		if ((unsigned char)*p >= 0x80)
			ascii = false;
	ok(h && ascii, "the header section stays 7-bit ASCII");
	is_str(dec, subj, "the encoded-words decode back to the subject, split on characters");
	for (char *line = h ? strtok(h, "\n") : NULL; line; line = strtok(NULL, "\n"))
		if (strstr(line, "=?") && strlen(line) > 78)
			short_words = false;
	ok(short_words, "each encoded subject line fits in 78 columns");
	free(h);
	free(dec);
	free(v);
	free(m);
}

static void test_body_dot_line_and_long_lines(void)
{
	char *long_body = malloc(3001);
	char *m, *h;
	const char *body;
	bool short_lines = true;

	m = mail_build(FROM, approvers, 1, "s", "before\n.\nafter\r\n", 1, NOW);
	h = m ? headers_of(m, &body) : NULL;
	is_str(h ? body : NULL, "before\n. \nafter\n",
	       "a lone dot line is padded and CRLF becomes LF");
	free(h);
	free(m);

	memset(long_body, 'x', 3000);
	long_body[3000] = '\0';
	m = mail_build(FROM, approvers, 1, "s", long_body, 1, NOW);
	for (char *line = m ? strtok(m, "\n") : NULL; line; line = strtok(NULL, "\n"))
		if (strlen(line) > 998)
			short_lines = false;
	ok(m && short_lines, "body lines longer than 998 octets are split");
	free(m);
	free(long_body);
}

static void test_request_created_mail(void)
{
	struct request r;
	char *m, *v, *h;
	const char *body;

	sample(&r);
	m = mail_request_created(FROM, approvers, 2, &r, "storage7.example", NULL, NOW);
	ok(m != NULL, "a new-request mail is built");
	if (!m)
		return;
	ok(headers_well_formed(m), "its headers are well formed");
	v = header(m, "To");
	is_str(v, "admin@acme.example, sec@acme.example", "it goes to the zone's approvers");
	free(v);
	v = header(m, "X-Lockbox-Request");
	is_str(v, "42", "it carries the request id in X-Lockbox-Request");
	free(v);
	v = header(m, "Subject");
	ok(v && strstr(v, "42") && strstr(v, "eng1") && strstr(v, "acme"),
	   "the subject names the request, who and the zone: %s", v ? v : "(none)");
	free(v);
	h = headers_of(m, &body);
	ok(strstr(body, "lockboxctl approve 42\n") != NULL,
	   "the body has the exact approve command");
	ok(strstr(body, "lockboxctl deny 42 --reason ") != NULL,
	   "the body has the exact deny command");
	ok(strstr(body, "eng1") && strstr(body, "uid 2001"), "the body says who asked");
	ok(strstr(body, "Zone:      acme") != NULL, "the body names the zone");
	ok(strstr(body, "Access:    read") != NULL, "the body names the access");
	ok(strstr(body, "Duration:  4h") != NULL, "the body gives the duration");
	ok(strstr(body, "disk full on the acme volume") != NULL, "the body gives the reason");
	ok(strstr(body, "Ticket:    INC-1234") != NULL, "the body gives the ticket");
	ok(strstr(body, "Request:   42") != NULL, "the body gives the request id");
	ok(strstr(body, "storage7.example") != NULL, "the body names the host to run it on");
	ok(strstr(body, "2026-11-28T19:00:00Z") != NULL, "the body says when the request lapses");
	free(h);
	free(m);
}

/* The statement in the mail decodes to the exact bytes, with the commands to sign it. */
static void test_request_created_statement(void)
{
	const char *st = "{\"access\":\"read\",\"reason\":\"disk full\",\"statement\":"
			 "\"storage7.example/42/2026-11-28T15:00:00Z\",\"type\":\"lockbox."
			 "approval\",\"v\":1,\"zone\":\"acme\",\"pad\":\"................"
			 "..................................................\"}\n";
	unsigned char dec[1024];
	char b64[1024] = "", *m, *h, *p, *end;
	const char *body;
	struct request r;
	int n;

	sample(&r);
	m = mail_request_created(FROM, approvers, 1, &r, "storage7.example", st, NOW);
	h = m ? headers_of(m, &body) : NULL;
	if (!ok(h != NULL, "a new-request mail with the statement"))
		return;
	ok(strstr(body,
		  "    ssh-keygen -Y sign -f ~/.ssh/id_ed25519 -n lockbox statement.json\n") !=
		   NULL,
	   "the exact command to sign it");
	ok(strstr(body, "    lockboxctl approve 42 --signature statement.json.sig\n") != NULL,
	   "the command that adds the signature here");
	ok(strstr(body, "    lockboxctl redeem statement.json statement.json.sig\n") != NULL,
	   "and the one that redeems it on another host");
	p = strstr(body, "base64 -d > statement.json <<'EOF'\n");
	end = p ? strstr(p, "\n    EOF\n") : NULL;
	for (p = p ? strchr(p, '\n') + 1 : NULL; p && p < end; p = strchr(p, '\n') + 1) {
		p += strspn(p, " ");
		strncat(b64, p, strcspn(p, "\n"));
	}
	n = EVP_DecodeBlock(dec, (const unsigned char *)b64, (int)strlen(b64));
	n -= (int)(strlen(b64) && b64[strlen(b64) - 1] == '=') +
	     (int)(strlen(b64) > 1 && b64[strlen(b64) - 2] == '=');
	ok(end && n == (int)strlen(st) && !memcmp(dec, st, strlen(st)),
	   "the here-document decodes to the statement, byte for byte (%d bytes)", n);
	ok(!strstr(body, "lockbox.approval"), "not as text a mail system could rewrap");
	free(h);
	free(m);
}

static void test_request_created_neutralises_injection(void)
{
	struct request r;
	char *m, *h;
	const char *body;

	sample(&r);
	strcpy(r.reason, "urgent\r\nBcc: evil@example.com\n\n.\nX-Evil: 1");
	strcpy(r.requester, "eng1\nBcc: evil2@example.com");
	strcpy(r.ticket, "T-1\r\nCc: evil3@example.com");
	m = mail_request_created(FROM, approvers, 1, &r, "host\nCc: evil4@example.com", NULL, NOW);
	ok(m != NULL, "a request with CR/LF in its fields still makes a mail");
	if (!m)
		return;
	ok(headers_well_formed(m), "its headers stay well formed");
	is_int(count_header(m, "Bcc"), 0, "no Bcc header was injected");
	is_int(count_header(m, "Cc"), 0, "no Cc header was injected");
	is_int(count_header(m, "X-Evil"), 0, "no X-Evil header was injected");
	h = headers_of(m, &body);
	ok(strstr(body, "urgent Bcc: evil@example.com . X-Evil: 1") != NULL,
	   "the reason is kept, flattened onto one line");
	ok(!strstr(body, "\n.\n"), "no lone dot line can end the message early");
	free(h);
	free(m);
}

static void test_long_reason_wrapped(void)
{
	struct request r;
	char *m, *h;
	const char *body;
	bool short_lines = true;

	sample(&r);
	memset(r.reason, 0, sizeof(r.reason));
	for (int i = 0; i < 100; i++)
		strcat(r.reason, "word ");
	m = mail_request_created(FROM, approvers, 1, &r, NULL, NULL, NOW);
	h = m ? headers_of(m, &body) : NULL;
	for (char *line = h ? strtok((char *)body, "\n") : NULL; line; line = strtok(NULL, "\n"))
		if (strstr(line, "word") && strlen(line) > 78)
			short_lines = false;
	ok(m && short_lines, "a long reason is word-wrapped under 78 columns");
	free(h);
	free(m);
}

static void test_request_decided_mails(void)
{
	static const char *const whats[] = {"approved", "denied", "revoked", "expired",
					    "cancelled"};
	struct request r;
	char *m, *v, *h;
	const char *body;

	sample(&r);
	for (size_t i = 0; i < sizeof(whats) / sizeof(whats[0]); i++) {
		m = mail_request_decided(FROM, NULL, &r, whats[i], "acme-admin", "looks fine", NOW);
		ok(m && headers_well_formed(m), "a well-formed '%s' mail is built", whats[i]);
		v = m ? header(m, "To") : NULL;
		is_str(v, "eng1@host.example", "'%s' goes to <requester>@<domain of From>",
		       whats[i]);
		free(v);
		v = m ? header(m, "Subject") : NULL;
		ok(v && strstr(v, whats[i]) && strstr(v, "42"), "the subject says '%s' and the id",
		   whats[i]);
		free(v);
		free(m);
	}

	m = mail_request_decided(FROM, "eng1@corp.example", &r, "denied", "acme-admin",
				 "not during the freeze", NOW);
	v = m ? header(m, "To") : NULL;
	is_str(v, "eng1@corp.example", "an address the caller gives wins");
	free(v);
	h = m ? headers_of(m, &body) : NULL;
	ok(h && strstr(body, "denied by acme-admin"), "the denial names who denied");
	ok(h && strstr(body, "not during the freeze"), "the denial carries the approver's reason");
	free(h);
	free(m);

	r.grant_id = 9;
	r.expires_at = NOW + 4 * 3600;
	m = mail_request_decided(FROM, NULL, &r, "approved", "acme-admin", NULL, NOW);
	h = m ? headers_of(m, &body) : NULL;
	ok(h && strstr(body, "2026-11-28T22:00:00Z"), "the approval says when access ends");
	free(h);
	free(m);

	errno = 0;
	m = mail_request_decided(FROM, NULL, &r, "exploded", NULL, NULL, NOW);
	ok(!m && errno == EINVAL, "an unknown outcome is refused");
	free(m);
	errno = 0;
	m = mail_request_decided(FROM, "eng1@x\nBcc: evil@example.com", &r, "denied", NULL, NULL,
				 NOW);
	ok(!m && errno == EINVAL, "an injected recipient is refused");
	free(m);
	errno = 0;
	m = mail_request_decided(FROM, NULL, &r, "denied", "adm\r\nBcc: e@x", "a\r\nBcc: e@x", NOW);
	ok(m && count_header(m, "Bcc") == 0, "CR/LF in who and comment cannot add headers");
	free(m);
}

static void test_user_address(void)
{
	char buf[64];

	is_int(mail_user_address("lockbox@host.example", "eng1", buf, sizeof(buf)), 0,
	       "a user address is derived");
	is_str(buf, "eng1@host.example", "as <user>@<domain of From>");
	is_int(mail_user_address("Lockbox <lockbox@mx.example>", "eng2", buf, sizeof(buf)), 0,
	       "From with a display name works");
	is_str(buf, "eng2@mx.example", "the domain is taken from inside <...>");
	is_int(mail_user_address("lockbox", "eng1", buf, sizeof(buf)), -EINVAL,
	       "a From without a domain is -EINVAL");
	is_int(mail_user_address(FROM, "eng 1", buf, sizeof(buf)), -EINVAL,
	       "a user name that needs quoting is -EINVAL");
	is_int(mail_user_address(FROM, "eng1", buf, 5), -ENOSPC, "a short buffer is -ENOSPC");
}

static void test_join_addresses(void)
{
	const char *bad[] = {"a@x", "b@y\r\n"};
	char *s = NULL;

	is_int(mail_join_addresses(approvers, 2, &s), 0, "addresses join");
	is_str(s, "admin@acme.example,sec@acme.example", "into a comma list");
	free(s);
	s = NULL;
	is_int(mail_join_addresses(bad, 2, &s), -EINVAL, "an unsafe address is -EINVAL");
	ok(s == NULL, "and nothing is returned");
	is_int(mail_join_addresses(approvers, 0, &s), -EINVAL, "no addresses is -EINVAL");
}

int main(void)
{
	test_build_has_all_headers();
	test_date_pads_day();
	test_message_ids_are_unique();
	test_message_id_host_from_display_form();
	test_header_injection_rejected();
	test_non_ascii_subject_rfc2047();
	test_body_dot_line_and_long_lines();
	test_request_created_mail();
	test_request_created_statement();
	test_request_created_neutralises_injection();
	test_long_reason_wrapped();
	test_request_decided_mails();
	test_user_address();
	test_join_addresses();
	return done_testing();
}
