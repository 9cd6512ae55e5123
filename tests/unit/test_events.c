// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel events into the trail (events.c): a ring record becomes an
 * access.* record with names for the user, zone, op and verdict; a batch
 * that fails to commit is held and stored later; what the kernel lost and
 * the agent dropped is recorded as events.lost, once.
 */
#include <time.h>
#include "audit.h"
#include "ctx_double.h"
#include "events.h"
#include "timefmt.h"

static struct lb_event event(struct fake *f, const char *comm)
{
	struct lb_event e = {0};
	struct timespec boot;

	clock_gettime(CLOCK_BOOTTIME, &boot);
	e.time_ns = (__u64)boot.tv_sec * 1000000000ULL + boot.tv_nsec;
	e.uid = ENG;
	e.engineer = ENG;
	e.loginuid = LB_UID_UNSET;
	e.pid = 101;
	e.tgid = 100;
	e.zone = f->zones[0].id;
	e.op = LB_OP_OPEN;
	e.verdict = LB_VERDICT_DENY;
	e.reason = LB_REASON_NO_GRANT;
	e.access = LB_ACCESS_READ;
	e.path_kind = LB_PATH_FULL;
	e.count = 1;
	snprintf(e.comm, sizeof(e.comm), "%s", comm);
	snprintf(e.path, sizeof(e.path), "/srv/customers/acme/secret.txt");
	return e;
}

static const char *field(json_t *rec, const char *key)
{
	const char *s = json_string_value(json_object_get(rec, key));

	return s ? s : "";
}

static void test_record(struct fake *f, struct events *ev)
{
	struct lb_event e = event(f, "cat");
	json_t *rec = NULL;

	is_int(events_feed(ev, &e, sizeof(e)), 0, "a kernel record is taken in");
	ok(events_held(ev), "and held until stored");
	is_int(count_type(f, "access.denied", NULL), 0, "nothing in the trail before the commit");
	ok(events_consume(ev) >= 0, "consume stores the batch");
	ok(!events_held(ev), "nothing held after");
	is_int(count_type(f, "access.denied", &rec), 1, "access.denied in the trail");
	is_str(field(rec, "source"), "kernel", "source kernel");
	is_str(field(rec, "user"), "daemon", "the user by name");
	is_str(field(rec, "engineer"), "daemon", "the engineer by name");
	is_str(field(rec, "zone"), "acme", "the zone by name");
	is_str(field(rec, "op"), "open", "the op by name");
	is_str(field(rec, "verdict"), "deny", "the verdict");
	is_str(field(rec, "reason"), "no_grant", "the reason");
	is_str(field(rec, "access"), "read", "the access");
	is_str(field(rec, "comm"), "cat", "the command");
	is_str(field(rec, "path"), "/srv/customers/acme/secret.txt", "the path");
	ok(json_is_null(json_object_get(rec, "loginuid")), "no login uid: null");
	ok(json_is_null(json_object_get(rec, "request")), "no grant: request null");
	is_int(strlen(field(rec, "time")), 24, "a millisecond time: %s", field(rec, "time"));
	json_decref(rec);

	e = event(f, "\xff\xfe");
	e.zone = LB_ZONE_GUARD;
	e.verdict = LB_VERDICT_ALLOW;
	e.reason = LB_REASON_GRANT;
	e.grant_id = 42;
	events_feed(ev, &e, sizeof(e));
	ok(events_consume(ev) >= 0, "a second event");
	is_int(count_type(f, "access.allowed", &rec), 1, "access.allowed in the trail");
	is_str(field(rec, "zone"), "lockbox-guard", "the guard's own zone by its name");
	is_str(field(rec, "comm"), "\\xff\\xfe", "a command name not UTF-8: escaped");
	is_int(json_integer_value(json_object_get(rec, "request")), 42, "the grant's request");
	json_decref(rec);
}

static void test_held(struct fake *f, struct events *ev)
{
	struct lb_event e = event(f, "ls");
	int before = count_type(f, "access.denied", NULL);

	events_feed(ev, &e, sizeof(e));
	events_feed(ev, &e, sizeof(e));
	f->fail_commit = -EBUSY;
	is_int(events_consume(ev), -EBUSY, "a failed commit is reported");
	ok(events_held(ev), "and the batch is held");
	is_int(events_held_count(ev), 2, "whole");
	is_int(count_type(f, "access.denied", NULL), before, "nothing stored");
	f->fail_commit = 0;
	ok(events_consume(ev) >= 0, "the next consume stores the held batch");
	is_int(count_type(f, "access.denied", NULL), before + 2, "both in the trail, once");
}

