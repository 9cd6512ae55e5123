/* SPDX-License-Identifier: GPL-2.0-only */
/* Users and groups through NSS (getpwnam, getgrnam, getgrouplist): never /etc files directly. */
#ifndef IDENTITY_H
#define IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "config.h"

/* The user name of uid, or the decimal uid when it has none. 0, or -ERANGE if buf is short. */
int id_user_name(uint32_t uid, char *buf, size_t len);

/* The uid of a user name. 0, -ENOENT (no such user) or -EIO (NSS failed). */
int id_user_uid(const char *name, uint32_t *uid);

/* Whether uid is a listed user or a member (primary or supplementary) of a listed group. */
bool id_matches(uint32_t uid, const struct principals *p);

/* A user looked up once (passwd entry, groups) for several id_user_in() checks. */
struct id_user {
	uint32_t uid;
	bool known; /* in the passwd database: else a member of no group */
	char *name;
	gid_t primary;
	gid_t *gids; /* getgrouplist's, primary first; NULL when it failed */
	int n_gids;
};

/* 0 (an unknown uid too: known stays false) or -ENOMEM/-EIO; id_user_free() either way. */
int id_user_get(uint32_t uid, struct id_user *u);
void id_user_free(struct id_user *u);
/* id_matches() for a user already looked up. */
bool id_user_in(const struct id_user *u, const struct principals *p);

/*
 * Every uid of the listed users and of the listed groups' members (gr_mem, and users whose
 * primary group it is), sorted and without duplicates; unknown names are skipped. *uids is
 * malloc'ed (NULL when *n is 0). 0 or -ENOMEM.
 */
int id_resolve(const struct principals *p, uint32_t **uids, size_t *n);

#endif /* IDENTITY_H */
