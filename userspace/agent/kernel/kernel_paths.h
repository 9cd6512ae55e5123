/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the kernel loads or runs on its own, write-protected for engineers
 * unless engineer_kernel_access is set: module trees and modprobe's config
 * (module autoload runs modprobe as root with no login uid), firmware, /boot,
 * and the programs the kernel's usermode-helper sysctls name.
 */
#ifndef KERNEL_PATHS_H
#define KERNEL_PATHS_H

#include <stdbool.h>
#include <stddef.h>

struct guard;

#define KERNEL_PATHS_MAX 32

/*
 * The paths to protect into @out (at most @max, each PATH_MAX bytes): the
 * fixed list, then the first word of each helper sysctl under @proc_sys
 * ("/proc/sys"; core_pattern only when it pipes). Returns how many.
 */
size_t kernel_paths_list(const char *proc_sys, char (*out)[4096], size_t max);

/*
 * Protects the paths (@protect) or lifts that protection (the site lets
 * engineers do kernel work). Paths that do not exist are skipped. Returns 0
 * or the first error; @err names its path.
 */
int kernel_paths_sync(struct guard *g, bool protect, char *err, size_t errlen);

#endif /* KERNEL_PATHS_H */
