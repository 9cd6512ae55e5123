// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unix socket server, done the relayd way: non-blocking, SO_PEERCRED, EMFILE
 * backoff; no one uid can take the socket from the others.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "lockbox.h"
#include "protocol.h"
#include "server.h"

struct client {
	struct watch w;
	int fd;
	struct client_info id;
	uint32_t account; /* whom the connection counts against: loginuid, else uid */
	int64_t active;	  /* monotonic seconds of the connect or the last line */
	char *in;
	size_t in_len;
	char *out;
	size_t out_len, out_off;
	bool closing;	    /* close once out is flushed */
	bool follow;	    /* audit --follow subscriber */
	int64_t wait_id;    /* request a `wait` blocks on, 0 if none */
	int64_t wait_until; /* unix seconds, 0 = forever */
	struct client *next;
};

struct server {
	struct watch w;
	int fd, epfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool paused; /* accept backed off after EMFILE */
	struct client *clients;
	struct client *dead; /* closed, freed by server_collect once the loop's batch is done */
	server_line_fn fn;
	void *ctx;
	server_identify_fn ident;
	void *ident_ctx;
};

static int64_t now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static int mkdir_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	/* anyone may connect: the socket is where engineers and admins talk to us */
	return chmod(dir, 0755) < 0 ? -errno : 0;
}

/* A socket file left by a dead agent is removed; a live agent's is not. */
static int clear_stale(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
		err = -EADDRINUSE;
	else if (errno == ECONNREFUSED)
		unlink(sa->sun_path);
	close(fd);
	return err;
}

int server_open(const char *path, int epfd, struct server **out, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct epoll_event ev = {.events = EPOLLIN};
	struct server *s;
	int ret;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket: path %s is longer than %zu bytes", path,
			 sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->w.kind = W_LISTEN;
	s->epfd = epfd;
	s->fd = -1;
	strcpy(s->path, path);
	ret = mkdir_parent(path);
	if (ret) {
		snprintf(err, errlen, "socket: cannot create the directory of %s: %s", path,
			 strerror(-ret));
		goto fail;
	}
	ret = clear_stale(&sa);
	if (ret) {
		snprintf(err, errlen, "socket: %s is in use: is another lockboxd running?", path);
		goto fail;
	}
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0666) < 0 || listen(s->fd, 128) < 0) {
		ret = -errno;
		snprintf(err, errlen, "socket: cannot listen on %s: %s", path, strerror(errno));
		goto fail;
	}
	ev.data.ptr = &s->w;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev) < 0) {
		ret = -errno;
		snprintf(err, errlen, "socket: epoll: %s", strerror(errno));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	return ret;
}

/*
 * Closes @c now (its descriptor is free at once) but keeps the struct until
 * server_collect: an event for it may still wait in the loop's current batch.
 */
