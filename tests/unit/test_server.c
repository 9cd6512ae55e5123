// SPDX-License-Identifier: GPL-2.0-only
/*
 * The agent's socket (server.c) on a real unix socket and epoll: a line in,
 * its reply out; the identity a client is given; followers and waiters; the
 * per-account connection cap and the line length limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "tap.h"
#include <linux/types.h>
#include "lockbox.h"
#include "protocol.h"
#include "server.h"

static char dir[] = "/tmp/test_server.XXXXXX";
static char path[100];
static struct client *last; /* the client whose line was handled last */
static struct client_info last_info;

/* The handler: "ping" answers "pong", "follow" and "wait" subscribe. */
static void on_line(struct client *c, char *line, size_t len, void *ctx)
{
	struct server *s = *(struct server **)ctx;

	last = c;
	last_info = *client_info(c);
	if (!strcmp(line, "follow")) {
		client_follow(c);
		return;
	}
	if (!strcmp(line, "wait")) {
		client_wait(c, 7, 0);
		return;
	}
	client_send_str(s, c, strdup(len == 4 && !strcmp(line, "ping") ? "pong\n" : "what?\n"));
}

static void on_identify(int fd, struct client_info *info, void *ctx)
{
	info->known = true;
	info->loginuid = 1000;
}

/* Runs the loop until nothing happens for 50 ms. */
static void pump(struct server *s, int epfd)
{
	struct epoll_event evs[16];
	int n;

	while ((n = epoll_wait(epfd, evs, 16, 50)) > 0) {
		for (int i = 0; i < n; i++) {
			struct watch *w = evs[i].data.ptr;

			if (w->kind == W_LISTEN)
				server_accept(s);
			else
				server_client_io(s, (struct client *)w, evs[i].events);
		}
		server_collect(s);
	}
}

static int dial(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* What the server sent @fd so far: "" for nothing, "EOF" once it closed. */
static const char *got(int fd)
{
	static char buf[4096];
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t n;

	buf[0] = 0;
	if (poll(&p, 1, 100) <= 0)
		return buf;
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno == ECONNRESET)) /* reset: it closed with our bytes unread */
		return "EOF";
	buf[n < 0 ? 0 : n] = 0;
	return buf;
}

static char *answer_7(int64_t request, int64_t until, void *ctx)
{
	return request == 7 ? strdup("decided\n") : NULL;
}

static void test_round_trip(struct server *s, int epfd)
{
	int fd = dial();

	ok(fd >= 0, "a client connects");
	pump(s, epfd);
	send(fd, "ping\n", 5, 0);
	pump(s, epfd);
	is_str(got(fd), "pong\n", "a line in, its reply out");
	is_int(last_info.cred.uid, getuid(), "SO_PEERCRED: the caller's uid");
	ok(last_info.known, "the identify callback's record");
	is_int(last_info.loginuid, 1000, "and its login uid");
	send(fd, "pi", 2, 0);
	pump(s, epfd);
	send(fd, "ng\nping\n", 8, 0);
	pump(s, epfd);
	is_str(got(fd), "pong\npong\n", "lines split across reads, two in one read");
	close(fd);
	pump(s, epfd);
}

static void test_subscribers(struct server *s, int epfd)
{
	int f = dial(), w = dial(), other = dial();

	pump(s, epfd);
	ok(!server_has_followers(s), "no follower yet");
	send(f, "follow\n", 7, 0);
	pump(s, epfd);
	ok(client_busy(last), "a follower is busy");
	ok(server_has_followers(s), "one follower");
	ok(server_publish(s, "{\"record\":1}\n"), "a record is published");
	is_str(got(f), "{\"record\":1}\n", "the follower gets it");
	is_str(got(other), "", "the others do not");
	send(w, "wait\n", 5, 0);
	pump(s, epfd);
	ok(client_busy(last), "a waiter is busy");
	server_wake(s, answer_7, NULL);
	is_str(got(w), "decided\n", "server_wake answers the waiter");
	server_wake(s, answer_7, NULL);
	is_str(got(w), "", "once");
	close(f);
	close(w);
	close(other);
	pump(s, epfd);
}

static void test_limits(struct server *s, int epfd)
{
	int fds[CLIENTS_PER_UID + 1], extra;
	char *big = malloc(LB_MSG_MAX + 10);

	for (int i = 0; i < CLIENTS_PER_UID; i++)
		fds[i] = dial();
	pump(s, epfd);
	extra = dial();
	pump(s, epfd);
	ok(strstr(got(extra), "too many connections") != NULL,
	   "connection %d from one account: told so", CLIENTS_PER_UID + 1);
	is_str(got(extra), "EOF", "and closed");
	send(fds[0], "ping\n", 5, 0);
	pump(s, epfd);
	is_str(got(fds[0]), "pong\n", "the ones within the cap still work");
	close(extra);
	for (int i = 1; i < CLIENTS_PER_UID; i++)
		close(fds[i]);
	pump(s, epfd);

	memset(big, 'x', LB_MSG_MAX + 10);
	send(fds[0], big, LB_MSG_MAX + 10, 0);
	pump(s, epfd);
	ok(strstr(got(fds[0]), "longer than") != NULL, "a line over LB_MSG_MAX: refused");
	is_str(got(fds[0]), "EOF", "and the client closed");
	close(fds[0]);
	free(big);
	pump(s, epfd);
}

int main(void)
{
	struct server *s = NULL;
	char err[256];
	int epfd = epoll_create1(EPOLL_CLOEXEC);

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/run/lockbox.sock", dir);
	if (!ok(server_open(path, epfd, &s, err, sizeof(err)) == 0, "server_open: %s", err))
		return done_testing();
	server_set_handler(s, on_line, &s);
	server_set_identify(s, on_identify, NULL);
	test_round_trip(s, epfd);
	test_subscribers(s, epfd);
	test_limits(s, epfd);
	server_close(s);
	ok(access(path, F_OK) < 0, "server_close removes the socket");
	snprintf(err, sizeof(err), "%s/run", dir);
	rmdir(err);
	rmdir(dir);
	close(epfd);
	return done_testing();
}
