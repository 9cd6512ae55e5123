/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the guard keeps a root engineer from changing besides the zones:
 * lockbox's own programs and what they load, what lockbox runs (the notify
 * command), the identity sources it trusts, its config, database and socket,
 * and the places of all these and of the zones in the tree.
 */
#ifndef SELF_PROTECT_H
#define SELF_PROTECT_H

#include <stddef.h>
#include "vec.h"

struct config;
struct guard;

/* Zeroed, it is empty. v and n read the vec as the array of paths it holds. */
struct self_paths {
	union {
		struct vec paths; /* of char *, each malloc'ed, no two the same */
		struct {
			char **v;
			size_t n;
		};
	};
};

/*
 * The paths to protect for @cfg (loaded from @config_path, NULL for the
 * embedded default): fixed system files, this program and lockboxctl, every
 * file this process has mapped and the names that lead to them, the notify
 * command's program, the socket, database and config with their folders, and
 * the config's protected_paths. Returns 0 or -ENOMEM.
 */
int self_paths_collect(const struct config *cfg, const char *config_path, struct self_paths *out);
void self_paths_free(struct self_paths *p);

/*
 * Writes the protection of @p and of the zone roots into the guard, under
 * sync generation @gen: each existing path is write-protected by inode, each
 * name is protected whether or not it exists, each path and zone root is
 * pinned with its ancestors; what an earlier sync added and this one did not
 * is dropped. Returns 0 or the first negative errno (with the path in @failed).
 */
int self_protect_apply(struct guard *g, const struct self_paths *p, const struct config *cfg,
		       unsigned gen, const char **failed);

#endif
