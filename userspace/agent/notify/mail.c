// SPDX-License-Identifier: GPL-2.0-only
/* Notification mails: headers that cannot be injected into, bodies people can act on. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "duration.h"
#include "mail.h"
#include "timefmt.h"
#include "utf8.h"

#define LINE_MAX_OCTETS 998 /* RFC 5322 2.1.1 */
#define WRAP_COLS	72
/* 42 octets -> 56 base64 chars: a 68-char encoded-word, "Subject: " + it within 78 columns */
#define EW_CHUNK 42

static bool is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* Header text: valid UTF-8 with no control characters at all (CR and LF above all). */
static bool header_text_ok(const char *s, bool *ascii)
{
	const unsigned char *p = (const unsigned char *)s;

	*ascii = true;
	while (*p) {
		size_t n = utf8_seq_len((const char *)p);

		if (!n || (n == 1 && is_ctl(*p)))
			return false;
		if (n > 1)
			*ascii = false;
		p += n;
	}
	return true;
}

/* An address as it goes into From or To: printable ASCII, no comma (it would add one). */
static bool addr_ok(const char *a)
{
	size_t len = a ? strlen(a) : 0;

	if (!len || len > MAIL_ADDR_MAX)
		return false;
	for (const char *p = a; *p; p++)
		if (*p < 0x20 || *p > 0x7e || *p == ',')
			return false;
	return true;
}

/* The domain of "x@dom" or "Name <x@dom>", or NULL; *len gets its length. */
static const char *addr_domain(const char *from, size_t *len)
{
	const char *start = strchr(from, '<');
	const char *end, *at = NULL;

	start = start ? start + 1 : from;
	end = strchr(start, '>');
	if (!end)
		end = start + strlen(start);
	for (const char *p = start; p < end; p++)
		if (*p == '@')
			at = p;
	if (!at || at + 1 == end)
		return NULL;
	*len = end - at - 1;
	return at + 1;
}

static bool domain_ok(const char *d, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_[]:",
			    d[i]))
			return false;
	return len > 0;
}

int mail_user_address(const char *from, const char *user, char *buf, size_t len)
{
	const char *dom;
	size_t dlen;
	int n;

	if (!from || !addr_ok(from) || !user || !*user)
		return -EINVAL;
	/* a user name goes into the local part unquoted: keep to what needs no quoting */
	for (const char *p = user; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+",
			    *p))
			return -EINVAL;
	dom = addr_domain(from, &dlen);
	if (!dom || !domain_ok(dom, dlen))
		return -EINVAL;
	n = snprintf(buf, len, "%s@%.*s", user, (int)dlen, dom);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return 0;
}

int mail_join_addresses(const char *const *to, size_t n_to, char **out)
{
	size_t total = 0, off = 0;
	char *s;

	if (!to || !n_to)
		return -EINVAL;
	for (size_t i = 0; i < n_to; i++) {
		if (!addr_ok(to[i]))
			return -EINVAL;
		total += strlen(to[i]) + 1;
	}
	s = malloc(total);
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n_to; i++)
		off += sprintf(s + off, "%s%s", i ? "," : "", to[i]);
	*out = s;
	return 0;
}

