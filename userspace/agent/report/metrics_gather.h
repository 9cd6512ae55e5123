/* SPDX-License-Identifier: GPL-2.0-only */
/* The metrics' values, taken from the store, the kernel's counters and the event tally. */
#ifndef METRICS_GATHER_H
#define METRICS_GATHER_H

#include <stdint.h>
#include "context.h"
#include "metrics.h"

struct events;

/*
 * Fills @m (its zones malloc'd in m->zones: free them) as of @now. @ring_fill
 * is the ring buffer's fill, @started when the agent started. 0 or -errno.
 */
int metrics_gather(const struct cmd_ctx *x, const struct events *ev, double ring_fill,
		   int64_t started, int64_t now, struct metrics *m);

#endif /* METRICS_GATHER_H */
