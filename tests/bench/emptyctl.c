// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest benchmark helper: attaches the empty LSM programs (tests/bench/empty.bpf.c)
 * through their skeleton, runs a command while they are attached, and detaches.
 * Programs for hooks the running kernel lacks are left out, as the guard's are.
 *
 *   emptyctl CMD [ARGS...]
 *
 * Exit status: the command's; 1 when the programs do not load or attach.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "empty.skel.h"

/* Hooks this kernel lacks are not loaded: the guard's loader skips them the same way. */
static void skip_missing_hooks(struct empty_bpf *skel)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	struct bpf_program *prog;
	char fn[96];

	if (libbpf_get_error(vmlinux))
		return;
	bpf_object__for_each_program (prog, skel->obj) {
		snprintf(fn, sizeof(fn), "bpf_lsm_%s",
			 bpf_program__section_name(prog) + strlen("lsm/"));
		if (btf__find_by_name_kind(vmlinux, fn, BTF_KIND_FUNC) <= 0)
			bpf_program__set_autoload(prog, false);
	}
	btf__free(vmlinux);
}

int main(int argc, char **argv)
{
	struct empty_bpf *skel;
	int status = 1, err;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: emptyctl CMD [ARGS...]\n");
		return 2;
	}
	skel = empty_bpf__open();
	if (!skel) {
		fprintf(stderr, "emptyctl: cannot open the empty programs: %s\n", strerror(errno));
		return 1;
	}
	skip_missing_hooks(skel);
	err = empty_bpf__load(skel);
	if (!err)
		err = empty_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "emptyctl: cannot load or attach the empty programs: %s\n",
			strerror(-err));
		goto out;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("emptyctl: fork");
		goto out;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "emptyctl: %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("emptyctl: waitpid");
		status = 1;
		goto out;
	}
	status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	empty_bpf__destroy(skel); /* detaches: the links die with the skeleton */
	return status;
}
