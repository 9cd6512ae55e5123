// SPDX-License-Identifier: GPL-2.0-only
/* The block devices beneath the zones, from sysfs, into the guard's pinned maps. */
#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "errbuf.h"
#include "blockdevs.h"
#include "lockbox.h"

#define KDEV(maj, min) (((__u32)(maj) << 20) | (__u32)(min))
#define KDEV_ANY_MINOR 0xfffffu /* devices.bpf.h: a passthru key for every minor */
#define PASSTHRU_MAX   16

static bool have(const __u32 *set, size_t n, __u32 v)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == v)
			return true;
	return false;
}

static int add(__u32 *out, size_t *n, size_t max, __u32 v)
{
	if (have(out, *n, v))
		return 0;
	if (*n >= max)
		return -E2BIG;
	out[(*n)++] = v;
	return 0;
}

/* The device number in <@dir>/dev ("MAJ:MIN\n"), kernel encoding. */
static int read_dev(int dirfd, const char *dir, __u32 *out)
{
	char path[PATH_MAX], buf[32];
	unsigned int maj, min;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "%s/dev", dir);
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -EINVAL;
	buf[len] = 0;
	if (sscanf(buf, "%u:%u", &maj, &min) != 2)
		return -EINVAL;
	*out = KDEV(maj, min);
	return 0;
}

/* Every device listed in <@dir>/@sub (holders or slaves): symlinks to their sysfs dirs. */
static int add_listed(int dirfd, const char *dir, const char *sub, __u32 *out, size_t *n,
		      size_t max)
{
	char path[PATH_MAX];
	struct dirent *de;
	int fd, err = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while (!err && (de = readdir(d))) {
		__u32 dev;

		if (de->d_name[0] == '.')
			continue;
		if (read_dev(fd, de->d_name, &dev) == 0)
			err = add(out, n, max, dev);
	}
	closedir(d);
	return err;
}

int blockdevs_find(const char *sysfs, dev_t dev, __u32 *out, size_t *n, size_t max)
{
	size_t start = *n;
	int err;

	if (major(dev) == 0)
		return 0; /* an anonymous device: no block device beneath */
	err = add(out, n, max, KDEV(major(dev), minor(dev)));
	/* breadth first over what is found: each device's disk, holders and slaves */
	for (size_t i = start; !err && i < *n; i++) {
		char link[PATH_MAX], dir[PATH_MAX], part[PATH_MAX + 16];
		__u32 parent;

		snprintf(link, sizeof(link), "%s/dev/block/%u:%u", sysfs, out[i] >> 20,
			 out[i] & KDEV_ANY_MINOR);
		if (!realpath(link, dir))
			continue; /* gone meanwhile */
		/* a partition's directory sits in its whole disk's */
		snprintf(part, sizeof(part), "%s/partition", dir);
		if (access(part, F_OK) == 0) {
			snprintf(part, sizeof(part), "%s/..", dir);
			if (read_dev(AT_FDCWD, part, &parent) == 0)
				err = add(out, n, max, parent);
		}
		if (!err)
			err = add_listed(AT_FDCWD, dir, "holders", out, n, max);
		if (!err)
			err = add_listed(AT_FDCWD, dir, "slaves", out, n, max);
	}
	return err;
}

size_t blockdevs_passthru_majors(const char *proc_devices, __u32 *majors, size_t max)
{
	static const char *const names[] = {"bsg", "nvme-generic", "nvme", "vfio", "uio", NULL};
	const char *p = strstr(proc_devices, "Character devices:");
	const char *end;
	size_t n = 0;

	if (!p)
		return 0;
	end = strstr(p, "Block devices:");
	while ((p = strchr(p, '\n')) && (!end || p < end) && n < max) {
		char name[64];
		unsigned int maj;

		p++;
		if (sscanf(p, " %u %63s", &maj, name) != 2)
			continue;
		for (int i = 0; names[i]; i++)
			if (!strcmp(name, names[i]) && !have(majors, n, maj))
				majors[n++] = maj;
	}
	return n;
}

static int read_text(const char *path, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (got < size - 1 && (len = read(fd, buf + got, size - 1 - got)) > 0)
		got += len;
	close(fd);
	buf[got] = 0;
	return 0;
}

static int pinned(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", LB_PIN_DIR, name);
	return bpf_obj_get(path);
}

/* LB_ZONE_GUARD entries of zone_blkdevs that @devs no longer holds. */
static int prune(int fd, const __u32 *devs, size_t n)
{
	__u32 key, next, *prev = NULL, zone;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &zone) == 0 && zone == LB_ZONE_GUARD &&
		    !have(devs, n, key)) {
			if (bpf_map_delete_elem(fd, &key) < 0 && errno != ENOENT)
				return -errno;
			prev = NULL; /* deleting restarts the walk */
		}
	}
	return 0;
}

static int sync_passthru(void)
{
	char text[8192];
	__u32 majors[PASSTHRU_MAX], one = 1;
	size_t n;
	int fd, err = read_text("/proc/devices", text, sizeof(text));

	if (err)
		return err;
	fd = pinned("passthru");
	if (fd < 0)
		return -errno;
	n = blockdevs_passthru_majors(text, majors, PASSTHRU_MAX);
	for (size_t i = 0; i < n && !err; i++) {
		__u32 key = KDEV(majors[i], KDEV_ANY_MINOR);

		if (bpf_map_update_elem(fd, &key, &one, BPF_ANY) < 0)
			err = -errno;
	}
	close(fd);
	return err;
}

int blockdevs_sync(const char *const *paths, size_t n_paths, size_t *found, char *err,
		   size_t errlen)
{
	__u32 devs[BLOCKDEVS_MAX], zone = LB_ZONE_GUARD;
	size_t n = 0;
	int fd = -1, ret = 0;
	struct stat st;

	for (size_t i = 0; i < n_paths; i++) {
		if (stat(paths[i], &st) < 0)
			continue; /* the zone sync reports missing roots */
		ret = blockdevs_find("/sys", st.st_dev, devs, &n, BLOCKDEVS_MAX);
		if (ret) {
			seterr(err, errlen, "devices beneath %s: %s", paths[i], strerror(-ret));
			return ret;
		}
	}
	fd = pinned("zone_blkdevs");
	if (fd < 0) {
		ret = -errno;
		seterr(err, errlen, "cannot open the zone_blkdevs map: %s", strerror(errno));
		return ret;
	}
	for (size_t i = 0; i < n; i++) {
		/* a zone's own "devices" entry keeps its zone (and the grants that open it) */
		if (bpf_map_update_elem(fd, &devs[i], &zone, BPF_NOEXIST) < 0 && errno != EEXIST) {
			ret = -errno;
			seterr(err, errlen, "cannot guard block device %u:%u: %s", devs[i] >> 20,
			       devs[i] & KDEV_ANY_MINOR, strerror(errno));
			goto out;
		}
	}
	ret = prune(fd, devs, n);
	if (ret) {
		seterr(err, errlen, "cannot remove old block devices: %s", strerror(-ret));
		goto out;
	}
	ret = sync_passthru();
	if (ret)
		seterr(err, errlen, "cannot guard the passthrough devices: %s", strerror(-ret));
	if (found)
		*found = n;
out:
	close(fd);
	return ret;
}
