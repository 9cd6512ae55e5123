// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel events into the audit trail: each ring-buffer record is checked at the
 * boundary, named (user, zone, op) and appended; a burst is written in batched
 * transactions so the socket is never stalled for long. Events the kernel had
 * to drop are counted there and recorded here as events.lost.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "config.h"
#include "denials.h"
#include "evbatch.h"
#include "events.h"
#include "evtext.h"
#include "kevent.h"
#include "log.h"
#include "timefmt.h"
#include "vec.h"

struct events {
	const struct cmd_ctx *x;
	struct ring_buffer *rb;	 /* NULL when fed by events_feed() */
	struct evbatch batch;	 /* taken from the ring, not yet committed */
	uint64_t lost_seen;	 /* kernel events_lost counter already recorded */
	uint64_t dropped_seen;	 /* batch.dropped already recorded as events.lost */
	int64_t boot_to_wall_ns; /* CLOCK_REALTIME - CLOCK_BOOTTIME, refreshed per batch */
	/* accesses by zone (the metrics): stored, and in the open transaction */
	struct vec tally, pending;    /* of struct zone_tally */
	struct events_text_sink sink; /* none: every record goes through x->audit */
	struct lb_denials *denials;   /* the guard's denial counts, or NULL (tests) */
	struct evtext text;	      /* the record being appended, reused */
	int64_t time_s;		      /* the second time_text names */
	char time_text[48];
};

struct zone_tally {
	uint32_t zone;
	uint64_t denied, allowed;
};

static struct zone_tally *tally_of(struct vec *v, uint32_t zone)
{
	struct zone_tally t = {.zone = zone};

	for (size_t i = 0; i < v->n; i++)
		if (VEC_AT(v, struct zone_tally, i).zone == zone)
			return &VEC_AT(v, struct zone_tally, i);
	return vec_push(v, &t) ? NULL : &VEC_AT(v, struct zone_tally, v->n - 1);
}

/* Counts @e in the open transaction's tally; a commit adds it to the stored one. */
static void tally_event(struct events *ev, const struct lb_event *e)
{
	struct zone_tally *t;

	if (e->verdict == LB_VERDICT_AUDIT || !(t = tally_of(&ev->pending, e->zone)))
		return;
	if (e->verdict == LB_VERDICT_ALLOW)
		t->allowed += e->count;
	else
		t->denied += e->count;
}

static void tally_commit(struct events *ev)
{
	for (size_t i = 0; i < ev->pending.n; i++) {
		struct zone_tally *p = &VEC_AT(&ev->pending, struct zone_tally, i);
		struct zone_tally *t = tally_of(&ev->tally, p->zone);

		if (t) {
			t->denied += p->denied;
			t->allowed += p->allowed;
		}
	}
	ev->pending.n = 0;
}

void events_zone_counts(const struct events *ev, uint32_t zone, uint64_t *denied, uint64_t *allowed)
{
	*denied = *allowed = 0;
	for (size_t i = 0; i < ev->tally.n; i++) {
		const struct zone_tally *t = &VEC_AT(&ev->tally, struct zone_tally, i);

		if (t->zone == zone) {
			*denied = t->denied;
			*allowed = t->allowed;
		}
	}
}

/* A CLOCK_BOOTTIME stamp on the wall clock, to the millisecond; the seconds' text is kept. */
static void event_time(struct events *ev, __u64 time_ns, char *out, size_t len)
{
	int64_t ms = ((int64_t)time_ns + ev->boot_to_wall_ns) / 1000000;
	int64_t s = ms / 1000, frac = ms % 1000;
	size_t n;

	if (frac < 0) {
		frac += 1000;
		s--;
	}
	if (s != ev->time_s || !ev->time_text[0]) {
		if (time_format_ms(s * 1000, ev->time_text, sizeof(ev->time_text))) {
			time_format_ms(ms, out, len); /* as it comes */
			return;
		}
		ev->time_s = s;
	}
	/* "YYYY-MM-DDTHH:MM:SS.mmmZ": the same text but the milliseconds */
	n = strlen(ev->time_text);
	if (n + 1 > len || n < 4) {
		time_format_ms(ms, out, len);
		return;
	}
	memcpy(out, ev->time_text, n + 1);
	out[n - 4] = (char)('0' + frac / 100);
	out[n - 3] = (char)('0' + frac / 10 % 10);
	out[n - 2] = (char)('0' + frac % 10);
}

