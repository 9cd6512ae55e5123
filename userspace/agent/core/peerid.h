/* SPDX-License-Identifier: GPL-2.0-only */
/* Connect-time identity of the agent's clients, as the guard recorded it (include/peer.h). */
#ifndef PEERID_H
#define PEERID_H

#include <linux/types.h>
#include "peer.h"

/* Marks @listen_fd as the agent's socket in the peers map @map_fd: connects to it are recorded. */
int peer_mark_listener(int map_fd, int listen_fd);
/* What the guard recorded when @sock_fd (an accepted socket) was connected: 0, or -ENOENT. */
int peer_lookup(int map_fd, int sock_fd, struct lb_peer *out);

#endif /* PEERID_H */
