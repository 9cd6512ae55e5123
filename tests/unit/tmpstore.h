/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host tests' stores in a temp dir of their own: the including test defines
 * `static char tmpdir[] = "/tmp/NAME.XXXXXX"` (and mkdtemp()s it) first.
 */
#ifndef TMPSTORE_H
#define TMPSTORE_H

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include "store.h"

/* A store at @name in tmpdir, or NULL with store_open()'s reason printed as a TAP comment. */
static inline struct store *tmp_store(const char *name)
{
	char path[256], err[512] = "";
	struct store *s = NULL;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if (store_open(path, &s, err, sizeof(err)))
		printf("# store_open(%s): %s\n", path, err);
	return s;
}

static inline int tmp_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* tmpdir and all it holds. */
static inline void tmp_remove(void)
{
	nftw(tmpdir, tmp_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif /* TMPSTORE_H */
