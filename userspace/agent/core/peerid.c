// SPDX-License-Identifier: GPL-2.0-only
/* Connect-time identity of the agent's clients, read from the guard's peers map. */
#include <errno.h>
#include <bpf/bpf.h>
#include "peerid.h"

int peer_mark_listener(int map_fd, int listen_fd)
{
	struct lb_peer v = {.flags = LB_PEER_LISTENER};

	return bpf_map_update_elem(map_fd, &listen_fd, &v, BPF_ANY) < 0 ? -errno : 0;
}

int peer_lookup(int map_fd, int sock_fd, struct lb_peer *out)
{
	if (bpf_map_lookup_elem(map_fd, &sock_fd, out) < 0)
		return -errno;
	/* the listener's own mark, or a record the guard did not finish: no identity */
	return out->flags & LB_PEER_SET ? 0 : -ENOENT;
}
