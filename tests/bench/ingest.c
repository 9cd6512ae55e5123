// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host benchmark: audit ingestion through the agent's own consumer path.
 *
 *   ingest [-n EVENTS] [-r ROUNDS] DIR
 *
 * In a private mount namespace with its own bpffs, creates and pins the guard's
 * maps (guard.bpf.o with no program loaded: the host may refuse LSM programs),
 * starts an agent on them with a real store in DIR (SQLite WAL, synchronous=FULL,
 * on whatever filesystem DIR is on), then per round has a syscall program
 * (produce.bpf.c) write EVENTS synthetic denied-open events into the `events`
 * ring buffer, in chunks that fit it, and times agent_consume_events() draining
 * them: ring-buffer read, validation, record building, hash chain, SQLite.
 *
 * After each round, the same rows (read back from the store, untimed) go into a
 * bare SQLite database in DIR with the audit table's own definition and the
 * store's settings (WAL, synchronous=FULL), in the consumer's chunks and
 * transactions of EVENTS_BATCH_MAX rows, one prepared INSERT: what SQLite alone
 * takes, measured side by side with the real path. Prints one line per round
 * and a summary:
 *
 *   ingest round=I events=N seconds=S rate=EV_PER_S bare_seconds=S bare_rate=EV_PER_S ratio=R
 *   ingest summary events=N rounds=R median=EV_PER_S min=.. max=.. bare_median=EV_PER_S
 *          ratio_median=R stored=N lost=N
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "agent.h"
#include "audit.h"
#include "config.h"
#include "events.h"
#include "loader.h"
#include "lockbox.h"
#include "store.h"
#include "guard.skel.h"
#include "produce.skel.h"

#define ROUNDS_MAX 32
/* events per production chunk: the 4 MiB ring holds ~12,000 of 336 + 8 bytes */
#define CHUNK 10000

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

struct rows {
	long n;
	char **rec; /* record, prev_hash, hash: three strings a row */
};

struct bare {
	sqlite3 *db;
	sqlite3_stmt *ins;
	int64_t seq;
};

static void rows_free(struct rows *r)
{
	for (long i = 0; r->rec && i < 3 * r->n; i++)
		free(r->rec[i]);
	free(r->rec);
	r->rec = NULL;
	r->n = 0;
}

/* The @n rows after @seq, as the store holds them. */
static int rows_load(struct store *st, int64_t seq, long n, struct rows *r)
{
	sqlite3_stmt *q;
	long i = 0;
	int rc;

	r->rec = calloc(3 * n, sizeof(*r->rec));
	if (!r->rec)
		return -ENOMEM;
	r->n = n;
	rc = sqlite3_prepare_v2(
		store_db(st),
		"SELECT record, prev_hash, hash FROM audit WHERE seq > ?1 ORDER BY seq"
		" LIMIT ?2",
		-1, &q, NULL);
	if (rc)
		return -EIO;
	sqlite3_bind_int64(q, 1, seq);
	sqlite3_bind_int64(q, 2, n);
	while (i < n && sqlite3_step(q) == SQLITE_ROW) {
		for (int c = 0; c < 3; c++)
			r->rec[3 * i + c] = strdup((const char *)sqlite3_column_text(q, c));
		i++;
	}
	sqlite3_finalize(q);
	return i == n ? 0 : -EIO;
}

static int bare_exec(struct bare *b, const char *sql)
{
	return sqlite3_exec(b->db, sql, NULL, NULL, NULL) ? -EIO : 0;
}

/* DIR/bare.db: the store's audit table as the store defines it, with its settings. */
static int bare_open(const char *dir, struct store *st, struct bare *b)
{
	char path[512], *ddl = NULL;
	sqlite3_stmt *q;
	int err = -EIO;

	snprintf(path, sizeof(path), "%s/bare.db", dir);
	unlink(path);
	if (sqlite3_open(path, &b->db))
		return -EIO;
	if (sqlite3_prepare_v2(store_db(st), "SELECT sql FROM sqlite_schema WHERE name = 'audit'",
			       -1, &q, NULL))
		return -EIO;
	if (sqlite3_step(q) == SQLITE_ROW)
		ddl = strdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	if (ddl && !bare_exec(b, "PRAGMA journal_mode = WAL") &&
	    !bare_exec(b, "PRAGMA synchronous = FULL") &&
	    !bare_exec(b, "PRAGMA foreign_keys = ON") && !bare_exec(b, ddl) &&
	    !sqlite3_prepare_v2(b->db,
				"INSERT INTO audit (seq, record, prev_hash, hash)"
				" VALUES (?1, ?2, ?3, ?4)",
				-1, &b->ins, NULL))
		err = 0;
	free(ddl);
	return err;
}

static void bare_close(struct bare *b)
{
	sqlite3_finalize(b->ins);
	sqlite3_close(b->db);
}

