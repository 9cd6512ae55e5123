// SPDX-License-Identifier: GPL-2.0-only
/* The agent's core: map sync and reconciliation, the audit pipeline, dispatch, ticks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <syslog.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>
#include <jansson.h>
#include "agent.h"
#include "audit.h"
#include "audit_out.h"
#include "blockdevs.h"
#include "config.h"
#include "context.h"
#include "events.h"
#include "identity.h"
#include "kernel_paths.h"
#include "loader.h"
#include "log.h"
#include "metrics.h"
#include "metrics_gather.h"
#include "notify.h"
#include "queries.h"
#include "ringfill.h"
#include "self_protect.h"
#include "server.h"
#include "signed.h"
#include "store.h"
#include "vec.h"
#include "workflow.h"

#define NAME_CACHE 256

struct agent {
	struct config *cfg;
	struct store *st;
	struct guard *g;
	struct server *srv;
	struct notifier *notifier;
	struct events *ev;
	struct cmd_ctx ctx; /* what the commands see of all this */
	bool permissive;
	struct zone_ref *zones;
	size_t n_zones;
	struct root_ref *roots;
	size_t n_roots;
	size_t n_engineers;
	char host[256];
	const char *config_path; /* NULL: the embedded default */
	/* audit records appended in the open transaction, published on commit */
	json_t *unpublished;
	struct audit_out *out; /* the JSON-lines file and syslog */
	struct ringfill *ring; /* the ring buffer fill, for the metrics */
	int64_t started;
	char metrics_error[256]; /* last metrics failure logged */
	bool cmdline_permissive; /* --permissive: a reload does not turn it off */
	struct {
		uint32_t uid;
		char name[LB_NAME_MAX];
	} names[NAME_CACHE];
	char notify_error[256]; /* last delivery failure logged */
};

struct wake {
	const struct cmd_ctx *x;
	int64_t request, now;
};

static void publish_record(struct agent *a, json_t *rec);

static int tx_begin(struct agent *a)
{
	json_array_clear(a->unpublished);
	return store_begin(a->st);
}

static void tx_rollback(struct agent *a);

static int tx_commit(struct agent *a)
{
	size_t i;
	json_t *rec;
	int err = store_commit(a->st);

	if (err) {
		tx_rollback(a);
		return err;
	}
	json_array_foreach (a->unpublished, i, rec)
		publish_record(a, rec);
	json_array_clear(a->unpublished);
	return 0;
}

static void tx_rollback(struct agent *a)
{
	store_rollback(a->st);
	json_array_clear(a->unpublished);
}

/* Whether a committed record goes anywhere beyond the database. */
static bool has_subscribers(struct agent *a)
{
	return audit_out_active(a->out) || (a->srv && server_has_followers(a->srv));
}

static int agent_audit(struct agent *a, json_t *rec)
{
	int64_t seq;
	int err;

	if (!rec)
		return -ENOMEM;
	/* every record names its host: a SIEM holds many hosts' trails */
	json_object_set_new(rec, "host", json_string(a->host));
	err = audit_append(a->st, rec, &seq);
	if (!err && has_subscribers(a))
		json_array_append(a->unpublished, rec);
	json_decref(rec);
	return err;
}

/* Kernel events as canonical text (events.h): when no record needs publishing. */
static bool text_usable(void *ctx)
{
	return !has_subscribers(ctx);
}

static int text_append(void *ctx, const char *head, size_t hlen, const char *tail, size_t tlen)
{
	return audit_append_text(((struct agent *)ctx)->st, head, hlen, tail, tlen, NULL);
}

/* Followers, the JSON-lines file and syslog get a record once it is committed. */
static void publish_record(struct agent *a, json_t *rec)
{
	char *line = NULL;

	if (audit_out_active(a->out))
		line = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	if (line)
		audit_out_write(a->out, line, json_string_value(json_object_get(rec, "type")));
	free(line);
	if (!a->srv)
		return;
	if (server_has_followers(a->srv)) {
		line = proto_record_line(rec);
		if (line)
			server_publish(a->srv, line);
		free(line);
	}
}

