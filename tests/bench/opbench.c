// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest benchmark helper: times one file operation in a tight loop, as a given
 * uid, and prints nanoseconds per operation. Under qemu's `-icount shift=0`
 * the guest clock advances one nanosecond per executed instruction, so the
 * figure is guest instructions per operation.
 *
 *   opbench [-u UID] [-n ITER] [-r ROUNDS] [-w WARMUP] [-L DIR]... [-t TAG] OPS FILE
 *
 * OPS is a comma-separated list of open (open+close), read (pread of 4 KiB from
 * a descriptor opened before the uid change) and stat. -L restricts the
 * process with Landlock to the DIRs (every filesystem right the kernel knows,
 * beneath each DIR, nothing elsewhere) after the uid change. One line per op:
 *
 *   opbench TAG OP result=OK|EACCES|... fails=N median=NS rounds=NS,NS,...
 *
 * result is the outcome of the first call; fails counts calls whose outcome
 * differed from it (a benchmark of the wrong path shows up there).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define ROUNDS_MAX 64
#define READ_SIZE  4096

/* Rights newer than the host's uapi header, by Landlock ABI version. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif

enum op { OP_OPEN, OP_READ, OP_STAT, OP_MAX };
static const char *const op_names[OP_MAX] = {"open", "read", "stat"};

struct bench {
	const char *path;
	int rfd;
	long iters;
	char buf[READ_SIZE];
};

static int usage(void)
{
	fprintf(stderr, "usage: opbench [-u UID] [-n ITER] [-r ROUNDS] [-w WARMUP] [-L DIR]... "
			"[-t TAG] open|read|stat[,...] FILE\n");
	return 2;
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + t.tv_nsec;
}

/* One call: 0 or the errno it failed with. */
static int run_once(struct bench *b, enum op op)
{
	struct stat st;
	int fd;

	switch (op) {
	case OP_OPEN:
		fd = open(b->path, O_RDONLY);
		if (fd < 0)
			return errno;
		close(fd);
		return 0;
	case OP_READ:
		return pread(b->rfd, b->buf, READ_SIZE, 0) < 0 ? errno : 0;
	case OP_STAT:
		return stat(b->path, &st) < 0 ? errno : 0;
	default:
		return EINVAL;
	}
}

/* One round: nanoseconds per call; *fails counts outcomes other than @want. */
static double run_round(struct bench *b, enum op op, int want, long *fails)
{
	uint64_t t0 = now_ns(), t1;

	for (long i = 0; i < b->iters; i++)
		if (run_once(b, op) != want)
			(*fails)++;
	t1 = now_ns();
	return (double)(t1 - t0) / b->iters;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static const char *err_name(int e)
{
	switch (e) {
	case 0:
		return "OK";
	case EACCES:
		return "EACCES";
	case EPERM:
		return "EPERM";
	case ENOENT:
		return "ENOENT";
	default:
		return strerrorname_np(e) ? strerrorname_np(e) : "E?";
	}
}

static __u64 landlock_fs_rights(int abi)
{
	if (abi >= 5)
		return (LANDLOCK_ACCESS_FS_IOCTL_DEV << 1) - 1;
	if (abi >= 3)
		return (LANDLOCK_ACCESS_FS_TRUNCATE << 1) - 1;
	if (abi == 2)
		return (LANDLOCK_ACCESS_FS_REFER << 1) - 1;
	return (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;
}

/* Only the @n directories stay reachable, with every right beneath them. */
static int landlock_restrict(char **dirs, int n)
{
	struct landlock_ruleset_attr ra = {0};
	struct landlock_path_beneath_attr pb = {0};
	int abi, rs, err = 0;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		return -errno;
	ra.handled_access_fs = landlock_fs_rights(abi);
	rs = syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);
	if (rs < 0)
		return -errno;
	pb.allowed_access = ra.handled_access_fs;
	for (int i = 0; i < n && !err; i++) {
		pb.parent_fd = open(dirs[i], O_PATH | O_CLOEXEC);
		if (pb.parent_fd < 0) {
			err = -errno;
			break;
		}
		if (syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
			err = -errno;
		close(pb.parent_fd);
	}
	if (!err && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		err = -errno;
	if (!err && syscall(SYS_landlock_restrict_self, rs, 0) < 0)
		err = -errno;
	close(rs);
	return err;
}

static int parse_ops(char *s, int *ops, int *n)
{
	char *save = NULL;

	*n = 0;
	for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int i;

		for (i = 0; i < OP_MAX && strcmp(t, op_names[i]); i++)
			;
		if (i == OP_MAX || *n >= OP_MAX)
			return -EINVAL;
		ops[(*n)++] = i;
	}
	return *n ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	struct bench b = {.rfd = -1, .iters = 1000};
	double r[ROUNDS_MAX], sorted[ROUNDS_MAX];
	long uid = -1, rounds = 5, warmup = 1;
	char *dirs[16];
	const char *tag = "-";
	int ops[OP_MAX], n_ops, n_dirs = 0, c, err;

	while ((c = getopt(argc, argv, "u:n:r:w:L:t:")) != -1) {
		switch (c) {
		case 'u':
			uid = atol(optarg);
			break;
		case 'n':
			b.iters = atol(optarg);
			break;
		case 'r':
			rounds = atol(optarg);
			break;
		case 'w':
			warmup = atol(optarg);
			break;
		case 'L':
			if (n_dirs == 16)
				return usage();
			dirs[n_dirs++] = optarg;
			break;
		case 't':
			tag = optarg;
			break;
		default:
			return usage();
		}
	}
	if (argc - optind != 2 || b.iters < 1 || rounds < 1 || rounds > ROUNDS_MAX || warmup < 0)
		return usage();
	if (parse_ops(argv[optind], ops, &n_ops))
		return usage();
	b.path = argv[optind + 1];

	/* set up as root: the read descriptor, so even a denied uid has one to read */
	b.rfd = open(b.path, O_RDONLY);
	if (b.rfd < 0) {
		fprintf(stderr, "opbench: %s: %s\n", b.path, strerror(errno));
		return 1;
	}
	if (uid >= 0 && (setgroups(0, NULL) < 0 || setgid(uid) < 0 || setuid(uid) < 0)) {
		fprintf(stderr, "opbench: cannot become uid %ld: %s\n", uid, strerror(errno));
		return 1;
	}
	if (n_dirs) {
		err = landlock_restrict(dirs, n_dirs);
		if (err) {
			fprintf(stderr, "opbench: landlock: %s\n", strerror(-err));
			return 1;
		}
	}

	for (int k = 0; k < n_ops; k++) {
		enum op op = ops[k];
		int want = run_once(&b, op);
		long fails = 0, ignored = 0;

		for (long i = 0; i < warmup; i++)
			run_round(&b, op, want, &ignored);
		for (long i = 0; i < rounds; i++)
			r[i] = run_round(&b, op, want, &fails);
		memcpy(sorted, r, sizeof(r[0]) * rounds);
		qsort(sorted, rounds, sizeof(sorted[0]), cmp_double);
		printf("opbench %s %s result=%s fails=%ld median=%.1f rounds=", tag, op_names[op],
		       err_name(want), fails,
		       rounds % 2 ? sorted[rounds / 2]
				  : (sorted[rounds / 2 - 1] + sorted[rounds / 2]) / 2);
		for (long i = 0; i < rounds; i++)
			printf("%s%.1f", i ? "," : "", r[i]);
		printf("\n");
		fflush(stdout);
	}
	close(b.rfd);
	return 0;
}
