/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's unix socket: accepts clients, splits their input into lines and
 * buffers their output, all non-blocking on the agent's epoll loop. Callers
 * are identified by SO_PEERCRED and by what the guard recorded when they
 * connected (server_set_identify); a uid holding too many connections gets no
 * more, and one that hoards descriptors loses its oldest idle ones first.
 */
#ifndef SERVER_H
#define SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* What an epoll entry points at: the loop dispatches on kind. */
enum watch_kind { W_LISTEN, W_CLIENT, W_RINGBUF, W_TIMER, W_SIGNAL };
struct watch {
	enum watch_kind kind;
};

#define CLIENT_OUT_MAX	 (16 << 20) /* a follower this far behind is dropped */
#define CLIENT_OUT_PAUSE (1 << 20)  /* a client this far behind is not read from */
#define CLIENTS_PER_UID	 64	    /* connections one login uid (else uid) may hold */
#define CLIENT_IDLE_SECS 10	    /* a client that says nothing this long is closed */

/* Who connected: SO_PEERCRED, and what the guard recorded of the connect. */
struct client_info {
	struct ucred cred; /* uid and gid as of connect(); the pid may be gone */
	bool known;	   /* the guard recorded the connect: without it, no role beyond anyone */
	bool engineer;	   /* the connecting task was an engineer (guard's record) */
	uint32_t loginuid; /* of the connecting task at connect(); LB_UID_UNSET if unknown */
};

struct client; /* private to server.c */
struct server;
typedef void (*server_line_fn)(struct client *c, char *line, size_t len, void *ctx);
/* Fills @info's known, engineer and loginuid for the accepted socket @fd. */
typedef void (*server_identify_fn)(int fd, struct client_info *info, void *ctx);

int server_open(const char *path, int epfd, struct server **out, char *err, size_t errlen);
void server_close(struct server *s);
void server_set_handler(struct server *s, server_line_fn fn, void *ctx);
void server_set_identify(struct server *s, server_identify_fn fn, void *ctx);
int server_listen_fd(struct server *s);
/* The listening socket is readable: accept what is waiting. */
void server_accept(struct server *s);
/* A client's fd is ready; frees the client if it went away. */
void server_client_io(struct server *s, struct client *c, uint32_t events);
/* Once a second: re-arm accept after an EMFILE backoff, close idle clients. */
void server_tick(struct server *s);
/*
 * Queue @len bytes for @c. A reply is queued whole, however large (one audit
 * trail); a follower whose backlog passes CLIENT_OUT_MAX is dropped, and any
 * client CLIENT_OUT_PAUSE behind is not read from until it catches up.
 */
void client_send(struct server *s, struct client *c, const char *data, size_t len);
void client_send_str(struct server *s, struct client *c, char *line_owned);
const struct client_info *client_info(const struct client *c);
/* A follower or a waiter has said all it can say: its lines are not handled. */
bool client_busy(const struct client *c);
/* Subscribes @c to server_publish(). */
void client_follow(struct client *c);
/* @c waits on @request until @until (unix seconds, 0 for ever): see server_wake(). */
void client_wait(struct client *c, int64_t request, int64_t until);
/* Sends @line to every follower; true if there was one. */
bool server_publish(struct server *s, const char *line);
bool server_has_followers(struct server *s);
/*
 * For each waiting client: @fn gives its answer (owned), or NULL to keep it
 * waiting. An answered client waits no more.
 */
typedef char *(*server_wait_fn)(int64_t request, int64_t until, void *ctx);
void server_wake(struct server *s, server_wait_fn fn, void *ctx);
/* Closes the clients marked closing with nothing left to send. */
void server_reap(struct server *s);
/* Frees closed clients: call between batches of epoll events, never inside one. */
void server_collect(struct server *s);

#endif /* SERVER_H */
