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
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "errbuf.h"
#include "lockbox.h" /* before the skeleton: its .bss is a struct lb_caches */
#include "guard.skel.h"
#include "kernel_fs.h"
#include "denials.h"
#include "build_stamp.h"
#include "loader.h"

#define LINK_PREFIX "link_"

/*
 * The guard's maps the loader edits, in one place: the M_ enum, the pin names
 * (bpf/maps.bpf.h pins each by its name) and the skeleton's maps all follow
 * from this list, so a new map is one line here (and its definition there).
 */
#define GUARD_MAPS(X)                                                                              \
	X(M_ENGINEERS, engineers)                                                                  \
	X(M_ENGINEER_BITS, engineer_bits)                                                          \
	X(M_ZONES, zones)                                                                          \
	X(M_ZONE_DEVS, zone_devs)                                                                  \
	X(M_ZONE_BLKDEVS, zone_blkdevs)                                                            \
	X(M_GRANTS, grants)                                                                        \
	X(M_INODE_ZONES, inode_zones)                                                              \
	X(M_LINKED, linked)                                                                        \
	X(M_EVENTS, events)                                                                        \
	X(M_COUNTERS, counters)                                                                    \
	X(M_CONFIG, guard_config)                                                                  \
	X(M_PINNED_DIRS, pinned_dirs)                                                              \
	X(M_PROTECTED_NAMES, protected_names)

#define MAP_ENUM(id, name) id,
#define MAP_NAME(id, name) [id] = #name,
#define MAP_FD(id, name)   g->fd[id] = bpf_map__fd(g->skel->maps.name);

enum { GUARD_MAPS(MAP_ENUM) M_NR };

/*
 * The guard's caches are a global of the guard object (its .bss,
 * bpf/maps.bpf.h), so the hot path needs no lookup; the loader pins it under
 * this name.
 */
#define CACHES_PIN LB_CACHES_PIN

static const char *const map_names[M_NR + 2] = {GUARD_MAPS(MAP_NAME)[M_NR] = CACHES_PIN};

const char *const *guard_map_names(void)
{
	return map_names;
}

