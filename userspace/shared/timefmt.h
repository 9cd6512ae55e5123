/* SPDX-License-Identifier: GPL-2.0-only */
/* Times on the wire and on screen: RFC 3339, UTC. */
#ifndef TIMEFMT_H
#define TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* Buffer size that holds any time_format() or time_format_ms() output. */
#define TIME_BUF 32

/* "2026-11-28T18:00:00Z" */
void time_format(int64_t unix_secs, char *buf, size_t len);

/*
 * "2026-11-28T18:00:00.123Z" (always three fraction digits, as the audit trail
 * stores them). Returns 0, -ENOSPC if @len is too small, -EOVERFLOW.
 */
int time_format_ms(int64_t unix_ms, char *buf, size_t len);

/*
 * Strict RFC 3339 date-time into unix seconds: a 'T' (or 't') and a zone ('Z' or
 * +hh:mm) required, a fraction dropped. Returns 0 or -EINVAL.
 */
int time_parse_rfc3339(const char *s, int64_t *unix_secs);

/*
 * Parses, into unix seconds:
 *   - RFC 3339: "2026-11-28T18:00:00Z", "2026-11-28T19:00:00.250+01:00" (fraction dropped;
 *     't', 'z' and a space for 'T' accepted as RFC 3339 allows);
 *   - a date: "2026-11-28" (midnight UTC);
 *   - a duration (see duration.h): "1h", "30m" = that long before now.
 * Returns 0 or -EINVAL (-ERANGE for a duration too long).
 */
int time_parse(const char *s, int64_t *unix_secs);

/* time_parse() with "now" given, for relative times. */
int time_parse_at(const char *s, int64_t now, int64_t *unix_secs);

#endif /* TIMEFMT_H */
