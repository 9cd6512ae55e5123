// SPDX-License-Identifier: GPL-2.0-only
/* Identity through NSS, against root and whatever else this host has. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include "tap.h"
#include "identity.h"

#define NO_SUCH_USER  "lockbox-test-no-such-user"
#define NO_SUCH_GROUP "lockbox-test-no-such-group"

static bool contains(const uint32_t *v, size_t n, uint32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static bool sorted_unique(const uint32_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i - 1] >= v[i])
			return false;
	return true;
}

/* A uid no passwd entry has, or 0 if every candidate is taken. */
static uint32_t unused_uid(void)
{
	static const uint32_t candidates[] = {3999999991u, 3999999992u, 2999999993u};

	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (!getpwuid(candidates[i]))
			return candidates[i];
	return 0;
}

static void test_user_name(void)
{
	char buf[64], small[3] = "xx";
	uint32_t nouid = unused_uid();

	is_int(id_user_name(0, buf, sizeof(buf)), 0, "uid 0 has a name");
	is_str(buf, "root", "uid 0 is root");
	if (nouid) {
		char want[16];

		snprintf(want, sizeof(want), "%u", nouid);
		is_int(id_user_name(nouid, buf, sizeof(buf)), 0, "an unknown uid still succeeds");
		is_str(buf, want, "an unknown uid falls back to its decimal form");
	} else {
		ok(1, "# SKIP every candidate uid exists");
		ok(1, "# SKIP every candidate uid exists");
	}
	is_int(id_user_name(0, small, sizeof(small)), -ERANGE, "a short buffer is ERANGE");
	is_str(small, "ro", "a short buffer is truncated and terminated");
}

static void test_user_uid(void)
{
	uint32_t uid = 42;

	is_int(id_user_uid("root", &uid), 0, "root resolves");
	is_int(uid, 0, "root is uid 0");
	uid = 42;
	is_int(id_user_uid(NO_SUCH_USER, &uid), -ENOENT, "an unknown user is ENOENT");
	is_int(uid, 42, "an unknown user leaves the uid alone");
}

static void test_matches_users_and_primary_group(void)
{
	char *root_user[] = {"root"}, *root_group[] = {"root"};
	char *nobody_user[] = {NO_SUCH_USER, "root"}, *no_group[] = {NO_SUCH_GROUP};
	struct principals by_user = {.users = root_user, .n_users = 1};
	struct principals by_group = {.groups = root_group, .n_groups = 1};
	struct principals unknown_then_root = {.users = nobody_user, .n_users = 2};
	struct principals unknown_group = {.groups = no_group, .n_groups = 1};
	struct principals empty = {0};
	uint32_t nouid = unused_uid();

	ok(id_matches(0, &by_user), "root matches users [root]");
	ok(id_matches(0, &by_group), "root matches groups [root] by its primary group");
	ok(id_matches(0, &unknown_then_root), "an unknown name in the list is skipped");
	ok(!id_matches(0, &unknown_group), "an unknown group matches nobody");
	ok(!id_matches(0, &empty), "an empty list matches nobody");
	if (nouid) {
		ok(!id_matches(nouid, &by_user), "an unknown uid is not root");
		ok(!id_matches(nouid, &by_group), "an unknown uid is in no group");
	}
}

/* One lookup, several lists: the same answers as id_matches() for each. */
static void test_user_looked_up_once(void)
{
	char *root_group[] = {"root"}, *no_group[] = {NO_SUCH_GROUP}, *root_user[] = {"root"};
	struct principals by_group = {.groups = root_group, .n_groups = 1};
	struct principals unknown_group = {.groups = no_group, .n_groups = 1};
	struct principals by_user = {.users = root_user, .n_users = 1};
	uint32_t nouid = unused_uid();
	struct id_user u;

	is_int(id_user_get(0, &u), 0, "root looked up");
	ok(u.known && u.name && !strcmp(u.name, "root") && u.primary == 0, "root's entry");
	ok(id_user_in(&u, &by_group) && id_user_in(&u, &by_user) && !id_user_in(&u, &unknown_group),
	   "root is in groups [root] and users [root], not in an unknown group");
	id_user_free(&u);
	if (nouid) {
		is_int(id_user_get(nouid, &u), 0, "an unknown uid looks up to nobody");
		ok(!u.known && !id_user_in(&u, &by_group) && !id_user_in(&u, &by_user),
		   "in no group, and not root by name");
		id_user_free(&u);
	}
}

/* Another user than root, with a different uid, or NULL. */
static struct passwd *other_user(void)
{
	static struct passwd copy;
	static char name[256];
	struct passwd *pw;

	setpwent();
	while ((pw = getpwent()))
		if (pw->pw_uid != 0 && pw->pw_gid != 0)
			break;
	if (pw) {
		snprintf(name, sizeof(name), "%s", pw->pw_name);
		copy = *pw;
		copy.pw_name = name;
	}
	endpwent();
	return pw ? &copy : NULL;
}

