// SPDX-License-Identifier: GPL-2.0-only
/*
 * The outbox runner. The agent is one epoll loop, so nothing here may wait: the message
 * reaches the command through a memfd (a pipe could fill and stall us), the command's
 * output goes to another memfd read only after it exits, the child is reaped with
 * WNOHANG, and a command that hangs is killed from a later tick.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "mail.h"
#include "notify.h"
#include "store.h"

#define ERR_TAIL 160 /* octets of the command's output kept in the retry error */

extern char **environ;

struct notifier {
	struct store *st;
	char *command;
	int64_t timeout_s;
	int64_t backoff_base_s;

	/* the running command, if pid > 0 */
	pid_t pid;
	int pidfd;
	int out_fd; /* its stdout and stderr */
	int64_t msg_id;
	int attempts; /* failures before this attempt */
	int64_t started;
	struct timespec started_mono;
	bool killed;

	char last_error[320];
	bool failed;
};

int64_t notify_backoff(int64_t base_s, int failures)
{
	int64_t d = base_s > 0 ? base_s : 1;

	for (int i = 1; i < failures && d < NOTIFY_BACKOFF_MAX_S; i++)
		d *= 2;
	return d < NOTIFY_BACKOFF_MAX_S ? d : NOTIFY_BACKOFF_MAX_S;
}

int notifier_new(struct store *st, const char *command, struct notifier **out)
{
	struct sigaction sa;
	struct notifier *n;

	if (!st || !command || !*command)
		return -EINVAL;
	/* with SIGCHLD ignored the kernel reaps the command and its status is lost */
	if (!sigaction(SIGCHLD, NULL, &sa) &&
	    (sa.sa_handler == SIG_IGN || (sa.sa_flags & SA_NOCLDWAIT)))
		return -EINVAL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->command = strdup(command);
	if (!n->command) {
		free(n);
		return -ENOMEM;
	}
	n->st = st;
	n->timeout_s = NOTIFY_TIMEOUT_S;
	n->backoff_base_s = NOTIFY_BACKOFF_BASE_S;
	n->pidfd = -1;
	n->out_fd = -1;
	*out = n;
	return 0;
}

static void child_forget(struct notifier *n)
{
	if (n->pidfd >= 0)
		close(n->pidfd);
	if (n->out_fd >= 0)
		close(n->out_fd);
	n->pid = 0;
	n->pidfd = -1;
	n->out_fd = -1;
	n->killed = false;
}

int notifier_set_command(struct notifier *n, const char *command)
{
	char *c;

	if (!command || !*command)
		return -EINVAL;
	if (!strcmp(command, n->command))
		return 0;
	c = strdup(command);
	if (!c)
		return -ENOMEM;
	free(n->command);
	n->command = c;
	return 0;
}

void notifier_free(struct notifier *n)
{
	if (!n)
		return;
	if (n->pid > 0) {
		/* SIGKILL'd processes go quickly; one stuck in D state is left behind */
		kill(-n->pid, SIGKILL);
		for (int i = 0; i < 200; i++) {
			pid_t r = waitpid(n->pid, NULL, WNOHANG);

			if (r == n->pid || (r < 0 && errno != EINTR))
				break;
			nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
		}
	}
	child_forget(n);
	free(n->command);
	free(n);
}

void notifier_set_timing(struct notifier *n, int64_t timeout_s, int64_t backoff_base_s)
{
	if (timeout_s > 0)
		n->timeout_s = timeout_s;
	if (backoff_base_s > 0)
		n->backoff_base_s = backoff_base_s;
}

int notifier_enqueue(struct notifier *n, const char *const *to, size_t n_to, const char *message,
		     int64_t now)
{
	char *rcpt = NULL;
	int err;

	if (!message || !*message)
		return -EINVAL;
	err = mail_join_addresses(to, n_to, &rcpt);
	if (err)
		return err;
	err = store_outbox_add(n->st, rcpt, message, now);
	free(rcpt);
	return err;
}

int notifier_pidfd(struct notifier *n)
{
	return n->pid > 0 ? n->pidfd : -1;
}

bool notifier_busy(struct notifier *n)
{
	return n->pid > 0;
}

const char *notifier_last_error(struct notifier *n)
{
	return n->failed ? n->last_error : NULL;
}

