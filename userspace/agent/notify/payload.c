// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include "model.h"
#include "payload.h"
#include "timefmt.h"

static json_t *time_json(int64_t t)
{
	char buf[TIME_BUF];

	if (t <= 0)
		return json_null();
	time_format(t, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *request_json(const struct request *r)
{
	static const char *const access[] = {"", "read", "write", "read,write"};

	return json_pack("{sI sssssI ss ss ss sI so so ss}", "id", (json_int_t)r->id, "zone",
			 r->zone, "requester", r->requester, "uid", (json_int_t)r->uid, "access",
			 access[r->access & 3], "reason", r->reason, "ticket", r->ticket,
			 "duration", (json_int_t)r->duration, "created_at",
			 time_json(r->created_at), "expires_at", time_json(r->expires_at), "state",
			 req_state_name(r->state));
}

static json_t *actions_json(const struct request *r, const char *statement)
{
	json_t *a = json_object();
	char cmd[128];

	if (statement && r->state == REQ_PENDING) {
		json_object_set_new(a, "sign",
				    json_string("ssh-keygen -Y sign -f ~/.ssh/id_ed25519 -n "
						"lockbox statement.json"));
		snprintf(cmd, sizeof(cmd), "lockboxctl approve %lld --signature statement.json.sig",
			 (long long)r->id);
		json_object_set_new(a, "approve_signed", json_string(cmd));
	}

	if (r->state == REQ_PENDING) {
		snprintf(cmd, sizeof(cmd), "lockboxctl approve %lld", (long long)r->id);
		json_object_set_new(a, "approve", json_string(cmd));
		snprintf(cmd, sizeof(cmd), "lockboxctl deny %lld --reason TEXT", (long long)r->id);
		json_object_set_new(a, "deny", json_string(cmd));
	}
	snprintf(cmd, sizeof(cmd), "lockboxctl show %lld", (long long)r->id);
	json_object_set_new(a, "show", json_string(cmd));
	return a;
}

char *payload_build(const struct payload_event *ev, const struct request *r, int64_t now)
{
	json_t *to = json_array(), *p;
	char *out;

	for (size_t i = 0; i < ev->n_to; i++)
		json_array_append_new(to, json_string(ev->to[i]));
	p = json_pack("{si ss so ss so so so so so}", "version", 1, "event", ev->event, "time",
		      time_json(now), "host", ev->host ? ev->host : "", "request", request_json(r),
		      "by", ev->by ? json_string(ev->by) : json_null(), "comment",
		      ev->comment && *ev->comment ? json_string(ev->comment) : json_null(),
		      "recipients", to, "actions", actions_json(r, ev->statement));
	if (p && ev->statement)
		json_object_set_new(p, "statement", json_string(ev->statement));
	if (!p) { /* a field that is not UTF-8 (jansson refuses it) */
		errno = EINVAL;
		return NULL;
	}
	out = json_dumps(p, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(p);
	if (!out)
		errno = ENOMEM;
	return out;
}
