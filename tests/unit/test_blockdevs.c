// SPDX-License-Identifier: GPL-2.0-only
/* Finding the block devices beneath a zone in a sysfs tree, and passthrough majors. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "tap.h"
#include "blockdevs.h"

#define K(maj, min) (((__u32)(maj) << 20) | (min))

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[256], cmd[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	if (system(cmd) != 0)
		abort();
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static void lnk(const char *target, const char *rel)
{
	char path[256], cmd[1024];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\" && ln -s '%s' '%s'", path, target,
		 path);
	if (system(cmd) != 0)
		abort();
}

static bool has(const __u32 *d, size_t n, __u32 v)
{
	for (size_t i = 0; i < n; i++)
		if (d[i] == v)
			return true;
	return false;
}

/*
 * sda (8:0) with partitions sda1 (8:1) and sda2 (8:2); dm-0 (254:0) on sda2;
 * dm-1 (254:1) on dm-0; md0 (9:0) on sda1; loop0 (7:0) unrelated.
 */
static void make_tree(void)
{
	put("devices/sda/dev", "8:0\n");
	put("devices/sda/sda1/dev", "8:1\n");
	put("devices/sda/sda1/partition", "1\n");
	put("devices/sda/sda2/dev", "8:2\n");
	put("devices/sda/sda2/partition", "2\n");
	put("devices/dm-0/dev", "254:0\n");
	put("devices/dm-1/dev", "254:1\n");
	put("devices/md0/dev", "9:0\n");
	put("devices/loop0/dev", "7:0\n");
	lnk("../../devices/sda", "dev/block/8:0");
	lnk("../../devices/sda/sda1", "dev/block/8:1");
	lnk("../../devices/sda/sda2", "dev/block/8:2");
	lnk("../../devices/dm-0", "dev/block/254:0");
	lnk("../../devices/dm-1", "dev/block/254:1");
	lnk("../../devices/md0", "dev/block/9:0");
	lnk("../../devices/loop0", "dev/block/7:0");
	lnk("../../../dm-0", "devices/sda/sda2/holders/dm-0");
	lnk("../../sda/sda2", "devices/dm-0/slaves/sda2");
	lnk("../../dm-1", "devices/dm-0/holders/dm-1");
	lnk("../../dm-0", "devices/dm-1/slaves/dm-0");
	lnk("../../../md0", "devices/sda/sda1/holders/md0");
	lnk("../../sda/sda1", "devices/md0/slaves/sda1");
}

static void test_find_stack_from_top(void)
{
	__u32 d[16];
	size_t n = 0;

	is_int(blockdevs_find(root, makedev(254, 1), d, &n, 16), 0, "dm-1: found");
	ok(has(d, n, K(254, 1)), "the filesystem's own device");
	ok(has(d, n, K(254, 0)), "the dm device beneath it (slaves)");
	ok(has(d, n, K(8, 2)), "the partition beneath that");
	ok(has(d, n, K(8, 0)), "and the whole disk");
	ok(!has(d, n, K(7, 0)), "an unrelated loop device is left alone");
	ok(!has(d, n, K(8, 1)), "a sibling partition is covered by the disk, not listed");
	ok(!has(d, n, K(9, 0)), "the sibling's md array is not beneath this zone");
}

static void test_find_from_partition(void)
{
	__u32 d[16];
	size_t n = 0;

	is_int(blockdevs_find(root, makedev(8, 2), d, &n, 16), 0, "sda2: found");
	ok(has(d, n, K(8, 0)), "a partition's whole disk");
	ok(has(d, n, K(254, 0)) && has(d, n, K(254, 1)), "what is stacked on it (holders)");
	is_int(n, 4, "sda2, sda, dm-0, dm-1 and nothing else");
}

static void test_find_edges(void)
{
	__u32 d[16];
	size_t n = 0;

	is_int(blockdevs_find(root, makedev(0, 42), d, &n, 16), 0, "an anonymous device");
	is_int(n, 0, "adds nothing");
	is_int(blockdevs_find(root, makedev(8, 2), d, &n, 2), -E2BIG, "more than max: E2BIG");
	n = 0;
	is_int(blockdevs_find(root, makedev(8, 0), d, &n, 16), 0, "the whole disk itself");
	is_int(n, 1, "a disk without holders is just itself");
}

static void test_passthru_majors(void)
{
	const char *text =
		"Character devices:\n  1 mem\n 21 sg\n240 bsg\n241 nvme-generic\n"
		"242 nvme\n243 vfio\n254 gpiochip\n\nBlock devices:\n  7 loop\n259 blkext\n"
		"243 nvme\n";
	__u32 m[8];
	size_t n = blockdevs_passthru_majors(text, m, 8);

	is_int(n, 4, "bsg, nvme-generic, nvme and vfio");
	ok(n == 4 && m[0] == 240 && m[1] == 241 && m[2] == 242 && m[3] == 243,
	   "their character majors");
	is_int(blockdevs_passthru_majors("Block devices:\n 1 bsg\n", m, 8), 0,
	       "block majors do not count");
	is_int(blockdevs_passthru_majors(text, m, 1), 1, "at most max");
}

int main(void)
{
	char cmd[128];

	snprintf(root, sizeof(root), "/tmp/lb-blockdevs-XXXXXX");
	if (!mkdtemp(root))
		return 1;
	make_tree();
	test_find_stack_from_top();
	test_find_from_partition();
	test_find_edges();
	test_passthru_majors();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", root);
	return done_testing();
}