static const char *user_name(void *ctx, uint32_t uid)
{
	struct agent *a = ctx;
	unsigned slot = uid % NAME_CACHE;

	if (a->names[slot].name[0] && a->names[slot].uid == uid)
		return a->names[slot].name;
	a->names[slot].uid = uid;
	id_user_name(uid, a->names[slot].name, sizeof(a->names[slot].name));
	return a->names[slot].name;
}

/* The commands' grant map and counters (context.h): the guard's. */
static int g_get(void *g, uint32_t uid, uint32_t zone, struct lb_grant *out)
{
	return guard_grant_get(g, uid, zone, out);
}

static int g_put(void *g, uint32_t uid, uint32_t zone, uint64_t id, uint32_t access,
		 uint64_t expires_ns)
{
	return guard_grant_put_ns(g, uid, zone, id, access, expires_ns);
}

static int g_del(void *g, uint32_t uid, uint32_t zone)
{
	return guard_grant_del(g, uid, zone);
}

static uint64_t g_boot_expiry(int64_t unix_s)
{
	return guard_boot_expiry(unix_s);
}

static int g_counters(void *g, __u64 cnt[LB_CNT_MAX])
{
	return guard_counters(g, cnt);
}

static int g_counter_add(void *g, uint32_t idx, uint64_t n)
{
	return guard_counter_add(g, idx, n);
}

static int g_get_config(void *g, struct lb_config *out)
{
	return guard_get_config(g, out);
}

static const struct grant_ops guard_ops = {
	.get = g_get,
	.put = g_put,
	.del = g_del,
	.boot_expiry = g_boot_expiry,
	.counters = g_counters,
	.counter_add = g_counter_add,
	.get_config = g_get_config,
	.hooks = guard_hooks,
};

/* The commands' audit sink (context.h): the store's trail, published on commit. */
static int s_begin(void *ctx)
{
	return tx_begin(ctx);
}

static int s_commit(void *ctx)
{
	return tx_commit(ctx);
}

static void s_rollback(void *ctx)
{
	tx_rollback(ctx);
}

static int s_append(void *ctx, json_t *rec)
{
	return agent_audit(ctx, rec);
}

static const struct audit_sink trail_sink = {s_begin, s_commit, s_rollback, s_append};

static int64_t now_unix(void)
{
	return time(NULL);
}

static char *answer_waiter(int64_t request, int64_t until, void *ctx)
{
	struct wake *w = ctx;

	if (w->request && request != w->request)
		return NULL;
	return wait_answer(w->x, request, until, w->now);
}

/* Answers the `wait`s on @request (0: all); with @now, also those past their timeout. */
static void wake_waiters(struct agent *a, int64_t request, int64_t now)
{
	struct wake w = {&a->ctx, request, now};

	if (a->srv)
		server_wake(a->srv, answer_waiter, &w);
}

static void request_done(void *owner, int64_t request)
{
	wake_waiters(owner, request, 0);
}

/* The context follows the config, zones and roots as each sync replaces them. */
static void ctx_update(struct agent *a)
{
	struct cmd_ctx *x = &a->ctx;

	*x = (struct cmd_ctx){
		.st = a->st,
		.cfg = a->cfg,
		.notifier = a->notifier,
		.host = a->host,
		.zones = a->zones,
		.n_zones = a->n_zones,
		.roots = a->roots,
		.n_roots = a->n_roots,
		.n_engineers = a->n_engineers,
		.grants = &guard_ops,
		.guard = a->g,
		.audit = &trail_sink,
		.audit_ctx = a,
		.user_name = user_name,
		.names = a,
		.now = now_unix,
		.request_done = request_done,
		.owner = a,
	};
}

static int sync_engineers(struct agent *a)
{
	uint32_t *uids = NULL;
	size_t n = 0;
	int err = id_resolve(&a->cfg->engineers, &uids, &n);

	if (err)
		return err;
	/* the notify command's login uid: an engineer with no grant, whatever the groups say */
	uint32_t *all = realloc(uids, (n + 1) * sizeof(*uids));

	if (!all) {
		free(uids);
		return -ENOMEM;
	}
	uids = all;
	uids[n] = LB_CONFINED_UID;
	for (size_t i = 0; i < n + 1 && !err; i++)
		err = guard_engineer_add(a->g, uids[i]);
	if (!err)
		err = guard_engineers_keep(a->g, uids, n + 1);
	a->n_engineers = n;
	ctx_update(a);
	free(uids);
	return err;
}

