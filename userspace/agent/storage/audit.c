// SPDX-License-Identifier: GPL-2.0-only
/*
 * The audit trail: each record's hash covers the previous record's hash and the
 * record's canonical JSON, so an edit, insertion or deletion anywhere breaks every
 * link after it. docs/audit.md says how to re-verify it without this code.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include "errbuf.h"
#include "audit.h"
#include "timefmt.h"

#define CANON_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII)
/* NUL is legal in a JSON string, so a record holding one must load back */
#define LOAD_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)
#define GENESIS	   "0000000000000000000000000000000000000000000000000000000000000000"

_Static_assert(sizeof(GENESIS) == AUDIT_HASH_HEX + 1, "the genesis hash is 64 zeros");

/* Per store: the chain's head and scratch reused by every append (no malloc per record). */
struct audit_cache {
	uint64_t gen; /* store_txn_gen() when the head was read */
	bool head_ok;
	int64_t seq;
	char hash[AUDIT_HASH_HEX + 1];
	EVP_MD *sha256; /* fetched once: an implicit fetch per record halves the hash rate */
	EVP_MD_CTX *md;
	char *buf;
	size_t cap;
};

static const char SQL_HEAD[] = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";
static const char SQL_INSERT[] = "INSERT INTO audit (seq, record, prev_hash, hash)"
				 " VALUES (?1, ?2, ?3, ?4)";
static const char SQL_LAST[] = "SELECT max(seq) FROM audit";
static const char SQL_ALL[] = "SELECT seq, record, prev_hash, hash FROM audit ORDER BY seq";
static const char SQL_AFTER[] = "SELECT seq, record FROM audit WHERE seq > ?1 ORDER BY seq";

static void audit_cache_free(struct audit_cache *c)
{
	if (!c)
		return;
	EVP_MD_CTX_free(c->md);
	EVP_MD_free(c->sha256);
	free(c->buf);
	free(c);
}

static void cache_release(void *p)
{
	audit_cache_free(p);
}

/* The cache lives in the store's slot: freed with the store, owned by this module. */
static int cache_get(struct store *s, struct audit_cache **out)
{
	struct store_slot *slot = store_slot(s);
	struct audit_cache *c = slot->p;

	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return -ENOMEM;
		c->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
		c->md = EVP_MD_CTX_new();
		c->cap = 4096;
		c->buf = malloc(c->cap);
		if (!c->sha256 || !c->md || !c->buf) {
			audit_cache_free(c);
			return -ENOMEM;
		}
		slot->p = c;
		slot->release = cache_release;
	}
	*out = c;
	return 0;
}

