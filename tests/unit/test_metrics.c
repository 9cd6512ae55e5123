// SPDX-License-Identifier: GPL-2.0-only
/* Metrics: the Prometheus text, label escaping, the atomic write, and promtool's verdict. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tap.h"
#include "metrics.h"

static const struct metrics_zone zones[] = {
	{"acme", 3, 7},
	{"we\"ird\\zone", 1, 0},
};

static struct metrics sample(void)
{
	struct metrics m = {.host = "stor-17",
			    .version = "0.1.0",
			    .grants_active = 2,
			    .zones = zones,
			    .n_zones = 2,
			    .events_lost = 5,
			    .outbox_pending = 1,
			    .outbox_oldest_age = 42,
			    .ring_fill = 0.25,
			    .started = 1764600000};

	m.requests[REQ_PENDING] = 4;
	m.requests[REQ_APPROVED] = 2;
	return m;
}

static char *formatted(const struct metrics *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	metrics_format(f, m);
	fclose(f);
	return buf;
}

static void test_format(void)
{
	struct metrics m = sample();
	char *t = formatted(&m);

	ok(strstr(t, "lockbox_requests{state=\"pending\"} 4\n") != NULL, "requests by state");
	ok(strstr(t, "lockbox_requests{state=\"revoked\"} 0\n") != NULL, "every state, zero too");
	ok(strstr(t, "lockbox_grants_active 2\n") != NULL, "active grants");
	ok(strstr(t, "lockbox_access_denied_total{zone=\"acme\"} 3\n") != NULL, "denials by zone");
	ok(strstr(t, "lockbox_access_allowed_total{zone=\"acme\"} 7\n") != NULL,
	   "allowed accesses by zone");
	ok(strstr(t, "{zone=\"we\\\"ird\\\\zone\"}") != NULL, "a label value is escaped");
	ok(strstr(t, "lockbox_events_lost_total 5\n") != NULL, "events lost");
	ok(strstr(t, "lockbox_outbox_pending 1\n") != NULL, "outbox pending");
	ok(strstr(t, "lockbox_outbox_oldest_age_seconds 42\n") != NULL, "its oldest age");
	ok(strstr(t, "lockbox_ringbuf_fill_ratio 0.250000\n") != NULL, "ring buffer fill");
	ok(strstr(t, "lockbox_agent_start_time_seconds 1764600000\n") != NULL, "up since");
	ok(strstr(t, "# TYPE lockbox_access_denied_total counter\n") != NULL, "counters typed so");
	ok(strstr(t, "lockbox_info{version=\"0.1.0\",host=\"stor-17\"} 1\n") != NULL,
	   "version and host");
	free(t);
}

/* promtool from build/cache (scripts/deps.sh fetches it), or $PROMTOOL. */
static const char *promtool(void)
{
	const char *p = getenv("PROMTOOL");

	if (p)
		return p;
	p = getenv("LOCKBOX_CACHE") ? getenv("LOCKBOX_CACHE") : "build/cache";
	static char path[512];
	snprintf(path, sizeof(path), "%s/promtool/promtool", p);
	return path;
}

static void test_write(void)
{
	char dir[] = "/tmp/lockbox-metrics-XXXXXX", path[256], tmp[300], cmd[1024];
	struct metrics m = sample();
	char err[256] = "";
	struct stat st;

	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/lockbox.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	umask(077);
	is_int(metrics_write(path, &m, err, sizeof(err)), 0, "the metrics file is written");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644,
	   "mode 0644 whatever the umask (node-exporter reads it)");
	ok(access(tmp, F_OK) != 0, "no temporary file is left");
	if (access(promtool(), X_OK) == 0) {
		snprintf(cmd, sizeof(cmd), "%s check metrics <%s 2>&1", promtool(), path);
		is_int(system(cmd), 0, "promtool check metrics passes on it");
		m.zones = NULL, m.n_zones = 0;
		metrics_write(path, &m, err, sizeof(err));
		is_int(system(cmd), 0, "and with no zones");
	} else {
		ok(0, "promtool at %s (scripts/deps.sh fetches it)", promtool());
	}
	snprintf(path, sizeof(path), "%s/missing/lockbox.prom", dir);
	ok(metrics_write(path, &m, err, sizeof(err)) < 0, "a missing directory is an error");
	ok(strstr(err, "/missing/lockbox.prom") != NULL, "that names the file: %s", err);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return;
}

int main(void)
{
	test_format();
	test_write();
	return done_testing();
}
