/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel events taken from the ring buffer and held until the transaction that
 * stores them commits. A batch that fails to commit is kept whole and tried
 * again; the agent takes nothing more from the ring meanwhile, so the kernel
 * counts what it cannot hold (events_lost) and nothing consumed is dropped
 * uncounted.
 */
#ifndef EVBATCH_H
#define EVBATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "lockbox.h"

struct evbatch {
	struct lb_event *ev;
	size_t n, cap;
	uint64_t
		dropped; /* refused here, ever: a malformed record 1, an unstorable one its count */
};

int evbatch_init(struct evbatch *b, size_t cap);
void evbatch_free(struct evbatch *b); /* NULL-safe */
bool evbatch_full(const struct evbatch *b);
/*
 * Copies one raw ring record in. A malformed record is counted in @dropped
 * (-EBADMSG); a full batch takes nothing (-ENOSPC): stop consuming first.
 */
int evbatch_add(struct evbatch *b, const void *data, size_t len);

/*
 * Stores one event inside the caller's open transaction: 0, -EINVAL when this
 * record can never be stored (it is counted dropped and skipped), or another
 * -errno that fails the whole batch.
 */
typedef int (*evbatch_store_fn)(const struct lb_event *e, void *ctx);
/* Opens, commits or rolls back the transaction around the batch. */
struct evbatch_tx {
	int (*begin)(void *ctx);
	int (*commit)(void *ctx);
	void (*rollback)(void *ctx);
	evbatch_store_fn store;
	void *ctx;
};

/* The accesses the held records stand for: a counted record's count, else 1 each. */
uint64_t evbatch_accesses(const struct evbatch *b);

/*
 * Stores every held event in one transaction. On success the batch is empty
 * and the number stored is returned; on failure it is kept whole for the
 * next try and -errno is returned.
 */
int evbatch_commit(struct evbatch *b, const struct evbatch_tx *tx);

#endif /* EVBATCH_H */
