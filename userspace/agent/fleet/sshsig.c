// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include "errbuf.h"
#include "sshsig.h"
#include "sshwire.h"

#define MAGIC	    "SSHSIG"
#define MAGIC_LEN   6
#define VERSION	    1
#define BEGIN	    "-----BEGIN SSH SIGNATURE-----"
#define END	    "-----END SSH SIGNATURE-----"
#define ED25519_SIG 64
#define P256_SCALAR 32
#define WHITESPACE  " \t\r\n"

/* The fields of an SSHSIG blob, pointing into it. */
struct parts {
	const unsigned char *pub, *ns, *reserved, *alg, *sig;
	size_t publen, nslen, reservedlen, alglen, siglen;
};

static int malformed(char *err, size_t errlen, const char *what)
{
	seterr(err, errlen, "malformed signature: %s", what);
	return -EINVAL;
}

static int bad_signature(char *err, size_t errlen, const char *what)
{
	seterr(err, errlen, "bad signature: %s", what);
	ERR_clear_error();
	return -EBADMSG;
}

static int split_blob(const unsigned char *blob, size_t len, struct parts *p, char *err,
		      size_t errlen)
{
	struct sshwire w = {blob, len};
	const unsigned char *magic;
	uint32_t version;

	if (sshwire_bytes(&w, &magic, MAGIC_LEN) || memcmp(magic, MAGIC, MAGIC_LEN))
		return malformed(err, errlen, "it does not start with SSHSIG");
	if (sshwire_u32(&w, &version))
		return malformed(err, errlen, "truncated before its version");
	if (version != VERSION) {
		seterr(err, errlen, "malformed signature: version %u, not %d", version, VERSION);
		return -EINVAL;
	}
	if (sshwire_string(&w, &p->pub, &p->publen) || sshwire_string(&w, &p->ns, &p->nslen) ||
	    sshwire_string(&w, &p->reserved, &p->reservedlen) ||
	    sshwire_string(&w, &p->alg, &p->alglen) || sshwire_string(&w, &p->sig, &p->siglen))
		return malformed(err, errlen, "truncated (a length field runs past the end)");
	if (w.len)
		return malformed(err, errlen, "bytes after the signature");
	return 0;
}

/* The armor's base64, whitespace removed, into @b64 (as long as @armored). */
static int armor_body(const char *armored, char *b64, size_t *b64len, char *err, size_t errlen)
{
	const char *p = armored + strspn(armored, WHITESPACE), *end;
	size_t n = 0;

	if (strncmp(p, BEGIN, strlen(BEGIN)))
		return malformed(err, errlen, "bad armor: no " BEGIN " line");
	p += strlen(BEGIN);
	end = strstr(p, END);
	if (!end)
		return malformed(err, errlen, "bad armor: no " END " line (truncated?)");
	if (end[strlen(END) + strspn(end + strlen(END), WHITESPACE)])
		return malformed(err, errlen, "bad armor: text after the " END " line");
	for (; p < end; p++)
		if (!strchr(WHITESPACE, *p))
			b64[n++] = *p;
	*b64len = n;
	return 0;
}

static int dearmor(const char *armored, unsigned char **blob, size_t *len, char *err, size_t errlen)
{
	size_t alen = strnlen(armored, SSHSIG_ARMOR_MAX + 1), b64len;
	char *b64;
	int rc;

	*blob = NULL;
	if (alen > SSHSIG_ARMOR_MAX) {
		seterr(err, errlen, "malformed signature: longer than %d bytes", SSHSIG_ARMOR_MAX);
		return -EINVAL;
	}
	b64 = malloc(alen + 1);
	*blob = malloc(alen / 4 * 3 + 3);
	if (!b64 || !*blob) {
		rc = -ENOMEM;
		goto out;
	}
	rc = armor_body(armored, b64, &b64len, err, errlen);
	if (rc)
		goto out;
	if (sshwire_b64decode(b64, b64len, *blob, alen / 4 * 3 + 3, len))
		rc = malformed(err, errlen, "bad base64 between the armor lines");
out:
	free(b64);
	if (rc) {
		free(*blob);
		*blob = NULL;
	}
	return rc;
}

int sshsig_verify(const char *armored, const void *msg, size_t len, const char *namespace,
		  struct sshsig_info *out, char *err, size_t errlen)
{
	unsigned char *blob;
	size_t bloblen;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = dearmor(armored, &blob, &bloblen, err, errlen);
	if (rc)
		return rc;
	rc = sshsig_verify_blob(blob, bloblen, msg, len, namespace, out, err, errlen);
	free(blob);
	return rc;
}

