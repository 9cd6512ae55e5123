// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper for the guest: runs a command as a user, with that user's groups,
 * so the agent's SO_PEERCRED check sees the real uid. Busybox su works too but
 * needs a quoted command string; this keeps argv intact.
 *   runas [-l LOGINUID] USER|UID CMD [ARGS...]
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct passwd *lookup(const char *who)
{
	char *end;
	long uid = strtol(who, &end, 10);

	if (*who && !*end)
		return getpwuid((uid_t)uid);
	return getpwnam(who);
}

static int set_loginuid(const char *val)
{
	FILE *f = fopen("/proc/self/loginuid", "w");

	if (!f)
		return -1;
	if (fputs(val, f) < 0) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

int main(int argc, char **argv)
{
	const char *loginuid = NULL;
	struct passwd *pw;
	int c;

	while ((c = getopt(argc, argv, "+l:")) != -1) {
		if (c != 'l') {
			fprintf(stderr, "usage: runas [-l LOGINUID] USER|UID CMD [ARGS...]\n");
			return 125;
		}
		loginuid = optarg;
	}
	if (argc - optind < 2) {
		fprintf(stderr, "usage: runas [-l LOGINUID] USER|UID CMD [ARGS...]\n");
		return 125;
	}
	pw = lookup(argv[optind]);
	if (!pw) {
		fprintf(stderr, "runas: no user %s\n", argv[optind]);
		return 125;
	}
	if (loginuid && set_loginuid(loginuid) < 0) {
		fprintf(stderr, "runas: cannot set the loginuid: %s\n", strerror(errno));
		return 125;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0) {
		fprintf(stderr, "runas: cannot become %s: %s\n", pw->pw_name, strerror(errno));
		return 125;
	}
	setenv("USER", pw->pw_name, 1);
	setenv("LOGNAME", pw->pw_name, 1);
	setenv("HOME", pw->pw_dir, 1);
	execvp(argv[optind + 1], argv + optind + 1);
	fprintf(stderr, "runas: cannot run %s: %s\n", argv[optind + 1], strerror(errno));
	return 127;
}
