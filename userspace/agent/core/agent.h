/* SPDX-License-Identifier: GPL-2.0-only */
/* The agent: keeps the guard's maps, the store and the audit trail in step. */
#ifndef AGENT_H
#define AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct agent;
struct config;
struct store;
struct guard;
struct server;
struct client;

/* Takes ownership of @cfg; @st, @g and @srv stay the caller's. */
int agent_new(struct config *cfg, struct store *st, struct guard *g, bool permissive,
	      struct agent **out, char *err, size_t errlen);
void agent_free(struct agent *a);
void agent_set_server(struct agent *a, struct server *srv);
/* The config file in use (protected from engineers with the database); NULL for none. */
void agent_set_config_path(struct agent *a, const char *path);
/*
 * Brings the maps in line with the config and the database: engineers and zones
 * from the config, grants from the approved requests (expired ones recorded as
 * expired, stray map entries removed).
 */
int agent_sync(struct agent *a, char *err, size_t errlen);
/* Replaces the config (SIGHUP) and re-syncs; active grants are kept. Takes @cfg. */
int agent_reload(struct agent *a, struct config *cfg, char *err, size_t errlen);
/* SIGUSR1 (and every SIGHUP): reopens the audit_log file by name, after logrotate. */
int agent_reopen(struct agent *a);
/* Once a second: request and grant expiry, notifications, wait timeouts, lost events. */
void agent_tick(struct agent *a, int64_t now);
/* A SIGCHLD arrived: let the notifier reap its command. */
void agent_child_exited(struct agent *a);
/* The server's line handler: one protocol message from @c. */
void agent_handle_line(struct client *c, char *line, size_t len, void *ctx);
/* Drains the kernel ring buffer into the audit trail, in batched transactions. */
int agent_events_fd(struct agent *a);
int agent_consume_events(struct agent *a);
/* A batch failed to commit and is held: read no more from the ring until a tick stores it. */
bool agent_events_held(struct agent *a);
/* The socket path of the running config. */
const char *a_socket_path(struct agent *a);
/* Records agent.started, with the kernel's lost-event total so far. */
void agent_started(struct agent *a);
/* Records agent.stopped; call before freeing on a clean stop. */
void agent_stopping(struct agent *a, const char *why);

#endif /* AGENT_H */
