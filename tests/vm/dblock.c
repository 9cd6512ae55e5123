// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper for the guest: opens a file read-only and takes a POSIX read lock
 * on all of it, the way an engineer would lock the agent's database out.
 *   dblock [-u UID] [-l LOGINUID] PATH SECONDS
 * Prints OK once the lock is held (then holds it SECONDS), or the errno's name
 * of the open or the lock that failed.
 */
#include "become.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int report(int ret)
{
	printf("%s\n", ret < 0 ? strerrorname_np(errno) : "OK");
	fflush(stdout);
	return ret < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
	long uid = -1, loginuid = -1;
	int c, fd;

	while ((c = getopt(argc, argv, "u:l:")) != -1) {
		if (c == 'u')
			uid = strtol(optarg, NULL, 10);
		else if (c == 'l')
			loginuid = strtol(optarg, NULL, 10);
		else
			return 2;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: dblock [-u UID] [-l LOGINUID] PATH SECONDS\n");
		return 2;
	}
	if (become(uid, -1, loginuid) < 0) {
		perror("dblock: become");
		return 2;
	}
	fd = open(argv[optind], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return report(fd);
	if (report(fcntl(fd, F_SETLK, &fl)))
		return 1;
	sleep((unsigned)strtoul(argv[optind + 1], NULL, 10));
	return 0;
}
