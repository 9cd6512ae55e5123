/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Service manager notifications (sd_notify): READY, STATUS, RELOADING and
 * STOPPING. Without NOTIFY_SOCKET (--foreground in a terminal, the fork path,
 * the guest) every call is a no-op that returns 0.
 */
#ifndef SDNOTIFY_H
#define SDNOTIFY_H

#include <stdbool.h>

/* STATUS= only: a one-line description of what the agent is doing. */
int sdn_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* READY=1 with MAINPID and STATUS: the guard is attached and the socket listens. */
int sdn_ready(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* RELOADING=1 with MONOTONIC_USEC (systemd >= 253 requires it for notify-reload). */
int sdn_reloading(void);
/* READY=1 again after a reload, with STATUS saying how it went. */
int sdn_reloaded(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* STOPPING=1 with STATUS. */
int sdn_stopping(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Whether a service manager listens (NOTIFY_SOCKET is set). */
bool sdn_enabled(void);

#endif /* SDNOTIFY_H */
