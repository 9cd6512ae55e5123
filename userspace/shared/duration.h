/* SPDX-License-Identifier: GPL-2.0-only */
/* Durations as people write them in configs and on the command line: "4h", "1h30m", "2d". */
#ifndef DURATION_H
#define DURATION_H

#include <stddef.h>
#include <stdint.h>

/* Longest accepted duration: 100 years, so that now + duration never overflows. */
#define DURATION_MAX (100LL * 365 * 86400)

/* Buffer size that holds any duration_format() output. */
#define DURATION_BUF 32

/*
 * Parses a positive duration into seconds: a bare integer ("90" = 90 s), or one or more
 * <integer><unit> parts with units d, h, m, s in that order, each at most once ("1h30m").
 * Returns 0, -EINVAL (empty, zero, sign, unknown or repeated unit, junk) or -ERANGE
 * (over DURATION_MAX).
 */
int duration_parse(const char *s, int64_t *secs);

/* The shortest form: 14400 -> "4h", 5400 -> "1h30m", 90 -> "1m30s", 172800 -> "2d", 0 -> "0s". */
void duration_format(int64_t secs, char *buf, size_t len);

#endif /* DURATION_H */
