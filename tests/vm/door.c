// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper for the guest: tries one way into a zone and prints OK or the
 * errno's name, so a bypass test checks the real errno.
 *   door [-u UID] [-g GID] [-l LOGINUID] OP ARGS...
 *
 * Data:     read PATH (open and read) | open PATH (the open alone) | openw PATH (open for
 *           writing, nothing written) | otrunc PATH
 *           reopen PATH (O_PATH, then open /proc/self/fd/N) | exec PATH [ARGS...]
 *           handle-save PATH FILE | handle-open MOUNTDIR FILE (open_by_handle_at)
 * Changes:  link OLD NEW | symlink TARGET NEW | rename OLD NEW | chmod PATH OCTAL
 *           chown PATH UID | truncate PATH LEN | unlink PATH | rmdir PATH | mkdir PATH
 *           create PATH | mknod PATH | setxattr PATH NAME VALUE | removexattr PATH NAME
 *           setacl PATH
 * Passing:  scm PATH | getfd PATH   (opened as the caller; -u/-l apply to the receiver)
 * Holding:  hold PATH|fd:N STEP...   one line "STEP RESULT" per step, after "open RESULT";
 *           STEP is read, write, mmap, mapped, sendfile, readdir, ftrunc or wait:FILE
 *           (waits until FILE exists, so a test can revoke a grant in between).
 */
#include "become.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

static long opt_uid = -1, opt_gid = -1, opt_loginuid = -1;

/* The outcome of a call that returned @ret: OK, or the errno's name. */
static const char *res(long ret)
{
	return ret < 0 ? strerrorname_np(errno) : "OK";
}

static int report(long ret)
{
	printf("%s\n", res(ret));
	return ret < 0 ? 1 : 0;
}

static long read_path(const char *path, int flags)
{
	char buf[64];
	int fd = open(path, flags);
	long n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n < 0 ? -1 : 0;
}

/* O_PATH needs no permission on the file; the reopen through /proc is a real open. */
static int do_reopen(const char *path)
{
	char proc[64];
	int fd = open(path, O_PATH);

	if (fd < 0) {
		printf("OPATH-%s\n", strerrorname_np(errno));
		return 1;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return report(open(proc, O_RDONLY));
}

static int do_handle_save(const char *path, const char *out)
{
	char buf[sizeof(struct file_handle) + MAX_HANDLE_SZ];
	struct file_handle *fh = (struct file_handle *)buf;
	int mount_id, fd;
	long ret;

	fh->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, path, fh, &mount_id, 0) < 0)
		return report(-1);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return report(-1);
	ret = write(fd, fh, sizeof(*fh) + fh->handle_bytes);
	close(fd);
	return report(ret < 0 ? -1 : 0);
}

static int do_handle_open(const char *mountdir, const char *in)
{
	char buf[sizeof(struct file_handle) + MAX_HANDLE_SZ];
	struct file_handle *fh = (struct file_handle *)buf;
	int mfd, fd;

	fd = open(in, O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf)) < (long)sizeof(*fh)) {
		printf("SETUP-%s\n", strerrorname_np(errno));
		return 2;
	}
	close(fd);
	mfd = open(mountdir, O_RDONLY | O_DIRECTORY);
	if (mfd < 0) {
		printf("SETUP-%s\n", strerrorname_np(errno));
		return 2;
	}
	return report(open_by_handle_at(mfd, fh, O_RDONLY));
}

/* A minimal POSIX ACL (user::rw- group::r-- other::r--), as setfacl writes it. */
static int do_setacl(const char *path)
{
	struct {
		uint32_t version;
		struct {
			uint16_t tag, perm;
			uint32_t id;
		} e[3];
	} acl = {2, {{0x01, 6, (uint32_t)-1}, {0x04, 4, (uint32_t)-1}, {0x20, 4, (uint32_t)-1}}};

	return report(setxattr(path, "system.posix_acl_access", &acl, sizeof(acl), 0));
}

