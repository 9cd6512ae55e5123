// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper for the guest: opens and reads a file through io_uring (raw
 * syscalls, no liburing), so the guard is seen to catch requests the kernel
 * runs on the submitter's behalf (inline, in io-wq workers or, with -s, in
 * the SQPOLL thread).
 *   uring [-s] [-u UID] [-l LOGINUID] PATH STEP...
 * STEP: open (IORING_OP_OPENAT), read (IORING_OP_READ on the opened file) or
 * wait:FILE (waits until FILE exists). Prints "STEP OK" or "STEP <errno name>".
 */
#include "become.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/io_uring.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct ring {
	int fd;
	bool sqpoll;
	unsigned *sq_tail, *sq_mask, *sq_array, *sq_flags;
	unsigned *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int ring_setup(struct ring *r, bool sqpoll)
{
	struct io_uring_params p;
	size_t sq_len, cq_len;
	char *sq, *cq;

	memset(&p, 0, sizeof(p));
	if (sqpoll) {
		p.flags = IORING_SETUP_SQPOLL;
		p.sq_thread_idle = 2000;
	}
	r->sqpoll = sqpoll;
	r->fd = syscall(SYS_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -1;
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		sq_len = cq_len = sq_len > cq_len ? sq_len : cq_len;
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_SQ_RING);
	if (sq == MAP_FAILED)
		return -1;
	cq = sq;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP)) {
		cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
			  IORING_OFF_CQ_RING);
		if (cq == MAP_FAILED)
			return -1;
	}
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		return -1;
	r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)(sq + p.sq_off.array);
	r->sq_flags = (unsigned *)(sq + p.sq_off.flags);
	r->cq_head = (unsigned *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/* Submits one request and waits for its completion; returns cqe->res. */
static int ring_run(struct ring *r, const struct io_uring_sqe *sqe)
{
	unsigned tail = *r->sq_tail, idx = tail & *r->sq_mask, head;
	unsigned flags = IORING_ENTER_GETEVENTS;
	int res;

	r->sqes[idx] = *sqe;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (r->sqpoll)
		flags |= IORING_ENTER_SQ_WAKEUP;
	if (syscall(SYS_io_uring_enter, r->fd, r->sqpoll ? 0 : 1, 1, flags, NULL, 0) < 0)
		return -errno;
	while ((head = *r->cq_head) == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		syscall(SYS_io_uring_enter, r->fd, 0, 1, flags, NULL, 0);
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

static void wait_for_file(const char *path)
{
	for (int i = 0; i < 600 && access(path, F_OK) < 0; i++)
		usleep(50000);
}

int main(int argc, char **argv)
{
	long uid = -1, loginuid = -1;
	bool sqpoll = false;
	int c, fd = -1, failed = 0;
	struct ring r;
	char buf[64];

	while ((c = getopt(argc, argv, "su:l:")) != -1) {
		if (c == 's')
			sqpoll = true;
		else if (c == 'u')
			uid = atol(optarg);
		else if (c == 'l')
			loginuid = atol(optarg);
		else
			return 2;
	}
	if (argc - optind < 2) {
		fprintf(stderr, "usage: uring [-s] [-u UID] [-l LOGINUID] PATH STEP...\n");
		return 2;
	}
	if (become(uid, -1, loginuid) < 0 || ring_setup(&r, sqpoll) < 0) {
		printf("SETUP-%s\n", strerrorname_np(errno));
		return 2;
	}
	for (int i = optind + 1; i < argc; i++) {
		const char *s = argv[i];
		struct io_uring_sqe sqe;
		int res;

		if (!strncmp(s, "wait:", 5)) {
			wait_for_file(s + 5);
			continue;
		}
		memset(&sqe, 0, sizeof(sqe));
		if (!strcmp(s, "open")) {
			sqe.opcode = IORING_OP_OPENAT;
			sqe.fd = AT_FDCWD;
			sqe.addr = (unsigned long)argv[optind];
			sqe.open_flags = O_RDONLY;
		} else if (!strcmp(s, "read")) {
			sqe.opcode = IORING_OP_READ;
			sqe.fd = fd;
			sqe.addr = (unsigned long)buf;
			sqe.len = sizeof(buf);
			sqe.off = 0;
		} else {
			fprintf(stderr, "uring: unknown step %s\n", s);
			return 2;
		}
		res = ring_run(&r, &sqe);
		if (!strcmp(s, "open") && res >= 0)
			fd = res;
		printf("%s %s\n", s, res < 0 ? strerrorname_np(-res) : "OK");
		fflush(stdout);
		failed |= res < 0;
	}
	return failed;
}
