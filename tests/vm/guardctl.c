// SPDX-License-Identifier: GPL-2.0-only
/* Test helper for the guest: drives the loader module directly, without the agent. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "build_stamp.h"
#include "kevent.h"
#include "loader.h"

static int usage(void)
{
	fprintf(stderr, "usage: guardctl load | unpin | links | maps | permissive 0|1 | counters\n"
			"       guardctl engineer add|del UID\n"
			"       guardctl zone add PATH ID | zone del PATH\n"
			"       guardctl grant add UID ZONE r|w|rw SECONDS [ID] | grant del UID "
			"ZONE | grants\n"
			"       guardctl events MAX TIMEOUT_MS\n"
			"       guardctl subjects unmark UID | pin-odd=NAME | stamp-other\n");
	return 2;
}

static int print_event(void *ctx, void *data, size_t len)
{
	const struct lb_event *e = data;
	int *left = ctx;

	char path[2 * LB_PATH_LEN] = "";

	if (len < sizeof(*e))
		return 0;
	kevent_path(e, "<root>", path, sizeof(path));
	printf("op=%s verdict=%s reason=%s uid=%u loginuid=%d engineer=%u zone=%u grant=%llu "
	       "access=%u count=%u%s pid=%u comm=%.*s path=%s\n",
	       kevent_op_name(e->op), kevent_verdict_name(e->verdict),
	       kevent_reason_name(e->reason), e->uid, (int)e->loginuid, e->engineer, e->zone,
	       (unsigned long long)e->grant_id, e->access, e->count,
	       e->flags & LB_EVENT_REPEATS ? " repeats" : "", e->pid, LB_COMM_LEN, e->comm, path);
	fflush(stdout);
	return --*left > 0 ? 0 : -EAGAIN; /* negative: libbpf stops consuming */
}

static int events(struct guard *g, int max, int timeout_ms)
{
	struct ring_buffer *rb = ring_buffer__new(guard_events_fd(g), print_event, &max, NULL);
	struct timespec t0, t;
	int err = 0;

	if (!rb)
		return -errno;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (max > 0) {
		err = ring_buffer__poll(rb, 100);
		/* allowed accesses are submitted without a wake-up: read them anyway */
		if (err == 0)
			err = ring_buffer__consume(rb);
		if (err < 0 && err != -EINTR && err != -EAGAIN)
			break;
		err = 0;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > timeout_ms)
			break;
	}
	ring_buffer__free(rb);
	return err;
}

/* "HOOK PROG_ID" per pinned link: an upgrade shows new program ids under the same pins. */
static int print_links(void)
{
	const char *const *h = guard_hooks();

	for (; *h; h++) {
		struct bpf_link_info info = {0};
		__u32 len = sizeof(info);
		char path[256];
		int fd;

		snprintf(path, sizeof(path), "%s/link_%s", LB_PIN_DIR, *h);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			printf("%s missing\n", *h);
			continue;
		}
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			printf("%s %u\n", *h, info.prog_id);
		close(fd);
	}
	return 0;
}

static __u32 access_of(const char *s)
{
	__u32 a = 0;

	if (strchr(s, 'r'))
		a |= LB_ACCESS_READ;
	if (strchr(s, 'w'))
		a |= LB_ACCESS_WRITE;
	return a;
}

static int print_counters(struct guard *g)
{
	__u64 c[LB_CNT_MAX];
	int err = guard_counters(g, c);

	if (!err)
		printf("events_lost=%llu depth_denied=%llu nolog_denied=%llu\n",
		       (unsigned long long)c[0], (unsigned long long)c[1],
		       (unsigned long long)c[2]);
	return err;
}

/* "UID ZONE ID EXPIRES_NS ACCESS", one line per grant in the kernel */
static int print_grant(const struct lb_grant_key *k, const struct lb_grant *v, void *ctx)
{
	printf("%u %u %llu %llu %u\n", k->uid, k->zone, (unsigned long long)v->id,
	       (unsigned long long)v->expires_ns, v->access);
	return 0;
}

/*
 * "subjects unmark UID": what two racing stores can leave in a subjects slot,
 * made on purpose. Each slot caching engineer UID by its login uid gets its
 * cred word unmarked, so the engineer's cred stands beside the engineer's word
 * as if a no-engineer store for the same cred had written the cred last.
 */
static int subjects_unmark(struct guard *g, __u32 uid)
{
	struct lb_caches *c = guard_caches(g);
	int n = 0;

	if (!c)
		return -errno;
	for (size_t i = 0; i < LB_SUBJECT_SLOTS; i++) {
		struct lb_subject_slot *s = &c->subjects.slot[i];

		if (s->loginuid == uid && s->engineer == uid && s->cred & LB_SUBJECT_ENGINEER) {
			__atomic_store_n(&s->cred, s->cred & ~(__u64)LB_SUBJECT_ENGINEER,
					 __ATOMIC_RELAXED);
			n++;
		}
	}
	printf("%d\n", n);
	return 0;
}

