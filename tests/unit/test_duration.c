// SPDX-License-Identifier: GPL-2.0-only
/* Durations: what parses, what is refused and why, and the shortest form back. */
#include <errno.h>
#include <stdint.h>
#include "tap.h"
#include "duration.h"

static int64_t parsed(const char *s)
{
	int64_t v = -1;

	return duration_parse(s, &v) == 0 ? v : -1;
}

static void test_single_units(void)
{
	is_int(parsed("90s"), 90, "90s is 90 seconds");
	is_int(parsed("30m"), 1800, "30m is 1800 seconds");
	is_int(parsed("4h"), 14400, "4h is 14400 seconds");
	is_int(parsed("2d"), 172800, "2d is 172800 seconds");
	is_int(parsed("12h"), 43200, "12h is 43200 seconds");
}

static void test_bare_integer_is_seconds(void)
{
	is_int(parsed("90"), 90, "a bare 90 is 90 seconds");
	is_int(parsed("1"), 1, "a bare 1 is 1 second");
	is_int(parsed("007"), 7, "leading zeros are digits");
}

static void test_concatenations(void)
{
	is_int(parsed("1h30m"), 5400, "1h30m");
	is_int(parsed("1d12h"), 129600, "1d12h");
	is_int(parsed("1d2h3m4s"), 93784, "1d2h3m4s");
	is_int(parsed("0h30m"), 1800, "a zero part is fine when the total is not zero");
	is_int(parsed("90m"), 5400, "a part may exceed the next unit up");
}

static void test_rejects(void)
{
	int64_t v = 42;

	is_int(duration_parse("", &v), -EINVAL, "empty is refused");
	is_int(duration_parse(NULL, &v), -EINVAL, "NULL is refused");
	is_int(duration_parse("0", &v), -EINVAL, "zero is refused");
	is_int(duration_parse("0s", &v), -EINVAL, "0s is refused");
	is_int(duration_parse("0h0m", &v), -EINVAL, "a sum of zeros is refused");
	is_int(duration_parse("-1h", &v), -EINVAL, "negative is refused");
	is_int(duration_parse("+1h", &v), -EINVAL, "a plus sign is refused");
	is_int(duration_parse("12x", &v), -EINVAL, "unknown suffix x is refused");
	is_int(duration_parse("1H", &v), -EINVAL, "upper-case unit is refused");
	is_int(duration_parse("1w", &v), -EINVAL, "weeks are not a unit");
	is_int(duration_parse("1hx", &v), -EINVAL, "trailing junk is refused");
	is_int(duration_parse("1h ", &v), -EINVAL, "trailing space is refused");
	is_int(duration_parse(" 1h", &v), -EINVAL, "leading space is refused");
	is_int(duration_parse("h", &v), -EINVAL, "a unit without a number is refused");
	is_int(duration_parse("1h30", &v), -EINVAL, "a bare number after a unit is refused");
	is_int(duration_parse("30m1h", &v), -EINVAL, "units out of order are refused");
	is_int(duration_parse("1h1h", &v), -EINVAL, "a repeated unit is refused");
	is_int(duration_parse("1.5h", &v), -EINVAL, "fractions are refused");
	is_int(v, 42, "a refused duration leaves the output alone");
}

static void test_overflow(void)
{
	int64_t v;

	is_int(duration_parse("99999999999999999999999s", &v), -ERANGE, "huge number: ERANGE");
	is_int(duration_parse("9223372036854775807s", &v), -ERANGE, "INT64_MAX s: ERANGE");
	is_int(duration_parse("9223372036854775807", &v), -ERANGE, "bare INT64_MAX: ERANGE");
	is_int(duration_parse("106752d", &v), -ERANGE, "more than 100 years: ERANGE");
	is_int(duration_parse("36500d1s", &v), -ERANGE, "just past the cap: ERANGE");
	is_int(parsed("36500d"), DURATION_MAX, "exactly 100 years is accepted");
}

static const char *fmt(int64_t secs)
{
	static char buf[DURATION_BUF];

	duration_format(secs, buf, sizeof(buf));
	return buf;
}

static void test_format(void)
{
	is_str(fmt(14400), "4h", "14400 formats as 4h");
	is_str(fmt(5400), "1h30m", "5400 formats as 1h30m");
	is_str(fmt(90), "1m30s", "90 formats as 1m30s");
	is_str(fmt(172800), "2d", "172800 formats as 2d");
	is_str(fmt(86400 + 1), "1d1s", "skips zero parts");
	is_str(fmt(45), "45s", "45 formats as 45s");
	is_str(fmt(0), "0s", "0 formats as 0s");
	is_str(fmt(-3600), "-1h", "negative keeps its sign");
}

static void test_format_round_trips(void)
{
	static const int64_t values[] = {1, 59, 60, 61, 3599, 3600, 3661, 86399, 93784, 1209600};

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		is_int(parsed(fmt(values[i])), values[i], "%lld round-trips as %s",
		       (long long)values[i], fmt(values[i]));
}

static void test_format_small_buffer(void)
{
	char buf[4] = "xxx";

	duration_format(5400, buf, sizeof(buf));
	is_str(buf, "1h3", "a short buffer truncates and stays terminated");
	duration_format(5400, buf, 0);
	is_str(buf, "1h3", "a zero-length buffer is not written");
}

int main(void)
{
	test_single_units();
	test_bare_integer_is_seconds();
	test_concatenations();
	test_rejects();
	test_overflow();
	test_format();
	test_format_round_trips();
	test_format_small_buffer();
	return done_testing();
}
