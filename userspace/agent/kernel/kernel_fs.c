// SPDX-License-Identifier: GPL-2.0-only
/* Mount bpffs and securityfs where a minimal system has not. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include "errbuf.h"
#include "kernel_fs.h"

int kernel_fs_is(const char *path, long magic)
{
	struct statfs sf;

	if (statfs(path, &sf) < 0)
		return -errno;
	return (long)sf.f_type == magic;
}

static int ensure(const char *path, const char *type, long magic, const char *opts, char *err,
		  size_t errlen)
{
	int ret = kernel_fs_is(path, magic);

	if (ret == 1)
		return 0;
	if (ret < 0) {
		seterr(err, errlen, "cannot mount %s on %s: %s (is sysfs mounted on /sys?)", type,
		       path, strerror(-ret));
		return ret;
	}
	if (mount(type, path, type, MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0) {
		ret = -errno;
		seterr(err, errlen, "%s is not mounted on %s and mounting it failed: %s", type,
		       path, strerror(errno));
		return ret;
	}
	return 0;
}

int kernel_fs_ensure(char *err, size_t errlen)
{
	int ret;

	/* securityfs only tells whether bpf is in the LSM list: best effort */
	ensure("/sys/kernel/security", "securityfs", SECURITYFS_MAGIC, NULL, err, errlen);
	seterr(err, errlen, "%s", "");
	ret = ensure("/sys/fs/bpf", "bpf", BPF_FS_MAGIC, "mode=0700", err, errlen);
	return ret;
}
