// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include "loginuid.h"

int loginuid_lock(void)
{
	struct {
		struct nlmsghdr nh;
		struct audit_features f;
	} req = {0};
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr e;
	} ack;
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	struct timeval tv = {.tv_sec = 2};
	ssize_t n;
	int fd, err = 0;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.f));
	req.nh.nlmsg_type = AUDIT_SET_FEATURE;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.nh.nlmsg_seq = 1;
	req.f.vers = AUDIT_FEATURE_VERSION;
	req.f.mask = AUDIT_FEATURE_TO_MASK(AUDIT_FEATURE_LOGINUID_IMMUTABLE);
	req.f.features = req.f.mask;
	/* locked: not even root can turn it off again before the next boot */
	req.f.lock = req.f.mask;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		err = -errno;
		goto out;
	}
	n = recv(fd, &ack, sizeof(ack), 0);
	if (n < 0)
		err = -errno;
	else if (n >= (ssize_t)sizeof(ack) && ack.nh.nlmsg_type == NLMSG_ERROR)
		err = ack.e.error; /* 0 is the ack */
out:
	close(fd);
	return err;
}
