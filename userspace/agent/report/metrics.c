// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "errbuf.h"
#include "metrics.h"

static const char *const state_names[REQ_STATE_MAX] = {
	[REQ_PENDING] = "pending",     [REQ_APPROVED] = "approved", [REQ_DENIED] = "denied",
	[REQ_CANCELLED] = "cancelled", [REQ_EXPIRED] = "expired",   [REQ_REVOKED] = "revoked",
};

static void header(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped. */
static void label(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void per_zone(FILE *f, const struct metrics *m, const char *name, const char *help,
		     int allowed)
{
	header(f, name, "counter", help);
	for (size_t i = 0; i < m->n_zones; i++) {
		fprintf(f, "%s{zone=\"", name);
		label(f, m->zones[i].name);
		fprintf(f, "\"} %llu\n",
			(unsigned long long)(allowed ? m->zones[i].allowed : m->zones[i].denied));
	}
}

int metrics_format(FILE *f, const struct metrics *m)
{
	header(f, "lockbox_info", "gauge", "The agent's version and host; always 1.");
	fputs("lockbox_info{version=\"", f);
	label(f, m->version);
	fputs("\",host=\"", f);
	label(f, m->host);
	fputs("\"} 1\n", f);
	header(f, "lockbox_requests", "gauge", "Requests in the database, by state.");
	for (int s = 0; s < REQ_STATE_MAX; s++)
		fprintf(f, "lockbox_requests{state=\"%s\"} %llu\n", state_names[s],
			(unsigned long long)m->requests[s]);
	header(f, "lockbox_grants_active", "gauge", "Grants the kernel holds now.");
	fprintf(f, "lockbox_grants_active %llu\n", (unsigned long long)m->grants_active);
	per_zone(f, m, "lockbox_access_denied_total",
		 "Engineer accesses the guard denied, by zone, since the agent started.", 0);
	per_zone(f, m, "lockbox_access_allowed_total",
		 "Engineer accesses a grant allowed, by zone, since the agent started.", 1);
	header(f, "lockbox_events_lost_total", "counter",
	       "Kernel events that never reached the audit trail.");
	fprintf(f, "lockbox_events_lost_total %llu\n", (unsigned long long)m->events_lost);
	header(f, "lockbox_outbox_pending", "gauge", "Notifications not yet delivered.");
	fprintf(f, "lockbox_outbox_pending %llu\n", (unsigned long long)m->outbox_pending);
	header(f, "lockbox_outbox_oldest_age_seconds", "gauge",
	       "Age of the oldest undelivered notification; 0 when none.");
	fprintf(f, "lockbox_outbox_oldest_age_seconds %lld\n", (long long)m->outbox_oldest_age);
	header(f, "lockbox_ringbuf_fill_ratio", "gauge",
	       "Share of the kernel's event ring buffer in use.");
	fprintf(f, "lockbox_ringbuf_fill_ratio %.6f\n", m->ring_fill);
	header(f, "lockbox_agent_start_time_seconds", "gauge",
	       "When the agent started, in unix seconds.");
	fprintf(f, "lockbox_agent_start_time_seconds %lld\n", (long long)m->started);
	return ferror(f) ? -EIO : 0;
}

int metrics_write(const char *path, const struct metrics *m, char *err, size_t errlen)
{
	char tmp[4096];
	FILE *f;
	int fd, ret;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		seterr(err, errlen, "metrics file %s: path too long", path);
		return -ENAMETOOLONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		seterr(err, errlen, "metrics file %s: %s", tmp, strerror(-ret));
		return ret;
	}
	fchmod(fd, 0644); /* not the umask's */
	ret = metrics_format(f, m);
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		seterr(err, errlen, "metrics file %s: %s", path, strerror(-ret));
	}
	return ret;
}
