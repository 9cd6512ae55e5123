// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest benchmark helper: fills the pinned guard's maps up to a given size, for
 * the scale case. Run as root after `guardctl load` and the ordinary setup.
 *
 *   scale DIR ENGINEERS ZONES GRANTS
 *   scale --memory
 *   scale --dirs DIR N
 *
 * Adds engineers (uids from 100000), zone roots (new directories DIR/NNNNN,
 * made here) and grants until the maps hold ENGINEERS, ZONES and GRANTS
 * entries. The new grants pair new engineers with new zones only, so what the
 * uids and zones already there may do does not change. Prints the final counts.
 * With --memory: the memory of each map pinned under LB_PIN_DIR, and the total.
 * With --dirs: only the zone root directories DIR/00000 to DIR/N-1, made before
 * the baseline so that every phase runs with the same dentries in the dcache.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "loader.h"
#include "lockbox.h"

#define UID_BASE 100000u
#define STRIDE	 7919u /* prime: engineer e's k-th zone is (e + k * STRIDE) mod zones */

struct maps {
	int engineers, engineer_bits, zones, grants;
};

static int map_open(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", LB_PIN_DIR, name);
	return bpf_obj_get(path);
}

/*
 * Entries in a hash map, read a batch at a time (a million grants one key at a
 * time take minutes under emulation). With @max_value (the zones map): the
 * largest zone id; the guard's pins and the agent's files are not counted as zones.
 */
#define COUNT_BATCH 8192

static long map_count(int fd, size_t key_size, size_t value_size, __u32 *max_value)
{
	char *keys = malloc(COUNT_BATCH * key_size), *values = malloc(COUNT_BATCH * value_size);
	__u32 cursor = 0, n;
	long total = 0;
	int err = 0;

	if (!keys || !values)
		err = -ENOMEM;
	for (bool first = true, more = !err; more; first = false) {
		n = COUNT_BATCH;
		if (bpf_map_lookup_batch(fd, first ? NULL : &cursor, &cursor, keys, values, &n,
					 NULL) < 0) {
			more = false;
			err = errno == ENOENT ? 0 : -errno; /* ENOENT: the last batch */
		}
		total += n;
		for (__u32 i = 0; max_value && i < n; i++) {
			__u32 v;

			memcpy(&v, values + i * value_size, sizeof(v));
			if (v == LB_ZONE_GUARD || v == LB_ZONE_AGENT || v == LB_ZONE_AGENT_DB)
				total--;
			else if (v > *max_value)
				*max_value = v;
		}
	}
	free(keys);
	free(values);
	return err ? err : total;
}

/* Batch update, or one element at a time where the kernel has no batch ops for the map. */
static int update_many(int fd, void *keys, size_t key_size, void *values, size_t value_size,
		       __u32 n)
{
	__u32 count = n;

	if (!n)
		return 0;
	if (!bpf_map_update_batch(fd, keys, values, &count, NULL) && count == n)
		return 0;
	for (__u32 i = 0; i < n; i++)
		if (bpf_map_update_elem(fd, (char *)keys + i * key_size,
					(char *)values + i * value_size, BPF_ANY))
			return -errno;
	return 0;
}

/* The bitmap copy the guard reads for uids below LB_UID_BITS, as the loader keeps it. */
static int set_engineer_bits(struct maps *m, __u32 first, __u32 n)
{
	for (__u32 uid = first; uid < first + n && uid < LB_UID_BITS; uid++) {
		__u32 word = uid / 64;
		__u64 bits = 0;

		if (bpf_map_lookup_elem(m->engineer_bits, &word, &bits) < 0)
			return -errno;
		bits |= 1ULL << (uid % 64);
		if (bpf_map_update_elem(m->engineer_bits, &word, &bits, BPF_ANY) < 0)
			return -errno;
	}
	return 0;
}

