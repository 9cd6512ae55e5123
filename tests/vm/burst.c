// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper for the guest: a burst of accesses as one identity, counted by
 * the errno each got, and what the guard still holds of a burst.
 *   burst [-u UID] [-l LOGINUID] open N PATH     opens PATH N times for reading
 *   burst [-u UID] [-l LOGINUID] files N DIR     opens DIR/0 .. DIR/N-1 once each
 *   burst [-u UID] [-l LOGINUID] alt N PATH      opens PATH N times, for reading and
 *                                                for writing in turn
 *   burst [-u UID] [-l LOGINUID] read N PATH GO  opens PATH, waits for the file GO,
 *                                                then reads the descriptor N times
 *   burst [-u UID] [-l LOGINUID] bpf N           N bpf(BPF_MAP_GET_NEXT_ID) calls: an
 *                                                engineer's are refused as tampering
 *   burst [-u UID] [-l LOGINUID] unlink N PATH   tries to unlink PATH N times
 *   burst [-u UID] [-l LOGINUID] chmod N PATH    tries to chmod PATH 0600 N times
 *   burst mkfiles N DIR                          creates DIR/0 .. DIR/N-1 (as root)
 *   burst pending                                denials the guard counted and has
 *                                                not yet recorded (its denials slots)
 * A burst prints "denied=D ok=K other=O" (denied: EACCES).
 */
#include "become.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "lockbox.h"

struct tally {
	long denied, ok, other;
};

static void note(struct tally *t, int ret)
{
	if (ret >= 0)
		t->ok++;
	else if (errno == EACCES)
		t->denied++;
	else
		t->other++;
}

static void open_close(struct tally *t, const char *path, int flags)
{
	int fd = open(path, flags);

	note(t, fd);
	if (fd >= 0)
		close(fd);
}

static int reads(struct tally *t, long n, const char *path, const char *go)
{
	int fd = open(path, O_RDONLY);
	char c;

	if (fd < 0) {
		fprintf(stderr, "burst: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (access(go, F_OK) < 0)
		usleep(10000);
	for (long k = 0; k < n; k++)
		note(t, (int)pread(fd, &c, 1, 0));
	close(fd);
	return 0;
}

static void bpf_calls(struct tally *t, long n)
{
	union bpf_attr attr;

	for (long k = 0; k < n; k++) {
		memset(&attr, 0, sizeof(attr));
		note(t, (int)syscall(SYS_bpf, BPF_MAP_GET_NEXT_ID, &attr, sizeof(attr)));
	}
}

static int mkfiles(long n, const char *dir)
{
	char path[4096];

	for (long k = 0; k < n; k++) {
		int fd;

		snprintf(path, sizeof(path), "%s/%ld", dir, k);
		fd = open(path, O_WRONLY | O_CREAT, 0644);
		if (fd < 0) {
			fprintf(stderr, "burst: %s: %s\n", path, strerror(errno));
			return 1;
		}
		close(fd);
	}
	return 0;
}

static int pending(void)
{
	int fd = bpf_obj_get(LB_PIN_DIR "/" LB_CACHES_PIN);
	unsigned long long sum = 0;
	struct lb_caches *c;

	if (fd < 0) {
		fprintf(stderr, "burst: %s/%s: %s\n", LB_PIN_DIR, LB_CACHES_PIN, strerror(errno));
		return 1;
	}
	c = mmap(NULL, sizeof(*c), PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (c == MAP_FAILED) {
		fprintf(stderr, "burst: mmap: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 0; i < LB_DENY_SLOTS; i++)
		sum += __atomic_load_n(&c->denials.slot[i].count, __ATOMIC_RELAXED);
	munmap(c, sizeof(*c));
	printf("%llu\n", sum);
	return 0;
}

int main(int argc, char **argv)
{
	long uid, loginuid, n;
	struct tally t = {0};
	char path[4096];
	int i = identity_opts(argc, argv, &uid, &loginuid), ret = 0;

	if (i >= 0 && i < argc && !strcmp(argv[i], "pending"))
		return pending();
	if (i >= 0 && argc - i == 3 && !strcmp(argv[i], "mkfiles"))
		return mkfiles(atol(argv[i + 1]), argv[i + 2]);
	if (i < 0 || argc - i < 2 || (argc - i < 3 && strcmp(argv[i], "bpf")))
		goto usage;
	n = atol(argv[i + 1]);
	if (become(uid, -1, loginuid) < 0) {
		perror("burst: become");
		return 2;
	}
	if (!strcmp(argv[i], "open")) {
		for (long k = 0; k < n; k++)
			open_close(&t, argv[i + 2], O_RDONLY);
	} else if (!strcmp(argv[i], "alt")) {
		for (long k = 0; k < n; k++)
			open_close(&t, argv[i + 2], k % 2 ? O_WRONLY : O_RDONLY);
	} else if (!strcmp(argv[i], "files")) {
		for (long k = 0; k < n; k++) {
			snprintf(path, sizeof(path), "%s/%ld", argv[i + 2], k);
			open_close(&t, path, O_RDONLY);
		}
	} else if (!strcmp(argv[i], "unlink")) {
		for (long k = 0; k < n; k++)
			note(&t, unlink(argv[i + 2]));
	} else if (!strcmp(argv[i], "chmod")) {
		for (long k = 0; k < n; k++)
			note(&t, chmod(argv[i + 2], 0600));
	} else if (!strcmp(argv[i], "bpf")) {
		bpf_calls(&t, n);
	} else if (!strcmp(argv[i], "read") && argc - i == 4) {
		ret = reads(&t, n, argv[i + 2], argv[i + 3]);
	} else {
		goto usage;
	}
	printf("denied=%ld ok=%ld other=%ld\n", t.denied, t.ok, t.other);
	return ret;
usage:
	fprintf(stderr,
		"usage: burst [-u UID] [-l LOGINUID] open N PATH | alt N PATH | files N DIR | "
		"read N PATH GO | bpf N | unlink N PATH | chmod N PATH | mkfiles N DIR | "
		"pending\n");
	return 2;
}