/* Sends @fd over a socketpair to a child that becomes the -u/-l identity first. */
static int do_scm(const char *path)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = "x", .iov_len = 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;
	int sv[2], fd, status;
	pid_t pid;

	fd = open(path, O_RDONLY);
	if (fd < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		printf("SETUP-%s\n", strerrorname_np(errno));
		return 2;
	}
	pid = fork();
	if (pid == 0) {
		char data[64];
		int got = -1;
		long n;

		close(fd);
		close(sv[0]);
		if (become(opt_uid, opt_gid, opt_loginuid) < 0) {
			printf("SETUP-%s\n", strerrorname_np(errno));
			_exit(2);
		}
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		iov.iov_base = data;
		if (recvmsg(sv[1], &msg, 0) < 0)
			_exit(report(-1));
		for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
				memcpy(&got, CMSG_DATA(c), sizeof(got));
		if (got < 0) {
			/* the kernel drops a descriptor the LSM refuses and flags the message */
			printf("%s\n", msg.msg_flags & MSG_CTRUNC ? "CTRUNC" : "NOFD");
			_exit(1);
		}
		n = read(got, data, sizeof(data));
		if (n < 0)
			printf("READ-%s\n", strerrorname_np(errno));
		else
			printf("OK\n");
		_exit(n < 0);
	}
	close(sv[1]);
	memset(&u, 0, sizeof(u));
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	if (sendmsg(sv[0], &msg, 0) < 0)
		printf("SEND-%s\n", strerrorname_np(errno));
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

