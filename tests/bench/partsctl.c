// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest benchmark helper: attaches the building-block programs
 * (tests/bench/parts.bpf.c) with their own, unpinned copies of the guard's
 * maps, fills those as the guard's would be for the measured cases, runs a
 * command, and detaches.
 *
 *   partsctl ZONE_DIR CMD [ARGS...]
 *
 * Engineers 2001 and 2002 (hash and bitmap), ZONE_DIR as zone 1 with its
 * filesystem in zone_devs, and a read-write grant for 2001 on zone 1. The event
 * ring buffer is large and never read (see below).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "loader.h"
#include "lockbox.h"
#include "parts.skel.h"

#define EVENTS_BYTES (32u << 20) /* ~97,000 records: the parts runs write ~20,000 */

static int fill(struct parts_bpf *p, const char *zone_dir)
{
	__u32 uids[] = {2001, 2002}, one = 1, zone = 1;
	struct lb_grant_key gk = {.uid = 2001, .zone = 1};
	struct lb_grant g = {.id = 7, .access = LB_ACCESS_READ | LB_ACCESS_WRITE};
	struct lb_zone_key zk;
	struct timespec now;
	struct stat st;
	__u64 dev;

	if (stat(zone_dir, &st) < 0)
		return -errno;
	dev = lb_kernel_dev(st.st_dev);
	zk.dev = dev;
	zk.ino = st.st_ino;
	clock_gettime(CLOCK_BOOTTIME, &now);
	g.expires_ns = (now.tv_sec + 36000) * 1000000000ull;
	for (int i = 0; i < 2; i++) {
		__u32 w = uids[i] >> 6;
		__u64 bits = 0;

		if (bpf_map_update_elem(bpf_map__fd(p->maps.engineers), &uids[i], &one, 0))
			return -errno;
		bpf_map_lookup_elem(bpf_map__fd(p->maps.engineer_bits), &w, &bits);
		bits |= 1ull << (uids[i] & 63);
		if (bpf_map_update_elem(bpf_map__fd(p->maps.engineer_bits), &w, &bits, 0))
			return -errno;
	}
	if (bpf_map_update_elem(bpf_map__fd(p->maps.zone_devs), &dev, &one, 0) ||
	    bpf_map_update_elem(bpf_map__fd(p->maps.zones), &zk, &zone, 0) ||
	    bpf_map_update_elem(bpf_map__fd(p->maps.grants), &gk, &g, 0))
		return -errno;
	return 0;
}

int main(int argc, char **argv)
{
	struct parts_bpf *p;
	struct bpf_map *m;
	int status = 1, err;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: partsctl ZONE_DIR CMD [ARGS...]\n");
		return 2;
	}
	p = parts_bpf__open();
	if (!p) {
		fprintf(stderr, "partsctl: cannot open the programs: %s\n", strerror(errno));
		return 1;
	}
	/* private maps: never the pinned guard's */
	bpf_object__for_each_map (m, p->obj)
		bpf_map__set_pin_path(m, NULL);
	/*
	 * Discarded records stay in a ring buffer until read. Nothing reads this one: a
	 * reader woken per record would bill its wake-ups to the programs. Room for every
	 * event of a run instead.
	 */
	err = bpf_map__set_max_entries(p->maps.events, EVENTS_BYTES);
	if (!err)
		err = parts_bpf__load(p);
	if (!err)
		err = fill(p, argv[1]);
	if (!err)
		err = parts_bpf__attach(p);
	if (err) {
		fprintf(stderr, "partsctl: cannot set up the programs: %s\n", strerror(-err));
		goto out;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("partsctl: fork");
		goto out;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "partsctl: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("partsctl: waitpid");
		status = 1;
		goto out;
	}
	status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	parts_bpf__destroy(p);
	return status;
}
