// SPDX-License-Identifier: GPL-2.0-only
/* A request's approval statement, as filed on this host (request_statement.h). */
#include <errno.h>
#include <string.h>
#include "errbuf.h"
#include "queries.h"
#include "request_statement.h"

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
