/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which build of the guard's programs is attached: a SHA-256 of the BPF
 * object, kept in a one-entry map pinned beside the guard. An agent restart
 * of the same build keeps the running programs instead of verifying them all
 * again (tens of seconds on a busy host, most of the restart).
 */
#ifndef LOCKBOX_BUILD_STAMP_H
#define LOCKBOX_BUILD_STAMP_H

#include <stdbool.h>
#include <stddef.h>

#define BUILD_STAMP_LEN 32
#define BUILD_STAMP_PIN "build_stamp"

/* The stamp of the BPF object @obj (@len bytes): 0 or -EIO. */
int build_stamp_of(const void *obj, size_t len, unsigned char out[BUILD_STAMP_LEN]);
/* Whether the pinned stamp under @dir is @stamp (false if none is pinned). */
bool build_stamp_matches(const char *dir, const unsigned char stamp[BUILD_STAMP_LEN]);
/*
 * Pins @stamp under @dir, or clears it when @stamp is NULL: cleared before
 * links are replaced, written once all are, so a load cut short leaves no
 * stamp and the next start loads everything. 0 or -errno.
 */
int build_stamp_set(const char *dir, const unsigned char stamp[BUILD_STAMP_LEN]);

#endif
