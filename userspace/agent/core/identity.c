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
	int cap = 64;
	gid_t *gids = NULL;

	for (int tries = 0; tries < 8; tries++) {
		gid_t *grown = realloc(gids, cap * sizeof(*gids));
		int got = cap;

		if (!grown)
			break;
		gids = grown;
		if (getgrouplist(name, primary, gids, &got) >= 0) {
			*n = got;
			return gids;
		}
		/* got now holds the number needed */
		cap = got > cap ? got : cap * 2;
	}
	free(gids);
	return NULL;
}

bool id_matches(uint32_t uid, const struct principals *p)
{
	struct passwd pw, other;
	struct group gr;
	char *pwbuf = NULL, *buf = NULL;
	gid_t *gids = NULL;
	int n_gids = 0;
	bool found = false;

	/* by uid, so a user listed under another name for the same uid still matches */
	for (size_t i = 0; !found && i < p->n_users; i++)
		found = pw_by_name(p->users[i], &other, &buf) == 0 && other.pw_uid == uid;
	if (found || !p->n_groups || pw_by_uid(uid, &pw, &pwbuf))
		goto out;
	gids = user_groups(pw.pw_name, pw.pw_gid, &n_gids);
	for (size_t i = 0; !found && i < p->n_groups; i++) {
		if (gr_by_name(p->groups[i], &gr, &buf))
			continue;
		if (gr.gr_gid == pw.pw_gid)
			found = true;
		for (int j = 0; !found && gids && j < n_gids; j++)
			found = gids[j] == gr.gr_gid;
		/* getgrouplist failed (e.g. out of memory): fall back to the member list */
		for (char **m = gr.gr_mem; !found && !gids && m && *m; m++)
			found = !strcmp(*m, pw.pw_name);
	}
out:
	free(gids);
	free(pwbuf);
	free(buf);
	return found;
}

struct uidset {
	uint32_t *v;
	size_t n, cap;
};

static int uidset_add(struct uidset *s, uint32_t uid)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		uint32_t *grown = realloc(s->v, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		s->v = grown;
		s->cap = cap;
	}
	s->v[s->n++] = uid;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int id_resolve(const struct principals *p, uint32_t **uids, size_t *n)
{
	struct uidset set = {0};
	gid_t *gids = NULL;
	size_t n_gids = 0;
	struct passwd pw, *res;
	struct group gr;
	char *buf = NULL;
	size_t out = 0;
	int err = 0;

	*uids = NULL;
	*n = 0;
	for (size_t i = 0; !err && i < p->n_users; i++)
		if (pw_by_name(p->users[i], &pw, &buf) == 0)
			err = uidset_add(&set, pw.pw_uid);
	if (!err && p->n_groups) {
		gids = calloc(p->n_groups, sizeof(*gids));
		if (!gids)
			err = -ENOMEM;
	}
	for (size_t i = 0; !err && i < p->n_groups; i++) {
		char **members;
		size_t n_members = 0;

		if (gr_by_name(p->groups[i], &gr, &buf))
			continue;
		gids[n_gids++] = gr.gr_gid;
		/* gr_mem lives in buf, which the member lookups below reuse: copy it first */
		for (char **m = gr.gr_mem; m && *m; m++)
			n_members++;
		members = calloc(n_members + 1, sizeof(*members));
		if (!members) {
			err = -ENOMEM;
			break;
		}
		for (size_t j = 0; j < n_members && !err; j++)
			if (!(members[j] = strdup(gr.gr_mem[j])))
				err = -ENOMEM;
		for (size_t j = 0; j < n_members && !err; j++) {
			char *pwbuf = NULL;

			if (pw_by_name(members[j], &pw, &pwbuf) == 0)
				err = uidset_add(&set, pw.pw_uid);
			free(pwbuf);
		}
		for (size_t j = 0; j < n_members; j++)
			free(members[j]);
		free(members);
	}
	if (!err && n_gids) {
		/*
		 * Users whose primary group it is are not in gr_mem. Enumeration may be off
		 * in SSSD; then gr_mem above is all NSS will tell.
		 */
		size_t len = 16384;
		char *ebuf = malloc(len);

		if (!ebuf)
			err = -ENOMEM;
		setpwent();
		while (!err) {
			int r = getpwent_r(&pw, ebuf, len, &res);

			if (r == ERANGE && len < NSS_BUF_MAX) {
				char *grown = realloc(ebuf, len * 2);

				if (!grown) {
					err = -ENOMEM;
					break;
				}
				ebuf = grown;
				len *= 2;
				continue;
			}
			if (r || !res)
				break;
			for (size_t i = 0; i < n_gids && !err; i++)
				if (pw.pw_gid == gids[i]) {
					err = uidset_add(&set, pw.pw_uid);
					break;
				}
		}
		endpwent();
		free(ebuf);
	}
	if (err) {
		free(set.v);
		goto out;
	}
	if (set.n) {
		qsort(set.v, set.n, sizeof(*set.v), cmp_u32);
		for (size_t i = 0; i < set.n; i++)
			if (!out || set.v[out - 1] != set.v[i])
				set.v[out++] = set.v[i];
	}
	*uids = set.v;
	*n = out;
	if (!out) {
		free(set.v);
		*uids = NULL;
	}
out:
	free(gids);
	free(buf);
	return err;
}