struct guard {
	struct guard_bpf *skel; /* NULL when opened from pins only */
	int fd[M_NR];
	int caches_fd;
	struct lb_caches *caches; /* caches_fd mapped on first use, until guard_close() */
	unsigned char stamp[BUILD_STAMP_LEN]; /* this build's programs (build_stamp.h) */
	bool kept; /* the running programs were this build's: none loaded */
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

void guard_skip_missing_hooks(struct guard_bpf *skel)
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
		guard_skip_missing_hooks(skel);
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
static int kernel_check(char *err, size_t errlen)
{
	char buf[512] = "";
	FILE *f = fopen("/sys/kernel/security/lsm", "re");

	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		if (f)
			fclose(f);
		seterr(err, errlen,
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
		seterr(err, errlen,
		       "BPF LSM is not active: 'bpf' is missing from /sys/kernel/security/lsm "
		       "(\"%s\"); add it to the lsm= boot parameter, e.g. lsm=%s%sbpf",
		       buf, buf, buf[0] ? "," : "");
		return -ENOTSUP;
	}
	return 0;
}

static void load_error(int ret, char *err, size_t errlen)
{
	if (ret == -EPERM || ret == -EACCES)
		seterr(err, errlen,
		       "the kernel refused to load the BPF LSM programs (%s): run lockboxd as "
		       "root (CAP_BPF, CAP_SYS_ADMIN), on a kernel booted with bpf in lsm= and "
		       "without lockdown=confidentiality",
		       strerror(-ret));
	else
		seterr(err, errlen, "failed to load the BPF guard: %s", strerror(-ret));
}

static void fds_from_skel(struct guard *g)
{
	GUARD_MAPS(MAP_FD)
	g->caches_fd = bpf_map__fd(g->skel->maps.bss);
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

/* What the load needs from the system: bpffs, BTF, the BPF LSM, the pin folder. */
static int load_preflight(char *err, size_t errlen)
{
	int ret = kernel_fs_ensure(err, errlen);

	if (!ret)
		ret = kernel_check(err, errlen);
	if (ret)
		return ret;
	if (mkdir(LB_PIN_DIR, 0700) < 0 && errno != EEXIST) {
		ret = -errno;
		seterr(err, errlen, "cannot create %s: %s", LB_PIN_DIR, strerror(errno));
		return ret;
	}
	return 0;
}

/*
 * Whether the map pinned where @m goes (a guard loaded before, kept across the
 * agent's restarts) has @m's layout: libbpf reuses it only then, and refuses
 * the whole load with EINVAL otherwise. 0, or -EINVAL with the map named;
 * @all_pinned is cleared when @m is not pinned yet.
 */
static int pin_fits(const struct bpf_map *m, bool *all_pinned, char *err, size_t errlen)
{
	struct bpf_map_info info = {0};
	__u32 len = sizeof(info);
	const char *path = bpf_map__pin_path(m);
	int fd = path ? bpf_obj_get(path) : -1, ret = 0;

	if (fd < 0) {
		*all_pinned = false; /* not pinned yet: created */
		return 0;
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
	    (info.type != bpf_map__type(m) || info.key_size != bpf_map__key_size(m) ||
	     info.value_size != bpf_map__value_size(m) ||
	     info.max_entries != bpf_map__max_entries(m) ||
	     info.map_flags != bpf_map__map_flags(m))) {
		seterr(err, errlen,
		       "%s was pinned by a guard of another lockbox version, with another layout "
		       "(entries %u, value %u bytes, flags %#x; this one: %u, %u, %#x); reboot "
		       "to load this version (docs/operations.md, upgrades)",
		       path, info.max_entries, info.value_size, info.map_flags,
		       bpf_map__max_entries(m), bpf_map__value_size(m), bpf_map__map_flags(m));
		ret = -EINVAL;
	}
	close(fd);
	return ret;
}

/* Whether every hook's link is pinned (the programs attached are the ones pinned). */
static bool links_pinned(void)
{
	char path[256];

	for (const char *const *h = guard_hooks(); *h; h++) {
		snprintf(path, sizeof(path), "%s/%s%s", LB_PIN_DIR, LINK_PREFIX, *h);
		if (access(path, F_OK) < 0)
			return false;
	}
	return true;
}

/*
 * Whether the attached programs are this build's, on the pinned maps: a
 * restart then keeps them. A map pinned anew (its old pin removed) would
 * leave them on a map no one edits, so all must have been pinned already.
 */
static bool keep_running(struct guard *g, bool all_pinned)
{
	size_t len;
	const void *obj = guard_bpf__elf_bytes(&len);

	if (build_stamp_of(obj, len, g->stamp))
		return false;
	return all_pinned && build_stamp_matches(LB_PIN_DIR, g->stamp) && links_pinned();
}

/*
 * Opens the skeleton over the pinned maps and loads the programs this kernel
 * has hooks for, or only the maps when this build's programs already run.
 */
static int load_programs(struct guard *g, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = LB_PIN_DIR);
	struct bpf_program *prog;
	bool all_pinned = true;
	struct bpf_map *m;
	int ret;

	g->skel = guard_bpf__open_opts(&opts);
	if (!g->skel) {
		ret = -errno;
		seterr(err, errlen, "failed to open the BPF guard: %s", strerror(errno));
		return ret;
	}
	guard_skip_missing_hooks(g->skel);
	remember_hooks(g->skel); /* guard_hooks() need not parse vmlinux BTF again */
	/* shared with the programs a restart replaces, and with guardctl, like the maps */
	ret = bpf_map__set_pin_path(g->skel->maps.bss, LB_PIN_DIR "/" CACHES_PIN);
	if (ret) {
		seterr(err, errlen, "failed to pin the guard's caches: %s", strerror(-ret));
		return ret;
	}
	bpf_object__for_each_map (m, g->skel->obj) {
		ret = pin_fits(m, &all_pinned, err, errlen);
		if (ret)
			return ret;
	}
	g->kept = keep_running(g, all_pinned);
	if (g->kept)
		bpf_object__for_each_program (prog, g->skel->obj)
			bpf_program__set_autoload(prog, false);
	ret = guard_bpf__load(g->skel);
	if (ret)
		load_error(ret, err, errlen);
	return ret;
}

/* Attaches each loaded program and pins its link, replacing the older one. */
static int attach_and_pin(struct guard *g, char *err, size_t errlen)
{
	struct bpf_program *prog;
	int ret;

	bpf_object__for_each_program (prog, g->skel->obj) {
		const char *hook = prog_hook(prog);
		struct bpf_link *link;

		if (!bpf_program__autoload(prog))
			continue; /* a hook this kernel does not have */
		link = bpf_program__attach_lsm(prog);
		if (!link) {
			ret = -errno;
			load_error(ret, err, errlen);
			return ret;
		}
		ret = pin_replace(link, hook);
		bpf_link__destroy(link); /* the pin holds it now */
		if (ret) {
			seterr(err, errlen, "failed to pin the %s link under %s: %s", hook,
			       LB_PIN_DIR, strerror(-ret));
			return ret;
		}
	}
	unpin_stale_links();
	return 0;
}

/* A guard with no map open yet: guard_close() then closes nothing it does not own. */
static struct guard *guard_new(void)
{
	struct guard *g = calloc(1, sizeof(*g));