/* The metrics' per-zone counts: what the trail holds, a failed commit not counted twice. */
static void test_zone_counts(struct fake *f, struct events *ev)
{
	struct lb_event e = event(f, "cat");
	uint64_t denied, allowed, d0, a0;

	events_zone_counts(ev, e.zone, &d0, &a0);
	is_int(d0, 3, "acme: the three denials stored so far");
	events_feed(ev, &e, sizeof(e));
	e.verdict = LB_VERDICT_ALLOW;
	events_feed(ev, &e, sizeof(e));
	f->fail_commit = -EBUSY;
	events_consume(ev);
	events_zone_counts(ev, e.zone, &denied, &allowed);
	ok(denied == d0 && allowed == a0, "a batch that failed to commit is not counted");
	f->fail_commit = 0;
	events_consume(ev);
	events_zone_counts(ev, e.zone, &denied, &allowed);
	ok(denied == d0 + 1 && allowed == a0 + 1, "once stored, counted once (%llu, %llu)",
	   (unsigned long long)denied, (unsigned long long)allowed);
	e.verdict = LB_VERDICT_AUDIT;
	events_feed(ev, &e, sizeof(e));
	events_consume(ev);
	events_zone_counts(ev, e.zone, &denied, &allowed);
	ok(denied == d0 + 1 && allowed == a0 + 1, "a permissive would-deny is neither");
	events_zone_counts(ev, 999, &denied, &allowed);
	ok(denied == 0 && allowed == 0, "a zone with no events: zero");
}

static void test_lost(struct fake *f, struct events *ev)
{
	struct lb_event e = event(f, "ls");
	json_t *rec = NULL;

	is_int(events_check_lost(ev), 0, "nothing lost: check_lost is quiet");
	is_int(count_type(f, "events.lost", NULL), 0, "no events.lost");
	f->cnt[LB_CNT_EVENTS_LOST] = 5;
	is_int(events_feed(ev, &e, sizeof(e) - 1), -EBADMSG, "a short record is refused");
	is_int(events_check_lost(ev), 0, "check_lost records the losses");
	is_int(count_type(f, "events.lost", &rec), 1, "one events.lost");
	is_int(json_integer_value(json_object_get(rec, "count")), 6, "five lost, one dropped");
	is_int(json_integer_value(json_object_get(rec, "total")), 5, "the kernel's total");
	is_int(json_integer_value(json_object_get(rec, "dropped_by_agent")), 1,
	       "the agent's drop counted");
	json_decref(rec);
	events_check_lost(ev);
	is_int(count_type(f, "events.lost", NULL), 1, "the same losses are not recorded twice");
	events_lost_seen(ev, 9);
	f->cnt[LB_CNT_EVENTS_LOST] = 9;
	events_check_lost(ev);
	is_int(count_type(f, "events.lost", NULL), 1, "losses agent.started reported: not again");
	f->cnt[LB_CNT_EVENTS_LOST] = 10;
	events_check_lost(ev);
	is_int(count_type(f, "events.lost", &rec), 2, "a new loss: a new record");
	is_int(json_integer_value(json_object_get(rec, "count")), 1, "of one");
	json_decref(rec);
}

static void test_abandon(struct fake *f, struct events *ev)
{
	struct lb_event e = event(f, "ls");

	events_feed(ev, &e, sizeof(e));
	events_feed(ev, &e, sizeof(e));
	is_int(events_abandon(ev), 0, "stopping with events held");
	is_int(f->cnt[LB_CNT_EVENTS_LOST], 12, "they go into the kernel's lost counter");
	ok(!events_held(ev), "and are no longer held");
}

struct by_comm {
	const char *comm;
	json_t *last;
};

static int by_comm_cb(json_t *rec, void *ctx)
{
	struct by_comm *c = ctx;

	if (!strcmp(field(rec, "comm"), c->comm)) {
		json_decref(c->last);
		c->last = json_incref(rec);
	}
	return 0;
}

/* The last record of a command named @comm (owned; NULL if none). */
static json_t *record_of(struct fake *f, const char *comm)
{
	struct by_comm c = {comm, NULL};

	audit_foreach(f->st, 0, 0, by_comm_cb, &c);
	return c.last;
}

/* Three events: 1 ms apart, then a second later; their records' times say so. */
static void test_times_to_the_millisecond(struct fake *f, struct events *ev)
{
	struct lb_event e = event(f, "date");
	const char *tag[3] = {"t0", "t1", "t2"};
	char t[3][48];
	int64_t s[3];
	json_t *rec;
	int ms[3];

	for (int i = 0; i < 3; i++) {
		struct lb_event x = e;

		x.time_ns += i == 1 ? 1000000 : i == 2 ? 1000000000 : 0;
		snprintf(x.comm, sizeof(x.comm), "%s", tag[i]);
		events_feed(ev, &x, sizeof(x));
	}
	ok(events_consume(ev) >= 0, "three timed events stored");
	for (int i = 0; i < 3; i++) {
		rec = record_of(f, tag[i]);
		snprintf(t[i], sizeof(t[i]), "%s", field(rec, "time"));
		json_decref(rec);
		ms[i] = atoi(t[i] + 20);
		time_parse_rfc3339(t[i], &s[i]);
	}
	ok(strlen(t[0]) == 24 && t[0][23] == 'Z', "an RFC 3339 time to the ms: %s", t[0]);
	is_int((ms[1] - ms[0] + 1000) % 1000, 1, "test_times_to_the_millisecond: %s, 1 ms later %s",
	       t[0], t[1]);
	is_int(ms[2], ms[0], "a second later, the same milliseconds: %s", t[2]);
	is_int(s[2] - s[0], 1, "and the next second");
}

