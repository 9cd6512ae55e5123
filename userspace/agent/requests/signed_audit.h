/* SPDX-License-Identifier: GPL-2.0-only */
/* audit verify --signatures (signed_audit.c). */
#ifndef SIGNED_AUDIT_H
#define SIGNED_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include "store.h"

/*
 * Re-verifies the signature of every record that carries one (signed approvals,
 * redeems and revocations) against the key and statement recorded with it. 0 with
 * *@checked the count; -EBADMSG with *@bad_seq the first bad record and @why
 * naming what is wrong; another negative errno if the trail cannot be read.
 */
int audit_check_signatures(struct store *st, int64_t *checked, int64_t *bad_seq, char *why,
			   size_t len);

#endif /* SIGNED_AUDIT_H */
