// SPDX-License-Identifier: GPL-2.0-only
/*
 * Agent benchmark: counts the fsync and fdatasync calls of one process (the
 * agent, by tgid), so agentbench can say how many durable commits a command
 * costs. A raw tracepoint on syscall entry: it needs neither tracefs nor BTF
 * for the function, and SQLite reaches the disk through these two calls.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define NR_FSYNC     74 /* x86_64 */
#define NR_FDATASYNC 75

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 target_tgid; /* set before load */

__u64 fsyncs;	  /* fsync(): data and metadata */
__u64 fdatasyncs; /* fdatasync(): data (and the size when it grew) */
__u64 anyone;	  /* either, by any process: says the counter is attached */

SEC("raw_tp/sys_enter")
int BPF_PROG(count_fsync, struct pt_regs *regs, long id)
{
	if (id != NR_FSYNC && id != NR_FDATASYNC)
		return 0;
	__sync_fetch_and_add(&anyone, 1);
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	if (id == NR_FDATASYNC)
		__sync_fetch_and_add(&fdatasyncs, 1);
	else
		__sync_fetch_and_add(&fsyncs, 1);
	return 0;
}