static int add_root(struct root_ref *roots, size_t *n, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	roots[*n].dev = lb_kernel_dev(st.st_dev);
	roots[*n].ino = st.st_ino;
	roots[*n].path = path;
	(*n)++;
	return 0;
}

/*
 * The agent's own files: the config and the directories that are lockbox's
 * own (/etc/lockbox, /var/lib/lockbox) engineers may read but not change; the
 * database with its WAL and shared memory they may not open at all, since
 * whoever holds them open can lock the agent's commits out.
 */
static void protect_agent_files(struct agent *a, struct root_ref *roots, size_t *n)
{
	static char paths[8][PATH_MAX];
	const char *files[2] = {a->config_path, a->cfg->database};
	bool db[8] = {false};
	size_t k = 0;

	for (size_t i = 0; i < 2; i++) {
		char dir[PATH_MAX], *slash;

		if (!files[i])
			continue;
		db[k] = i == 1;
		snprintf(paths[k++], PATH_MAX, "%s", files[i]);
		if (i == 1) {
			db[k] = true;
			snprintf(paths[k++], PATH_MAX, "%s-wal", files[i]);
			db[k] = true;
			snprintf(paths[k++], PATH_MAX, "%s-shm", files[i]);
		}
		snprintf(dir, sizeof(dir), "%s", files[i]);
		slash = strrchr(dir, '/');
		if (slash && slash > dir) {
			*slash = 0;
			slash = strrchr(dir, '/');
			if (slash && !strcmp(slash + 1, "lockbox"))
				snprintf(paths[k++], PATH_MAX, "%s", dir);
		}
	}
	for (size_t i = 0; i < k; i++) {
		int err = db[i] ? guard_protect_agent_db(a->g, paths[i])
				: guard_protect_agent_file(a->g, paths[i]);

		if (!err)
			add_root(roots, n, paths[i]);
		else if (err != -ENOENT)
			log_warn("cannot protect %s from engineers: %s", paths[i], strerror(-err));
	}
}

/*
 * Lockbox's own programs, libraries, notify command, identity sources and the
 * places of the zones: out of an engineer's reach (self_protect.h).
 */
static int sync_self_protection(struct agent *a, char *err, size_t errlen)
{
	static unsigned last_gen;
	struct self_paths paths = {0};
	const char *failed = "?";
	unsigned gen = (unsigned)time(NULL);
	int ret;

	if (gen == last_gen)
		gen++;
	last_gen = gen;
	ret = self_paths_collect(a->cfg, a->config_path, &paths);
	if (!ret)
		ret = self_protect_apply(a->g, &paths, a->cfg, gen, &failed);
	if (ret)
		snprintf(err, errlen, "cannot protect %s from engineers: %s", failed,
			 strerror(-ret));
	else
		log_debug("%zu of lockbox's own paths protected from engineers", paths.n);
	self_paths_free(&paths);
	return ret;
}