static void client_free(struct server *s, struct client *c)
{
	struct client **pp;

	for (pp = &s->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	free(c->in);
	free(c->out);
	c->in = c->out = NULL;
	c->next = s->dead;
	s->dead = c;
}

void server_collect(struct server *s)
{
	while (s->dead) {
		struct client *c = s->dead;

		s->dead = c->next;
		free(c);
	}
}

void server_close(struct server *s)
{
	if (!s)
		return;
	while (s->clients)
		client_free(s, s->clients);
	server_collect(s);
	if (s->fd >= 0) {
		close(s->fd);
		unlink(s->path);
	}
	free(s);
}

void server_set_handler(struct server *s, server_line_fn fn, void *ctx)
{
	s->fn = fn;
	s->ctx = ctx;
}

void server_set_identify(struct server *s, server_identify_fn fn, void *ctx)
{
	s->ident = fn;
	s->ident_ctx = ctx;
}

int server_listen_fd(struct server *s)
{
	return s->fd;
}

const struct client_info *client_info(const struct client *c)
{
	return &c->id;
}

bool client_busy(const struct client *c)
{
	return c->follow || c->wait_id;
}

void client_follow(struct client *c)
{
	c->follow = true;
}

void client_wait(struct client *c, int64_t request, int64_t until)
{
	c->wait_id = request;
	c->wait_until = until;
}

bool server_has_followers(struct server *s)
{
	for (struct client *c = s->clients; c; c = c->next)
		if (c->follow)
			return true;
	return false;
}

bool server_publish(struct server *s, const char *line)
{
	bool any = false;

	for (struct client *c = s->clients; c; c = c->next)
		if (c->follow && !c->closing) {
			client_send(s, c, line, strlen(line));
			any = true;
		}
	return any;
}

void server_wake(struct server *s, server_wait_fn fn, void *ctx)
{
	for (struct client *c = s->clients; c; c = c->next) {
		char *reply;

		if (!c->wait_id)
			continue;
		reply = fn(c->wait_id, c->wait_until, ctx);
		if (reply) {
			client_send_str(s, c, reply);
			c->wait_id = 0;
		}
	}
	server_reap(s);
}

static size_t held_by(struct server *s, uint32_t account)
{
	size_t n = 0;

	for (struct client *c = s->clients; c; c = c->next)
		n += c->account == account && !c->closing;
	return n;
}

/* A client that waits for nothing and has nothing to send: closing it loses no answer. */
static bool idle(const struct client *c)
{
	return !c->follow && !c->wait_id && c->out_off >= c->out_len;
}

/*
 * Out of descriptors: the account holding the most connections gives up its
 * oldest idle one, so the accept loop goes on for everyone else.
 */
static bool evict_one(struct server *s)
{
	struct client *victim = NULL;
	size_t most = 0;

	for (struct client *c = s->clients; c; c = c->next) {
		size_t n = held_by(s, c->account);

		if (c->closing || !idle(c))
			continue;
		if (n > most || (n == most && victim && c->active < victim->active)) {
			most = n;
			victim = c;
		}
	}
	if (!victim)
		return false;
	client_free(s, victim);
	return true;
}

static void identify(struct server *s, struct client *c)
{
	c->id.loginuid = LB_UID_UNSET;
	if (s->ident)
		s->ident(c->fd, &c->id, s->ident_ctx);
	c->account =
		c->id.known && c->id.loginuid != LB_UID_UNSET ? c->id.loginuid : c->id.cred.uid;
	c->active = now_mono();
}

/* A new connection from an account already at its cap is told so and closed. */
static bool over_cap(struct server *s, struct client *c)
{
	char *msg;

	if (held_by(s, c->account) < CLIENTS_PER_UID)
		return false;
	msg = proto_reply_error(PROTO_E_CONFLICT, "too many connections (%d) from this user",
				CLIENTS_PER_UID);
	/* best effort: the connection closes whether or not the line got through */
	if (msg)
		(void)!send(c->fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT);
	free(msg);
	return true;
}

static int accept_one(struct server *s)
{
	struct epoll_event ev = {.events = EPOLLIN};
	socklen_t len = sizeof(struct ucred);
	struct client *c;
	int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return -errno;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->w.kind = W_CLIENT;
	c->fd = fd;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->id.cred, &len) < 0)
		goto drop;
	identify(s, c);
	if (over_cap(s, c))
		goto drop;
	ev.data.ptr = &c->w;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		goto drop;
	c->next = s->clients;
	s->clients = c;
	return 0;
drop:
	close(fd);
	free(c);
	return 0;
}

void server_accept(struct server *s)
{
	for (;;) {
		int err = accept_one(s);

		if (err == -EMFILE || err == -ENFILE || err == -ENOMEM) {
			if (evict_one(s))
				continue;
			/* nothing to give up: stop polling the listener until the next tick */
			epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->fd, NULL);
			s->paused = true;
			return;
		}
		if (err == -EAGAIN || err == -EWOULDBLOCK)
			return;
		if (err && err != -EINTR && err != -ECONNABORTED)
			return;
	}
}

