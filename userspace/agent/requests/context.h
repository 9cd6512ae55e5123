/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the agent's commands (workflow, queries, events) are given to work
 * with: the store, the grant map and counters behind a small table of
 * operations, the audit sink, the config and the zones as the agent resolved
 * them. agent.c fills it over the real guard; the host tests fill it with an
 * in-memory map. The commands see nothing else of the agent.
 */
#ifndef CONTEXT_H
#define CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <linux/types.h>
#include "lockbox.h"
#include "model.h"
#include "policy.h"

struct config;
struct zone_cfg;
struct store;
struct notifier;

struct zone_ref {
	uint32_t id; /* the zone's stable id in the store and the kernel maps */
	const struct zone_cfg *cfg;
};

/* A zone root as the kernel names it in events, with its path for display. */
struct root_ref {
	uint64_t dev, ino;
	const char *path;
};

/* Who sent a command, as the guard recorded the connect (server.h). */
struct caller {
	uint32_t uid;	   /* SO_PEERCRED */
	bool known;	   /* the guard recorded the connect: without it, no role beyond anyone */
	bool engineer;	   /* the connecting task was an engineer */
	uint32_t loginuid; /* LB_UID_UNSET if unset or unknown */
};

/* The kernel's grant map and counters: the guard (loader.h) or a test's table. */
struct grant_ops {
	int (*get)(void *g, uint32_t uid, uint32_t zone, struct lb_grant *out);
	int (*put)(void *g, uint32_t uid, uint32_t zone, uint64_t id, uint32_t access,
		   uint64_t expires_ns);
	int (*del)(void *g, uint32_t uid, uint32_t zone);
	/* unix seconds to the kernel's clock (CLOCK_BOOTTIME ns) */
	uint64_t (*boot_expiry)(int64_t unix_s);
	int (*counters)(void *g, __u64 cnt[LB_CNT_MAX]);
	int (*counter_add)(void *g, uint32_t idx, uint64_t n);
	int (*get_config)(void *g, struct lb_config *out);
	const char *const *(*hooks)(void);
};

/*
 * The audit trail: records appended inside a transaction are published
 * (followers, log file, syslog) only if it commits.
 */
struct audit_sink {
	int (*begin)(void *ctx);
	int (*commit)(void *ctx);
	void (*rollback)(void *ctx);
	int (*append)(void *ctx, json_t *rec); /* steals @rec; NULL is -ENOMEM */
};

struct cmd_ctx {
	struct store *st;
	const struct config *cfg;
	struct notifier *notifier;
	const char *host;
	const struct zone_ref *zones;
	size_t n_zones;
	const struct root_ref *roots;
	size_t n_roots;
	size_t n_engineers;
	const struct grant_ops *grants;
	void *guard;
	const struct audit_sink *audit;
	void *audit_ctx;
	/* a user's name for records and messages; the number when it has none */
	const char *(*user_name)(void *ctx, uint32_t uid);
	void *names;
	int64_t (*now)(void); /* unix seconds */
	/* a request left pending (decided, cancelled, expired): answer its waiters */
	void (*request_done)(void *owner, int64_t request);
	void *owner;
};

const struct zone_ref *ctx_zone_by_name(const struct cmd_ctx *x, const char *name);
const struct zone_ref *ctx_zone_by_id(const struct cmd_ctx *x, uint32_t id);
const char *ctx_root_path(const struct cmd_ctx *x, uint64_t dev, uint64_t ino);
const char *ctx_user(const struct cmd_ctx *x, uint32_t uid);
/* The engineer identity a caller acts as: loginuid when that is an engineer. */
uint32_t ctx_engineer_identity(const struct cmd_ctx *x, const struct caller *c);
/* The caller's roles for @zone (NULL: none in particular). */
void ctx_actor(const struct cmd_ctx *x, const struct caller *c, const char *zone,
	       struct actor *out);

int ctx_begin(const struct cmd_ctx *x);
int ctx_commit(const struct cmd_ctx *x);
void ctx_rollback(const struct cmd_ctx *x);
int ctx_append(const struct cmd_ctx *x, json_t *rec); /* steals @rec */
/* An agent-sourced record with the common fields filled. */
json_t *ctx_record(const struct cmd_ctx *x, const char *type, uint32_t uid, const char *zone,
		   int64_t request);

char *reply_errno(int err, const char *what);

#endif /* CONTEXT_H */
