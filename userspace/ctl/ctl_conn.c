// SPDX-License-Identifier: GPL-2.0-only
/* lockboxctl's side of the socket: a plain blocking client, one line at a time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <jansson.h>
#include "ctl_conn.h"

#define READ_CHUNK 65536

int ctl_socket_path(const char *opt, const char *env, const char *config, char *buf, size_t len)
{
	const char *path = CTL_DEFAULT_SOCKET, *s;
	json_t *root = NULL;
	int ret = 0;

	if (opt) {
		path = opt;
	} else if (env && *env) {
		path = env;
	} else if (config) {
		/* a missing or broken config is the agent's problem; the default still applies */
		root = json_load_file(config, 0, NULL);
		s = json_string_value(json_object_get(root, "socket"));

		if (s && *s)
			path = s;
	}
	if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path) || strlen(path) >= len) {
		snprintf(buf, len, "%s", path);
		ret = -ENAMETOOLONG;
		goto out;
	}
	strcpy(buf, path);
out:
	json_decref(root);
	return ret;
}

int ctl_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int ctl_peer_check(int fd, uid_t want, uid_t *got)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return -errno;
	*got = cr.uid;
	return cr.uid == want ? 0 : -EPERM;
}

int ctl_send(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

void ctl_reader_init(struct ctl_reader *r, int fd)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
}

static int grow(struct ctl_reader *r)
{
	size_t cap = r->cap ? r->cap * 2 : READ_CHUNK;
	char *buf;

	if (r->cap >= CTL_REPLY_MAX)
		return -EMSGSIZE;
	if (cap > CTL_REPLY_MAX)
		cap = CTL_REPLY_MAX;
	buf = realloc(r->buf, cap);
	if (!buf)
		return -ENOMEM;
	r->buf = buf;
	r->cap = cap;
	return 0;
}

int ctl_read_line(struct ctl_reader *r, char **line, size_t *len)
{
	size_t scanned = r->start;
	int ret;

	for (;;) {
		char *nl =
			r->len > scanned ? memchr(r->buf + scanned, '\n', r->len - scanned) : NULL;
		ssize_t n;

		if (nl) {
			*nl = '\0';
			*line = r->buf + r->start;
			*len = nl - *line;
			r->start = nl - r->buf + 1;
			return 0;
		}
		scanned = r->len;
		/* keep only the unfinished line, at the front */
		if (r->start) {
			memmove(r->buf, r->buf + r->start, r->len - r->start);
			r->len -= r->start;
			scanned -= r->start;
			r->start = 0;
		}
		if (r->len == r->cap) {
			ret = grow(r);
			if (ret)
				return ret;
		}
		n = read(r->fd, r->buf + r->len, r->cap - r->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		r->len += n;
	}
}

void ctl_reader_release(struct ctl_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	r->buf = NULL;
	r->len = r->cap = r->start = 0;
}
