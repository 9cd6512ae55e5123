// SPDX-License-Identifier: GPL-2.0-only
/* BPF guard loader: load, attach, pin, and typed map edits. */
#include <dirent.h>
#include <ftw.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "guard.skel.h"
#include "kernel_fs.h"
#include "loader.h"

#define LINK_PREFIX "link_"

enum {
	M_ENGINEERS,
	M_ENGINEER_BITS,
	M_ZONES,
	M_ZONE_DEVS,
	M_ZONE_BLKDEVS,
	M_GRANTS,
	M_INODE_ZONES,
	M_LINKED,
	M_EVENTS,
	M_COUNTERS,
	M_CONFIG,
	M_PINNED_DIRS,
	M_PROTECTED_NAMES,
	M_NR
};

static const char *const map_names[M_NR] = {
	"engineers",	"engineer_bits", "zones",	    "zone_devs", "zone_blkdevs",
	"grants",	"inode_zones",	 "linked",	    "events",	 "counters",
	"guard_config", "pinned_dirs",	 "protected_names",
};

struct guard {
	struct guard_bpf *skel; /* NULL when opened from pins only */
	int fd[M_NR];
};

/* Filled from the skeleton's programs (section "lsm/<hook>") on first use. */
static char *hooks[128];

/* Whether this kernel has the LSM hook: BPF LSM programs attach to bpf_lsm_<hook>. */
static bool hook_exists(const struct btf *vmlinux, const char *hook)
{
	char fn[96];

	snprintf(fn, sizeof(fn), "bpf_lsm_%s", hook);
	return !vmlinux || btf__find_by_name_kind(vmlinux, fn, BTF_KIND_FUNC) > 0;
}

static const char *prog_hook(const struct bpf_program *prog)
{
	return bpf_program__section_name(prog) + strlen("lsm/");
}

/* Programs for hooks this kernel lacks (added in later kernels) are not loaded. */
static void skip_missing_hooks(struct guard_bpf *skel)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	struct bpf_program *prog;

	if (libbpf_get_error(vmlinux))
		vmlinux = NULL;
	bpf_object__for_each_program (prog, skel->obj) {
		if (!hook_exists(vmlinux, prog_hook(prog)))
			bpf_program__set_autoload(prog, false);
	}
	btf__free(vmlinux);
}

/* Records the hooks @skel will attach on this kernel, once per process. */
static void remember_hooks(struct guard_bpf *skel)
{
	struct bpf_program *prog;
	int n = 0;

	if (hooks[0])
		return;
	bpf_object__for_each_program (prog, skel->obj) {
		if (n < 127 && bpf_program__autoload(prog))
			hooks[n++] = strdup(prog_hook(prog));
	}
}

const char *const *guard_hooks(void)
{
	if (!hooks[0]) {
		/* nothing loaded here (guardctl): open the skeleton just to read it */
		struct guard_bpf *skel = guard_bpf__open();

		if (!skel)
			return (const char *const *)hooks;
		skip_missing_hooks(skel);
		remember_hooks(skel);
		guard_bpf__destroy(skel);
	}
	return (const char *const *)hooks;
}

__u64 lb_kernel_dev(dev_t st_dev)
{
	return ((__u64)major(st_dev) << 20) | minor(st_dev);
}

__u64 lb_wall_to_boot(time_t expires, const struct timespec *now_wall,
		      const struct timespec *now_boot)
{
	__s64 wall_ns = (__s64)now_wall->tv_sec * 1000000000LL + now_wall->tv_nsec;
	__s64 boot_ns = (__s64)now_boot->tv_sec * 1000000000LL + now_boot->tv_nsec;
	__s64 left = (__s64)expires * 1000000000LL - wall_ns;

	if (left <= 0)
		return boot_ns > 0 ? (__u64)boot_ns : 0; /* already expired: now */
	return (__u64)(boot_ns + left);
}

bool lb_lsm_list_has_bpf(const char *list)
{
	const char *p = list;

	while ((p = strstr(p, "bpf"))) {
		bool start = p == list || p[-1] == ',';
		bool end = p[3] == '\0' || p[3] == ',' || p[3] == '\n';

		if (start && end)
			return true;
		p += 3;
	}
	return false;
}

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return 0;
}

