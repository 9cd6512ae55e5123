// SPDX-License-Identifier: GPL-2.0-only
/*
 * Arbitrary bytes as an armored SSHSIG signature, as a decoded SSHSIG blob and as a
 * public key line: whatever comes in, no crash, no read past the input, no leak; a
 * refusal always says why; an accepted signature names a key that parses back to
 * itself. The seeds are ssh-keygen signatures over the message below.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "sshkey.h"
#include "sshsig.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

static const char msg[] = "{\"statement\":\"lockbox test vector\"}\n";

static void check_result(int rc, const struct sshsig_info *info, const char *err)
{
	struct sshkey back;
	char kerr[256];

	if (rc) {
		CHECK(rc < 0 && err[0]);
		CHECK(info->key.bloblen == 0); /* nothing half-filled */
		return;
	}
	CHECK(info->key.type >= SSHKEY_ED25519 && info->key.type <= SSHKEY_SK_ED25519);
	CHECK(!strcmp(info->hash_alg, "sha256") || !strcmp(info->hash_alg, "sha512"));
	CHECK(!sshkey_from_blob(info->key.blob, info->key.bloblen, &back, kerr, sizeof(kerr)));
	CHECK(sshkey_equal(&back, &info->key));
	CHECK(sshsig_find_key(info, &back, 1) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sshsig_info info;
	struct sshkey key;
	char err[512] = "", fp[SSHKEY_FP_LEN];
	char *s = malloc(size + 1);
	int rc;

	if (!s)
		return 0;
	/* the agent reads a signature file as a string: an exact-size copy, for ASan */
	memcpy(s, data, size);
	s[size] = '\0';
	rc = sshsig_verify(s, msg, sizeof(msg) - 1, "lockbox", &info, err, sizeof(err));
	check_result(rc, &info, err);
	err[0] = '\0';
	rc = sshsig_verify_blob(data, size, msg, sizeof(msg) - 1, "lockbox", &info, err,
				sizeof(err));
	check_result(rc, &info, err);
	err[0] = '\0';
	rc = sshkey_parse_line(s, &key, err, sizeof(err));
	if (rc)
		CHECK(rc < 0 && err[0]);
	else
		CHECK(!sshkey_fingerprint(&key, fp) && !strncmp(fp, "SHA256:", 7));
	free(s);
	return 0;
}
