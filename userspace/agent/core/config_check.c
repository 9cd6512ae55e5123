// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config_check.h"
#include "identity.h"

/* The notify command's program (its first word), found as /bin/sh would find it. */
static int program_runs(const char *command, char *prog, size_t len)
{
	const char *path = getenv("PATH");
	char cand[4096];
	size_t n;

	command += strspn(command, " \t");
	n = strcspn(command, " \t");
	if (n == 0 || n >= len)
		return -EINVAL;
	memcpy(prog, command, n);
	prog[n] = 0;
	if (strpbrk(prog, "=$`'\"\\;|&<>(){}"))
		return 0; /* shell syntax: only the shell knows what it runs */
	if (strchr(prog, '/'))
		return access(prog, X_OK) ? -errno : 0;
	for (path = path ? path : "/usr/sbin:/usr/bin:/sbin:/bin"; *path;) {
		size_t d = strcspn(path, ":");

		snprintf(cand, sizeof(cand), "%.*s/%s", (int)d, path, prog);
		if (!access(cand, X_OK))
			return 0;
		path += d + (path[d] == ':');
	}
	return -ENOENT;
}

/* A file's directory must exist (we create the file, not the folders above it). */
static int dir_of_ok(const char *key, const char *file, int mode, FILE *report)
{
	char *copy = strdup(file);
	const char *dir = copy ? dirname(copy) : NULL;
	struct stat st;
	int bad = 0;

	if (!dir || stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(report, "%s: the directory of %s does not exist\n", key, file);
		bad = 1;
	} else if (mode && access(dir, mode)) {
		fprintf(report, "%s: cannot write in %s: %s\n", key, dir, strerror(errno));
		bad = 1;
	}
	free(copy);
	return bad;
}

/* The principals resolve to at least one account through NSS. */
static int someone(const char *key, const struct principals *p, FILE *report)
{
	uint32_t *uids = NULL;
	size_t n = 0;

	if (id_resolve(p, &uids, &n)) {
		fprintf(report, "%s: cannot resolve the users and groups\n", key);
		return 1;
	}
	free(uids);
	if (n)
		return 0;
	fprintf(report, "%s: names no existing user (users and groups resolve to nobody)\n", key);
	return 1;
}

static int check_zone(const struct config *c, size_t i, FILE *report)
{
	const struct zone_cfg *z = &c->zones[i];
	struct stat st;
	char key[64];
	int bad = 0;

	for (size_t p = 0; p < z->n_paths; p++) {
		if (stat(z->paths[p], &st) == 0 && S_ISDIR(st.st_mode))
			continue;
		fprintf(report, "zones[%zu].paths[%zu]: %s is not an existing directory\n", i, p,
			z->paths[p]);
		bad++;
	}
	snprintf(key, sizeof(key), "zones[%zu].approvers", i);
	return bad + someone(key, &z->approvers, report);
}

int config_check(const struct config *c, FILE *report)
{
	char prog[1024];
	int bad = 0, err;

	err = program_runs(c->notify_command, prog, sizeof(prog));
	if (err) {
		fprintf(report, "notify.command: cannot run '%s': %s\n", prog, strerror(-err));
		bad++;
	}
	if (c->audit_log)
		bad += dir_of_ok("audit_log", c->audit_log, W_OK, report);
	if (c->metrics_file)
		bad += dir_of_ok("metrics_file", c->metrics_file, W_OK, report);
	bad += someone("engineers", &c->engineers, report);
	for (size_t i = 0; i < c->n_zones; i++)
		bad += check_zone(c, i, report);
	return bad;
}
