/* SPDX-License-Identifier: GPL-2.0-only */
/* Users and groups through NSS (getpwnam, getgrnam, getgrouplist): never /etc files directly. */
#ifndef IDENTITY_H
#define IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"

/* The user name of uid, or the decimal uid when it has none. 0, or -ERANGE if buf is short. */
int id_user_name(uint32_t uid, char *buf, size_t len);

/* The uid of a user name. 0, -ENOENT (no such user) or -EIO (NSS failed). */
int id_user_uid(const char *name, uint32_t *uid);

/* Whether uid is a listed user or a member (primary or supplementary) of a listed group. */
bool id_matches(uint32_t uid, const struct principals *p);

/*
 * Every uid of the listed users and of the listed groups' members (gr_mem, and users whose
 * primary group it is), sorted and without duplicates; unknown names are skipped. *uids is
 * malloc'ed (NULL when *n is 0). 0 or -ENOMEM.
 */
int id_resolve(const struct principals *p, uint32_t **uids, size_t *n);

#endif /* IDENTITY_H */
