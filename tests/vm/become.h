/* SPDX-License-Identifier: GPL-2.0-only */
/* Guest test helpers: turn root into the identity a test needs. */
#ifndef BECOME_H
#define BECOME_H

#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * Sets the audit loginuid (if @loginuid >= 0; once per process, loginuid is
 * immutable under lockboxd), then drops to @uid and @gid (@gid < 0: same as
 * @uid; @uid < 0: stay root). 0 or -1 with errno set.
 */
static inline int become(long uid, long gid, long loginuid)
{
	if (loginuid >= 0) {
		FILE *f = fopen("/proc/self/loginuid", "w");

		if (!f || fprintf(f, "%ld", loginuid) < 0 || fclose(f) != 0)
			return -1;
	}
	if (uid < 0)
		return 0;
	if (setgroups(0, NULL) < 0 || setgid(gid < 0 ? uid : gid) < 0 || setuid(uid) < 0)
		return -1;
	return 0;
}

/*
 * The options every guest helper takes: -u UID and -l LOGINUID (for
 * become()). Returns the index of the first operand, or -1 on an unknown option.
 */
static inline int identity_opts(int argc, char **argv, long *uid, long *loginuid)
{
	int c;

	*uid = -1;
	*loginuid = -1;
	while ((c = getopt(argc, argv, "+u:l:")) != -1) {
		if (c == 'u')
			*uid = atol(optarg);
		else if (c == 'l')
			*loginuid = atol(optarg);
		else
			return -1;
	}
	return optind;
}

#endif /* BECOME_H */
