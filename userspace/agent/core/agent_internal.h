/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by the agent's modules (agent, workflow, queries, events); not an API. */
#ifndef AGENT_INTERNAL_H
#define AGENT_INTERNAL_H

#include <jansson.h>
#include "agent.h"
#include "config.h"
#include "evbatch.h"
#include "model.h"
#include "policy.h"
#include "protocol.h"
#include "server.h"

struct zone_ref {
	uint32_t id; /* the zone's stable id in the store and the kernel maps */
	const struct zone_cfg *cfg;
};

/* A zone root as the kernel names it in events, with its path for display. */
struct root_ref {
	uint64_t dev, ino;
	const char *path;
};

#define NAME_CACHE 256

struct agent {
	struct config *cfg;
	struct store *st;
	struct guard *g;
	struct server *srv;
	struct notifier *notifier;
	struct ring_buffer *rb;
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
	FILE *audit_log;
	uint64_t lost_seen; /* kernel events_lost counter already recorded */
	struct {
		uint32_t uid;
		char name[LB_NAME_MAX];
	} names[NAME_CACHE];
	char notify_error[256];	 /* last delivery failure logged */
	struct evbatch batch;	 /* taken from the ring, not yet committed */
	uint64_t dropped_seen;	 /* batch.dropped already recorded as events.lost */
	int64_t boot_to_wall_ns; /* CLOCK_REALTIME - CLOCK_BOOTTIME, refreshed per batch */
};

const char *root_path(struct agent *a, uint64_t dev, uint64_t ino);

/* transactions: records appended inside one are published only if it commits */
int tx_begin(struct agent *a);
int tx_commit(struct agent *a);
void tx_rollback(struct agent *a);
/* Appends @rec (stolen) to the trail inside the open transaction. */
int agent_audit(struct agent *a, json_t *rec);
/* An agent-sourced record with the common fields filled. */
json_t *agent_record(struct agent *a, const char *type, uint32_t uid, const char *zone,
		     int64_t request);

const char *user_name(struct agent *a, uint32_t uid);
const struct zone_ref *zone_by_name(struct agent *a, const char *name);
const struct zone_ref *zone_by_id(struct agent *a, uint32_t id);
void actor_of(struct agent *a, const struct client *c, const char *zone, struct actor *out);
/* The engineer identity a client acts as: loginuid when that is an engineer. */
uint32_t engineer_identity(struct agent *a, const struct client *c);

/* Makes the kernel's grant for (uid, zone) match the store's live approved requests. */
int grant_sync(struct agent *a, uint32_t uid, const char *zone, int64_t now);

/* workflow.c: the commands that change a request */
char *cmd_request(struct agent *a, struct client *c, const struct proto_req *q);
char *cmd_decide(struct agent *a, struct client *c, const struct proto_req *q);
int expire_due(struct agent *a, int64_t now);
/* queries.c: the commands that read */
char *cmd_list(struct agent *a, struct client *c, const struct proto_req *q);
char *cmd_show(struct agent *a, struct client *c, const struct proto_req *q);
char *cmd_wait(struct agent *a, struct client *c, const struct proto_req *q);
char *cmd_audit(struct agent *a, struct client *c, const struct proto_req *q);
char *cmd_verify(struct agent *a, struct client *c, const struct proto_req *q);
char *cmd_status(struct agent *a, struct client *c, const struct proto_req *q);
/* Answers the `wait`s on @request; with @now, also those past their timeout. */
void wake_waiters(struct agent *a, int64_t request, int64_t now);
/* Sends @rec to every follower. */
void publish_record(struct agent *a, json_t *rec);
/* events.c */
int events_open(struct agent *a);
void events_close(struct agent *a);
int events_check_lost(struct agent *a);
/* Stopping with events not stored: they go into the kernel's lost counter. */
int events_abandon(struct agent *a);

char *reply_errno(int err, const char *what);

#endif /* AGENT_INTERNAL_H */