	for (int i = 0; g && i < M_NR; i++)
		g->fd[i] = -1;
	if (g)
		g->caches_fd = -1;
	return g;
}

int guard_load(struct guard **out, char *err, size_t errlen)
{
	struct guard *g;
	int ret = load_preflight(err, errlen);

	if (ret)
		return ret;
	g = guard_new();
	if (!g) {
		seterr(err, errlen, "out of memory loading the BPF guard");
		return -ENOMEM;
	}
	ret = load_programs(g, err, errlen);
	if (!ret && !g->kept) {
		ret = build_stamp_set(LB_PIN_DIR, NULL);
		if (!ret)
			ret = attach_and_pin(g, err, errlen);
		else
			seterr(err, errlen, "failed to clear the guard's build stamp: %s",
			       strerror(-ret));
		if (!ret) /* a stamp not written only costs the next start a full load */
			build_stamp_set(LB_PIN_DIR, g->stamp);
	}
	if (ret)
		goto fail;
	fds_from_skel(g);
	/* the pins are a zone no grant opens: engineers cannot unlink or replace them */
	ret = guard_zone_add(g, LB_PIN_DIR, LB_ZONE_GUARD);
	if (ret) {
		seterr(err, errlen, "failed to protect %s: %s", LB_PIN_DIR, strerror(-ret));
		goto fail;
	}
	*out = g;
	return 0;
fail:
	guard_close(g);
	return ret;
}

bool guard_kept_running(const struct guard *g)
{
	return g->kept;
}

int guard_open_pinned(struct guard **out)
{
	struct guard *g = guard_new();
	char path[256];
	int err;

	if (!g)
		return -ENOMEM;
	for (int i = 0; i < M_NR + 1; i++) {
		int *fd = i < M_NR ? &g->fd[i] : &g->caches_fd;

		snprintf(path, sizeof(path), "%s/%s", LB_PIN_DIR, map_names[i]);
		*fd = bpf_obj_get(path);
		if (*fd < 0) {
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
	if (g->caches)
		munmap(g->caches, sizeof(*g->caches));
	if (g->skel) {
		guard_bpf__destroy(g->skel);
	} else {
		for (int i = 0; i < M_NR; i++)
			if (g->fd[i] >= 0)
				close(g->fd[i]);
		if (g->caches_fd >= 0)
			close(g->caches_fd);
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

/*
 * Calls @fn on each entry of hash map @m until it returns non-zero, which is
 * returned. @fn may delete the entry it is given. The map is read a batch at a
 * time: a million grants cost a few hundred system calls, not three million,
 * and the batch cursor is a bucket, so deleting what was read does not send the
 * walk back to the start (as it would get_next_key's).
 */
typedef int (*walk_fn)(const void *key, const void *val, void *ctx);

#define WALK_BATCH 4096

static int map_walk(struct guard *g, int m, walk_fn fn, void *ctx)
{
	struct bpf_map_info info = {0};
	__u32 len = sizeof(info), n, cursor = 0;
	char *keys, *vals;
	bool more = true;
	int ret = 0;

	if (bpf_obj_get_info_by_fd(g->fd[m], &info, &len) < 0)
		return -errno;
	keys = malloc((size_t)WALK_BATCH * info.key_size);
	vals = malloc((size_t)WALK_BATCH * info.value_size);
	if (!keys || !vals) {
		ret = -ENOMEM;
		more = false;
	}
	for (bool first = true; more && !ret; first = false) {
		n = WALK_BATCH;
		if (bpf_map_lookup_batch(g->fd[m], first ? NULL : &cursor, &cursor, keys, vals, &n,
					 NULL) < 0) {
			if (errno != ENOENT) { /* ENOENT: the last batch */
				ret = -errno;
				break;
			}
			more = false;
		}
		for (__u32 i = 0; i < n && !ret; i++)
			ret = fn(keys + (size_t)i * info.key_size,
				 vals + (size_t)i * info.value_size, ctx);
	}
	free(keys);
	free(vals);
	return ret;
}

/* Whether the entry @key -> @val stays; and how one that does not is taken out. */
typedef bool (*keep_fn)(const void *key, const void *val, const void *ctx);
typedef int (*drop_fn)(struct guard *g, const void *key);

struct keep_walk {
	struct guard *g;
	int m;
	keep_fn keep;
	const void *ctx;
	drop_fn drop;
	size_t dropped;
};

static int drop_unkept(const void *key, const void *val, void *ctx)
{
	struct keep_walk *w = ctx;
	int ret;

	if (w->keep(key, val, w->ctx))
		return 0;
	ret = w->drop ? w->drop(w->g, key) : delete (w->g, w->m, key);
	if (!ret)
		w->dropped++;
	return ret == -ENOENT ? 0 : ret;
}

/*
 * Deletes every entry of map @m that @keep refuses, with @drop (NULL: a plain
 * delete), in one walk; @dropped (may be NULL) counts them.
 */
static int map_keep_n(struct guard *g, int m, keep_fn keep, const void *ctx, drop_fn drop,
		      size_t *dropped)
{
	struct keep_walk w = {g, m, keep, ctx, drop, 0};
	int ret = map_walk(g, m, drop_unkept, &w);

	if (dropped)
		*dropped = w.dropped;
	return ret < 0 ? ret : 0;
}

static int map_keep(struct guard *g, int m, keep_fn keep, const void *ctx, drop_fn drop)
{
	return map_keep_n(g, m, keep, ctx, drop, NULL);
}

/* A set of u32 (uids or zone ids) as keep_fn context. */
struct u32_set {
	const __u32 *v;
	size_t n;
};

static bool in_set(__u32 v, const struct u32_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i] == v)
			return true;
	return false;
}

static bool key_in_set(const void *key, const void *val, const void *set)
{
	return in_set(*(const __u32 *)key, set);
}

static bool value_in_set(const void *key, const void *val, const void *set)
{
	return in_set(*(const __u32 *)val, set);
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

/*
 * Returns once every guard program that was running has finished, so that any
 * that runs after sees the maps as they are now: the kernel waits for an RCU
 * grace period on each update of a map-in-map (maybe_wait_bpf_programs() in
 * kernel/bpf/syscall.c), and BPF LSM programs run inside an RCU read section.
 */
static int wait_for_programs(void)
{
	int inner, outer, err = 0;
	__u32 zero = 0;

	inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "lb_wait_in", 4, 4, 1, NULL);
	if (inner < 0)
		return -errno;
	LIBBPF_OPTS(bpf_map_create_opts, opts, .inner_map_fd = inner);
	outer = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "lb_wait", 4, 4, 1, &opts);
	if (outer < 0)
		err = -errno;
	else if (bpf_map_update_elem(outer, &zero, &inner, BPF_ANY) < 0)
		err = -errno;
	if (outer >= 0)
		close(outer);
	close(inner);
	return err;
}

/*
 * The guard's caches, mapped once for the guard's life (every grant change
 * writes to them, and a mapping costs more than the change): NULL with errno
 * set on failure.
 */
struct lb_caches *guard_caches(struct guard *g)
{
	void *c;

	if (g->caches)
		return g->caches;
	c = mmap(NULL, sizeof(struct lb_caches), PROT_READ | PROT_WRITE, MAP_SHARED, g->caches_fd,
		 0);
	if (c == MAP_FAILED)
		return NULL;
	g->caches = c;
	return c;
}

/*
 * The engineers set changed: every cached "not an engineer", and every cached
 * engineer's identity (a login uid no longer one leaves the uid's), may be wrong.
 * Programs that read the old set may still be about to cache what they found,
 * so wait for them first, then clear each slot's cred with one 8-byte store
 * (a half-cleared address could name another cred).
 */
static int subjects_forget(struct guard *g)
{
	struct lb_caches *c;
	int err = wait_for_programs();

	if (err)
		return err;
	c = guard_caches(g);
	if (!c)
		return -errno;
	for (size_t i = 0; i < LB_SUBJECT_SLOTS; i++)
		__atomic_store_n(&c->subjects.slot[i].cred, 0, __ATOMIC_RELAXED);
	return 0;
}

/*
 * A grant or a zone changed: every cached allowed verdict lapses. The guard
 * reads the generation before it looks a grant up, so one that saw the old
 * grant caches under the old generation.
 */
static int verdicts_changed(struct guard *g)
{
	struct lb_caches *c = guard_caches(g);

	if (!c)
		return -errno;
	__atomic_add_fetch(&c->verdicts.gen, 1, __ATOMIC_SEQ_CST);
	return 0;
}

int guard_subjects_forget(struct guard *g)
{
	return subjects_forget(g);
}

int guard_denials_release_stale(struct guard *g)
{
	struct lb_caches *c = guard_caches(g);

	return c ? denials_release_stale(&c->denials, wait_for_programs) : -errno;
}

/* The bitmap copy of the engineers set (uids below LB_UID_BITS): 1 if the bit changed. */
static int engineer_bit(struct guard *g, __u32 uid, bool on)
{
	__u32 word = uid / 64;
	__u64 bits = 0, mask = 1ULL << (uid % 64), was;
	int err;

	if (uid >= LB_UID_BITS)
		return 0;
	if (bpf_map_lookup_elem(g->fd[M_ENGINEER_BITS], &word, &bits) < 0)
		return -errno;
	was = bits;
	bits = on ? bits | mask : bits & ~mask;
	if (bits == was)
		return 0;
	err = update(g, M_ENGINEER_BITS, &word, &bits);
	return err ? err : 1;
}

/* A new engineer: any "not an engineer" the kernel cached may now be wrong. */
int guard_engineer_add(struct guard *g, __u32 uid)
{
	__u32 flags = LB_ENGINEER, have;
	bool changed = false;
	int err = 0;

	if (bpf_map_lookup_elem(g->fd[M_ENGINEERS], &uid, &have) < 0) {
		err = update(g, M_ENGINEERS, &uid, &flags);
		changed = true;
	}
	if (!err)
		err = engineer_bit(g, uid, true);
	if (err < 0)
		return err;
	return changed || err ? subjects_forget(g) : 0;
}

/* @uid out of the engineers: 1 if it was one, 0 if not, or -errno. */
static int engineer_remove(struct guard *g, __u32 uid)
{
	/* the bit first: a uid is never in the bitmap but not in the hash */
	int bit = engineer_bit(g, uid, false), err;

	if (bit < 0)
		return bit;
	err = delete (g, M_ENGINEERS, &uid);
	if (err && err != -ENOENT)
		return err;
	return !err || bit;
}

int guard_engineer_del(struct guard *g, __u32 uid)
{
	int removed = engineer_remove(g, uid);

	/* the kernel caches engineers too: one removed must not stay one by its cache */
	return removed > 0 ? subjects_forget(g) : removed;
}

static int engineer_drop(struct guard *g, const void *uid)
{
	int removed = engineer_remove(g, *(const __u32 *)uid);

	return removed < 0 ? removed : 0;
}

int guard_engineers_keep(struct guard *g, const __u32 *uids, size_t n)
{
	struct u32_set set = {uids, n};
	size_t dropped = 0;
	int err = map_keep_n(g, M_ENGINEERS, key_in_set, &set, engineer_drop, &dropped);

	/* the cache cleared once for all of them: each clearing waits for an RCU grace period */
	return !err && dropped ? subjects_forget(g) : err;
}

/* Zones changed: every inode zone the kernel cached is stale. */
static int zones_changed(struct guard *g)
{
	struct lb_config cfg = {0};
	__u32 zero = 0;

	int err;

	bpf_map_lookup_elem(g->fd[M_CONFIG], &zero, &cfg);
	cfg.zone_gen++;
	err = update(g, M_CONFIG, &zero, &cfg);
	return err ? err : verdicts_changed(g);
}

/* The devices that hold a zone root, sorted, without repeats. */
struct root_devs {
	__u64 dev[LB_MAX_ZONE_ROOTS];
	size_t n;
};

static int note_root_dev(const void *key, const void *val, void *ctx)
{
	struct root_devs *d = ctx;

	if (d->n == LB_MAX_ZONE_ROOTS)
		return -E2BIG;
	d->dev[d->n++] = ((const struct lb_zone_key *)key)->dev;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static bool is_root_dev(const void *key, const void *val, const void *ctx)
{
	const struct root_devs *d = ctx;

	return bsearch(key, d->dev, d->n, sizeof(d->dev[0]), cmp_u64) != NULL;
}

static int root_devs_of(struct guard *g, struct root_devs *d)
{
	size_t n = 0;
	int ret = map_walk(g, M_ZONES, note_root_dev, d);

	if (ret)
		return ret;
	qsort(d->dev, d->n, sizeof(d->dev[0]), cmp_u64);
	for (size_t i = 0; i < d->n; i++)
		if (!n || d->dev[n - 1] != d->dev[i])
			d->dev[n++] = d->dev[i];
	d->n = n;
	return 0;
}

/* zone_devs[dev] = 1 while a zone root is on dev, recomputed from zones. */
static int zone_devs_rebuild(struct guard *g)
{
	struct root_devs *d = calloc(1, sizeof(*d));
	__u32 one = 1, cnt;
	int ret;

	if (!d)
		return -ENOMEM;
	ret = root_devs_of(g, d);
	for (size_t i = 0; !ret && i < d->n; i++)
		if (bpf_map_lookup_elem(g->fd[M_ZONE_DEVS], &d->dev[i], &cnt) < 0)
			ret = update(g, M_ZONE_DEVS, &d->dev[i], &one);
	if (!ret)
		ret = zones_changed(g);
	/* then drop devices that no longer hold any root */
	if (!ret)
		ret = map_keep(g, M_ZONE_DEVS, is_root_dev, d, NULL);
	free(d);
	return ret;
}

/*
 * A root was added on @dev: zone_devs gains @dev and cached zones go stale.
 * An add never drops a device, so no walk of every root (a rebuild walks all
 * LB_MAX_ZONE_ROOTS buckets: half a second per protected file under emulation).
 */
static int zone_devs_add(struct guard *g, __u64 dev)
{
	__u32 one = 1, cnt;
	int err = 0;

	if (bpf_map_lookup_elem(g->fd[M_ZONE_DEVS], &dev, &cnt) < 0)
		err = update(g, M_ZONE_DEVS, &dev, &one);
	return err ? err : zones_changed(g);
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
	return err ? err : zone_devs_add(g, key.dev);
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

/* The guard's own zones stay whatever the configuration says. */
static bool zone_kept(const void *key, const void *val, const void *set)
{
	__u32 zone = *(const __u32 *)val;

	return zone == LB_ZONE_GUARD || zone == LB_ZONE_AGENT || zone == LB_ZONE_AGENT_DB ||
	       in_set(zone, set);
}

int guard_zones_keep(struct guard *g, const __u32 *zones, size_t n)
{
	struct u32_set set = {zones, n};
	int err = map_keep(g, M_ZONES, zone_kept, &set, NULL);

	return err ? err : zone_devs_rebuild(g);
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
	struct u32_set set = {zones, n};

	return map_keep(g, M_ZONE_BLKDEVS, value_in_set, &set, NULL);
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
	/* a marked file may now be in another zone than a cached verdict says */
	if (!mark.err && mark.marked)
		mark.err = verdicts_changed(g);
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
	return zone_devs_add(g, key.dev);
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
	int err = update(g, M_GRANTS, &key, &val);

	return err ? err : verdicts_changed(g);
}

int guard_grant_put(struct guard *g, __u32 uid, __u32 zone, __u64 id, __u32 access, time_t expires)
{
	return guard_grant_put_ns(g, uid, zone, id, access, guard_boot_expiry(expires));
}

int guard_grant_del(struct guard *g, __u32 uid, __u32 zone)
{
	struct lb_grant_key key = {.uid = uid, .zone = zone};
	int err = delete (g, M_GRANTS, &key);

	if (err && err != -ENOENT)
		return err;
	return verdicts_changed(g);
}

int guard_grant_get(struct guard *g, __u32 uid, __u32 zone, struct lb_grant *out)
{
	struct lb_grant_key key = {.uid = uid, .zone = zone};

	return bpf_map_lookup_elem(g->fd[M_GRANTS], &key, out) < 0 ? -errno : 0;
}

struct grant_walk {
	guard_grant_fn fn;
	void *ctx;
};

static int grant_visit(const void *key, const void *val, void *ctx)
{
	struct grant_walk *w = ctx;

	return w->fn(key, val, w->ctx);
}

int guard_grants_foreach(struct guard *g, guard_grant_fn fn, void *ctx)
{
	struct grant_walk w = {fn, ctx};

	return map_walk(g, M_GRANTS, grant_visit, &w);
}

struct grant_keep {
	guard_grant_keep_fn keep;
	const void *ctx;
};

static bool grant_kept(const void *key, const void *val, const void *ctx)
{
	const struct grant_keep *k = ctx;

	return k->keep(key, val, k->ctx);
}

int guard_grants_keep(struct guard *g, guard_grant_keep_fn keep, const void *ctx, size_t *dropped)
{
	struct grant_keep k = {keep, ctx};
	size_t n = 0;
	int changed, err = map_keep_n(g, M_GRANTS, grant_kept, &k, NULL, &n);

	if (dropped)
		*dropped = n;
	/*
	 * One generation bump for the lot, not one per grant, and one even when
	 * none went: a guard of another version may have cached verdicts in
	 * another layout (the agent runs this at each start).
	 */
	changed = verdicts_changed(g);
	return err ? err : changed;
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
static bool of_gen(const void *key, const void *val, const void *gen)
{
	return *(const __u32 *)val == *(const __u32 *)gen;
}

int guard_self_keep(struct guard *g, __u32 gen)
{
	int err = map_keep(g, M_PINNED_DIRS, of_gen, &gen, NULL);

	return err ? err : map_keep(g, M_PROTECTED_NAMES, of_gen, &gen, NULL);
}
