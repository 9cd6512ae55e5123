// SPDX-License-Identifier: GPL-2.0-only
/*
 * SSHSIG verification: signatures made by ssh-keygen (kept here and made afresh)
 * verify; a changed message, another namespace, another key, broken armor, every
 * truncation and every bit flip are refused with an error naming why. sk (FIDO)
 * signatures, for which there is no hardware here, are built with libcrypto and
 * checked against ssh-keygen too.
 */
#include <errno.h>
#include "tap.h"
#include "sshtest.h"
#include "sshsig.h"

#define NS "lockbox"
#define SK "sk-ssh-ed25519@openssh.com"

static const char vector_msg[] = "{\"statement\":\"lockbox test vector\"}\n";
static const char vector_ed_pub[] =
	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINDJKpaeChGvgffN3RuSq7QwITOouaWxZ0wCKPMtVoWb "
	"vector@lockbox";
static const char vector_ed_sig[] =
	"-----BEGIN SSH SIGNATURE-----\n"
	"U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAg0Mkqlp4KEa+B983dG5KrtDAhM6\n"
	"i5pbFnTAIo8y1WhZsAAAAHbG9ja2JveAAAAAAAAAAGc2hhNTEyAAAAUwAAAAtzc2gtZWQy\n"
	"NTUxOQAAAEDkji/qQ7XpUvYSmC3BnO3jp4ACwE60ddEm3lGMj+v9ojFvqBNfQRlTbGp5a3\n"
	"BcD3XFD2uGP+PhY6UOGh9owhkD\n"
	"-----END SSH SIGNATURE-----\n";
static const char vector_ec_pub[] =
	"ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBARv1SCpD05IXlq"
	"Is4dumyfSYrUjKKp0Afns8fxZYEem7RziVgVO8pJ46g8Lwg6okliabxS0AivqmndDP3Ir6Qk= vector@lockbox";
static const char vector_ec_sig[] =
	"-----BEGIN SSH SIGNATURE-----\n"
	"U1NIU0lHAAAAAQAAAGgAAAATZWNkc2Etc2hhMi1uaXN0cDI1NgAAAAhuaXN0cDI1NgAAAE\n"
	"EEBG/VIKkPTkheWoizh26bJ9JitSMoqnQB+ezx/FlgR6btHOJWBU7yknjqDwvCDqiSWJpv\n"
	"FLQCK+qad0M/civpCQAAAAdsb2NrYm94AAAAAAAAAAZzaGE1MTIAAABlAAAAE2VjZHNhLX\n"
	"NoYTItbmlzdHAyNTYAAABKAAAAIQCBhSpJcMO3k0f6+UO+WnfDctGZzvLOpDlMbq32jdo3\n"
	"OAAAACEA6PniK2Ge3sgSa0maIn3xQMMpKjuIf0TFrZl2r2Bx+4M=\n"
	"-----END SSH SIGNATURE-----\n";

static char err[512];
static struct sshsig_info info;

static int verify(const char *sig, const char *msg, const char *ns)
{
	err[0] = '\0';
	return sshsig_verify(sig ? sig : "", msg, strlen(msg), ns, &info, err, sizeof(err));
}

static int verify_blob(const unsigned char *blob, size_t len, const char *msg)
{
	err[0] = '\0';
	return sshsig_verify_blob(blob, len, msg, strlen(msg), NS, &info, err, sizeof(err));
}

static void refused(int rc, int want, const char *needle, const char *what)
{
	is_int(rc, want, "%s is refused", what);
	ok(strstr(err, needle) != NULL, "%s: error says '%s' (%s)", what, needle, err);
}

static struct sshkey parsed(const char *line)
{
	struct sshkey k;
	char kerr[256] = "";

	if (sshkey_parse_line(line ? line : "", &k, kerr, sizeof(kerr)))
		printf("# key does not parse: %s\n", kerr);
	return k;
}

static void test_kept_ssh_keygen_signatures_verify(void)
{
	struct sshkey keys[2] = {parsed(vector_ec_pub), parsed(vector_ed_pub)};

	is_int(verify(vector_ed_sig, vector_msg, NS), 0, "kept ed25519 signature verifies (%s)",
	       err);
	is_int(info.key.type, SSHKEY_ED25519, "its signer is an ed25519 key");
	is_str(info.hash_alg, "sha512", "ssh-keygen's default hash is sha512");
	is_int(sshsig_find_key(&info, keys, 2), 1, "the signer is the second trusted key");
	is_int(verify(vector_ec_sig, vector_msg, NS), 0, "kept ecdsa signature verifies (%s)", err);
	is_int(info.key.type, SSHKEY_ECDSA_P256, "its signer is an ecdsa-sha2-nistp256 key");
	is_int(sshsig_find_key(&info, keys, 2), 0, "the signer is the first trusted key");
	is_int(sshsig_find_key(&info, keys + 1, 1), -ENOKEY, "and not the other one");
}

