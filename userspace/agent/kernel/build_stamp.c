// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <openssl/evp.h>
#include "build_stamp.h"

int build_stamp_of(const void *obj, size_t len, unsigned char out[BUILD_STAMP_LEN])
{
	unsigned int n = 0;

	if (!EVP_Digest(obj, len, out, &n, EVP_sha256(), NULL) || n != BUILD_STAMP_LEN)
		return -EIO;
	return 0;
}

static void stamp_path(const char *dir, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", dir, BUILD_STAMP_PIN);
}

bool build_stamp_matches(const char *dir, const unsigned char stamp[BUILD_STAMP_LEN])
{
	unsigned char have[BUILD_STAMP_LEN];
	char path[256];
	__u32 key = 0;
	int fd, ret;

	stamp_path(dir, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	ret = bpf_map_lookup_elem(fd, &key, have);
	close(fd);
	return ret == 0 && memcmp(have, stamp, BUILD_STAMP_LEN) == 0;
}

/* The pinned stamp map, created and pinned if there is none. */
static int stamp_map(const char *path)
{
	int fd = bpf_obj_get(path);

	if (fd >= 0)
		return fd;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "lb_build_stamp", sizeof(__u32), BUILD_STAMP_LEN, 1,
			    NULL);
	if (fd < 0)
		return -errno;
	if (bpf_obj_pin(fd, path) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int build_stamp_set(const char *dir, const unsigned char stamp[BUILD_STAMP_LEN])
{
	unsigned char none[BUILD_STAMP_LEN] = {0};
	char path[256];
	__u32 key = 0;
	int fd, ret = 0;

	stamp_path(dir, path, sizeof(path));
	if (!stamp && access(path, F_OK) < 0)
		return 0; /* nothing to clear */
	fd = stamp_map(path);
	if (fd < 0)
		return fd;
	if (bpf_map_update_elem(fd, &key, stamp ? stamp : none, BPF_ANY) < 0)
		ret = -errno;
	close(fd);
	return ret;
}
