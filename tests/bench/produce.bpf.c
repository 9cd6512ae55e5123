// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host ingestion benchmark: a syscall program that writes synthetic audit
 * events into the guard's ring buffer (the pinned `events` map, reused by
 * tests/bench/ingest.c), so the agent reads them through its own consumer.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "lockbox.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, LB_EVENTS_BYTES);
} events SEC(".maps");

struct lb_event tmpl; /* filled by userspace: every event is a copy, with its own pid */
__u64 produced, dropped;
__u32 seq;

static long emit(__u32 i, void *ctx)
{
	struct lb_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		dropped++;
		return 1; /* full: stop */
	}
	__builtin_memcpy(e, &tmpl, sizeof(*e));
	e->time_ns = bpf_ktime_get_boot_ns();
	e->pid = seq + i;
	e->tgid = seq + i;
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	produced++;
	return 0;
}

struct produce_args {
	__u32 n;
};

SEC("syscall")
int produce(struct produce_args *args)
{
	__u32 n = args->n;

	bpf_loop(n, emit, NULL, 0);
	seq += n;
	return 0;
}
