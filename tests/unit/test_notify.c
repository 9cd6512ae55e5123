// SPDX-License-Identifier: GPL-2.0-only
/* The outbox runner against a real store and real commands: delivery, retry, timeouts. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "tap.h"
#include "notify.h"
#include "store.h"

#define T0 1795888800LL

static char dir[64];
static double max_tick_ms;

static const char *const approvers[] = {"admin@acme.example", "sec@acme.example"};
static const char *const one[] = {"eng1@host.example"};

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* One tick, timed: the agent's loop must never wait on the command. */
static int tick(struct notifier *n, int64_t now)
{
	double t = now_ms();
	int err = notifier_tick(n, now);

	t = now_ms() - t;
	if (t > max_tick_ms)
		max_tick_ms = t;
	return err;
}

/* Ticks at a fixed "now" until no command runs (5 s of real time at most). */
static bool settle(struct notifier *n, int64_t now)
{
	for (int i = 0; i < 500; i++) {
		tick(n, now);
		if (!notifier_busy(n))
			return true;
		usleep(10 * 1000);
	}
	return false;
}

static char *path(const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

/* A file's contents, malloc'd ("" if missing). */
static char *slurp(const char *p)
{
	FILE *f = fopen(p, "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int c;

	while (f && (c = fgetc(f)) != EOF)
		fputc(c, m);
	if (f)
		fclose(f);
	fclose(m);
	return buf;
}

static struct store *open_store(void)
{
	struct store *st = NULL;
	char err[256];

	if (store_open(path("lockbox.db"), &st, err, sizeof(err))) {
		printf("# store_open: %s\n", err);
		return NULL;
	}
	return st;
}

static int64_t pending(struct store *st)
{
	int64_t count = -1;

	if (store_outbox_pending(st, &count))
		return -1;
	return count;
}

/* attempts of the message due at now, or -1 if none is due. */
static int due_attempts(struct store *st, int64_t now)
{
	struct outbox_msg m;
	int a;

	if (store_outbox_next_due(st, now, &m))
		return -1;
	a = m.attempts;
	outbox_msg_clear(&m);
	return a;
}

static char *cmd(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *cmd(const char *fmt, ...)
{
	static char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

static void reset_dir(void)
{
	char *c = cmd("rm -rf '%s'/*", dir);

	if (system(c))
		printf("# cleanup failed: %s\n", c);
}

static void test_delivers_exact_message(void)
{
	const char *msg = "To: admin@acme.example\nSubject: hi\n\nbody line\n.\nend\n";
	struct store *st = open_store();
	struct notifier *n = NULL;
	char *out, *to;

	is_int(notifier_new(st,
			    cmd("[ -p /dev/stdin ] || echo file > '%s'; "
				"printf '%%s\\n' \"$LOCKBOX_NOTIFY_TO\" > '%s'; cat >> '%s'",
				path("stdin-kind"), path("to"), path("out")),
			    &n),
	       0, "a notifier starts");
	is_int(notifier_enqueue(n, approvers, 2, msg, T0), 0, "a message is queued");
	is_int(pending(st), 1, "it waits in the outbox");
	ok(!notifier_busy(n), "nothing runs before a tick");
	is_int(tick(n, T0), 0, "a tick starts the command");
	ok(notifier_busy(n), "the command is running after the tick");
	ok(notifier_pidfd(n) >= 0, "a pidfd is offered for epoll while it runs");
	ok(settle(n, T0), "the command finishes");
	is_int(notifier_pidfd(n), -1, "no pidfd once it is reaped");
	out = slurp(path("out"));
	is_str(out, msg, "the command got exactly the message on stdin");
	to = slurp(path("to"));
	is_str(to, "admin@acme.example,sec@acme.example\n",
	       "LOCKBOX_NOTIFY_TO holds the comma-separated recipients");
	free(to);
	to = slurp(path("stdin-kind"));
	is_str(to, "file\n", "stdin is a file, not a pipe that could fill");
	free(to);
	is_int(pending(st), 0, "a delivered message leaves the outbox");
	ok(notifier_last_error(n) == NULL, "no error is reported after a success");
	free(out);
	notifier_free(n);
	store_close(st);
	reset_dir();
}

static void test_failure_retried_with_backoff(void)
{
	const char *msg = "Subject: retry me\n\nbody\n";
	struct store *st = open_store();
	struct notifier *n = NULL;
	const char *e;
	char *out;

	notifier_new(st,
		     cmd("if [ -e '%s' ]; then cat >> '%s'; else echo 'sendmail: no route' >&2; "
			 "exit 75; fi",
			 path("fixed"), path("out")),
		     &n);
	notifier_enqueue(n, one, 1, msg, T0);
	tick(n, T0);
	ok(settle(n, T0), "the failing command finishes");
	is_int(pending(st), 1, "a failed message stays in the outbox");
	e = notifier_last_error(n);
	ok(e && strstr(e, "exit status 75"), "the error gives the exit status: %s", e ? e : "-");
	ok(e && strstr(e, "sendmail: no route"), "the error gives the command's last output line");
	is_int(due_attempts(st, T0 + 29), -1, "it is not retried before 30 s");
	is_int(due_attempts(st, T0 + 30), 1, "it is due after 30 s, one attempt counted");

	tick(n, T0 + 29);
	ok(!notifier_busy(n), "a tick before the retry time starts nothing");
	tick(n, T0 + 30);
	ok(notifier_busy(n), "the retry starts on time");
	settle(n, T0 + 30);
	is_int(due_attempts(st, T0 + 30 + 59), -1, "the second retry waits 60 s, not 30");
	is_int(due_attempts(st, T0 + 30 + 60), 2, "then it is due with two attempts counted");

	close(open(path("fixed"), O_CREAT | O_WRONLY, 0600));
	tick(n, T0 + 90);
	ok(settle(n, T0 + 90), "the fixed command finishes");
	out = slurp(path("out"));
	is_str(out, msg, "once the command works the message is delivered");
	is_int(pending(st), 0, "and the outbox is empty");
	ok(notifier_last_error(n) == NULL, "the error clears after a success");
	free(out);
	notifier_free(n);
	store_close(st);
	reset_dir();
}

static bool process_gone(pid_t pid)
{
	char p[64], *stat;
	bool gone;

	snprintf(p, sizeof(p), "/proc/%d/stat", pid);
	stat = slurp(p);
	/* gone, or a zombie waiting for its new parent */
	gone = !*stat || (strchr(stat, ')') && strstr(strchr(stat, ')'), ") Z"));
	free(stat);
	return gone;
}

static void test_hanging_command_killed(void)
{
	struct store *st = open_store();
	struct notifier *n = NULL;
	double start = now_ms();
	const char *e;
	char *sleeper;
	pid_t spid = 0;
	bool gone = false;

	notifier_new(st, cmd("sleep 100 & echo $! > '%s'; wait", path("sleeper")), &n);
	notifier_set_timing(n, 5, 30);
	notifier_enqueue(n, one, 1, "Subject: slow\n\nx\n", T0);
	max_tick_ms = 0;
	tick(n, T0);
	ok(notifier_busy(n), "the hanging command runs");
	for (int i = 0; i < 200 && !spid; i++) {
		sleeper = slurp(path("sleeper"));
		spid = atoi(sleeper);
		free(sleeper);
		usleep(10 * 1000);
	}
	tick(n, T0 + 4);
	ok(notifier_busy(n), "it is left alone before the timeout");
	tick(n, T0 + 5);
	ok(settle(n, T0 + 5), "past the timeout it is killed and reaped");
	ok(now_ms() - start < 5000, "without waiting out the sleep");
	ok(max_tick_ms < 1000, "no tick blocked (slowest %.1f ms)", max_tick_ms);
	e = notifier_last_error(n);
	ok(e && strstr(e, "timed out after 5s"), "the error says it timed out: %s", e ? e : "-");
	is_int(pending(st), 1, "the message stays queued");
	is_int(due_attempts(st, T0 + 5 + 29), -1, "a timeout backs off like a failure");
	is_int(due_attempts(st, T0 + 5 + 30), 1, "and counts as an attempt");
	for (int i = 0; spid > 0 && i < 200 && !gone; i++) {
		gone = process_gone(spid);
		usleep(10 * 1000);
	}
	ok(spid > 0 && gone, "the command's own children die with it (process group)");
	notifier_free(n);
	store_close(st);
	reset_dir();
}

static void test_timeout_on_real_clock(void)
{
	struct store *st = open_store();
	struct notifier *n = NULL;
	double start;

	notifier_new(st, "sleep 100", &n);
	notifier_set_timing(n, 1, 30);
	notifier_enqueue(n, one, 1, "Subject: slow\n\nx\n", T0);
	tick(n, T0);
	start = now_ms();
	/* the caller's clock stands still (or stepped back): the monotonic one still counts */
	for (int i = 0; i < 300 && notifier_busy(n); i++) {
		tick(n, T0);
		usleep(10 * 1000);
	}
	ok(!notifier_busy(n), "a command is killed after the timeout even if now stands still");
	ok(now_ms() - start >= 950, "not before the timeout (%.0f ms)", now_ms() - start);
	ok(now_ms() - start < 2900, "but soon after it");
	notifier_free(n);
	store_close(st);
	reset_dir();
}

static void test_survives_restart(void)
{
	struct store *st = open_store();
	struct notifier *n = NULL;
	double t;
	char *out;

	/* first life: one message is mid-delivery when the agent stops, one never started */
	notifier_new(st, "sleep 100", &n);
	notifier_enqueue(n, one, 1, "Subject: first\n\n1\n", T0);
	notifier_enqueue(n, one, 1, "Subject: second\n\n2\n", T0);
	tick(n, T0);
	ok(notifier_busy(n), "a command is running at shutdown");
	t = now_ms();
	notifier_free(n);
	ok(now_ms() - t < 2000, "notifier_free kills it without a long wait");
	store_close(st);

	st = open_store();
	is_int(pending(st), 2, "both messages are still queued after a reopen");
	notifier_new(st, cmd("cat >> '%s'", path("out")), &n);
	for (int i = 0; i < 3; i++)
		settle(n, T0 + 1);
	out = slurp(path("out"));
	is_str(out, "Subject: first\n\n1\nSubject: second\n\n2\n",
	       "a new notifier delivers them, oldest first");
	is_int(pending(st), 0, "and the outbox is empty");
	free(out);
	notifier_free(n);
	store_close(st);
	reset_dir();
}

static void test_one_at_a_time_oldest_first(void)
{
	struct store *st = open_store();
	struct notifier *n = NULL;
	char *out, *overlap;

	notifier_new(st,
		     cmd("mkdir '%s' 2>/dev/null || echo overlap >> '%s'; cat >> '%s'; sleep 0.05; "
			 "rmdir '%s'",
			 path("lock"), path("overlap"), path("out"), path("lock")),
		     &n);
	notifier_enqueue(n, one, 1, "A\n", T0);
	notifier_enqueue(n, one, 1, "B\n", T0 + 1);
	notifier_enqueue(n, one, 1, "C\n", T0 + 2);
	max_tick_ms = 0;
	for (int i = 0; i < 300 && pending(st) > 0; i++) {
		tick(n, T0 + 10);
		usleep(10 * 1000);
	}
	settle(n, T0 + 10);
	out = slurp(path("out"));
	is_str(out, "A\nB\nC\n", "queued messages go out oldest first");
	overlap = slurp(path("overlap"));
	is_str(overlap, "", "never two commands at once");
	ok(max_tick_ms < 1000, "no tick blocked (slowest %.1f ms)", max_tick_ms);
	free(out);
	free(overlap);
	notifier_free(n);
	store_close(st);
	reset_dir();
}

static void test_other_children_left_alone(void)
{
	struct store *st = open_store();
	struct notifier *n = NULL;
	int status = 0;
	pid_t mine = fork();

	if (mine == 0) {
		usleep(50 * 1000);
		_exit(7);
	}
	notifier_new(st, "cat > /dev/null", &n);
	notifier_enqueue(n, one, 1, "x\n", T0);
	tick(n, T0);
	usleep(200 * 1000); /* our own child has exited by now */
	settle(n, T0);
	is_int(waitpid(mine, &status, WNOHANG), mine, "the notifier did not reap another child");
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 7, "whose status is intact");
	notifier_free(n);
	store_close(st);
	reset_dir();
}

static void test_agent_fds_not_inherited(void)
{
	struct store *st = open_store();
	struct notifier *n = NULL;
	int fd = open("/dev/null", O_RDONLY); /* no O_CLOEXEC: a careless descriptor */
	char *leak;

	dup2(fd, 37);
	notifier_new(
		st,
		cmd("[ -e /proc/$$/fd/37 ] && echo leaked > '%s'; cat > /dev/null", path("leak")),
		&n);
	notifier_enqueue(n, one, 1, "x\n", T0);
	tick(n, T0);
	settle(n, T0);
	leak = slurp(path("leak"));
	is_str(leak, "", "the command inherits none of the agent's descriptors");
	is_int(pending(st), 0, "and it ran");
	free(leak);
	close(37);
	close(fd);
	notifier_free(n);
	store_close(st);
	reset_dir();
}

static void test_signal_state_not_inherited(void)
{
	struct store *st = open_store();
	struct notifier *n = NULL;
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe, old_hup;
	unsigned long long blk = ~0ULL, ignored = ~0ULL;
	sigset_t block, old;
	char *got;

	/*
	 * An agent ignores SIGPIPE and blocks what its signalfd reads; its mail command must
	 * start with neither (sendmail would not die of a broken pipe, nor hear SIGTERM).
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGPIPE, &ign, &old_pipe);
	sigaction(SIGHUP, &ign, &old_hup);
	notifier_new(st,
		     cmd("cat > /dev/null; exec grep -E '^Sig(Blk|Ign)' /proc/self/status > '%s'",
			 path("sig")),
		     &n);
	notifier_enqueue(n, one, 1, "x\n", T0);
	tick(n, T0);
	settle(n, T0);
	sigaction(SIGPIPE, &old_pipe, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	got = slurp(path("sig"));
	/* signals 1-31 only: glibc's posix_spawn leaves its internal 32 and 33 ignored */
	ok(sscanf(got, "SigBlk: %llx SigIgn: %llx", &blk, &ignored) == 2 && !(blk & 0x7fffffff),
	   "the command starts with no signal blocked");
	ok(!(ignored & 0x7fffffff), "nor ignored");
	free(got);
	notifier_free(n);
	store_close(st);
	reset_dir();
}

static void test_pidfd_readable_on_exit(void)
{
	struct store *st = open_store();
	struct notifier *n = NULL;
	struct pollfd p;

	notifier_new(st, "cat > /dev/null; sleep 0.1", &n);
	notifier_enqueue(n, one, 1, "x\n", T0);
	tick(n, T0);
	p.fd = notifier_pidfd(n);
	p.events = POLLIN;
	p.revents = 0;
	is_int(poll(&p, 1, 5000), 1, "the pidfd becomes readable when the command exits");
	tick(n, T0);
	ok(!notifier_busy(n), "and the next tick reaps it");
	notifier_free(n);
	store_close(st);
	reset_dir();
}

static void test_bad_input(void)
{
	struct store *st = open_store();
	struct notifier *n = NULL;
	const char *evil[] = {"a@x\nBcc: evil@example.com"};
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;

	is_int(notifier_new(st, NULL, &n), -EINVAL, "no command is -EINVAL");
	is_int(notifier_new(st, "", &n), -EINVAL, "an empty command is -EINVAL");
	sigaction(SIGCHLD, &ign, &old);
	is_int(notifier_new(st, "true", &n), -EINVAL,
	       "SIGCHLD ignored (statuses would be lost) is -EINVAL");
	sigaction(SIGCHLD, &old, NULL);
	is_int(notifier_new(st, "true", &n), 0, "a command is accepted");
	is_int(notifier_enqueue(n, one, 0, "x\n", T0), -EINVAL, "no recipients is -EINVAL");
	is_int(notifier_enqueue(n, evil, 1, "x\n", T0), -EINVAL,
	       "an injected recipient is -EINVAL");
	is_int(notifier_enqueue(n, one, 1, "", T0), -EINVAL, "an empty message is -EINVAL");
	is_int(pending(st), 0, "nothing was queued");
	notifier_free(n);
	notifier_free(NULL);
	ok(1, "notifier_free(NULL) is safe");
	store_close(st);
	reset_dir();
}

static void test_backoff_schedule(void)
{
	is_int(notify_backoff(30, 1), 30, "first retry after 30 s");
	is_int(notify_backoff(30, 2), 60, "then 60 s");
	is_int(notify_backoff(30, 3), 120, "then 120 s");
	is_int(notify_backoff(30, 7), 1920, "doubling each time");
	is_int(notify_backoff(30, 8), 3600, "capped at an hour");
	is_int(notify_backoff(30, INT_MAX), 3600, "forever, without overflow");
	is_int(notify_backoff(1, 2), 2, "the base is settable");
}

int main(void)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};

	sigaction(SIGCHLD, &dfl, NULL);
	snprintf(dir, sizeof(dir), "/tmp/lockbox-notify-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_backoff_schedule();
	test_bad_input();
	test_delivers_exact_message();
	test_failure_retried_with_backoff();
	test_hanging_command_killed();
	test_timeout_on_real_clock();
	test_survives_restart();
	test_one_at_a_time_oldest_first();
	test_other_children_left_alone();
	test_agent_fds_not_inherited();
	test_signal_state_not_inherited();
	test_pidfd_readable_on_exit();
	rmdir(dir);
	return done_testing();
}