/* RFC 5322 3.3 in UTC; day and month names fixed, not the locale's. */
static void put_date(FILE *f, int64_t now)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)now;
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		t = 0;
		gmtime_r(&t, &tm);
	}
	fprintf(f, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\n", days[tm.tm_wday], tm.tm_mday,
		months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/*
 * A Message-ID part unique across hosts and restarts: a random salt drawn once
 * per process, plus a counter (RAND_bytes for each mail cost more than the
 * rest of the mail); pid and time if the kernel has no randomness yet.
 */
static unsigned long long message_id_part(void)
{
	static unsigned long long salt, counter;
	static bool salted;

	if (!salted) {
		salted = getrandom(&salt, sizeof(salt), GRND_NONBLOCK) == (ssize_t)sizeof(salt);
		if (!salted)
			salt = (unsigned long long)getpid() << 32 ^ (unsigned long long)time(NULL);
	}
	return salt + ++counter;
}

static void put_message_id(FILE *f, const char *from, int64_t request_id, int64_t now)
{
	unsigned long long r = message_id_part();
	const char *dom;
	size_t dlen;

	dom = addr_domain(from, &dlen);
	if (!dom || !domain_ok(dom, dlen)) {
		dom = "localhost";
		dlen = strlen(dom);
	}
	fprintf(f, "Message-ID: <lockbox.%lld.%lld.%016llx@%.*s>\n", (long long)request_id,
		(long long)now, r, (int)dlen, dom);
}

static void put_to(FILE *f, const char *const *to, size_t n_to)
{
	size_t col = strlen("To: ");

	fputs("To: ", f);
	for (size_t i = 0; i < n_to; i++) {
		size_t len = strlen(to[i]);

		if (i) {
			/* fold between addresses to keep header lines short */
			if (col + 2 + len > 78) {
				fputs(",\n ", f);
				col = 1;
			} else {
				fputs(", ", f);
				col += 2;
			}
		}
		fputs(to[i], f);
		col += len;
	}
	fputc('\n', f);
}

/* ASCII as is; anything else as RFC 2047 B encoded-words, split on character boundaries. */
static void put_subject(FILE *f, const char *subject, bool ascii)
{
	const unsigned char *p = (const unsigned char *)subject;
	size_t left = strlen(subject);
	unsigned char b64[4 * ((EW_CHUNK + 2) / 3) + 1];

	if (ascii) {
		fprintf(f, "Subject: %s\n", subject);
		return;
	}
	fputs("Subject:", f);
	while (left) {
		size_t chunk = 0;

		while (chunk < left) {
			size_t n = utf8_seq_len((const char *)(p + chunk));

			if (chunk + n > EW_CHUNK)
				break;
			chunk += n;
		}
		EVP_EncodeBlock(b64, p, (int)chunk);
		/* adjacent encoded-words are joined without the folding space (RFC 2047 6.2) */
		fprintf(f, " =?UTF-8?B?%s?=\n", b64);
		p += chunk;
		left -= chunk;
	}
}

/* Ends an output line; a lone "." is padded, since sendmail without -i stops there. */
static void end_line(FILE *f, size_t out, char last)
{
	if (out == 1 && last == '.')
		fputc(' ', f);
	fputc('\n', f);
}

/*
 * The body with LF line ends: CRs dropped, lines over 998 octets split at a character
 * boundary, a lone "." padded.
 */
static void put_body(FILE *f, const char *body)
{
	const char *p = body;

	while (*p) {
		size_t out = 0;
		char last = 0;

		for (; *p && *p != '\n'; p++) {
			size_t n = utf8_lead_len((unsigned char)*p);

			if (*p == '\r')
				continue;
			if (out >= LINE_MAX_OCTETS || (n && out + n > LINE_MAX_OCTETS)) {
				end_line(f, out, last);
				out = 0;
			}
			putc_unlocked(*p, f); /* a memstream of our own: no other thread */
			last = *p;
			out++;
		}
		end_line(f, out, last);
		if (*p == '\n')
			p++;
	}
}

/* Closes a memstream that built *buf; -ENOMEM (and *buf freed) if any write failed. */
static int stream_done(FILE *f, char **buf)
{
	bool bad = ferror(f);

	if (fclose(f) || bad) {
		free(*buf);
		*buf = NULL;
		return -ENOMEM;
	}
	return 0;
}

char *mail_build(const char *from, const char *const *to, size_t n_to, const char *subject,
		 const char *body, int64_t request_id, int64_t now)
{
	char *buf = NULL;
	size_t size = 0;
	bool ascii;
	FILE *f;

	if (!addr_ok(from) || !to || !n_to || !subject || !body ||
	    !header_text_ok(subject, &ascii) || strlen(subject) > LINE_MAX_OCTETS - 16) {
		errno = EINVAL;
		return NULL;
	}
	for (size_t i = 0; i < n_to; i++) {
		if (!addr_ok(to[i])) {
			errno = EINVAL;
			return NULL;
		}
	}
	f = open_memstream(&buf, &size);
	if (!f)
		return NULL;
	put_date(f, now);
	fprintf(f, "From: %s\n", from);
	put_to(f, to, n_to);
	put_subject(f, subject, ascii);
	put_message_id(f, from, request_id, now);
	fputs("MIME-Version: 1.0\n"
	      "Content-Type: text/plain; charset=utf-8\n"
	      "Content-Transfer-Encoding: 8bit\n"
	      "Auto-Submitted: auto-generated\n",
	      f);
	if (request_id > 0)
		fprintf(f, "X-Lockbox-Request: %lld\n", (long long)request_id);
	fputc('\n', f);
	put_body(f, body);
	if (stream_done(f, &buf))
		errno = ENOMEM;
	return buf;
}

/*
 * Untrusted text on one line: control characters (CR, LF, tab…) become spaces, runs of
 * spaces one, invalid UTF-8 '?'. The result is never longer than the input.
 */
static char *flat(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	char *out = malloc(strlen((const char *)p) + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	while (*p) {
		size_t n = utf8_seq_len((const char *)p);

		if (!n) {
			out[o++] = '?';
			p++;
		} else if (n == 1 && (is_ctl(*p) || *p == ' ')) {
			if (o && out[o - 1] != ' ')
				out[o++] = ' ';
			p++;
		} else {
			memcpy(out + o, p, n);
			o += n;
			p += n;
		}
	}
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return out;
}

/* Space between words of untrusted text: control characters (CR, LF, tab…) count as one. */
static bool is_sep(unsigned char c)
{
	return c == ' ' || is_ctl(c);
}

/*
 * "  Label:    text" with untrusted text flattened and word-wrapped, continuation lines
 * under the text: no CR/LF gets through, invalid UTF-8 becomes '?'.
 */
static void put_field(FILE *f, const char *label, const char *text)
{
	const int indent = 13;
	const unsigned char *p = (const unsigned char *)(text ? text : "");
	int col = fprintf(f, "  %s:", label);
	bool empty = true;

	fprintf(f, "%*s", col < indent ? indent - col : 1, "");
	col = indent;
	for (;;) {
		const unsigned char *w;
		int width = 0;

		while (*p && is_sep(*p))
			p++;
		if (!*p)
			break;
		for (w = p; *w && !is_sep(*w); w++)
			width += utf8_lead_len(*w) != 0;
		if (!empty && col + 1 + width > WRAP_COLS) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (!empty) {
			fputc(' ', f);
			col++;
		}
		while (p < w) {
			size_t n = utf8_seq_len((const char *)p);

			if (!n || p + n > w) {
				fputc('?', f);
				p++;
			} else {
				fwrite(p, 1, n, f);
				p += n;
			}
		}
		col += width;
		empty = false;
	}
	if (empty)
		fputc('-', f);
	fputc('\n', f);
}

/* What a request's mail says: untrusted text flattened, times and duration formatted. */
struct mail_text {
	const struct request *r;
	char *zone, *who, *where; /* flat(): one line each */
	const char *what, *comment;
	const char *statement; /* created: the approval statement, or NULL */
	int64_t now;
	char dur[DURATION_BUF], filed[TIME_BUF], ends[TIME_BUF], at[TIME_BUF];
};

/* 0, or -1 with errno ENOMEM; text_release() either way. */
static int text_init(struct mail_text *t, const struct request *r, const char *who,
		     const char *where, int64_t now)
{
	t->r = r;
	t->now = now;
	t->zone = flat(r->zone);
	t->who = flat(who);
	t->where = flat(where);
	duration_format(r->duration, t->dur, sizeof(t->dur));
	time_format(r->created_at, t->filed, sizeof(t->filed));
	time_format(r->expires_at, t->ends, sizeof(t->ends));
	time_format(now, t->at, sizeof(t->at));
	if (!t->zone || !t->who || !t->where) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

static void text_release(struct mail_text *t)
{
	int saved = errno;

	free(t->zone);
	free(t->who);
	free(t->where);
	errno = saved;
}

typedef void (*body_fn)(FILE *f, const struct mail_text *t);

/* The message with @subject and the body @fn writes; NULL with errno set on failure. */
static char *compose(const char *from, const char *const *to, size_t n_to,
		     const struct mail_text *t, const char *subject, body_fn fn)
{
	char *body = NULL, *msg;
	size_t size;
	FILE *f;
	int saved;

	if (!subject) {
		errno = ENOMEM;
		return NULL;
	}
	f = open_memstream(&body, &size);
	if (!f)
		return NULL;
	fn(f, t);
	if (stream_done(f, &body)) {
		errno = ENOMEM;
		return NULL;
	}
	msg = mail_build(from, to, n_to, subject, body, t->r->id, t->now);
	saved = errno;
	free(body);
	errno = saved;
	return msg;
}

/* printf into a new string; NULL when out of memory. */
static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *str_printf(const char *fmt, ...)
{
	char *out;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&out, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : out;
}

/*
 * Approving from the approver's own machine: the statement as a command that writes
 * it exactly (base64, so no transport can change a byte), and the command to sign it.
 */
static void signing_section(FILE *f, const struct mail_text *t)
{
	size_t n = strlen(t->statement);
	unsigned char *b64 = malloc(4 * ((n + 2) / 3) + 1);
	int len;

	if (!b64)
		return;
	len = EVP_EncodeBlock(b64, (const unsigned char *)t->statement, (int)n);
	fprintf(f,
		"\nOr approve from your own machine with your SSH key, with no shell on %s:\n"
		"write the request's statement (exactly these bytes), then sign it:\n\n"
		"    base64 -d > statement.json <<'EOF'\n",
		t->where);
	for (int i = 0; i < len; i += 64)
		fprintf(f, "    %.*s\n", len - i < 64 ? len - i : 64, b64 + i);
	fprintf(f,
		"    EOF\n"
		"    ssh-keygen -Y sign -f ~/.ssh/id_ed25519 -n lockbox statement.json\n\n"
		"and send statement.json.sig back. On %s it is added with\n\n"
		"    lockboxctl approve %lld --signature statement.json.sig\n\n"
		"and on the other hosts the statement names, the engineer redeems it with\n\n"
		"    lockboxctl redeem statement.json statement.json.sig\n",
		t->where, (long long)t->r->id);
	free(b64);
}

static void created_body(FILE *f, const struct mail_text *t)
{
	const struct request *r = t->r;
	const char *acc = access_name(r->access);

	fprintf(f, "%s asks for %s access to zone %s on %s for %s.\n\n", t->who, acc, t->zone,
		t->where, t->dur);
	fprintf(f, "  Request:   %lld\n", (long long)r->id);
	fprintf(f, "  Requester: %s (uid %u)\n", t->who, r->uid);
	fprintf(f, "  Zone:      %s\n", t->zone);
	fprintf(f, "  Host:      %s\n", t->where);
	fprintf(f, "  Access:    %s\n", acc);
	fprintf(f, "  Duration:  %s\n", t->dur);
	put_field(f, "Reason", r->reason);
	put_field(f, "Ticket", r->ticket[0] ? r->ticket : "none");
	fprintf(f, "  Filed:     %s\n", t->filed);
	fprintf(f, "  Lapses:    %s, unless decided before\n", t->ends);
	fprintf(f,
		"\nNo access is granted until the request is approved.\n"
		"To approve, run on %s as an approver of zone %s:\n\n"
		"    lockboxctl approve %lld\n\n"
		"To deny:\n\n"
		"    lockboxctl deny %lld --reason \"why it is denied\"\n\n"
		"Details: lockboxctl show %lld\n",
		t->where, t->zone, (long long)r->id, (long long)r->id, (long long)r->id);
	if (t->statement)
		signing_section(f, t);
}

char *mail_request_created(const char *from, const char *const *to, size_t n_to,
			   const struct request *r, const char *host, const char *statement,
			   int64_t now)
{
	struct mail_text t = {.statement = statement};
	char *subject = NULL, *msg = NULL;

	if (!text_init(&t, r, r->requester, host && *host ? host : "this host", now)) {
		subject = str_printf("[lockbox] Access request %lld: %s asks for %s access to %s",
				     (long long)r->id, t.who, access_name(r->access), t.zone);
		msg = compose(from, to, n_to, &t, subject, created_body);
	}
	free(subject);
	text_release(&t);
	return msg;
}

/* The decision's first lines, which differ by what happened. */
static void decided_opening(FILE *f, const struct mail_text *t)
{
	const char *acc = access_name(t->r->access), *what = t->what;
	long long id = t->r->id;

	if (!strcmp(what, "approved")) {
		fprintf(f, "Your request %lld for %s access to zone %s was approved by %s.\n", id,
			acc, t->zone, t->who);
		fprintf(f, "Access is active now and ends at %s.\n\n", t->ends);
	} else if (!strcmp(what, "denied")) {
		fprintf(f, "Your request %lld for %s access to zone %s was denied by %s.\n\n", id,
			acc, t->zone, t->who);
	} else if (!strcmp(what, "revoked")) {
		fprintf(f, "Your %s access to zone %s (request %lld) was revoked\nby %s at %s.\n",
			acc, t->zone, id, t->who, t->at);
		fprintf(f, "Files already open in the zone can no longer be read or written.\n\n");
	} else if (!strcmp(what, "expired") && t->r->grant_id > 0) {
		fprintf(f, "Your %s access to zone %s (request %lld) ended at %s.\n\n", acc,
			t->zone, id, t->ends);
	} else if (!strcmp(what, "expired")) {
		fprintf(f,
			"Your request %lld for %s access to zone %s lapsed at %s without a "
			"decision.\n\n",
			id, acc, t->zone, t->ends);
	} else {
		fprintf(f, "Request %lld for %s access to zone %s was cancelled by %s.\n\n", id,
			acc, t->zone, t->who);
	}
}

static void decided_body(FILE *f, const struct mail_text *t)
{
	const char *what = t->what;

	decided_opening(f, t);
	if (t->comment && *t->comment)
		put_field(f,
			  !strcmp(what, "denied") || !strcmp(what, "revoked") ? "Why" : "Comment",
			  t->comment);
	fprintf(f, "  Request:   %lld\n", (long long)t->r->id);
	fprintf(f, "  Duration:  %s\n", t->dur);
	put_field(f, "Reason", t->r->reason);
	put_field(f, "Ticket", t->r->ticket[0] ? t->r->ticket : "none");
	fprintf(f, "\nDetails: lockboxctl show %lld\n", (long long)t->r->id);
}

static bool decision_known(const char *what)
{
	static const char *const known[] = {"approved", "denied", "revoked", "expired",
					    "cancelled"};

	for (size_t i = 0; what && i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(what, known[i]))
			return true;
	return false;
}

char *mail_request_decided(const char *from, const char *to, const struct request *r,
			   const char *what, const char *by, const char *comment, int64_t now)
{
	struct mail_text t = {.what = what, .comment = comment};
	char addr[MAIL_ADDR_MAX + 1];
	char *subject = NULL, *msg = NULL;
	int err;

	if (!decision_known(what)) {
		errno = EINVAL;
		return NULL;
	}
	if (!to) {
		err = mail_user_address(from, r->requester, addr, sizeof(addr));
		if (err) {
			errno = -err == ENOSPC ? EINVAL : -err;
			return NULL;
		}
		to = addr;
	}
	if (!text_init(&t, r, by && *by ? by : "lockbox", "", now)) {
		subject = str_printf("[lockbox] Request %lld %s: %s access to %s", (long long)r->id,
				     what, access_name(r->access), t.zone);
		msg = compose(from, &to, 1, &t, subject, decided_body);
	}
	free(subject);
	text_release(&t);
	return msg;
}
