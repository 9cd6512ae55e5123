/* SPDX-License-Identifier: GPL-2.0-only */
/* The hash-chained audit trail, kept in the store's database (docs/audit.md). */
#ifndef AUDIT_H
#define AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "store.h"

#define AUDIT_HASH_HEX 64 /* lowercase hex SHA-256 */

/*
 * Appends rec (an object with "source": "kernel"|"agent" and a non-empty "type").
 * Sets "seq" and, unless rec has one already (RFC 3339), "time" on rec itself, even if
 * the append then fails. Run it inside the caller's store_begin()/store_commit() so a
 * state change and its record commit together; outside a transaction it makes its own.
 * -EINVAL for a bad rec.
 */
int audit_append(struct store *s, json_t *rec, int64_t *seq_out);
/*
 * Appends a record given as its canonical text, the hot path of kernel events
 * (evtext.h): @head holds the members that sort before "seq", @tail those after
 * (neither empty, no braces), and the record stored is "{" head ",\"seq\":N," tail
 * "}". The caller vouches that this is the canonical form of a valid record:
 * audit_verify() rejects a text that is not. Transactions as audit_append().
 */
int audit_append_text(struct store *s, const char *head, size_t hlen, const char *tail, size_t tlen,
		      int64_t *seq_out);

/*
 * Recomputes the whole chain. 0 if intact; -EBADMSG with *bad_seq the first bad seq
 * and err saying what is wrong ("record 17: hash mismatch (record edited?)"); another
 * negative errno if the table cannot be read. bad_seq may be NULL.
 */
int audit_verify(struct store *s, int64_t *bad_seq, char *err, size_t errlen);
/* The same, and *checked = how many records were found intact (before the bad one). */
int audit_verify_count(struct store *s, int64_t *checked, int64_t *bad_seq, char *err,
		       size_t errlen);

/*
 * Walks records with seq > after_seq and time >= since_unix (0: all), in seq order.
 * rec is borrowed for the call (json_incref() to keep it). A non-zero return from fn
 * stops the walk and is returned; a stored record that does not parse is -EBADMSG.
 */
typedef int (*audit_fn)(json_t *rec, void *ctx);
int audit_foreach(struct store *s, int64_t after_seq, int64_t since_unix, audit_fn fn, void *ctx);

/* The last seq written (0 for an empty trail), or a negative errno. */
int64_t audit_last_seq(struct store *s);

/* Record times are RFC 3339 with milliseconds: time_format_ms(), time_parse_rfc3339(). */

#endif /* AUDIT_H */
