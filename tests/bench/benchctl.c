// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest benchmark helper, run as root:
 *   benchctl stats PREFIX   one line per loaded BPF program whose name starts with
 *                           PREFIX: "prog NAME run_cnt=N run_time_ns=N" (the
 *                           kernel's counters, live while kernel.bpf_stats_enabled=1)
 *   benchctl drain          empties the guard's event ring buffer without printing
 *                           it; prints "drained N"
 *   benchctl follow         reads the guard's events as they come, like the agent
 *                           (woken per event), discarding them, until killed
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "lockbox.h"

static int stats(const char *prefix)
{
	__u32 id = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = {0};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue; /* gone since the id was listed */
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    !strncmp(info.name, prefix, strlen(prefix)))
			printf("prog %s run_cnt=%llu run_time_ns=%llu\n", info.name,
			       (unsigned long long)info.run_cnt,
			       (unsigned long long)info.run_time_ns);
		close(fd);
	}
	return errno == ENOENT ? 0 : -errno;
}

static int count_event(void *ctx, void *data, size_t len)
{
	(*(long *)ctx)++;
	return 0;
}

static int drain(bool follow)
{
	struct ring_buffer *rb;
	long n = 0;
	int fd = bpf_obj_get(LB_PIN_DIR "/events"), err;

	if (fd < 0)
		return -errno;
	rb = ring_buffer__new(fd, count_event, &n, NULL);
	if (!rb) {
		err = -errno;
		close(fd);
		return err;
	}
	do
		err = follow ? ring_buffer__poll(rb, 1000) : ring_buffer__consume(rb);
	while (follow && (err >= 0 || err == -EINTR));
	ring_buffer__free(rb);
	close(fd);
	if (err < 0)
		return err;
	printf("drained %ld\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	int err;

	if (argc == 3 && !strcmp(argv[1], "stats"))
		err = stats(argv[2]);
	else if (argc == 2 && !strcmp(argv[1], "drain"))
		err = drain(false);
	else if (argc == 2 && !strcmp(argv[1], "follow"))
		err = drain(true);
	else {
		fprintf(stderr, "usage: benchctl stats PREFIX | drain | follow\n");
		return 2;
	}
	if (err) {
		fprintf(stderr, "benchctl %s: %s\n", argv[1], strerror(-err));
		return 1;
	}
	return 0;
}
