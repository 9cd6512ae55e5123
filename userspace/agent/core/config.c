// SPDX-License-Identifier: GPL-2.0-only
/* The JSON config: strict parsing, validation that names the key, and the embedded default. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <jansson.h>
#include <linux/types.h>
#include "lockbox.h"
#include "model.h"
#include "duration.h"
#include "config.h"
#include "errbuf.h"
#include "vec.h"

#define KEY_MAX		192 /* a JSON-path-like key name in a message */
#define QUOTE_MAX	64  /* how much of a bad value a message repeats */
#define GROUP_NAME_MAX	255 /* NSS group names (e.g. SSSD's) can be long */
#define CONFIG_FILE_MAX (1 << 20)

/* Zone roots and devices seen so far, to refuse one that belongs to two zones. */
struct seen {
	char *real; /* realpath, for roots */
	dev_t dev;
	ino_t ino; /* 0 for devices */
	size_t zone;
	char *as_written;
};

struct pctx {
	char *err; /* the first error */
	size_t errlen;
	FILE *report; /* every error, one per line, when checking (NULL: none) */
	int n_errors;
	const struct config *c;
	struct vec roots; /* of struct seen */
	struct vec devs;  /* of struct seen */
};

static const char *const top_keys[] = {
	"socket",
	"database",
	"engineers",
	"security",
	"request_ttl",
	"max_duration",
	"notify",
	"permissive",
	"audit_log",
	"syslog",
	"zones",
	"protected_paths",
	"engineer_kernel_access",
	"host",
	"metrics_file",
	"zones_from",
	"security_keys",
	NULL,
};
static const char *const principal_keys[] = {"users", "groups", NULL};
static int zone_dirs(const char *root, struct vec *names, char *err, size_t errlen);
static json_t *embedded_zone(const char *root, const char *name);
static const char *const notify_keys[] = {"command", "from", "format", "addresses", NULL};
static const char *const zone_keys[] = {
	"name",	  "paths",   "approvers",     "approvals_required", "max_duration",
	"notify", "devices", "approver_keys", "hardware_keys_only", NULL,
};
static const char *const named_key_keys[] = {"name", "key", NULL};

