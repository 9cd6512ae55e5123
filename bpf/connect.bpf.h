/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Connect-time identity for the agent's socket: when a task connects to the
 * socket the agent marked as its listener, the task's uid, euid, login uid and
 * engineer status are stored with the new server-side sock. The agent reads
 * them after accept(), whatever the task has become or wherever it has gone.
 */
#ifndef CONNECT_BPF_H
#define CONNECT_BPF_H

#include "guard.bpf.h"
#include "peer.h"

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct lb_peer);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} peers SEC(".maps");

SEC("lsm/unix_stream_connect")
int BPF_PROG(lb_unix_stream_connect, struct sock *sock, struct sock *other, struct sock *newsk,
	     int ret)
{
	struct task_struct *task;
	struct lb_peer *l, *p;
	struct subject s;

	if (ret)
		return ret;
	/* not the agent's socket: one storage lookup, nothing kept */
	l = bpf_sk_storage_get(&peers, other, 0, 0);
	if (!l || !(l->flags & LB_PEER_LISTENER))
		return 0;
	/* no room: the agent finds no record and grants no role beyond anyone */
	p = bpf_sk_storage_get(&peers, newsk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!p)
		return 0;
	task = bpf_get_current_task_btf();
	p->uid = task->cred->uid.val;
	p->euid = task->cred->euid.val;
	p->loginuid = task_loginuid(task);
	p->tgid = bpf_get_current_pid_tgid() >> 32;
	p->engineer = LB_UID_UNSET;
	p->flags = LB_PEER_SET;
	if (subject_get(&s)) {
		p->engineer = s.engineer;
		p->flags |= LB_PEER_ENGINEER;
	}
	return 0;
}

#endif /* CONNECT_BPF_H */
