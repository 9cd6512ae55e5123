// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper for the guest: tries one way to change the kernel, or to reach
 * beneath the filesystem, and prints OK or the errno's name.
 *   kpoke [-u UID] [-l LOGINUID] OP ARGS...
 *
 *   initmod             init_module() of a few bytes that are no module (ENOEXEC
 *                       means the load was let through to the parser)
 *   finitmod PATH       finit_module() of PATH (same)
 *   kexec               kexec_load() with no segments: unloads nothing (OK)
 *   kexecfile PATH      kexec_file_load() of PATH as kernel and initrd
 *   perf kernel|user|cpu|tracepoint ID
 *                       perf_event_open() of the task clock counting the kernel,
 *                       only user space, on a whole CPU, or tracepoint ID
 *   tiocsti             TIOCSTI of one byte into a fresh pty
 *   getflags PATH       FS_IOC_GETFLAGS on PATH opened for reading
 *   appendonly PATH     prints yes or no: whether PATH has the append-only flag
 *   setflags PATH [+a]  FS_IOC_SETFLAGS on PATH opened for reading: the flags it
 *                       has (a no-op that still is a change request), or with
 *                       +a added
 *   ficlone DST SRC     FICLONE into DST (opened for reading and writing) from SRC
 *   dedupe SRC DST      FIDEDUPERANGE of SRC's first block into DST (opened for
 *                       reading: root may dedupe into a file it cannot write)
 *   loop PATH           LOOP_CONFIGURE (then LOOP_SET_FD) of a free loop device,
 *                       opened before -u/-l apply (as if passed by plain root),
 *                       over PATH; detached again if it worked
 *   perf kprobe         a kprobe PMU event on vfs_read, user space only
 *   swapon PATH         swapon(2) of PATH (EBUSY, EINVAL: it got past the open)
 *   open PATH           open() for reading, nothing read
 *   openw PATH          open() for writing, nothing written
 */
#include "become.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <linux/perf_event.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int report(long ret)
{
	printf("%s\n", ret < 0 ? strerrorname_np(errno) : "OK");
	return ret < 0 ? 1 : 0;
}

static int do_initmod(void)
{
	static const char junk[64] = "not a module";

	return report(syscall(SYS_init_module, junk, sizeof(junk), ""));
}

static int do_finitmod(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return report(-1);
	return report(syscall(SYS_finit_module, fd, "", 0));
}

static int do_kexecfile(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return report(-1);
	return report(syscall(SYS_kexec_file_load, fd, fd, 1UL, "", 0UL));
}

static int do_perf(const char *what, const char *id)
{
	struct perf_event_attr attr;
	int pid = 0, cpu = -1;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_TASK_CLOCK;
	attr.disabled = 1;
	attr.exclude_hv = 1;
	if (!strcmp(what, "user")) {
		attr.exclude_kernel = 1;
	} else if (!strcmp(what, "cpu")) {
		attr.exclude_kernel = 1;
		attr.config = PERF_COUNT_SW_CPU_CLOCK;
		pid = -1;
		cpu = 0;
	} else if (!strcmp(what, "kprobe")) {
		/* the PMU's type is dynamic; kprobe_func is config1 */
		FILE *f = fopen("/sys/bus/event_source/devices/kprobe/type", "re");

		if (!f || fscanf(f, "%u", &attr.type) != 1) {
			printf("SETUP-%s\n", strerrorname_np(errno));
			return 2;
		}
		fclose(f);
		/* past the KERNEL check: lockdown's kprobes reason decides */
		attr.exclude_kernel = 1;
		attr.config = 0;
		attr.config1 = (__u64)(unsigned long)"vfs_read";
	} else if (!strcmp(what, "tracepoint")) {
		attr.type = PERF_TYPE_TRACEPOINT;
		attr.config = strtoull(id ? id : "0", NULL, 10);
	} else if (strcmp(what, "kernel")) {
		fprintf(stderr, "kpoke: perf kernel|user|cpu|tracepoint ID\n");
		return 2;
	}
	fd = syscall(SYS_perf_event_open, &attr, pid, cpu, -1, 0UL);
	if (fd >= 0)
		close(fd);
	return report(fd);
}

static int do_tiocsti(void)
{
	char c = 'x';
	int m = posix_openpt(O_RDWR | O_NOCTTY), s;

	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
		return report(-1);
	s = open(ptsname(m), O_RDWR | O_NOCTTY);
	if (s < 0)
		return report(-1);
	return report(ioctl(s, TIOCSTI, &c));
}

static int do_flags(const char *path, bool set, bool append)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), flags = 0;

	if (fd < 0) {
		printf("open-%s\n", strerrorname_np(errno));
		return 1;
	}
	if (!set)
		return report(ioctl(fd, FS_IOC_GETFLAGS, &flags));
	/* the current flags, read as plain root would: the guard judges the set alone */
	ioctl(fd, FS_IOC_GETFLAGS, &flags);
	if (append)
		flags |= FS_APPEND_FL;
	return report(ioctl(fd, FS_IOC_SETFLAGS, &flags));
}

