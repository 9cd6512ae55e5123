// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include "config.h"
#include "events.h"
#include "metrics_gather.h"
#include "store.h"

static int zones_gather(const struct cmd_ctx *x, const struct events *ev, struct metrics *m)
{
	struct metrics_zone *z = calloc(x->n_zones ? x->n_zones : 1, sizeof(*z));

	if (!z)
		return -ENOMEM;
	for (size_t i = 0; i < x->n_zones; i++) {
		z[i].name = x->zones[i].cfg->name;
		events_zone_counts(ev, x->zones[i].id, &z[i].denied, &z[i].allowed);
	}
	m->zones = z;
	m->n_zones = x->n_zones;
	return 0;
}

int metrics_gather(const struct cmd_ctx *x, const struct events *ev, double ring_fill,
		   int64_t started, int64_t now, struct metrics *m)
{
	__u64 cnt[LB_CNT_MAX] = {0};
	int64_t pending = 0, oldest = 0;
	int err;

	*m = (struct metrics){.host = x->host,
			      .version = LOCKBOX_VERSION,
			      .ring_fill = ring_fill,
			      .started = started};
	err = store_request_counts(x->st, m->requests);
	err = err ?: store_outbox_pending(x->st, &pending);
	err = err ?: store_outbox_oldest(x->st, &oldest);
	err = err ?: x->grants->counters(x->guard, cnt);
	if (err)
		return err;
	m->grants_active = m->requests[REQ_APPROVED];
	m->outbox_pending = (uint64_t)pending;
	m->outbox_oldest_age = oldest && now > oldest ? now - oldest : 0;
	m->events_lost = cnt[LB_CNT_EVENTS_LOST];
	return zones_gather(x, ev, m);
}
