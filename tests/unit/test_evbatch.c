// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel events between the ring and the store: a commit that fails (busy
 * database, full disk) keeps the whole batch for the next try, and every
 * record taken in is either stored once or counted as dropped.
 */
#include <errno.h>
#include <string.h>
#include "tap.h"
#include "evbatch.h"

/* A fake store: records go to pending inside a transaction, to committed on commit. */
struct fake {
	int fail_begin, fail_commit, fail_store_at, invalid_id;
	__u64 pending[16], committed[64];
	int n_pending, n_committed, stores;
	bool open;
};

static int f_begin(void *ctx)
{
	struct fake *f = ctx;

	if (f->fail_begin)
		return f->fail_begin;
	f->open = true;
	f->n_pending = 0;
	return 0;
}

static int f_commit(void *ctx)
{
	struct fake *f = ctx;

	if (f->fail_commit)
		return f->fail_commit;
	memcpy(&f->committed[f->n_committed], f->pending, f->n_pending * sizeof(__u64));
	f->n_committed += f->n_pending;
	f->n_pending = 0;
	f->open = false;
	return 0;
}

static void f_rollback(void *ctx)
{
	struct fake *f = ctx;

	f->n_pending = 0;
	f->open = false;
}

static int f_store(const struct lb_event *e, void *ctx)
{
	struct fake *f = ctx;

	if (!f->open)
		return -EPROTO;
	if (++f->stores == f->fail_store_at)
		return -ENOSPC;
	if (f->invalid_id && e->grant_id == (__u64)f->invalid_id)
		return -EINVAL;
	f->pending[f->n_pending++] = e->grant_id;
	return 0;
}

static struct lb_event event(__u64 id)
{
	struct lb_event e;

	memset(&e, 0, sizeof(e));
	e.grant_id = id;
	e.op = LB_OP_OPEN;
	e.verdict = LB_VERDICT_DENY;
	e.reason = LB_REASON_NO_GRANT;
	e.count = 1;
	return e;
}

static void test_failed_commit_keeps_the_batch(void)
{
	struct fake f = {0};
	const struct evbatch_tx tx = {f_begin, f_commit, f_rollback, f_store, &f};
	struct evbatch b;
	struct lb_event e;
	int i;

	is_int(evbatch_init(&b, 4), 0, "a batch of 4");
	for (i = 1; i <= 3; i++) {
		e = event(i);
		is_int(evbatch_add(&b, &e, sizeof(e)), 0, "event %d taken in", i);
	}
	is_int(evbatch_add(&b, &e, sizeof(e) - 1), -EBADMSG, "a short record is refused");
	is_int(b.dropped, 1, "and counted as dropped");

	f.fail_commit = -EBUSY;
	is_int(evbatch_commit(&b, &tx), -EBUSY, "commit fails with SQLITE_BUSY's errno");
	is_int(b.n, 3, "the batch is kept whole");
	is_int(f.n_committed, 0, "nothing reached the store");
	f.fail_commit = 0;

	f.stores = 0;
	f.fail_store_at = 2;
	is_int(evbatch_commit(&b, &tx), -ENOSPC, "a full disk on the second record fails it");
	is_int(b.n, 3, "the batch is still kept whole");
	is_int(f.n_committed, 0, "and the first record was rolled back");
	f.fail_store_at = 0;

	f.fail_begin = -EIO;
	is_int(evbatch_commit(&b, &tx), -EIO, "a transaction that cannot start fails it");
	is_int(b.n, 3, "kept");
	f.fail_begin = 0;

	is_int(evbatch_commit(&b, &tx), 3, "the retry stores all three");
	is_int(b.n, 0, "and empties the batch");
	is_int(f.n_committed, 3, "each record once");
	ok(f.committed[0] == 1 && f.committed[1] == 2 && f.committed[2] == 3, "in ring order");
	is_int(evbatch_commit(&b, &tx), 0, "an empty batch commits nothing");
	is_int(f.n_committed + (int)b.dropped, 4, "taken in = stored + counted as dropped");
	evbatch_free(&b);
}

static void test_full_batch_takes_nothing_more(void)
{
	struct evbatch b;
	struct lb_event e = event(7);

	evbatch_init(&b, 2);
	evbatch_add(&b, &e, sizeof(e));
	ok(!evbatch_full(&b), "one of two: not full");
	evbatch_add(&b, &e, sizeof(e));
	ok(evbatch_full(&b), "two of two: full, the reader stops");
	is_int(evbatch_add(&b, &e, sizeof(e)), -ENOSPC, "a full batch takes nothing");
	is_int(b.n, 2, "still two");
	is_int(b.dropped, 0, "and nothing counted as dropped: it was never taken");
	evbatch_free(&b);
	evbatch_free(NULL);
}

static void test_unstorable_record_is_counted(void)
{
	struct fake f = {.invalid_id = 2};
	const struct evbatch_tx tx = {f_begin, f_commit, f_rollback, f_store, &f};
	struct evbatch b;
	struct lb_event e;

	evbatch_init(&b, 4);
	for (int i = 1; i <= 3; i++) {
		e = event(i);
		evbatch_add(&b, &e, sizeof(e));
	}
	is_int(evbatch_commit(&b, &tx), 2, "a record the store refuses does not block the rest");
	is_int(b.dropped, 1, "it is counted as dropped");
	is_int(b.n, 0, "and not retried forever");
	evbatch_free(&b);
}

/* A counted record stands for its count: held, and dropped, as that many accesses. */
static void test_counted_record_counts_its_accesses(void)
{
	struct fake f = {.invalid_id = 2};
	const struct evbatch_tx tx = {f_begin, f_commit, f_rollback, f_store, &f};
	struct evbatch b;
	struct lb_event e;

	evbatch_init(&b, 4);
	e = event(1);
	evbatch_add(&b, &e, sizeof(e));
	e = event(2);
	e.flags = LB_EVENT_REPEATS;
	e.count = 7;
	e.first_ns = 1;
	e.time_ns = 2;
	is_int(evbatch_add(&b, &e, sizeof(e)), 0, "a denial's repeats are taken in");
	is_int((int)evbatch_accesses(&b), 8, "the batch holds 8 accesses in 2 records");
	is_int(evbatch_commit(&b, &tx), 1, "the store refuses the counted one");
	is_int((int)b.dropped, 7, "counted as the 7 accesses it stands for, not 1");
	evbatch_free(&b);
}

int main(void)
{
	test_failed_commit_keeps_the_batch();
	test_full_batch_takes_nothing_more();
	test_unstorable_record_is_counted();
	test_counted_record_counts_its_accesses();
	return done_testing();
}