void server_tick(struct server *s)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &s->w};
	int64_t now = now_mono();

	for (struct client *c = s->clients; c; c = c->next)
		if (idle(c) && now - c->active > CLIENT_IDLE_SECS)
			c->closing = true;
	server_reap(s);
	if (s->paused && epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->fd, &ev) == 0)
		s->paused = false;
}

/* Too far behind: read nothing more from it until it has caught up. */
static bool backlogged(const struct client *c)
{
	return c->out_len - c->out_off > CLIENT_OUT_PAUSE;
}

static void want_write(struct server *s, struct client *c, bool on)
{
	struct epoll_event ev = {.events = (backlogged(c) ? 0 : EPOLLIN) | (on ? EPOLLOUT : 0),
				 .data.ptr = &c->w};

	epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void flush(struct server *s, struct client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				want_write(s, c, true);
				return;
			}
			c->closing = true;
			c->out_len = c->out_off = 0;
			return;
		}
		c->out_off += n;
	}
	c->out_len = c->out_off = 0;
	want_write(s, c, false);
}

void client_send(struct server *s, struct client *c, const char *data, size_t len)
{
	if (c->follow && c->out_len - c->out_off + len > CLIENT_OUT_MAX) {
		/* a follower this far behind is dropped rather than grown without bound */
		c->closing = true;
		c->out_len = c->out_off = 0;
		return;
	}
	if (c->out_off && c->out_off == c->out_len)
		c->out_len = c->out_off = 0;
	if (c->out_len + len > 0) {
		char *p = realloc(c->out, c->out_len + len);

		if (!p) {
			c->closing = true;
			return;
		}
		c->out = p;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
	flush(s, c);
}

void client_send_str(struct server *s, struct client *c, char *line)
{
	if (!line) {
		c->closing = true;
		return;
	}
	client_send(s, c, line, strlen(line));
	free(line);
}

/* Hand each complete line to the handler; an over-long line ends the client. */
static void split_lines(struct server *s, struct client *c)
{
	size_t start = 0;

	for (size_t i = 0; i < c->in_len && !c->closing; i++) {
		if (c->in[i] != '\n')
			continue;
		c->in[i] = 0;
		c->active = now_mono();
		if (s->fn)
			s->fn(c, c->in + start, i - start, s->ctx);
		start = i + 1;
		if (backlogged(c))
			break; /* the rest waits until the client reads its replies */
	}
	memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
	if (c->in_len > LB_MSG_MAX && !memchr(c->in, '\n', c->in_len)) {
		client_send_str(
			s, c,
			proto_reply_error("invalid", "message: longer than %d bytes", LB_MSG_MAX));
		c->closing = true;
	}
}

void server_client_io(struct server *s, struct client *c, uint32_t events)
{
	if (c->fd < 0)
		return; /* closed earlier in this batch */
	if (events & EPOLLOUT) {
		flush(s, c);
		/* caught up: the lines it sent meanwhile are still here */
		if (!backlogged(c) && c->in_len && !c->closing)
			split_lines(s, c);
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		if (!c->in)
			c->in = malloc(LB_MSG_MAX + 2);
		while (c->in && !c->closing && !backlogged(c)) {
			ssize_t n = recv(c->fd, c->in + c->in_len, LB_MSG_MAX + 1 - c->in_len, 0);

			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
				c->closing = true; /* flush what is queued, then close */
				break;
			}
			if (n < 0)
				break;
			c->in_len += n;
			split_lines(s, c);
		}
	}
	server_reap(s);
}

void server_reap(struct server *s)
{
	struct client *c = s->clients, *next;

	for (; c; c = next) {
		next = c->next;
		if (c->closing && c->out_off >= c->out_len)
			client_free(s, c);
	}
}
