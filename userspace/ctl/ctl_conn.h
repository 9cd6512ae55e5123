/* SPDX-License-Identifier: GPL-2.0-only */
/* lockboxctl's side of the socket: which one, connecting, and reading reply lines. */
#ifndef CTL_CONN_H
#define CTL_CONN_H

#include <stddef.h>
#include <sys/types.h>

#define CTL_DEFAULT_SOCKET "/run/lockbox/lockbox.sock"
#define CTL_DEFAULT_CONFIG "/etc/lockbox/lockbox.json"

/* Replies have no protocol limit (a whole audit trail is one line); this is a sanity cap. */
#define CTL_REPLY_MAX (1024u * 1024 * 1024)

/*
 * The socket to use: opt (--socket) if set, else env ($LOCKBOX_SOCKET) if set and not
 * empty, else the "socket" string of the config file if it exists and has one, else
 * CTL_DEFAULT_SOCKET. Returns 0, or -ENAMETOOLONG if the path does not fit a sockaddr_un.
 */
int ctl_socket_path(const char *opt, const char *env, const char *config, char *buf, size_t len);

/* A connected, blocking, close-on-exec stream socket; returns the fd or -errno. */
int ctl_connect(const char *path);

/*
 * Whether the process that made the listening end of @fd ran as @want (the agent
 * runs as root): 0, -EPERM with *got set when it did not, or -errno. Approvers
 * and security must not hand their commands to someone else's socket.
 */
int ctl_peer_check(int fd, uid_t want, uid_t *got);

/* Writes all of buf; -errno on failure (EPIPE if the agent went away). */
int ctl_send(int fd, const char *buf, size_t len);

struct ctl_reader {
	int fd;
	char *buf;
	size_t len;   /* bytes held */
	size_t start; /* where the next line begins */
	size_t cap;
};

void ctl_reader_init(struct ctl_reader *r, int fd);

/*
 * Blocks until one whole line has arrived; *line points into the reader's buffer (valid
 * until the next call), newline replaced by NUL, *len excluding it. Returns 0, -EPIPE when
 * the agent closed the connection (a partial last line is dropped), -EMSGSIZE past
 * CTL_REPLY_MAX, or -errno.
 */
int ctl_read_line(struct ctl_reader *r, char **line, size_t *len);

void ctl_reader_release(struct ctl_reader *r); /* NULL-safe */

#endif /* CTL_CONN_H */
