/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What `lockboxd --check-config` checks beyond parsing: the things start (or
 * the first request) would fail on, on this machine, all of them at once.
 */
#ifndef CONFIG_CHECK_H
#define CONFIG_CHECK_H

#include <stdio.h>
#include "config.h"

/*
 * Writes one line per problem to @report, each starting with its key path
 * ("notify.command: ...", "zones[0].approvers: ..."); returns how many.
 */
int config_check(const struct config *c, FILE *report);

#endif /* CONFIG_CHECK_H */
