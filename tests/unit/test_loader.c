// SPDX-License-Identifier: GPL-2.0-only
/* The loader's pure parts: device encoding, clock conversion, LSM list parsing, map table. */
#include <string.h>
#include <sys/sysmacros.h>
#include <bpf/libbpf.h>
#include "tap.h"
#include "lockbox.h" /* before the skeleton: its .bss is a struct lb_caches */
#include "guard.skel.h"
#include "loader.h"

static void test_kernel_dev_encoding(void)
{
	/* /dev/vda is 254:0; sb->s_dev is MAJOR << 20 | MINOR */
	is_int(lb_kernel_dev(makedev(254, 0)), (254ULL << 20), "254:0 encodes as 254<<20");
	is_int(lb_kernel_dev(makedev(8, 17)), (8ULL << 20) | 17, "8:17 encodes as 8<<20|17");
	/* minors above 255 live in the high bits of st_dev */
	is_int(lb_kernel_dev(makedev(259, 300)), (259ULL << 20) | 300,
	       "259:300 keeps a wide minor");
	ok(lb_kernel_dev(makedev(254, 0)) != makedev(254, 0), "st_dev is not used as is");
}

static void test_wall_to_boot(void)
{
	struct timespec wall = {.tv_sec = 1000000, .tv_nsec = 500};
	struct timespec boot = {.tv_sec = 42, .tv_nsec = 0};

	is_int(lb_wall_to_boot(1000060, &wall, &boot), 42000000000LL + 60000000000LL - 500,
	       "an expiry 60 s away lands 60 s after now on the boot clock");
	is_int(lb_wall_to_boot(999000, &wall, &boot), 42000000000LL,
	       "an expiry in the past is now: already expired");
}

static void test_lsm_list(void)
{
	ok(lb_lsm_list_has_bpf("lockdown,capability,landlock,bpf"), "bpf last");
	ok(lb_lsm_list_has_bpf("bpf,capability\n"), "bpf first");
	ok(!lb_lsm_list_has_bpf("lockdown,capability,apparmor"), "no bpf");
	ok(!lb_lsm_list_has_bpf("capability,bpfx,xbpf"), "bpf only as a whole name");
	ok(!lb_lsm_list_has_bpf(""), "empty list");
}

/* The map table names maps the guard object has and pins, each once. */
static void test_map_table(void)
{
	struct guard_bpf *skel = guard_bpf__open(); /* ELF parsing only: no privilege */
	const char *const *names = guard_map_names();
	int n = 0, missing = 0, unpinned = 0, repeated = 0;

	ok(skel, "the guard object opens");
	for (const char *const *m = names; *m; m++, n++) {
		struct bpf_map *map = skel ? bpf_object__find_map_by_name(skel->obj, *m) : NULL;

		if (!strcmp(*m, "caches")) {
			/* the .bss global (bpf/maps.bpf.h): the loader sets its pin path itself */
			ok(skel && skel->maps.bss &&
				   bpf_map__value_size(skel->maps.bss) == sizeof(struct lb_caches),
			   "the caches are the guard's whole .bss");
			continue;
		}
		missing += !map;
		unpinned += map && !bpf_map__pin_path(map); /* LIBBPF_PIN_BY_NAME sets one */
		for (const char *const *o = names; o < m; o++)
			repeated += !strcmp(*o, *m);
	}
	ok(n >= 13, "the table lists the guard's maps (%d)", n);
	is_int(missing, 0, "every name in the table is a map of the guard object");
	is_int(unpinned, 0,
	       "every map in the table is pinned by name (guard_open_pinned finds it)");
	is_int(repeated, 0, "no map is listed twice");
	ok(names[0] && !strcmp(names[0], "engineers"), "the list starts at engineers");
	guard_bpf__destroy(skel);
}

int main(void)
{
	test_kernel_dev_encoding();
	test_wall_to_boot();
	test_lsm_list();
	test_map_table();
	return done_testing();
}
