// SPDX-License-Identifier: GPL-2.0-only
#include <stdint.h>
#include "utf8.h"

size_t utf8_lead_len(unsigned char c)
{
	if ((c & 0xc0) == 0x80)
		return 0;
	return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

/* The sequence at p, of which at most avail bytes may be read. */
static size_t seq_len(const unsigned char *p, size_t avail)
{
	unsigned char c = p[0];
	unsigned int cp;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) { /* 0xc0 and 0xc1 only start overlongs */
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n > avail)
		return 0;
	/* a NUL terminator is not a continuation byte, so this never reads past it */
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

size_t utf8_seq_len(const char *p)
{
	return seq_len((const unsigned char *)p, SIZE_MAX);
}

bool utf8_valid(const char *s, size_t n)
{
	for (size_t i = 0, len; i < n; i += len) {
		len = seq_len((const unsigned char *)s + i, n - i);
		if (!len)
			return false;
	}
	return true;
}

size_t utf8_chars(const char *s, size_t n)
{
	size_t chars = 0;

	for (size_t i = 0; i < n; i++)
		chars += utf8_lead_len((unsigned char)s[i]) != 0;
	return chars;
}