/* Rows [@from, @to) in one transaction. */
static int bare_txn(struct bare *b, const struct rows *r, long from, long to)
{
	int err = bare_exec(b, "BEGIN IMMEDIATE");

	for (long i = from; i < to && !err; i++) {
		sqlite3_bind_int64(b->ins, 1, ++b->seq);
		for (int c = 0; c < 3; c++)
			sqlite3_bind_text(b->ins, 2 + c, r->rec[3 * i + c], -1, SQLITE_STATIC);
		if (sqlite3_step(b->ins) != SQLITE_DONE)
			err = -EIO;
		sqlite3_reset(b->ins);
	}
	return err ?: bare_exec(b, "COMMIT");
}

/* The rows as the consumer commits them: chunk by chunk, EVENTS_BATCH_MAX a transaction. */
static int bare_round(struct bare *b, const struct rows *r, double *secs)
{
	double t0 = now_s();
	int err = 0;

	for (long c = 0; c < r->n && !err; c += CHUNK) {
		long end = c + CHUNK < r->n ? c + CHUNK : r->n;

		for (long i = c; i < end && !err; i += EVENTS_BATCH_MAX)
			err = bare_txn(b, r, i,
				       i + EVENTS_BATCH_MAX < end ? i + EVENTS_BATCH_MAX : end);
	}
	*secs = now_s() - t0;
	return err;
}

