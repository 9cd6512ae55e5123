// SPDX-License-Identifier: GPL-2.0-only
/* lockboxctl: files, decides and inspects access requests through the local lockboxd. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ctl_args.h"
#include "ctl_conn.h"
#include "ctl_run.h"

int main(int argc, char **argv)
{
	struct ctl_cmdline cl;
	char err[1024], path[PATH_MAX];
	uid_t peer = 0;
	int fd, ret;

	if (ctl_args_parse(argc, argv, &cl, err, sizeof(err))) {
		const char *cmd = ctl_cmd_name(cl.req.cmd);

		ctl_fail(&cl, stdout, stderr, LB_EXIT_USAGE, "usage", "%s", err);
		fprintf(stderr, "Try 'lockboxctl %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
		return LB_EXIT_USAGE;
	}
	if (cl.version) {
		printf("lockboxctl %s (protocol %d)\n", LOCKBOX_VERSION, LB_PROTO_VERSION);
		return LB_EXIT_OK;
	}
	if (cl.help) {
		ctl_usage(stdout, cl.req.cmd);
		return LB_EXIT_OK;
	}
	if (ctl_socket_path(cl.socket, getenv("LOCKBOX_SOCKET"), CTL_DEFAULT_CONFIG, path,
			    sizeof(path))) {
		return ctl_fail(&cl, stdout, stderr, LB_EXIT_ERROR, "error",
				"socket path too long: %s", path);
	}
	fd = ctl_connect(path);
	if (fd < 0) {
		return ctl_fail(&cl, stdout, stderr, LB_EXIT_ERROR, "error",
				"cannot connect to %s: %s; is lockboxd running? "
				"(systemctl status lockboxd)",
				path, strerror(-fd));
	}
	ret = ctl_peer_check(fd, 0, &peer);
	if (ret) {
		close(fd);
		if (ret == -EPERM)
			return ctl_fail(&cl, stdout, stderr, LB_EXIT_ERROR, "error",
					"%s is served by uid %u, not root: that is not lockboxd; "
					"refusing to talk to it",
					path, (unsigned)peer);
		return ctl_fail(&cl, stdout, stderr, LB_EXIT_ERROR, "error",
				"cannot tell who serves %s: %s", path, strerror(-ret));
	}
	ret = ctl_run(&cl, fd, stdout, stderr);
	close(fd);
	/* a full disk or a closed pipe must not look like success */
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "lockboxctl: cannot write the output\n");
		return LB_EXIT_ERROR;
	}
	return ret;
}
