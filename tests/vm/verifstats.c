// SPDX-License-Identifier: GPL-2.0-only
/*
 * verifstats: loads the guard's programs on fresh maps (nothing attached, no
 * pin touched) with the verifier's statistics on, and prints per program the
 * instructions the verifier processed, its time and the program's size, then
 * a TOTAL line. A full agent start pays this; a restart of the same build
 * does not (build_stamp.h).
 *   verifstats [PROG]   PROG: also print that program's whole verifier log
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "lockbox.h" /* before the skeleton: its .bss is a struct lb_caches */
#include "guard.skel.h"
#include "loader.h"

#define LOG_SIZE (4 << 20)

/* "processed N insns" and "verification time N usec" from a log_level 4 log: -1 if absent */
static long stat_of(const char *log, const char *what)
{
	const char *p = strstr(log, what);

	return p ? atol(p + strlen(what)) : -1;
}

int main(int argc, char **argv)
{
	const char *full = argc > 1 ? argv[1] : NULL;
	struct guard_bpf *skel = guard_bpf__open();
	struct bpf_program *prog;
	long insns = 0, usec = 0;
	int ret;

	if (!skel) {
		fprintf(stderr, "verifstats: cannot open the guard\n");
		return 1;
	}
	guard_skip_missing_hooks(skel);
	bpf_object__for_each_program (prog, skel->obj) {
		bool whole = full && !strcmp(full, bpf_program__name(prog));

		bpf_program__set_log_buf(prog, calloc(1, LOG_SIZE), LOG_SIZE);
		bpf_program__set_log_level(prog, whole ? 1 | 4 : 4);
	}
	ret = guard_bpf__load(skel);
	bpf_object__for_each_program (prog, skel->obj) {
		size_t len;
		const char *log = bpf_program__log_buf(prog, &len);
		long n = stat_of(log, "processed "), t = stat_of(log, "verification time ");

		if (!bpf_program__autoload(prog))
			continue;
		if (full && !strcmp(full, bpf_program__name(prog)))
			printf("%s\n", log);
		printf("%-28s %8ld insns %10ld usec %6zu size\n", bpf_program__name(prog), n, t,
		       bpf_program__insn_cnt(prog));
		insns += n;
		usec += t;
	}
	printf("TOTAL %ld insns %ld usec%s\n", insns, usec, ret ? " (a program was refused)" : "");
	guard_bpf__destroy(skel);
	return ret ? 1 : 0;
}
