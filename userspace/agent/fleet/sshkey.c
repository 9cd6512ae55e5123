// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include "errbuf.h"
#include "sshkey.h"
#include "sshwire.h"

#define ED25519_LEN 32
#define P256_LEN    65 /* 0x04 || x || y */

static const char *const type_names[] = {
	[SSHKEY_ED25519] = "ssh-ed25519",
	[SSHKEY_ECDSA_P256] = "ecdsa-sha2-nistp256",
	[SSHKEY_SK_ED25519] = "sk-ssh-ed25519@openssh.com",
};

const char *sshkey_type_name(enum sshkey_type type)
{
	if ((size_t)type < sizeof(type_names) / sizeof(type_names[0]) && type_names[type])
		return type_names[type];
	return "unknown";
}

static enum sshkey_type type_of(const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 1; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (sshwire_eq(s, len, type_names[i]))
			return (enum sshkey_type)i;
	return 0;
}

static int unsupported(const unsigned char *s, size_t len, char *err, size_t errlen)
{
	char name[64];

	seterr(err, errlen,
	       "key type '%s' is not supported (ssh-ed25519, ecdsa-sha2-nistp256 and "
	       "sk-ssh-ed25519@openssh.com are)",
	       sshwire_printable(s, len, name, sizeof(name)));
	return -EOPNOTSUPP;
}

static EVP_PKEY *p256_pkey(const unsigned char *q, size_t len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, q, len))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	/* the import decodes the point and refuses one that is not on the curve */
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	ERR_clear_error();
	return pkey;
}

EVP_PKEY *sshkey_pkey(const struct sshkey *key)
{
	EVP_PKEY *pkey;

	switch (key->type) {
	case SSHKEY_ED25519:
	case SSHKEY_SK_ED25519:
		pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key->pk, key->pklen);
		ERR_clear_error();
		return pkey;
	case SSHKEY_ECDSA_P256:
		return p256_pkey(key->pk, key->pklen);
	}
	return NULL;
}

static int get_ed25519(struct sshwire *w, struct sshkey *key, char *err, size_t errlen)
{
	const unsigned char *pk;
	size_t len;

	if (sshwire_string(w, &pk, &len)) {
		seterr(err, errlen, "%s key is truncated", sshkey_type_name(key->type));
		return -EINVAL;
	}
	if (len != ED25519_LEN) {
		seterr(err, errlen, "%s key is %zu bytes, not %d", sshkey_type_name(key->type), len,
		       ED25519_LEN);
		return -EINVAL;
	}
	memcpy(key->pk, pk, len);
	key->pklen = len;
	return 0;
}

static int get_p256(struct sshwire *w, struct sshkey *key, char *err, size_t errlen)
{
	const unsigned char *curve, *q;
	size_t clen, qlen;
	EVP_PKEY *pkey;
	char name[64];

	if (sshwire_string(w, &curve, &clen) || sshwire_string(w, &q, &qlen)) {
		seterr(err, errlen, "ecdsa-sha2-nistp256 key is truncated");
		return -EINVAL;
	}
	if (!sshwire_eq(curve, clen, "nistp256")) {
		seterr(err, errlen, "ecdsa-sha2-nistp256 key names curve '%s', not nistp256",
		       sshwire_printable(curve, clen, name, sizeof(name)));
		return -EINVAL;
	}
	if (qlen != P256_LEN || q[0] != 0x04) {
		seterr(err, errlen, "ecdsa-sha2-nistp256 key is not an uncompressed point");
		return -EINVAL;
	}
	pkey = p256_pkey(q, qlen);
	if (!pkey) {
		seterr(err, errlen, "ecdsa-sha2-nistp256 key is not a point on the curve");
		return -EINVAL;
	}
	EVP_PKEY_free(pkey);
	memcpy(key->pk, q, qlen);
	key->pklen = qlen;
	return 0;
}

static int get_sk_ed25519(struct sshwire *w, struct sshkey *key, char *err, size_t errlen)
{
	const unsigned char *app;
	size_t len;
	int rc;

	rc = get_ed25519(w, key, err, errlen);
	if (rc)
		return rc;
	if (sshwire_string(w, &app, &len)) {
		seterr(err, errlen, "sk-ssh-ed25519@openssh.com key has no application");
		return -EINVAL;
	}
	if (len == 0 || len >= SSHKEY_APP_MAX || memchr(app, '\0', len)) {
		seterr(err, errlen,
		       "sk-ssh-ed25519@openssh.com key application must be 1 to %d bytes "
		       "without NUL",
		       SSHKEY_APP_MAX - 1);
		return -EINVAL;
	}
	memcpy(key->application, app, len);
	key->application[len] = '\0';
	return 0;
}

