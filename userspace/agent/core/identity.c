// SPDX-License-Identifier: GPL-2.0-only
/* Identity through NSS, so SSSD/LDAP accounts work as well as local ones. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include "identity.h"
#include "vec.h"

#define NSS_BUF_START 1024
#define NSS_BUF_MAX   (1 << 20) /* a group with many members needs a large buffer */

/* One getXXX_r call: key in, entry and its strings (in buf) out. */
typedef int (*nss_fn)(const void *key, void *ent, char *buf, size_t len, void **res);

static int pwuid_fn(const void *key, void *ent, char *buf, size_t len, void **res)
{
	return getpwuid_r(*(const uid_t *)key, ent, buf, len, (struct passwd **)res);
}

static int pwnam_fn(const void *key, void *ent, char *buf, size_t len, void **res)
{
	return getpwnam_r(key, ent, buf, len, (struct passwd **)res);
}

static int grnam_fn(const void *key, void *ent, char *buf, size_t len, void **res)
{
	return getgrnam_r(key, ent, buf, len, (struct group **)res);
}

/*
 * The *_r lookups with a buffer that grows on ERANGE. Returns 0 (found), -ENOENT or
 * another negative errno; *buf is the caller's to free either way.
 */
static int nss_get(nss_fn fn, const void *key, void *ent, char **buf)
{
	void *res = NULL;
	size_t len = NSS_BUF_START;
	int err;

	for (;;) {
		char *nbuf = realloc(*buf, len);

		if (!nbuf)
			return -ENOMEM;
		*buf = nbuf;
		err = fn(key, ent, *buf, len, &res);
		if (err != ERANGE || len >= NSS_BUF_MAX)
			break;
		len *= 2;
	}
	if (err)
		return -err;
	return res ? 0 : -ENOENT;
}

static int pw_by_uid(uid_t uid, struct passwd *pw, char **buf)
{
	return nss_get(pwuid_fn, &uid, pw, buf);
}

static int pw_by_name(const char *name, struct passwd *pw, char **buf)
{
	return nss_get(pwnam_fn, name, pw, buf);
}

static int gr_by_name(const char *name, struct group *gr, char **buf)
{
	return nss_get(grnam_fn, name, gr, buf);
}

int id_user_name(uint32_t uid, char *buf, size_t len)
{
	struct passwd pw;
	char *nss = NULL;
	int n;

	if (!len)
		return -ERANGE;
	if (pw_by_uid(uid, &pw, &nss) == 0)
		n = snprintf(buf, len, "%s", pw.pw_name);
	else
		n = snprintf(buf, len, "%u", uid);
	free(nss);
	return n < 0 || (size_t)n >= len ? -ERANGE : 0;
}

int id_user_uid(const char *name, uint32_t *uid)
{
	struct passwd pw;
	char *nss = NULL;
	int err;

	err = pw_by_name(name, &pw, &nss);
	if (!err)
		*uid = pw.pw_uid;
	else if (err != -ENOENT && err != -ENOMEM)
		err = -EIO;
	free(nss);
	return err;
}

/* All gids of a user, primary first (getgrouplist), malloc'ed; NULL on failure. */
static gid_t *user_groups(const char *name, gid_t primary, int *n)
{
	struct vec gids = VEC_INIT(gid_t);
	size_t want = 64;

	for (int tries = 0; tries < 8 && !vec_reserve(&gids, want); tries++) {
		int got = (int)gids.cap;

		if (getgrouplist(name, primary, gids.v, &got) >= 0) {
			*n = got;
			return gids.v;
		}
		/* got now holds the number needed */
		want = (size_t)got > gids.cap ? (size_t)got : gids.cap * 2;
	}
	vec_free(&gids);
	return NULL;
}

int id_user_get(uint32_t uid, struct id_user *u)
{
	struct passwd pw;
	char *buf = NULL;
	int err;

	memset(u, 0, sizeof(*u));
	u->uid = uid;
	err = pw_by_uid(uid, &pw, &buf);
	if (!err) {
		u->known = true;
		u->primary = pw.pw_gid;
		u->name = strdup(pw.pw_name);
		err = u->name ? 0 : -ENOMEM;
		if (u->name)
			u->gids = user_groups(u->name, pw.pw_gid, &u->n_gids);
	}
	free(buf);
	if (err == -ENOENT)
		err = 0; /* no such user: a member of nothing, listed by name under no uid */
	return err;
}

void id_user_free(struct id_user *u)
{
	free(u->name);
	free(u->gids);
	u->name = NULL;
	u->gids = NULL;
}

