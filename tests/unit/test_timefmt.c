// SPDX-License-Identifier: GPL-2.0-only
/* RFC 3339 out; RFC 3339, dates and relative durations in. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include "tap.h"
#include "timefmt.h"

#define T_2026_11_28_18 1795888800LL /* 2026-11-28T18:00:00Z */
#define NOW		1800000000LL

static const char *fmt(int64_t t)
{
	static char buf[TIME_BUF];

	time_format(t, buf, sizeof(buf));
	return buf;
}

static int64_t parsed(const char *s)
{
	int64_t v = -1;

	return time_parse_at(s, NOW, &v) == 0 ? v : -1;
}

static void test_format_is_rfc3339_utc(void)
{
	is_str(fmt(T_2026_11_28_18), "2026-11-28T18:00:00Z", "2026-11-28 18:00 UTC");
	is_str(fmt(0), "1970-01-01T00:00:00Z", "the epoch");
	is_str(fmt(951782400), "2000-02-29T00:00:00Z", "a leap day");
	is_str(fmt(1735689599), "2024-12-31T23:59:59Z", "the last second of a year");
}

static void test_format_ignores_tz(void)
{
	setenv("TZ", "LBT-5", 1); /* POSIX form: needs no zoneinfo */
	tzset();
	is_str(fmt(T_2026_11_28_18), "2026-11-28T18:00:00Z", "local TZ does not leak in");
	unsetenv("TZ");
	tzset();
}

static void test_format_small_buffer(void)
{
	char buf[8] = "xxxxxxx";

	time_format(T_2026_11_28_18, buf, sizeof(buf));
	is_str(buf, "", "a buffer too short gives an empty string, not garbage");
}

static void test_parse_rfc3339(void)
{
	is_int(parsed("2026-11-28T18:00:00Z"), T_2026_11_28_18, "Z");
	is_int(parsed("2026-11-28t18:00:00z"), T_2026_11_28_18, "lower-case t and z");
	is_int(parsed("2026-11-28 18:00:00Z"), T_2026_11_28_18, "space for T");
	is_int(parsed("2026-11-28T19:00:00+01:00"), T_2026_11_28_18, "+01:00 offset");
	is_int(parsed("2026-11-28T12:30:00-05:30"), T_2026_11_28_18, "-05:30 offset");
	is_int(parsed("2026-11-28T18:00:00+00:00"), T_2026_11_28_18, "+00:00 offset");
	is_int(parsed("2026-11-28T18:00:00.999Z"), T_2026_11_28_18, "fraction is dropped");
	is_int(parsed("2026-11-28T18:00:00.5+00:00"), T_2026_11_28_18, "fraction and offset");
	is_int(parsed("1970-01-01T00:00:00Z"), 0, "the epoch");
	is_int(parsed("2000-02-29T00:00:00Z"), 951782400, "a leap day");
	is_int(parsed("2016-12-31T23:59:60Z"), 1483228800,
	       "a leap second lands on the next minute");
	is_int(parsed("1969-12-31T23:59:59Z"), -1, "before the epoch is negative");
}

static void test_parse_round_trips(void)
{
	static const int64_t values[] = {0,	     86399,	      951782400,
					 1483228799, T_2026_11_28_18, 4102444800LL};

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		is_int(parsed(fmt(values[i])), values[i], "%s round-trips", fmt(values[i]));
}

static void test_parse_date(void)
{
	is_int(parsed("2026-11-28"), T_2026_11_28_18 - 18 * 3600, "a date is midnight UTC");
	is_int(parsed("2024-02-29"), 1709164800, "leap day 2024");
}

static void test_parse_relative(void)
{
	int64_t v;

	is_int(parsed("1h"), NOW - 3600, "1h is an hour before now");
	is_int(parsed("30m"), NOW - 1800, "30m is half an hour before now");
	is_int(parsed("2d"), NOW - 172800, "2d is two days before now");
	is_int(parsed("1h30m"), NOW - 5400, "1h30m");
	ok(time_parse("1h", &v) == 0 && v <= (int64_t)time(NULL) - 3600 &&
		   v > (int64_t)time(NULL) - 3700,
	   "time_parse uses the real clock");
}