/* One zone into the guard: its id, its roots (with their hard links) and its devices. */
static int protect_zone(struct agent *a, struct zone_ref *zr, struct root_ref *roots,
			size_t *n_roots, char *err, size_t errlen)
{
	const struct zone_cfg *z = zr->cfg;
	int ret = store_zone_id(a->st, z->name, &zr->id);

	if (ret) {
		snprintf(err, errlen, "zone %s: cannot assign an id: %s", z->name, strerror(-ret));
		return ret;
	}
	for (size_t p = 0; p < z->n_paths; p++) {
		size_t marked = 0;

		ret = guard_zone_add(a->g, z->paths[p], zr->id);
		if (!ret)
			ret = add_root(roots, n_roots, z->paths[p]);
		if (!ret)
			ret = guard_zone_mark_links(a->g, z->paths[p], zr->id, &marked);
		if (ret) {
			snprintf(err, errlen, "zone %s: cannot protect %s: %s", z->name,
				 z->paths[p], strerror(-ret));
			return ret;
		}
		if (marked)
			log_info("zone %s: %zu hard-linked files under %s stay in the zone by any "
				 "name",
				 z->name, marked, z->paths[p]);
	}
	for (size_t d = 0; d < z->n_devices; d++) {
		ret = guard_blkdev_add(a->g, z->devices[d], zr->id);
		if (ret) {
			snprintf(err, errlen, "zone %s: cannot protect device %s: %s", z->name,
				 z->devices[d], strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static int sync_zones(struct agent *a, char *err, size_t errlen)
{
	struct zone_ref *zones = calloc(a->cfg->n_zones + 1, sizeof(*zones));
	uint32_t *ids = calloc(a->cfg->n_zones + 1, sizeof(*ids));
	size_t n_roots = 0, max_roots = 9;
	struct root_ref *roots;
	int ret = 0;

	for (size_t i = 0; i < a->cfg->n_zones; i++)
		max_roots += a->cfg->zones[i].n_paths;
	roots = calloc(max_roots, sizeof(*roots));
	if (!zones || !ids || !roots) {
		ret = -ENOMEM;
		goto out;
	}
	add_root(roots, &n_roots, LB_PIN_DIR);
	protect_agent_files(a, roots, &n_roots);
	for (size_t i = 0; i < a->cfg->n_zones && !ret; i++) {
		zones[i].cfg = &a->cfg->zones[i];
		ret = protect_zone(a, &zones[i], roots, &n_roots, err, errlen);
		ids[i] = zones[i].id;
	}
	if (ret)
		goto out;
	ret = guard_zones_keep(a->g, ids, a->cfg->n_zones);
	ids[a->cfg->n_zones] = LB_ZONE_GUARD; /* found beneath the zones: blockdevs_sync's */
	if (!ret)
		ret = guard_blkdevs_keep(a->g, ids, a->cfg->n_zones + 1);
	if (ret) {
		snprintf(err, errlen, "zones: cannot remove old zone roots: %s", strerror(-ret));
		goto out;
	}
	free(a->zones);
	a->zones = zones;
	a->n_zones = a->cfg->n_zones;
	zones = NULL;
	free(a->roots);
	a->roots = roots;
	a->n_roots = n_roots;
	roots = NULL;
	ctx_update(a);
out:
	free(zones);
	free(ids);
	free(roots);
	return ret;
}

/* The block devices beneath every zone root, found in sysfs (blockdevs.h). */
static int sync_blockdevs(struct agent *a, char *err, size_t errlen)
{
	const char **paths = calloc(a->n_roots + 1, sizeof(*paths));
	size_t n = 0, found = 0;
	int ret;

	if (!paths)
		return -ENOMEM;
	for (size_t i = 0; i < a->n_roots; i++)
		if (a->roots[i].path)
			paths[n++] = a->roots[i].path;
	ret = blockdevs_sync(paths, n, &found, err, errlen);
	free(paths);
	if (!ret)
		log_debug("%zu block devices beneath the zones guarded", found);
	return ret;
}

/* Devices stacked on a zone disk after the last sync (a new dm or md) are guarded within seconds.
 */
static void rescan_blockdevs(struct agent *a, int64_t now)
{
	char err[256];

	if (now % BLOCKDEVS_RESCAN_S == 0 && sync_blockdevs(a, err, sizeof(err)))
		log_err("%s", err);
}

/* What sync_grants keeps: the grants a live approved request stands behind. */
struct grants_ctx {
	struct agent *a;
	int64_t now;
	struct vec approved; /* the approved requests' ids, sorted */
};

static int note_approved(const struct request *r, void *ctx)
{
	struct grants_ctx *s = ctx;

	return vec_push(&s->approved, &r->id);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* A map entry no live approved request stands behind is removed. */
static bool grant_stands(const struct lb_grant_key *k, const struct lb_grant *v, const void *ctx)
{
	const struct grants_ctx *s = ctx;
	int64_t id = (int64_t)v->id;
	const struct zone_ref *z;
	struct request r;

	/* most strays end here, without a query: a map full of foreign grants stays cheap */
	if (!bsearch(&id, s->approved.v, s->approved.n, sizeof(id), cmp_i64))
		return false;
	z = ctx_zone_by_id(&s->a->ctx, k->zone);
	return store_request_get(s->a->st, id, &r) == 0 && r.state == REQ_APPROVED &&
	       r.uid == k->uid && z && !strcmp(r.zone, z->cfg->name) && r.expires_at > s->now;
}

static int sync_one_grant(const struct request *r, void *ctx)
{
	struct grants_ctx *s = ctx;

	return grant_sync(&s->a->ctx, r->uid, r->zone, s->now);
}

static int sync_grants(struct agent *a, int64_t now)
{
	struct grants_ctx s = {.a = a, .now = now, .approved = VEC_INIT(int64_t)};
	size_t dropped = 0;
	int err;

	/* first record what expired while we were away, then make the map match */
	err = expire_due(&a->ctx, now);
	if (!err)
		err = store_requests_foreach(a->st, 1u << REQ_APPROVED, note_approved, &s);
	if (s.approved.n)
		qsort(s.approved.v, s.approved.n, sizeof(int64_t), cmp_i64);
	if (!err)
		err = guard_grants_keep(a->g, grant_stands, &s, &dropped);
	vec_free(&s.approved);
	if (dropped)
		log_info("%zu grants in the guard without an approved request removed", dropped);
	if (err)
		return err;
	return store_requests_foreach(a->st, 1u << REQ_APPROVED, sync_one_grant, &s);
}

int agent_sync(struct agent *a, char *err, size_t errlen)
{
	int ret;

	ctx_update(a); /* the config may be new */
	ret = guard_set_config(a->g, a->permissive ? LB_MODE_PERMISSIVE : LB_MODE_ENFORCE, getpid(),
			       a->cfg->engineer_kernel_access ? LB_CFG_ENGINEER_KERNEL : 0);
	if (ret) {
		snprintf(err, errlen, "cannot set the guard's mode: %s", strerror(-ret));
		return ret;
	}
	/*
	 * No clearing of the subjects cache here: it waits for running programs
	 * (an RCU grace period, seconds on 7.x under a fork storm), and a slot a
	 * guard of another version left cannot be read as a hit (subject_cached()
	 * wants the whole word). sync_grants() moves the verdicts' generation.
	 */
	ret = sync_engineers(a);
	if (ret) {
		snprintf(err, errlen, "cannot load the engineers into the guard: %s",
			 strerror(-ret));
		return ret;
	}
	ret = sync_zones(a, err, errlen);
	if (!ret)
		ret = sync_blockdevs(a, err, errlen);
	if (!ret)
		ret = kernel_paths_sync(a->g, !a->cfg->engineer_kernel_access, err, errlen);
	if (ret)
		return ret;
	ret = sync_self_protection(a, err, errlen);
	if (ret)
		return ret;
	ret = sync_grants(a, time(NULL));
	if (ret)
		snprintf(err, errlen, "cannot reconcile grants with the database: %s",
			 strerror(-ret));
	return ret;
}

/* The host name the records carry: the config's, else the machine's. */
static void set_host(struct agent *a, const struct config *cfg)
{
	if (cfg->host)
		snprintf(a->host, sizeof(a->host), "%s", cfg->host);
	else if (gethostname(a->host, sizeof(a->host) - 1))
		snprintf(a->host, sizeof(a->host), "localhost");
}

/* The guard's denial counts go into the trail with the ring's events (denials.h). */
static int take_denials(struct agent *a, char *err, size_t errlen)
{
	struct lb_caches *c = guard_caches(a->g);
	int e = errno;

	if (!c) {
		snprintf(err, errlen, "cannot map the guard's caches (%s/%s): %s", LB_PIN_DIR,
			 LB_CACHES_PIN, strerror(e));
		return -e;
	}
	events_set_denials(a->ev, &c->denials);
	e = guard_denials_release_stale(a->g);
	if (e > 0)
		log_warn("events: %d denial counts a stopped agent held are taken again", e);
	else if (e < 0)
		log_err("events: cannot look for denial counts a stopped agent held: %s",
			strerror(-e));
	return 0;
}

int agent_new(struct config *cfg, struct store *st, struct guard *g, bool permissive,
	      struct agent **out, char *err, size_t errlen)
{
	struct agent *a = calloc(1, sizeof(*a));
	int ret;

	if (!a)
		return -ENOMEM;
	a->cfg = cfg;
	a->st = st;
	a->g = g;
	a->cmdline_permissive = permissive;
	a->permissive = permissive || cfg->permissive;
	a->unpublished = json_array();
	a->started = time(NULL);
	set_host(a, cfg);
	if (ringfill_open(guard_events_fd(g), &a->ring))
		a->ring = NULL; /* the metrics say 0 */
	ret = audit_out_open(cfg->audit_log, cfg->syslog, &a->out, err, errlen);
	if (ret)
		goto fail;
	ret = notifier_new(st, cfg->notify_command, &a->notifier);
	if (ret) {
		snprintf(err, errlen, "notify: %s", strerror(-ret));
		goto fail;
	}
	ctx_update(a);
	ret = events_open(&a->ctx, guard_events_fd(g), &a->ev);
	if (ret) {
		snprintf(err, errlen, "cannot read the kernel's event ring buffer: %s",
			 strerror(-ret));
		goto fail;
	}
	events_set_text_sink(a->ev, &(struct events_text_sink){text_usable, text_append, a});
	ret = take_denials(a, err, errlen);
	if (ret)
		goto fail;
	*out = a;
	return 0;
fail:
	agent_free(a);
	return ret;
}

void agent_free(struct agent *a)
{
	if (!a)
		return;
	events_close(a->ev);
	notifier_free(a->notifier);
	audit_out_close(a->out);
	ringfill_close(a->ring);
	json_decref(a->unpublished);
	free(a->zones);
	free(a->roots);
	config_free(a->cfg);
	free(a);
}

void agent_set_server(struct agent *a, struct server *srv)
{
	a->srv = srv;
}

void agent_set_config_path(struct agent *a, const char *path)
{
	a->config_path = path;
}

/*
 * Keys a running agent cannot change (it listens on the socket and holds the
 * database open): the new config keeps the running values, and each such key
 * is named in @keys for the log and the trail.
 */
static void keep_running_values(struct config *old, struct config *cfg, json_t *keys)
{
	struct {
		const char *key;
		char **run, **new;
	} fixed[] = {
		{"socket", &old->socket, &cfg->socket},
		{"database", &old->database, &cfg->database},
	};

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		char *t = *fixed[i].new;

		if (!strcmp(*fixed[i].run, t))
			continue;
		json_array_append_new(keys, json_string(fixed[i].key));
		*fixed[i].new = *fixed[i].run; /* old is freed with the value not applied */
		*fixed[i].run = t;
	}
}

/* The audit outputs and the notify command of @cfg, in place of the running ones. */
static int apply_outputs(struct agent *a, const struct config *cfg, char *err, size_t errlen)
{
	const struct config *run = a->cfg;
	struct audit_out *out;
	int ret;

	if (cfg->syslog != run->syslog || !run->audit_log != !cfg->audit_log ||
	    (cfg->audit_log && strcmp(cfg->audit_log, run->audit_log))) {
		ret = audit_out_open(cfg->audit_log, cfg->syslog, &out, err, errlen);
		if (ret)
			return ret;
		audit_out_close(a->out);
		a->out = out;
	}
	return notifier_set_command(a->notifier, cfg->notify_command);
}

static void record_reload(struct agent *a, json_t *restart_keys)
{
	json_t *rec;

	if (tx_begin(a))
		return;
	rec = ctx_record(&a->ctx, "config.reloaded", LB_UID_AGENT, NULL, 0);
	json_object_set_new(rec, "zones", json_integer(a->n_zones));
	json_object_set_new(rec, "engineers", json_integer(a->n_engineers));
	json_object_set_new(rec, "mode", json_string(a->permissive ? "permissive" : "enforce"));
	json_object_set(rec, "restart_needed", restart_keys);
	if (agent_audit(a, rec) || tx_commit(a))
		tx_rollback(a);
}

int agent_reload(struct agent *a, struct config *cfg, char *err, size_t errlen)
{
	struct config *old = a->cfg;
	json_t *restart = json_array();
	int ret;

	keep_running_values(old, cfg, restart);
	ret = apply_outputs(a, cfg, err, errlen);
	if (!ret) {
		a->cfg = cfg;
		a->permissive = a->cmdline_permissive || cfg->permissive;
		set_host(a, cfg);
		ret = agent_sync(a, err, errlen);
	}
	if (ret) {
		/* keep running on the old config: sync the maps back to it */
		keep_running_values(cfg, old, restart);
		a->cfg = old;
		a->permissive = a->cmdline_permissive || old->permissive;
		set_host(a, old);
		agent_sync(a, err + strlen(err), 0);
		notifier_set_command(a->notifier, old->notify_command);
		config_free(cfg);
		json_decref(restart);
		return ret;
	}
	config_free(old);
	for (size_t i = 0; i < json_array_size(restart); i++)
		log_warn("reload: %s changed; it takes effect at the next start",
			 json_string_value(json_array_get(restart, i)));
	record_reload(a, restart);
	json_decref(restart);
	return 0;
}

int agent_reopen(struct agent *a)
{
	char err[512];
	int ret = audit_out_reopen(a->out, err, sizeof(err));

	if (ret)
		log_err("%s (still writing to the file it had open)", err);
	return ret;
}

const char *a_socket_path(struct agent *a)
{
	return a->cfg->socket;
}

void agent_started(struct agent *a)
{
	__u64 cnt[LB_CNT_MAX] = {0};
	json_t *rec;

	guard_counters(a->g, cnt);
	events_lost_seen(a->ev, cnt[LB_CNT_EVENTS_LOST]); /* earlier losses are in this record */
	if (tx_begin(a))
		return;
	rec = ctx_record(&a->ctx, "agent.started", LB_UID_AGENT, NULL, 0);
	json_object_set_new(rec, "mode", json_string(a->permissive ? "permissive" : "enforce"));
	json_object_set_new(rec, "version", json_string(LOCKBOX_VERSION));
	json_object_set_new(rec, "zones", json_integer(a->n_zones));
	json_object_set_new(rec, "engineers", json_integer(a->n_engineers));
	json_object_set_new(rec, "events_lost_total", json_integer(cnt[LB_CNT_EVENTS_LOST]));
	if (agent_audit(a, rec) || tx_commit(a))
		tx_rollback(a);
}

void agent_stopping(struct agent *a, const char *why)
{
	size_t held = events_held_count(a->ev);
	int err = events_abandon(a->ev);

	if (err)
		log_err("events: %zu kernel events not stored and not counted: %s", held,
			strerror(-err));
	else if (held)
		log_err("events: %zu kernel events not stored, counted as lost", held);
	if (tx_begin(a))
		return;
	json_t *rec = ctx_record(&a->ctx, "agent.stopped", LB_UID_AGENT, NULL, 0);

	json_object_set_new(rec, "reason", json_string(why));
	if (agent_audit(a, rec) || tx_commit(a))
		tx_rollback(a);
}

/* Runs the outbox; a delivery failure is logged once per distinct error. */
static void notify_tick(struct agent *a, int64_t now)
{
	const char *last;
	int err = notifier_tick(a->notifier, now);

	if (err)
		log_err("notify: %s", strerror(-err));
	last = notifier_last_error(a->notifier);
	if (last && strcmp(last, a->notify_error)) {
		log_warn("notify: delivery failed, will retry: %s", last);
		snprintf(a->notify_error, sizeof(a->notify_error), "%s", last);
	}
}

/* The metrics file, every tick when configured; a failure is logged once until it changes. */
static void write_metrics(struct agent *a, int64_t now)
{
	struct metrics m;
	char err[256] = "";
	int ret;

	if (!a->cfg->metrics_file)
		return;
	ret = metrics_gather(&a->ctx, a->ev, ringfill_ratio(a->ring), a->started, now, &m);
	if (ret)
		snprintf(err, sizeof(err), "metrics: %s", strerror(-ret));
	else
		metrics_write(a->cfg->metrics_file, &m, err, sizeof(err));
	free((void *)m.zones);
	if (strcmp(err, a->metrics_error)) {
		if (err[0])
			log_err("%s", err);
		snprintf(a->metrics_error, sizeof(a->metrics_error), "%s", err);
	}
}

/* The WAL back into the database between commands, never inside one (store.h). */
static void checkpoint(struct agent *a)
{
	int err = store_checkpoint(a->st);

	if (err < 0)
		log_err("store: checkpoint failed: %s", strerror(-err));
}

void agent_tick(struct agent *a, int64_t now)
{
	bool held;
	int err;

	if (a->srv)
		server_tick(a->srv);
	err = expire_due(&a->ctx, now);
	if (err)
		log_err("expiry: %s", strerror(-err));
	held = agent_events_held(a);
	err = agent_consume_events(a); /* allowed accesses do not wake us */
	if (err < 0 && !held)	       /* once, not every tick while the store fails */
		log_err("events: cannot store kernel events, holding them: %s", strerror(-err));
	else if (err >= 0 && held)
		log_info("events: the kernel events held are stored");
	err = events_check_lost(a->ev);
	if (err)
		log_err("events: cannot record lost events: %s", strerror(-err));
	notify_tick(a, now);
	wake_waiters(a, 0, now);
	rescan_blockdevs(a, now);
	write_metrics(a, now);
	checkpoint(a);
}

void agent_child_exited(struct agent *a)
{
	notify_tick(a, time(NULL));
}

int agent_events_fd(struct agent *a)
{
	return events_fd(a->ev);
}

int agent_consume_events(struct agent *a)
{
	int ret = events_consume(a->ev);

	if (ret > 0)
		checkpoint(a); /* a burst grows the WAL fastest */
	return ret;
}

bool agent_events_held(struct agent *a)
{
	return events_held(a->ev);
}

/* The queries that read; wait and audit --follow leave the client subscribed. */
static char *dispatch_query(struct agent *a, struct client *c, const struct caller *who,
			    const struct proto_req *q)
{
	int64_t wait_id = 0, until = 0;
	bool follow = false;
	char *reply = NULL;

	switch (q->cmd) {
	case CMD_LIST:
		return cmd_list(&a->ctx, who, q);
	case CMD_SHOW:
		return cmd_show(&a->ctx, who, q);
	case CMD_WAIT:
		reply = cmd_wait(&a->ctx, who, q, &wait_id, &until);
		if (!reply)
			client_wait(c, wait_id, until);
		return reply;
	case CMD_AUDIT:
		reply = cmd_audit(&a->ctx, who, q, &follow);
		if (follow)
			client_follow(c);
		return reply;
	case CMD_VERIFY:
		return cmd_verify(&a->ctx, who, q);
	case CMD_STATUS:
		return cmd_status(&a->ctx, who, q);
	case CMD_STATEMENT:
		return cmd_statement(&a->ctx, who, q);
	default:
		return proto_reply_error(PROTO_E_INVALID, "cmd: not supported");
	}
}

static struct caller caller_of(const struct client *c)
{
	const struct client_info *i = client_info(c);

	return (struct caller){.uid = i->cred.uid,
			       .known = i->known,
			       .engineer = i->engineer,
			       .loginuid = i->loginuid};
}

void agent_handle_line(struct client *c, char *line, size_t len, void *ctx)
{
	struct agent *a = ctx;
	struct caller who = caller_of(c);
	struct proto_req q;
	char err[256];
	char *reply = NULL;

	if (client_busy(c))
		return; /* a streaming or waiting client has said all it can say */
	if (proto_parse_request(line, len, &q, err, sizeof(err))) {
		reply = proto_reply_error(PROTO_E_INVALID, "%s", err);
		goto out;
	}
	switch (q.cmd) {
	case CMD_REQUEST:
		reply = cmd_request(&a->ctx, &who, &q);
		break;
	case CMD_APPROVE:
	case CMD_DENY:
	case CMD_REVOKE:
	case CMD_CANCEL:
		/* with a signature, the signer decides, not the sender */
		if (q.cmd == CMD_APPROVE && q.signature[0])
			reply = cmd_approve_signature(&a->ctx, &who, &q);
		else if (q.cmd == CMD_REVOKE && q.statement_len)
			reply = cmd_revoke_signed(&a->ctx, &who, &q);
		else
			reply = cmd_decide(&a->ctx, &who, &q);
		break;
	case CMD_REDEEM:
		reply = cmd_redeem(&a->ctx, &who, &q);
		break;
	default:
		reply = dispatch_query(a, c, &who, &q);
	}
out:
	if (reply)
		client_send_str(a->srv, c, reply);
}
