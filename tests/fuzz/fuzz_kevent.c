// SPDX-License-Identifier: GPL-2.0-only
/*
 * Arbitrary bytes as a ring buffer record, in a buffer of exactly their size (so
 * ASan sees any read past a short record). kevent_check() must refuse what it
 * cannot vouch for; an accepted record's names and path, as the audit record is
 * built from them, are then known, terminated and within their buffers.
 * The seeds in corpus/kevent/ are struct lb_event images (344 bytes, x86-64).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kevent.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

static void check_accepted(const struct lb_event *e)
{
	char out[2 * LB_PATH_LEN + 8], small[8];

	CHECK(kevent_op_name(e->op) && kevent_verdict_name(e->verdict) &&
	      kevent_reason_name(e->reason));
	CHECK(e->path_kind == LB_PATH_FULL || e->path_kind == LB_PATH_NAMES);
	CHECK(e->path_kind == LB_PATH_NAMES || e->names == 0);
	CHECK(e->names <= LB_PATH_NAMES_MAX);
	CHECK(e->count >= 1);
	memset(out, 'x', sizeof(out));
	kevent_path(e, "/srv/zone", out, sizeof(out));
	CHECK(memchr(out, '\0', sizeof(out)));
	if (e->path_kind == LB_PATH_FULL)
		CHECK(!strcmp(out, e->path));
	else
		CHECK(!strncmp(out, "/srv/zone", 9));
	kevent_path(e, NULL, small, sizeof(small));
	CHECK(memchr(small, '\0', sizeof(small)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lb_event *e = malloc(size ? size : 1);

	if (!e)
		return 0;
	memcpy(e, data, size);
	if (kevent_check(e, size) == 0) {
		CHECK(size >= sizeof(*e));
		check_accepted(e);
	}
	free(e);
	return 0;
}