int sshkey_from_blob(const unsigned char *blob, size_t len, struct sshkey *key, char *err,
		     size_t errlen)
{
	struct sshwire w = {blob, len};
	const unsigned char *name;
	size_t nlen;
	int rc;

	memset(key, 0, sizeof(*key));
	if (len > SSHKEY_BLOB_MAX) {
		seterr(err, errlen, "key is %zu bytes, more than %d", len, SSHKEY_BLOB_MAX);
		return -EINVAL;
	}
	if (sshwire_string(&w, &name, &nlen)) {
		seterr(err, errlen, "key is truncated before its type");
		return -EINVAL;
	}
	key->type = type_of(name, nlen);
	if (!key->type)
		return unsupported(name, nlen, err, errlen);
	if (key->type == SSHKEY_ED25519)
		rc = get_ed25519(&w, key, err, errlen);
	else if (key->type == SSHKEY_ECDSA_P256)
		rc = get_p256(&w, key, err, errlen);
	else
		rc = get_sk_ed25519(&w, key, err, errlen);
	if (!rc && w.len) {
		seterr(err, errlen, "%s key has %zu bytes after its end",
		       sshkey_type_name(key->type), w.len);
		rc = -EINVAL;
	}
	if (rc)
		return rc;
	memcpy(key->blob, blob, len);
	key->bloblen = len;
	return 0;
}

int sshkey_parse_line(const char *line, struct sshkey *key, char *err, size_t errlen)
{
	unsigned char blob[SSHKEY_BLOB_MAX];
	size_t tlen, blen, len;
	const char *b64;
	enum sshkey_type type;
	int rc;

	memset(key, 0, sizeof(*key));
	line += strspn(line, " \t");
	tlen = strcspn(line, " \t\r\n");
	b64 = line + tlen + strspn(line + tlen, " \t");
	blen = strcspn(b64, " \t\r\n");
	if (!tlen || !blen) {
		seterr(err, errlen, "public key must be 'TYPE BASE64 [comment]'");
		return -EINVAL;
	}
	type = type_of((const unsigned char *)line, tlen);
	if (!type)
		return unsupported((const unsigned char *)line, tlen, err, errlen);
	rc = sshwire_b64decode(b64, blen, blob, sizeof(blob), &len);
	if (rc) {
		seterr(err, errlen, rc == -E2BIG ? "%s key is too long" : "%s key has bad base64",
		       sshkey_type_name(type));
		return -EINVAL;
	}
	rc = sshkey_from_blob(blob, len, key, err, errlen);
	if (rc)
		return rc;
	if (key->type != type) {
		seterr(err, errlen, "key line says %s but holds a %s key", sshkey_type_name(type),
		       sshkey_type_name(key->type));
		memset(key, 0, sizeof(*key));
		return -EINVAL;
	}
	return 0;
}

bool sshkey_equal(const struct sshkey *a, const struct sshkey *b)
{
	return a->bloblen == b->bloblen && !memcmp(a->blob, b->blob, a->bloblen);
}

int sshkey_fingerprint(const struct sshkey *key, char fp[SSHKEY_FP_LEN])
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	char *end;

	if (!EVP_Digest(key->blob, key->bloblen, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		return -EIO;
	memcpy(fp, "SHA256:", 7);
	/* 32 bytes are 44 characters with one '=' that OpenSSH leaves out */
	EVP_EncodeBlock((unsigned char *)fp + 7, md, (int)mdlen);
	end = strchr(fp + 7, '=');
	if (end)
		*end = '\0';
	return 0;
}

void sshkey_to_line(const struct sshkey *key, char line[SSHKEY_LINE_MAX])
{
	int n = snprintf(line, SSHKEY_LINE_MAX, "%s ", sshkey_type_name(key->type));

	/* 27 + 1 + 4 * 512 / 3 (684) + NUL fits: the blob is at most SSHKEY_BLOB_MAX */
	EVP_EncodeBlock((unsigned char *)line + n, key->blob, (int)key->bloblen);
}
