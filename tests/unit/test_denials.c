// SPDX-License-Identifier: GPL-2.0-only
/*
 * The agent's side of the guard's denial counts (denials.c): a count whose
 * window has passed is taken as one record the boundary check accepts, its
 * slot emptied and let go; a count still in its window, or a slot the guard
 * holds, is left alone; no more than asked for is taken.
 */
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "denials.h"
#include "kevent.h"

#define NOW    (100 * LB_DENY_WINDOW_NS)
#define ENG    2001
#define EVENTS 8

struct taken {
	struct lb_event ev[EVENTS];
	size_t n;
};

static void collect(const struct lb_event *e, void *ctx)
{
	struct taken *t = ctx;

	if (t->n < EVENTS)
		t->ev[t->n++] = *e;
}

/* A slot that counted @count denied opens of data.txt by ENG, its window started at @start. */
static void fill(struct lb_deny_slot *s, __u32 count, __u64 start)
{
	memset(s, 0, sizeof(*s));
	s->seq = 6;
	s->engineer = ENG;
	s->uid = ENG;
	s->loginuid = ENG;
	s->inode = 0xffff888012345600ull;
	s->ino = 77;
	s->start_ns = start;
	s->first_ns = start + 10;
	s->last_ns = start + 900;
	s->zone = 1;
	s->root_dev = 8;
	s->root_ino = 2;
	s->op = LB_OP_OPEN;
	s->access = LB_ACCESS_READ;
	s->reason = LB_REASON_NO_GRANT;
	s->verdict = LB_VERDICT_DENY;
	s->path_kind = LB_PATH_FULL;
	strcpy(s->path, "/srv/customers/acme/data.txt");
	s->count = count;
}

static void test_due_count_is_taken(struct lb_denials *dn)
{
	struct taken t = {0};
	struct lb_event *e = &t.ev[0];

	fill(&dn->slot[3], 41, NOW - 2 * LB_DENY_WINDOW_NS);
	is_int(denials_take(dn, NOW, 16, collect, &t), 1, "a count whose window passed is taken");
	is_int(kevent_check(e, sizeof(*e)), 0, "as a record the boundary check accepts");
	ok(e->flags == LB_EVENT_REPEATS && e->count == 41, "a denial's repeats, 41 of them");
	ok(e->first_ns == NOW - 2 * LB_DENY_WINDOW_NS + 10 &&
		   e->time_ns == NOW - 2 * LB_DENY_WINDOW_NS + 900,
	   "from the first to the last denial counted");
	ok(e->uid == ENG && e->engineer == ENG && e->loginuid == ENG && e->zone == 1 &&
		   e->op == LB_OP_OPEN && e->verdict == LB_VERDICT_DENY &&
		   e->reason == LB_REASON_NO_GRANT && e->access == LB_ACCESS_READ,
	   "who, what and why as the slot says");
	ok(e->dev == 8 && e->ino == 2, "the zone root, as events carry it");
	is_str(e->path, "/srv/customers/acme/data.txt", "the file's path");
	ok(e->pid == 0 && e->comm[0] == 0, "no task: the denials were many");
	is_int(dn->slot[3].count, 0, "the slot's count is emptied");
	is_int(dn->slot[3].seq, 8, "and the slot let go (seq even, moved by two)");
	t.n = 0;
	is_int(denials_take(dn, NOW, 16, collect, &t), 0, "taken once, not twice");
}

static void test_others_are_left(struct lb_denials *dn)
{
	struct taken t = {0};

	fill(&dn->slot[5], 7, NOW - LB_DENY_WINDOW_NS / 2);
	fill(&dn->slot[6], 9, NOW - 5 * LB_DENY_WINDOW_NS);
	dn->slot[6].seq = 7; /* the guard has it */
	fill(&dn->slot[9], 0, NOW - 5 * LB_DENY_WINDOW_NS);
	fill(&dn->slot[10], 3, NOW + 5); /* a start the agent's clock has not reached */
	is_int(denials_take(dn, NOW, 16, collect, &t), 0, "nothing to take");
	is_int(dn->slot[5].count, 7, "a count still in its window stays with the guard");
	ok(dn->slot[6].count == 9 && dn->slot[6].seq == 7, "a slot the guard holds is not touched");
	is_int(dn->slot[10].count, 3, "nor one whose window started after now");
	dn->slot[6].seq = 8; /* the guard let go */
	is_int(denials_take(dn, NOW, 16, collect, &t), 1, "a slot let go is taken next time");
	is_int(t.ev[0].count, 9, "with its whole count");
}

static void test_at_most_max(struct lb_denials *dn)
{
	struct taken t = {0};

	for (int i = 100; i < 105; i++)
		fill(&dn->slot[i], (__u32)i, NOW - 3 * LB_DENY_WINDOW_NS);
	is_int(denials_take(dn, NOW, 2, collect, &t), 2, "no more than the batch has room for");
	is_int(dn->slot[102].count, 102, "the rest wait in their slots");
	is_int(denials_take(dn, NOW, 16, collect, &t), 3, "and are taken next time");
}

static struct lb_denials *racing; /* the guard, while the agent waits */
static int waits;

/* The wait for running programs: the guard takes slot 7 meanwhile. */
static int wait_while_guard_takes(void)
{
	waits++;
	if (racing)
		__atomic_fetch_add(&racing->slot[7].seq, 2, __ATOMIC_SEQ_CST);
	return 0;
}

/* A slot a killed agent left taken is let go; one the guard took meanwhile is not. */
static void test_stale_slots_released(struct lb_denials *dn)
{
	memset(dn, 0, sizeof(*dn));
	waits = 0;
	is_int(denials_release_stale(dn, wait_while_guard_takes), 0,
	       "no slot taken: nothing to do");
	is_int(waits, 0, "and no wait for the programs");
	dn->slot[3].seq = 5; /* an agent killed while it held slot 3 */
	dn->slot[7].seq = 9; /* the guard holds slot 7, and will move on */
	racing = dn;
	is_int(denials_release_stale(dn, wait_while_guard_takes), 1,
	       "the slot still taken after the wait is let go");
	racing = NULL;
	is_int(waits, 1, "after one wait for running programs");
	is_int(dn->slot[3].seq, 6, "slot 3 is free again");
	is_int(dn->slot[7].seq, 11, "slot 7, taken again by the guard meanwhile, is left alone");
}

int main(void)
{
	struct lb_denials *dn = calloc(1, sizeof(*dn));

	if (!ok(dn != NULL, "a denials table"))
		return done_testing();
	test_due_count_is_taken(dn);
	test_others_are_left(dn);
	test_at_most_max(dn);
	test_stale_slots_released(dn);
	free(dn);
	return done_testing();
}