/* Buffers for what a record names: its zone, times and path. */
struct event_bufs {
	char zone[32], time[48], first[48], last[48], path[2 * LB_PATH_LEN];
};

static void event_names(struct events *ev, const struct lb_event *e, struct event_bufs *b,
			struct event_names *n)
{
	const struct cmd_ctx *x = ev->x;
	const struct zone_ref *z = ctx_zone_by_id(x, e->zone);

	kevent_path(e, e->path_kind == LB_PATH_NAMES ? ctx_root_path(x, e->dev, e->ino) : NULL,
		    b->path, sizeof(b->path));
	event_time(ev, e->time_ns, b->time, sizeof(b->time));
	/* a denial's repeats: from the first to the last (the record's time) */
	if (e->first_ns) {
		event_time(ev, e->first_ns, b->first, sizeof(b->first));
		event_time(ev, e->time_ns, b->last, sizeof(b->last));
	}
	if (e->zone && !z) /* lockbox's own, or one the config no longer names */
		snprintf(b->zone, sizeof(b->zone),
			 e->zone == LB_ZONE_GUARD      ? "lockbox-guard"
			 : e->zone == LB_ZONE_AGENT    ? "lockbox-agent"
			 : e->zone == LB_ZONE_AGENT_DB ? "lockbox-database"
						       : "zone#%u",
			 e->zone);
	*n = (struct event_names){
		.time = b->time,
		.user = ctx_user(x, e->uid),
		.engineer = ctx_user(x, e->engineer),
		.zone = !e->zone ? NULL
			: z	 ? z->cfg->name
				 : b->zone,
		.path = b->path,
		.path_max = sizeof(b->path),
		.host = x->host,
		.first = e->first_ns ? b->first : NULL,
		.last = e->first_ns ? b->last : NULL,
	};
}

int events_feed(struct events *ev, const void *data, size_t len)
{
	int err = evbatch_add(&ev->batch, data, len);

	if (err == -EBADMSG)
		log_warn("events: dropped a malformed kernel record (%zu bytes)", len);
	return err;
}

/* Each record goes into the held batch; a full batch stops the read (the record is in). */
static int on_event(void *ctx, void *data, size_t len)
{
	struct events *ev = ctx;

	events_feed(ev, data, len);
	return evbatch_full(&ev->batch) ? -EAGAIN : 0;
}

int events_open(const struct cmd_ctx *x, int ring_fd, struct events **out)
{
	struct events *ev = calloc(1, sizeof(*ev));
	int err;

	if (!ev)
		return -ENOMEM;
	ev->x = x;
	ev->tally = (struct vec)VEC_INIT(struct zone_tally);
	ev->pending = (struct vec)VEC_INIT(struct zone_tally);
	err = evbatch_init(&ev->batch, EVENTS_BATCH_MAX);
	if (!err && ring_fd >= 0) {
		ev->rb = ring_buffer__new(ring_fd, on_event, ev, NULL);
		if (!ev->rb)
			err = -errno;
	}
	if (err) {
		events_close(ev);
		return err;
	}
	*out = ev;
	return 0;
}

void events_close(struct events *ev)
{
	if (!ev)
		return;
	ring_buffer__free(ev->rb);
	evbatch_free(&ev->batch);
	evtext_release(&ev->text);
	vec_free(&ev->tally);
	vec_free(&ev->pending);
	free(ev);
}

int events_fd(const struct events *ev)
{
	return ev->rb ? ring_buffer__epoll_fd(ev->rb) : -1;
}

static void refresh_clock_offset(struct events *ev)
{
	struct timespec wall, boot;

	clock_gettime(CLOCK_REALTIME, &wall);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	ev->boot_to_wall_ns =
		(wall.tv_sec - boot.tv_sec) * 1000000000LL + (wall.tv_nsec - boot.tv_nsec);
}

static int tx_begin_cb(void *ctx)
{
	struct events *ev = ctx;

	ev->pending.n = 0;
	return ctx_begin(ev->x);
}

static int tx_commit_cb(void *ctx)
{
	struct events *ev = ctx;
	int err = ctx_commit(ev->x);

	if (!err)
		tally_commit(ev);
	return err;
}

static void tx_rollback_cb(void *ctx)
{
	ctx_rollback(((struct events *)ctx)->x);
}

