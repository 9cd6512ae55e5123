// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper for the guest: speaks raw bytes to a unix socket, for messages
 * lockboxctl would never send (malformed, oversized, wrong types).
 *   rawsock [-k] [-t SECONDS] SOCKET
 * Sends stdin as it is, then prints what comes back until the peer closes the
 * connection or SECONDS (default 5) pass. Without -k the write side is shut
 * down once stdin is sent; with -k it stays open, like a client that stalls.
 * Exit: 0 the peer closed, 3 the time ran out first, 1 on errors.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* stdin, whole; the peer may stop reading early, so a failed send is not fatal */
static int send_all(int fd)
{
	char buf[16384];
	ssize_t n;

	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = send(fd, buf + off, (size_t)(n - off), MSG_NOSIGNAL);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				fprintf(stderr, "rawsock: send: %s\n", strerror(errno));
				return -1;
			}
			off += w;
		}
	}
	return n < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	long long deadline;
	int keep = 0, secs = 5, fd, c;
	char buf[16384];

	while ((c = getopt(argc, argv, "kt:")) != -1) {
		if (c == 'k') {
			keep = 1;
		} else if (c == 't') {
			secs = atoi(optarg);
		} else {
			fprintf(stderr, "usage: rawsock [-k] [-t SECONDS] SOCKET\n");
			return 1;
		}
	}
	if (optind != argc - 1 || strlen(argv[optind]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: rawsock [-k] [-t SECONDS] SOCKET\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	strcpy(sa.sun_path, argv[optind]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "rawsock: connect %s: %s\n", sa.sun_path, strerror(errno));
		return 1;
	}
	deadline = now_ms() + secs * 1000LL;
	if (send_all(fd) == 0 && !keep)
		shutdown(fd, SHUT_WR);
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		long long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0)
			return 3;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "rawsock: recv: %s\n", strerror(errno));
			return 1;
		}
		fwrite(buf, 1, (size_t)n, stdout);
		fflush(stdout);
	}
	close(fd);
	return 0;
}
