/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Who connected to the agent's socket, recorded by the guard when the
 * connection is made (lsm/unix_stream_connect) and kept with the agent's end
 * of it (peers map, socket storage), so that what the connecting process did
 * afterwards (changed uid, exited, its pid reused) changes nothing.
 */
#ifndef LOCKBOX_PEER_H
#define LOCKBOX_PEER_H

/* lb_peer.flags */
#define LB_PEER_LISTENER 0x1 /* set by the agent on its listening socket */
#define LB_PEER_SET	 0x2 /* the guard recorded this connection */
#define LB_PEER_ENGINEER                                                                           \
	0x4 /* the connecting task was an engineer (uid, euid, fsuid or loginuid) */

struct lb_peer {
	__u32 flags;
	__u32 uid;
	__u32 euid;
	__u32 loginuid; /* LB_UID_UNSET when unset */
	__u32 engineer; /* the identity the guard keys grants by, when LB_PEER_ENGINEER */
	__u32 tgid;
};

#endif /* LOCKBOX_PEER_H */