/* One line on why this kernel cannot run the guard, or 0 if nothing is known to be wrong. */
static int kernel_check(char *why, size_t len)
{
	char buf[512] = "";
	FILE *f = fopen("/sys/kernel/security/lsm", "re");

	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		snprintf(why, len,
			 "kernel has no BTF (/sys/kernel/btf/vmlinux missing): "
			 "boot a kernel built with CONFIG_DEBUG_INFO_BTF=y");
		return -ENOTSUP;
	}
	if (!f)
		return 0; /* securityfs not mounted: let the load tell */
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	if (!lb_lsm_list_has_bpf(buf)) {
		snprintf(why, len,
			 "BPF LSM is not active: 'bpf' is missing from /sys/kernel/security/lsm "
			 "(\"%s\"); "
			 "add it to the lsm= boot parameter, e.g. lsm=%s%sbpf",
			 buf, buf, buf[0] ? "," : "");
		return -ENOTSUP;
	}
	return 0;
}

static void load_error(int err, char *why, size_t len)
{
	if (err == -EPERM || err == -EACCES)
		snprintf(why, len,
			 "the kernel refused to load the BPF LSM programs (%s): run lockboxd as "
			 "root (CAP_BPF, CAP_SYS_ADMIN), on a kernel booted with bpf in lsm= and "
			 "without lockdown=confidentiality",
			 strerror(-err));
	else
		snprintf(why, len, "failed to load the BPF guard: %s", strerror(-err));
}

static int fds_from_skel(struct guard *g)
{
	struct bpf_map *maps[M_NR] = {
		[M_ENGINEERS] = g->skel->maps.engineers,
		[M_ENGINEER_BITS] = g->skel->maps.engineer_bits,
		[M_ZONES] = g->skel->maps.zones,
		[M_ZONE_DEVS] = g->skel->maps.zone_devs,
		[M_ZONE_BLKDEVS] = g->skel->maps.zone_blkdevs,
		[M_GRANTS] = g->skel->maps.grants,
		[M_INODE_ZONES] = g->skel->maps.inode_zones,
		[M_LINKED] = g->skel->maps.linked,
		[M_EVENTS] = g->skel->maps.events,
		[M_COUNTERS] = g->skel->maps.counters,
		[M_CONFIG] = g->skel->maps.guard_config,
		[M_PINNED_DIRS] = g->skel->maps.pinned_dirs,
		[M_PROTECTED_NAMES] = g->skel->maps.protected_names,
	};

	for (int i = 0; i < M_NR; i++)
		g->fd[i] = bpf_map__fd(maps[i]);
	return 0;
}

/* Pin @link as LB_PIN_DIR/link_<hook>, replacing an older link only once this one is attached. */
static int pin_replace(struct bpf_link *link, const char *hook)
{
	char path[256], tmp[256];
	int err;

	snprintf(path, sizeof(path), "%s/%s%s", LB_PIN_DIR, LINK_PREFIX, hook);
	snprintf(tmp, sizeof(tmp), "%s/new_%s", LB_PIN_DIR, hook);
	unlink(tmp);
	err = bpf_link__pin(link, tmp);
	if (err)
		return err;
	if (rename(tmp, path) < 0) {
		err = -errno;
		unlink(tmp);
		return err;
	}
	return 0;
}

/* Remove pinned links of hooks this version no longer has. */
static void unpin_stale_links(void)
{
	DIR *d = opendir(LB_PIN_DIR);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		bool known = false;

		if (strncmp(de->d_name, LINK_PREFIX, strlen(LINK_PREFIX)) != 0)
			continue;
		for (const char *const *h = guard_hooks(); *h; h++)
			known |= !strcmp(de->d_name + strlen(LINK_PREFIX), *h);
		if (!known)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

int guard_load(struct guard **out, char *why, size_t why_len)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = LB_PIN_DIR);
	struct bpf_program *prog;
	struct guard *g;
	int err;

	err = kernel_fs_ensure(why, why_len);
	if (err)
		return err;
	err = kernel_check(why, why_len);
	if (err)
		return err;
	if (mkdir(LB_PIN_DIR, 0700) < 0 && errno != EEXIST) {
		err = -errno;
		snprintf(why, why_len, "cannot create %s: %s", LB_PIN_DIR, strerror(errno));
		return err;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->skel = guard_bpf__open_opts(&opts);
	if (!g->skel) {
		err = -errno;
		snprintf(why, why_len, "failed to open the BPF guard: %s", strerror(errno));
		goto fail;
	}
	skip_missing_hooks(g->skel);
	remember_hooks(g->skel); /* guard_hooks() need not parse vmlinux BTF again */
	err = guard_bpf__load(g->skel);
	if (err) {
		load_error(err, why, why_len);
		goto fail;
	}
	bpf_object__for_each_program (prog, g->skel->obj) {
		const char *hook = prog_hook(prog);
		struct bpf_link *link;

		if (!bpf_program__autoload(prog))
			continue; /* a hook this kernel does not have */
		link = bpf_program__attach_lsm(prog);

		if (!link) {
			err = -errno;
			load_error(err, why, why_len);
			goto fail;
		}
		err = pin_replace(link, hook);
		bpf_link__destroy(link); /* the pin holds it now */
		if (err) {
			snprintf(why, why_len, "failed to pin the %s link under %s: %s", hook,
				 LB_PIN_DIR, strerror(-err));
			goto fail;
		}
	}
	unpin_stale_links();
	fds_from_skel(g);
	/* the pins are a zone no grant opens: engineers cannot unlink or replace them */
	err = guard_zone_add(g, LB_PIN_DIR, LB_ZONE_GUARD);
	if (err) {
		snprintf(why, why_len, "failed to protect %s: %s", LB_PIN_DIR, strerror(-err));
		goto fail;
	}
	*out = g;
	return 0;
fail:
	guard_close(g);
	return err;
}