/* 0 and @md = H(msg) for the blob's hash algorithm, recorded in @out. */
static int hash_message(const struct parts *p, const void *msg, size_t len, unsigned char *md,
			unsigned int *mdlen, struct sshsig_info *out, char *err, size_t errlen)
{
	const EVP_MD *type = NULL;
	char name[32];

	if (sshwire_eq(p->alg, p->alglen, "sha256"))
		type = EVP_sha256();
	else if (sshwire_eq(p->alg, p->alglen, "sha512"))
		type = EVP_sha512();
	if (!type) {
		seterr(err, errlen, "hash algorithm '%s' is not supported (sha256, sha512 are)",
		       sshwire_printable(p->alg, p->alglen, name, sizeof(name)));
		return -EOPNOTSUPP;
	}
	if (!EVP_Digest(msg, len, md, mdlen, type, NULL))
		return -EIO;
	memcpy(out->hash_alg, p->alg, p->alglen);
	return 0;
}

/* "SSHSIG" || string(namespace) || string(reserved) || string(hash_alg) || string(H(msg)) */
static unsigned char *signed_data(const struct parts *p, const unsigned char *md, size_t mdlen,
				  size_t *len)
{
	unsigned char *data, *q;

	*len = MAGIC_LEN + 4 + p->nslen + 4 + p->reservedlen + 4 + p->alglen + 4 + mdlen;
	data = malloc(*len);
	if (!data)
		return NULL;
	memcpy(data, MAGIC, MAGIC_LEN);
	q = sshwire_put_string(data + MAGIC_LEN, p->ns, p->nslen);
	q = sshwire_put_string(q, p->reserved, p->reservedlen);
	q = sshwire_put_string(q, p->alg, p->alglen);
	sshwire_put_string(q, md, mdlen);
	return data;
}

/* Verifies @sig over @data with @key; @md is NULL for ed25519 (it hashes itself). */
static int evp_verify(const struct sshkey *key, const EVP_MD *md, const unsigned char *sig,
		      size_t siglen, const unsigned char *data, size_t len, char *err,
		      size_t errlen)
{
	EVP_PKEY *pkey = sshkey_pkey(key);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = 0;

	if (pkey && ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1)
		ok = EVP_DigestVerify(ctx, sig, siglen, data, len) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	if (!ok)
		return bad_signature(err, errlen, "it does not verify with the key it names");
	return 0;
}

static int get_scalar(struct sshwire *w, BIGNUM **bn)
{
	const unsigned char *s;
	size_t len;

	if (sshwire_string(w, &s, &len) || (len && (s[0] & 0x80)))
		return -EINVAL; /* truncated or negative */
	while (len && !s[0]) {
		s++;
		len--;
	}
	if (len > P256_SCALAR)
		return -EINVAL;
	*bn = BN_bin2bn(s, (int)len, NULL);
	return *bn ? 0 : -ENOMEM;
}

/* The mpints r and s in an ssh ecdsa signature, as DER for libcrypto. */
static int p256_der(const unsigned char *rs, size_t rslen, unsigned char **der, int *derlen)
{
	struct sshwire w = {rs, rslen};
	BIGNUM *r = NULL, *s = NULL;
	ECDSA_SIG *es = NULL;
	int rc = -EINVAL;

	*der = NULL;
	if (get_scalar(&w, &r) || get_scalar(&w, &s) || w.len)
		goto out;
	es = ECDSA_SIG_new();
	if (!es || !ECDSA_SIG_set0(es, r, s))
		goto out;
	r = s = NULL; /* es owns them now */
	*derlen = i2d_ECDSA_SIG(es, der);
	rc = *derlen > 0 ? 0 : -EINVAL;
out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return rc;
}

static int verify_p256(const struct sshkey *key, struct sshwire *w, const unsigned char *data,
		       size_t len, char *err, size_t errlen)
{
	const unsigned char *rs;
	unsigned char *der;
	size_t rslen;
	int derlen, rc;

	if (sshwire_string(w, &rs, &rslen) || w->len || p256_der(rs, rslen, &der, &derlen))
		return malformed(err, errlen, "ecdsa signature is not two scalars r, s");
	rc = evp_verify(key, EVP_sha256(), der, (size_t)derlen, data, len, err, errlen);
	OPENSSL_free(der);
	return rc;
}

