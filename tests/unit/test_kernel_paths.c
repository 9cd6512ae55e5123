// SPDX-License-Identifier: GPL-2.0-only
/* The paths the kernel loads or runs on its own: the fixed list and the helper sysctls. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "tap.h"
#include "kernel_paths.h"

static char root[64];
static char paths[KERNEL_PATHS_MAX][4096];

static void sysctl(const char *name, const char *value)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/kernel/%s", root, name);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(value, f);
	fclose(f);
}

static bool listed(size_t n, const char *want)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(paths[i], want))
			return true;
	return false;
}

static void test_list(void)
{
	size_t n;

	sysctl("modprobe", "/sbin/modprobe\n");
	sysctl("hotplug", "\n");
	sysctl("poweroff_cmd", "/sbin/poweroff\n");
	sysctl("core_pattern", "|/usr/lib/systemd/systemd-coredump %P %u %g\n");
	n = kernel_paths_list(root, paths, KERNEL_PATHS_MAX);
	ok(listed(n, "/lib/modules") && listed(n, "/usr/lib/modules"), "module trees");
	ok(listed(n, "/etc/modprobe.d") && listed(n, "/usr/lib/modprobe.d"), "modprobe config");
	ok(listed(n, "/boot"), "/boot");
	ok(listed(n, "/sbin/modprobe"), "kernel.modprobe's program");
	ok(listed(n, "/sbin/poweroff"), "kernel.poweroff_cmd's program");
	ok(listed(n, "/usr/lib/systemd/systemd-coredump"), "a piping core_pattern's program alone");
	ok(!listed(n, ""), "an empty kernel.hotplug adds nothing");

	sysctl("core_pattern", "core.%p\n");
	sysctl("modprobe", "relative/modprobe\n");
	n = kernel_paths_list(root, paths, KERNEL_PATHS_MAX);
	ok(!listed(n, "core.%p"), "a core_pattern that is a file name runs nothing");
	ok(!listed(n, "relative/modprobe"), "only absolute programs");
	is_int(kernel_paths_list(root, paths, 3), 3, "at most max");
}

int main(void)
{
	char dir[128], cmd[160];

	snprintf(root, sizeof(root), "/tmp/lb-kpaths-XXXXXX");
	if (!mkdtemp(root))
		return 1;
	snprintf(dir, sizeof(dir), "%s/kernel", root);
	mkdir(dir, 0755);
	test_list();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", root);
	return done_testing();
}