static int do_dedupe(const char *src, const char *dst)
{
	struct {
		struct file_dedupe_range r;
		struct file_dedupe_range_info info;
	} arg;
	int s = open(src, O_RDONLY | O_CLOEXEC), d = open(dst, O_RDONLY | O_CLOEXEC);

	if (s < 0 || d < 0) {
		printf("open-%s\n", strerrorname_np(errno));
		return 1;
	}
	memset(&arg, 0, sizeof(arg));
	arg.r.src_length = 4096;
	arg.r.dest_count = 1;
	arg.info.dest_fd = d;
	return report(ioctl(s, FIDEDUPERANGE, &arg));
}

static int do_ficlone(const char *dst, const char *src)
{
	int d = open(dst, O_RDWR | O_CLOEXEC), s = open(src, O_RDONLY | O_CLOEXEC);

	if (d < 0 || s < 0) {
		printf("open-%s\n", strerrorname_np(errno));
		return 1;
	}
	return report(ioctl(d, FICLONE, s));
}

/* A free loop device, opened for reading and writing: its descriptor, or -1. */
static int loop_open(void)
{
	char dev[32];
	int ctl, n;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -1;
	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	if (n < 0)
		return -1;
	snprintf(dev, sizeof(dev), "/dev/loop%d", n);
	return open(dev, O_RDWR | O_CLOEXEC);
}

static int do_loop(int lo, const char *path)
{
	struct loop_config cfg;
	int fd;
	long ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("open-%s\n", strerrorname_np(errno));
		return 1;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = fd;
	cfg.info.lo_flags = LO_FLAGS_READ_ONLY;
	ret = ioctl(lo, LOOP_CONFIGURE, &cfg);
	if (ret < 0 && errno == EINVAL)
		ret = ioctl(lo, LOOP_SET_FD, fd); /* kernels before 5.8 */
	if (ret == 0)
		ioctl(lo, LOOP_CLR_FD, 0);
	return report(ret);
}

static int usage(void)
{
	fprintf(stderr, "usage: kpoke [-u UID] [-l LOGINUID] OP ARGS... (see kpoke.c)\n");
	return 2;
}

int main(int argc, char **argv)
{
	long uid = -1, loginuid = -1;
	const char *op, *a1, *a2;
	int n, lo = -1;

	if (identity_opts(argc, argv, &uid, &loginuid) < 0)
		return usage();
	n = argc - optind;
	if (n < 1)
		return usage();
	op = argv[optind];
	a1 = n > 1 ? argv[optind + 1] : NULL;
	a2 = n > 2 ? argv[optind + 2] : NULL;
	if (!strcmp(op, "loop") && (lo = loop_open()) < 0) {
		printf("SETUP-%s\n", strerrorname_np(errno));
		return 2;
	}
	if (become(uid, -1, loginuid) < 0) {
		printf("SETUP-%s\n", strerrorname_np(errno));
		return 2;
	}
	if (!strcmp(op, "initmod"))
		return do_initmod();
	if (!strcmp(op, "kexec"))
		return report(syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0UL));
	if (!strcmp(op, "tiocsti"))
		return do_tiocsti();
	if (!a1)
		return usage();
	if (!strcmp(op, "finitmod"))
		return do_finitmod(a1);
	if (!strcmp(op, "kexecfile"))
		return do_kexecfile(a1);
	if (!strcmp(op, "perf"))
		return do_perf(a1, a2);
	if (!strcmp(op, "appendonly")) {
		int fd = open(a1, O_RDONLY | O_CLOEXEC), flags = 0;

		if (fd < 0 || ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0)
			return report(-1);
		printf("%s\n", flags & FS_APPEND_FL ? "yes" : "no");
		return 0;
	}
	if (!strcmp(op, "getflags"))
		return do_flags(a1, false, false);
	if (!strcmp(op, "setflags"))
		return do_flags(a1, true, a2 && !strcmp(a2, "+a"));
	if (!strcmp(op, "loop"))
		return do_loop(lo, a1);
	if (!strcmp(op, "swapon"))
		return report(syscall(SYS_swapon, a1, 0));
	if (!strcmp(op, "open"))
		return report(open(a1, O_RDONLY | O_CLOEXEC));
	if (!strcmp(op, "openw"))
		return report(open(a1, O_WRONLY | O_CLOEXEC));
	if (!a2)
		return usage();
	if (!strcmp(op, "dedupe"))
		return do_dedupe(a1, a2);
	if (!strcmp(op, "ficlone"))
		return do_ficlone(a1, a2);
	return usage();
}
