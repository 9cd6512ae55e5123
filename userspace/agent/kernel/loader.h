/* SPDX-License-Identifier: GPL-2.0-only */
/* Loads the BPF guard, pins it under LB_PIN_DIR, and edits its maps. */
#ifndef LOADER_H
#define LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>
#include <linux/types.h>
#include "lockbox.h"

struct guard;
struct guard_bpf;
struct ring_buffer;

/*
 * Loads and attaches the programs, re-using pinned maps (so grants survive a
 * restart) and replacing pinned links new-before-old (so there is never a
 * moment without a guard). On failure, @err gets one line naming the cause
 * and the fix.
 */
int guard_load(struct guard **out, char *err, size_t errlen);
/*
 * Whether guard_load() found this build's programs attached and kept them
 * (build_stamp.h): it then loaded only the maps.
 */
bool guard_kept_running(const struct guard *g);
/* Programs for hooks this kernel lacks (added in later kernels) are set not to load. */
void guard_skip_missing_hooks(struct guard_bpf *skel);
/* Opens the maps of an already pinned guard, without loading anything. */
int guard_open_pinned(struct guard **out);
void guard_close(struct guard *g);
/* Detaches every program and removes the pins: the guard is gone. */
int guard_unpin(void);

int guard_set_config(struct guard *g, __u32 mode, __u32 agent_tgid, __u32 flags);
int guard_get_config(struct guard *g, struct lb_config *cfg);
int guard_engineer_add(struct guard *g, __u32 uid);
int guard_engineer_del(struct guard *g, __u32 uid);
/*
 * Forgets every cached "not an engineer" (subjects cache) once no guard program
 * that saw the old engineers set still runs; guard_engineer_add() does it.
 * For whoever edits the engineers maps directly (the benchmark's scale fill).
 */
int guard_subjects_forget(struct guard *g);
/* denials_release_stale() on the guard's denials: slots a killed agent left taken. */
int guard_denials_release_stale(struct guard *g);
/*
 * The guard's caches (struct lb_caches), mapped once for the guard's life:
 * NULL with errno set on failure.
 */
struct lb_caches *guard_caches(struct guard *g);
/* Removes every engineer not in @uids. */
int guard_engineers_keep(struct guard *g, const __u32 *uids, size_t n);
/* Protects the directory at @path (resolved to its dev and inode) as @zone. */
int guard_zone_add(struct guard *g, const char *path, __u32 zone);
int guard_zone_del(struct guard *g, const char *path);
/* Removes every zone root whose zone id is not in @zones (the guard's own stay). */
int guard_zones_keep(struct guard *g, const __u32 *zones, size_t n);
/* A zone's raw block device (matched by device number) and cleanup of old ones. */
int guard_blkdev_add(struct guard *g, const char *path, __u32 zone);
int guard_blkdevs_keep(struct guard *g, const __u32 *zones, size_t n);
/*
 * Files under @root with more than one hard link stay in @zone whatever name
 * they are opened by (links made before the guard saw them); @marked counts them.
 */
int guard_zone_mark_links(struct guard *g, const char *root, __u32 zone, size_t *marked);
/* The agent's config or database: engineers may read it but never change it. */
int guard_protect_agent_file(struct guard *g, const char *path);
/* The agent's database, -wal or -shm: engineers may not open it at all. */
int guard_protect_agent_db(struct guard *g, const char *path);
int guard_grant_put(struct guard *g, __u32 uid, __u32 zone, __u64 id, __u32 access, time_t expires);
/* The same with the kernel's expiry given (CLOCK_BOOTTIME ns), and that conversion. */
int guard_grant_put_ns(struct guard *g, __u32 uid, __u32 zone, __u64 id, __u32 access,
		       __u64 expires_ns);
__u64 guard_boot_expiry(time_t expires);
int guard_grant_del(struct guard *g, __u32 uid, __u32 zone);
int guard_grant_get(struct guard *g, __u32 uid, __u32 zone, struct lb_grant *out);
typedef int (*guard_grant_fn)(const struct lb_grant_key *k, const struct lb_grant *v, void *ctx);
int guard_grants_foreach(struct guard *g, guard_grant_fn fn, void *ctx);
typedef bool (*guard_grant_keep_fn)(const struct lb_grant_key *k, const struct lb_grant *v,
				    const void *ctx);
/* Deletes every grant @keep refuses, in one walk of the map; @dropped (may be NULL) counts them. */
int guard_grants_keep(struct guard *g, guard_grant_keep_fn keep, const void *ctx, size_t *dropped);
/* Sums the per-CPU counters into @out[LB_CNT_MAX]. */
int guard_counters(struct guard *g, __u64 *out);
/* Adds @n to counter @idx (events the agent took but could not store count as lost). */
int guard_counter_add(struct guard *g, __u32 idx, __u64 n);
/* Names of the pinned maps the loader edits (its one map table), NULL-terminated. */
const char *const *guard_map_names(void);
/* Names of the attached programs (hooks), NULL-terminated; static storage. */
const char *const *guard_hooks(void);
int guard_events_fd(struct guard *g);
/* The peers map (socket storage, include/peer.h) of a loaded guard, or -ENOENT. */
int guard_peers_fd(struct guard *g);

/* Pure helpers, unit tested. */
/* stat()'s st_dev to the kernel's sb->s_dev encoding (MAJOR << 20 | MINOR). */
__u64 lb_kernel_dev(dev_t st_dev);
/* A wall-clock expiry to CLOCK_BOOTTIME ns, given both clocks read now. */
__u64 lb_wall_to_boot(time_t expires, const struct timespec *now_wall,
		      const struct timespec *now_boot);
/* Whether the "lsm=" list in @lsm_list (contents of /sys/kernel/security/lsm) has bpf. */
bool lb_lsm_list_has_bpf(const char *lsm_list);

/*
 * Self-protection, written with a sync generation @gen; guard_self_keep()
 * then drops what an earlier sync wrote and this one did not.
 * guard_pin_dirs: @path and each of its ancestors may not be renamed or mounted on.
 * guard_protect_name: the name @path stands at may not be created, replaced or removed.
 */
/* Write-protects @path (LB_ZONE_AGENT) unless it is already a zone root of any kind. */
int guard_protect_if_unzoned(struct guard *g, const char *path);
int guard_pin_dirs(struct guard *g, const char *path, __u32 gen);
int guard_protect_name(struct guard *g, const char *path, __u32 gen);
int guard_self_keep(struct guard *g, __u32 gen);

#endif /* LOADER_H */