int guard_open_pinned(struct guard **out)
{
	struct guard *g = calloc(1, sizeof(*g));
	char path[256];
	int err;

	if (!g)
		return -ENOMEM;
	for (int i = 0; i < M_NR; i++)
		g->fd[i] = -1;
	for (int i = 0; i < M_NR; i++) {
		snprintf(path, sizeof(path), "%s/%s", LB_PIN_DIR, map_names[i]);
		g->fd[i] = bpf_obj_get(path);
		if (g->fd[i] < 0) {
			err = -errno;
			guard_close(g);
			return err;
		}
	}
	*out = g;
	return 0;
}

void guard_close(struct guard *g)
{
	if (!g)
		return;
	if (g->skel) {
		guard_bpf__destroy(g->skel);
	} else {
		for (int i = 0; i < M_NR; i++)
			if (g->fd[i] >= 0)
				close(g->fd[i]);
	}
	free(g);
}

int guard_unpin(void)
{
	DIR *d = opendir(LB_PIN_DIR);
	struct dirent *de;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	return rmdir(LB_PIN_DIR) < 0 ? -errno : 0;
}

static int update(struct guard *g, int m, const void *k, const void *v)
{
	return bpf_map_update_elem(g->fd[m], k, v, BPF_ANY) < 0 ? -errno : 0;
}

static int delete (struct guard *g, int m, const void *k)
{
	return bpf_map_delete_elem(g->fd[m], k) < 0 ? -errno : 0;
}

int guard_set_config(struct guard *g, __u32 mode, __u32 agent_tgid, __u32 flags)
{
	struct lb_config cfg = {0};
	__u32 zero = 0;

	/* zone_gen only ever grows (the kernel bumps it too): a stale cache never revives */
	bpf_map_lookup_elem(g->fd[M_CONFIG], &zero, &cfg);
	cfg.mode = mode;
	cfg.agent_tgid = agent_tgid;
	cfg.flags = flags;
	return update(g, M_CONFIG, &zero, &cfg);
}

int guard_get_config(struct guard *g, struct lb_config *cfg)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(g->fd[M_CONFIG], &zero, cfg) < 0 ? -errno : 0;
}

/* The bitmap copy of the engineers set (uids below LB_UID_BITS). */
static int engineer_bit(struct guard *g, __u32 uid, bool on)
{
	__u32 word = uid / 64;
	__u64 bits = 0, mask = 1ULL << (uid % 64);

	if (uid >= LB_UID_BITS)
		return 0;
	if (bpf_map_lookup_elem(g->fd[M_ENGINEER_BITS], &word, &bits) < 0)
		return -errno;
	bits = on ? bits | mask : bits & ~mask;
	return update(g, M_ENGINEER_BITS, &word, &bits);
}

int guard_engineer_add(struct guard *g, __u32 uid)
{
	__u32 flags = LB_ENGINEER;
	int err = update(g, M_ENGINEERS, &uid, &flags);

	return err ? err : engineer_bit(g, uid, true);
}

int guard_engineer_del(struct guard *g, __u32 uid)
{
	/* the bit first: a uid is never in the bitmap but not in the hash */
	int err = engineer_bit(g, uid, false);

	if (err)
		return err;
	err = delete (g, M_ENGINEERS, &uid);
	return err == -ENOENT ? 0 : err;
}

