// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper for the guest: does one file operation as a given uid and prints
 * OK or the errno's name, so a test checks the real errno.
 *   tryopen [-u UID] [-g GID] [-l LOGINUID] OP PATH [ARG]
 * OP: r w rw (open for read/write and do one read/write), stat.
 */
#include "become.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int do_op(const char *op, const char *path)
{
	char buf[64];
	int fd;

	if (!strcmp(op, "stat")) {
		struct stat st;

		return stat(path, &st);
	}
	if (!strcmp(op, "r"))
		fd = open(path, O_RDONLY);
	else if (!strcmp(op, "w"))
		fd = open(path, O_WRONLY | O_APPEND);
	else if (!strcmp(op, "rw"))
		fd = open(path, O_RDWR | O_APPEND);
	else {
		errno = EINVAL;
		return -1;
	}
	if (fd < 0)
		return -1;
	if (op[0] == 'r' && read(fd, buf, sizeof(buf)) < 0)
		return -1;
	if (strchr(op, 'w') && write(fd, "x", 1) < 0)
		return -1;
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	long uid = -1, gid = -1, loginuid = -1;
	int c;

	while ((c = getopt(argc, argv, "u:g:l:")) != -1) {
		switch (c) {
		case 'u':
			uid = atol(optarg);
			break;
		case 'g':
			gid = atol(optarg);
			break;
		case 'l':
			loginuid = atol(optarg);
			break;
		default:
			return 2;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr,
			"usage: tryopen [-u UID] [-g GID] [-l LOGINUID] r|w|rw|stat PATH\n");
		return 2;
	}
	if (become(uid, gid, loginuid) < 0) {
		printf("SETUP-%s\n", strerrorname_np(errno));
		return 2;
	}
	if (do_op(argv[optind], argv[optind + 1]) < 0) {
		printf("%s\n", strerrorname_np(errno));
		return 1;
	}
	printf("OK\n");
	return 0;
}
