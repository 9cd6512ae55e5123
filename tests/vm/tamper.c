// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper for the guest: tries one attack on the guard or its agent and
 * prints OK or the errno's name.
 *   tamper [-u UID] [-l LOGINUID] OP ARGS...
 *
 *   bpf                  bpf(BPF_MAP_GET_NEXT_ID): any use of bpf() at all
 *   objget PATH          bpf(BPF_OBJ_GET) of a pin
 *   kill PID SIG         kill(2)
 *   ptrace PID           PTRACE_SEIZE (no stop; the tracer's exit detaches)
 *   vmread PID           process_vm_readv of one byte at an unmapped address:
 *                        EFAULT means the access check passed
 *   sigio PID SIG        F_SETOWN/F_SETSIG on a pipe, then make it readable:
 *                        the kernel sends SIG to PID as SIGIO (prints SENT)
 *   relogin VALUE PATH   write VALUE to /proc/self/loginuid (result on stderr),
 *                        then open and read PATH and print that result
 *   umount PATH          umount2(PATH, MNT_DETACH)
 */
#include "become.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static int report(long ret)
{
	printf("%s\n", ret < 0 ? strerrorname_np(errno) : "OK");
	return ret < 0 ? 1 : 0;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int do_bpf(void)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	/* ENOENT (no map after id 0) would still mean the call was let through */
	if (sys_bpf(BPF_MAP_GET_NEXT_ID, &attr) < 0 && errno != ENOENT)
		return report(-1);
	return report(0);
}

static int do_objget(const char *path)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.pathname = (__u64)(unsigned long)path;
	return report(sys_bpf(BPF_OBJ_GET, &attr));
}

static int do_vmread(pid_t pid)
{
	char b;
	struct iovec local = {.iov_base = &b, .iov_len = 1};
	struct iovec remote = {.iov_base = (void *)16, .iov_len = 1};

	return report(process_vm_readv(pid, &local, 1, &remote, 1, 0));
}

static int do_sigio(pid_t pid, int sig)
{
	int p[2];

	if (pipe(p) < 0 || fcntl(p[0], F_SETOWN, pid) < 0 || fcntl(p[0], F_SETSIG, sig) < 0 ||
	    fcntl(p[0], F_SETFL, O_ASYNC) < 0)
		return report(-1);
	if (write(p[1], "x", 1) < 0)
		return report(-1);
	printf("SENT\n");
	return 0;
}

static int do_relogin(const char *value, const char *path)
{
	FILE *f = fopen("/proc/self/loginuid", "w");
	char buf[64];
	long n;
	int fd;

	if (!f || fputs(value, f) < 0 || fclose(f) != 0)
		fprintf(stderr, "tamper: loginuid write: %s\n", strerrorname_np(errno));
	else
		fprintf(stderr, "tamper: loginuid write: OK\n");
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return report(-1);
	n = read(fd, buf, sizeof(buf));
	return report(n < 0 ? -1 : 0);
}

static int usage(void)
{
	fprintf(stderr, "usage: tamper [-u UID] [-l LOGINUID] OP ARGS... (see tamper.c)\n");
	return 2;
}

int main(int argc, char **argv)
{
	long uid = -1, loginuid = -1;
	const char *op;
	int n;

	if (identity_opts(argc, argv, &uid, &loginuid) < 0)
		return usage();
	n = argc - optind;
	if (n < 1)
		return usage();
	op = argv[optind];
	if (become(uid, -1, loginuid) < 0) {
		printf("SETUP-%s\n", strerrorname_np(errno));
		return 2;
	}
	if (!strcmp(op, "bpf"))
		return do_bpf();
	if (n < 2)
		return usage();
	if (!strcmp(op, "objget"))
		return do_objget(argv[optind + 1]);
	if (!strcmp(op, "ptrace"))
		return report(ptrace(PTRACE_SEIZE, atoi(argv[optind + 1]), 0, 0));
	if (!strcmp(op, "umount"))
		return report(umount2(argv[optind + 1], MNT_DETACH));
	if (!strcmp(op, "vmread"))
		return do_vmread(atoi(argv[optind + 1]));
	if (n < 3)
		return usage();
	if (!strcmp(op, "kill"))
		return report(kill(atoi(argv[optind + 1]), atoi(argv[optind + 2])));
	if (!strcmp(op, "sigio"))
		return do_sigio(atoi(argv[optind + 1]), atoi(argv[optind + 2]));
	if (!strcmp(op, "relogin"))
		return do_relogin(argv[optind + 1], argv[optind + 2]);
	return usage();
}