/* An anonymous file at fd 3 or above, so that dup2 onto 0-2 in the child never collides. */
static int anon_file(const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC), hi;

	if (fd < 0 && errno == ENOSYS)
		fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (fd > 2)
		return fd;
	hi = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	hi = hi < 0 ? -errno : hi;
	close(fd);
	return hi;
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t w = write(fd, s, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		s += w;
		len -= w;
	}
	return 0;
}

/* environ without any inherited LOCKBOX_NOTIFY_TO, plus ours; the strings are borrowed. */
static char **child_env(const char *to_var)
{
	size_t n = 0, o = 0, plen = strlen(NOTIFY_ENV_TO "=");
	char **env;

	while (environ && environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], NOTIFY_ENV_TO "=", plen))
			env[o++] = environ[i];
	env[o] = (char *)to_var;
	return env;
}

/* Set by lockboxd: the program that runs the command under the confined login uid. */
static const char *confiner;

void notify_set_confiner(const char *path)
{
	confiner = path;
}

/* The message as an unlinked file at offset 0 (the command's stdin), or -errno. */
static int message_file(const char *message)
{
	int in = anon_file("lockbox-mail"), err;

	if (in < 0)
		return in;
	err = write_all(in, message, strlen(message));
	if (!err && lseek(in, 0, SEEK_SET) < 0)
		err = -errno;
	if (err) {
		close(in);
		return err;
	}
	return in;
}

/*
 * stdin the message, output captured, none of the agent's descriptors; its own
 * process group, so a timeout kills whatever the shell started; the agent's
 * blocked (signalfd) and ignored signals are not the command's business.
 */
static int spawn_setup(posix_spawn_file_actions_t *fa, posix_spawnattr_t *attr, int in, int out)
{
	short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
	sigset_t none, all;
	int err;

	sigemptyset(&none);
	sigfillset(&all);
	err = -posix_spawn_file_actions_adddup2(fa, in, 0);
	err = err ?: -posix_spawn_file_actions_adddup2(fa, out, 1);
	err = err ?: -posix_spawn_file_actions_adddup2(fa, out, 2);
	err = err ?: -posix_spawn_file_actions_addclosefrom_np(fa, 3);
	err = err ?: -posix_spawnattr_setflags(attr, flags);
	err = err ?: -posix_spawnattr_setpgroup(attr, 0);
	err = err ?: -posix_spawnattr_setsigmask(attr, &none);
	return err ?: -posix_spawnattr_setsigdefault(attr, &all);
}

/* Runs the notify command (confined when a confiner is set) with @env; its pid in @pid. */
static int spawn_command(struct notifier *n, int in, int out, char **env, pid_t *pid)
{
	char *plain[] = {"sh", "-c", n->command, NULL};
	char *confined[] = {
		"lockbox-notify", NOTIFY_CONFINED_EXEC, "/bin/sh", "-c", n->command, NULL};
	char **argv = confiner ? confined : plain;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int err;

	err = -posix_spawn_file_actions_init(&fa);
	if (err)
		return err;
	err = -posix_spawnattr_init(&attr);
	if (err) {
		posix_spawn_file_actions_destroy(&fa);
		return err;
	}
	err = spawn_setup(&fa, &attr, in, out);
	err = err ?: -posix_spawn(pid, confiner ? confiner : "/bin/sh", &fa, &attr, argv, env);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return err;
}

static int spawn(struct notifier *n, const struct outbox_msg *m, int64_t now)
{
	char *to_var = NULL;
	char **env = NULL;
	int in, out = -1, err;
	pid_t pid;

	in = message_file(m->message);
	if (in < 0)
		return in;
	out = anon_file("lockbox-mail-output");
	if (out < 0) {
		err = out;
		goto out;
	}
	if (asprintf(&to_var, NOTIFY_ENV_TO "=%s", m->recipients ? m->recipients : "") < 0) {
		to_var = NULL;
		err = -ENOMEM;
		goto out;
	}
	env = child_env(to_var);
	err = env ? spawn_command(n, in, out, env, &pid) : -ENOMEM;
	if (err)
		goto out;
	n->pid = pid;
	n->pidfd = (int)syscall(SYS_pidfd_open, pid, 0); /* -1 on kernels before 5.3 */
	if (n->pidfd >= 0)
		fcntl(n->pidfd, F_SETFD, FD_CLOEXEC);
	n->out_fd = out;
	out = -1;
	n->msg_id = m->id;
	n->attempts = m->attempts;
	n->started = now;
	clock_gettime(CLOCK_MONOTONIC, &n->started_mono);
	n->killed = false;
out:
	free(env);
	free(to_var);
	close(in);
	if (out >= 0)
		close(out);
	return err;
}

