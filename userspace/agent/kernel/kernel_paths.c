// SPDX-License-Identifier: GPL-2.0-only
/* What the kernel loads or runs on its own: write-protected for engineers. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "errbuf.h"
#include "kernel_paths.h"
#include "loader.h"

static const char *const fixed[] = {
	"/lib/modules",
	"/usr/lib/modules",
	"/etc/modprobe.d",
	"/lib/modprobe.d",
	"/usr/lib/modprobe.d",
	"/run/modprobe.d",
	"/etc/modprobe.conf",
	"/etc/modules-load.d",
	"/usr/lib/modules-load.d",
	"/etc/modules",
	"/lib/firmware",
	"/usr/lib/firmware",
	"/boot",
	"/etc/request-key.conf",
	"/etc/request-key.d",
	NULL,
};

/* sysctls (under kernel/) whose value is a program the kernel runs */
static const char *const helpers[] = {"modprobe", "hotplug", "poweroff_cmd", "core_pattern", NULL};

/* The program a helper sysctl names: its first word; core_pattern only as "|PROG ARGS". */
static int helper_path(const char *proc_sys, const char *name, char *out, size_t size)
{
	char path[PATH_MAX], buf[PATH_MAX];
	const char *p = buf;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "%s/kernel/%s", proc_sys, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -ENOENT;
	buf[len] = 0;
	if (!strcmp(name, "core_pattern")) {
		if (buf[0] != '|')
			return -ENOENT; /* a file name pattern: nothing runs */
		p++;
	}
	p += strspn(p, " \t");
	len = strcspn(p, " \t\n");
	if (len == 0 || p[0] != '/' || (size_t)len >= size)
		return -ENOENT;
	memcpy(out, p, len);
	out[len] = 0;
	return 0;
}

size_t kernel_paths_list(const char *proc_sys, char (*out)[4096], size_t max)
{
	size_t n = 0;

	for (int i = 0; fixed[i] && n < max; i++)
		snprintf(out[n++], 4096, "%s", fixed[i]);
	for (int i = 0; helpers[i] && n < max; i++)
		if (helper_path(proc_sys, helpers[i], out[n], 4096) == 0)
			n++;
	return n;
}

int kernel_paths_sync(struct guard *g, bool protect, char *err, size_t errlen)
{
	static char paths[KERNEL_PATHS_MAX][4096];
	size_t n = kernel_paths_list("/proc/sys", paths, KERNEL_PATHS_MAX);

	for (size_t i = 0; i < n; i++) {
		int ret = protect ? guard_protect_agent_file(g, paths[i])
				  : guard_zone_del(g, paths[i]);

		if (ret == -ENOENT || ret == -EINVAL)
			continue; /* not on this host, or not a file or directory */
		if (ret) {
			seterr(err, errlen, "cannot %s %s: %s", protect ? "protect" : "unprotect",
			       paths[i], strerror(-ret));
			return ret;
		}
	}
	return 0;
}