/*
 * FIDO: the authenticator signs SHA256(application) || flags || counter ||
 * SHA256(data), so the flags (user presence) and counter are covered too.
 */
static int verify_sk(const struct sshkey *key, struct sshwire *w, const unsigned char *data,
		     size_t len, struct sshsig_info *out, char *err, size_t errlen)
{
	unsigned char signed_msg[32 + 1 + 4 + 32], *q;
	const unsigned char *sig;
	size_t siglen;

	if (sshwire_string(w, &sig, &siglen) || siglen != ED25519_SIG ||
	    sshwire_u8(w, &out->sk_flags) || sshwire_u32(w, &out->sk_counter) || w->len)
		return malformed(err, errlen,
				 "sk-ssh-ed25519 signature is not 64 bytes, "
				 "flags and counter");
	if (!EVP_Digest(key->application, strlen(key->application), signed_msg, NULL, EVP_sha256(),
			NULL))
		return -EIO;
	signed_msg[32] = out->sk_flags;
	q = sshwire_put_u32(signed_msg + 33, out->sk_counter);
	if (!EVP_Digest(data, len, q, NULL, EVP_sha256(), NULL))
		return -EIO;
	return evp_verify(key, NULL, sig, siglen, signed_msg, sizeof(signed_msg), err, errlen);
}

static int verify_by_type(const struct sshkey *key, const unsigned char *sig, size_t siglen,
			  const unsigned char *data, size_t len, struct sshsig_info *out, char *err,
			  size_t errlen)
{
	struct sshwire w = {sig, siglen};
	const unsigned char *type, *s;
	size_t tlen, slen;
	char name[64];

	if (sshwire_string(&w, &type, &tlen))
		return malformed(err, errlen, "signature is truncated before its type");
	if (!sshwire_eq(type, tlen, sshkey_type_name(key->type))) {
		seterr(err, errlen, "malformed signature: a '%s' signature from a %s key",
		       sshwire_printable(type, tlen, name, sizeof(name)),
		       sshkey_type_name(key->type));
		return -EINVAL;
	}
	if (key->type == SSHKEY_ECDSA_P256)
		return verify_p256(key, &w, data, len, err, errlen);
	if (key->type == SSHKEY_SK_ED25519)
		return verify_sk(key, &w, data, len, out, err, errlen);
	if (sshwire_string(&w, &s, &slen) || slen != ED25519_SIG || w.len)
		return malformed(err, errlen, "ssh-ed25519 signature is not 64 bytes");
	return evp_verify(key, NULL, s, slen, data, len, err, errlen);
}

static int check_namespace(const struct parts *p, const char *namespace, char *err, size_t errlen)
{
	char name[64];

	if (sshwire_eq(p->ns, p->nslen, namespace))
		return 0;
	seterr(err, errlen, "signature is for namespace '%s', not '%s'",
	       sshwire_printable(p->ns, p->nslen, name, sizeof(name)), namespace);
	return -EACCES;
}

int sshsig_verify_blob(const unsigned char *blob, size_t bloblen, const void *msg, size_t len,
		       const char *namespace, struct sshsig_info *out, char *err, size_t errlen)
{
	unsigned char md[EVP_MAX_MD_SIZE], *data = NULL;
	char kerr[200];
	unsigned int mdlen = 0;
	struct parts p;
	size_t dlen;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = split_blob(blob, bloblen, &p, err, errlen);
	if (rc)
		return rc;
	rc = sshkey_from_blob(p.pub, p.publen, &out->key, kerr, sizeof(kerr));
	if (rc) {
		seterr(err, errlen, "signer's key: %s", kerr);
		goto out;
	}
	rc = check_namespace(&p, namespace, err, errlen);
	if (!rc)
		rc = hash_message(&p, msg, len, md, &mdlen, out, err, errlen);
	if (rc)
		goto out;
	data = signed_data(&p, md, mdlen, &dlen);
	rc = data ? verify_by_type(&out->key, p.sig, p.siglen, data, dlen, out, err, errlen)
		  : -ENOMEM;
out:
	free(data);
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}

int sshsig_find_key(const struct sshsig_info *info, const struct sshkey *keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (sshkey_equal(&info->key, &keys[i]))
			return (int)i;
	return -ENOKEY;
}
