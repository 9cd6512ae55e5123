/* SPDX-License-Identifier: GPL-2.0-only */
/* Reading the kernel's event records: names of ops, verdicts and reasons, and paths. */
#ifndef KEVENT_H
#define KEVENT_H

#include <stddef.h>
#include <linux/types.h>
#include "lockbox.h"

/* NULL for a value the kernel should never send. */
const char *kevent_op_name(unsigned op);
const char *kevent_verdict_name(unsigned verdict);
const char *kevent_reason_name(unsigned reason);
/*
 * 0 if @e (of @len bytes) is a record the guard can have written: known op,
 * verdict, reason and access bits, a NUL-terminated path, and for LB_PATH_NAMES
 * at most LB_PATH_NAMES_MAX names, each ending inside the path; -EBADMSG otherwise.
 */
int kevent_check(const struct lb_event *e, size_t len);
/*
 * The event's path: as is for LB_PATH_FULL; for LB_PATH_NAMES the leaf-first
 * names joined under @root (the zone root's path; NULL when unknown).
 */
void kevent_path(const struct lb_event *e, const char *root, char *out, size_t len);

#endif /* KEVENT_H */