/* A bpffs of our own, so the pins under LB_PIN_DIR touch nothing outside this process. */
static int private_bpffs(void)
{
	if (unshare(CLONE_NEWNS) < 0)
		return -errno;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700") < 0)
		return -errno;
	if (mkdir(LB_PIN_DIR, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* The guard's maps, created and pinned by name; its programs are not loaded. */
static int pin_guard_maps(struct guard_bpf **out)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = LB_PIN_DIR);
	struct guard_bpf *skel = guard_bpf__open_opts(&opts);
	struct bpf_program *prog;
	int err;

	if (!skel)
		return -errno;
	bpf_object__for_each_program (prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	/* the guard's global, which the loader pins itself (guard_open_pinned opens it) */
	err = bpf_map__set_pin_path(skel->maps.bss, LB_PIN_DIR "/" LB_CACHES_PIN);
	if (!err)
		err = guard_bpf__load(skel);
	if (err) {
		guard_bpf__destroy(skel);
		return err;
	}
	*out = skel;
	return 0;
}

static int write_config(const char *dir, char *path, size_t len)
{
	char zone[512];
	FILE *f;

	snprintf(zone, sizeof(zone), "%s/customers/acme", dir);
	snprintf(path, len, "%s/customers", dir);
	if ((mkdir(path, 0755) < 0 && errno != EEXIST) ||
	    (mkdir(zone, 0755) < 0 && errno != EEXIST))
		return -errno;
	snprintf(path, len, "%s/lockbox.json", dir);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f,
		"{\"socket\": \"%s/lockbox.sock\", \"database\": \"%s/lockbox.db\",\n"
		" \"engineers\": {\"users\": [], \"groups\": []},\n"
		" \"security\": {\"users\": [], \"groups\": []},\n"
		" \"notify\": {\"command\": \"/bin/true\", \"from\": \"lockbox@bench\"},\n"
		" \"zones\": [{\"name\": \"acme\", \"paths\": [\"%s\"],\n"
		"   \"approvers\": {\"users\": [\"root\"], \"groups\": []}}]}\n",
		dir, dir, zone);
	return fclose(f) ? -errno : 0;
}

static void fill_template(struct lb_event *e, const char *dir, __u32 zone)
{
	struct stat st;
	char root[512];

	memset(e, 0, sizeof(*e));
	snprintf(root, sizeof(root), "%s/customers/acme", dir);
	if (!stat(root, &st)) {
		e->dev = lb_kernel_dev(st.st_dev);
		e->ino = st.st_ino;
	}
	e->uid = 2001;
	e->loginuid = (__u32)-1;
	e->engineer = 2001;
	e->zone = zone;
	e->op = LB_OP_OPEN;
	e->verdict = LB_VERDICT_DENY;
	e->reason = LB_REASON_NO_GRANT;
	e->access = LB_ACCESS_READ;
	e->path_kind = LB_PATH_FULL;
	e->count = 1;
	snprintf(e->comm, sizeof(e->comm), "cat");
	/* what the guest's events carry: the path as bpf_d_path gives it */
	snprintf(e->path, sizeof(e->path), "/srv/customers/acme/reports/q1.txt");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, long n, double *lo, double *hi)
{
	double sorted[ROUNDS_MAX];

	memcpy(sorted, v, sizeof(v[0]) * n);
	qsort(sorted, n, sizeof(sorted[0]), cmp_double);
	if (lo)
		*lo = sorted[0];
	if (hi)
		*hi = sorted[n - 1];
	return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/* One round: @n events produced chunk by chunk, the consumer's time summed. */
static int round_once(struct agent *a, struct produce_bpf *p, long n, double *secs)
{
	int prog = bpf_program__fd(p->progs.produce);

	*secs = 0;
	while (n > 0) {
		struct {
			__u32 n;
		} args = {n > CHUNK ? CHUNK : n};
		LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = &args, .ctx_size_in = sizeof(args));
		__u64 before = p->bss->produced;
		double t0;
		int ret;

		if (bpf_prog_test_run_opts(prog, &topts) < 0)
			return -errno;
		if (p->bss->produced - before != args.n)
			return -ENOSPC; /* the ring was not drained: a consumer bug */
		t0 = now_s();
		do
			ret = agent_consume_events(a);
		while (ret > 0);
		*secs += now_s() - t0;
		if (ret < 0)
			return ret;
		n -= args.n;
	}
	return 0;
}

/* Each round through the agent, then the same rows into the bare database. */
static int run_rounds(struct agent *a, struct store *st, struct produce_bpf *p, long events,
		      long rounds, const char *dir, double r[3][ROUNDS_MAX])
{
	struct bare b = {0};
	struct rows rows = {0};
	int e = bare_open(dir, st, &b);

	for (long i = 0; i < rounds && !e; i++) {
		int64_t seq = audit_last_seq(st);
		double secs, bare_secs;

		e = round_once(a, p, events, &secs);
		e = e ?: rows_load(st, seq, events, &rows);
		e = e ?: bare_round(&b, &rows, &bare_secs);
		rows_free(&rows);
		if (e) {
			fprintf(stderr, "ingest: round %ld: %s\n", i, strerror(-e));
			break;
		}
		r[0][i] = events / secs;
		r[1][i] = events / bare_secs;
		r[2][i] = r[0][i] / r[1][i];
		printf("ingest round=%ld events=%ld seconds=%.3f rate=%.0f bare_seconds=%.3f "
		       "bare_rate=%.0f ratio=%.3f\n",
		       i, events, secs, r[0][i], bare_secs, r[1][i], r[2][i]);
		fflush(stdout);
	}
	bare_close(&b);
	return e;
}

int main(int argc, char **argv)
{
	long events = 100000, rounds = 5;
	double r[3][ROUNDS_MAX], med, lo, hi; /* the agent's rate, the bare rate, their ratio */
	struct guard_bpf *maps = NULL;
	struct produce_bpf *p = NULL;
	struct config *cfg = NULL;
	struct store *st = NULL;
	struct guard *g = NULL;
	struct agent *a = NULL;
	char cfg_path[512], err[512] = "";
	__u64 lost[LB_CNT_MAX] = {0};
	int64_t seq0, seq1;
	__u32 zone = 0;
	int c, ret = 1, e;

	while ((c = getopt(argc, argv, "n:r:")) != -1) {
		if (c == 'n')
			events = atol(optarg);
		else if (c == 'r')
			rounds = atol(optarg);
		else
			goto usage;
	}
	if (argc - optind != 1 || events < 1 || rounds < 1 || rounds > ROUNDS_MAX)
		goto usage;

	e = private_bpffs();
	if (e) {
		fprintf(stderr, "ingest: cannot mount a private bpffs: %s\n", strerror(-e));
		return 1;
	}
	e = pin_guard_maps(&maps);
	if (!e)
		e = guard_open_pinned(&g);
	if (e) {
		fprintf(stderr, "ingest: cannot create the guard's maps: %s\n", strerror(-e));
		goto out;
	}
	e = write_config(argv[optind], cfg_path, sizeof(cfg_path));
	if (!e)
		e = config_load(cfg_path, &cfg, err, sizeof(err));
	if (!e)
		e = store_open(cfg->database, &st, err, sizeof(err));
	if (!e) {
		e = agent_new(cfg, st, g, false, &a, err, sizeof(err));
		cfg = NULL; /* the agent took it, even on failure */
	}
	if (!e)
		e = agent_sync(a, err, sizeof(err));
	if (!e)
		e = store_zone_id(st, "acme", &zone);
	if (e) {
		fprintf(stderr, "ingest: agent setup: %s\n", err[0] ? err : strerror(-e));
		goto out;
	}

	p = produce_bpf__open();
	if (!p || bpf_map__reuse_fd(p->maps.events, guard_events_fd(g)) || produce_bpf__load(p)) {
		fprintf(stderr, "ingest: cannot load the event producer: %s\n", strerror(errno));
		goto out;
	}
	fill_template(&p->bss->tmpl, argv[optind], zone);

	seq0 = audit_last_seq(st);
	e = run_rounds(a, st, p, events, rounds, argv[optind], r);
	if (e)
		goto out;
	seq1 = audit_last_seq(st);
	guard_counters(g, lost);
	med = median(r[0], rounds, &lo, &hi);
	printf("ingest summary events=%ld rounds=%ld median=%.0f min=%.0f max=%.0f "
	       "bare_median=%.0f ratio_median=%.3f stored=%lld lost=%llu\n",
	       events, rounds, med, lo, hi, median(r[1], rounds, NULL, NULL),
	       median(r[2], rounds, NULL, NULL), (long long)(seq1 - seq0),
	       (unsigned long long)lost[LB_CNT_EVENTS_LOST]);
	ret = 0;
out:
	produce_bpf__destroy(p);
	agent_free(a);
	config_free(cfg);
	store_close(st);
	guard_close(g);
	guard_bpf__destroy(maps);
	return ret;
usage:
	fprintf(stderr, "usage: ingest [-n EVENTS] [-r ROUNDS] DIR\n");
	return 2;
}
