// SPDX-License-Identifier: GPL-2.0-only
/* Kernel events held from the ring buffer until they are committed (evbatch.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "evbatch.h"
#include "kevent.h"

int evbatch_init(struct evbatch *b, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->ev = calloc(cap, sizeof(*b->ev));
	if (!b->ev)
		return -ENOMEM;
	b->cap = cap;
	return 0;
}

void evbatch_free(struct evbatch *b)
{
	if (!b)
		return;
	free(b->ev);
	b->ev = NULL;
	b->n = b->cap = 0;
}

bool evbatch_full(const struct evbatch *b)
{
	return b->n >= b->cap;
}

int evbatch_add(struct evbatch *b, const void *data, size_t len)
{
	if (evbatch_full(b))
		return -ENOSPC;
	if (kevent_check(data, len)) { /* checked before it is believed */
		b->dropped++;
		return -EBADMSG;
	}
	memcpy(&b->ev[b->n++], data, sizeof(struct lb_event));
	return 0;
}

uint64_t evbatch_accesses(const struct evbatch *b)
{
	uint64_t n = 0;

	for (size_t i = 0; i < b->n; i++)
		n += b->ev[i].count; /* kevent_check(): at least 1 */
	return n;
}

int evbatch_commit(struct evbatch *b, const struct evbatch_tx *tx)
{
	size_t skipped = 0, i;
	uint64_t lost = 0;
	int err;

	if (!b->n)
		return 0;
	err = tx->begin(tx->ctx);
	if (err)
		return err;
	for (i = 0; i < b->n; i++) {
		err = tx->store(&b->ev[i], tx->ctx);
		if (err == -EINVAL) {
			/* never storable: counted, not retried forever, as the accesses it stands
			 * for */
			skipped++;
			lost += b->ev[i].count;
			err = 0;
		}
		if (err)
			goto rollback;
	}
	err = tx->commit(tx->ctx);
	if (err)
		goto rollback;
	b->dropped += lost;
	i = b->n - skipped;
	b->n = 0;
	return (int)i;
rollback:
	tx->rollback(tx->ctx);
	return err;
}
