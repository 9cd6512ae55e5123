// SPDX-License-Identifier: GPL-2.0-only
/* Signed approvals: a request's statement, and approvals carried by SSHSIG signatures. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "errbuf.h"
#include "queries.h"
#include "signed.h"

int request_statement(const struct cmd_ctx *x, const struct request *r, struct statement *st,
		      char *err, size_t errlen)
{
	char hosts[PROTO_HOSTS_LEN];
	const char *v[PROTO_HOSTS_MAX];
	size_t n = 0;
	int ret = request_hosts(x, r->id, hosts);

	memset(st, 0, sizeof(*st));
	if (ret)
		return seterr(err, errlen, "request %lld: cannot read its hosts: %s",
			      (long long)r->id, strerror(-ret)),
		       ret;
	/* split in place: the patterns were checked when the request was filed */
	for (char *p = hosts; p && n < PROTO_HOSTS_MAX; n++) {
		v[n] = p;
		p = strchr(p, ',');
		if (p)
			*p++ = '\0';
	}
	return statement_for_request(r, x->host, v, n, st, err, errlen);
}

/* The statement text @q asks for, of request @r in a state that has one. */
static char *statement_reply(const struct cmd_ctx *x, const struct request *r, bool revoke)
{
	struct statement st, rev;
	char err[256], *text = NULL;
	size_t len;
	json_t *out;
	int ret;

	ret = request_statement(x, r, &st, err, sizeof(err));
	if (!ret && revoke) {
		statement_revocation(&st, &rev);
		ret = statement_format(&rev, &text, &len, err, sizeof(err));
		statement_free(&rev);
	} else if (!ret) {
		ret = statement_format(&st, &text, &len, err, sizeof(err));
	}
	statement_free(&st);
	if (ret)
		return proto_reply_error(PROTO_E_INTERNAL, "statement: %s", err);
	out = json_pack("{s:s%}", "statement", text, len);
	free(text);
	return proto_reply_ok(out);
}

char *cmd_statement(const struct cmd_ctx *x, const struct caller *c, const struct proto_req *q)
{
	struct request r;
	char *reply = NULL;

	if (get_visible(x, c, q->id, "statement", &r, &reply))
		return reply;
	/* once decided, the request's times change: only a pending one can be signed */
	if (!q->revoke && r.state != REQ_PENDING)
		return proto_reply_error(PROTO_E_CONFLICT,
					 "statement: request %lld is %s: only a pending request's "
					 "statement can be signed",
					 (long long)r.id, req_state_name(r.state));
	if (q->revoke && r.state != REQ_APPROVED)
		return proto_reply_error(PROTO_E_CONFLICT,
					 "statement --revoke: request %lld is %s, not approved",
					 (long long)r.id, req_state_name(r.state));
	return statement_reply(x, &r, q->revoke);
}