static bool in_set(__u32 v, const __u32 *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == v)
			return true;
	return false;
}

int guard_engineers_keep(struct guard *g, const __u32 *uids, size_t n)
{
	__u32 key, next, *prev = NULL;
	int err = 0;

	/* collect first: deleting while iterating restarts the walk */
	while (bpf_map_get_next_key(g->fd[M_ENGINEERS], prev, &next) == 0) {
		key = next;
		prev = &key;
		if (!in_set(key, uids, n)) {
			err = guard_engineer_del(g, key);
			if (err)
				return err;
			prev = NULL;
		}
	}
	return 0;
}

/* Zones changed: every inode zone the kernel cached is stale. */
static int zones_changed(struct guard *g)
{
	struct lb_config cfg = {0};
	__u32 zero = 0;

	bpf_map_lookup_elem(g->fd[M_CONFIG], &zero, &cfg);
	cfg.zone_gen++;
	return update(g, M_CONFIG, &zero, &cfg);
}

/* zone_devs[dev] = 1 while a zone root is on dev, recomputed from zones. */
static int zone_devs_rebuild(struct guard *g)
{
	struct lb_zone_key key, next, *prev = NULL;
	__u64 dkey, dnext, *dprev = NULL;
	__u32 zone;
	int err;

	while (bpf_map_get_next_key(g->fd[M_ZONES], prev, &next) == 0) {
		__u32 cnt = 1;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(g->fd[M_ZONE_DEVS], &key.dev, &cnt) == 0)
			continue; /* counted below */
		cnt = 1;
		err = update(g, M_ZONE_DEVS, &key.dev, &cnt);
		if (err)
			return err;
	}
	err = zones_changed(g);
	if (err)
		return err;
	/* drop devices that no longer hold any root */
	while (bpf_map_get_next_key(g->fd[M_ZONE_DEVS], dprev, &dnext) == 0) {
		bool used = false;

		dkey = dnext;
		dprev = &dkey;
		prev = NULL;
		while (!used && bpf_map_get_next_key(g->fd[M_ZONES], prev, &next) == 0) {
			key = next;
			prev = &key;
			used = key.dev == dkey &&
			       bpf_map_lookup_elem(g->fd[M_ZONES], &key, &zone) == 0;
		}
		if (!used) {
			err = delete (g, M_ZONE_DEVS, &dkey);
			if (err && err != -ENOENT)
				return err;
			dprev = NULL;
		}
	}
	return 0;
}

static int zone_key(const char *path, struct lb_zone_key *key)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		return -EINVAL;
	key->dev = lb_kernel_dev(st.st_dev);
	key->ino = st.st_ino;
	return 0;
}

int guard_zone_add(struct guard *g, const char *path, __u32 zone)
{
	struct lb_zone_key key;
	int err;

	if (zone == 0 || zone == (__u32)-1)
		return -EINVAL;
	err = zone_key(path, &key);
	if (err)
		return err;
	err = update(g, M_ZONES, &key, &zone);
	return err ? err : zone_devs_rebuild(g);
}

int guard_zone_del(struct guard *g, const char *path)
{
	struct lb_zone_key key;
	int err = zone_key(path, &key);

	if (err)
		return err;
	err = delete (g, M_ZONES, &key);
	if (err && err != -ENOENT)
		return err;
	return zone_devs_rebuild(g);
}

int guard_zones_keep(struct guard *g, const __u32 *zones, size_t n)
{
	struct lb_zone_key key, next, *prev = NULL;
	__u32 zone;
	int err;

	while (bpf_map_get_next_key(g->fd[M_ZONES], prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(g->fd[M_ZONES], &key, &zone) == 0 &&
		    zone != LB_ZONE_GUARD && zone != LB_ZONE_AGENT && zone != LB_ZONE_AGENT_DB &&
		    !in_set(zone, zones, n)) {
			err = delete (g, M_ZONES, &key);
			if (err && err != -ENOENT)
				return err;
			prev = NULL;
		}
	}
	return zone_devs_rebuild(g);
}

int guard_blkdev_add(struct guard *g, const char *path, __u32 zone)
{
	struct stat st;
	__u32 rdev;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISBLK(st.st_mode))
		return -ENOTBLK;
	rdev = (__u32)lb_kernel_dev(st.st_rdev);
	return update(g, M_ZONE_BLKDEVS, &rdev, &zone);
}

