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
#include "loader.h"
#include "log.h"
#include "timefmt.h"

#define BATCH_MAX 4096 /* events per transaction before yielding to the loop */

static const char *const op_names[LB_OP_MAX] = {
	[LB_OP_OPEN] = "open",	       [LB_OP_READ] = "read",
	[LB_OP_WRITE] = "write",       [LB_OP_MMAP] = "mmap",
	[LB_OP_EXEC] = "exec",	       [LB_OP_RECEIVE] = "receive",
	[LB_OP_CREATE] = "create",     [LB_OP_MKDIR] = "mkdir",
	[LB_OP_MKNOD] = "mknod",       [LB_OP_SYMLINK] = "symlink",
	[LB_OP_LINK] = "link",	       [LB_OP_UNLINK] = "unlink",
	[LB_OP_RMDIR] = "rmdir",       [LB_OP_RENAME] = "rename",
	[LB_OP_TRUNCATE] = "truncate", [LB_OP_SETATTR] = "setattr",
	[LB_OP_SETXATTR] = "setxattr", [LB_OP_REMOVEXATTR] = "removexattr",
	[LB_OP_BPF] = "bpf",	       [LB_OP_PTRACE] = "ptrace",
	[LB_OP_SIGNAL] = "signal",     [LB_OP_UMOUNT] = "umount",
};

static const char *const reasons[] = {
	[LB_REASON_GRANT] = "grant",	 [LB_REASON_NO_GRANT] = "no_grant",
	[LB_REASON_EXPIRED] = "expired", [LB_REASON_ACCESS] = "access",
	[LB_REASON_DEPTH] = "depth",	 [LB_REASON_NO_LOG] = "no_log",
	[LB_REASON_TAMPER] = "tamper",	 [LB_REASON_DETACHED] = "detached",
};

#define NAMES_MAX_USER 16 /* the kernel writes at most NAMES_MAX (bpf/guard.bpf.h) */