static int add_engineers(struct maps *m, long have, long want, __u32 *n_new)
{
	__u32 n = want > have ? want - have : 0, *keys, *values;
	int err = -ENOMEM;

	keys = calloc(n + 1, sizeof(*keys));
	values = calloc(n + 1, sizeof(*values));
	if (!keys || !values)
		goto out;
	for (__u32 i = 0; i < n; i++) {
		keys[i] = UID_BASE + i;
		values[i] = LB_ENGINEER;
	}
	/* the bit first: a uid is never in the bitmap but not in the hash */
	err = set_engineer_bits(m, UID_BASE, n);
	if (!err)
		err = update_many(m->engineers, keys, sizeof(*keys), values, sizeof(*values), n);
	*n_new = n;
out:
	free(keys);
	free(values);
	return err;
}

/* DIR/00000 to DIR/N-1, as add_zones names them (there already: fine) */
static int make_dirs(const char *dir, long n)
{
	char path[512];

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%05ld", dir, i);
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
	}
	return 0;
}

static int add_zones(struct maps *m, const char *dir, long have, long want, __u32 first_id,
		     __u32 *n_new)
{
	__u32 n = want > have ? want - have : 0, *values;
	struct lb_zone_key *keys;
	char path[512];
	struct stat st;
	int err = -ENOMEM;

	keys = calloc(n + 1, sizeof(*keys));
	values = calloc(n + 1, sizeof(*values));
	if (!keys || !values)
		goto out;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		err = -errno;
		goto out;
	}
	for (__u32 i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%05u", dir, i);
		if ((mkdir(path, 0755) < 0 && errno != EEXIST) || stat(path, &st) < 0) {
			err = -errno;
			goto out;
		}
		keys[i].dev = lb_kernel_dev(st.st_dev);
		keys[i].ino = st.st_ino;
		values[i] = first_id + i;
	}
	err = update_many(m->zones, keys, sizeof(*keys), values, sizeof(*values), n);
	*n_new = n;
out:
	free(keys);
	free(values);
	return err;
}

static int add_grants(struct maps *m, long have, long want, __u32 n_eng, __u32 n_zones,
		      __u32 first_zone)
{
	__u32 n = want > have ? want - have : 0;
	struct lb_grant_key *keys;
	struct lb_grant *values;
	struct timespec now;
	int err = -ENOMEM;

	if (n && (!n_eng || !n_zones || n > (__u64)n_eng * n_zones))
		return -ERANGE; /* not enough new engineers and zones to pair */
	keys = calloc(n + 1, sizeof(*keys));
	values = calloc(n + 1, sizeof(*values));
	if (!keys || !values)
		goto out;
	clock_gettime(CLOCK_BOOTTIME, &now);
	for (__u32 k = 0; k < n; k++) {
		__u32 e = k % n_eng, round = k / n_eng;

		keys[k].uid = UID_BASE + e;
		keys[k].zone = first_zone + (e + (__u64)round * STRIDE) % n_zones;
		values[k].id = 1000000 + k;
		values[k].expires_ns = (now.tv_sec + 36000) * 1000000000ull;
		values[k].access = LB_ACCESS_READ | LB_ACCESS_WRITE;
	}
	err = update_many(m->grants, keys, sizeof(*keys), values, sizeof(*values), n);
out:
	free(keys);
	free(values);
	return err;
}

/* The "memlock:" and "max_entries:" of an fd's fdinfo; 0 when it is not a map's. */
static int fdinfo_map(int fd, unsigned long long *memlock, unsigned long long *max_entries)
{
	char path[64], line[256];
	bool is_map = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	*memlock = *max_entries = 0;
	while (fgets(line, sizeof(line), f)) {
		is_map |= !strncmp(line, "map_type:", 9);
		sscanf(line, "memlock: %llu", memlock);
		sscanf(line, "max_entries: %llu", max_entries);
	}
	fclose(f);
	return is_map;
}

