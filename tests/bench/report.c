// SPDX-License-Identifier: GPL-2.0-only
/*
 * Turns the raw output of the benchmark runs into build/bench/results.json and
 * a readable table with each target of the benchmark issue marked met or
 * missed, per kernel (see docs/benchmarks.md).
 *
 *   report OUT.json [--host INGEST.txt] [--kernel LABEL KERNEL.txt AGENT.txt]...
 *
 * Exit status: 0 when every figure was measured (met or missed), 1 when a
 * figure is missing or a run measured the wrong path (a check failed).
 */
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#define LINE_MAX_LEN 65536
#define NOISE	     0.005 /* icount figures repeat to ~0.2%: below 0.5% of baseline is noise */

static const char *const ops[] = {"open", "read", "stat"};
#define N_OPS 3

/* case prefixes measured in each phase, and the baseline each is compared with */
struct case_def {
	const char *tag; /* without the "lb." / "scale." prefix for lockbox cases */
	const char *base;
	const char *label;
	const char *expect; /* result of open: OK or EACCES */
};

static const struct case_def plain_cases[] = {
	{"base.public", "base.public", "no programs, /srv/public", "OK"},
	{"base.zone", "base.zone", "no programs, zone file", "OK"},
	{"base.deep", "base.deep", "no programs, 32 deep", "OK"},
	{"empty.public", "base.public", "empty programs, /srv/public", "OK"},
	{"empty.zone", "base.zone", "empty programs, zone file", "OK"},
	{"empty.deep", "base.deep", "empty programs, 32 deep", "OK"},
	{"landlock.zone", "base.zone", "Landlock, zone file", "OK"},
	{"landlock.deep", "base.deep", "Landlock, 32 deep", "OK"},
};

