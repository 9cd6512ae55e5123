// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper for the guest: what a hostile user does with a unix socket.
 *   sockflood hold SOCKET N SECONDS
 *       opens N connections and holds them; prints "open A closed B" once all
 *       are made and the peer has had a second to close some, then holds the
 *       rest SECONDS
 *   sockflood pipe SOCKET N SECONDS
 *       sends N status requests on one connection and never reads a reply;
 *       prints "sent" (once all are written) and holds the connection SECONDS
 *   sockflood serve SOCKET SECONDS
 *       listens on SOCKET (a fake agent) and answers each client one success line
 *   sockflood sneak [-l LOGINUID] SOCKET UID LINE
 *       (LOGINUID set first) a child switches to UID with its groups, connects
 *       and hands the connection over, then exits and is reaped; the parent
 *       prints "sent" once LINE is written and then the reply line
 */
#include "become.h"
#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int sock_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -1;
	strcpy(sa->sun_path, path);
	return 0;
}

static int dial(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	if (sock_addr(path, &sa))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int hold(const char *path, int n, int secs)
{
	struct rlimit rl;
	struct pollfd *p = calloc(n, sizeof(*p));
	int open = 0, closed = 0;

	if (!p || getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	for (int i = 0; i < n; i++) {
		p[i].fd = dial(path);
		p[i].events = POLLIN;
		open += p[i].fd >= 0;
	}
	sleep(1);
	poll(p, n, 0);
	for (int i = 0; i < n; i++)
		closed += p[i].fd >= 0 && (p[i].revents & (POLLIN | POLLHUP));
	printf("open %d closed %d\n", open, closed);
	fflush(stdout);
	sleep(secs);
	return 0;
}

static int pipeline(const char *path, int n, int secs)
{
	static const char req[] = "{\"v\":1,\"cmd\":\"status\"}\n";
	int fd = dial(path);

	if (fd < 0)
		return 1;
	alarm(secs);
	for (int i = 0; i < n; i++)
		if (write(fd, req, sizeof(req) - 1) < 0)
			return 1;
	printf("sent\n");
	fflush(stdout);
	pause();
	return 0;
}

static int serve(const char *path, int secs)
{
	static const char reply[] = "{\"v\":1,\"ok\":true,\"result\":{}}\n";
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || sock_addr(path, &sa) || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0666) < 0 || listen(fd, 8) < 0) {
		perror("sockflood: serve");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN); /* a client that hangs up first */
	alarm(secs);
	for (;;) {
		char buf[4096];
		int c = accept(fd, NULL, NULL);
		size_t got = 0;
		ssize_t n;

		if (c < 0)
			continue;
		/* one whole request line, then the answer */
		while (got < sizeof(buf) && (n = read(c, buf + got, sizeof(buf) - got)) > 0 &&
		       !memchr(buf + got, '\n', n))
			got += n;
		if (write(c, reply, sizeof(reply) - 1) < 0)
			perror("sockflood: write");
		close(c);
	}
}

/* The child's connection, received over @ch. */
static int take_fd(int ch)
{
	char data, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {&data, 1};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl,
			   .msg_controllen = sizeof(ctl)};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(ch, &m, 0) != 1 || !(cm = CMSG_FIRSTHDR(&m)))
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	return fd;
}

static void give_fd(int ch, int fd)
{
	char data = 0, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {&data, 1};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl,
			   .msg_controllen = sizeof(ctl)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	if (sendmsg(ch, &m, 0) != 1)
		_exit(1);
}

static int sneak(const char *path, const char *uid, const char *line)
{
	struct passwd *pw = getpwuid((uid_t)strtoul(uid, NULL, 10));
	char buf[4096];
	int sv[2], fd, st;
	ssize_t n;
	pid_t pid;

	if (!pw || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
		    setuid(pw->pw_uid) < 0)
			_exit(1);
		fd = dial(path);
		if (fd < 0)
			_exit(1);
		give_fd(sv[1], fd);
		_exit(0);
	}
	fd = take_fd(sv[0]);
	if (waitpid(pid, &st, 0) < 0 || fd < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "sockflood: the child could not connect\n");
		return 1;
	}
	if (write(fd, line, strlen(line)) < 0 || write(fd, "\n", 1) < 0)
		return 1;
	printf("sent\n");
	fflush(stdout);
	alarm(20);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 1;
	buf[n] = 0;
	printf("%s", buf);
	return 0;
}

int main(int argc, char **argv)
{
	long loginuid = -1;

	if (argc >= 5 && !strcmp(argv[1], "hold"))
		return hold(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "pipe"))
		return pipeline(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "serve"))
		return serve(argv[2], atoi(argv[3]));
	if (argc >= 5 && !strcmp(argv[1], "sneak")) {
		if (!strcmp(argv[2], "-l")) {
			loginuid = strtol(argv[3], NULL, 10);
			argv += 2;
			argc -= 2;
		}
		if (argc == 5 && become(-1, -1, loginuid) == 0)
			return sneak(argv[2], argv[3], argv[4]);
	}
	fprintf(stderr, "usage: sockflood hold|pipe SOCKET N SECONDS | serve SOCKET SECONDS | "
			"sneak [-l LOGINUID] SOCKET UID LINE\n");
	return 2;
}
