// SPDX-License-Identifier: GPL-2.0-only
/*
 * OpenSSH public key lines: the keys ssh-keygen makes parse with the right
 * material and the fingerprint ssh-keygen prints; other types and broken lines are
 * refused with an error that names what is wrong.
 */
#include <errno.h>
#include "tap.h"
#include "sshtest.h"
#include "sshkey.h"

static char err[256];

static int parse(const char *line, struct sshkey *k)
{
	err[0] = '\0';
	return sshkey_parse_line(line, k, err, sizeof(err));
}

static void check_fingerprint(const struct sshkey *k, const char *pubfile, const char *what)
{
	char fp[SSHKEY_FP_LEN] = "", *want = keygen_fingerprint(pubfile);
	char line[SSHKEY_LINE_MAX], *pub = slurp(pubfile, NULL);

	is_int(sshkey_fingerprint(k, fp), 0, "%s: fingerprint computed", what);
	is_str(fp, want, "%s: fingerprint is ssh-keygen -lf's", what);
	sshkey_to_line(k, line);
	ok(pub && !strncmp(pub, line, strlen(line)) && pub[strlen(line)] == ' ',
	   "%s: written back as the .pub file's TYPE BASE64 (%s)", what, line);
	free(want);
	free(pub);
}

static void test_largest_key_is_written_back_whole(void)
{
	unsigned char pk[32] = {7}, blob[600];
	char app[SSHKEY_APP_MAX], back[SSHKEY_LINE_MAX], *line;
	struct sshkey k;

	memset(app, 'a', sizeof(app) - 1);
	app[sizeof(app) - 1] = '\0';
	line = key_line("sk-ssh-ed25519@openssh.com", blob, sk_blob(blob, pk, app));
	is_int(parse(line, &k), 0, "an sk key with a 255-byte application parses (%s)", err);
	sshkey_to_line(&k, back);
	ok(!strncmp(line, back, strlen(back)) && strlen(back) > 400,
	   "and is written back whole (%zu characters)", strlen(back));
	free(line);
}

static void test_ed25519_line_parses_with_its_fingerprint(void)
{
	char *line = keygen("ed", "ed25519");
	struct sshkey k;

	ok(line != NULL, "ssh-keygen made an ed25519 key");
	is_int(parse(line ? line : "", &k), 0, "ed25519 line parses (%s)", err);
	is_int(k.type, SSHKEY_ED25519, "type is ssh-ed25519");
	is_int(k.pklen, 32, "32-byte key");
	is_int(k.bloblen, 4 + 11 + 4 + 32, "blob is string type + string key");
	check_fingerprint(&k, "ed.pub", "ed25519");
	free(line);
}

static void test_ecdsa_p256_line_parses_with_its_fingerprint(void)
{
	char *line = keygen("ec", "ecdsa -b 256");
	struct sshkey k;

	is_int(parse(line ? line : "", &k), 0, "ecdsa-sha2-nistp256 line parses (%s)", err);
	is_int(k.type, SSHKEY_ECDSA_P256, "type is ecdsa-sha2-nistp256");
	ok(k.pklen == 65 && k.pk[0] == 0x04, "65-byte uncompressed point");
	is_int(k.bloblen, 4 + 19 + 4 + 8 + 4 + 65, "blob is type, curve, point");
	check_fingerprint(&k, "ec.pub", "ecdsa");
	free(line);
}

static void test_sk_ed25519_line_parses_with_its_fingerprint(void)
{
	unsigned char pk[32], blob[128];
	size_t len;
	EVP_PKEY *priv = ed25519_new(pk);
	char *line;
	struct sshkey k;

	len = sk_blob(blob, pk, "ssh:lockbox");
	line = key_line("sk-ssh-ed25519@openssh.com", blob, len);
	spit("sk.pub", line, strlen(line));
	is_int(parse(line, &k), 0, "sk-ssh-ed25519 line parses (%s)", err);
	is_int(k.type, SSHKEY_SK_ED25519, "type is sk-ssh-ed25519@openssh.com");
	ok(k.pklen == 32 && !memcmp(k.pk, pk, 32), "the 32-byte key");
	is_str(k.application, "ssh:lockbox", "the application");
	check_fingerprint(&k, "sk.pub", "sk-ssh-ed25519");
	free(line);
	EVP_PKEY_free(priv);
}

static void refused_naming(const char *line, int want, const char *needle, const char *what)
{
	struct sshkey k;

	is_int(parse(line, &k), want, "%s is refused", what);
	ok(strstr(err, needle) != NULL, "%s: error names '%s' (%s)", what, needle, err);
}