/* ssh-keygen -Y sign over FILE with KEY (extra options in @opts); the armor (free it). */
static char *sign(const char *key, const char *ns, const char *file, const char *opts)
{
	char sig[128];

	if (sh("rm -f %s.sig && ssh-keygen -q -Y sign -f %s -n %s %s %s 2>/dev/null", file, key, ns,
	       opts, file))
		return NULL;
	snprintf(sig, sizeof(sig), "%s.sig", file);
	return slurp(sig, NULL);
}

static void test_fresh_signatures_verify(void)
{
	char *ed = keygen("ed", "ed25519"), *ec = keygen("ec", "ecdsa -b 256"), *sig;
	struct sshkey keys[2] = {parsed(ed), parsed(ec)};

	spit("msg", vector_msg, strlen(vector_msg));
	sig = sign("ed", NS, "msg", "");
	is_int(verify(sig, vector_msg, NS), 0, "fresh ed25519 signature verifies (%s)", err);
	is_int(sshsig_find_key(&info, keys, 2), 0, "signed by the ed25519 key");
	free(sig);
	sig = sign("ec", NS, "msg", "");
	is_int(verify(sig, vector_msg, NS), 0, "fresh ecdsa signature verifies (%s)", err);
	is_int(sshsig_find_key(&info, keys, 2), 1, "signed by the ecdsa key");
	free(sig);
	sig = sign("ec", NS, "msg", "-O hashalg=sha256");
	is_int(verify(sig, vector_msg, NS), 0, "ecdsa over sha256 verifies (%s)", err);
	is_str(info.hash_alg, "sha256", "the hash is reported as sha256");
	free(sig);
	sig = sign("ed", NS, "msg", "-O hashalg=sha256");
	is_int(verify(sig, vector_msg, NS), 0, "ed25519 over sha256 verifies (%s)", err);
	free(sig);
	free(ed);
	free(ec);
}

static void test_changed_message_fails(void)
{
	char msg[sizeof(vector_msg)];

	memcpy(msg, vector_msg, sizeof(msg));
	msg[5] ^= 1;
	refused(verify(vector_ed_sig, msg, NS), -EBADMSG, "bad signature", "ed25519, changed byte");
	refused(verify(vector_ec_sig, msg, NS), -EBADMSG, "bad signature", "ecdsa, changed byte");
	msg[strlen(msg) - 1] = '\0';
	msg[5] ^= 1;
	refused(verify(vector_ed_sig, msg, NS), -EBADMSG, "bad signature", "last byte dropped");
}

static void test_other_namespace_fails(void)
{
	char *sig = sign("ed", "git", "msg", "");

	refused(verify(sig, vector_msg, NS), -EACCES, "namespace 'git', not 'lockbox'",
		"a signature for namespace git");
	refused(verify(vector_ed_sig, vector_msg, "lockbox-x"), -EACCES,
		"namespace 'lockbox', not 'lockbox-x'", "a lockbox signature checked for another");
	free(sig);
}

static void test_other_key_is_not_trusted(void)
{
	char *other = keygen("other", "ed25519"), *ed = slurp("ed.pub", NULL), *sig;
	struct sshkey trusted[2] = {parsed(ed), parsed(other)};

	sig = sign("other", NS, "msg", "");
	is_int(verify(sig, vector_msg, NS), 0, "another key's signature is a good signature");
	is_int(sshsig_find_key(&info, trusted, 1), -ENOKEY, "but not by a trusted key");
	is_int(sshsig_find_key(&info, trusted, 2), 1, "until that key is listed");
	free(sig);
	free(other);
	free(ed);
}

/* vector_ed_sig with @find replaced by @repl (free it) */
static char *edited(const char *find, const char *repl)
{
	const char *at = strstr(vector_ed_sig, find);
	char *s = malloc(sizeof(vector_ed_sig) + strlen(repl));

	sprintf(s, "%.*s%s%s", (int)(at - vector_ed_sig), vector_ed_sig, repl, at + strlen(find));
	return s;
}