/*
 * Each pinned map's memory as the kernel charges it (fdinfo's memlock), and the
 * total. Kernels before 6.4 print a size computed from max_entries, later ones
 * what the map has allocated.
 */
static int map_memory(void)
{
	unsigned long long memlock, max_entries, total = 0;
	DIR *d = opendir(LB_PIN_DIR);
	struct dirent *de;
	char path[512];
	int fd, maps = 0;

	if (!d) {
		fprintf(stderr, "scale: %s: %s\n", LB_PIN_DIR, strerror(errno));
		return 1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", LB_PIN_DIR, de->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (fdinfo_map(fd, &memlock, &max_entries)) {
			printf("mapmem %s memlock=%llu max_entries=%llu\n", de->d_name, memlock,
			       max_entries);
			total += memlock;
			maps++;
		}
		close(fd);
	}
	closedir(d);
	printf("mapmem total memlock=%llu maps=%d\n", total, maps);
	return maps ? 0 : 1;
}

struct counts {
	long engineers, zones, grants;
	__u32 max_zone;
};

static int count_all(const struct maps *m, struct counts *c)
{
	c->max_zone = 0;
	c->engineers = map_count(m->engineers, sizeof(__u32), sizeof(__u32), NULL);
	c->zones = map_count(m->zones, sizeof(struct lb_zone_key), sizeof(__u32), &c->max_zone);
	c->grants =
		map_count(m->grants, sizeof(struct lb_grant_key), sizeof(struct lb_grant), NULL);
	if (c->engineers < 0 || c->zones < 0 || c->grants < 0) {
		fprintf(stderr, "scale: cannot count the maps: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* engineers added behind the loader's back: what the guard cached may be stale */
static int forget_subjects(void)
{
	struct guard *g;
	int err = guard_open_pinned(&g);

	if (!err) {
		err = guard_subjects_forget(g);
		guard_close(g);
	}
	return err;
}

static int fill(const char *dir, long want_eng, long want_zones, long want_grants)
{
	struct maps m = {map_open("engineers"), map_open("engineer_bits"), map_open("zones"),
			 map_open("grants")};
	__u32 new_eng = 0, new_zones = 0;
	struct counts c;
	int err;

	if (m.engineers < 0 || m.engineer_bits < 0 || m.zones < 0 || m.grants < 0) {
		fprintf(stderr, "scale: no pinned guard under %s: %s\n", LB_PIN_DIR,
			strerror(errno));
		return 1;
	}
	if (count_all(&m, &c))
		return 1;
	err = add_engineers(&m, c.engineers, want_eng, &new_eng);
	if (!err)
		err = add_zones(&m, dir, c.zones, want_zones, c.max_zone + 1, &new_zones);
	if (!err)
		err = add_grants(&m, c.grants, want_grants, new_eng, new_zones, c.max_zone + 1);
	if (!err && new_eng)
		err = forget_subjects();
	if (err) {
		fprintf(stderr, "scale: %s\n", strerror(-err));
		return 1;
	}
	if (count_all(&m, &c))
		return 1;
	printf("scale engineers=%ld zones=%ld grants=%ld\n", c.engineers, c.zones, c.grants);
	return 0;
}

int main(int argc, char **argv)
{
	int err;

	if (argc == 2 && !strcmp(argv[1], "--memory"))
		return map_memory();
	if (argc == 4 && !strcmp(argv[1], "--dirs")) {
		err = make_dirs(argv[2], atol(argv[3]));
		if (err)
			fprintf(stderr, "scale: %s: %s\n", argv[2], strerror(-err));
		return !!err;
	}
	if (argc != 5) {
		fprintf(stderr, "usage: scale DIR ENGINEERS ZONES GRANTS | scale --memory | "
				"scale --dirs DIR N\n");
		return 2;
	}
	return fill(argv[1], atol(argv[2]), atol(argv[3]), atol(argv[4]));
}
