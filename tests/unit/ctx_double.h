/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A command context (context.h) for host tests: a real store on a temp file,
 * the real audit trail in it, and an in-memory grant map that records every
 * put and delete. Host users: daemon (1) is the engineer, bin (2) approves
 * acme, bin and sync (4) approve globex (two approvals), sys (3) is security.
 */
#ifndef CTX_DOUBLE_H
#define CTX_DOUBLE_H

#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tap.h"
#include "audit.h"
#include "config.h"
#include "context.h"
#include "identity.h"
#include "notify.h"
#include "protocol.h"
#include "store.h"

#define ENG	  1 /* daemon */
#define APPROVER  2 /* bin */
#define SECURITY  3 /* sys */
#define APPROVER2 4 /* sync */
#define T0	  1800000000LL

/* The grant map: one entry per (uid, zone), as the kernel's. */
struct fake_grant {
	uint32_t uid, zone;
	struct lb_grant g;
	bool live;
};

struct fake {
	struct cmd_ctx x;
	struct config *cfg;
	struct store *st;
	struct notifier *notifier;
	struct zone_ref zones[2];
	struct fake_grant map[16];
	int puts, dels; /* calls made */
	__u64 cnt[LB_CNT_MAX];
	int64_t done[16]; /* request_done calls */
	int n_done;
	int appended;	 /* audit records appended, committed or not */
	int fail_commit; /* the next commits fail with this */
	char dir[64];
};

static int64_t fake_clock = T0;

static struct fake_grant *fake_find(struct fake *f, uint32_t uid, uint32_t zone)
{
	for (size_t i = 0; i < sizeof(f->map) / sizeof(f->map[0]); i++)
		if (f->map[i].live && f->map[i].uid == uid && f->map[i].zone == zone)
			return &f->map[i];
	return NULL;
}

static int fg_get(void *g, uint32_t uid, uint32_t zone, struct lb_grant *out)
{
	struct fake_grant *e = fake_find(g, uid, zone);

	if (!e)
		return -ENOENT;
	*out = e->g;
	return 0;
}

static int fg_put(void *g, uint32_t uid, uint32_t zone, uint64_t id, uint32_t access,
		  uint64_t expires_ns)
{
	struct fake *f = g;
	struct fake_grant *e = fake_find(f, uid, zone);

	for (size_t i = 0; !e && i < sizeof(f->map) / sizeof(f->map[0]); i++)
		if (!f->map[i].live)
			e = &f->map[i];
	if (!e)
		return -ENOSPC;
	*e = (struct fake_grant){.uid = uid, .zone = zone, .live = true};
	e->g.id = id;
	e->g.access = access;
	e->g.expires_ns = expires_ns;
	f->puts++;
	return 0;
}

static int fg_del(void *g, uint32_t uid, uint32_t zone)
{
	struct fake *f = g;
	struct fake_grant *e = fake_find(f, uid, zone);

	f->dels++;
	if (e)
		e->live = false;
	return 0;
}

/* The kernel's clock in the double: unix seconds as nanoseconds. */
static uint64_t fg_boot_expiry(int64_t unix_s)
{
	return (uint64_t)unix_s * 1000000000ULL;
}

static int fg_counters(void *g, __u64 cnt[LB_CNT_MAX])
{
	memcpy(cnt, ((struct fake *)g)->cnt, sizeof(((struct fake *)g)->cnt));
	return 0;
}

static int fg_counter_add(void *g, uint32_t idx, uint64_t n)
{
	((struct fake *)g)->cnt[idx] += n;
	return 0;
}

static int fg_get_config(void *g, struct lb_config *out)
{
	memset(out, 0, sizeof(*out));
	out->mode = LB_MODE_ENFORCE;
	return 0;
}

static const char *const *fg_hooks(void)
{
	static const char *const hooks[] = {"file_open", NULL};

	return hooks;
}

static const struct grant_ops fake_grants = {fg_get,	     fg_put,	  fg_del,
					     fg_boot_expiry, fg_counters, fg_counter_add,
					     fg_get_config,  fg_hooks};

static int fs_begin(void *ctx)
{
	return store_begin(((struct fake *)ctx)->st);
}

static int fs_commit(void *ctx)
{
	struct fake *f = ctx;

	if (f->fail_commit)
		return f->fail_commit; /* as a busy database would, the caller rolls back */
	return store_commit(f->st);
}

static void fs_rollback(void *ctx)
{
	store_rollback(((struct fake *)ctx)->st);
}

static int fs_append(void *ctx, json_t *rec)
{
	struct fake *f = ctx;
	int64_t seq;
	int err = audit_append(f->st, rec, &seq);

	f->appended++;
	json_decref(rec);
	return err;
}

static const struct audit_sink fake_sink = {fs_begin, fs_commit, fs_rollback, fs_append};

