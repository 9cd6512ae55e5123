/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The block devices beneath the zones, found without configuration: the
 * device a zone's filesystem is on, its whole disk, and what is stacked on or
 * under them (device-mapper, md, loop: holders/ and slaves/ in sysfs), and the
 * passthrough character devices (bsg, nvme-generic, nvme, vfio, uio) whose majors are
 * dynamic. Both go into the guard's pinned maps.
 */
#ifndef BLOCKDEVS_H
#define BLOCKDEVS_H

#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#define BLOCKDEVS_MAX	   256 /* devices found per sync: far more than any real stack */
#define BLOCKDEVS_RESCAN_S 5   /* the agent looks again this often */

/*
 * Adds to @out (kernel encoding, MAJOR << 20 | MINOR; @n in/out, at most
 * @max) every block device reachable from @dev (userspace encoding, st_dev)
 * through <@sysfs>/dev/block/MAJ:MIN: its whole disk if it is a partition,
 * and its holders and slaves, transitively. A @dev with no block device
 * (tmpfs, NFS) adds nothing. Returns 0 or a negative errno (-E2BIG when @max
 * is reached).
 */
int blockdevs_find(const char *sysfs, dev_t dev, __u32 *out, size_t *n, size_t max);

/*
 * The character device majors named in a /proc/devices text that give raw
 * access to disks (bsg, nvme-generic, nvme, vfio, uio): at most @max into @majors.
 * Returns how many.
 */
size_t blockdevs_passthru_majors(const char *proc_devices, __u32 *majors, size_t max);

/*
 * Guards what lies beneath @paths (zone roots): each device found goes into
 * zone_blkdevs as LB_ZONE_GUARD (no grant opens it) unless a zone's "devices"
 * already put it there; LB_ZONE_GUARD entries no longer found are removed.
 * Fills the passthru map from /proc/devices. On error, @err names the cause.
 */
int blockdevs_sync(const char *const *paths, size_t n_paths, size_t *found, char *err,
		   size_t errlen);

#endif /* BLOCKDEVS_H */
