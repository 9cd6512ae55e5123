/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's metrics in Prometheus text format, for node-exporter's textfile
 * collector: written whole to a temporary file and renamed over the old one,
 * so a scrape never reads half a file.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "model.h"

struct metrics_zone {
	const char *name;
	uint64_t denied;  /* kernel denials of engineers in the zone */
	uint64_t allowed; /* accesses a grant allowed */
};

struct metrics {
	const char *host;
	const char *version;
	uint64_t requests[REQ_STATE_MAX]; /* by state */
	uint64_t grants_active;
	const struct metrics_zone *zones;
	size_t n_zones;
	uint64_t events_lost;	   /* kernel events never recorded */
	uint64_t outbox_pending;   /* notifications not yet delivered */
	int64_t outbox_oldest_age; /* seconds; 0 when none is pending */
	double ring_fill;	   /* ring buffer bytes in use / size, 0..1 */
	int64_t started;	   /* unix seconds the agent started */
};

/* The exposition text; -errno on a write error. */
int metrics_format(FILE *f, const struct metrics *m);
/* Writes @path atomically (mode 0644: metrics are not secret). */
int metrics_write(const char *path, const struct metrics *m, char *err, size_t errlen);

#endif /* METRICS_H */