/* hex(SHA-256(prev_hex || text)) */
static int chain_hash(struct audit_cache *c, const char *prev, const char *text, size_t len,
		      char out[AUDIT_HASH_HEX + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_DigestInit_ex2(c->md, c->sha256, NULL) ||
	    !EVP_DigestUpdate(c->md, prev, AUDIT_HASH_HEX) || !EVP_DigestUpdate(c->md, text, len) ||
	    !EVP_DigestFinal_ex(c->md, md, &n) || n * 2 != AUDIT_HASH_HEX)
		return -EIO;
	for (unsigned int i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[AUDIT_HASH_HEX] = '\0';
	return 0;
}

/* The canonical text into c->buf (not NUL-terminated). */
static int canonical(struct audit_cache *c, const json_t *rec, size_t *len)
{
	size_t n = json_dumpb(rec, c->buf, c->cap, CANON_FLAGS);

	if (n > c->cap) {
		size_t cap = n > 2 * c->cap ? n : 2 * c->cap;
		char *buf = realloc(c->buf, cap);

		if (!buf)
			return -ENOMEM;
		c->buf = buf;
		c->cap = cap;
		n = json_dumpb(rec, c->buf, c->cap, CANON_FLAGS);
	}
	if (!n || n > c->cap)
		return -EINVAL;
	*len = n;
	return 0;
}

static bool is_hash(const unsigned char *t, int n)
{
	if (!t || n != AUDIT_HASH_HEX)
		return false;
	for (int i = 0; i < n; i++)
		if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f')))
			return false;
	return true;
}

/*
 * The head is trusted only within the transaction that read it: a rollback may have
 * taken our last records away, and between transactions another connection may write.
 */
static int load_head(struct store *s, struct audit_cache *c)
{
	sqlite3_stmt *st;
	int rc;

	if (c->head_ok && c->gen == store_txn_gen(s))
		return 0;
	rc = store_stmt(s, SQL_HEAD, &st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		c->seq = 0;
		memcpy(c->hash, GENESIS, sizeof(GENESIS));
		rc = 0;
	} else if (rc == SQLITE_ROW) {
		const unsigned char *h = sqlite3_column_text(st, 1);

		if (sqlite3_column_type(st, 0) != SQLITE_INTEGER ||
		    sqlite3_column_int64(st, 0) < 1 || !is_hash(h, sqlite3_column_bytes(st, 1))) {
			rc = -EBADMSG; /* never chain onto garbage */
		} else {
			c->seq = sqlite3_column_int64(st, 0);
			memcpy(c->hash, h, AUDIT_HASH_HEX);
			c->hash[AUDIT_HASH_HEX] = '\0';
			rc = 0;
		}
	} else {
		rc = store_sqlite_errno(rc);
	}
	sqlite3_reset(st);
	if (!rc) {
		c->gen = store_txn_gen(s);
		c->head_ok = true;
	}
	return rc;
}

/* 0, or -EINVAL with *field naming what is wrong */
static int check_rec(json_t *rec, const char **field)
{
	const char *src;
	json_t *type, *time;
	int64_t t;

	*field = "record";
	if (!json_is_object(rec))
		return -EINVAL;
	*field = "source";
	src = json_string_value(json_object_get(rec, "source"));
	if (!src || (strcmp(src, "kernel") && strcmp(src, "agent")))
		return -EINVAL;
	*field = "type";
	type = json_object_get(rec, "type");
	if (!json_is_string(type) || !json_string_length(type))
		return -EINVAL;
	*field = "time";
	time = json_object_get(rec, "time");
	if (time && time_parse_rfc3339(json_string_value(time), &t))
		return -EINVAL;
	*field = NULL;
	return 0;
}

/* c->buf[0, len) hashed onto the chain as record @seq, and inserted. */
static int insert(struct store *s, struct audit_cache *c, int64_t seq, size_t len)
{
	char hash[AUDIT_HASH_HEX + 1];
	sqlite3_stmt *st;
	int rc = chain_hash(c, c->hash, c->buf, len, hash);

	if (!rc)
		rc = store_stmt(s, SQL_INSERT, &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, c->buf, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->hash, AUDIT_HASH_HEX, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, hash, AUDIT_HASH_HEX, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sqlite_errno(rc);
	c->seq = seq;
	memcpy(c->hash, hash, sizeof(hash));
	return 0;
}

static int append(struct store *s, struct audit_cache *c, const void *arg, int64_t *seq_out)
{
	json_t *rec = (json_t *)arg;
	struct timespec now;
	size_t len;
	int64_t seq;
	int rc;

	rc = load_head(s, c);
	if (rc)
		return rc;
	seq = c->seq + 1;
	if (json_object_set_new(rec, "seq", json_integer(seq)))
		return -ENOMEM;
	if (!json_object_get(rec, "time")) {
		char ts[TIME_BUF];

		clock_gettime(CLOCK_REALTIME, &now);
		rc = time_format_ms((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, ts,
				    sizeof(ts));
		if (rc)
			return rc;
		if (json_object_set_new(rec, "time", json_string(ts)))
			return -ENOMEM;
	}
	rc = canonical(c, rec, &len);
	if (!rc)
		rc = insert(s, c, seq, len);
	if (!rc && seq_out)
		*seq_out = seq;
	return rc;
}

static int buf_reserve(struct audit_cache *c, size_t n)
{
	char *buf;

	if (n <= c->cap)
		return 0;
	buf = realloc(c->buf, n);
	if (!buf)
		return -ENOMEM;
	c->buf = buf;
	c->cap = n;
	return 0;
}

struct text_parts {
	const char *head, *tail;
	size_t hlen, tlen;
};

/* "{" head ",\"seq\":" N "," tail "}": the record's canonical text with its seq. */
static int append_text(struct store *s, struct audit_cache *c, const void *arg, int64_t *seq_out)
{
	const struct text_parts *p = arg;
	char num[24];
	size_t len, o;
	int64_t seq;
	int rc, n;

	rc = load_head(s, c);
	if (rc)
		return rc;
	seq = c->seq + 1;
	n = snprintf(num, sizeof(num), ",\"seq\":%lld,", (long long)seq);
	len = 1 + p->hlen + (size_t)n + p->tlen + 1;
	rc = buf_reserve(c, len);
	if (rc)
		return rc;
	c->buf[0] = '{';
	memcpy(c->buf + 1, p->head, p->hlen);
	o = 1 + p->hlen;
	memcpy(c->buf + o, num, (size_t)n);
	memcpy(c->buf + o + n, p->tail, p->tlen);
	c->buf[len - 1] = '}';
	rc = insert(s, c, seq, len);
	if (!rc && seq_out)
		*seq_out = seq;
	return rc;
}

typedef int (*append_fn)(struct store *s, struct audit_cache *c, const void *arg, int64_t *seq_out);

static int run_append(struct store *s, append_fn fn, const void *arg, int64_t *seq_out)
{
	struct audit_cache *c;
	bool own_txn;
	int rc;

	rc = cache_get(s, &c);
	if (rc)
		return rc;
	/* two statements must see the same head: never let them straddle transactions */
	own_txn = sqlite3_get_autocommit(store_db(s));
	if (own_txn) {
		rc = store_begin(s);
		if (rc)
			return rc;
	}
	rc = fn(s, c, arg, seq_out);
	if (own_txn) {
		if (!rc)
			rc = store_commit(s);
		if (rc)
			store_rollback(s);
	}
	return rc;
}

int audit_append(struct store *s, json_t *rec, int64_t *seq_out)
{
	const char *field;
	int rc = check_rec(rec, &field);

	return rc ?: run_append(s, append, rec, seq_out);
}

int audit_append_text(struct store *s, const char *head, size_t hlen, const char *tail, size_t tlen,
		      int64_t *seq_out)
{
	const struct text_parts p = {head, tail, hlen, tlen};

	if (!hlen || !tlen)
		return -EINVAL;
	return run_append(s, append_text, &p, seq_out);
}

int64_t audit_last_seq(struct store *s)
{
	sqlite3_stmt *st;
	int64_t seq = 0;
	int rc;

	rc = store_stmt(s, SQL_LAST, &st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		seq = sqlite3_column_int64(st, 0); /* NULL, an empty trail, reads as 0 */
	else
		seq = store_sqlite_errno(rc) ?: -EIO;
	sqlite3_reset(st);
	return seq;
}

/* The row's link: text columns, prev_hash the hash before it, its hash over its record. */
static int verify_link(struct audit_cache *c, sqlite3_stmt *st, int64_t seq, const char *prev,
		       char hash_out[AUDIT_HASH_HEX + 1], char *err, size_t errlen)
{
	/* types first: reading a column as text converts it, and its type is lost */
	bool texts = sqlite3_column_type(st, 1) == SQLITE_TEXT &&
		     sqlite3_column_type(st, 2) == SQLITE_TEXT &&
		     sqlite3_column_type(st, 3) == SQLITE_TEXT;
	const char *text = (const char *)sqlite3_column_text(st, 1);
	const unsigned char *ph = sqlite3_column_text(st, 2);
	const unsigned char *h = sqlite3_column_text(st, 3);
	int tlen = sqlite3_column_bytes(st, 1);
	int rc;

	if (!texts || !text || strlen(text) != (size_t)tlen) {
		seterr(err, errlen, "record %lld: malformed row (a column is not text)",
		       (long long)seq);
		return -EBADMSG;
	}
	if (!is_hash(ph, sqlite3_column_bytes(st, 2)) || memcmp(ph, prev, AUDIT_HASH_HEX)) {
		if (seq == 1)
			seterr(err, errlen, "record 1: prev_hash is not 64 zeros (chain start)");
		else
			seterr(err, errlen,
			       "record %lld: prev_hash is not record %lld's hash (chain broken)",
			       (long long)seq, (long long)seq - 1);
		return -EBADMSG;
	}
	rc = chain_hash(c, prev, text, tlen, hash_out);
	if (rc) {
		seterr(err, errlen, "record %lld: cannot compute SHA-256", (long long)seq);
		return rc;
	}
	if (!is_hash(h, sqlite3_column_bytes(st, 3)) || memcmp(h, hash_out, AUDIT_HASH_HEX)) {
		seterr(err, errlen, "record %lld: hash mismatch (record edited?)", (long long)seq);
		return -EBADMSG;
	}
	return 0;
}

/* The hash holds; now the record must be one this code could have written. */
static int verify_content(struct audit_cache *c, const char *text, int tlen, int64_t seq, char *err,
			  size_t errlen)
{
	json_t *rec = json_loadb(text, tlen, LOAD_FLAGS, NULL), *jseq;
	const char *field;
	size_t len;
	int rc = -EBADMSG;

	if (!json_is_object(rec)) {
		seterr(err, errlen, "record %lld: not a JSON object", (long long)seq);
		goto out;
	}
	jseq = json_object_get(rec, "seq");
	if (!json_is_integer(jseq) || json_integer_value(jseq) != seq) {
		seterr(err, errlen, "record %lld: its \"seq\" field does not say %lld",
		       (long long)seq, (long long)seq);
		goto out;
	}
	if (canonical(c, rec, &len) || len != (size_t)tlen || memcmp(c->buf, text, len)) {
		seterr(err, errlen, "record %lld: not in canonical form (not written by lockbox?)",
		       (long long)seq);
		goto out;
	}
	if (check_rec(rec, &field) || !json_object_get(rec, "time")) {
		seterr(err, errlen, "record %lld: bad or missing \"%s\" field", (long long)seq,
		       field ? field : "time");
		goto out;
	}
	rc = 0;
out:
	json_decref(rec);
	return rc;
}

/* Checks one row against the hash before it; fills err and returns -EBADMSG if bad. */
static int verify_row(struct audit_cache *c, sqlite3_stmt *st, int64_t seq, const char *prev,
		      char hash_out[AUDIT_HASH_HEX + 1], char *err, size_t errlen)
{
	int rc = verify_link(c, st, seq, prev, hash_out, err, errlen);

	if (rc)
		return rc;
	return verify_content(c, (const char *)sqlite3_column_text(st, 1),
			      sqlite3_column_bytes(st, 1), seq, err, errlen);
}

int audit_verify_count(struct store *s, int64_t *checked, int64_t *bad_seq, char *err,
		       size_t errlen)
{
	char prev[AUDIT_HASH_HEX + 1] = GENESIS, hash[AUDIT_HASH_HEX + 1];
	struct audit_cache *c;
	sqlite3_stmt *st = NULL;
	int64_t expect = 1, seq;
	int rc;

	if (checked)
		*checked = 0;
	if (bad_seq)
		*bad_seq = 0;
	rc = cache_get(s, &c);
	if (rc) {
		seterr(err, errlen, "out of memory");
		return rc;
	}
	/* one statement reads one snapshot, whatever is appended meanwhile */
	rc = sqlite3_prepare_v2(store_db(s), SQL_ALL, -1, &st, NULL);
	if (rc) {
		seterr(err, errlen, "reading the audit table: %s", sqlite3_errmsg(store_db(s)));
		return store_sqlite_errno(rc);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0);
		if (seq != expect) {
			if (seq > expect && expect == seq - 1)
				seterr(err, errlen, "record %lld missing (deleted?)",
				       (long long)expect);
			else if (seq > expect)
				seterr(err, errlen, "records %lld to %lld missing (deleted?)",
				       (long long)expect, (long long)seq - 1);
			else
				seterr(err, errlen, "record %lld: seq out of range",
				       (long long)seq);
			rc = -EBADMSG;
			goto bad;
		}
		rc = verify_row(c, st, seq, prev, hash, err, errlen);
		if (rc)
			goto bad;
		memcpy(prev, hash, sizeof(hash));
		expect++;
		if (checked)
			(*checked)++;
	}
	if (rc != SQLITE_DONE) {
		seterr(err, errlen, "reading the audit table: %s", sqlite3_errmsg(store_db(s)));
		rc = store_sqlite_errno(rc) ?: -EIO;
		goto out;
	}
	rc = 0;
	goto out;
bad:
	if (bad_seq)
		*bad_seq = expect;
out:
	sqlite3_finalize(st);
	return rc;
}

int audit_verify(struct store *s, int64_t *bad_seq, char *err, size_t errlen)
{
	return audit_verify_count(s, NULL, bad_seq, err, errlen);
}

int audit_foreach(struct store *s, int64_t after_seq, int64_t since_unix, audit_fn fn, void *ctx)
{
	sqlite3_stmt *st = NULL;
	json_t *rec;
	int64_t t;
	int rc;

	/* its own statement: fn may append, or walk again, on the same store */
	rc = sqlite3_prepare_v2(store_db(s), SQL_AFTER, -1, &st, NULL);
	if (rc)
		return store_sqlite_errno(rc);
	sqlite3_bind_int64(st, 1, after_seq > 0 ? after_seq : 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 1);
		int len = sqlite3_column_bytes(st, 1);

		rec = text ? json_loadb(text, len, LOAD_FLAGS, NULL) : NULL;
		if (!json_is_object(rec) ||
		    json_integer_value(json_object_get(rec, "seq")) !=
			    sqlite3_column_int64(st, 0) ||
		    time_parse_rfc3339(json_string_value(json_object_get(rec, "time")), &t)) {
			json_decref(rec);
			rc = -EBADMSG;
			goto out;
		}
		rc = since_unix > 0 && t < since_unix ? 0 : fn(rec, ctx);
		json_decref(rec);
		if (rc)
			goto out;
	}
	rc = store_sqlite_errno(rc);
out:
	sqlite3_finalize(st);
	return rc;
}