/* "2026-11-28T18:00:00.123Z" for a CLOCK_BOOTTIME stamp */
static void event_time(struct agent *a, __u64 boot_ns, char *buf, size_t len)
{
	int64_t wall_ns = (int64_t)boot_ns + a->boot_to_wall_ns;
	char t[TIME_BUF];
	size_t n;

	time_format(wall_ns / 1000000000LL, t, sizeof(t));
	n = strlen(t);
	if (n && t[n - 1] == 'Z')
		t[n - 1] = 0;
	snprintf(buf, len, "%s.%03lldZ", t, (long long)(wall_ns % 1000000000LL) / 1000000);
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

/* LB_PATH_NAMES: leaf-first names under a zone root, joined under the root's path. */
static void names_to_path(struct agent *a, const struct lb_event *e, char *out, size_t len)
{
	const char *names[NAMES_MAX_USER];
	const char *root = root_path(a, e->dev, e->ino);
	size_t n = 0, off = 0, o;

	while (n < e->names && n < NAMES_MAX_USER && off < LB_PATH_LEN && e->path[off]) {
		names[n++] = &e->path[off];
		off += strnlen(&e->path[off], LB_PATH_LEN - off) + 1;
	}
	o = snprintf(out, len, "%s", root ? root : (n >= NAMES_MAX_USER ? "..." : ""));
	for (size_t i = n; i-- > 0 && o < len;)
		o += snprintf(out + o, len - o, "/%.*s", (int)(LB_PATH_LEN - (names[i] - e->path)),
			      names[i]);
	if (!n && !root)
		snprintf(out, len, "?");
}

static json_t *event_record(struct agent *a, const struct lb_event *e)
{
	const struct zone_ref *z = zone_by_id(a, e->zone);
	char zone[32], t[48];
	json_t *rec;

	char path[2 * LB_PATH_LEN];

	if (e->path_kind == LB_PATH_NAMES)
		names_to_path(a, e, path, sizeof(path));
	else
		snprintf(path, sizeof(path), "%.*s", LB_PATH_LEN, e->path);
	event_time(a, e->time_ns, t, sizeof(t));
	snprintf(zone, sizeof(zone), e->zone == LB_ZONE_GUARD ? "lockbox-guard" : "zone#%u",
		 e->zone);
	rec = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:s, s:s, s:I, s:I, s:o, s:o, s:s, s:s, "
			"s:s}",
			"source", "kernel", "type",
			e->verdict == LB_VERDICT_ALLOW ? "access.allowed" : "access.denied", "time",
			t, "uid", (json_int_t)e->uid, "user", user_name(a, e->uid), "engineer_uid",
			(json_int_t)e->engineer, "engineer", user_name(a, e->engineer), "op",
			op_names[e->op], "pid", (json_int_t)e->tgid, "tid", (json_int_t)e->pid,
			"comm", text_json(e->comm, LB_COMM_LEN), "path",
			text_json(path, sizeof(path)), "access",
			e->access & LB_ACCESS_WRITE ? "write" : "read", "verdict",
			e->verdict == LB_VERDICT_ALLOW	? "allow"
			: e->verdict == LB_VERDICT_DENY ? "deny"
							: "audit",
			"reason", reasons[e->reason]);
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

/* Everything from the kernel is checked before it is believed. */
static int event_valid(const struct lb_event *e, size_t len)
{
	if (len < sizeof(*e))
		return -EBADMSG;
	if (!e->op || e->op >= LB_OP_MAX || !op_names[e->op])
		return -EBADMSG;
	if (e->verdict > LB_VERDICT_AUDIT || e->reason > LB_REASON_DETACHED)
		return -EBADMSG;
	if (e->path_kind > LB_PATH_NAMES)
		return -EBADMSG;
	return 0;
}

static int on_event(void *ctx, void *data, size_t len)
{
	struct agent *a = ctx;
	const struct lb_event *e = data;
	int err;

	if (event_valid(e, len)) {
		log_warn("events: dropped a malformed kernel record (%zu bytes)", len);
		return 0;
	}
	err = agent_audit(a, event_record(a, e));
	if (err) {
		a->batch_err = err;
		return err;
	}
	/* a full batch: stop (the record is consumed); the loop comes back for the rest */
	return ++a->batch_n >= BATCH_MAX ? -EAGAIN : 0;
}

int events_open(struct agent *a)
{
	a->rb = ring_buffer__new(guard_events_fd(a->g), on_event, a, NULL);
	return a->rb ? 0 : -errno;
}

void events_close(struct agent *a)
{
	ring_buffer__free(a->rb);
	a->rb = NULL;
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

int agent_consume_events(struct agent *a)
{
	int ret;

	a->batch_n = 0;
	a->batch_err = 0;
	refresh_clock_offset(a);
	ret = tx_begin(a);
	if (ret)
		return ret;
	ret = ring_buffer__consume(a->rb);
	if (a->batch_err || (ret < 0 && ret != -EINTR && ret != -EAGAIN)) {
		tx_rollback(a);
		return a->batch_err ? a->batch_err : ret;
	}
	ret = tx_commit(a);
	/* a full batch may have left more behind: say so, the loop polls again */
	return ret ? ret : a->batch_n;
}

int events_check_lost(struct agent *a)
{
	__u64 cnt[LB_CNT_MAX];
	json_t *rec;
	int err = guard_counters(a->g, cnt);

	if (err || cnt[LB_CNT_EVENTS_LOST] <= a->lost_seen)
		return err;
	err = tx_begin(a);
	if (err)
		return err;
	rec = agent_record(a, "events.lost", (uint32_t)-1, NULL, 0);
	json_object_set_new(rec, "count", json_integer(cnt[LB_CNT_EVENTS_LOST] - a->lost_seen));
	json_object_set_new(rec, "total", json_integer(cnt[LB_CNT_EVENTS_LOST]));
	json_object_set_new(rec, "denied_for_no_log", json_integer(cnt[LB_CNT_NOLOG_DENIED]));
	err = agent_audit(a, rec);
	if (!err)
		err = tx_commit(a);
	if (err) {
		tx_rollback(a);
		return err;
	}
	a->lost_seen = cnt[LB_CNT_EVENTS_LOST];
	return 0;
}
