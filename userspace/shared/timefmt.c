// SPDX-License-Identifier: GPL-2.0-only
/* The one time module: RFC 3339 in UTC, out (seconds or milliseconds); RFC 3339, dates and "1h ago"
 * in. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "duration.h"
#include "timefmt.h"

void time_format(int64_t unix_secs, char *buf, size_t len)
{
	time_t t = (time_t)unix_secs;
	struct tm tm;

	if (!len)
		return;
	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		buf[0] = '\0';
}

int time_format_ms(int64_t unix_ms, char *buf, size_t len)
{
	time_t t = (time_t)(unix_ms / 1000);
	int ms = (int)(unix_ms % 1000);
	struct tm tm;
	size_t n;

	if (ms < 0) {
		ms += 1000;
		t--;
	}
	if (!gmtime_r(&t, &tm))
		return -EOVERFLOW;
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!n || (size_t)snprintf(buf + n, len - n, ".%03dZ", ms) >= len - n)
		return -ENOSPC;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Exactly n digits at *p, advanced past them. */
static bool digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool expect(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

static int parse_date(const char **p, int64_t *days)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;

	if (!digits(p, 4, &y) || !expect(p, '-') || !digits(p, 2, &m) || !expect(p, '-') ||
	    !digits(p, 2, &d))
		return -EINVAL;
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap(y)))
		return -EINVAL;
	*days = days_from_civil(y, m, d);
	return 0;
}

static int parse_rfc3339_rest(const char *p, int64_t days, int64_t *out)
{
	int hh, mm, ss, oh = 0, om = 0, sign = 0;

	if (!digits(&p, 2, &hh) || !expect(&p, ':') || !digits(&p, 2, &mm) || !expect(&p, ':') ||
	    !digits(&p, 2, &ss))
		return -EINVAL;
	/* 60 is a leap second; like timegm(), it lands on the next minute */
	if (hh > 23 || mm > 59 || ss > 60)
		return -EINVAL;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (!digits(&p, 2, &oh) || !expect(&p, ':') || !digits(&p, 2, &om))
			return -EINVAL;
		if (oh > 23 || om > 59)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	*out = days * 86400 + hh * 3600 + mm * 60 + ss - sign * (oh * 3600 + om * 60);
	return 0;
}

int time_parse_rfc3339(const char *s, int64_t *unix_secs)
{
	const char *p = s;
	int64_t days;

	if (!s || parse_date(&p, &days) || (*p != 'T' && *p != 't'))
		return -EINVAL;
	return parse_rfc3339_rest(p + 1, days, unix_secs);
}

int time_parse_at(const char *s, int64_t now, int64_t *unix_secs)
{
	const char *p = s;
	int64_t days, ago;
	int err;

	if (!s || !*s)
		return -EINVAL;
	/* a date starts with four digits and a dash; a duration never has a dash */
	if (strlen(s) >= 5 && s[4] == '-') {
		err = parse_date(&p, &days);
		if (err)
			return err;
		if (!*p) {
			*unix_secs = days * 86400;
			return 0;
		}
		if (*p != 'T' && *p != 't' && *p != ' ')
			return -EINVAL;
		return parse_rfc3339_rest(p + 1, days, unix_secs);
	}
	err = duration_parse(s, &ago);
	if (err)
		return err;
	*unix_secs = now - ago;
	return 0;
}

int time_parse(const char *s, int64_t *unix_secs)
{
	return time_parse_at(s, (int64_t)time(NULL), unix_secs);
}
