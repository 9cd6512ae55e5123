/* SPDX-License-Identifier: GPL-2.0-only */
/* The one UTF-8 check (RFC 3629): both programs take text from people and the kernel. */
#ifndef UTF8_H
#define UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Octets in the sequence a byte starts, by its bit pattern alone (1-4); 0 for a
 * continuation byte. Says nothing about validity: for splitting text that may not be.
 */
size_t utf8_lead_len(unsigned char c);

/*
 * Length (1-4) of the valid sequence at @p, which points into a NUL-terminated string;
 * 0 for a stray continuation, an overlong form, a surrogate, a code point over
 * U+10FFFF or a sequence cut short. A NUL is a valid one-byte sequence.
 */
size_t utf8_seq_len(const char *p);

/* Whether the @n bytes at @s are all valid UTF-8 (NUL bytes included, as U+0000). */
bool utf8_valid(const char *s, size_t n);

/* Characters in the @n bytes of valid UTF-8 at @s. */
size_t utf8_chars(const char *s, size_t n);

#endif /* UTF8_H */