static const char *fake_user(void *ctx, uint32_t uid)
{
	static char names[8][64];
	static int i;
	char *p = names[i++ % 8];

	id_user_name(uid, p, 64);
	return p;
}

static int64_t fake_now(void)
{
	return fake_clock;
}

static void fake_done(void *owner, int64_t request)
{
	struct fake *f = owner;

	if (f->n_done < 16)
		f->done[f->n_done++] = request;
}

static int fake_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int fake_config(struct fake *f)
{
	char json[1024], err[256];

	snprintf(json, sizeof(json),
		 "{\"engineers\": {\"users\": [\"daemon\"], \"groups\": []},"
		 " \"security\": {\"users\": [\"sys\"], \"groups\": []},"
		 " \"zones\": [{\"name\": \"acme\", \"paths\": [\"%s/acme\"],"
		 "   \"approvers\": {\"users\": [\"bin\"], \"groups\": []}},"
		 "  {\"name\": \"globex\", \"paths\": [\"%s/globex\"], \"approvals_required\": 2,"
		 "   \"approvers\": {\"users\": [\"bin\", \"sync\"], \"groups\": []}}]}",
		 f->dir, f->dir);
	if (config_parse(json, strlen(json), &f->cfg, err, sizeof(err))) {
		printf("# config: %s\n", err);
		return -EINVAL;
	}
	return 0;
}

static inline int fake_open(struct fake *f)
{
	char path[128], err[256];

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_cmd.XXXXXX");
	if (!mkdtemp(f->dir))
		return -errno;
	snprintf(path, sizeof(path), "%s/acme", f->dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/globex", f->dir);
	mkdir(path, 0755);
	if (fake_config(f))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/lockbox.db", f->dir);
	if (store_open(path, &f->st, err, sizeof(err))) {
		printf("# store: %s\n", err);
		return -EIO;
	}
	if (notifier_new(f->st, "/bin/true", &f->notifier))
		return -EIO;
	for (int i = 0; i < 2; i++) {
		f->zones[i].cfg = &f->cfg->zones[i];
		store_zone_id(f->st, f->cfg->zones[i].name, &f->zones[i].id);
	}
	f->x = (struct cmd_ctx){.st = f->st,
				.cfg = f->cfg,
				.notifier = f->notifier,
				.host = "testhost",
				.zones = f->zones,
				.n_zones = 2,
				.grants = &fake_grants,
				.guard = f,
				.audit = &fake_sink,
				.audit_ctx = f,
				.user_name = fake_user,
				.now = fake_now,
				.request_done = fake_done,
				.owner = f};
	return 0;
}

static inline void fake_close(struct fake *f)
{
	notifier_free(f->notifier);
	store_close(f->st);
	config_free(f->cfg);
	nftw(f->dir, fake_rm, 8, FTW_DEPTH | FTW_PHYS);
}

/* A caller the guard recorded at connect, with no login uid. */
static inline struct caller who(uint32_t uid)
{
	return (struct caller){.uid = uid, .known = true, .loginuid = LB_UID_UNSET};
}

static inline struct proto_req req(const char *line)
{
	struct proto_req q;
	char err[256];

	if (proto_parse_request(line, strlen(line), &q, err, sizeof(err))) {
		printf("# bad request line in the test: %s\n", err);
		memset(&q, 0, sizeof(q));
	}
	return q;
}

/* Parses and frees @line: the reply, its result or error code. */
static inline struct proto_reply reply(char *line)
{
	struct proto_reply r = {0};
	char err[256];

	if (!line || proto_parse_reply(line, strlen(line), &r, err, sizeof(err)))
		snprintf(r.code, sizeof(r.code), "%s", line ? "unparsable" : "no reply");
	free(line);
	return r;
}

static inline int64_t result_int(const struct proto_reply *r, const char *key)
{
	return r->ok ? json_integer_value(json_object_get(r->result, key)) : -1;
}

static inline const char *result_str(const struct proto_reply *r, const char *key)
{
	const char *s = r->ok ? json_string_value(json_object_get(r->result, key)) : NULL;

	return s ? s : "";
}

struct type_count {
	const char *type;
	int n;
	json_t *last; /* the last record of the type, owned */
};

static int count_type_cb(json_t *rec, void *ctx)
{
	struct type_count *c = ctx;
	const char *t = json_string_value(json_object_get(rec, "type"));

	if (t && !strcmp(t, c->type)) {
		c->n++;
		json_decref(c->last);
		c->last = json_incref(rec);
	}
	return 0;
}

/* How many committed audit records have @type; *last (if asked) the last one, owned. */
static inline int count_type(struct fake *f, const char *type, json_t **last)
{
	struct type_count c = {.type = type};

	audit_foreach(f->st, 0, 0, count_type_cb, &c);
	if (last)
		*last = c.last;
	else
		json_decref(c.last);
	return c.n;
}

#endif /* CTX_DOUBLE_H */
