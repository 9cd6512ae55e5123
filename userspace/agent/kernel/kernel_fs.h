/* SPDX-License-Identifier: GPL-2.0-only */
/* The kernel's pseudo-filesystems the agent needs: bpffs and securityfs. */
#ifndef LOCKBOX_KERNEL_FS_H
#define LOCKBOX_KERNEL_FS_H

#include <stddef.h>

/*
 * Mounts securityfs on /sys/kernel/security and bpffs on /sys/fs/bpf where
 * they are missing (as systemd and bpftool do). Returns 0 or a negative errno
 * with a one-line reason in @err.
 */
int kernel_fs_ensure(char *err, size_t errlen);

/* Whether the filesystem at path has the given statfs magic: 1, 0, or -errno. */
int kernel_fs_is(const char *path, long magic);

#endif