struct text_fake {
	struct fake *f;
	bool usable;
	int appended;
};

static bool tf_usable(void *ctx)
{
	return ((struct text_fake *)ctx)->usable;
}

static int tf_append(void *ctx, const char *head, size_t hlen, const char *tail, size_t tlen)
{
	struct text_fake *t = ctx;

	t->appended++;
	return audit_append_text(t->f->st, head, hlen, tail, tlen, NULL);
}

/* With a text sink that may be used, records go there; when it may not, as objects. */
static void test_text_sink(struct fake *f, struct events *ev)
{
	struct text_fake t = {.f = f, .usable = true};
	struct lb_event e = event(f, "vi");
	int objects = f->appended, before = count_type(f, "access.denied", NULL);
	json_t *rec = NULL;

	events_set_text_sink(ev, &(struct events_text_sink){tf_usable, tf_append, &t});
	events_feed(ev, &e, sizeof(e));
	ok(events_consume(ev) >= 0, "consume with a text sink");
	is_int(t.appended, 1, "test_text_sink_takes_records: the record went as text");
	is_int(f->appended, objects, "not as an object");
	is_int(count_type(f, "access.denied", &rec), before + 1, "and is in the trail");
	is_str(field(rec, "comm"), "vi", "named as the object would be");
	is_str(field(rec, "host"), f->x.host, "with the host");
	json_decref(rec);
	t.usable = false; /* someone follows the trail: they need the object */
	events_feed(ev, &e, sizeof(e));
	ok(events_consume(ev) >= 0, "consume when the sink may not be used");
	is_int(t.appended, 1, "test_text_sink_unusable_means_objects: not as text");
	is_int(f->appended, objects + 1, "but as an object");
	events_set_text_sink(ev, &(struct events_text_sink){0});
}

/* The guard's count of a burst of denials, taken once its window passed: one record, exact. */
static void test_denials(struct fake *f, struct events *ev)
{
	struct lb_denials *dn = calloc(1, sizeof(*dn));
	struct lb_event e = event(f, "cat");
	struct lb_deny_slot *s;
	uint64_t d0, d1, a;
	json_t *rec = NULL;
	int before = count_type(f, "access.denied", NULL);

	if (!ok(dn != NULL, "a denials table"))
		return;
	s = &dn->slot[17];
	s->uid = s->engineer = e.uid;
	s->loginuid = e.loginuid;
	s->zone = e.zone;
	s->op = LB_OP_OPEN;
	s->access = LB_ACCESS_READ;
	s->verdict = LB_VERDICT_DENY;
	s->reason = LB_REASON_NO_GRANT;
	memcpy(s->path, e.path, sizeof(s->path));
	s->start_ns = e.time_ns - 3 * LB_DENY_WINDOW_NS;
	s->first_ns = s->start_ns + 1000000;
	s->last_ns = s->start_ns + 999000000;
	s->count = 99999;
	events_zone_counts(ev, e.zone, &d0, &a);
	events_set_denials(ev, dn);
	ok(events_consume(ev) >= 0, "consume takes the counts whose window passed");
	is_int(s->count, 0, "the slot is emptied");
	is_int(count_type(f, "access.denied", &rec), before + 1, "into one access.denied record");
	is_int(json_integer_value(json_object_get(rec, "count")), 99999, "with the exact count");
	ok(json_is_true(json_object_get(rec, "repeats")), "marked as repeats");
	ok(strlen(field(rec, "first")) == 24 && strlen(field(rec, "last")) == 24 &&
		   strcmp(field(rec, "first"), field(rec, "last")) < 0,
	   "its first and last denial, to the millisecond: %s, %s", field(rec, "first"),
	   field(rec, "last"));
	is_str(field(rec, "time"), field(rec, "last"), "its time is the last");
	is_str(field(rec, "path"), "/srv/customers/acme/secret.txt", "the file's path");
	events_zone_counts(ev, e.zone, &d1, &a);
	ok(d1 == d0 + 99999, "the metrics count every denial it stands for");
	events_set_denials(ev, NULL);
	json_decref(rec);
	free(dn);
}

int main(void)
{
	struct events *ev = NULL;
	struct fake f;

	if (!ok(fake_open(&f) == 0, "a context on a temp store"))
		return done_testing();
	is_int(events_open(&f.x, -1, &ev), 0, "events without a ring, fed by the test");
	is_int(events_fd(ev), -1, "no ring: no fd");
	test_record(&f, ev);
	test_held(&f, ev);
	test_zone_counts(&f, ev);
	test_lost(&f, ev);
	test_abandon(&f, ev);
	test_times_to_the_millisecond(&f, ev);
	test_text_sink(&f, ev);
	test_denials(&f, ev);
	events_close(ev);
	fake_close(&f);
	return done_testing();
}