static const struct case_def lb_cases[] = {
	{"nonengineer", "base.zone", "non-engineer, zone file", "OK"},
	{"outside", "base.public", "engineer outside zones", "OK"},
	{"grant", "base.zone", "engineer, zone, grant", "OK"},
	{"denied", "base.zone", "engineer denied (counted)", "EACCES"},
	{"deep", "base.deep", "engineer, grant, 32 deep", "OK"},
	{"grant_reader", "base.zone", "grant, agent-like reader woken", "OK"},
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int problems; /* missing figures and failed checks */

/* ---- parsing ---- */

/* "k=v" tokens of a line into an object (numbers as reals where they parse). */
static json_t *kv_tokens(char **tok, int n)
{
	json_t *o = json_object();

	for (int i = 0; i < n; i++) {
		char *eq = strchr(tok[i], '='), *end;
		double d;

		if (!eq)
			continue;
		*eq = 0;
		d = strtod(eq + 1, &end);
		if (eq[1] && !*end)
			json_object_set_new(o, tok[i], json_real(d));
		else
			json_object_set_new(o, tok[i], json_string(eq + 1));
		*eq = '=';
	}
	return o;
}

static json_t *num_list(const char *s)
{
	json_t *a = json_array();
	char *copy = strdup(s), *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		json_array_append_new(a, json_real(strtod(t, NULL)));
	free(copy);
	return a;
}

static json_t *obj_at(json_t *parent, const char *key)
{
	json_t *o = json_object_get(parent, key);

	if (!o) {
		o = json_object();
		json_object_set_new(parent, key, o);
	}
	return o;
}

static json_t *array_at(json_t *parent, const char *key)
{
	json_t *a = json_object_get(parent, key);

	if (!a) {
		a = json_array();
		json_object_set_new(parent, key, a);
	}
	return a;
}

static int split(char *line, char **tok, int max)
{
	int n = 0;
	char *save = NULL;

	for (char *t = strtok_r(line, " \t\r\n", &save); t && n < max;
	     t = strtok_r(NULL, " \t\r\n", &save))
		tok[n++] = t;
	return n;
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* "agent ..." lines: the round trips, the fsync counts and the rest */
static void parse_agent(json_t *k, char **tok, int n)
{
	json_t *a = obj_at(k, "agent"), *o;

	if (!strcmp(tok[1], "fsync") && !strncmp(tok[2], "cmd=", 4)) {
		o = obj_at(obj_at(a, "fsync"), tok[2] + 4);
		for (int i = 3; i < n; i++) {
			char *eq = strchr(tok[i], '=');

			if (eq) {
				*eq = 0;
				json_object_set_new(o, tok[i], num_list(eq + 1));
			}
		}
	} else if (!strncmp(tok[1], "rtt", 3) && !strncmp(tok[2], "n=", 2)) {
		/* "rtt" (real time), "rtt_icount_ext4" and "rtt_icount_tmpfs" */
		json_object_update(obj_at(a, tok[1]), kv_tokens(tok + 2, n - 2));
	} else if (!strncmp(tok[1], "rtt", 3)) {
		char *eq = strchr(tok[2], '=');

		if (eq) {
			*eq = 0;
			json_object_set_new(obj_at(a, tok[1]), tok[2], num_list(eq + 1));
		}
	} else {
		o = kv_tokens(tok + 2, n - 2);
		json_object_set_new(a, tok[1], o);
	}
}

static void parse_line(json_t *k, char *line)
{
	char *tok[64];
	int n = split(line, tok, 64);

	if (n < 2)
		return;
	if (!strcmp(tok[0], "opbench") && n >= 7) {
		json_t *o = kv_tokens(tok + 3, n - 3);
		json_t *r = json_object_get(o, "rounds");

		if (json_is_string(r))
			json_object_set_new(o, "rounds", num_list(json_string_value(r)));
		else if (json_is_number(r))
			json_object_set_new(o, "rounds", json_pack("[f]", json_number_value(r)));
		json_object_set_new(obj_at(obj_at(k, "ops"), tok[1]), tok[2], o);
	} else if (!strcmp(tok[0], "stats") && n >= 6) {
		json_t *prog = obj_at(obj_at(obj_at(k, "stats_raw"), tok[1]), tok[3]);

		json_object_set_new(prog, tok[2], kv_tokens(tok + 4, n - 4));
	} else if (!strcmp(tok[0], "counters") && n >= 3) {
		json_object_set_new(obj_at(k, "counters"), tok[1], kv_tokens(tok + 2, n - 2));
	} else if (!strcmp(tok[0], "mapmem") && n >= 3) {
		json_object_set_new(obj_at(k, "mapmem"), tok[1], kv_tokens(tok + 2, n - 2));
	} else if (!strcmp(tok[0], "scale")) {
		json_object_set_new(k, "scale", kv_tokens(tok + 1, n - 1));
	} else if (!strcmp(tok[0], "meta")) {
		json_object_update(obj_at(k, "meta"), kv_tokens(tok + 1, n - 1));
	} else if (!strcmp(tok[0], "error")) {
		char msg[512] = "";

		for (int i = 1; i < n; i++)
			snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "%s%s",
				 i > 1 ? " " : "", tok[i]);
		json_array_append_new(array_at(k, "errors"), json_string(msg));
	} else if (!strcmp(tok[0], "agent") && n >= 3) {
		parse_agent(k, tok, n);
	} else if (!strcmp(tok[0], "ingest") && !strncmp(tok[1], "summary", 7)) {
		json_object_update(obj_at(k, "ingest"), kv_tokens(tok + 2, n - 2));
	} else if (!strcmp(tok[0], "ingest") && !strncmp(tok[1], "round=", 6)) {
		json_array_append_new(array_at(obj_at(k, "ingest"), "rounds_detail"),
				      kv_tokens(tok + 1, n - 1));
	}
}

static int parse_file(const char *path, json_t *k)
{
	FILE *f = fopen(path, "r");
	char *line = malloc(LINE_MAX_LEN);

	if (!f || !line) {
		free(line);
		if (f)
			fclose(f);
		return -errno;
	}
	while (fgets(line, LINE_MAX_LEN, f))
		parse_line(k, line);
	free(line);
	fclose(f);
	return 0;
}

/* ---- figures ---- */

static double median_of(json_t *list, double *lo, double *hi)
{
	size_t n = json_array_size(list), i;
	double *v = calloc(n + 1, sizeof(*v)), m;
	json_t *x;

	if (!n || !v) {
		free(v);
		return NAN;
	}
	json_array_foreach (list, i, x)
		v[i] = json_number_value(x);
	for (size_t a = 1; a < n; a++) /* insertion sort: a few dozen values */
		for (size_t b = a; b > 0 && v[b - 1] > v[b]; b--) {
			double t = v[b];

			v[b] = v[b - 1];
			v[b - 1] = t;
		}
	m = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	if (lo)
		*lo = v[0];
	if (hi)
		*hi = v[n - 1];
	free(v);
	return m;
}

static json_t *op_of(json_t *k, const char *tag, const char *op)
{
	return json_object_get(json_object_get(json_object_get(k, "ops"), tag), op);
}

static double med(json_t *k, const char *tag, const char *op)
{
	return num(op_of(k, tag, op), "median");
}

static void check(json_t *kr, int ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void check(json_t *kr, int ok, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (ok)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_array_append_new(array_at(kr, "checks_failed"), json_string(msg));
	problems++;
}

/* One case: instructions per op, its ratio and what it adds over its baseline; outcome checks. */
static void case_figures(json_t *k, json_t *kr, const char *tag, const char *base,
			 const char *expect)
{
	json_t *c = obj_at(obj_at(kr, "cases"), tag);

	for (int i = 0; i < N_OPS; i++) {
		json_t *o = op_of(k, tag, ops[i]);
		double m = num(o, "median"), b = med(k, base, ops[i]);
		const char *res = json_string_value(json_object_get(o, "result"));
		/* a denied engineer's read of a descriptor opened before setuid is refused too */
		const char *want = !strcmp(ops[i], "stat") ? "OK" : expect;

		if (!o) {
			/* the reader case times opens only */
			check(kr, !!strstr(tag, "_reader") && i > 0, "%s %s: not measured", tag,
			      ops[i]);
			continue;
		}
		check(kr, res && !strcmp(res, want), "%s %s: result %s, expected %s", tag, ops[i],
		      res ? res : "?", want);
		check(kr, num(o, "fails") == 0, "%s %s: %.0f calls had another outcome", tag,
		      ops[i], num(o, "fails"));
		json_object_set_new(c, ops[i],
				    json_pack("{s:f, s:f, s:f, s:O}", "instructions", m, "ratio",
					      m / b, "added", m - b, "rounds",
					      json_object_get(o, "rounds")));
	}
}

/* Per-program run time from the before/after bpf_stats snapshots of a case. */
static void program_figures(json_t *k, json_t *kr)
{
	json_t *raw = json_object_get(k, "stats_raw"), *progs, *p;
	const char *tag, *name;

	json_object_foreach (raw, tag, progs) {
		json_t *out = obj_at(obj_at(kr, "programs"), tag);

		json_object_foreach (progs, name, p) {
			json_t *b = json_object_get(p, "before"), *a = json_object_get(p, "after");
			double runs = num(a, "run_cnt") - num(b, "run_cnt");
			double t = num(a, "run_time_ns") - num(b, "run_time_ns");

			if (runs >= 100) /* the measured hooks, not the helpers' own start-up */
				json_object_set_new(out, name,
						    json_pack("{s:f, s:f}", "runs", runs,
							      "ns_per_run", t / runs));
		}
	}
}

/* the building blocks of tests/bench/parts.bpf.c, in table order */
static const struct {
	const char *prog; /* as the kernel names it: 15 characters at most */
	const char *floor;
	const char *text;
} blocks[] = {
	{"p_current_task", "p_empty", "current task and its cred (BTF loads)"},
	{"p_array", "p_empty", "one array-map lookup (inlined by the verifier)"},
	{"p_hash_hit", "p_empty", "one hash-map lookup, u32 key, hit"},
	{"p_zone_devs", "p_empty", "zone_devs hash lookup, u64 key"},
	{"p_grant", "p_empty", "grants hash lookup, 8-byte key, hit"},
	{"p_inode_storage", "p_empty", "bpf_inode_storage_get, existing entry"},
	{"p_ktime", "p_empty", "bpf_ktime_get_boot_ns()"},
	{"p_jiffies", "p_empty", "bpf_jiffies64()"},
	{"p_subject_hash", "p_empty", "subject_get() as today (hash lookups)"},
	{"p_subject_bits", "p_empty", "subject_get() with a uid bitmap (array)"},
	{"p_event", "p_empty", "event: reserve, fields, comm, no path"},
	{"p_event_names", "p_empty", "event with zone walk and names path"},
	{"p_event_d_path", "p_open_empty", "event with bpf_d_path (file_open)"},
	{"p_guard_read", "p_empty", "the guard's read check today"},
	{"p_fast_read", "p_empty", "proposed read check: bitmap + cached verdict"},
};

static const char *const block_runs[] = {"user", "engineer", "outside"};

/* Each block's own instructions per run: its run time less the empty program's. */
static void block_figures(json_t *kr)
{
	json_t *progs = json_object_get(kr, "programs"), *out = obj_at(kr, "building_blocks");

	for (size_t b = 0; b < ARRAY_SIZE(blocks); b++) {
		json_t *o = json_object();

		for (size_t r = 0; r < ARRAY_SIZE(block_runs); r++) {
			char tag[32];
			json_t *p;

			snprintf(tag, sizeof(tag), "parts.%s", block_runs[r]);
			p = json_object_get(progs, tag);
			if (!p)
				continue;
			json_object_set_new(
				o, block_runs[r],
				json_real(num(json_object_get(p, blocks[b].prog), "ns_per_run") -
					  num(json_object_get(p, blocks[b].floor), "ns_per_run")));
		}
		json_object_set_new(o, "what", json_string(blocks[b].text));
		json_object_set_new(out, blocks[b].prog, o);
	}
}

static json_t *spread(json_t *list)
{
	double lo, hi, m = median_of(list, &lo, &hi);

	return json_pack("{s:f, s:f, s:f, s:i}", "median", m, "min", lo, "max", hi, "n",
			 (int)json_array_size(list));
}

/* value <= limit (lower is better) or value >= limit (higher is better, @higher) */
static void target(json_t *kr, const char *id, const char *text, double value, double limit,
		   int higher, const char *detail)
{
	json_t *t;
	int met = higher ? value >= limit : value <= limit;

	if (isnan(value)) {
		problems++;
		t = json_pack("{s:s, s:s, s:n, s:f, s:n, s:s}", "id", id, "text", text, "value",
			      "limit", limit, "met", "detail", "not measured");
	} else {
		t = json_pack("{s:s, s:s, s:f, s:f, s:b, s:s}", "id", id, "text", text, "value",
			      value, "limit", limit, "met", met, "detail", detail);
	}
	json_array_append_new(array_at(kr, "targets"), t);
}

static void lockbox_targets(json_t *k, json_t *kr, const char *p)
{
	char tag[64], id[96], text[160], detail[256];

	for (int i = 0; i < N_OPS; i++) {
		double b = med(k, "base.zone", ops[i]);
		double lb, em, value;

		snprintf(tag, sizeof(tag), "%s.nonengineer", p);
		lb = med(k, tag, ops[i]) - b;
		em = med(k, "empty.zone", ops[i]) - b;
		/* both within noise (stat has no hook): met, the ratio means nothing */
		if (fabs(lb) < NOISE * b && fabs(em) < NOISE * b)
			value = 0;
		else
			value = lb / (em > 1 ? em : 1);
		snprintf(id, sizeof(id), "%s.nonengineer.%s", p, ops[i]);
		snprintf(text, sizeof(text),
			 "%snon-engineer %s: lockbox's add <= 1.25x empty's add",
			 !strcmp(p, "scale") ? "scale: " : "", ops[i]);
		snprintf(detail, sizeof(detail), "lockbox %+.0f, empty programs %+.0f instructions",
			 lb, em);
		target(kr, id, text, value, 1.25, 0, detail);
	}
	snprintf(tag, sizeof(tag), "%s.outside", p);
	snprintf(id, sizeof(id), "%s.outside.open", p);
	snprintf(text, sizeof(text), "%sengineer outside any zone: open <= 1.25x baseline",
		 !strcmp(p, "scale") ? "scale: " : "");
	snprintf(detail, sizeof(detail), "%.0f vs %.0f instructions", med(k, tag, "open"),
		 med(k, "base.public", "open"));
	target(kr, id, text, med(k, tag, "open") / med(k, "base.public", "open"), 1.25, 0, detail);

	snprintf(tag, sizeof(tag), "%s.grant", p);
	snprintf(id, sizeof(id), "%s.grant.open_vs_landlock", p);
	snprintf(text, sizeof(text), "%sengineer in a zone, grant: open <= Landlock's open",
		 !strcmp(p, "scale") ? "scale: " : "");
	snprintf(detail, sizeof(detail), "%.0f vs Landlock %.0f instructions (baseline %.0f)",
		 med(k, tag, "open"), med(k, "landlock.zone", "open"), med(k, "base.zone", "open"));
	target(kr, id, text, med(k, tag, "open") / med(k, "landlock.zone", "open"), 1.0, 0, detail);
	snprintf(id, sizeof(id), "%s.grant.read", p);
	snprintf(text, sizeof(text), "%sengineer in a zone, grant: read <= 1.15x baseline",
		 !strcmp(p, "scale") ? "scale: " : "");
	snprintf(detail, sizeof(detail), "%.0f vs %.0f instructions", med(k, tag, "read"),
		 med(k, "base.zone", "read"));
	target(kr, id, text, med(k, tag, "read") / med(k, "base.zone", "read"), 1.15, 0, detail);

	snprintf(tag, sizeof(tag), "%s.deep", p);
	snprintf(id, sizeof(id), "%s.deep.open", p);
	snprintf(text, sizeof(text), "%s32 directories deep: open <= 1.5x baseline",
		 !strcmp(p, "scale") ? "scale: " : "");
	snprintf(detail, sizeof(detail), "%.0f vs %.0f instructions", med(k, tag, "open"),
		 med(k, "base.deep", "open"));
	target(kr, id, text, med(k, tag, "open") / med(k, "base.deep", "open"), 1.5, 0, detail);
}

/* The same round trips under -icount, from the kernel suite's boot. */
static void icount_figures(json_t *a, json_t *out)
{
	for (int d = 0; d < 2; d++) {
		const char *db = d ? "tmpfs" : "ext4";
		char key[64];
		json_t *rt, *ic;

		snprintf(key, sizeof(key), "rtt_icount_%s", db);
		rt = json_object_get(a, key);
		if (!rt)
			continue;
		ic = json_pack("{s:o, s:o, s:f}", "status_us",
			       spread(json_object_get(rt, "status_us")), "approve_us",
			       spread(json_object_get(rt, "approve_us")), "approve_over_status",
			       median_of(json_object_get(rt, "approve_us"), NULL, NULL) /
				       median_of(json_object_get(rt, "status_us"), NULL, NULL));
		/* ext4: the same disk's 4 KiB fdatasync, in the same guest time */
		if (json_object_get(rt, "fdatasync_4k_us")) {
			double fs = median_of(json_object_get(rt, "fdatasync_4k_us"), NULL, NULL);

			json_object_set_new(ic, "fdatasync_4k_us",
					    spread(json_object_get(rt, "fdatasync_4k_us")));
			json_object_set_new(
				ic, "approve_over_status_plus_sync",
				json_real(median_of(json_object_get(rt, "approve_us"), NULL, NULL) /
					  (median_of(json_object_get(rt, "status_us"), NULL, NULL) +
					   1.2 * fs)));
		}
		snprintf(key, sizeof(key), "icount_%s", db);
		json_object_set_new(out, key, ic);
	}
}

#define BURST_TEXT "burst of denied opens of one file: every one in the trail, none lost"
#define BURST_FILES_TEXT                                                                           \
	"burst of denied opens of distinct files: every one in the trail, none lost"

/*
 * One burst (agentbench burst, burst_files): the trail's records of it stand
 * for exactly the opens refused, and the kernel counted none lost.
 */
static void burst_target(json_t *a, json_t *kr, json_t *out, const char *name, const char *id,
			 const char *text)
{
	json_t *burst = json_object_get(a, name);
	double opens = num(burst, "opens"), stored = num(burst, "stored");
	double lost = num(burst, "events_lost"), records = num(burst, "records");
	char detail[256];

	if (burst) {
		json_object_set(out, name, burst);
		check(kr, num(burst, "all_denied") == 1, "agent %s: not every open was denied",
		      name);
		check(kr, num(burst, "lost_recorded") == lost,
		      "agent %s: events.lost records say %.0f, the kernel counted %.0f", name,
		      num(burst, "lost_recorded"), lost);
	}
	snprintf(detail, sizeof(detail),
		 "%.0f opens: %.0f in %.0f records of the trail, %.0f counted lost", opens, stored,
		 records, lost);
	target(kr, id, text, burst ? (stored == opens && lost == 0) : NAN, 1, 1, detail);
}

/* The bursts: every denied open in the trail, none lost, and the chain verifies. */
static void burst_figures(json_t *a, json_t *kr, json_t *out)
{
	burst_target(a, kr, out, "burst", "agent.burst_accounted", BURST_TEXT);
	burst_target(a, kr, out, "burst_files", "agent.burst_files_accounted", BURST_FILES_TEXT);
	if (json_object_get(a, "verify")) {
		json_object_set_new(out, "chain_verifies",
				    json_boolean(num(json_object_get(a, "verify"), "ok") == 1));
		check(kr, num(json_object_get(a, "verify"), "ok") == 1,
		      "agent: audit verify failed after the burst");
	}
}

#define APPROVE_TARGET "approve round trip <= status + 1.2x one 4 KiB fdatasync"

/* the commands whose fsync and fdatasync calls are counted (agentbench fsync) */
static const char *const fsync_cmds[] = {"request", "approve", "revoke", "deny"};

static double max_of(json_t *list)
{
	double m = NAN;
	size_t i;
	json_t *x;

	json_array_foreach (list, i, x)
		if (isnan(m) || json_number_value(x) > m)
			m = json_number_value(x);
	return m;
}

/* @cmd's most fsync/fdatasync calls in one round, its mail's delivery included: <= 1 */
static void fsync_target(json_t *kr, json_t *fsync, const char *cmd)
{
	json_t *c = json_object_get(fsync, cmd);
	char id[64], text[128], detail[128];

	snprintf(id, sizeof(id), "agent.fsync.%s", cmd);
	snprintf(text, sizeof(text), "%s: fsync/fdatasync calls <= 1 (its mail delivered)", cmd);
	snprintf(detail, sizeof(detail), "most in one of %zu rounds; %.0f in the round trip",
		 json_array_size(json_object_get(c, "total")),
		 max_of(json_object_get(c, "during")));
	target(kr, id, text, max_of(json_object_get(c, "total")), 1, 0, detail);
}

static void agent_figures(json_t *k, json_t *kr)
{
	json_t *a = json_object_get(k, "agent"), *rtt = json_object_get(a, "rtt");
	json_t *out = obj_at(kr, "agent");
	double st, ap, fs, n;
	char detail[256];

	if (!a) {
		target(kr, "agent.approve_one_commit", APPROVE_TARGET, NAN, 1, 0, "");
		for (int c = 0; c < (int)ARRAY_SIZE(fsync_cmds); c++)
			fsync_target(kr, NULL, fsync_cmds[c]);
		target(kr, "agent.burst_accounted", BURST_TEXT, NAN, 1, 1, "");
		target(kr, "agent.burst_files_accounted", BURST_FILES_TEXT, NAN, 1, 1, "");
		return;
	}
	st = median_of(json_object_get(rtt, "status_us"), NULL, NULL);
	ap = median_of(json_object_get(rtt, "approve_us"), NULL, NULL);
	fs = median_of(json_object_get(rtt, "fdatasync_4k_us"), NULL, NULL);
	n = num(rtt, "n");
	json_object_set_new(out, "status_us", spread(json_object_get(rtt, "status_us")));
	json_object_set_new(out, "approve_us", spread(json_object_get(rtt, "approve_us")));
	json_object_set_new(out, "fdatasync_4k_us",
			    spread(json_object_get(rtt, "fdatasync_4k_us")));
	json_object_set_new(out, "approve_over_status", json_real(ap / st));
	json_object_set_new(out, "approve_over_status_plus_sync", json_real(ap / (st + 1.2 * fs)));
	json_object_set_new(out, "denied_before_approve",
			    json_real(num(rtt, "denied_before_approve")));
	json_object_set_new(out, "open_after_approve", json_real(num(rtt, "open_after_approve")));
	if (rtt) {
		check(kr, num(rtt, "denied_before_approve") == n,
		      "agent: the engineer could open before approve");
		check(kr, num(rtt, "open_after_approve") == n,
		      "agent: an open right after approve failed %.0f of %.0f times",
		      n - num(rtt, "open_after_approve"), n);
	}
	snprintf(detail, sizeof(detail),
		 "median %.1f ms vs %.1f + 1.2 x %.1f ms; open right after approve: %.0f/%.0f",
		 ap / 1000, st / 1000, fs / 1000, num(rtt, "open_after_approve"), n);
	target(kr, "agent.approve_one_commit", APPROVE_TARGET, ap / (st + 1.2 * fs), 1, 0, detail);
	for (int c = 0; c < (int)ARRAY_SIZE(fsync_cmds); c++)
		fsync_target(kr, json_object_get(a, "fsync"), fsync_cmds[c]);
	if (json_object_get(a, "fsync"))
		json_object_set(out, "fsync", json_object_get(a, "fsync"));
	if (json_object_get(a, "api"))
		json_object_set(out, "api", json_object_get(a, "api"));
	icount_figures(a, out);
	burst_figures(a, kr, out);
}

/* ---- scale and memory ---- */

/* the cases whose every op at scale stays within SCALE_LIMIT of the small case's */
static const char *const scale_cases[] = {"nonengineer", "outside", "grant", "denied"};
#define SCALE_LIMIT   1.02
#define AGENT_RSS_MIB 64.0

/* scale.X over lb.X, per case and op: the maps' size costs the hot path nothing */
static void scale_ratio_targets(json_t *k, json_t *kr)
{
	char lb[64], sc[64], id[96], text[160], detail[128];

	for (size_t c = 0; c < ARRAY_SIZE(scale_cases); c++)
		for (int i = 0; i < N_OPS; i++) {
			double a, b;

			snprintf(lb, sizeof(lb), "lb.%s", scale_cases[c]);
			snprintf(sc, sizeof(sc), "scale.%s", scale_cases[c]);
			a = med(k, sc, ops[i]);
			b = med(k, lb, ops[i]);
			snprintf(id, sizeof(id), "scale.vs_small.%s.%s", scale_cases[c], ops[i]);
			snprintf(text, sizeof(text), "scale: %s %s within 2%% of the small case",
				 scale_cases[c], ops[i]);
			snprintf(detail, sizeof(detail), "%.0f vs %.0f instructions", a, b);
			target(kr, id, text, a / b, SCALE_LIMIT, 0, detail);
		}
}

/* The pinned maps' memory (fdinfo memlock) at scale, and the agent's started on them. */
static void scale_memory_figures(json_t *k, json_t *kr)
{
	json_t *mm = json_object_get(k, "mapmem"), *as;
	json_t *out = obj_at(kr, "scale_memory");
	const char *name;
	json_t *m;
	char detail[160];
	double hwm;

	json_object_foreach (mm, name, m)
		if (strcmp(name, "total"))
			json_object_set_new(obj_at(out, "maps"), name,
					    json_pack("{s:f, s:f}", "memlock_bytes",
						      num(m, "memlock"), "max_entries",
						      num(m, "max_entries")));
	json_object_set_new(out, "maps_total_bytes",
			    json_real(num(json_object_get(mm, "total"), "memlock")));
	check(kr, mm != NULL, "scale: the pinned maps' memory was not read");
	as = json_object_get(json_object_get(k, "agent"), "scale");
	if (as)
		json_object_set(out, "agent", as);
	/* for comparison: the agent-icount phase's, on a fresh guard */
	if (json_object_get(json_object_get(k, "agent"), "memory_tmpfs"))
		json_object_set(out, "agent_small",
				json_object_get(json_object_get(k, "agent"), "memory_tmpfs"));
	hwm = num(as, "hwm_kib") / 1024;
	/* after its round trips' revokes no grant is left; the config names a few zones, uids */
	if (as)
		check(kr,
		      num(as, "left_grants") == 0 && num(as, "left_zones") <= 16 &&
			      num(as, "left_engineers") <= 16,
		      "agent at scale: %.0f grants, %.0f zones, %.0f engineers left in the maps",
		      num(as, "left_grants"), num(as, "left_zones"), num(as, "left_engineers"));
	snprintf(detail, sizeof(detail),
		 "peak (VmHWM) %.1f MiB, %.1f MiB (VmRSS) after a few commands; started in %.1f s",
		 hwm, num(as, "rss_kib") / 1024, num(as, "start_ms") / 1000);
	target(kr, "agent.scale_rss", "scale: lockboxd's memory (peak RSS) < 64 MiB", hwm,
	       AGENT_RSS_MIB, 0, detail);
}

static json_t *kernel_results(json_t *k)
{
	json_t *kr = json_object(), *meta = json_object_get(k, "meta"), *errs;
	const char *ctag;
	char tag[64];
	size_t i;
	json_t *e;

	json_object_set(kr, "kernel", json_object_get(meta, "kernel"));
	json_object_set(kr, "cpu", json_object_get(meta, "cpu"));
	json_object_set(kr, "spectre_v2", json_object_get(meta, "spectre_v2"));
	json_object_set_new(kr, "method",
			    json_pack("{s:s, s:O, s:O}", "clock",
				      "qemu -icount shift=0: 1 guest ns = 1 guest instruction",
				      "iterations", json_object_get(meta, "iter"), "rounds",
				      json_object_get(meta, "rounds")));
	for (i = 0; i < ARRAY_SIZE(plain_cases); i++)
		case_figures(k, kr, plain_cases[i].tag, plain_cases[i].base, plain_cases[i].expect);
	for (int s = 0; s < 2; s++)
		for (i = 0; i < ARRAY_SIZE(lb_cases); i++) {
			if (s && strstr(lb_cases[i].tag, "_reader"))
				continue; /* measured once, without the scale maps */
			snprintf(tag, sizeof(tag), "%s.%s", s ? "scale" : "lb", lb_cases[i].tag);
			case_figures(k, kr, tag, lb_cases[i].base, lb_cases[i].expect);
		}
	program_figures(k, kr);
	block_figures(kr);
	if (json_object_get(k, "scale"))
		json_object_set(kr, "scale", json_object_get(k, "scale"));
	if (json_object_get(k, "counters"))
		json_object_set(kr, "counters", json_object_get(k, "counters"));
	/* every measured event made it into the ring buffer: the deny path was measured whole */
	json_object_foreach (json_object_get(k, "counters"), ctag, e)
		check(kr, num(e, "events_lost") == 0 && num(e, "nolog_denied") == 0,
		      "%s: events were lost while measuring", ctag);
	check(kr,
	      num(json_object_get(k, "scale"), "engineers") >= 10000 &&
		      num(json_object_get(k, "scale"), "zones") >= 100000 &&
		      num(json_object_get(k, "scale"), "grants") >= 1000000,
	      "scale: the maps were not filled");
	lockbox_targets(k, kr, "lb");
	lockbox_targets(k, kr, "scale");
	scale_ratio_targets(k, kr);
	scale_memory_figures(k, kr);
	agent_figures(k, kr);
	errs = json_object_get(k, "errors");
	json_array_foreach (errs, i, e)
		check(kr, 0, "guest: %s", json_string_value(e));
	return kr;
}

/* ---- the table ---- */

static void fmt_int(double v, char *buf, size_t len)
{
	long long n = llround(v);
	char tmp[32];
	int l, o = 0;

	if (isnan(v)) {
		snprintf(buf, len, "-");
		return;
	}
	l = snprintf(tmp, sizeof(tmp), "%lld", n < 0 ? -n : n);
	if (n < 0)
		buf[o++] = '-';
	for (int i = 0; i < l && o + 2 < (int)len; i++) {
		if (i && (l - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = 0;
}

static void print_case(json_t *kr, const char *tag, const char *label)
{
	json_t *c = json_object_get(json_object_get(kr, "cases"), tag);

	printf("  %-34s", label);
	for (int i = 0; i < N_OPS; i++) {
		json_t *o = json_object_get(c, ops[i]);
		char v[32];

		fmt_int(num(o, "instructions"), v, sizeof(v));
		if (o)
			printf(" %9s %6.3f", v, num(o, "ratio"));
		else
			printf(" %9s %6s", "-", "-");
	}
	printf("\n");
}

/* "request 1,1,1 (1,1,1 in the round trip)" per command */
static void print_burst(json_t *b, const char *what)
{
	if (b)
		printf("    burst %s: %.0f denied opens in %.2f s, drained at %.2f s: %.0f in %.0f "
		       "records, %.0f counted lost\n",
		       what, num(b, "opens"), num(b, "burst_s"), num(b, "drained_s"),
		       num(b, "stored"), num(b, "records"), num(b, "events_lost"));
}

static void print_fsync_counts(json_t *fsync)
{
	const char *cmd;
	json_t *c;

	if (!json_object_size(fsync))
		return;
	printf("    fsync+fdatasync calls per command, each round, mail delivered (in the round "
	       "trip):\n     ");
	json_object_foreach (fsync, cmd, c) {
		printf(" %s", cmd);
		for (int w = 0; w < 2; w++) {
			size_t i;
			json_t *x;

			printf("%s", w ? " (" : " ");
			json_array_foreach (json_object_get(c, w ? "during" : "total"), i, x)
				printf("%s%.0f", i ? "," : "", json_number_value(x));
			printf("%s", w ? ");" : "");
		}
	}
	printf("\n");
}

static void print_agent_memory(const char *what, json_t *m)
{
	if (m)
		printf("  %s: peak RSS (VmHWM) %.1f MiB; now %.1f MiB: RssAnon (its own) %.1f, "
		       "RssFile %.1f, RssShmem %.1f\n",
		       what, num(m, "hwm_kib") / 1024, num(m, "rss_kib") / 1024,
		       num(m, "anon_kib") / 1024, num(m, "file_kib") / 1024,
		       num(m, "shmem_kib") / 1024);
}

static void print_scale_memory(json_t *kr)
{
	json_t *sm = json_object_get(kr, "scale_memory"), *as = json_object_get(sm, "agent"), *m;
	const char *name;
	char v[32];

	if (!sm)
		return;
	printf("  at scale, the pinned maps' memory (fdinfo memlock; before 6.4 a size from "
	       "max_entries):\n   ");
	json_object_foreach (json_object_get(sm, "maps"), name, m)
		if (num(m, "memlock_bytes") >= 1024 * 1024) {
			fmt_int(num(m, "memlock_bytes") / 1024, v, sizeof(v));
			printf(" %s %s KiB;", name, v);
		}
	fmt_int(num(sm, "maps_total_bytes") / 1024, v, sizeof(v));
	printf(" all %zu maps %s KiB\n", json_object_size(json_object_get(sm, "maps")), v);
	if (!as)
		return;
	printf("  lockboxd started on the scale maps in %.1f s of guest time (removing what it "
	       "does not\n  know); the maps' memory after: ",
	       num(as, "start_ms") / 1000);
	fmt_int(num(as, "maps_after_bytes") / 1024, v, sizeof(v));
	printf("%s KiB\n", v);
	print_agent_memory("lockboxd on the scale maps", as);
	print_agent_memory("lockboxd on the small maps", json_object_get(sm, "agent_small"));
}

static void print_kernel(const char *label, json_t *kr)
{
	json_t *progs = json_object_get(kr, "programs"), *p, *t, *agent;
	const char *tag, *name;
	char tagbuf[64];
	size_t i;

	printf("\n== %s guest (%s, CPU %s): guest instructions per operation ==\n", label,
	       json_string_value(json_object_get(kr, "kernel")) ?: "?",
	       json_string_value(json_object_get(kr, "cpu")) ?: "?");
	printf("   qemu -icount shift=0, median of %.0f rounds of %.0f calls after a warm-up "
	       "round;\n"
	       "   x = ratio to the no-program baseline on the same path, same boot\n",
	       num(json_object_get(kr, "method"), "rounds"),
	       num(json_object_get(kr, "method"), "iterations"));
	printf("  %-34s %9s %6s %9s %6s %9s %6s\n", "case", "open", "x", "read", "x", "stat", "x");
	for (i = 0; i < ARRAY_SIZE(plain_cases); i++)
		print_case(kr, plain_cases[i].tag, plain_cases[i].label);
	for (int s = 0; s < 2; s++) {
		if (s) {
			json_t *sc = json_object_get(kr, "scale");

			printf("  scale: %.0f engineers, %.0f zones, %.0f grants loaded\n",
			       num(sc, "engineers"), num(sc, "zones"), num(sc, "grants"));
		} else {
			printf("  lockbox: 2 engineers, 2 zones, 1 grant loaded\n");
		}
		for (i = 0; i < ARRAY_SIZE(lb_cases); i++) {
			char lbl[64];

			if (s && strstr(lb_cases[i].tag, "_reader"))
				continue;

			snprintf(tagbuf, sizeof(tagbuf), "%s.%s", s ? "scale" : "lb",
				 lb_cases[i].tag);
			snprintf(lbl, sizeof(lbl), "  %s", lb_cases[i].label);
			print_case(kr, tagbuf, lbl);
		}
	}

	printf("  per-program run time, kernel.bpf_stats_enabled (run_time_ns / run_cnt; ns =\n"
	       "  instructions, including ~64 of the statistics' own clock reads):\n");
	json_object_foreach (progs, tag, p) {
		json_t *x;

		if (!json_object_size(p) || !strncmp(tag, "parts.", 6))
			continue;
		printf("    %-20s", tag);
		json_object_foreach (p, name, x)
			printf("  %s %.0f", name, num(x, "ns_per_run"));
		printf("\n");
	}

	if (json_object_get(progs, "parts.user")) {
		json_t *bb = json_object_get(kr, "building_blocks");

		printf("  building blocks (tests/bench/parts.bpf.c), own instructions per run on a "
		       "read,\n"
		       "  less the empty program's; as a non-engineer / an engineer in a zone with "
		       "a\n"
		       "  grant / an engineer outside zones:\n");
		for (size_t b = 0; b < ARRAY_SIZE(blocks); b++) {
			json_t *o = json_object_get(bb, blocks[b].prog);

			printf("    %-46s %6.0f %6.0f %6.0f\n", blocks[b].text, num(o, "user"),
			       num(o, "engineer"), num(o, "outside"));
		}
	}

	agent = json_object_get(kr, "agent");
	if (json_object_size(agent)) {
		json_t *st = json_object_get(agent, "status_us"),
		       *ap = json_object_get(agent, "approve_us");
		json_t *api = json_object_get(agent, "api"), *b = json_object_get(agent, "burst");

		printf("  agent, real time (lockboxd in the guest, database on the ext4 disk):\n");
		printf("    status  round trip: median %.2f ms (min %.2f, max %.2f, n=%.0f)\n",
		       num(st, "median") / 1000, num(st, "min") / 1000, num(st, "max") / 1000,
		       num(st, "n"));
		printf("    approve round trip: median %.2f ms (min %.2f, max %.2f, n=%.0f); grant "
		       "effective at once %.0f/%.0f\n",
		       num(ap, "median") / 1000, num(ap, "min") / 1000, num(ap, "max") / 1000,
		       num(ap, "n"), num(agent, "open_after_approve"), num(ap, "n"));
		if (json_object_get(agent, "fdatasync_4k_us")) {
			json_t *fs = json_object_get(agent, "fdatasync_4k_us");

			printf("    fdatasync of a 4 KiB write on that disk: median %.2f ms (min "
			       "%.2f, max %.2f, n=%.0f)\n",
			       num(fs, "median") / 1000, num(fs, "min") / 1000,
			       num(fs, "max") / 1000, num(fs, "n"));
		}
		print_fsync_counts(json_object_get(agent, "fsync"));
		for (int d = 0; d < 2; d++) {
			json_t *ic = json_object_get(agent, d ? "icount_tmpfs" : "icount_ext4");

			if (ic)
				printf("    -icount (1 ns = 1 instruction), database on %s: status "
				       "%.3f "
				       "ms, approve %.3f ms, ratio %.2f\n",
				       d ? "tmpfs" : "ext4 ",
				       num(json_object_get(ic, "status_us"), "median") / 1000,
				       num(json_object_get(ic, "approve_us"), "median") / 1000,
				       num(ic, "approve_over_status"));
			if (ic && json_object_get(ic, "fdatasync_4k_us"))
				printf("      4 KiB fdatasync %.3f ms: approve / (status + 1.2 x "
				       "fdatasync) = %.2f\n",
				       num(json_object_get(ic, "fdatasync_4k_us"), "median") / 1000,
				       num(ic, "approve_over_status_plus_sync"));
		}
		if (api)
			printf("    API: %.1f requests/s, %.1f approvals/s, %.1f lists/s (%.0f "
			       "requests listed)\n",
			       num(api, "requests_per_s"), num(api, "approvals_per_s"),
			       num(api, "lists_per_s"), num(api, "list_size"));
		print_burst(b, "of one file");
		print_burst(json_object_get(agent, "burst_files"), "of distinct files");
	}

	print_scale_memory(kr);
	printf("  targets:\n");
	json_array_foreach (json_object_get(kr, "targets"), i, t) {
		json_t *met = json_object_get(t, "met");

		printf("    %-7s %-62s %7.2f (limit %.2f)  %s\n",
		       json_is_null(met)   ? "MISSING"
		       : json_is_true(met) ? "met"
					   : "MISSED",
		       json_string_value(json_object_get(t, "text")), num(t, "value"),
		       num(t, "limit"), json_string_value(json_object_get(t, "detail")));
	}
	json_array_foreach (json_object_get(kr, "checks_failed"), i, t)
		printf("    CHECK FAILED: %s\n", json_string_value(t));
}

static json_t *host_results(json_t *h)
{
	json_t *ing = json_object_get(h, "ingest"), *hr = json_object(), *rates = json_array();
	json_t *bare = json_array(), *ratios = json_array(), *r;
	double ratio;
	size_t i;
	char detail[256];

	json_array_foreach (json_object_get(ing, "rounds_detail"), i, r) {
		json_array_append_new(rates, json_real(num(r, "rate")));
		json_array_append_new(bare, json_real(num(r, "bare_rate")));
		json_array_append_new(ratios, json_real(num(r, "ratio")));
	}
	json_object_set_new(hr, "ingest_events_per_s", spread(rates));
	json_object_set_new(hr, "bare_sqlite_rows_per_s", spread(bare));
	json_object_set_new(hr, "ingest_over_bare", spread(ratios));
	ratio = median_of(ratios, NULL, NULL);
	json_decref(rates);
	json_decref(bare);
	json_decref(ratios);
	if (json_object_get(h, "meta"))
		json_object_set(hr, "machine", json_object_get(h, "meta"));
	json_array_foreach (json_object_get(h, "errors"), i, r)
		check(hr, 0, "%s", json_string_value(r));
	json_object_set_new(hr, "ingest_events_per_round", json_real(num(ing, "events")));
	json_object_set_new(hr, "ingest_stored", json_real(num(ing, "stored")));
	json_object_set_new(hr, "ingest_lost", json_real(num(ing, "lost")));
	if (ing)
		check(hr,
		      num(ing, "stored") == num(ing, "events") * num(ing, "rounds") &&
			      num(ing, "lost") == 0,
		      "ingest: %.0f of %.0f events stored", num(ing, "stored"),
		      num(ing, "events") * num(ing, "rounds"));
	snprintf(detail, sizeof(detail),
		 "median of %.0f rounds of %.0f events (min %.0f, max %.0f)", num(ing, "rounds"),
		 num(ing, "events"), num(ing, "min"), num(ing, "max"));
	target(hr, "host.ingest", "audit ingestion on the host >= 100,000 events/s",
	       ing ? num(ing, "median") : NAN, 100000, 1, detail);
	snprintf(
		detail, sizeof(detail),
		"median of the rounds' ratios; bare SQLite median %.0f rows/s (min %.0f, max %.0f)",
		num(ing, "bare_median"), num(json_object_get(hr, "bare_sqlite_rows_per_s"), "min"),
		num(json_object_get(hr, "bare_sqlite_rows_per_s"), "max"));
	target(hr, "host.ingest_vs_bare",
	       "audit ingestion >= 0.5x a bare batched SQLite insert of the same rows",
	       ing ? ratio : NAN, 0.5, 1, detail);
	return hr;
}

static void print_host(json_t *hr)
{
	json_t *t, *r = json_object_get(hr, "ingest_events_per_s");
	size_t i;

	json_t *m = json_object_get(hr, "machine");

	printf("\n== host (%s, %.0f CPUs, kernel %s; qemu %s): audit ingestion through the "
	       "agent's consumer into a real store ==\n",
	       json_string_value(json_object_get(m, "host_cpu")) ?: "?", num(m, "host_cpus"),
	       json_string_value(json_object_get(m, "host_kernel")) ?: "?",
	       json_string_value(json_object_get(m, "qemu")) ?: "?");
	printf("  %.0f events/s median (min %.0f, max %.0f, %.0f rounds)\n", num(r, "median"),
	       num(r, "min"), num(r, "max"), num(r, "n"));
	r = json_object_get(hr, "bare_sqlite_rows_per_s");
	printf("  bare batched SQLite insert of the same rows: %.0f rows/s median (min %.0f, max "
	       "%.0f)\n",
	       num(r, "median"), num(r, "min"), num(r, "max"));
	r = json_object_get(hr, "ingest_over_bare");
	printf("  ingestion / bare, round by round: %.2f median (min %.2f, max %.2f)\n",
	       num(r, "median"), num(r, "min"), num(r, "max"));
	json_array_foreach (json_object_get(hr, "targets"), i, t) {
		json_t *met = json_object_get(t, "met");

		int frac = num(t, "limit") < 10; /* a ratio, not a rate */

		printf("    %-7s %-62s %7.*f (limit %.*f)  %s\n",
		       json_is_null(met)   ? "MISSING"
		       : json_is_true(met) ? "met"
					   : "MISSED",
		       json_string_value(json_object_get(t, "text")), frac ? 2 : 0, num(t, "value"),
		       frac ? 2 : 0, num(t, "limit"),
		       json_string_value(json_object_get(t, "detail")));
	}
	json_array_foreach (json_object_get(hr, "checks_failed"), i, t)
		printf("    CHECK FAILED: %s\n", json_string_value(t));
}

int main(int argc, char **argv)
{
	json_t *out = json_object(), *kernels = json_object(), *k, *raw;
	char stamp[32];
	time_t now = time(NULL);
	const char *label;

	if (argc < 2)
		goto usage;
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	json_object_set_new(out, "generated", json_string(stamp));
	raw = json_object();
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--host") && i + 1 < argc) {
			json_t *h = json_object();

			if (parse_file(argv[++i], h))
				fprintf(stderr, "report: %s: %s\n", argv[i], strerror(errno));
			json_object_set_new(out, "host", host_results(h));
			json_decref(h);
		} else if (!strcmp(argv[i], "--kernel") && i + 3 < argc) {
			k = json_object();
			label = argv[i + 1];
			if (parse_file(argv[i + 2], k))
				fprintf(stderr, "report: %s: %s\n", argv[i + 2], strerror(errno));
			if (parse_file(argv[i + 3], k))
				fprintf(stderr, "report: %s: %s\n", argv[i + 3], strerror(errno));
			json_object_set_new(kernels, label, kernel_results(k));
			json_object_set_new(raw, label, k);
			i += 3;
		} else {
			json_decref(raw);
			goto usage;
		}
	}
	json_object_set_new(out, "kernels", kernels);
	json_object_foreach (kernels, label, k)
		print_kernel(label, k);
	if (json_object_get(out, "host"))
		print_host(json_object_get(out, "host"));
	if (json_dump_file(out, argv[1], JSON_INDENT(1) | JSON_REAL_PRECISION(6))) {
		fprintf(stderr, "report: cannot write %s\n", argv[1]);
		problems++;
	}
	printf("\nwritten: %s%s\n", argv[1],
	       problems ? " (with missing figures or failed checks)" : "");
	json_decref(raw);
	json_decref(out);
	return problems ? 1 : 0;
usage:
	json_decref(out);
	json_decref(kernels);
	fprintf(stderr, "usage: report OUT.json [--host INGEST.txt] "
			"[--kernel LABEL KERNEL.txt AGENT.txt]...\n");
	return 2;
}
