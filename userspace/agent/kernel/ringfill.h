/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How full the guard's event ring buffer is: the kernel's producer and the
 * agent's consumer positions, read from the map's own pages (libbpf 1.1 has
 * no ring__avail_data_size()). For the metrics, not for any decision.
 */
#ifndef RINGFILL_H
#define RINGFILL_H

#include <stddef.h>

struct ringfill;

/* @map_fd: a BPF_MAP_TYPE_RINGBUF map. 0 or -errno. */
int ringfill_open(int map_fd, struct ringfill **out);
void ringfill_close(struct ringfill *r); /* NULL-safe */
/* Bytes written and not yet consumed, over the buffer's size: 0..1. */
double ringfill_ratio(const struct ringfill *r);

#endif /* RINGFILL_H */
