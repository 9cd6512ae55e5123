// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel events into the audit trail: each ring-buffer record is checked at the
 * boundary, named (user, zone, op) and appended; a burst is written in batched
 * transactions so the socket is never stalled for long. Events the kernel had
 * to drop are counted there and recorded here as events.lost.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "agent_internal.h"
#include "audit.h"
#include "evbatch.h"
#include "loader.h"
#include "kevent.h"
#include "log.h"
#include "timefmt.h"

#define BATCH_MAX 4096 /* events per transaction before yielding to the loop */

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

static json_t *event_record(struct agent *a, const struct lb_event *e)
{
	const struct zone_ref *z = zone_by_id(a, e->zone);
	char zone[32], t[48], path[2 * LB_PATH_LEN];
	json_t *rec;

	kevent_path(e, root_path(a, e->dev, e->ino), path, sizeof(path));
	/* a CLOCK_BOOTTIME stamp, on the wall clock, to the millisecond */
	time_format_ms(((int64_t)e->time_ns + a->boot_to_wall_ns) / 1000000, t, sizeof(t));
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
			t, "uid", (json_int_t)e->uid, "user", user_name(a, e->uid), "engineer_uid",
			(json_int_t)e->engineer, "engineer", user_name(a, e->engineer), "op",
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
	return rec;
}

/* Each record goes into the held batch; a full batch stops the read (the record is in). */
static int on_event(void *ctx, void *data, size_t len)
{
	struct agent *a = ctx;

	if (evbatch_add(&a->batch, data, len) == -EBADMSG)
		log_warn("events: dropped a malformed kernel record (%zu bytes)", len);
	return evbatch_full(&a->batch) ? -EAGAIN : 0;
}

int events_open(struct agent *a)
{
	int err = evbatch_init(&a->batch, BATCH_MAX);

	if (err)
		return err;
	a->rb = ring_buffer__new(guard_events_fd(a->g), on_event, a, NULL);
	return a->rb ? 0 : -errno;
}

void events_close(struct agent *a)
{
	ring_buffer__free(a->rb);
	a->rb = NULL;
	evbatch_free(&a->batch);
}

int agent_events_fd(struct agent *a)
{
	return ring_buffer__epoll_fd(a->rb);
}

static void refresh_clock_offset(struct agent *a)
{
	struct timespec wall, boot;

	clock_gettime(CLOCK_REALTIME, &wall);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	a->boot_to_wall_ns =
		(wall.tv_sec - boot.tv_sec) * 1000000000LL + (wall.tv_nsec - boot.tv_nsec);
}

static int tx_begin_cb(void *ctx)
{
	return tx_begin(ctx);
}

static int tx_commit_cb(void *ctx)
{
	return tx_commit(ctx);
}

static void tx_rollback_cb(void *ctx)
{
	tx_rollback(ctx);
}

static int store_event(const struct lb_event *e, void *ctx)
{
	return agent_audit(ctx, event_record(ctx, e));
}

bool agent_events_held(struct agent *a)
{
	return a->batch.n > 0;
}

/*
 * A batch that failed to commit stays held and goes first next time; until it
 * is stored nothing more is taken from the ring, where the kernel counts what
 * does not fit.
 */
int agent_consume_events(struct agent *a)
{
	const struct evbatch_tx tx = {tx_begin_cb, tx_commit_cb, tx_rollback_cb, store_event, a};
	int ret;

	refresh_clock_offset(a);
	if (a->batch.n) {
		ret = evbatch_commit(&a->batch, &tx);
		if (ret < 0)
			return ret;
	}
	ret = ring_buffer__consume(a->rb);
	if (ret < 0 && ret != -EINTR && ret != -EAGAIN && !a->batch.n)
		return ret;
	/* a full batch may have left more behind: say so, the loop polls again */
	return evbatch_commit(&a->batch, &tx);
}

int events_check_lost(struct agent *a)
{
	__u64 cnt[LB_CNT_MAX];
	json_t *rec;
	int err = guard_counters(a->g, cnt);
	uint64_t dropped = a->batch.dropped;

	if (err)
		return err;
	if (cnt[LB_CNT_EVENTS_LOST] <= a->lost_seen && dropped <= a->dropped_seen)
		return 0;
	err = tx_begin(a);
	if (err)
		return err;
	rec = agent_record(a, "events.lost", LB_UID_AGENT, NULL, 0);
	json_object_set_new(
		rec, "count",
		json_integer(cnt[LB_CNT_EVENTS_LOST] - a->lost_seen + dropped - a->dropped_seen));
	json_object_set_new(rec, "total", json_integer(cnt[LB_CNT_EVENTS_LOST]));
	json_object_set_new(rec, "dropped_by_agent", json_integer(dropped - a->dropped_seen));
	json_object_set_new(rec, "denied_for_no_log", json_integer(cnt[LB_CNT_NOLOG_DENIED]));
	err = agent_audit(a, rec);
	if (!err)
		err = tx_commit(a);
	if (err) {
		tx_rollback(a);
		return err;
	}
	a->lost_seen = cnt[LB_CNT_EVENTS_LOST];
	a->dropped_seen = dropped;
	return 0;
}

int events_abandon(struct agent *a)
{
	uint64_t n = a->batch.n + a->batch.dropped - a->dropped_seen;
	int err;

	if (!n)
		return 0;
	/* the next agent.started reports the kernel's total, these included */
	err = guard_counter_add(a->g, LB_CNT_EVENTS_LOST, n);
	if (!err) {
		a->batch.n = 0;
		a->dropped_seen = a->batch.dropped;
	}
	return err;
}
