// SPDX-License-Identifier: GPL-2.0-only
/* self_protect: which paths the guard keeps a root engineer from changing. */
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include "config.h"
#include "self_protect.h"
#include "tap.h"

static bool has(const struct self_paths *p, const char *path)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i], path))
			return true;
	return false;
}

static struct config *parse(const char *json)
{
	struct config *c = NULL;
	char err[256];

	if (config_parse(json, strlen(json), &c, err, sizeof(err)) < 0)
		printf("# config: %s\n", err);
	return c;
}

static void test_collects_what_lockbox_runs_and_trusts(void)
{
	struct config *c = parse("{\"socket\": \"/run/lbtest/lockbox.sock\", \"database\": "
				 "\"/var/lib/lbtest/lockbox/x.db\", \"notify\": {\"command\": "
				 "\"/bin/cat -u\"}, \"protected_paths\": [\"/etc/sudoers.d\"], "
				 "\"zones\": []}");
	struct self_paths p = {0};
	char real[PATH_MAX], exe[PATH_MAX];
	ssize_t n;

	if (!ok(c != NULL, "config parses (setup)"))
		return;
	is_int(self_paths_collect(c, "/etc/lbtest/lockbox.json", &p), 0, "collects");
	ok(has(&p, "/etc/ld.so.preload"),
	   "an absent /etc/ld.so.preload is in (its name is guarded)");
	ok(has(&p, "/etc/ld.so.conf.d") && has(&p, "/etc/ld.so.cache"), "the loader's config");
	ok(has(&p, "/etc/group") && has(&p, "/etc/passwd") && has(&p, "/etc/nsswitch.conf"),
	   "the identity sources");
	ok(has(&p, "/etc/sssd") && has(&p, "/var/lib/sss"), "SSSD's config and cache");
	ok(has(&p, "/lib64/ld-linux-x86-64.so.2"),
	   "the program interpreter by the name it is run by");
	if (realpath("/lib64/ld-linux-x86-64.so.2", real))
		ok(has(&p, real), "and the loader it names (%s)", real);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		ok(has(&p, exe), "this program itself");
	}
	ok(has(&p, "/bin/cat"), "the notify command's program");
	ok(has(&p, "/bin/sh"), "the shell that runs it");
	ok(has(&p, "/run/lbtest/lockbox.sock"), "the socket");
	ok(has(&p, "/var/lib/lbtest/lockbox/x.db") && has(&p, "/var/lib/lbtest/lockbox/x.db-wal") &&
		   has(&p, "/var/lib/lbtest/lockbox/x.db-shm") &&
		   has(&p, "/var/lib/lbtest/lockbox/x.db-journal"),
	   "the database and its -wal, -shm and -journal");
	ok(has(&p, "/var/lib/lbtest/lockbox"), "the database's folder, named lockbox");
	ok(!has(&p, "/run/lbtest"), "a folder not named lockbox is not taken whole");
	ok(has(&p, "/etc/lbtest/lockbox.json"), "the config file");
	ok(has(&p, "/etc/sudoers.d"), "protected_paths");
	ok(has(&p, "/etc/systemd/system/lockboxd.service.d"), "the unit's drop-in folder");
	ok(has(&p, "/etc/modprobe.d"), "what module autoload reads (engineer_kernel_access off)");
	for (size_t i = 0; i < p.n; i++)
		for (size_t j = i + 1; j < p.n; j++)
			if (!strcmp(p.v[i], p.v[j]))
				ok(0, "no path twice (%s)", p.v[i]);
	self_paths_free(&p);
	config_free(c);
}

static void test_finds_the_mapped_libraries(void)
{
	struct config *c = parse("{\"zones\": []}");
	struct self_paths p = {0};
	FILE *f = fopen("/proc/self/maps", "re");
	char line[PATH_MAX + 128], *lib = NULL;

	while (f && fgets(line, sizeof(line), f)) {
		char *path = strstr(line, "/libjansson");

		if (path) {
			path = strchr(line, '/');
			path[strcspn(path, "\n")] = 0;
			lib = strdup(path);
			break;
		}
	}
	if (f)
		fclose(f);
	if (!ok(c && lib, "this test maps libjansson (setup)"))
		return;
	is_int(self_paths_collect(c, NULL, &p), 0, "collects");
	ok(has(&p, lib), "a library this process maps (%s)", lib);
	ok(has(&p, "/usr/local/lib/libjansson.so.4") || has(&p, "/lib/libjansson.so.4"),
	   "its soname in a folder searched before it: no planting for the next ldconfig");
	self_paths_free(&p);
	free(lib);
	config_free(c);
}

int main(void)
{
	test_collects_what_lockbox_runs_and_trusts();
	test_finds_the_mapped_libraries();
	return done_testing();
}
