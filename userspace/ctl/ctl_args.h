/* SPDX-License-Identifier: GPL-2.0-only */
/* lockboxctl's command line, turned into the request it will send. */
#ifndef CTL_ARGS_H
#define CTL_ARGS_H

#include <stdbool.h>
#include <stdio.h>
#include "protocol.h"

struct ctl_cmdline {
	const char *socket; /* --socket PATH, or NULL for the default */
	bool help;	    /* -h/--help: print the usage of req.cmd (CMD_MAX: of lockboxctl) */
	bool version;	    /* --version */
	bool json;	    /* --json: results, and errors, as JSON on stdout */
	bool wait;	    /* request --wait: then wait for the decision */
	bool is_signed;	    /* revoke --signed STATEMENT SIG */
	struct proto_req req;
};

/*
 * Parses argv (argv[0] is the program) into *out, with every value checked the way the agent
 * will check it. Returns 0, or -EINVAL with err naming the option or argument that is wrong:
 * "request: missing --reason", "--duration: invalid duration 'x' (...)".
 * With -h/--help or --version anywhere it applies, returns 0 with out->help/version set.
 */
int ctl_args_parse(int argc, char *const argv[], struct ctl_cmdline *out, char *err, size_t errlen);

/* A command as typed: "request", "audit verify"; NULL for CMD_MAX. */
const char *ctl_cmd_name(enum proto_cmd cmd);

/* The usage of one command, or with CMD_MAX the summary of all of them. */
void ctl_usage(FILE *f, enum proto_cmd cmd);

#endif /* CTL_ARGS_H */
