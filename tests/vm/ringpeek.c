// SPDX-License-Identifier: GPL-2.0-only
/* ringpeek: how full the pinned events ring buffer is (0..1), as the metrics read it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lockbox.h"
#include "ringfill.h"

int main(void)
{
	struct ringfill *r;
	int fd = bpf_obj_get(LB_PIN_DIR "/events"), err;

	if (fd < 0) {
		fprintf(stderr, "ringpeek: %s/events: %s\n", LB_PIN_DIR, strerror(errno));
		return 1;
	}
	err = ringfill_open(fd, &r);
	if (err) {
		fprintf(stderr, "ringpeek: %s\n", strerror(-err));
		return 1;
	}
	printf("%.6f\n", ringfill_ratio(r));
	ringfill_close(r);
	return 0;
}
