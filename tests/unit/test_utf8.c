// SPDX-License-Identifier: GPL-2.0-only
/* The one UTF-8 check: what RFC 3629 refuses, and agreement with jansson's check. */
#include <string.h>
#include <jansson.h>
#include "tap.h"
#include "utf8.h"

static bool valid(const char *s)
{
	return utf8_valid(s, strlen(s));
}

static void test_accepts(void)
{
	ok(valid(""), "empty text");
	ok(valid("plain ascii"), "ASCII");
	ok(valid("caf\xc3\xa9"), "U+00E9, two bytes");
	ok(valid("\xe2\x82\xac"), "U+20AC, three bytes");
	ok(valid("\xf0\x9f\x94\x92"), "U+1F512, four bytes");
	ok(valid("\xc2\x80") && valid("\xdf\xbf"), "the two-byte range's ends");
	ok(valid("\xe0\xa0\x80") && valid("\xef\xbf\xbf"), "the three-byte range's ends");
	ok(valid("\xed\x9f\xbf") && valid("\xee\x80\x80"), "either side of the surrogates");
	ok(valid("\xf0\x90\x80\x80") && valid("\xf4\x8f\xbf\xbf"), "U+10000 and U+10FFFF");
	ok(utf8_valid("a\0b", 3), "a NUL byte is U+0000");
}

static void test_refuses(void)
{
	static const char *const bad[][2] = {
		{"\xc0\x80", "overlong NUL (C0 80)"},
		{"\xc1\xbf", "overlong two-byte (C1 BF)"},
		{"\xe0\x80\xaf", "overlong three-byte '/'"},
		{"\xe0\x9f\xbf", "overlong three-byte U+07FF"},
		{"\xf0\x8f\xbf\xbf", "overlong four-byte U+FFFF"},
		{"\xed\xa0\x80", "surrogate U+D800"},
		{"\xed\xbf\xbf", "surrogate U+DFFF"},
		{"\xf4\x90\x80\x80", "U+110000, over U+10FFFF"},
		{"\xf5\x80\x80\x80", "lead F5"},
		{"\xff", "byte FF"},
		{"\x80", "a stray continuation"},
		{"a\xbf", "a stray continuation after ASCII"},
		{"\xc3", "a two-byte sequence cut at the end"},
		{"\xe2\x82", "a three-byte sequence cut at the end"},
		{"\xf0\x9f\x94", "a four-byte sequence cut at the end"},
		{"\xe2\x82x", "a sequence cut by ASCII"},
		{"\xc3\xc3\xa9", "a lead where a continuation belongs"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!valid(bad[i][0]), "refused: %s", bad[i][1]);
	ok(!utf8_valid("\xe2\x82\xac", 2), "a sequence cut by the length, not a NUL");
}

static void test_seq_len(void)
{
	is_int(utf8_seq_len("a"), 1, "ASCII is one byte");
	is_int(utf8_seq_len(""), 1, "the NUL is one byte");
	is_int(utf8_seq_len("\xc3\xa9z"), 2, "two");
	is_int(utf8_seq_len("\xe2\x82\xacz"), 3, "three");
	is_int(utf8_seq_len("\xf0\x9f\x94\x92z"), 4, "four");
	is_int(utf8_seq_len("\xf0\x9f\x94"), 0, "a truncated sequence stops at the NUL");
	is_int(utf8_seq_len("\xed\xa0\x80"), 0, "a surrogate is 0");
	is_int(utf8_seq_len("\xc0\xaf"), 0, "an overlong is 0");
	is_int(utf8_lead_len(0x80), 0, "lead length of a continuation is 0");
	is_int(utf8_lead_len('a') + utf8_lead_len(0xc3) + utf8_lead_len(0xe2) + utf8_lead_len(0xf0),
	       10, "lead lengths 1, 2, 3, 4");
	is_int(utf8_chars("caf\xc3\xa9 \xf0\x9f\x94\x92", 10), 6, "characters, not bytes");
}

/* Both programs must agree with the JSON layer: every two-byte start, each boundary byte after. */
static void test_agrees_with_jansson(void)
{
	static const unsigned char tails[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f,
					      0xa0, 0xbf, 0xc0, 0xc3, 0xf4, 0xff};
	long disagree = 0, n = 0;
	unsigned char s[4];

	for (unsigned a = 0; a < 256; a++) {
		for (unsigned b = 0; b < 256; b++) {
			for (size_t c = 0; c < sizeof(tails); c++) {
				for (size_t t = 0; t < sizeof(tails); t++) {
					json_t *j;

					s[0] = a, s[1] = b, s[2] = tails[c], s[3] = tails[t];
					j = json_stringn((const char *)s, 4);
					disagree += utf8_valid((const char *)s, 4) != !!j;
					json_decref(j);
					n++;
				}
			}
		}
	}
	is_int(disagree, 0, "utf8_valid agrees with jansson on %ld strings", n);
}

int main(void)
{
	test_accepts();
	test_refuses();
	test_seq_len();
	test_agrees_with_jansson();
	return done_testing();
}
