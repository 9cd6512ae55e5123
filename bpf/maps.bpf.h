/* SPDX-License-Identifier: GPL-2.0-only */
/* The guard's maps; all pinned by name under LB_PIN_DIR so they outlive the agent. */
#ifndef MAPS_BPF_H
#define MAPS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "lockbox.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_ENGINEERS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} engineers SEC(".maps");

/*
 * The guard's caches (include/lockbox.h): credentials known not to be an
 * engineer's, and engineers' allowed accesses by inode. A global, so the hot
 * path reaches it without a map lookup: the object's .bss, which the loader
 * pins as LB_PIN_DIR/caches and re-uses like the maps here.
 */
struct lb_caches caches;

/* the same set as a bitmap for uids below LB_UID_BITS: word uid / 64, bit uid % 64 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_UID_BITS / 64);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} engineer_bits SEC(".maps");

/*
 * zones and grants are sized for the largest hosts (docs/benchmarks.md, scale)
 * and allocate an entry when it is added: preallocated, a million grants would
 * cost every host ~100 MiB of kernel memory it never uses. Only the lookups are
 * on the hot path, and a lookup costs the same either way.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, LB_MAX_ZONE_ROOTS);
	__type(key, struct lb_zone_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} zones SEC(".maps");

/* dev -> 1 if a zone root is on it: lets a walk on any other filesystem stop at once */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_ZONE_DEVS);
	__type(key, __u64);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} zone_devs SEC(".maps");

/* block device number (kernel encoding) -> zone id: the raw disk under a zone */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_BLKDEVS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} zone_blkdevs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, LB_MAX_GRANTS);
	__type(key, struct lb_grant_key);
	__type(value, struct lb_grant);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} grants SEC(".maps");

/* files with hard links in a zone, by {dev, ino}: in the zone whatever name opens them */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_LINKED);
	__type(key, struct lb_zone_key);
	__type(value, struct lb_inode_zone);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} linked SEC(".maps");

/* an inode's zone as a walk found it, valid for one zone generation */
struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct lb_inode_zone);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} inode_zones SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, LB_EVENTS_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lb_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} guard_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_PINNED);
	__type(key, struct lb_zone_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pinned_dirs SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_PROTECTED);
	__type(key, struct lb_name_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} protected_names SEC(".maps");
#endif /* MAPS_BPF_H */