static void test_unsupported_types_are_named(void)
{
	char *rsa = keygen("rsa", "rsa -b 1024"), *p384 = keygen("p384", "ecdsa -b 384");

	refused_naming(rsa ? rsa : "", -EOPNOTSUPP, "'ssh-rsa' is not supported", "ssh-rsa");
	refused_naming(p384 ? p384 : "", -EOPNOTSUPP, "ecdsa-sha2-nistp384", "nistp384");
	refused_naming("ssh-dss AAAAB3NzaC1kc3M= x", -EOPNOTSUPP, "ssh-dss", "ssh-dss");
	free(rsa);
	free(p384);
}

static void test_type_must_match_blob(void)
{
	char *ec = slurp("ec.pub", NULL), line[512];

	snprintf(line, sizeof(line), "ssh-ed25519 %s", ec ? strchr(ec, ' ') + 1 : "");
	refused_naming(line, -EINVAL, "says ssh-ed25519 but holds a ecdsa-sha2-nistp256",
		       "ed25519 line with an ecdsa blob");
	free(ec);
}

static void test_broken_lines_are_refused(void)
{
	char *ed = slurp("ed.pub", NULL), line[512];

	refused_naming("ssh-ed25519", -EINVAL, "TYPE BASE64", "a type alone");
	refused_naming("", -EINVAL, "TYPE BASE64", "an empty line");
	refused_naming("ssh-ed25519 AAAA!!!! c", -EINVAL, "bad base64", "a bad character");
	refused_naming("ssh-ed25519 AA=AAAAA c", -EINVAL, "bad base64", "'=' inside");
	refused_naming("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA c", -EINVAL, "bad base64",
		       "base64 not a multiple of 4");
	/* cut after the type and part of the key: the key length runs past the end */
	refused_naming("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAA c", -EINVAL, "truncated",
		       "a truncated key");
	if (ed) {
		/* the same key with 8 more characters (6 bytes) before the comment */
		snprintf(line, sizeof(line), "%.80sAAAAAAAA", ed);
		refused_naming(line, -EINVAL, "after its end", "bytes after the key");
	}
	free(ed);
}

/* ecdsa blobs with the right type but a wrong curve name or a point off the curve */
static void test_ecdsa_curve_and_point_are_checked(void)
{
	unsigned char blob[256], *p;
	struct sshkey good, k;
	char *ec = slurp("ec.pub", NULL), *ed = slurp("ed.pub", NULL), *line;

	is_int(parse(ec ? ec : "", &good), 0, "ecdsa key for the curve tests");
	p = sshwire_put_string(blob, "ecdsa-sha2-nistp256", 19);
	p = sshwire_put_string(p, "nistp384", 8);
	p = sshwire_put_string(p, good.pk, 65);
	line = key_line("ecdsa-sha2-nistp256", blob, (size_t)(p - blob));
	refused_naming(line, -EINVAL, "curve 'nistp384'", "a nistp384 curve name");
	free(line);
	memcpy(blob, good.blob, good.bloblen);
	blob[good.bloblen - 1] ^= 1; /* y changed: no longer on the curve */
	line = key_line("ecdsa-sha2-nistp256", blob, good.bloblen);
	refused_naming(line, -EINVAL, "not a point on the curve", "a point off the curve");
	free(line);
	blob[good.bloblen - 65] = 0x02; /* compressed marker */
	line = key_line("ecdsa-sha2-nistp256", blob, good.bloblen);
	refused_naming(line, -EINVAL, "uncompressed", "a non-uncompressed point");
	free(line);
	ok(sshkey_equal(&good, &good), "a key equals itself");
	is_int(parse(ed ? ed : "", &k), 0, "ed25519 key for the comparison");
	ok(!sshkey_equal(&good, &k), "different keys differ");
	free(ec);
	free(ed);
}

static void test_sk_application_is_checked(void)
{
	unsigned char pk[32] = {1}, blob[600];
	char app[300], *line;

	memset(app, 'a', sizeof(app) - 1);
	app[sizeof(app) - 1] = '\0';
	line = key_line("sk-ssh-ed25519@openssh.com", blob, sk_blob(blob, pk, app));
	refused_naming(line, -EINVAL, "application must be 1 to 255", "a 299-byte application");
	free(line);
	line = key_line("sk-ssh-ed25519@openssh.com", blob, sk_blob(blob, pk, ""));
	refused_naming(line, -EINVAL, "application must be 1 to", "an empty application");
	free(line);
}

int main(void)
{
	test_dir_make();
	test_ed25519_line_parses_with_its_fingerprint();
	test_ecdsa_p256_line_parses_with_its_fingerprint();
	test_sk_ed25519_line_parses_with_its_fingerprint();
	test_unsupported_types_are_named();
	test_type_must_match_blob();
	test_broken_lines_are_refused();
	test_ecdsa_curve_and_point_are_checked();
	test_sk_application_is_checked();
	test_largest_key_is_written_back_whole();
	test_dir_remove();
	return done_testing();
}
