/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel events into the audit trail: records from the guard's ring buffer are
 * checked, named and appended in batched transactions; what the kernel or the
 * agent had to drop is recorded as events.lost. The batch and the counters
 * already recorded are this module's own.
 */
#ifndef EVENTS_H
#define EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "context.h"

struct events;

/* Kernel events per transaction before yielding to the loop. */
#define EVENTS_BATCH_MAX 4096

/*
 * Where a kernel event's record goes as canonical text (audit_append_text()'s
 * arguments), skipping the JSON object, when @usable says it may: nobody needs
 * the object (no follower, no log file to publish it to).
 */
struct events_text_sink {
	bool (*usable)(void *ctx);
	int (*append)(void *ctx, const char *head, size_t hlen, const char *tail, size_t tlen);
	void *ctx;
};

/* @ring_fd: the guard's ring buffer map, or -1 to be fed by events_feed() (tests). */
int events_open(const struct cmd_ctx *x, int ring_fd, struct events **out);
void events_close(struct events *ev); /* NULL-safe */
void events_set_text_sink(struct events *ev, const struct events_text_sink *sink);
/*
 * The guard's denial counts (denials.h): each events_consume() also takes
 * those whose window has passed. NULL: none (tests fed by events_feed()).
 */
struct lb_denials;
void events_set_denials(struct events *ev, struct lb_denials *denials);
int events_fd(const struct events *ev);
/* Takes one raw ring record into the batch: what the ring callback does. */
int events_feed(struct events *ev, const void *data, size_t len);
/*
 * Stores the held batch, then what the ring has. A batch that failed to
 * commit stays held and goes first next time: the number stored, or -errno.
 */
int events_consume(struct events *ev);
/* A batch failed to commit and is held: read no more from the ring until it is stored. */
bool events_held(const struct events *ev);
size_t events_held_count(const struct events *ev);
/* The kernel's lost-event total already accounted for (agent.started carries it). */
void events_lost_seen(struct events *ev, uint64_t total);
/* Records events.lost for what the kernel and the agent dropped since last time. */
int events_check_lost(struct events *ev);
/* Accesses in @zone the stored trail holds since the agent started (the metrics). */
void events_zone_counts(const struct events *ev, uint32_t zone, uint64_t *denied,
			uint64_t *allowed);
/* Stopping with events not stored: they go into the kernel's lost counter. */
int events_abandon(struct events *ev);

#endif /* EVENTS_H */