static void test_broken_armor_fails(void)
{
	char half[sizeof(vector_ed_sig)], *s, *big;

	refused(verify("", vector_msg, NS), -EINVAL, "no -----BEGIN SSH SIGNATURE-----", "nothing");
	memcpy(half, vector_ed_sig, sizeof(half) / 2);
	half[sizeof(half) / 2] = '\0';
	refused(verify(half, vector_msg, NS), -EINVAL, "(truncated?)", "half an armor");
	s = edited("-----END SSH SIGNATURE-----\n", "");
	refused(verify(s, vector_msg, NS), -EINVAL, "no -----END", "no END line");
	free(s);
	s = edited("BcD3XF", "BcD*XF");
	refused(verify(s, vector_msg, NS), -EINVAL, "bad base64", "a '*' in the base64");
	free(s);
	s = edited("NTUxOQAAAEDkji/qQ7XpUvYSmC3BnO3jp4ACwE60ddEm3lGMj+v9ojFvqBNfQRlTbGp5a3\n", "");
	refused(verify(s, vector_msg, NS), -EINVAL, "malformed signature", "a line dropped");
	free(s);
	s = edited("BcD3XF", "BcD3XE");
	refused(verify(s, vector_msg, NS), -EBADMSG, "bad signature", "a signature byte changed");
	free(s);
	s = edited("-----END SSH SIGNATURE-----\n", "-----END SSH SIGNATURE-----\nand more\n");
	refused(verify(s, vector_msg, NS), -EINVAL, "text after the", "text after END");
	free(s);
	s = edited("U1NIU0lH", "U1NIU0lI");
	refused(verify(s, vector_msg, NS), -EINVAL, "does not start with SSHSIG", "wrong magic");
	free(s);
	big = malloc(SSHSIG_ARMOR_MAX + 2);
	memset(big, ' ', SSHSIG_ARMOR_MAX + 1);
	big[SSHSIG_ARMOR_MAX + 1] = '\0';
	refused(verify(big, vector_msg, NS), -EINVAL, "longer than", "an oversized armor");
	free(big);
}

/* A kept signature's blob: no prefix of it and no bit flip of it verifies. */
static void every_truncation_and_bit_flip_fails(const char *armored, const char *what)
{
	unsigned char blob[512];
	size_t len = 0, i, flipped_ok = 0, cut_ok = 0, silent = 0;
	char b64[512];
	const char *p;

	for (p = strchr(armored, '\n') + 1; *p != '-'; p++)
		if (*p != '\n')
			b64[len++] = *p;
	b64[len] = '\0';
	len = (size_t)EVP_DecodeBlock(blob, (unsigned char *)b64, (int)strlen(b64));
	len -= strchr(b64, '=') ? strlen(strchr(b64, '=')) : 0;
	is_int(verify_blob(blob, len, vector_msg), 0, "%s: the blob verifies whole (%s)", what,
	       err);
	for (i = 0; i < len; i++) {
		cut_ok += verify_blob(blob, i, vector_msg) == 0;
		silent += !err[0];
	}
	for (i = 0; i < len * 8; i++) {
		blob[i / 8] ^= 1 << (i % 8);
		flipped_ok += verify_blob(blob, len, vector_msg) == 0;
		silent += !err[0];
		blob[i / 8] ^= 1 << (i % 8);
	}
	is_int(cut_ok, 0, "%s: none of the %zu truncations verifies", what, len);
	is_int(flipped_ok, 0, "%s: none of the %zu bit flips verifies", what, len * 8);
	is_int(silent, 0, "%s: every refusal has an error message", what);
}

static void test_every_truncation_and_bit_flip_fails(void)
{
	every_truncation_and_bit_flip_fails(vector_ed_sig, "ed25519");
	every_truncation_and_bit_flip_fails(vector_ec_sig, "ecdsa");
}

/* How a test-built signature differs from a good one (unset fields: as ssh-keygen). */
struct spec {
	const char *magic, *ns, *alg; /* "SSHSIG", "lockbox", "sha512" */
	uint32_t version;	      /* 1 */
	const char *app;     /* NULL: an ssh-ed25519 key; else an sk key with this application */
	const char *keytype; /* the key blob's type name, when not the real one */
	const char *sigtype; /* the signature's type name, when not the key's */
	uint8_t flags;
	uint32_t counter;
};

static struct spec defaults(const struct spec *s)
{
	struct spec d = *s;

	d.magic = d.magic ? d.magic : "SSHSIG";
	d.ns = d.ns ? d.ns : NS;
	d.alg = d.alg ? d.alg : "sha512";
	d.version = d.version ? d.version : 1;
	return d;
}

