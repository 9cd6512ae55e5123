/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * OpenSSH public keys as approvers hold them: "TYPE BASE64 [comment]". Only the
 * types lockbox verifies are accepted; anything else is refused by name.
 */
#ifndef SSHKEY_H
#define SSHKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/types.h>

enum sshkey_type {
	SSHKEY_ED25519 = 1, /* ssh-ed25519 */
	SSHKEY_ECDSA_P256,  /* ecdsa-sha2-nistp256 */
	SSHKEY_SK_ED25519,  /* sk-ssh-ed25519@openssh.com (FIDO) */
};

#define SSHKEY_APP_MAX	256 /* an sk key's application ("ssh:..."), with its NUL */
#define SSHKEY_BLOB_MAX 512 /* the largest blob of the types above */
#define SSHKEY_FP_LEN	52  /* "SHA256:" + 43 base64 characters + NUL */
#define SSHKEY_LINE_MAX 720 /* "TYPE BASE64" of the largest blob, with its NUL */

struct sshkey {
	enum sshkey_type type;
	/* the wire blob, as in the key line and inside a signature: what is compared */
	unsigned char blob[SSHKEY_BLOB_MAX];
	size_t bloblen;
	/* ed25519, sk: the 32-byte key; ecdsa: the 65-byte uncompressed point */
	unsigned char pk[65];
	size_t pklen;
	char application[SSHKEY_APP_MAX]; /* sk only; has no NUL inside */
};

/* "ssh-ed25519" etc. for a type, or "unknown". */
const char *sshkey_type_name(enum sshkey_type type);

/*
 * Parses a public key line "TYPE BASE64 [comment]" (leading blanks allowed; the
 * comment is ignored). 0, or a negative errno with @err naming what is wrong:
 * -EINVAL malformed, -EOPNOTSUPP a key type lockbox does not verify.
 */
int sshkey_parse_line(const char *line, struct sshkey *key, char *err, size_t errlen);

/* The same from a decoded wire blob (as found inside an SSHSIG signature). */
int sshkey_from_blob(const unsigned char *blob, size_t len, struct sshkey *key, char *err,
		     size_t errlen);

/* Whether two keys are the same key (same blob). */
bool sshkey_equal(const struct sshkey *a, const struct sshkey *b);

/* OpenSSH's fingerprint, "SHA256:" + unpadded base64, as `ssh-keygen -lf` prints it. */
int sshkey_fingerprint(const struct sshkey *key, char fp[SSHKEY_FP_LEN]);

/* The key as "TYPE BASE64" (no comment): what the audit trail records. */
void sshkey_to_line(const struct sshkey *key, char line[SSHKEY_LINE_MAX]);

/* The key as a libcrypto public key (EVP_PKEY_free it), or NULL. */
EVP_PKEY *sshkey_pkey(const struct sshkey *key);

#endif /* SSHKEY_H */