static int store_event(const struct lb_event *e, void *ctx)
{
	struct events *ev = ctx;
	struct event_names n;
	struct event_bufs b;
	int err;

	tally_event(ev, e);
	event_names(ev, e, &b, &n);
	if (!ev->sink.usable || !ev->sink.usable(ev->sink.ctx))
		return ctx_append(ev->x, evtext_record(e, &n));
	err = evtext_build(&ev->text, e, &n);
	return err
		       ?: ev->sink.append(ev->sink.ctx, ev->text.buf, ev->text.head,
					  ev->text.buf + ev->text.head,
					  ev->text.len - ev->text.head);
}

void events_set_text_sink(struct events *ev, const struct events_text_sink *sink)
{
	ev->sink = *sink;
}

void events_set_denials(struct events *ev, struct lb_denials *denials)
{
	ev->denials = denials;
}

static void feed_denial(const struct lb_event *e, void *ctx)
{
	events_feed(ctx, e, sizeof(*e));
}

/* The guard's denial counts whose window has passed, into the batch while it has room. */
static void take_denials(struct events *ev)
{
	struct timespec now;

	if (!ev->denials || clock_gettime(CLOCK_BOOTTIME, &now))
		return;
	denials_take(ev->denials, (__u64)now.tv_sec * 1000000000ULL + (__u64)now.tv_nsec,
		     ev->batch.cap - ev->batch.n, feed_denial, ev);
}

bool events_held(const struct events *ev)
{
	return ev->batch.n > 0;
}

size_t events_held_count(const struct events *ev)
{
	return ev->batch.n;
}

void events_lost_seen(struct events *ev, uint64_t total)
{
	ev->lost_seen = total;
}

/*
 * A batch that failed to commit stays held and goes first next time; until it
 * is stored nothing more is taken from the ring, where the kernel counts what
 * does not fit.
 */
int events_consume(struct events *ev)
{
	const struct evbatch_tx tx = {tx_begin_cb, tx_commit_cb, tx_rollback_cb, store_event, ev};
	int ret;

	refresh_clock_offset(ev);
	if (ev->batch.n) {
		ret = evbatch_commit(&ev->batch, &tx);
		if (ret < 0)
			return ret;
	}
	ret = ev->rb ? ring_buffer__consume(ev->rb) : 0;
	take_denials(ev);
	if (ret < 0 && ret != -EINTR && ret != -EAGAIN && !ev->batch.n)
		return ret;
	/* a full batch may have left more behind: say so, the loop polls again */
	return evbatch_commit(&ev->batch, &tx);
}

static int record_lost(struct events *ev, const __u64 *cnt, uint64_t dropped)
{
	const struct cmd_ctx *x = ev->x;
	json_t *rec = ctx_record(x, "events.lost", LB_UID_AGENT, NULL, 0);

	if (!rec)
		return -ENOMEM;
	json_object_set_new(
		rec, "count",
		json_integer(cnt[LB_CNT_EVENTS_LOST] - ev->lost_seen + dropped - ev->dropped_seen));
	json_object_set_new(rec, "total", json_integer(cnt[LB_CNT_EVENTS_LOST]));
	json_object_set_new(rec, "dropped_by_agent", json_integer(dropped - ev->dropped_seen));
	json_object_set_new(rec, "denied_for_no_log", json_integer(cnt[LB_CNT_NOLOG_DENIED]));
	return ctx_append(x, rec);
}

int events_check_lost(struct events *ev)
{
	const struct cmd_ctx *x = ev->x;
	__u64 cnt[LB_CNT_MAX];
	uint64_t dropped = ev->batch.dropped;
	int err = x->grants->counters(x->guard, cnt);

	if (err)
		return err;
	if (cnt[LB_CNT_EVENTS_LOST] <= ev->lost_seen && dropped <= ev->dropped_seen)
		return 0;
	err = ctx_begin(x);
	if (err)
		return err;
	err = record_lost(ev, cnt, dropped);
	if (!err)
		err = ctx_commit(x);
	if (err) {
		ctx_rollback(x);
		return err;
	}
	ev->lost_seen = cnt[LB_CNT_EVENTS_LOST];
	ev->dropped_seen = dropped;
	return 0;
}

int events_abandon(struct events *ev)
{
	/* the accesses, not the records: a counted denial stands for many */
	uint64_t n = evbatch_accesses(&ev->batch) + ev->batch.dropped - ev->dropped_seen;
	int err;

	if (!n)
		return 0;
	/* the next agent.started reports the kernel's total, these included */
	err = ev->x->grants->counter_add(ev->x->guard, LB_CNT_EVENTS_LOST, n);
	if (!err) {
		ev->batch.n = 0;
		ev->dropped_seen = ev->batch.dropped;
	}
	return err;
}
