// SPDX-License-Identifier: GPL-2.0-only
/*
 * escape: the ways a root engineer would try to get out from under the guard.
 * Prints OK or the errno name of the step that was refused.
 *   escape [-u UID] [-l LOGINUID] OP ARGS...
 *   audit-unlock          AUDIT_SET_FEATURE: loginuid_immutable off (alone)
 *   audit-hidden          the same, second in one send after an AUDIT_GET
 *   audit-get             AUDIT_GET (read-only: allowed)
 *   loginuid VALUE        write /proc/self/loginuid
 *   settime               clock_settime(CLOCK_REALTIME) to one day back
 *   tmpfs DIR             mount a tmpfs on DIR
 *   bind SRC DIR          bind-mount SRC on DIR
 *   move SRC DIR          MS_MOVE the mount at SRC to DIR
 *   exchange A B          renameat2(RENAME_EXCHANGE)
 *   rename A B            rename(2)
 *   write PATH            open(O_WRONLY|O_CREAT) and write a line
 *   open PATH             open(O_RDWR) (a terminal, say)
 *   pts                   open a new pty as this user and print its path, then wait
 *   count MAP             how many entries the pinned map MAP holds
 *   zonegen [VALUE]       print (or first set) the guard's zone generation
 *   rlimit PID            prlimit(PID, RLIMIT_NOFILE) down to 4
 *   nice PID              setpriority(PID) to 19
 *   clear MAP             empty the pinned map MAP (to show a test fails without it)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <bpf/bpf.h>
#include "become.h"
#include "lockbox.h"

static int report(long ret)
{
	printf("%s\n", ret < 0 ? strerrorname_np(errno) : "OK");
	return ret < 0 ? 1 : 0;
}

struct feature_msg {
	struct nlmsghdr nh;
	struct audit_features f;
};

/* One netlink send holding @get_first AUDIT_GETs, then AUDIT_SET_FEATURE (or just the GET). */
static int audit_send(int get_first, int set_feature)
{
	struct {
		struct nlmsghdr get;
		struct feature_msg set;
	} buf = {0};
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	char *p = (char *)&buf;
	size_t len = 0;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);

	if (fd < 0)
		return report(-1);
	if (get_first) {
		buf.get.nlmsg_len = NLMSG_LENGTH(0);
		buf.get.nlmsg_type = AUDIT_GET;
		buf.get.nlmsg_flags = NLM_F_REQUEST;
		len = NLMSG_ALIGN(buf.get.nlmsg_len);
	}
	if (set_feature) {
		struct feature_msg *m = (struct feature_msg *)(p + len);

		m->nh.nlmsg_len = NLMSG_LENGTH(sizeof(m->f));
		m->nh.nlmsg_type = AUDIT_SET_FEATURE;
		m->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		m->f.vers = AUDIT_FEATURE_VERSION;
		m->f.mask = AUDIT_FEATURE_TO_MASK(AUDIT_FEATURE_LOGINUID_IMMUTABLE);
		m->f.features = 0;
		len += m->nh.nlmsg_len;
	}
	if (sendto(fd, p, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return report(-1);
	if (set_feature) {
		struct {
			struct nlmsghdr nh;
			struct nlmsgerr e;
		} ack[4];
		ssize_t n;

		/* the answer to the set: an NLMSG_ERROR, 0 when applied */
		for (int i = 0; i < 4; i++) {
			n = recv(fd, &ack[0], sizeof(ack), 0);
			if (n < 0)
				return report(-1);
			if (ack[0].nh.nlmsg_type == NLMSG_ERROR &&
			    ack[0].e.msg.nlmsg_type == AUDIT_SET_FEATURE) {
				errno = -ack[0].e.error;
				return report(ack[0].e.error ? -1 : 0);
			}
		}
	}
	return report(0);
}

static int write_line(const char *path, int flags)
{
	int fd = open(path, flags, 0644);

	if (fd < 0)
		return report(-1);
	if (write(fd, "x\n", 2) != 2)
		return report(-1);
	close(fd);
	return report(0);
}

static int new_pts(void)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY);

	if (fd < 0 || grantpt(fd) < 0 || unlockpt(fd) < 0)
		return report(-1);
	printf("%s\n", ptsname(fd));
	fflush(stdout);
	pause();
	return 0;
}

