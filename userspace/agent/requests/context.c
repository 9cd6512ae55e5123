// SPDX-License-Identifier: GPL-2.0-only
/* The commands' view of the agent (context.h): lookups, roles, the audit sink. */
#include <errno.h>
#include <string.h>
#include "config.h"
#include "context.h"
#include "identity.h"
#include "protocol.h"

const struct zone_ref *ctx_zone_by_name(const struct cmd_ctx *x, const char *name)
{
	for (size_t i = 0; i < x->n_zones; i++)
		if (!strcmp(x->zones[i].cfg->name, name))
			return &x->zones[i];
	return NULL;
}

const struct zone_ref *ctx_zone_by_id(const struct cmd_ctx *x, uint32_t id)
{
	for (size_t i = 0; i < x->n_zones; i++)
		if (x->zones[i].id == id)
			return &x->zones[i];
	return NULL;
}

const char *ctx_root_path(const struct cmd_ctx *x, uint64_t dev, uint64_t ino)
{
	for (size_t i = 0; i < x->n_roots; i++)
		if (x->roots[i].dev == dev && x->roots[i].ino == ino)
			return x->roots[i].path;
	return NULL;
}

const char *ctx_user(const struct cmd_ctx *x, uint32_t uid)
{
	return x->user_name(x->names, uid);
}

uint32_t ctx_engineer_identity(const struct cmd_ctx *x, const struct caller *c)
{
	if (c->loginuid != LB_UID_UNSET && id_matches(c->loginuid, &x->cfg->engineers))
		return c->loginuid;
	return c->uid;
}

/*
 * Roles come from who connected, as the guard recorded it then: a caller with
 * no record is anyone (list and status, nothing of their own), and an engineer
 * is never an approver nor security, whatever the group database says. The
 * caller's passwd entry and groups are looked up once for all the roles.
 */
void ctx_actor(const struct cmd_ctx *x, const struct caller *c, const char *zone, struct actor *out)
{
	const struct zone_ref *z = zone ? ctx_zone_by_name(x, zone) : NULL;
	bool login_eng = false, other_login = c->loginuid != LB_UID_UNSET && c->loginuid != c->uid;
	struct id_user u, login;

	memset(out, 0, sizeof(*out));
	out->uid = LB_UID_UNSET; /* nobody's requests */
	if (!c->known)
		return;
	id_user_get(c->uid, &u); /* NSS failing: no group matches (id_matches()) */
	if (other_login) {
		id_user_get(c->loginuid, &login);
		login_eng = id_user_in(&login, &x->cfg->engineers);
		id_user_free(&login);
	}
	/* a login uid equal to uid keys the same grants: only another one is looked up */
	out->uid = login_eng ? c->loginuid : c->uid;
	out->engineer = c->engineer || login_eng || id_user_in(&u, &x->cfg->engineers);
	out->root = c->uid == 0;
	out->security = !out->engineer && id_user_in(&u, &x->cfg->security);
	out->approver = !out->engineer && z && id_user_in(&u, &z->cfg->approvers);
	id_user_free(&u);
}

int ctx_begin(const struct cmd_ctx *x)
{
	return x->audit->begin(x->audit_ctx);
}

int ctx_commit(const struct cmd_ctx *x)
{
	return x->audit->commit(x->audit_ctx);
}

void ctx_rollback(const struct cmd_ctx *x)
{
	x->audit->rollback(x->audit_ctx);
}

int ctx_append(const struct cmd_ctx *x, json_t *rec)
{
	return rec ? x->audit->append(x->audit_ctx, rec) : -ENOMEM;
}

json_t *ctx_record(const struct cmd_ctx *x, const char *type, uint32_t uid, const char *zone,
		   int64_t request)
{
	json_t *rec = json_object();

	if (!rec)
		return NULL;
	json_object_set_new(rec, "source", json_string("agent"));
	json_object_set_new(rec, "type", json_string(type));
	if (uid == LB_UID_AGENT) {
		json_object_set_new(rec, "uid", json_null());
		json_object_set_new(rec, "user", json_string("lockboxd"));
	} else {
		json_object_set_new(rec, "uid", json_integer(uid));
		json_object_set_new(rec, "user", json_string(ctx_user(x, uid)));
	}
	json_object_set_new(rec, "zone", zone ? json_string(zone) : json_null());
	json_object_set_new(rec, "request", request ? json_integer(request) : json_null());
	return rec;
}

char *reply_errno(int err, const char *what)
{
	switch (err) {
	case -ENOENT:
		return proto_reply_error(PROTO_E_NOT_FOUND, "%s: not found", what);
	case -EPERM:
	case -EACCES:
		return proto_reply_error(PROTO_E_NOT_PERMITTED, "%s: not permitted", what);
	default:
		return proto_reply_error(PROTO_E_INTERNAL, "%s: %s", what, strerror(-err));
	}
}