static const unsigned char *hashed(const void *d, size_t len, const EVP_MD *md)
{
	static unsigned char out[2][64];
	static int n;

	n = !n;
	EVP_Digest(d, len, out[n], NULL, md, NULL);
	return out[n];
}

/* The to-be-signed bytes: PROTOCOL.sshsig's, or for sk keys the FIDO layout over them. */
static size_t to_sign(const struct spec *s, const char *msg, unsigned char *out)
{
	const EVP_MD *md = strcmp(s->alg, "sha256") ? EVP_sha512() : EVP_sha256();
	unsigned char data[256], *p = data;

	memcpy(p, "SSHSIG", 6);
	p = sshwire_put_string(p + 6, s->ns, strlen(s->ns));
	p = sshwire_put_string(p, "", 0);
	p = sshwire_put_string(p, s->alg, strlen(s->alg));
	p = sshwire_put_string(p, hashed(msg, strlen(msg), md), (size_t)EVP_MD_get_size(md));
	if (!s->app) {
		memcpy(out, data, (size_t)(p - data));
		return (size_t)(p - data);
	}
	memcpy(out, hashed(s->app, strlen(s->app), EVP_sha256()), 32);
	out[32] = s->flags;
	sshwire_put_u32(out + 33, s->counter);
	memcpy(out + 37, hashed(data, (size_t)(p - data), EVP_sha256()), 32);
	return 69;
}

/* An SSHSIG blob signed by @k (public key @pk) over @msg as @s says. */
static size_t build(EVP_PKEY *k, const unsigned char pk[32], const struct spec *spec,
		    const char *msg, unsigned char *out)
{
	struct spec d = defaults(spec), *s = &d;
	const char *type = s->app ? SK : "ssh-ed25519";
	unsigned char tbs[256], sig[64], pub[256], sigblob[256], *p;
	size_t siglen = 64, publen, tbslen = to_sign(s, msg, tbs);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, k) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, tbs, tbslen) != 1)
		printf("# signing failed\n");
	EVP_MD_CTX_free(ctx);
	publen = s->app ? sk_blob(pub, pk, s->app) : 0;
	if (!s->app)
		publen = (size_t)(sshwire_put_string(sshwire_put_string(pub, type, strlen(type)),
						     pk, 32) -
				  pub);
	if (s->keytype) /* same length names only: the blob keeps its layout */
		memcpy(pub + 4, s->keytype, strlen(s->keytype));
	p = sshwire_put_string(sigblob, s->sigtype ? s->sigtype : type,
			       strlen(s->sigtype ? s->sigtype : type));
	p = sshwire_put_string(p, sig, 64);
	if (s->app) {
		*p++ = s->flags;
		p = sshwire_put_u32(p, s->counter);
	}
	siglen = (size_t)(p - sigblob);
	memcpy(out, s->magic, 6);
	p = sshwire_put_string(sshwire_put_u32(out + 6, s->version), pub, publen);
	p = sshwire_put_string(p, s->ns, strlen(s->ns));
	p = sshwire_put_string(p, "", 0);
	p = sshwire_put_string(p, s->alg, strlen(s->alg));
	return (size_t)(sshwire_put_string(p, sigblob, siglen) - out);
}

/* The blob armored as ssh-keygen does it: 70 columns (free it). */
static char *armor(const unsigned char *blob, size_t len)
{
	char b64[2048], *out = malloc(4096);
	size_t i, n;

	n = (size_t)EVP_EncodeBlock((unsigned char *)b64, blob, (int)len);
	strcpy(out, "-----BEGIN SSH SIGNATURE-----\n");
	for (i = 0; i < n; i += 70)
		sprintf(out + strlen(out), "%.70s\n", b64 + i);
	strcat(out, "-----END SSH SIGNATURE-----\n");
	return out;
}

static unsigned char pk[32];
static EVP_PKEY *priv;

static int verify_built(const struct spec *s, unsigned char *blob, size_t *len)
{
	size_t n = build(priv, pk, s, vector_msg, blob);

	if (len)
		*len = n;
	return verify_blob(blob, n, vector_msg);
}

