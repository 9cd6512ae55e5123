/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The notification outbox runner: hands queued messages, one at a time, to the notify
 * command (`/bin/sh -c "<notify.command>"`, the message on stdin) without ever blocking
 * the agent's event loop; failures are retried with exponential backoff, forever.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NOTIFY_TIMEOUT_S      30   /* a command running longer is killed: a failure */
#define NOTIFY_BACKOFF_BASE_S 30   /* first retry after 30 s, then 60, 120, ... */
#define NOTIFY_BACKOFF_MAX_S  3600 /* ... capped at an hour */
#define NOTIFY_ENV_TO	      "LOCKBOX_NOTIFY_TO" /* the child's recipients, "a@x,b@y" */

struct store;
struct notifier;

/*
 * command runs under /bin/sh -c. The notifier reaps its own child by pid, so the agent
 * must neither ignore SIGCHLD (SIG_IGN, SA_NOCLDWAIT: -EINVAL here) nor reap with
 * waitpid(-1). Returns 0, -EINVAL (no command) or -ENOMEM.
 */
int notifier_new(struct store *st, const char *command, struct notifier **out);
/* The command for the next message (a reload); one running goes on. 0, -EINVAL or -ENOMEM. */
int notifier_set_command(struct notifier *n, const char *command);
/* Kills a running command's process group and reaps it (waiting 2 s at most). */
void notifier_free(struct notifier *n);
/* Values <= 0 keep the current setting. For tests and for the config. */
void notifier_set_timing(struct notifier *n, int64_t timeout_s, int64_t backoff_base_s);

/*
 * Queues a message (a complete RFC 5322 text, see mail.h) for the recipients, in the
 * caller's transaction; it goes out at a later notifier_tick(). The recipients are kept
 * in the outbox row and passed as LOCKBOX_NOTIFY_TO; `sendmail -t` reads To: instead.
 * Returns 0, -EINVAL (no or unsafe recipients, empty message) or a store error.
 */
int notifier_enqueue(struct notifier *n, const char *const *to, size_t n_to, const char *message,
		     int64_t now);

/*
 * Call about once a second and on SIGCHLD, outside a transaction: reaps a finished
 * command (waitpid WNOHANG on its pid only) and records the outcome (exit 0: done;
 * anything else: retried later), kills one past its timeout (SIGKILL to its process
 * group; reaped on a later tick), and starts the oldest due message if none is running.
 * Never waits. Returns 0, or a negative errno for a store error or a command that could
 * not be started (the message is then retried like a failed one).
 */
int notifier_tick(struct notifier *n, int64_t now);

/* A pidfd of the running command, readable when it exits (for epoll); -1 if none. */
int notifier_pidfd(struct notifier *n);
bool notifier_busy(struct notifier *n);
/*
 * Why the last finished attempt failed ("message 7: exit status 75: <its last output
 * line>"), or NULL if it succeeded or nothing finished yet: for the agent's log.
 */
const char *notifier_last_error(struct notifier *n);

/* Seconds to wait after the failures-th failure in a row: base * 2^(failures-1), capped. */
int64_t notify_backoff(int64_t base_s, int failures);

/*
 * Run every notify command as `PATH --confined-exec /bin/sh -c COMMAND`:
 * lockboxd's confined-exec mode gives it the login uid LB_CONFINED_UID (an
 * engineer with no grant) before it runs the shell. NULL: run it plainly.
 */
#define NOTIFY_CONFINED_EXEC "--confined-exec"
void notify_set_confiner(const char *path);

#endif /* NOTIFY_H */