static void test_parse_rejects(void)
{
	static const char *const bad[] = {
		"",
		"yesterday",
		"2026-13-01",		     /* month 13 */
		"2026-02-29",		     /* not a leap year */
		"2026-04-31",		     /* April has 30 days */
		"2026-00-10",		     /* month 0 */
		"2026-11-00",		     /* day 0 */
		"2026-11-28T",		     /* time missing */
		"2026-11-28T18:00:00",	     /* no zone */
		"2026-11-28T18:00Z",	     /* no seconds */
		"2026-11-28T24:00:00Z",	     /* hour 24 */
		"2026-11-28T18:60:00Z",	     /* minute 60 */
		"2026-11-28T18:00:61Z",	     /* second 61 */
		"2026-11-28T18:00:00.Z",     /* empty fraction */
		"2026-11-28T18:00:00+0100",  /* offset without colon */
		"2026-11-28T18:00:00+24:00", /* offset hour 24 */
		"2026-11-28T18:00:00Zjunk",  /* trailing junk */
		"2026-11-28x",		     /* junk after a date */
		"26-11-28",		     /* two-digit year */
		"2026/11/28",		     /* wrong separator */
		"-1h",			     /* negative duration */
		"0s",			     /* zero duration */
	};
	int64_t v = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(time_parse_at(bad[i], NOW, &v), -EINVAL, "\"%s\" is refused", bad[i]);
	is_int(time_parse_at(NULL, NOW, &v), -EINVAL, "NULL is refused");
	is_int(v, 7, "a refused time leaves the output alone");
	is_int(time_parse_at("999999d", NOW, &v), -ERANGE, "a duration too long is ERANGE");
}

static void test_format_ms(void)
{
	char buf[TIME_BUF];
	int64_t t = -1;

	is_int(time_format_ms(T_2026_11_28_18 * 1000 + 250, buf, sizeof(buf)), 0, "format ms");
	is_str(buf, "2026-11-28T18:00:00.250Z", "three fraction digits");
	time_format_ms(0, buf, sizeof(buf));
	is_str(buf, "1970-01-01T00:00:00.000Z", "the epoch, .000");
	time_format_ms(-1, buf, sizeof(buf));
	is_str(buf, "1969-12-31T23:59:59.999Z", "a negative ms borrows a second");
	time_format_ms(T_2026_11_28_18 * 1000 + 7, buf, sizeof(buf));
	is_str(buf, "2026-11-28T18:00:00.007Z", "leading zeros kept");
	ok(!time_parse_rfc3339(buf, &t) && t == T_2026_11_28_18, "round trip drops the ms");
	for (int64_t s = 0; s < 4000000000LL; s += 123456789) {
		time_format_ms(s * 1000 + 999, buf, sizeof(buf));
		if (time_parse_rfc3339(buf, &t) || t != s)
			break;
	}
	is_int(t, 3950617248LL, "round trips over 1970-2095");
	is_int(time_format_ms(0, buf, 24), -ENOSPC, "a buffer one short is -ENOSPC");
	is_int(time_format_ms(0, buf, 25), 0, "an exact buffer fits");
}

static void test_parse_rfc3339_strict(void)
{
	int64_t t = 0;

	ok(!time_parse_rfc3339("2026-11-28T18:00:00.123Z", &t) && t == T_2026_11_28_18,
	   "strict: Z with milliseconds");
	ok(!time_parse_rfc3339("2026-11-28T19:00:00+01:00", &t) && t == T_2026_11_28_18,
	   "strict: an offset");
	ok(!time_parse_rfc3339("2026-11-28t18:00:00z", &t) && t == T_2026_11_28_18,
	   "strict: lower-case t and z");
	ok(!time_parse_rfc3339("1970-01-01T00:00:00Z", &t) && t == 0, "strict: the epoch");
	ok(!time_parse_rfc3339("2026-11-28T23:59:60Z", &t) && t == T_2026_11_28_18 + 6 * 3600,
	   "strict: a leap second lands on the next minute");
	static const char *const bad[] = {
		"2026-02-30T00:00:00Z",
		"2026-11-28 18:00:00Z",
		"2026-11-28T18:00:00",
		"2026-11-28T18:00:00.Z",
		"2026-11-28T18:00:00Zjunk",
		"2026-11-28",
		"1h",
		"",
		"2026-11-28T18:00:00+01",
		"2026-11-2",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(time_parse_rfc3339(bad[i], &t), -EINVAL, "strict: \"%s\" is refused",
		       bad[i]);
	is_int(time_parse_rfc3339(NULL, &t), -EINVAL, "strict: NULL is refused");
}

int main(void)
{
	test_format_is_rfc3339_utc();
	test_format_ignores_tz();
	test_format_small_buffer();
	test_parse_rfc3339();
	test_parse_round_trips();
	test_parse_date();
	test_parse_relative();
	test_parse_rejects();
	test_format_ms();
	test_parse_rfc3339_strict();
	return done_testing();
}
