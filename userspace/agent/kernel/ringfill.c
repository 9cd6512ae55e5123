// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "ringfill.h"

struct ringfill {
	const volatile unsigned long *consumer; /* page 0 of the map */
	const volatile unsigned long *producer; /* page 1 */
	size_t page, size;
};

int ringfill_open(int map_fd, struct ringfill **out)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct ringfill *r;
	void *c, *p;

	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_RINGBUF || !info.max_entries)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->page = (size_t)sysconf(_SC_PAGESIZE);
	r->size = info.max_entries;
	c = mmap(NULL, r->page, PROT_READ, MAP_SHARED, map_fd, 0);
	p = mmap(NULL, r->page, PROT_READ, MAP_SHARED, map_fd, (off_t)r->page);
	if (c == MAP_FAILED || p == MAP_FAILED) {
		int err = -errno;

		if (c != MAP_FAILED)
			munmap(c, r->page);
		free(r);
		return err;
	}
	r->consumer = c;
	r->producer = p;
	*out = r;
	return 0;
}

void ringfill_close(struct ringfill *r)
{
	if (!r)
		return;
	munmap((void *)r->consumer, r->page);
	munmap((void *)r->producer, r->page);
	free(r);
}

double ringfill_ratio(const struct ringfill *r)
{
	unsigned long used;

	if (!r)
		return 0;
	used = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE) -
	       __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE);
	return used >= r->size ? 1.0 : (double)used / (double)r->size;
}