/* The commands on an already pinned guard: 0, -errno, or 1 for a command not known. */
static int on_pinned(struct guard *g, int argc, char **argv)
{
	if (!strcmp(argv[1], "permissive") && argc == 3)
		return guard_set_config(g, atoi(argv[2]) ? LB_MODE_PERMISSIVE : LB_MODE_ENFORCE, 0,
					0);
	if (!strcmp(argv[1], "subjects") && argc == 4 && !strcmp(argv[2], "unmark"))
		return subjects_unmark(g, strtoul(argv[3], NULL, 10));
	if (!strcmp(argv[1], "counters"))
		return print_counters(g);
	if (!strcmp(argv[1], "engineer") && argc == 4 && !strcmp(argv[2], "add"))
		return guard_engineer_add(g, strtoul(argv[3], NULL, 10));
	if (!strcmp(argv[1], "engineer") && argc == 4 && !strcmp(argv[2], "del"))
		return guard_engineer_del(g, strtoul(argv[3], NULL, 10));
	if (!strcmp(argv[1], "zone") && argc == 5 && !strcmp(argv[2], "add"))
		return guard_zone_add(g, argv[3], strtoul(argv[4], NULL, 10));
	if (!strcmp(argv[1], "zone") && argc == 4 && !strcmp(argv[2], "del"))
		return guard_zone_del(g, argv[3]);
	if (!strcmp(argv[1], "grant") && argc >= 7 && !strcmp(argv[2], "add"))
		return guard_grant_put(g, strtoul(argv[3], NULL, 10), strtoul(argv[4], NULL, 10),
				       argc > 7 ? strtoull(argv[7], NULL, 10) : 1,
				       access_of(argv[5]), time(NULL) + atol(argv[6]));
	if (!strcmp(argv[1], "grant") && argc == 5 && !strcmp(argv[2], "del"))
		return guard_grant_del(g, strtoul(argv[3], NULL, 10), strtoul(argv[4], NULL, 10));
	if (!strcmp(argv[1], "grants") && argc == 2)
		return guard_grants_foreach(g, print_grant, NULL);
	if (!strcmp(argv[1], "events") && argc == 4)
		return events(g, atoi(argv[2]), atoi(argv[3]));
	return 1;
}

/*
 * "pin-odd=NAME": a map of another layout pinned as LB_PIN_DIR/NAME, as a guard
 * of another lockbox version leaves it, for the next load to refuse by name.
 */
static int pin_odd(const char *name)
{
	char path[256];
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "lb_odd", 4, 4, 1, NULL), err = 0;

	if (fd < 0)
		return -errno;
	mkdir(LB_PIN_DIR, 0700);
	snprintf(path, sizeof(path), "%s/%s", LB_PIN_DIR, name);
	if (bpf_obj_pin(fd, path) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Commands that need no pinned guard; 2 when @cmd is not one of them. */
static int without_pins(const char *cmd)
{
	struct guard *g = NULL;
	char err[512];

	if (!strcmp(cmd, "load")) {
		if (guard_load(&g, err, sizeof(err))) {
			fprintf(stderr, "guardctl: %s\n", err);
			return 1;
		}
		printf("%s\n", guard_kept_running(g) ? "kept" : "loaded");
		guard_close(g);
		return 0;
	}
	if (!strcmp(cmd, "unpin"))
		return guard_unpin() ? 1 : 0;
	if (!strcmp(cmd, "links"))
		return print_links();
	if (!strncmp(cmd, "pin-odd=", 8))
		return pin_odd(cmd + 8) ? 1 : 0;
	if (!strcmp(cmd, "stamp-other")) {
		/* the running programs then count as another build's, as before an upgrade */
		unsigned char other[BUILD_STAMP_LEN];

		memset(other, 0xab, sizeof(other));
		return build_stamp_set(LB_PIN_DIR, other) ? 1 : 0;
	}
	if (!strcmp(cmd, "maps")) {
		for (const char *const *m = guard_map_names(); *m; m++)
			printf("%s\n", *m);
		return 0;
	}
	return 2;
}

int main(int argc, char **argv)
{
	struct guard *g = NULL;
	int err;

	if (argc < 2)
		return usage();
	err = without_pins(argv[1]);
	if (err != 2)
		return err;
	err = guard_open_pinned(&g);
	if (err) {
		fprintf(stderr, "guardctl: no pinned guard under %s: %s\n", LB_PIN_DIR,
			strerror(-err));
		return 1;
	}
	err = on_pinned(g, argc, argv);
	guard_close(g);
	if (err == 1)
		return usage();
	if (err) {
		fprintf(stderr, "guardctl %s: %s\n", argv[1], strerror(-err));
		return 1;
	}
	return 0;
}