static int pin(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", LB_PIN_DIR, name);
	return bpf_obj_get(path);
}

static int map_clear(const char *name)
{
	char key[256];
	int fd = pin(name);

	if (fd < 0)
		return report(-1);
	while (bpf_map_get_next_key(fd, NULL, key) == 0)
		if (bpf_map_delete_elem(fd, key) < 0)
			return report(-1);
	return report(0);
}

static int map_count(const char *name)
{
	char key[256], next[256];
	void *prev = NULL;
	int fd = pin(name), n = 0;

	if (fd < 0)
		return report(-1);
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, sizeof(key));
		prev = key;
		n++;
	}
	printf("%d\n", n);
	return 0;
}

static int zone_gen(const char *set)
{
	struct lb_config cfg;
	__u32 zero = 0;
	int fd = pin("guard_config");

	if (fd < 0 || bpf_map_lookup_elem(fd, &zero, &cfg) < 0)
		return report(-1);
	if (set) {
		cfg.zone_gen = strtoull(set, NULL, 0);
		if (bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY) < 0)
			return report(-1);
	}
	printf("%llu\n", (unsigned long long)cfg.zone_gen);
	return 0;
}

int main(int argc, char **argv)
{
	long uid = -1, loginuid = -1;
	const char *op;

	if (identity_opts(argc, argv, &uid, &loginuid) < 0)
		return 2;
	if (optind >= argc)
		return 2;
	op = argv[optind];
	argv += optind + 1;
	argc -= optind + 1;
	if (become(uid, -1, loginuid) < 0) {
		printf("SETUP-%s\n", strerrorname_np(errno));
		return 2;
	}
	if (!strcmp(op, "audit-unlock"))
		return audit_send(0, 1);
	if (!strcmp(op, "audit-hidden"))
		return audit_send(1, 1);
	if (!strcmp(op, "audit-get"))
		return audit_send(1, 0);
	if (!strcmp(op, "settime")) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec -= 86400;
		return report(clock_settime(CLOCK_REALTIME, &ts));
	}
	if (!strcmp(op, "pts"))
		return new_pts();
	if (!strcmp(op, "zonegen"))
		return zone_gen(argc > 0 ? argv[0] : NULL);
	if (argc < 1)
		return 2;
	if (!strcmp(op, "loginuid")) {
		int fd = open("/proc/self/loginuid", O_WRONLY);

		if (fd < 0)
			return report(-1);
		return report(write(fd, argv[0], strlen(argv[0])));
	}
	if (!strcmp(op, "rlimit")) {
		struct rlimit r = {4, 4};

		return report(prlimit(atoi(argv[0]), RLIMIT_NOFILE, &r, NULL));
	}
	if (!strcmp(op, "nice"))
		return report(setpriority(PRIO_PROCESS, atoi(argv[0]), 19));
	if (!strcmp(op, "clear"))
		return map_clear(argv[0]);
	if (!strcmp(op, "count"))
		return map_count(argv[0]);
	if (!strcmp(op, "tmpfs"))
		return report(mount("tmpfs", argv[0], "tmpfs", 0, NULL));
	if (!strcmp(op, "write"))
		return write_line(argv[0], O_WRONLY | O_CREAT | O_APPEND);
	if (!strcmp(op, "open"))
		return report(open(argv[0], O_RDWR | O_NOCTTY));
	if (argc < 2)
		return 2;
	if (!strcmp(op, "bind"))
		return report(mount(argv[0], argv[1], NULL, MS_BIND, NULL));
	if (!strcmp(op, "move"))
		return report(mount(argv[0], argv[1], NULL, MS_MOVE, NULL));
	if (!strcmp(op, "exchange"))
		return report(renameat2(AT_FDCWD, argv[0], AT_FDCWD, argv[1], RENAME_EXCHANGE));
	if (!strcmp(op, "rename"))
		return report(rename(argv[0], argv[1]));
	return 2;
}
