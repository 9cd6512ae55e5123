// SPDX-License-Identifier: GPL-2.0-only
/* Durations: "1h30m" <-> 5400 seconds. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "duration.h"

static const struct {
	char suffix;
	int64_t secs;
} units[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};

#define N_UNITS (sizeof(units) / sizeof(units[0]))

int duration_parse(const char *s, int64_t *secs)
{
	const char *p = s;
	size_t next_unit = 0; /* units must come largest first, each once */
	int64_t total = 0;

	if (!s || !*s)
		return -EINVAL;
	while (*p) {
		int64_t n = 0;
		const char *digits = p;
		size_t u;

		while (*p >= '0' && *p <= '9') {
			/* saturate: anything past DURATION_MAX is out of range anyway */
			if (n <= DURATION_MAX)
				n = n * 10 + (*p - '0');
			p++;
		}
		if (p == digits)
			return -EINVAL;
		if (!*p) {
			/* a bare integer is seconds, but only as the whole string */
			if (digits != s)
				return -EINVAL;
			u = N_UNITS - 1;
		} else {
			for (u = next_unit; u < N_UNITS; u++)
				if (units[u].suffix == *p)
					break;
			if (u == N_UNITS)
				return -EINVAL;
			p++;
		}
		if (n > DURATION_MAX / units[u].secs)
			return -ERANGE;
		total += n * units[u].secs;
		if (total > DURATION_MAX)
			return -ERANGE;
		next_unit = u + 1;
	}
	if (total == 0)
		return -EINVAL;
	*secs = total;
	return 0;
}

void duration_format(int64_t secs, char *buf, size_t len)
{
	size_t off = 0;
	uint64_t left;

	if (!len)
		return;
	buf[0] = '\0';
	if (secs == 0) {
		snprintf(buf, len, "0s");
		return;
	}
	if (secs < 0) {
		off += snprintf(buf, len, "-");
		left = -(uint64_t)secs;
	} else {
		left = secs;
	}
	for (size_t u = 0; u < N_UNITS && off < len; u++) {
		uint64_t n = left / units[u].secs;

		if (!n)
			continue;
		off += snprintf(buf + off, len - off, "%llu%c", (unsigned long long)n,
				units[u].suffix);
		left %= units[u].secs;
	}
}
