// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper for the guest: one process that changes who it is between file
 * operations, so a test can check that no cached verdict outlives the identity
 * it was made for. Prints one word per read (OK or the errno's name), on one
 * line.
 *   idswitch [-u UID] [-l LOGINUID] STEP...
 * STEP: r PATH       open PATH, read from it, close it
 *       o PATH       open PATH and keep the descriptor
 *       rd           read from the kept descriptor
 *       uid N        setgroups(none), setresgid and setresuid to N
 *       euid N       seteuid(N)
 *       fsuid N      setfsuid(N)
 *       login N      write N to /proc/self/loginuid
 *       wait FILE    wait until FILE exists (up to 60 s)
 */
#include "become.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <unistd.h>

static int fd = -1;

static void result(int ok)
{
	printf("%s%s", ok ? "OK" : strerrorname_np(errno), " ");
	fflush(stdout);
}

static int read_one(int f)
{
	char buf[64];

	return read(f, buf, sizeof(buf)) >= 0;
}

static int step(char **argv, int *i, int argc)
{
	const char *op = argv[*i];
	const char *arg = *i + 1 < argc ? argv[*i + 1] : NULL;
	int f;

	if (!strcmp(op, "rd")) {
		result(fd >= 0 && read_one(fd));
		return 0;
	}
	if (!arg)
		return -1;
	*i += 1;
	if (!strcmp(op, "r")) {
		f = open(arg, O_RDONLY);
		result(f >= 0 && read_one(f));
		if (f >= 0)
			close(f);
	} else if (!strcmp(op, "o")) {
		fd = open(arg, O_RDONLY);
		result(fd >= 0);
	} else if (!strcmp(op, "uid")) {
		long id = atol(arg);

		if (setgroups(0, NULL) < 0 || setresgid(id, id, id) < 0 ||
		    setresuid(id, id, id) < 0)
			return -1;
	} else if (!strcmp(op, "euid")) {
		if (seteuid(atol(arg)) < 0)
			return -1;
	} else if (!strcmp(op, "fsuid")) {
		setfsuid(atol(arg));
		if (setfsuid(-1) != atol(arg))
			return -1;
	} else if (!strcmp(op, "login")) {
		FILE *l = fopen("/proc/self/loginuid", "w");

		if (!l || fprintf(l, "%s", arg) < 0 || fclose(l) != 0)
			return -1;
	} else if (!strcmp(op, "wait")) {
		for (int n = 0; access(arg, F_OK) < 0; n++) {
			if (n == 600)
				return -1;
			usleep(100000);
		}
	} else {
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long uid, loginuid;
	int i = identity_opts(argc, argv, &uid, &loginuid);

	if (i < 0 || i >= argc) {
		fprintf(stderr, "usage: idswitch [-u UID] [-l LOGINUID] STEP...\n");
		return 2;
	}
	if (become(uid, -1, loginuid) < 0) {
		perror("idswitch: become");
		return 1;
	}
	for (; i < argc; i++) {
		if (step(argv, &i, argc) < 0) {
			fprintf(stderr, "idswitch: %s failed: %s\n", argv[i], strerror(errno));
			return 1;
		}
	}
	printf("\n");
	return 0;
}