/* Whether @u is in group @gr (primary or supplementary). */
static bool in_group(const struct id_user *u, const struct group *gr)
{
	if (gr->gr_gid == u->primary)
		return true;
	for (int j = 0; u->gids && j < u->n_gids; j++)
		if (u->gids[j] == gr->gr_gid)
			return true;
	/* getgrouplist failed (e.g. out of memory): fall back to the member list */
	for (char **m = gr->gr_mem; !u->gids && m && *m; m++)
		if (!strcmp(*m, u->name))
			return true;
	return false;
}

bool id_user_in(const struct id_user *u, const struct principals *p)
{
	struct passwd other;
	struct group gr;
	char *buf = NULL;
	bool found = false;

	/* by uid, so a user listed under another name for the same uid still matches */
	for (size_t i = 0; !found && i < p->n_users; i++)
		found = pw_by_name(p->users[i], &other, &buf) == 0 && other.pw_uid == u->uid;
	for (size_t i = 0; !found && u->known && i < p->n_groups; i++)
		found = gr_by_name(p->groups[i], &gr, &buf) == 0 && in_group(u, &gr);
	free(buf);
	return found;
}

bool id_matches(uint32_t uid, const struct principals *p)
{
	struct id_user u;
	bool found;

	id_user_get(uid, &u); /* NSS failing: no group matches, a listed name still may */
	found = id_user_in(&u, p);
	id_user_free(&u);
	return found;
}

static int push_uid(struct vec *set, uid_t uid)
{
	uint32_t u = uid;

	return vec_push(set, &u);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Adds the uids of a group's members, copied first: gr_mem lives in a buffer lookups reuse. */
static int add_members(struct vec *set, char **gr_mem)
{
	struct vec members = VEC_INIT(char *);
	struct passwd pw;
	int err = 0;

	for (char **m = gr_mem; !err && m && *m; m++) {
		char *copy = strdup(*m);

		err = copy ? vec_push(&members, &copy) : -ENOMEM;
		if (err)
			free(copy);
	}
	for (size_t j = 0; j < members.n && !err; j++) {
		char *pwbuf = NULL;

		if (pw_by_name(VEC_AT(&members, char *, j), &pw, &pwbuf) == 0)
			err = push_uid(set, pw.pw_uid);
		free(pwbuf);
	}
	for (size_t j = 0; j < members.n; j++)
		free(VEC_AT(&members, char *, j));
	vec_free(&members);
	return err;
}

static int pwent_fn(const void *key, void *ent, char *buf, size_t len, void **res)
{
	return getpwent_r(ent, buf, len, (struct passwd **)res);
}

/*
 * Adds users whose primary group is one of @gids: they are not in gr_mem. Enumeration
 * may be off in SSSD; then gr_mem is all NSS will tell.
 */
static int add_primary_members(struct vec *set, const struct vec *gids)
{
	struct passwd pw;
	char *buf = NULL;
	int err = 0, r;

	setpwent();
	/* an entry too large for the buffer is read again, into a larger one */
	while (!err && !(r = nss_get(pwent_fn, NULL, &pw, &buf))) {
		for (size_t i = 0; i < gids->n; i++) {
			if (pw.pw_gid == VEC_AT(gids, gid_t, i)) {
				err = push_uid(set, pw.pw_uid);
				break;
			}
		}
	}
	if (!err && r == -ENOMEM)
		err = r;
	endpwent();
	free(buf);
	return err;
}

static void sort_unique(struct vec *set)
{
	size_t out = 0;

	if (!set->n)
		return;
	qsort(set->v, set->n, set->size, cmp_u32);
	for (size_t i = 0; i < set->n; i++)
		if (!out || VEC_AT(set, uint32_t, out - 1) != VEC_AT(set, uint32_t, i))
			VEC_AT(set, uint32_t, out++) = VEC_AT(set, uint32_t, i);
	set->n = out;
}

int id_resolve(const struct principals *p, uint32_t **uids, size_t *n)
{
	struct vec set = VEC_INIT(uint32_t), gids = VEC_INIT(gid_t);
	struct passwd pw;
	struct group gr;
	char *buf = NULL;
	int err = 0;

	*uids = NULL;
	*n = 0;
	for (size_t i = 0; !err && i < p->n_users; i++)
		if (pw_by_name(p->users[i], &pw, &buf) == 0)
			err = push_uid(&set, pw.pw_uid);
	for (size_t i = 0; !err && i < p->n_groups; i++) {
		if (gr_by_name(p->groups[i], &gr, &buf))
			continue;
		err = vec_push(&gids, &gr.gr_gid);
		if (!err)
			err = add_members(&set, gr.gr_mem);
	}
	if (!err && gids.n)
		err = add_primary_members(&set, &gids);
	if (!err) {
		sort_unique(&set);
		*uids = vec_take(&set, n);
	}
	vec_free(&set);
	vec_free(&gids);
	free(buf);
	return err;
}
