// SPDX-License-Identifier: GPL-2.0-only
/* Names of states, decisions and access modes, both ways. */
#include <errno.h>
#include <string.h>
#include <linux/types.h>
#include "lockbox.h"
#include "model.h"

static const char *const states[REQ_STATE_MAX] = {
	"pending", "approved", "denied", "cancelled", "expired", "revoked",
};

static const char *const kinds[DEC_KIND_MAX] = {
	"approve", "deny", "revoke", "cancel", "expire",
};

static int lookup(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (s && !strcmp(names[i], s))
			return i;
	return -EINVAL;
}

const char *req_state_name(enum req_state s)
{
	return s < REQ_STATE_MAX ? states[s] : "unknown";
}

int req_state_parse(const char *s, enum req_state *out)
{
	int i = lookup(states, REQ_STATE_MAX, s);

	if (i < 0)
		return i;
	*out = i;
	return 0;
}

const char *decision_kind_name(enum decision_kind k)
{
	return k < DEC_KIND_MAX ? kinds[k] : "unknown";
}

int decision_kind_parse(const char *s, enum decision_kind *out)
{
	int i = lookup(kinds, DEC_KIND_MAX, s);

	if (i < 0)
		return i;
	*out = i;
	return 0;
}

const char *access_name(uint32_t access)
{
	return access & LB_ACCESS_WRITE ? "write" : "read";
}

int access_parse(const char *s, uint32_t *out)
{
	if (s && !strcmp(s, "read"))
		*out = LB_ACCESS_READ;
	else if (s && !strcmp(s, "write"))
		*out = LB_ACCESS_READ | LB_ACCESS_WRITE; /* write access includes reading */
	else
		return -EINVAL;
	return 0;
}