static int fail(struct pctx *x, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* seterr() with the key path first ("zones[1].path: ..."), so a message says where. */
static int fail(struct pctx *x, const char *key, const char *fmt, ...)
{
	char msg[PATH_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (x->n_errors++ == 0 && key && *key)
		seterr(x->err, x->errlen, "%s: %s", key, msg);
	else if (x->n_errors == 1)
		seterr(x->err, x->errlen, "%s", msg);
	if (x->report)
		fprintf(x->report, "%s%s%s\n", key && *key ? key : "", key && *key ? ": " : "",
			msg);
	return -EINVAL;
}

/* The first error of a run of independent steps: each step runs, so each error is reported. */
static int first_err(int ret, int next)
{
	return ret ? ret : next;
}

static int oom(struct pctx *x)
{
	fail(x, NULL, "out of memory");
	return -ENOMEM;
}

/* A value from the input, fit to repeat in a one-line message. */
static void quote(char *dst, size_t n, const char *s)
{
	size_t i = 0;

	for (; *s && i + 1 < n; s++)
		dst[i++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	dst[i] = '\0';
	if (*s && n > 4)
		memcpy(dst + n - 4, "...", 4);
}

static void key_join(char *dst, const char *prefix, const char *key)
{
	char q[QUOTE_MAX];

	quote(q, sizeof(q), key);
	if (snprintf(dst, KEY_MAX, "%s%s%s", prefix, *prefix ? "." : "", q) >= KEY_MAX)
		memcpy(dst + KEY_MAX - 4, "...", 4);
}

static void key_index(char *dst, const char *prefix, size_t i)
{
	if (snprintf(dst, KEY_MAX, "%s[%zu]", prefix, i) >= KEY_MAX)
		memcpy(dst + KEY_MAX - 4, "...", 4);
}

static int check_keys(struct pctx *x, json_t *obj, const char *path, const char *const *allowed)
{
	const char *k;
	json_t *v;

	json_object_foreach (obj, k, v) {
		const char *const *a = allowed;
		char kp[KEY_MAX];

		while (*a && strcmp(*a, k))
			a++;
		if (!*a) {
			key_join(kp, path, k);
			return fail(x, kp, "unknown key");
		}
	}
	return 0;
}

/* Validators: 0, or fail() naming kp. */
typedef int (*check_fn)(struct pctx *x, const char *kp, const char *s);

static bool has_ctrl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static int check_name(struct pctx *x, const char *kp, const char *s, size_t max)
{
	char q[QUOTE_MAX];

	quote(q, sizeof(q), s);
	if (!*s)
		return fail(x, kp, "a name cannot be empty");
	if (strlen(s) > max)
		return fail(x, kp, "\"%s\" is longer than %zu characters", q, max);
	/* ':' and ',' separate fields in passwd and group entries, so no name has them */
	if (strpbrk(s, " \t:,") || has_ctrl(s))
		return fail(x, kp, "\"%s\" is not a user or group name", q);
	return 0;
}

static int check_user(struct pctx *x, const char *kp, const char *s)
{
	/* requests and decisions store user names in LB_NAME_MAX bytes */
	return check_name(x, kp, s, LB_NAME_MAX - 1);
}

static int check_group(struct pctx *x, const char *kp, const char *s)
{
	return check_name(x, kp, s, GROUP_NAME_MAX);
}

static int check_abs_path(struct pctx *x, const char *kp, const char *s)
{
	char q[QUOTE_MAX];

	quote(q, sizeof(q), s);
	if (s[0] != '/')
		return fail(x, kp, "\"%s\" is not an absolute path", q);
	if (strlen(s) >= PATH_MAX)
		return fail(x, kp, "\"%s\" is longer than PATH_MAX", q);
	if (has_ctrl(s))
		return fail(x, kp, "\"%s\" has control characters", q);
	return 0;
}

static int check_socket(struct pctx *x, const char *kp, const char *s)
{
	struct sockaddr_un sun;
	int err = check_abs_path(x, kp, s);

	if (err)
		return err;
	if (strlen(s) >= sizeof(sun.sun_path))
		return fail(x, kp, "is longer than %zu bytes, the limit of a unix socket path",
			    sizeof(sun.sun_path) - 1);
	return 0;
}

static int check_address(struct pctx *x, const char *kp, const char *s)
{
	const char *at = strchr(s, '@');
	char q[QUOTE_MAX];

	quote(q, sizeof(q), s);
	/* one address per entry, never a header or a sendmail option smuggled in */
	if (!at || at == s || !at[1] || strpbrk(s, " \t,;<>") || has_ctrl(s) || s[0] == '-')
		return fail(x, kp, "\"%s\" is not an email address", q);
	return 0;
}

/* A host name as the trail and the statements carry it (RFC 1123 letters). */
static int check_host(struct pctx *x, const char *kp, const char *s)
{
	size_t n = strlen(s);
	char q[QUOTE_MAX];

	quote(q, sizeof(q), s);
	if (n == 0 || n > 253 ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789.-") != n ||
	    s[0] == '-' || s[0] == '.')
		return fail(x, kp, "\"%s\" is not a host name (letters, digits, '.' and '-')", q);
	return 0;
}

static int check_format(struct pctx *x, const char *kp, const char *s)
{
	if (strcmp(s, "mail") && strcmp(s, "json"))
		return fail(x, kp, "expected \"mail\" or \"json\"");
	return 0;
}

static int check_command(struct pctx *x, const char *kp, const char *s)
{
	if (!s[strspn(s, " \t")])
		return fail(x, kp, "cannot be empty");
	return 0;
}

static int check_zone_name(struct pctx *x, const char *kp, const char *s)
{
	size_t n = strlen(s);
	char q[QUOTE_MAX];
	bool ok = n >= 1 && n <= 63;

	for (size_t i = 0; ok && i < n; i++) {
		char ch = s[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');

		ok = alnum || (i > 0 && (ch == '.' || ch == '_' || ch == '-'));
	}
	if (!ok) {
		quote(q, sizeof(q), s);
		return fail(x, kp,
			    "\"%s\" is not a zone name (1 to 63 of a-z, 0-9, '.', '_', '-', "
			    "starting with a letter or digit)",
			    q);
	}
	return 0;
}

static bool zone_name_ok(const char *s)
{
	struct pctx quiet = {.err = NULL, .errlen = 0};

	return check_zone_name(&quiet, NULL, s) == 0;
}

static int set_str(struct pctx *x, char **dst, const char *s)
{
	char *dup = strdup(s);

	if (!dup)
		return oom(x);
	free(*dst);
	*dst = dup;
	return 0;
}

/*
 * Member @key of @obj, its key path written to @kp. NULL when absent, with *err the
 * "is required" failure if @required, else 0.
 */
static json_t *member(struct pctx *x, json_t *obj, const char *path, const char *key, bool required,
		      char kp[KEY_MAX], int *err)
{
	json_t *v = json_object_get(obj, key);

	key_join(kp, path, key);
	*err = !v && required ? fail(x, kp, "is required") : 0;
	return v;
}

/* An optional (or required) string member; absent leaves *dst as it is. */
static int get_str(struct pctx *x, json_t *obj, const char *path, const char *key, bool required,
		   check_fn check, char **dst)
{
	char kp[KEY_MAX];
	int err;
	json_t *v = member(x, obj, path, key, required, kp, &err);

	if (!v)
		return err;
	if (!json_is_string(v))
		return fail(x, kp, "expected a string");
	err = check ? check(x, kp, json_string_value(v)) : 0;
	if (err)
		return err;
	return set_str(x, dst, json_string_value(v));
}

/*
 * Optional array member @key, its key path in @kp: the array with *buf calloc'd
 * for its elements (@elem bytes each), or NULL (absent or empty: *err 0;
 * not an array, "expected @what": *err the failure).
 */
static json_t *array_member(struct pctx *x, json_t *obj, const char *path, const char *key,
			    const char *what, size_t elem, void **buf, char kp[KEY_MAX], int *err)
{
	json_t *v = member(x, obj, path, key, false, kp, err);

	if (!v)
		return NULL;
	if (!json_is_array(v)) {
		*err = fail(x, kp, "expected %s", what);
		return NULL;
	}
	if (!json_array_size(v))
		return NULL;
	*buf = calloc(json_array_size(v), elem);
	if (!*buf)
		*err = oom(x);
	return *buf ? v : NULL;
}

static int get_str_array(struct pctx *x, json_t *obj, const char *path, const char *key,
			 check_fn check, char ***arr, size_t *n)
{
	char kp[KEY_MAX], ip[KEY_MAX];
	void *buf = NULL;
	json_t *item, *v;
	size_t i;
	int err;

	v = array_member(x, obj, path, key, "an array of strings", sizeof(**arr), &buf, kp, &err);
	if (!v)
		return err;
	*arr = buf;
	json_array_foreach (v, i, item) {
		key_index(ip, kp, i);
		if (!json_is_string(item))
			return fail(x, ip, "expected a string");
		err = check(x, ip, json_string_value(item));
		if (err)
			return err;
		(*arr)[i] = strdup(json_string_value(item));
		if (!(*arr)[i])
			return oom(x);
		*n = i + 1;
	}
	return 0;
}

static int get_principals(struct pctx *x, json_t *obj, const char *path, const char *key,
			  bool required, struct principals *p)
{
	char kp[KEY_MAX];
	int err;
	json_t *v = member(x, obj, path, key, required, kp, &err);

	if (!v)
		return err;
	if (!json_is_object(v))
		return fail(x, kp, "expected an object with \"users\" and \"groups\"");
	err = check_keys(x, v, kp, principal_keys);
	if (!err)
		err = get_str_array(x, v, kp, "users", check_user, &p->users, &p->n_users);
	if (!err)
		err = get_str_array(x, v, kp, "groups", check_group, &p->groups, &p->n_groups);
	if (!err && required && !p->n_users && !p->n_groups)
		err = fail(x, kp, "needs at least one user or group");
	return err;
}

static int get_duration(struct pctx *x, json_t *obj, const char *path, const char *key,
			int64_t *dst)
{
	char kp[KEY_MAX], q[QUOTE_MAX];
	const char *s;
	int err;
	json_t *v = member(x, obj, path, key, false, kp, &err);

	if (!v)
		return err;
	if (!json_is_string(v))
		return fail(x, kp, "expected a duration string such as \"4h\"");
	s = json_string_value(v);
	quote(q, sizeof(q), s);
	err = duration_parse(s, dst);
	if (err == -ERANGE)
		return fail(x, kp, "\"%s\" is too long (at most 100 years)", q);
	if (err && s[0] == '0' && !s[strspn(s, "0dhms")])
		return fail(x, kp, "\"%s\" must be longer than zero", q);
	if (err)
		return fail(x, kp, "\"%s\" is not a duration (use s, m, h or d, e.g. \"12h\")", q);
	return 0;
}

static int get_bool(struct pctx *x, json_t *obj, const char *path, const char *key, bool *dst)
{
	char kp[KEY_MAX];
	int err;
	json_t *v = member(x, obj, path, key, false, kp, &err);

	if (!v)
		return err;
	if (!json_is_boolean(v))
		return fail(x, kp, "expected true or false");
	*dst = json_is_true(v);
	return 0;
}

/* One {"name", "key"}; the key line is parsed now, so a bad one stops the load. */
static int get_named_key(struct pctx *x, json_t *item, const char *ip, struct named_key *nk)
{
	char kp[KEY_MAX], msg[256];
	json_t *v;
	int err;

	if (!json_is_object(item))
		return fail(x, ip, "expected an object with \"name\" and \"key\"");
	err = check_keys(x, item, ip, named_key_keys);
	if (!err)
		err = get_str(x, item, ip, "name", true, check_user, &nk->name);
	if (err)
		return err;
	v = member(x, item, ip, "key", true, kp, &err);
	if (!v)
		return err;
	if (!json_is_string(v))
		return fail(x, kp, "expected an OpenSSH public key line (\"ssh-ed25519 AAAA...\")");
	if (sshkey_parse_line(json_string_value(v), &nk->key, msg, sizeof(msg)))
		return fail(x, kp, "%s", msg);
	return 0;
}

/* A key listed twice would count twice, or under two names: refused. */
static int check_dup_key(struct pctx *x, const char *ip, const char *list,
			 const struct named_key *keys, size_t i)
{
	char kp[KEY_MAX];

	for (size_t j = 0; j < i; j++) {
		if (sshkey_equal(&keys[j].key, &keys[i].key)) {
			key_join(kp, ip, "key");
			return fail(x, kp, "the same key as %s[%zu] (\"%s\")", list, j,
				    keys[j].name);
		}
	}
	return 0;
}

/* An array of {"name", "key"} (approver_keys, security_keys). */
static int get_named_keys(struct pctx *x, json_t *obj, const char *path, const char *key,
			  struct named_key **arr, size_t *n)
{
	char kp[KEY_MAX], ip[KEY_MAX];
	void *buf = NULL;
	json_t *item, *v;
	size_t i;
	int err;

	v = array_member(x, obj, path, key, "an array of {\"name\": ..., \"key\": ...} objects",
			 sizeof(**arr), &buf, kp, &err);
	if (!v)
		return err;
	*arr = buf;
	json_array_foreach (v, i, item) {
		*n = i + 1; /* counted first, so config_free() frees a half-parsed entry */
		key_index(ip, kp, i);
		err = get_named_key(x, item, ip, &(*arr)[i]);
		if (!err)
			err = check_dup_key(x, ip, key, *arr, i);
		if (err)
			return err;
	}
	return 0;
}

/*
 * approver_keys and hardware_keys_only: with the latter only FIDO keys may approve,
 * so a forwarded ssh-agent on a storage host cannot sign without a touch.
 */
static int get_approver_keys(struct pctx *x, json_t *v, const char *zp, struct zone_cfg *z)
{
	char kp[KEY_MAX], ip[KEY_MAX], kk[KEY_MAX];
	int err = get_bool(x, v, zp, "hardware_keys_only", &z->hardware_keys_only);

	if (!err)
		err = get_named_keys(x, v, zp, "approver_keys", &z->approver_keys,
				     &z->n_approver_keys);
	key_join(kp, zp, "approver_keys");
	for (size_t i = 0; !err && z->hardware_keys_only && i < z->n_approver_keys; i++) {
		if (z->approver_keys[i].key.type == SSHKEY_SK_ED25519)
			continue;
		key_index(ip, kp, i);
		key_join(kk, ip, "key");
		err = fail(x, kk,
			   "hardware_keys_only is set: only %s keys (FIDO, touched to sign) may "
			   "approve, not %s",
			   sshkey_type_name(SSHKEY_SK_ED25519),
			   sshkey_type_name(z->approver_keys[i].key.type));
	}
	return err;
}

/* notify.addresses: {"user": "address"} where user@domain does not fit. */
static int get_addresses(struct pctx *x, json_t *notify, struct config *c)
{
	char kp[KEY_MAX], ip[KEY_MAX];
	const char *user;
	json_t *v = member(x, notify, "notify", "addresses", false, kp, &(int){0}), *a;
	size_t i = 0;
	int err;

	if (!v)
		return 0;
	if (!json_is_object(v))
		return fail(x, kp, "expected an object of user names to addresses");
	c->notify_addresses = calloc(json_object_size(v) + 1, sizeof(*c->notify_addresses));
	if (!c->notify_addresses)
		return oom(x);
	json_object_foreach (v, user, a) {
		key_join(ip, kp, user);
		if (!json_is_string(a))
			return fail(x, ip, "expected an address");
		err = check_address(x, ip, json_string_value(a));
		if (err)
			return err;
		c->notify_addresses[i].user = strdup(user);
		c->notify_addresses[i].address = strdup(json_string_value(a));
		if (!c->notify_addresses[i].user || !c->notify_addresses[i++].address)
			return oom(x);
	}
	return 0;
}

static int get_notify(struct pctx *x, json_t *root, struct config *c)
{
	json_t *v = json_object_get(root, "notify");
	int err;

	if (!v)
		return 0;
	if (!json_is_object(v))
		return fail(x, "notify", "expected an object with \"command\" and \"from\"");
	err = check_keys(x, v, "notify", notify_keys);
	if (!err)
		err = get_str(x, v, "notify", "command", false, check_command, &c->notify_command);
	if (!err)
		err = get_str(x, v, "notify", "from", false, check_address, &c->notify_from);
	if (!err)
		err = get_str(x, v, "notify", "format", false, check_format, &c->notify_format);
	if (!err)
		err = get_addresses(x, v, c);
	return err;
}

/* A zone root must exist, be a directory, and not be (inside) another zone's root. */
static int add_root(struct pctx *x, const char *kp, const char *path, size_t zone)
{
	const struct zone_cfg *zones = x->c->zones;
	struct seen seen;
	struct stat st;
	size_t n;
	char *real;

	if (stat(path, &st))
		return fail(x, kp, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return fail(x, kp, "%s: %s", path, strerror(ENOTDIR));
	real = realpath(path, NULL);
	if (!real)
		return fail(x, kp, "%s: %s", path, strerror(errno));
	if (!strcmp(real, "/")) {
		free(real);
		return fail(x, kp, "the root directory cannot be a zone");
	}
	n = strlen(real);
	for (size_t i = 0; i < x->roots.n; i++) {
		const struct seen *s = &VEC_AT(&x->roots, struct seen, i);
		size_t m = strlen(s->real);
		bool same = (s->dev == st.st_dev && s->ino == st.st_ino) || !strcmp(s->real, real);
		bool inside = n > m && !strncmp(real, s->real, m) && real[m] == '/';
		bool outside = m > n && !strncmp(s->real, real, n) && s->real[n] == '/';

		if (same && s->zone == zone) {
			free(real);
			return fail(x, kp, "%s is listed twice", path);
		}
		if (same) {
			free(real);
			return fail(x, kp, "%s already belongs to zone \"%s\"", path,
				    zones[s->zone].name);
		}
		if ((inside || outside) && s->zone != zone) {
			free(real);
			return fail(x, kp, "%s overlaps %s of zone \"%s\"", path, s->as_written,
				    zones[s->zone].name);
		}
	}
	if (x->roots.n >= LB_MAX_ZONE_ROOTS) {
		free(real);
		return fail(x, kp, "more than %d zone paths in all", LB_MAX_ZONE_ROOTS);
	}
	seen = (struct seen){
		.real = real,
		.dev = st.st_dev,
		.ino = st.st_ino,
		.zone = zone,
		.as_written = (char *)path,
	};
	if (vec_push(&x->roots, &seen)) {
		free(real);
		return oom(x);
	}
	return 0;
}

static int add_device(struct pctx *x, const char *kp, const char *path, size_t zone)
{
	const struct zone_cfg *zones = x->c->zones;
	const struct seen *devs = x->devs.v;
	struct seen seen;
	struct stat st;

	if (stat(path, &st))
		return fail(x, kp, "%s: %s", path, strerror(errno));
	if (!S_ISBLK(st.st_mode))
		return fail(x, kp, "%s: not a block device", path);
	for (size_t i = 0; i < x->devs.n; i++) {
		if (devs[i].dev != st.st_rdev)
			continue;
		if (devs[i].zone == zone)
			return fail(x, kp, "%s is listed twice", path);
		return fail(x, kp, "%s already belongs to zone \"%s\"", path,
			    zones[devs[i].zone].name);
	}
	if (x->devs.n >= LB_MAX_ZONE_DEVS)
		return fail(x, kp, "more than %d devices in all", LB_MAX_ZONE_DEVS);
	seen = (struct seen){.dev = st.st_rdev, .zone = zone};
	if (vec_push(&x->devs, &seen))
		return oom(x);
	return 0;
}

/* A zone's keys after its name, paths and approvers. */
static int parse_zone_rest(struct pctx *x, json_t *v, const char *zp, struct zone_cfg *z,
			   size_t idx)
{
	json_t *ar = json_object_get(v, "approvals_required");
	char kp[KEY_MAX], ip[KEY_MAX];
	int err;

	if (ar) {
		key_join(kp, zp, "approvals_required");
		if (!json_is_integer(ar))
			return fail(x, kp, "expected an integer");
		if (json_integer_value(ar) < 1 || json_integer_value(ar) > CONFIG_APPROVALS_MAX)
			return fail(x, kp, "%lld is out of range (1 to %d)",
				    (long long)json_integer_value(ar), CONFIG_APPROVALS_MAX);
		z->approvals_required = (int)json_integer_value(ar);
	}
	err = get_duration(x, v, zp, "max_duration", &z->max_duration);
	if (!err)
		err = get_str_array(x, v, zp, "notify", check_address, &z->notify, &z->n_notify);
	if (!err)
		err = get_str_array(x, v, zp, "devices", check_abs_path, &z->devices,
				    &z->n_devices);
	key_join(kp, zp, "devices");
	for (size_t i = 0; !err && i < z->n_devices; i++) {
		key_index(ip, kp, i);
		err = add_device(x, ip, z->devices[i], idx);
	}
	if (!err)
		err = get_approver_keys(x, v, zp, z);
	return err;
}

static int parse_zone(struct pctx *x, json_t *v, const char *zp, struct config *c, size_t idx)
{
	struct zone_cfg *z = &c->zones[idx];
	json_t *ar;
	char kp[KEY_MAX], ip[KEY_MAX];
	int err;

	z->approvals_required = 1;
	z->max_duration = c->max_duration;
	if (!json_is_object(v))
		return fail(x, zp, "expected an object");
	err = check_keys(x, v, zp, zone_keys);
	if (!err)
		err = get_str(x, v, zp, "name", true, check_zone_name, &z->name);
	if (err)
		return err;
	for (size_t i = 0; i < idx; i++) {
		if (c->zones[i].name && !strcmp(c->zones[i].name, z->name)) {
			key_join(kp, zp, "name");
			return fail(x, kp, "\"%s\" is used twice (also zones[%zu].name)", z->name,
				    i);
		}
	}

	key_join(kp, zp, "paths");
	ar = json_object_get(v, "paths");
	if (!ar)
		return fail(x, kp, "is required");
	if (!json_is_array(ar) || !json_array_size(ar))
		return fail(x, kp, "expected a non-empty array of directories");
	err = get_str_array(x, v, zp, "paths", check_abs_path, &z->paths, &z->n_paths);
	for (size_t i = 0; !err && i < z->n_paths; i++) {
		key_index(ip, kp, i);
		err = add_root(x, ip, z->paths[i], idx);
	}
	if (!err)
		err = get_principals(x, v, zp, "approvers", true, &z->approvers);
	if (!err)
		err = parse_zone_rest(x, v, zp, z, idx);
	return err;
}

static int parse_zones(struct pctx *x, json_t *root, struct config *c)
{
	json_t *v = json_object_get(root, "zones"), *item;
	char zp[KEY_MAX];
	size_t i;
	int err = 0;

	if (!v)
		return fail(x, "zones", "is required");
	if (!json_is_array(v))
		return fail(x, "zones", "expected an array of zones");
	if (!json_array_size(v))
		return 0;
	c->zones = calloc(json_array_size(v), sizeof(*c->zones));
	if (!c->zones)
		return oom(x);
	json_array_foreach (v, i, item) {
		/* counted before parsing so config_free() sees a half-parsed zone */
		c->n_zones = i + 1;
		key_index(zp, "zones", i);
		err = first_err(err, parse_zone(x, item, zp, c, i)); /* each zone's first error */
		if (err == -ENOMEM)
			return err;
	}
	return err;
}

/* Whether the zones array already has a zone called @name. */
static bool has_zone(json_t *zones, const char *name)
{
	json_t *z;
	size_t i;

	json_array_foreach (zones, i, z)
		if (json_is_string(json_object_get(z, "name")) &&
		    !strcmp(json_string_value(json_object_get(z, "name")), name))
			return true;
	return false;
}

/*
 * "zones_from": DIR adds a zone for each customer directory under DIR,
 * approved by the group NAME-admins (what the embedded default does), unless
 * "zones" already names it. Done on the JSON, so the zones found pass the
 * same checks as the ones written out.
 */
static int zones_from(struct pctx *x, json_t *root)
{
	json_t *dir = json_object_get(root, "zones_from"), *zones;
	struct vec names = VEC_INIT(char *);
	char msg[512] = "";
	int ret;

	if (!dir)
		return 0;
	if (!json_is_string(dir) || json_string_value(dir)[0] != '/')
		return fail(x, "zones_from", "expected an absolute path of a directory");
	zones = json_object_get(root, "zones");
	if (!zones && json_object_set_new(root, "zones", zones = json_array()))
		return oom(x);
	if (!json_is_array(zones))
		return 0; /* parse_zones says what is wrong */
	ret = zone_dirs(json_string_value(dir), &names, msg, sizeof(msg));
	if (ret)
		return fail(x, "zones_from", "%s", msg[0] ? msg : strerror(-ret));
	for (size_t i = 0; i < names.n && !ret; i++) {
		const char *name = VEC_AT(&names, char *, i);

		if (!has_zone(zones, name) &&
		    json_array_append_new(zones, embedded_zone(json_string_value(dir), name)))
			ret = oom(x);
	}
	for (size_t i = 0; i < names.n; i++)
		free(VEC_AT(&names, char *, i));
	vec_free(&names);
	return ret;
}

static int set_defaults(struct pctx *x, struct config *c)
{
	char host[256] = "";
	char from[sizeof(host) + 16];

	if (gethostname(host, sizeof(host) - 1) || !host[0])
		snprintf(host, sizeof(host), "localhost");
	snprintf(from, sizeof(from), "lockbox@%s", host);
	c->request_ttl = CONFIG_DEFAULT_REQUEST_TTL;
	c->max_duration = CONFIG_DEFAULT_MAX_DURATION;
	if (set_str(x, &c->socket, CONFIG_DEFAULT_SOCKET) ||
	    set_str(x, &c->database, CONFIG_DEFAULT_DATABASE) ||
	    set_str(x, &c->notify_command, CONFIG_DEFAULT_NOTIFY_COMMAND) ||
	    set_str(x, &c->notify_from, from))
		return -ENOMEM;
	return 0;
}

static void pctx_release(struct pctx *x)
{
	for (size_t i = 0; i < x->roots.n; i++)
		free(VEC_AT(&x->roots, struct seen, i).real);
	vec_free(&x->roots);
	vec_free(&x->devs);
}

/* The top-level keys, in the order the man page lists them; zones last. */
static int parse_top(struct pctx *x, json_t *root, struct config *c)
{
	int ret = check_keys(x, root, "", top_keys);

	ret = first_err(ret, get_str(x, root, "", "socket", false, check_socket, &c->socket));
	ret = first_err(ret, get_str(x, root, "", "database", false, check_abs_path, &c->database));
	ret = first_err(ret, get_principals(x, root, "", "engineers", false, &c->engineers));
	ret = first_err(ret, get_principals(x, root, "", "security", false, &c->security));
	ret = first_err(ret, get_duration(x, root, "", "request_ttl", &c->request_ttl));
	ret = first_err(ret, get_duration(x, root, "", "max_duration", &c->max_duration));
	ret = first_err(ret, get_notify(x, root, c));
	ret = first_err(ret, get_bool(x, root, "", "permissive", &c->permissive));
	ret = first_err(ret,
			get_str(x, root, "", "audit_log", false, check_abs_path, &c->audit_log));
	ret = first_err(ret, get_bool(x, root, "", "syslog", &c->syslog));
	ret = first_err(ret, get_str_array(x, root, "", "protected_paths", check_abs_path,
					   &c->protected_paths, &c->n_protected_paths));
	ret = first_err(
		ret, get_bool(x, root, "", "engineer_kernel_access", &c->engineer_kernel_access));
	ret = first_err(ret, get_str(x, root, "", "host", false, check_host, &c->host));
	ret = first_err(
		ret, get_str(x, root, "", "metrics_file", false, check_abs_path, &c->metrics_file));
	ret = first_err(ret, get_named_keys(x, root, "", "security_keys", &c->security_keys,
					    &c->n_security_keys));
	return first_err(ret, parse_zones(x, root, c));
}

int config_parse(const char *json, size_t len, struct config **out, char *err, size_t errlen)
{
	return config_parse_report(json, len, out, NULL, err, errlen);
}

int config_parse_report(const char *json, size_t len, struct config **out, FILE *report, char *err,
			size_t errlen)
{
	struct pctx x = {
		.err = err,
		.errlen = errlen,
		.report = report,
		.roots = VEC_INIT(struct seen),
		.devs = VEC_INIT(struct seen),
	};
	struct config *c = NULL;
	json_error_t jerr;
	json_t *root;
	int ret;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		char q[160];

		quote(q, sizeof(q), jerr.text);
		return fail(&x, NULL, "line %d column %d: %s", jerr.line, jerr.column, q);
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		ret = oom(&x);
		goto out;
	}
	x.c = c;
	ret = set_defaults(&x, c);
	if (ret)
		goto out;
	if (!json_is_object(root)) {
		ret = fail(&x, NULL, "the config must be a JSON object");
		goto out;
	}
	ret = zones_from(&x, root);
	if (!ret)
		ret = parse_top(&x, root, c);
out:
	pctx_release(&x);
	json_decref(root);
	if (ret) {
		config_free(c);
		return ret;
	}
	*out = c;
	return 0;
}

static int read_file(const char *path, char **buf, size_t *len)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd, err = 0;

	*buf = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_FILE_MAX) {
		err = -EFBIG;
		goto out;
	}
	*buf = malloc(st.st_size + 1);
	if (!*buf) {
		err = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, *buf + got, st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got += n;
	}
	*len = got;
out:
	close(fd);
	if (err) {
		free(*buf);
		*buf = NULL;
	}
	return err;
}

int config_load(const char *path, struct config **out, char *err, size_t errlen)
{
	return config_load_report(path, out, NULL, err, errlen);
}

int config_load_report(const char *path, struct config **out, FILE *report, char *err,
		       size_t errlen)
{
	char msg[512];
	char *buf = NULL;
	size_t len = 0;
	struct stat st;
	int ret;

	*out = NULL;
	if (!path) {
		path = CONFIG_DEFAULT_PATH;
		if (stat(path, &st) && errno == ENOENT)
			return config_embedded(out, err, errlen);
	}
	ret = read_file(path, &buf, &len);
	if (ret == -EFBIG) {
		seterr(err, errlen, "%s: not a regular file of at most %d bytes", path,
		       CONFIG_FILE_MAX);
		return ret;
	}
	if (ret) {
		seterr(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = config_parse_report(buf, len, out, report, msg, sizeof(msg));
	if (ret)
		seterr(err, errlen, "%s: %s", path, msg);
	free(buf);
	return ret;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The customer directories under @root (real directories with zone names), sorted. */
static int zone_dirs(const char *root, struct vec *names, char *err, size_t errlen)
{
	DIR *dir = opendir(root);
	struct dirent *de;
	struct stat st;
	int ret = 0;

	if (!dir) {
		if (errno == ENOENT)
			return 0;
		ret = -errno;
		seterr(err, errlen, "%s: %s", root, strerror(errno));
		return ret;
	}
	while (!ret && (de = readdir(dir))) {
		char *name;

		if (!zone_name_ok(de->d_name))
			continue;
		/* real directories only: a symlink could point a zone at anything */
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISDIR(st.st_mode))
			continue;
		name = strdup(de->d_name);
		ret = name ? vec_push(names, &name) : -ENOMEM;
		if (ret)
			free(name);
	}
	closedir(dir);
	if (names->n)
		qsort(names->v, names->n, names->size, by_name);
	return ret ? -ENOMEM : 0;
}

/* Zone @name: @root/@name, approved by the group @name-admins. */
static json_t *embedded_zone(const char *root, const char *name)
{
	char *path, *group;
	json_t *z;

	if (asprintf(&path, "%s/%s", root, name) < 0)
		return NULL;
	if (asprintf(&group, "%s-admins", name) < 0) {
		free(path);
		return NULL;
	}
	z = json_pack("{s:s, s:[s], s:{s:[],s:[s]}, s:i, s:[], s:[]}", "name", name, "paths", path,
		      "approvers", "users", "groups", group, "approvals_required", 1, "notify",
		      "devices");
	free(path);
	free(group);
	return z;
}

/* The embedded default as JSON text, one zone per name; NULL when out of memory. */
static char *embedded_json(const char *root_dir, const struct vec *names)
{
	json_t *root, *zones;
	char *text = NULL;

	root = json_pack("{s:{s:[],s:[s]}, s:{s:[],s:[s]}, s:s, s:s, s:[]}", "engineers", "users",
			 "groups", "engineers", "security", "users", "groups", "secops",
			 "request_ttl", "12h", "max_duration", "4h", "zones");
	if (!root)
		return NULL;
	zones = json_object_get(root, "zones");
	for (size_t i = 0; i < names->n; i++) {
		json_t *z = embedded_zone(root_dir, VEC_AT(names, char *, i));

		if (!z || json_array_append_new(zones, z))
			goto out;
	}
	text = json_dumps(root, JSON_COMPACT);
out:
	json_decref(root);
	return text;
}

/* The embedded default is built as JSON and parsed, so it passes the same checks as a file. */
int config_embedded_at(const char *customers_root, struct config **out, char *err, size_t errlen)
{
	struct vec names = VEC_INIT(char *);
	char *text = NULL;
	int ret;

	*out = NULL;
	ret = zone_dirs(customers_root, &names, err, errlen);
	if (!ret) {
		text = embedded_json(customers_root, &names);
		ret = text ? config_parse(text, strlen(text), out, err, errlen) : -ENOMEM;
	}
	if (ret == -ENOMEM && errlen && !err[0])
		seterr(err, errlen, "out of memory");
	for (size_t i = 0; i < names.n; i++)
		free(VEC_AT(&names, char *, i));
	vec_free(&names);
	free(text);
	return ret;
}

int config_embedded(struct config **out, char *err, size_t errlen)
{
	return config_embedded_at(CONFIG_CUSTOMERS_ROOT, out, err, errlen);
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void free_named_keys(struct named_key *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(k[i].name);
	free(k);
}

static void free_principals(struct principals *p)
{
	free_strv(p->users, p->n_users);
	free_strv(p->groups, p->n_groups);
}

void config_free(struct config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_zones; i++) {
		struct zone_cfg *z = &c->zones[i];

		free(z->name);
		free_strv(z->paths, z->n_paths);
		free_principals(&z->approvers);
		free_strv(z->notify, z->n_notify);
		free_strv(z->devices, z->n_devices);
		free_named_keys(z->approver_keys, z->n_approver_keys);
	}
	free(c->zones);
	free(c->socket);
	free(c->database);
	free_principals(&c->engineers);
	free_principals(&c->security);
	free(c->notify_command);
	free(c->notify_from);
	free(c->notify_format);
	for (size_t i = 0; c->notify_addresses && c->notify_addresses[i].user; i++) {
		free(c->notify_addresses[i].user);
		free(c->notify_addresses[i].address);
	}
	free(c->notify_addresses);
	free(c->host);
	free(c->metrics_file);
	free(c->audit_log);
	free_strv(c->protected_paths, c->n_protected_paths);
	free_named_keys(c->security_keys, c->n_security_keys);
	free(c);
}

const struct named_key *config_named_key(const struct named_key *keys, size_t n,
					 const struct sshkey *key)
{
	for (size_t i = 0; i < n; i++)
		if (sshkey_equal(&keys[i].key, key))
			return &keys[i];
	return NULL;
}

const struct zone_cfg *config_zone(const struct config *c, const char *name)
{
	for (size_t i = 0; c && name && i < c->n_zones; i++)
		if (!strcmp(c->zones[i].name, name))
			return &c->zones[i];
	return NULL;
}

int64_t config_max_duration(const struct config *c, const struct zone_cfg *z)
{
	if (z && z->max_duration < c->max_duration)
		return z->max_duration;
	return c->max_duration;
}

const char *config_user_address(const struct config *c, const char *user)
{
	for (size_t i = 0; c->notify_addresses && c->notify_addresses[i].user; i++)
		if (!strcmp(c->notify_addresses[i].user, user))
			return c->notify_addresses[i].address;
	return NULL;
}
