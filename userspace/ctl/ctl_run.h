/* SPDX-License-Identifier: GPL-2.0-only */
/* One lockboxctl command: send the request, read the reply, print it, pick the exit status. */
#ifndef CTL_RUN_H
#define CTL_RUN_H

#include <stdio.h>
#include "ctl_args.h"

/*
 * Sends cl->req over the connected socket fd and prints the outcome: results to out, errors
 * to err as "lockboxctl: <message>". Blocks as long as the command does (wait without a
 * timeout, audit --follow: until the agent closes the connection).
 * Returns the exit status: LB_EXIT_OK, or the one the agent's error code maps to.
 */
int ctl_run(const struct ctl_cmdline *cl, int fd, FILE *out, FILE *err);

/*
 * An error found before or around ctl_run() (usage, connecting): "lockboxctl: <message>" on
 * err and, with --json, {"error":{"code":@code,"message"}} on out. Returns @status.
 */
int ctl_fail(const struct ctl_cmdline *cl, FILE *out, FILE *err, int status, const char *code,
	     const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif /* CTL_RUN_H */
