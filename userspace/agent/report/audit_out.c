// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include "audit_out.h"
#include "errbuf.h"

struct audit_out {
	char *path;
	FILE *file;
	bool syslog;
};

/* Appends to @path, creating it 0640 (the umask may not take bits away from it). */
static FILE *open_log(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
	FILE *f;

	if (fd >= 0)
		fchmod(fd, 0640);
	else if (errno == EEXIST)
		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	f = fd >= 0 ? fdopen(fd, "a") : NULL;
	if (!f) {
		seterr(err, errlen, "audit_log: cannot open %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return f;
}

int audit_out_open(const char *path, bool syslog, struct audit_out **out, char *err, size_t errlen)
{
	struct audit_out *o = calloc(1, sizeof(*o));

	if (!o || (path && !(o->path = strdup(path)))) {
		free(o);
		seterr(err, errlen, "audit outputs: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	if (path && !(o->file = open_log(path, err, errlen))) {
		int ret = -errno;

		audit_out_close(o);
		return ret ? ret : -EIO;
	}
	o->syslog = syslog;
	if (syslog)
		openlog("lockboxd", LOG_PID, LOG_AUTHPRIV);
	*out = o;
	return 0;
}

void audit_out_close(struct audit_out *o)
{
	if (!o)
		return;
	if (o->file)
		fclose(o->file);
	free(o->path);
	free(o);
}

bool audit_out_active(const struct audit_out *o)
{
	return o && (o->file || o->syslog);
}

int audit_out_reopen(struct audit_out *o, char *err, size_t errlen)
{
	FILE *f;

	if (!o || !o->path)
		return 0;
	f = open_log(o->path, err, errlen);
	if (!f)
		return -errno; /* keep writing to the old one: nothing is lost */
	fclose(o->file);
	o->file = f;
	return 0;
}

int audit_out_priority(const char *type)
{
	static const struct {
		const char *prefix;
		int prio;
	} map[] = {
		{"events.lost", LOG_ERR}, /* records the trail will never have */
		{"access.denied", LOG_WARNING},
		{"access.", LOG_INFO},
		{"agent.", LOG_INFO},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strncmp(type, map[i].prefix, strlen(map[i].prefix)))
			return map[i].prio;
	return LOG_NOTICE;
}

void audit_out_write(struct audit_out *o, const char *line, const char *type)
{
	if (o->file) {
		fprintf(o->file, "%s\n", line);
		fflush(o->file);
	}
	if (o->syslog)
		syslog(LOG_AUTHPRIV | audit_out_priority(type ? type : ""), "%s", line);
}