int guard_blkdevs_keep(struct guard *g, const __u32 *zones, size_t n)
{
	__u32 key, next, *prev = NULL, zone;
	int err;

	while (bpf_map_get_next_key(g->fd[M_ZONE_BLKDEVS], prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(g->fd[M_ZONE_BLKDEVS], &key, &zone) == 0 &&
		    !in_set(zone, zones, n)) {
			err = delete (g, M_ZONE_BLKDEVS, &key);
			if (err && err != -ENOENT)
				return err;
			prev = NULL;
		}
	}
	return 0;
}

/* nftw has no context argument: one marking walk at a time (the agent is single-threaded) */
static struct {
	struct guard *g;
	struct lb_inode_zone val;
	size_t marked;
	int err;
} mark;

static int mark_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct lb_zone_key key = {.dev = lb_kernel_dev(st->st_dev), .ino = st->st_ino};

	if (type != FTW_F || !S_ISREG(st->st_mode) || st->st_nlink < 2)
		return 0;
	mark.err = update(mark.g, M_LINKED, &key, &mark.val);
	if (!mark.err)
		mark.marked++;
	return mark.err ? 1 : 0;
}

int guard_zone_mark_links(struct guard *g, const char *root, __u32 zone, size_t *marked)
{
	struct stat st;

	if (stat(root, &st) < 0)
		return -errno;
	mark.g = g;
	mark.val = (struct lb_inode_zone){.zone = zone, .root_ino = st.st_ino};
	mark.marked = 0;
	mark.err = 0;
	if (nftw(root, mark_one, 64, FTW_PHYS | FTW_MOUNT) < 0 && !mark.err)
		mark.err = -errno;
	if (marked)
		*marked = mark.marked;
	return mark.err;
}

int guard_protect_agent_file(struct guard *g, const char *path)
{
	return guard_zone_add(g, path, LB_ZONE_AGENT);
}

int guard_protect_if_unzoned(struct guard *g, const char *path)
{
	struct lb_zone_key key;
	__u32 zone = LB_ZONE_AGENT;
	int err = zone_key(path, &key);

	if (err)
		return err;
	/* a zone root or the database keeps the stricter answer it has */
	if (bpf_map_update_elem(g->fd[M_ZONES], &key, &zone, BPF_NOEXIST) < 0)
		return errno == EEXIST ? 0 : -errno;
	return zone_devs_rebuild(g);
}

int guard_protect_agent_db(struct guard *g, const char *path)
{
	return guard_zone_add(g, path, LB_ZONE_AGENT_DB);
}

__u64 guard_boot_expiry(time_t expires)
{
	struct timespec wall, boot;

	clock_gettime(CLOCK_REALTIME, &wall);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	return lb_wall_to_boot(expires, &wall, &boot);
}

int guard_grant_put_ns(struct guard *g, __u32 uid, __u32 zone, __u64 id, __u32 access,
		       __u64 expires_ns)
{
	struct lb_grant_key key = {.uid = uid, .zone = zone};
	struct lb_grant val = {.id = id, .access = access, .expires_ns = expires_ns};

	return update(g, M_GRANTS, &key, &val);
}

int guard_grant_put(struct guard *g, __u32 uid, __u32 zone, __u64 id, __u32 access, time_t expires)
{
	return guard_grant_put_ns(g, uid, zone, id, access, guard_boot_expiry(expires));
}

int guard_grant_del(struct guard *g, __u32 uid, __u32 zone)
{
	struct lb_grant_key key = {.uid = uid, .zone = zone};
	int err = delete (g, M_GRANTS, &key);

	return err == -ENOENT ? 0 : err;
}

int guard_grant_get(struct guard *g, __u32 uid, __u32 zone, struct lb_grant *out)
{
	struct lb_grant_key key = {.uid = uid, .zone = zone};

	return bpf_map_lookup_elem(g->fd[M_GRANTS], &key, out) < 0 ? -errno : 0;
}

int guard_grants_foreach(struct guard *g, guard_grant_fn fn, void *ctx)
{
	struct lb_grant_key key, next, *prev = NULL;
	struct lb_grant val;
	int err;

	while (bpf_map_get_next_key(g->fd[M_GRANTS], prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(g->fd[M_GRANTS], &key, &val) < 0)
			continue; /* deleted meanwhile */
		err = fn(&key, &val, ctx);
		if (err)
			return err;
	}
	return 0;
}

