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
#include "evbatch.h"
#include "events.h"
#include "kevent.h"
#include "log.h"
#include "timefmt.h"
#include "vec.h"

#define BATCH_MAX 4096 /* events per transaction before yielding to the loop */

struct events {
	const struct cmd_ctx *x;
	struct ring_buffer *rb;	 /* NULL when fed by events_feed() */
	struct evbatch batch;	 /* taken from the ring, not yet committed */
	uint64_t lost_seen;	 /* kernel events_lost counter already recorded */
	uint64_t dropped_seen;	 /* batch.dropped already recorded as events.lost */
	int64_t boot_to_wall_ns; /* CLOCK_REALTIME - CLOCK_BOOTTIME, refreshed per batch */
	/* accesses by zone (the metrics): stored, and in the open transaction */
	struct vec tally, pending; /* of struct zone_tally */
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

/* Kernel strings are bytes; a name that is not UTF-8 is kept, escaped as \xNN. */
static json_t *text_json(const char *s, size_t max)
{
	size_t len = strnlen(s, max), o = 0;
	json_t *j = json_stringn(s, len);
	char buf[4 * LB_PATH_LEN + 1];

	if (j)
		return j;
	for (size_t i = 0; i < len && o + 5 < sizeof(buf); i++) {
		unsigned char c = s[i];

		if (c < 0x80)
			buf[o++] = c;
		else
			o += snprintf(buf + o, sizeof(buf) - o, "\\x%02x", c);
	}
	return json_stringn(buf, o);
}

static json_t *event_record(const struct events *ev, const struct lb_event *e)
{
	const struct cmd_ctx *x = ev->x;
	const struct zone_ref *z = ctx_zone_by_id(x, e->zone);
	char zone[32], t[48], path[2 * LB_PATH_LEN];
	json_t *rec;

	kevent_path(e, ctx_root_path(x, e->dev, e->ino), path, sizeof(path));
	/* a CLOCK_BOOTTIME stamp, on the wall clock, to the millisecond */
	time_format_ms(((int64_t)e->time_ns + ev->boot_to_wall_ns) / 1000000, t, sizeof(t));
	snprintf(zone, sizeof(zone),
		 e->zone == LB_ZONE_GUARD      ? "lockbox-guard"
		 : e->zone == LB_ZONE_AGENT    ? "lockbox-agent"
		 : e->zone == LB_ZONE_AGENT_DB ? "lockbox-database"
					       : "zone#%u",
		 e->zone);
	rec = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:s, s:s, s:I, s:I, s:o, s:o, s:s, s:s, "
			"s:s}",
			"source", "kernel", "type",
			e->verdict == LB_VERDICT_ALLOW ? "access.allowed" : "access.denied", "time",
			t, "uid", (json_int_t)e->uid, "user", ctx_user(x, e->uid), "engineer_uid",
			(json_int_t)e->engineer, "engineer", ctx_user(x, e->engineer), "op",
			kevent_op_name(e->op), "pid", (json_int_t)e->tgid, "tid",
			(json_int_t)e->pid, "comm", text_json(e->comm, LB_COMM_LEN), "path",
			text_json(path, sizeof(path)), "access",
			e->access & LB_ACCESS_WRITE ? "write" : "read", "verdict",
			kevent_verdict_name(e->verdict), "reason", kevent_reason_name(e->reason));
	if (!rec)
		return NULL;
	json_object_set_new(rec, "zone",
			    e->zone ? json_string(z ? z->cfg->name : zone) : json_null());
	json_object_set_new(rec, "request", e->grant_id ? json_integer(e->grant_id) : json_null());
	json_object_set_new(rec, "loginuid",
			    e->loginuid == (__u32)-1 ? json_null() : json_integer(e->loginuid));
	if (e->verdict == LB_VERDICT_AUDIT)
		json_object_set_new(rec, "enforced", json_false()); /* permissive mode */
	/*
	 * The guard logs an allowed open once per inode and grant and counts the
	 * repeats; a record of those says how many opens it stands for.
	 */
	if (e->flags & LB_EVENT_REPEATS) {
		json_object_set_new(rec, "count", json_integer(e->count));
		json_object_set_new(rec, "repeats", json_true());
	}
	return rec;
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
	err = evbatch_init(&ev->batch, BATCH_MAX);
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

	tally_event(ev, e);
	return ctx_append(ev->x, event_record(ev, e));
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
	uint64_t n = ev->batch.n + ev->batch.dropped - ev->dropped_seen;
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