/* The last non-empty line the command printed, on one line, at most ERR_TAIL octets. */
static void output_tail(int fd, char *buf, size_t len)
{
	char raw[ERR_TAIL * 2 + 1];
	struct stat st;
	off_t from;
	ssize_t got;
	char *line, *end;

	buf[0] = '\0';
	if (fd < 0 || fstat(fd, &st) || st.st_size <= 0)
		return;
	from = st.st_size > (off_t)(sizeof(raw) - 1) ? st.st_size - (off_t)(sizeof(raw) - 1) : 0;
	got = pread(fd, raw, sizeof(raw) - 1, from);
	if (got <= 0)
		return;
	raw[got] = '\0';
	for (ssize_t i = 0; i < got; i++)
		if (raw[i] == '\0' || raw[i] == '\r')
			raw[i] = '\n';
	end = raw + got;
	while (end > raw && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	line = strrchr(raw, '\n');
	line = line ? line + 1 : raw;
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	snprintf(buf, len, "%.*s", ERR_TAIL, line);
}

/* Records how the command ended: done, or retried after a backoff. */
static int finish(struct notifier *n, bool known, int status, int64_t now)
{
	char tail[ERR_TAIL + 1], why[96];
	int64_t id = n->msg_id, next_at;

	if (known && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		child_forget(n);
		n->failed = false;
		return store_outbox_done(n->st, id);
	}
	if (n->killed)
		snprintf(why, sizeof(why), "timed out after %llds", (long long)n->timeout_s);
	else if (!known)
		snprintf(why, sizeof(why), "exit status lost (reaped elsewhere)");
	else if (WIFEXITED(status))
		snprintf(why, sizeof(why), "exit status %d", WEXITSTATUS(status));
	else
		snprintf(why, sizeof(why), "killed by signal %d", WTERMSIG(status));
	output_tail(n->out_fd, tail, sizeof(tail));
	snprintf(n->last_error, sizeof(n->last_error), "message %lld: %s%s%s", (long long)id, why,
		 tail[0] ? ": " : "", tail);
	n->failed = true;
	child_forget(n);
	next_at = now + notify_backoff(n->backoff_base_s, n->attempts + 1);
	return store_outbox_retry(n->st, id, next_at, n->last_error);
}

static bool timed_out(struct notifier *n, int64_t now)
{
	struct timespec t;
	int64_t ms;

	/* the caller's clock for tests, the monotonic one in case the wall clock steps back */
	if (now - n->started >= n->timeout_s)
		return true;
	clock_gettime(CLOCK_MONOTONIC, &t);
	ms = (t.tv_sec - n->started_mono.tv_sec) * 1000;
	ms += (t.tv_nsec - n->started_mono.tv_nsec) / 1000000;
	return ms >= n->timeout_s * 1000;
}

/* 1: still running; 0: finished and recorded; < 0: store error recording it. */
static int check_child(struct notifier *n, int64_t now)
{
	int status;
	pid_t r;

	do
		r = waitpid(n->pid, &status, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == n->pid)
		return finish(n, true, status, now);
	if (r < 0)
		return finish(n, false, 0, now);
	if (n->killed || !timed_out(n, now))
		return 1;
	kill(-n->pid, SIGKILL);
	n->killed = true;
	/* usually gone by the next tick (or the SIGCHLD before it); no waiting here */
	r = waitpid(n->pid, &status, WNOHANG);
	if (r == n->pid)
		return finish(n, true, status, now);
	return 1;
}

int notifier_tick(struct notifier *n, int64_t now)
{
	struct outbox_msg m = {0};
	int err;

	if (n->pid > 0) {
		err = check_child(n, now);
		if (err)
			return err > 0 ? 0 : err;
	}
	err = store_outbox_next_due(n->st, now, &m);
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	if (!m.message || !*m.message)
		err = -EBADMSG;
	else
		err = spawn(n, &m, now);
	if (err) {
		int rerr;

		snprintf(n->last_error, sizeof(n->last_error), "message %lld: %s: %s",
			 (long long)m.id,
			 err == -EBADMSG ? "empty in the outbox" : "cannot run the command",
			 strerror(-err));
		n->failed = true;
		rerr = store_outbox_retry(n->st, m.id,
					  now + notify_backoff(n->backoff_base_s, m.attempts + 1),
					  n->last_error);
		err = rerr ?: err;
	}
	outbox_msg_clear(&m);
	return err;
}
