// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest benchmark helper for the agent side, run as root with lockboxd up.
 * Talks the wire protocol over the agent's socket on connections opened with
 * the effective uid of each role (SO_PEERCRED is taken at connect time), and
 * times only the round trip: message out, reply in. Times are real time.
 *
 *   agentbench rtt N FILE [SYNCFILE]
 *                             N rounds (+2 warm-up) of: status; an engineer's
 *                             request; FILE must be denied to the engineer;
 *                             approve; FILE must open at once; revoke; and, with
 *                             SYNCFILE (on the database's disk), one fdatasync of
 *                             a 4 KiB write to it, timed alone.
 *   agentbench fsync N PID    N rounds of request, approve, revoke, a second
 *                             request and its deny, and status: the fsync and
 *                             fdatasync calls of process PID (the agent) while
 *                             each command runs and until the mail it queued is
 *                             delivered (fsynccount.bpf.c counts them)
 *   agentbench api N          N requests, then N approvals, then N lists, back to back
 *   agentbench burst N FILE   a second engineer opens FILE N times (denied); then
 *                             counts the records that reached the database, the
 *                             denials they stand for, and what was counted lost
 *   agentbench burst_files N DIR
 *                             the same with N distinct files, DIR/0 .. DIR/N-1,
 *                             which it makes first (as root, not timed)
 *
 * Output lines start with "agent"; microsecond lists are comma-separated.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include "ctl_conn.h"
#include "lockbox.h"
#include "protocol.h"
#include "fsynccount.skel.h"

#define ENG1	      2001 /* engineers (2000) */
#define ENG2	      2002
#define ENG_GID	      2000
#define ADMIN	      3001 /* acme-admins (3000) */
#define ADMIN_GID     3000
#define WARMUP	      2
#define DRAIN_WAIT_S  120
#define SYNC_BYTES    4096
#define OUTBOX_WAIT_S 10

struct conn {
	int fd;
	struct ctl_reader rd;
};

static const char *sock_path;

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* A connection the agent sees as @uid: connect with that effective uid, then back to root. */
static int conn_open(struct conn *c, uid_t uid, gid_t gid)
{
	int fd, err = 0;

	if (setegid(gid) < 0 || seteuid(uid) < 0)
		return -errno;
	fd = ctl_connect(sock_path);
	if (seteuid(0) < 0 || setegid(0) < 0)
		err = -errno;
	if (fd < 0)
		return fd;
	if (err) {
		close(fd);
		return err;
	}
	c->fd = fd;
	ctl_reader_init(&c->rd, fd);
	return 0;
}

static void conn_close(struct conn *c)
{
	ctl_reader_release(&c->rd);
	close(c->fd);
}

/*
 * One request and its reply; *secs is the round trip (send to whole reply line).
 * A failed reply is -EPROTO with its message on stderr.
 */
static int call(struct conn *c, const struct proto_req *q, struct proto_reply *rep, double *secs)
{
	json_t *j = proto_request_json(q);
	char *msg = j ? json_dumps(j, JSON_COMPACT) : NULL, perr[256], *line;
	size_t len, n;
	double t0;
	int err;

	json_decref(j);
	if (!msg)
		return -ENOMEM;
	n = strlen(msg);
	msg = realloc(msg, n + 2);
	if (!msg)
		return -ENOMEM;
	msg[n++] = '\n';
	t0 = now_s();
	err = ctl_send(c->fd, msg, n);
	if (!err)
		err = ctl_read_line(&c->rd, &line, &len);
	if (secs)
		*secs = now_s() - t0;
	free(msg);
	if (err)
		return err;
	if (proto_parse_reply(line, len, rep, perr, sizeof(perr))) {
		fprintf(stderr, "agentbench: bad reply: %s\n", perr);
		return -EPROTO;
	}
	if (!rep->ok) {
		fprintf(stderr, "agentbench: %s: %s: %s\n", proto_cmd_name(q->cmd), rep->code,
			rep->message);
		proto_reply_release(rep);
		return -EPROTO;
	}
	return 0;
}

/* A call whose result is not needed. */
static int call_simple(struct conn *c, const struct proto_req *q, double *secs)
{
	struct proto_reply rep;
	int err = call(c, q, &rep, secs);

	if (!err)
		proto_reply_release(&rep);
	return err;
}

static int file_request(struct conn *eng, int64_t *id, double *secs)
{
	struct proto_req q;
	struct proto_reply rep;
	json_t *jid;
	int err;

	proto_req_init(&q, CMD_REQUEST);
	snprintf(q.zone, sizeof(q.zone), "acme");
	snprintf(q.reason, sizeof(q.reason), "benchmark: approval round trip");
	q.access = LB_ACCESS_READ;
	err = call(eng, &q, &rep, secs);
	if (err)
		return err;
	jid = json_is_object(rep.result) ? json_object_get(rep.result, "id") : rep.result;
	err = json_is_integer(jid) ? 0 : -EPROTO;
	if (!err)
		*id = json_integer_value(jid);
	proto_reply_release(&rep);
	return err;
}

static int decide(struct conn *c, enum proto_cmd cmd, int64_t id, double *secs)
{
	struct proto_req q;

	proto_req_init(&q, cmd);
	q.id = id;
	if (cmd == CMD_REVOKE || cmd == CMD_DENY)
		snprintf(q.reason, sizeof(q.reason), "benchmark done");
	return call_simple(c, &q, secs);
}

/* 0 if @uid can open @path now, 1 if EACCES, 2 otherwise: in a child, as that uid. */
static int try_open_as(uid_t uid, gid_t gid, const char *path)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 2;
	if (pid == 0) {
		int fd;

		if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
			_exit(2);
		fd = open(path, O_RDONLY);
		_exit(fd >= 0 ? 0 : errno == EACCES ? 1 : 2);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return 2;
	return WEXITSTATUS(status);
}

static void print_us(const char *what, const double *v, int n)
{
	printf("agent rtt %s=", what);
	for (int i = 0; i < n; i++)
		printf("%s%.0f", i ? "," : "", v[i] * 1e6);
	printf("\n");
}

/* One fdatasync of a 4 KiB write already in the page cache: the disk's commit cost. */
static int time_fdatasync(int fd, double *secs)
{
	static char block[SYNC_BYTES];
	double t0;

	block[0]++;
	if (pwrite(fd, block, sizeof(block), 0) != (ssize_t)sizeof(block))
		return -EIO;
	t0 = now_s();
	if (fdatasync(fd) < 0)
		return -errno;
	*secs = now_s() - t0;
	return 0;
}

struct rtt {
	struct conn eng, admin;
	const char *path;
	int sync_fd; /* -1: no fdatasync timing */
	int pre_denied, post_open;
};

/* Round @i: status, request, approve, revoke; timed into st[i], ap[i] and fs[i]. */
static int rtt_round(struct rtt *r, int i, double *st, double *ap, double *fs)
{
	struct proto_req qs;
	int64_t id;
	int err;

	proto_req_init(&qs, CMD_STATUS);
	err = call_simple(&r->admin, &qs, &st[i]);
	if (!err)
		err = file_request(&r->eng, &id, NULL);
	if (err)
		return err;
	if (i >= WARMUP && try_open_as(ENG1, ENG_GID, r->path) == 1)
		r->pre_denied++;
	err = decide(&r->admin, CMD_APPROVE, id, &ap[i]);
	/* approve returned: the grant must already be in the kernel */
	if (!err && i >= WARMUP && try_open_as(ENG1, ENG_GID, r->path) == 0)
		r->post_open++;
	if (!err)
		err = decide(&r->admin, CMD_REVOKE, id, NULL);
	if (!err && r->sync_fd >= 0)
		err = time_fdatasync(r->sync_fd, &fs[i]);
	return err;
}

static int bench_rtt(int n, const char *path, const char *sync_path)
{
	struct rtt r = {.path = path, .sync_fd = -1};
	double *st = calloc(n + WARMUP, sizeof(*st)), *ap = calloc(n + WARMUP, sizeof(*ap));
	double *fs = calloc(n + WARMUP, sizeof(*fs));
	int err = -ENOMEM;

	if (!st || !ap || !fs)
		goto out_free;
	if (sync_path) {
		r.sync_fd = open(sync_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		err = r.sync_fd < 0 ? -errno : time_fdatasync(r.sync_fd, &fs[0]);
		if (err)
			goto out_free;
	}
	err = conn_open(&r.eng, ENG1, ENG_GID);
	if (err)
		goto out_free;
	err = conn_open(&r.admin, ADMIN, ADMIN_GID);
	if (err)
		goto out_eng;
	for (int i = 0; i < n + WARMUP && !err; i++)
		err = rtt_round(&r, i, st, ap, fs);
	if (!err) {
		print_us("status_us", st + WARMUP, n);
		print_us("approve_us", ap + WARMUP, n);
		if (sync_path)
			print_us("fdatasync_4k_us", fs + WARMUP, n);
		printf("agent rtt n=%d denied_before_approve=%d open_after_approve=%d\n", n,
		       r.pre_denied, r.post_open);
	}
	conn_close(&r.admin);
out_eng:
	conn_close(&r.eng);
out_free:
	if (r.sync_fd >= 0)
		close(r.sync_fd);
	free(st);
	free(ap);
	free(fs);
	return err;
}

static int bench_api(int n)
{
	int64_t *ids = calloc(n, sizeof(*ids));
	struct conn eng, admin;
	struct proto_req ql;
	double t0, t_req, t_appr, t_list;
	int err;

	if (!ids)
		return -ENOMEM;
	err = conn_open(&eng, ENG1, ENG_GID);
	if (err)
		goto out_free;
	err = conn_open(&admin, ADMIN, ADMIN_GID);
	if (err)
		goto out_eng;
	t0 = now_s();
	for (int i = 0; i < n && !err; i++)
		err = file_request(&eng, &ids[i], NULL);
	t_req = now_s() - t0;
	t0 = now_s();
	for (int i = 0; i < n && !err; i++)
		err = decide(&admin, CMD_APPROVE, ids[i], NULL);
	t_appr = now_s() - t0;
	proto_req_init(&ql, CMD_LIST);
	t0 = now_s();
	for (int i = 0; i < n && !err; i++)
		err = call_simple(&admin, &ql, NULL);
	t_list = now_s() - t0;
	if (!err)
		printf("agent api n=%d requests_per_s=%.1f approvals_per_s=%.1f "
		       "lists_per_s=%.1f list_size=%d\n",
		       n, n / t_req, n / t_appr, n / t_list, n);
	for (int i = 0; i < n && !err; i++)
		err = decide(&admin, CMD_REVOKE, ids[i], NULL);
	conn_close(&admin);
out_eng:
	conn_close(&eng);
out_free:
	free(ids);
	return err;
}

enum { FS_REQUEST, FS_APPROVE, FS_REVOKE, FS_REQUEST2, FS_DENY, FS_STATUS, FS_MAX };
static const char *const fs_names[FS_MAX] = {"request",	 "approve", "revoke",
					     "request2", "deny",    "status"};

struct fsync_bench {
	struct fsynccount_bpf *skel;
	struct conn eng, admin;
	int n;
	int *during[FS_MAX], *total[FS_MAX]; /* per round */
};

static uint64_t agent_syncs(const struct fsync_bench *b)
{
	const volatile struct fsynccount_bpf__bss *c = b->skel->bss;

	return c->fsyncs + c->fdatasyncs;
}

/* One integer of the agent's status: "outbox_pending", "events_lost". */
static int status_int(struct conn *c, const char *key, long long *out)
{
	struct proto_req q;
	struct proto_reply rep;
	int err;

	proto_req_init(&q, CMD_STATUS);
	err = call(c, &q, &rep, NULL);
	if (err)
		return err;
	*out = json_integer_value(json_object_get(rep.result, key));
	proto_reply_release(&rep);
	return 0;
}

/*
 * A command sent at count @c0 has answered: its syncs so far, then its total once
 * the mail it queued is delivered (the agent deletes it from the outbox then).
 */
/* Until the agent has delivered every queued mail (and deleted it from the outbox). */
static int outbox_drained(struct fsync_bench *b)
{
	long long pending = 1;
	int err = 0;

	for (int k = 0; k < OUTBOX_WAIT_S * 20 && !err; k++) {
		err = status_int(&b->admin, "outbox_pending", &pending);
		if (err || !pending)
			return err;
		usleep(50000);
	}
	return err ?: -ETIMEDOUT;
}

static int settle(struct fsync_bench *b, int cmd, int i, uint64_t c0)
{
	int err;

	b->during[cmd][i] = (int)(agent_syncs(b) - c0);
	err = outbox_drained(b);
	b->total[cmd][i] = (int)(agent_syncs(b) - c0);
	return err;
}

static int fsync_round(struct fsync_bench *b, int i)
{
	struct proto_req qs;
	int64_t id, id2;
	uint64_t c0;
	int err;

	c0 = agent_syncs(b);
	err = file_request(&b->eng, &id, NULL) ?: settle(b, FS_REQUEST, i, c0);
	c0 = agent_syncs(b);
	err = err ?: decide(&b->admin, CMD_APPROVE, id, NULL) ?: settle(b, FS_APPROVE, i, c0);
	c0 = agent_syncs(b);
	err = err ?: decide(&b->admin, CMD_REVOKE, id, NULL) ?: settle(b, FS_REVOKE, i, c0);
	c0 = agent_syncs(b);
	err = err ?: file_request(&b->eng, &id2, NULL) ?: settle(b, FS_REQUEST2, i, c0);
	c0 = agent_syncs(b);
	err = err ?: decide(&b->admin, CMD_DENY, id2, NULL) ?: settle(b, FS_DENY, i, c0);
	proto_req_init(&qs, CMD_STATUS);
	c0 = agent_syncs(b);
	err = err ?: call_simple(&b->admin, &qs, NULL) ?: settle(b, FS_STATUS, i, c0);
	return err;
}

static void print_counts(const char *what, const int *v, int n)
{
	printf(" %s=", what);
	for (int i = 0; i < n; i++)
		printf("%s%d", i ? "," : "", v[i]);
}

static int fsync_setup(struct fsync_bench *b, pid_t agent)
{
	int err;

	for (int c = 0; c < FS_MAX; c++) {
		b->during[c] = calloc(b->n, sizeof(int));
		b->total[c] = calloc(b->n, sizeof(int));
		if (!b->during[c] || !b->total[c])
			return -ENOMEM;
	}
	b->skel = fsynccount_bpf__open();
	if (!b->skel)
		return -errno;
	b->skel->rodata->target_tgid = agent;
	err = fsynccount_bpf__load(b->skel) ?: fsynccount_bpf__attach(b->skel);
	if (err)
		return err;
	err = conn_open(&b->eng, ENG1, ENG_GID);
	if (err)
		return err;
	err = conn_open(&b->admin, ADMIN, ADMIN_GID);
	if (err)
		conn_close(&b->eng);
	return err;
}

static int bench_fsync(int n, pid_t agent)
{
	struct fsync_bench b = {.n = n};
	int err = fsync_setup(&b, agent);

	if (!err) {
		err = outbox_drained(&b); /* the mail of the commands before: not ours */
		for (int i = 0; i < n && !err; i++)
			err = fsync_round(&b, i);
		conn_close(&b.admin);
		conn_close(&b.eng);
	}
	if (!err) /* every sync in the guest, the agent's or not: the counter saw them */
		printf("agent fsync_all n=%llu\n", (unsigned long long)b.skel->bss->anyone);
	for (int c = 0; c < FS_MAX && !err; c++) {
		printf("agent fsync cmd=%s", fs_names[c]);
		print_counts("during", b.during[c], n);
		print_counts("total", b.total[c], n);
		printf("\n");
	}
	for (int c = 0; c < FS_MAX; c++) {
		free(b.during[c]);
		free(b.total[c]);
	}
	fsynccount_bpf__destroy(b.skel);
	return err;
}

/* Denials the guard counted and has not recorded yet (its denials slots), or -errno. */
static long long deny_pending(void)
{
	int fd = bpf_obj_get(LB_PIN_DIR "/" LB_CACHES_PIN);
	long long sum = 0;
	struct lb_caches *c;

	if (fd < 0)
		return -errno;
	c = mmap(NULL, sizeof(*c), PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (c == MAP_FAILED)
		return -errno;
	for (int i = 0; i < LB_DENY_SLOTS; i++)
		sum += __atomic_load_n(&c->denials.slot[i].count, __ATOMIC_RELAXED);
	munmap(c, sizeof(*c));
	return sum;
}

/*
 * Waits until the agent has read everything in the guard's ring buffer and
 * taken every denial count the guard holds.
 */
static int wait_drained(void)
{
	long page = sysconf(_SC_PAGESIZE);
	int fd = bpf_obj_get(LB_PIN_DIR "/events"), err = -ETIMEDOUT;
	volatile unsigned long *cons, *prod;
	void *m;

	if (fd < 0)
		return -errno;
	/* a read-only map of the consumer and producer position pages */
	m = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -errno;
	cons = m;
	prod = (void *)((char *)m + page);
	for (int i = 0; i < DRAIN_WAIT_S * 10; i++) {
		long long held = deny_pending();

		if (held < 0) {
			err = (int)held;
			break;
		}
		if (*cons == *prod && !held) {
			err = 0;
			break;
		}
		usleep(100000);
	}
	munmap(m, 2 * page);
	return err;
}

/* A burst of ENG2's denied opens and what the trail made of it. */
struct burst {
	const char *name; /* "burst": one file; "burst_files": distinct files */
	long n;
	const char *path; /* the file, or the directory of files 0 .. n-1 */
	long long records, stored, lost_records;
};

/* @dir/0 .. @dir/@n-1, made by root before the burst (not timed). */
static int make_files(long n, const char *dir)
{
	char path[PATH_MAX];

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	for (long k = 0; k < n; k++) {
		int fd;

		snprintf(path, sizeof(path), "%s/%ld", dir, k);
		fd = open(path, O_WRONLY | O_CREAT, 0644);
		if (fd < 0)
			return -errno;
		close(fd);
	}
	return 0;
}

/* The engineer's side, in a child: exits 0 if every open was refused (EACCES). */
static void burst_opens(const struct burst *b, bool files)
{
	char path[PATH_MAX];
	long denied = 0;

	if (setgroups(0, NULL) < 0 || setgid(ENG_GID) < 0 || setuid(ENG2) < 0)
		_exit(2);
	for (long k = 0; k < b->n; k++) {
		int fd;

		if (files)
			snprintf(path, sizeof(path), "%s/%ld", b->path, k);
		fd = open(files ? path : b->path, O_RDONLY);
		if (fd >= 0)
			close(fd);
		else if (errno == EACCES)
			denied++;
	}
	_exit(denied == b->n ? 0 : 1);
}

/*
 * ENG2's access.denied records since @since: how many, and how many denials
 * they stand for (one each, or a counted record's count); events.lost counts.
 */
static int burst_trail(struct conn *root, time_t since, struct burst *b)
{
	struct proto_req q;
	struct proto_reply rep;
	size_t i;
	json_t *rec;
	int err;

	proto_req_init(&q, CMD_AUDIT);
	q.since = since;
	err = call(root, &q, &rep, NULL);
	if (err)
		return err;
	json_array_foreach (rep.result, i, rec) {
		const char *type = json_string_value(json_object_get(rec, "type"));
		json_t *count = json_object_get(rec, "count");

		if (!type)
			continue;
		if (!strcmp(type, "access.denied") &&
		    json_integer_value(json_object_get(rec, "uid")) == ENG2) {
			b->records++;
			b->stored += count ? json_integer_value(count) : 1;
		} else if (!strcmp(type, "events.lost")) {
			b->lost_records += json_integer_value(count);
		}
	}
	proto_reply_release(&rep);
	return 0;
}

static int bench_burst(struct burst *b, bool files)
{
	long long lost0, lost1;
	double t0, t_burst, t_drain;
	struct conn root;
	int err, status;
	time_t since;
	pid_t pid;

	if (files && (err = make_files(b->n, b->path)))
		return err;
	err = conn_open(&root, 0, 0);
	if (err)
		return err;
	err = status_int(&root, "events_lost", &lost0);
	/* the agent closes idle clients: a connection held through the burst is gone after it */
	conn_close(&root);
	if (err)
		return err;
	since = time(NULL);
	t0 = now_s();
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		burst_opens(b, files);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	t_burst = now_s() - t0;
	err = wait_drained();
	t_drain = now_s() - t0;
	if (err)
		return err;
	sleep(3); /* the agent records events.lost on its once-a-second tick */
	err = conn_open(&root, 0, 0);
	if (err)
		return err;
	err = status_int(&root, "events_lost", &lost1) ?: burst_trail(&root, since, b);
	if (!err)
		printf("agent %s opens=%ld all_denied=%d burst_s=%.2f drained_s=%.2f records=%lld "
		       "stored=%lld events_lost=%lld lost_recorded=%lld\n",
		       b->name, b->n, WIFEXITED(status) && WEXITSTATUS(status) == 0, t_burst,
		       t_drain, b->records, b->stored, lost1 - lost0, b->lost_records);
	conn_close(&root);
	return err;
}

int main(int argc, char **argv)
{
	static char path[108];
	int err;

	if (argc < 3)
		goto usage;
	err = ctl_socket_path(NULL, getenv("LOCKBOX_SOCKET"), CTL_DEFAULT_CONFIG, path,
			      sizeof(path));
	if (err)
		return 1;
	sock_path = path;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "rtt") && (argc == 4 || argc == 5))
		err = bench_rtt(atoi(argv[2]), argv[3], argc == 5 ? argv[4] : NULL);
	else if (!strcmp(argv[1], "fsync") && argc == 4)
		err = bench_fsync(atoi(argv[2]), atoi(argv[3]));
	else if (!strcmp(argv[1], "api") && argc == 3)
		err = bench_api(atoi(argv[2]));
	else if ((!strcmp(argv[1], "burst") || !strcmp(argv[1], "burst_files")) && argc == 4)
		err = bench_burst(
			&(struct burst){.name = argv[1], .n = atol(argv[2]), .path = argv[3]},
			!strcmp(argv[1], "burst_files"));
	else
		goto usage;
	if (err) {
		fprintf(stderr, "agentbench %s: %s\n", argv[1], strerror(-err));
		return 1;
	}
	return 0;
usage:
	fprintf(stderr, "usage: agentbench rtt N FILE [SYNCFILE] | fsync N PID | api N | "
			"burst N FILE | burst_files N DIR\n");
	return 2;
}
