// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <openssl/evp.h>
#include "sshwire.h"

int sshwire_bytes(struct sshwire *w, const unsigned char **s, size_t n)
{
	if (w->len < n)
		return -EINVAL;
	*s = w->p;
	w->p += n;
	w->len -= n;
	return 0;
}

int sshwire_u8(struct sshwire *w, uint8_t *v)
{
	const unsigned char *s;

	if (sshwire_bytes(w, &s, 1))
		return -EINVAL;
	*v = s[0];
	return 0;
}

int sshwire_u32(struct sshwire *w, uint32_t *v)
{
	const unsigned char *s;

	if (sshwire_bytes(w, &s, 4))
		return -EINVAL;
	*v = (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | s[3];
	return 0;
}

int sshwire_string(struct sshwire *w, const unsigned char **s, size_t *len)
{
	struct sshwire save = *w;
	uint32_t n;

	if (sshwire_u32(w, &n) || sshwire_bytes(w, s, n)) {
		*w = save;
		return -EINVAL;
	}
	*len = n;
	return 0;
}

int sshwire_eq(const unsigned char *s, size_t len, const char *name)
{
	return strlen(name) == len && !memcmp(s, name, len);
}

unsigned char *sshwire_put_u32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
	return p + 4;
}

unsigned char *sshwire_put_string(unsigned char *p, const void *s, size_t len)
{
	p = sshwire_put_u32(p, (uint32_t)len);
	if (len)
		memcpy(p, s, len);
	return p + len;
}

const char *sshwire_printable(const unsigned char *s, size_t len, char *out, size_t outlen)
{
	size_t i;

	if (!outlen)
		return out;
	for (i = 0; i < len && i + 1 < outlen; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	out[i] = '\0';
	return out;
}

static int b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

int sshwire_b64decode(const char *in, size_t inlen, unsigned char *out, size_t cap, size_t *outlen)
{
	size_t i, pad = 0;
	int n;

	/* EVP_DecodeBlock reads '=' anywhere as a zero digit: allow it only as padding */
	while (pad < 2 && pad < inlen && in[inlen - 1 - pad] == '=')
		pad++;
	for (i = 0; i < inlen - pad; i++)
		if (!b64_char(in[i]))
			return -EINVAL;
	if (inlen == 0 || inlen % 4 || inlen > INT_MAX)
		return -EINVAL;
	if (inlen / 4 * 3 > cap)
		return -E2BIG;
	n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)inlen);
	if (n < 0 || (size_t)n < pad)
		return -EINVAL;
	*outlen = (size_t)n - pad;
	return 0;
}