static void test_matches_other_user(void)
{
	struct passwd *pw = other_user();
	struct group *gr;
	char gname[256];
	bool root_member = false;

	if (!pw) {
		ok(1, "# SKIP no user other than root on this host");
		return;
	}
	{
		char *users[] = {pw->pw_name};
		struct principals p = {.users = users, .n_users = 1};

		ok(!id_matches(0, &p), "root does not match users [%s]", pw->pw_name);
		ok(id_matches(pw->pw_uid, &p), "%s matches users [%s]", pw->pw_name, pw->pw_name);
	}
	gr = getgrgid(pw->pw_gid);
	if (!gr) {
		ok(1, "# SKIP %s's primary group has no name", pw->pw_name);
		return;
	}
	snprintf(gname, sizeof(gname), "%s", gr->gr_name);
	for (char **m = gr->gr_mem; m && *m; m++)
		root_member |= !strcmp(*m, "root");
	{
		char *groups[] = {gname};
		struct principals p = {.groups = groups, .n_groups = 1};
		uint32_t *uids = NULL;
		size_t n = 0;

		ok(id_matches(pw->pw_uid, &p), "%s matches its primary group %s", pw->pw_name,
		   gname);
		if (!root_member)
			ok(!id_matches(0, &p), "root does not match group %s it is not in", gname);
		else
			ok(1, "# SKIP root is a member of %s", gname);
		is_int(id_resolve(&p, &uids, &n), 0, "resolve group %s", gname);
		ok(contains(uids, n, pw->pw_uid),
		   "resolve includes users whose primary group it is (%s in %s)", pw->pw_name,
		   gname);
		ok(sorted_unique(uids, n), "resolve output is sorted without duplicates");
		free(uids);
	}
}

/* A group with a listed member whose primary group it is not; false if none. */
static bool supplementary_member(char *gname, size_t glen, char *uname, size_t ulen, uid_t *uid)
{
	struct group *gr;
	bool found = false;

	setgrent();
	while (!found && (gr = getgrent())) {
		for (char **m = gr->gr_mem; !found && m && *m; m++) {
			struct passwd *pw = getpwnam(*m);

			if (pw && pw->pw_gid != gr->gr_gid) {
				snprintf(gname, glen, "%s", gr->gr_name);
				snprintf(uname, ulen, "%s", *m);
				*uid = pw->pw_uid;
				found = true;
			}
		}
	}
	endgrent();
	return found;
}

static void test_supplementary_groups(void)
{
	char gname[256], uname[256];
	uid_t uid;

	if (!supplementary_member(gname, sizeof(gname), uname, sizeof(uname), &uid)) {
		ok(1, "# SKIP no group with supplementary members on this host");
		return;
	}
	{
		char *groups[] = {gname};
		struct principals p = {.groups = groups, .n_groups = 1};
		uint32_t *uids = NULL;
		size_t n = 0;

		ok(id_matches(uid, &p), "%s matches supplementary group %s", uname, gname);
		is_int(id_resolve(&p, &uids, &n), 0, "resolve group %s", gname);
		ok(contains(uids, n, uid), "resolve includes gr_mem member %s", uname);
		free(uids);
	}
}

static void test_resolve(void)
{
	char *users[] = {"root", NO_SUCH_USER, "root"}, *groups[] = {"root", NO_SUCH_GROUP};
	char *none_u[] = {NO_SUCH_USER}, *none_g[] = {NO_SUCH_GROUP};
	struct principals p = {.users = users, .n_users = 3, .groups = groups, .n_groups = 2};
	struct principals none = {.users = none_u, .n_users = 1, .groups = none_g, .n_groups = 1};
	struct principals empty = {0};
	uint32_t *uids = (uint32_t *)&p;
	size_t n = 99;

	is_int(id_resolve(&p, &uids, &n), 0, "resolve root as user and group");
	ok(n >= 1 && contains(uids, n, 0), "uid 0 is in the result");
	ok(sorted_unique(uids, n), "root listed twice and via its group appears once");
	free(uids);

	uids = (uint32_t *)&p;
	n = 99;
	is_int(id_resolve(&none, &uids, &n), 0, "unknown names are skipped, not an error");
	is_int(n, 0, "unknown names resolve to nobody");
	ok(uids == NULL, "an empty result is NULL");

	n = 99;
	is_int(id_resolve(&empty, &uids, &n), 0, "an empty list resolves");
	is_int(n, 0, "an empty list resolves to nobody");
}

int main(void)
{
	test_user_name();
	test_user_uid();
	test_matches_users_and_primary_group();
	test_matches_other_user();
	test_user_looked_up_once();
	test_supplementary_groups();
	test_resolve();
	return done_testing();
}