static void test_built_structure_errors(void)
{
	unsigned char blob[1024];
	size_t len;

	is_int(verify_built(&(struct spec){0}, blob, &len), 0,
	       "a test-built ed25519 signature verifies (%s)", err);
	blob[len++] = 0;
	refused(verify_blob(blob, len, vector_msg), -EINVAL, "bytes after the signature",
		"a byte after the blob");
	refused(verify_built(&(struct spec){.magic = "SSHSIH"}, blob, NULL), -EINVAL,
		"does not start with SSHSIG", "magic SSHSIH");
	refused(verify_built(&(struct spec){.version = 2}, blob, NULL), -EINVAL, "version 2, not 1",
		"version 2");
	refused(verify_built(&(struct spec){.alg = "sha1"}, blob, NULL), -EOPNOTSUPP,
		"hash algorithm 'sha1' is not supported", "hash sha1");
	refused(verify_built(&(struct spec){.ns = "git"}, blob, NULL), -EACCES, "namespace 'git'",
		"namespace git");
	refused(verify_built(&(struct spec){.keytype = "ssh-dss0000"}, blob, NULL), -EOPNOTSUPP,
		"signer's key: key type 'ssh-dss0000' is not supported",
		"an unsupported signer key type");
	refused(verify_built(&(struct spec){.sigtype = "ecdsa-sha2-nistp256"}, blob, NULL), -EINVAL,
		"a 'ecdsa-sha2-nistp256' signature from a ssh-ed25519 key",
		"a signature type that is not the key's");
	is_int(verify_built(&(struct spec){.alg = "sha256"}, blob, NULL), 0, "sha256 verifies (%s)",
	       err);
}

static void test_sk_signature_reports_flags(void)
{
	unsigned char blob[1024];
	size_t len;

	is_int(verify_built(&(struct spec){.app = "ssh:", .flags = 0x01, .counter = 42}, blob,
			    &len),
	       0, "sk signature with user presence verifies (%s)", err);
	is_int(info.key.type, SSHKEY_SK_ED25519, "the signer is an sk-ssh-ed25519 key");
	is_str(info.key.application, "ssh:", "its application");
	is_int(info.sk_flags, SSHSIG_SK_USER_PRESENT, "the user-presence flag is reported");
	is_int(info.sk_counter, 42, "the counter is reported");
	blob[len - 5] ^= SSHSIG_SK_USER_PRESENT;
	refused(verify_blob(blob, len, vector_msg), -EBADMSG, "bad signature",
		"an sk signature with its flags changed");
	blob[len - 5] ^= SSHSIG_SK_USER_PRESENT;
	blob[len - 1] ^= 1;
	refused(verify_blob(blob, len, vector_msg), -EBADMSG, "bad signature",
		"an sk signature with its counter changed");
	is_int(verify_built(&(struct spec){.app = "ssh:", .counter = 7}, blob, NULL), 0,
	       "sk signature without user presence verifies (%s)", err);
	is_int(info.sk_flags, 0, "and reports no user presence, for the caller to refuse");
	is_int(verify_built(&(struct spec){.app = "ssh:", .flags = 5}, blob, &len), 0,
	       "sk signature with presence and verification verifies");
	is_int(info.sk_flags, SSHSIG_SK_USER_PRESENT | SSHSIG_SK_USER_VERIFIED, "both flags");
	blob[len - 4 - 1 - 32] ^= 1; /* in the sk signature itself, before flags and counter */
	refused(verify_blob(blob, len, vector_msg), -EBADMSG, "bad signature",
		"an sk signature changed");
}

/* What the test builds for sk keys, OpenSSH verifies too. */
static void test_ssh_keygen_accepts_built_sk_signature(void)
{
	unsigned char blob[1024], kb[256];
	char *line, *armored;
	size_t len = build(priv, pk, &(struct spec){.app = "ssh:", .flags = 1}, vector_msg, blob);

	line = key_line(SK, kb, sk_blob(kb, pk, "ssh:"));
	armored = armor(blob, len);
	is_int(verify(armored, vector_msg, NS), 0, "the armored sk signature verifies (%s)", err);
	spit("sk.pub", line, strlen(line));
	spit("sk.sig", armored, strlen(armored));
	is_int(sh("ssh-keygen -Y check-novalidate -n lockbox -s sk.sig <msg >/dev/null 2>&1"), 0,
	       "ssh-keygen -Y check-novalidate accepts it");
	free(line);
	free(armored);
}

int main(void)
{
	test_dir_make();
	test_kept_ssh_keygen_signatures_verify();
	test_fresh_signatures_verify();
	test_changed_message_fails();
	test_other_namespace_fails();
	test_other_key_is_not_trusted();
	test_broken_armor_fails();
	test_every_truncation_and_bit_flip_fails();
	priv = ed25519_new(pk);
	test_built_structure_errors();
	test_sk_signature_reports_flags();
	test_ssh_keygen_accepts_built_sk_signature();
	EVP_PKEY_free(priv);
	test_dir_remove();
	return done_testing();
}