/* pidfd_getfd(2): a child that becomes the -u/-l identity takes the parent's descriptor. */
static int do_getfd(const char *path)
{
	int fd = open(path, O_RDONLY), status;
	pid_t parent = getpid(), pid;

	if (fd < 0) {
		printf("SETUP-%s\n", strerrorname_np(errno));
		return 2;
	}
	pid = fork();
	if (pid == 0) {
		char data[64];
		int pfd, got;

		if (become(opt_uid, opt_gid, opt_loginuid) < 0) {
			printf("SETUP-%s\n", strerrorname_np(errno));
			_exit(2);
		}
		pfd = syscall(SYS_pidfd_open, parent, 0);
		if (pfd < 0) {
			printf("SETUP-%s\n", strerrorname_np(errno));
			_exit(2);
		}
		got = syscall(SYS_pidfd_getfd, pfd, fd, 0);
		if (got < 0)
			_exit(report(-1));
		if (read(got, data, sizeof(data)) < 0) {
			printf("READ-%s\n", strerrorname_np(errno));
			_exit(1);
		}
		_exit(report(0));
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

static void wait_for_file(const char *path)
{
	for (int i = 0; i < 600 && access(path, F_OK) < 0; i++)
		usleep(50000);
}

/* Holds a descriptor across steps a test interleaves with grant changes. */
static int do_hold(const char *path, int nsteps, char **steps)
{
	bool rw = false;
	char *map = NULL, buf[64];
	int fd, failed = 0;

	for (int i = 0; i < nsteps; i++)
		rw |= !strcmp(steps[i], "write") || !strcmp(steps[i], "ftrunc");
	if (!strncmp(path, "fd:", 3)) {
		fd = atoi(path + 3);
		printf("open %s\n", res(fcntl(fd, F_GETFD)));
	} else {
		fd = open(path, rw ? O_RDWR : O_RDONLY);
		printf("open %s\n", res(fd));
	}
	fflush(stdout);
	if (fd < 0)
		return 1;
	for (int i = 0; i < nsteps; i++) {
		const char *s = steps[i];
		long ret;

		if (!strncmp(s, "wait:", 5)) {
			wait_for_file(s + 5);
			continue;
		}
		if (!strcmp(s, "read")) {
			ret = pread(fd, buf, sizeof(buf), 0);
		} else if (!strcmp(s, "write")) {
			ret = pwrite(fd, "w", 1, 0);
		} else if (!strcmp(s, "mmap")) {
			void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);

			ret = m == MAP_FAILED ? -1 : 0;
			if (!ret)
				map = m;
		} else if (!strcmp(s, "mapped")) {
			/* a page of a mapping made earlier: page faults pass no LSM hook */
			ret = map ? 0 : (errno = EFAULT, -1);
			if (map)
				buf[0] = *(volatile char *)map;
		} else if (!strcmp(s, "sendfile")) {
			int null = open("/dev/null", O_WRONLY);
			off_t off = 0;

			ret = sendfile(null, fd, &off, 16);
			close(null);
		} else if (!strcmp(s, "readdir")) {
			char dents[1024];

			lseek(fd, 0, SEEK_SET);
			ret = syscall(SYS_getdents64, fd, dents, sizeof(dents));
		} else if (!strcmp(s, "ftrunc")) {
			struct stat st;

			ret = fstat(fd, &st);
			if (!ret)
				ret = ftruncate(fd, st.st_size);
		} else {
			errno = EINVAL;
			ret = -1;
		}
		printf("%s %s\n", s, res(ret));
		fflush(stdout);
		failed |= ret < 0;
	}
	return failed;
}

static int usage(void)
{
	fprintf(stderr, "usage: door [-u UID] [-g GID] [-l LOGINUID] OP ARGS... (see door.c)\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *op, *a1, *a2;
	int c, n;

	while ((c = getopt(argc, argv, "+u:g:l:")) != -1) {
		switch (c) {
		case 'u':
			opt_uid = atol(optarg);
			break;
		case 'g':
			opt_gid = atol(optarg);
			break;
		case 'l':
			opt_loginuid = atol(optarg);
			break;
		default:
			return usage();
		}
	}
	n = argc - optind;
	if (n < 2)
		return usage();
	/* the scm/getfd children print, then _exit: no buffered line may be lost */
	setvbuf(stdout, NULL, _IOLBF, 0);
	op = argv[optind];
	a1 = argv[optind + 1];
	a2 = n > 2 ? argv[optind + 2] : NULL;

	/* descriptor passing: the sender is the caller, the receiver becomes -u/-l */
	if (!strcmp(op, "scm"))
		return do_scm(a1);
	if (!strcmp(op, "getfd"))
		return do_getfd(a1);

	if (become(opt_uid, opt_gid, opt_loginuid) < 0) {
		printf("SETUP-%s\n", strerrorname_np(errno));
		return 2;
	}
	if (!strcmp(op, "read"))
		return report(read_path(a1, O_RDONLY));
	if (!strcmp(op, "open"))
		return report(open(a1, O_RDONLY));
	if (!strcmp(op, "openw"))
		return report(open(a1, O_WRONLY | O_APPEND));
	/* O_RDONLY|O_TRUNC truncates too: the kernel wants write permission for it */
	if (!strcmp(op, "otrunc"))
		return report(open(a1, O_RDONLY | O_TRUNC));
	if (!strcmp(op, "reopen"))
		return do_reopen(a1);
	if (!strcmp(op, "exec")) {
		execv(a1, argv + optind + 1);
		return report(-1);
	}
	if (!strcmp(op, "hold"))
		return do_hold(a1, n - 2, argv + optind + 2);
	if (!strcmp(op, "unlink"))
		return report(unlink(a1));
	if (!strcmp(op, "rmdir"))
		return report(rmdir(a1));
	if (!strcmp(op, "mkdir"))
		return report(mkdir(a1, 0755));
	if (!strcmp(op, "create"))
		return report(open(a1, O_WRONLY | O_CREAT | O_EXCL, 0644));
	if (!strcmp(op, "mknod"))
		return report(mknod(a1, S_IFIFO | 0644, 0));
	if (!strcmp(op, "setacl"))
		return do_setacl(a1);
	if (!a2)
		return usage();
	if (!strcmp(op, "handle-save"))
		return do_handle_save(a1, a2);
	if (!strcmp(op, "handle-open"))
		return do_handle_open(a1, a2);
	if (!strcmp(op, "link"))
		return report(link(a1, a2));
	if (!strcmp(op, "symlink"))
		return report(symlink(a1, a2));
	if (!strcmp(op, "rename"))
		return report(rename(a1, a2));
	if (!strcmp(op, "chmod"))
		return report(chmod(a1, strtoul(a2, NULL, 8)));
	if (!strcmp(op, "chown"))
		return report(chown(a1, atoi(a2), -1));
	if (!strcmp(op, "truncate"))
		return report(truncate(a1, atol(a2)));
	if (!strcmp(op, "removexattr"))
		return report(removexattr(a1, a2));
	if (!strcmp(op, "setxattr") && n > 3)
		return report(setxattr(a1, a2, argv[optind + 3], strlen(argv[optind + 3]), 0));
	return usage();
}
