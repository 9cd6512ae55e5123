/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * OpenSSH signatures (SSHSIG, PROTOCOL.sshsig) as `ssh-keygen -Y sign -n NAMESPACE`
 * writes them, verified offline with libcrypto. The bytes come from whoever hands
 * the agent a signature (a root engineer on the host, possibly): every length is
 * checked before it is used.
 */
#ifndef SSHSIG_H
#define SSHSIG_H

#include <stddef.h>
#include <stdint.h>
#include "sshkey.h"

#define SSHSIG_ARMOR_MAX 16384 /* ed25519 signatures are ~300 bytes armored */

/* sk signature flags (FIDO authenticator data) */
#define SSHSIG_SK_USER_PRESENT	0x01
#define SSHSIG_SK_USER_VERIFIED 0x04

/* What a good signature says about itself. */
struct sshsig_info {
	struct sshkey key; /* the signer's key: compare its blob with trusted keys */
	char hash_alg[8];  /* "sha256" or "sha512": the message digest signed */
	/* sk-ssh-ed25519 keys only (0 otherwise): what the authenticator attested */
	uint8_t sk_flags; /* SSHSIG_SK_*: require SSHSIG_SK_USER_PRESENT for presence */
	uint32_t sk_counter;
};

/*
 * Verifies @armored ("-----BEGIN SSH SIGNATURE-----" ... "-----END SSH SIGNATURE-----",
 * NUL-terminated, at most SSHSIG_ARMOR_MAX bytes) over the @len bytes of @msg, made
 * for @namespace. 0 and @out filled, or a negative errno with @err naming the reason:
 * -EINVAL bad armor, base64 or structure (magic, version, lengths, types);
 * -EOPNOTSUPP key type or hash algorithm not supported; -EACCES made for another
 * namespace; -EBADMSG the signature does not verify (wrong message or key, altered).
 * A good signature is not yet a trusted one: see sshsig_find_key().
 */
int sshsig_verify(const char *armored, const void *msg, size_t len, const char *namespace,
		  struct sshsig_info *out, char *err, size_t errlen);

/* The same for the decoded SSHSIG blob (the armor's base64 content). */
int sshsig_verify_blob(const unsigned char *blob, size_t bloblen, const void *msg, size_t len,
		       const char *namespace, struct sshsig_info *out, char *err, size_t errlen);

/*
 * The index in @keys (@n of them) of the key that made the signature (same blob),
 * or -ENOKEY when it is none of them.
 */
int sshsig_find_key(const struct sshsig_info *info, const struct sshkey *keys, size_t n);

#endif /* SSHSIG_H */