/* A buffer for one per-CPU counter's values, one per possible CPU. */
static __u64 *percpu_buf(void)
{
	int ncpu = libbpf_num_possible_cpus();

	if (ncpu < 0) {
		errno = -ncpu;
		return NULL;
	}
	return calloc(ncpu, sizeof(__u64));
}

int guard_counters(struct guard *g, __u64 *out)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *vals = percpu_buf();

	if (!vals)
		return -errno;
	for (__u32 i = 0; i < LB_CNT_MAX; i++) {
		out[i] = 0;
		if (bpf_map_lookup_elem(g->fd[M_COUNTERS], &i, vals) < 0)
			continue;
		for (int c = 0; c < ncpu; c++)
			out[i] += vals[c];
	}
	free(vals);
	return 0;
}

int guard_counter_add(struct guard *g, __u32 idx, __u64 n)
{
	__u64 *vals = percpu_buf();
	int err = 0;

	if (!vals)
		return -errno;
	if (bpf_map_lookup_elem(g->fd[M_COUNTERS], &idx, vals) < 0) {
		err = -errno;
		goto out;
	}
	vals[0] += n;
	if (bpf_map_update_elem(g->fd[M_COUNTERS], &idx, vals, BPF_EXIST) < 0)
		err = -errno;
out:
	free(vals);
	return err;
}

int guard_peers_fd(struct guard *g)
{
	return g->skel ? bpf_map__fd(g->skel->maps.peers) : -ENOENT;
}

int guard_events_fd(struct guard *g)
{
	return g->fd[M_EVENTS];
}

__attribute__((constructor)) static void quiet_libbpf(void)
{
	/* the agent re-wires this to its log level; never a libbpf dump by default */
	libbpf_set_print(silent_print);
}

static int key_of(const char *path, struct lb_zone_key *key)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return -errno;
	key->dev = lb_kernel_dev(st.st_dev);
	key->ino = st.st_ino;
	return 0;
}

int guard_pin_dirs(struct guard *g, const char *path, __u32 gen)
{
	char buf[PATH_MAX];
	struct lb_zone_key key;
	int err;

	snprintf(buf, sizeof(buf), "%s", path);
	for (;;) {
		char *slash;

		if (key_of(buf, &key) == 0) {
			err = update(g, M_PINNED_DIRS, &key, &gen);
			if (err)
				return err;
		}
		slash = strrchr(buf, '/');
		if (!slash)
			return 0;
		if (slash == buf) {
			if (!buf[1])
				return 0;
			buf[1] = 0; /* then "/" itself */
			continue;
		}
		*slash = 0;
	}
}

int guard_protect_name(struct guard *g, const char *path, __u32 gen)
{
	struct lb_name_key key = {0};
	char dir[PATH_MAX];
	const char *base = strrchr(path, '/');
	struct lb_zone_key dk;
	int err;

	if (!base || !base[1])
		return -EINVAL;
	snprintf(dir, sizeof(dir), "%.*s", (int)(base - path), path);
	if (!dir[0])
		snprintf(dir, sizeof(dir), "/");
	/* the parent as the kernel sees it: symlinks in the parent resolved */
	{
		struct stat st;

		if (stat(dir, &st) < 0)
			return -errno;
		dk.dev = lb_kernel_dev(st.st_dev);
		dk.ino = st.st_ino;
	}
	key.dev = dk.dev;
	key.parent_ino = dk.ino;
	snprintf(key.name, sizeof(key.name), "%s", base + 1);
	err = update(g, M_PROTECTED_NAMES, &key, &gen);
	return err;
}

/* Entries of a self-protection map not written by the sync of generation @gen are gone. */
static int keep_gen(struct guard *g, int m, size_t key_size, __u32 gen)
{
	char key[sizeof(struct lb_name_key)], next[sizeof(struct lb_name_key)];
	void *prev = NULL;
	__u32 v;
	int err;

	while (bpf_map_get_next_key(g->fd[m], prev, next) == 0) {
		memcpy(key, next, key_size);
		prev = key;
		if (bpf_map_lookup_elem(g->fd[m], key, &v) == 0 && v != gen) {
			err = delete (g, m, key);
			if (err && err != -ENOENT)
				return err;
			prev = NULL;
		}
	}
	return 0;
}

int guard_self_keep(struct guard *g, __u32 gen)
{
	int err = keep_gen(g, M_PINNED_DIRS, sizeof(struct lb_zone_key), gen);

	return err ? err : keep_gen(g, M_PROTECTED_NAMES, sizeof(struct lb_name_key), gen);
}
