/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the SSH key and signature tests: a scratch folder, OpenSSH's
 * ssh-keygen run there (the approver's tool, so the tests check against the real
 * thing), and the wire encoding for blobs the tests build themselves.
 */
#ifndef SSHTEST_H
#define SSHTEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <openssl/evp.h>
#include "sshwire.h"

static char test_dir[] = "/tmp/lockbox-ssh-XXXXXX";

static inline void test_dir_make(void)
{
	if (!mkdtemp(test_dir)) {
		perror("mkdtemp");
		exit(1);
	}
}

static inline void test_dir_remove(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", test_dir);
	if (system(cmd))
		fprintf(stderr, "# could not remove %s\n", test_dir);
}

/* A shell command (printf-style), run in the scratch folder; its exit status. */
static inline int __attribute__((format(printf, 1, 2))) sh(const char *fmt, ...)
{
	char cmd[1024];
	size_t n;
	va_list ap;
	int rc;

	n = (size_t)snprintf(cmd, sizeof(cmd), "cd '%s' && ", test_dir);
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - n, fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

/* A file of the scratch folder, NUL-terminated (free it); NULL if unreadable. */
static inline char *slurp(const char *name, size_t *len)
{
	char path[256], *buf = NULL;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", test_dir, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	buf = malloc(65536);
	if (buf)
		n = fread(buf, 1, 65535, f);
	fclose(f);
	if (buf)
		buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static inline int spit(const char *name, const void *data, size_t len)
{
	char path[256];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", test_dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	rc = fwrite(data, 1, len, f) == len ? 0 : -1;
	return fclose(f) ? -1 : rc;
}

/* ssh-keygen -t ARGS -f NAME, no passphrase; NAME.pub's line (free it). */
static inline char *keygen(const char *name, const char *type_args)
{
	char pub[64];

	if (sh("ssh-keygen -q -t %s -N '' -C %s@test -f %s </dev/null", type_args, name, name))
		return NULL;
	snprintf(pub, sizeof(pub), "%s.pub", name);
	return slurp(pub, NULL);
}

/* The second field of `ssh-keygen -lf FILE` (the SHA256 fingerprint). */
static inline char *keygen_fingerprint(const char *file)
{
	char *out, *fp;

	if (sh("ssh-keygen -lf %s >fp.out", file))
		return NULL;
	out = slurp("fp.out", NULL);
	if (!out)
		return NULL;
	fp = strtok(strchr(out, ' ') ? strchr(out, ' ') + 1 : out, " ");
	fp = fp ? strdup(fp) : NULL;
	free(out);
	return fp;
}

/* "TYPE BASE64 comment" for a blob the test built (free it). */
static inline char *key_line(const char *type, const unsigned char *blob, size_t len)
{
	char *line = malloc(strlen(type) + len / 3 * 4 + 32);

	sprintf(line, "%s ", type);
	EVP_EncodeBlock((unsigned char *)line + strlen(line), blob, (int)len);
	strcat(line, " built@test\n");
	return line;
}

/* The raw 32-byte public key of a fresh libcrypto Ed25519 key. */
static inline EVP_PKEY *ed25519_new(unsigned char pk[32])
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	size_t len = 32;

	if (!k || !EVP_PKEY_get_raw_public_key(k, pk, &len) || len != 32) {
		fprintf(stderr, "# Ed25519 key generation failed\n");
		exit(1);
	}
	return k;
}

/* The public blob of an sk-ssh-ed25519 key: string type, string pk, string application. */
static inline size_t sk_blob(unsigned char *out, const unsigned char pk[32], const char *app)
{
	unsigned char *p = out;

	p = sshwire_put_string(p, "sk-ssh-ed25519@openssh.com", 26);
	p = sshwire_put_string(p, pk, 32);
	p = sshwire_put_string(p, app, strlen(app));
	return (size_t)(p - out);
}

#endif /* SSHTEST_H */
