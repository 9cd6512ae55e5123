/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The SSH wire encoding (RFC 4251: uint32, string) and base64, for the key and
 * signature parsers. Every reader checks the bytes left before it reads.
 */
#ifndef SSHWIRE_H
#define SSHWIRE_H

#include <stddef.h>
#include <stdint.h>

/* A read cursor over bytes that came from outside. */
struct sshwire {
	const unsigned char *p;
	size_t len;
};

/* 0, or -EINVAL when fewer bytes are left than the field needs. */
int sshwire_u8(struct sshwire *w, uint8_t *v);
int sshwire_u32(struct sshwire *w, uint32_t *v);
int sshwire_bytes(struct sshwire *w, const unsigned char **s, size_t n);
/* A uint32 length then that many bytes; @s points into the cursor's buffer. */
int sshwire_string(struct sshwire *w, const unsigned char **s, size_t *len);
/* Whether the string @s of @len bytes is exactly the C string @name. */
int sshwire_eq(const unsigned char *s, size_t len, const char *name);

/* Writers into a buffer the caller sized: return the position after the field. */
unsigned char *sshwire_put_u32(unsigned char *p, uint32_t v);
unsigned char *sshwire_put_string(unsigned char *p, const void *s, size_t len);

/* @s as printable text for an error message: other bytes as '?', cut at @outlen-1. */
const char *sshwire_printable(const unsigned char *s, size_t len, char *out, size_t outlen);

/*
 * Decodes @inlen base64 characters (no whitespace; '=' only as final padding) into
 * @out of @cap bytes. 0 and *@outlen, -EINVAL on a bad character or length, -E2BIG
 * when the result would not fit.
 */
int sshwire_b64decode(const char *in, size_t inlen, unsigned char *out, size_t cap, size_t *outlen);

#endif /* SSHWIRE_H */
