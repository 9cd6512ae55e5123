// SPDX-License-Identifier: GPL-2.0-only
/* Self-protection: which paths, and writing them into the guard's maps. */
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config.h"
#include "lockbox.h"
#include "kernel_paths.h"
#include "loader.h"
#include "self_protect.h"

/* Read by every process, trusted by lockbox to say who is who, or run by it. */
static const char *const system_paths[] = {
	"/etc/passwd",
	"/etc/group",
	"/etc/shadow",
	"/etc/gshadow",
	"/etc/nsswitch.conf",
	"/etc/sssd",
	"/var/lib/sss",
	"/etc/ld.so.preload",
	"/etc/ld.so.conf",
	"/etc/ld.so.conf.d",
	"/etc/ld.so.cache",
	"/bin/sh",
	"/etc/lockbox",
	/* the unit and its drop-ins: an override of ExecStart runs as the agent */
	"/etc/systemd/system/lockboxd.service",
	"/etc/systemd/system/lockboxd.service.d",
	"/run/systemd/system/lockboxd.service.d",
	"/usr/lib/systemd/system/lockboxd.service",
	NULL,
};

static int add(struct self_paths *p, const char *path)
{
	char *copy;
	int err;

	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i], path))
			return 0;
	p->paths.size = sizeof(char *); /* a zeroed self_paths is an empty one */
	copy = strdup(path);
	err = copy ? vec_push(&p->paths, &copy) : -ENOMEM;
	if (err)
		free(copy);
	return err;
}

/* @path and, when it is a symlink, what it finally names. */
static int add_resolved(struct self_paths *p, const char *path)
{
	char real[PATH_MAX];
	int err = add(p, path);

	if (!err && realpath(path, real) && strcmp(real, path))
		err = add(p, real);
	return err;
}

/* The symlinks in @file's folder that name it (libfoo.so.1 -> libfoo.so.1.2.3). */
static int add_links_to(struct self_paths *p, const char *file)
{
	char dir[PATH_MAX], path[PATH_MAX + 256], real[PATH_MAX];
	const char *slash = strrchr(file, '/');
	struct dirent *de;
	DIR *d;
	int err = 0;

	if (!slash)
		return 0;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - file), file);
	d = opendir(dir[0] ? dir : "/");
	if (!d)
		return 0;
	while (!err && (de = readdir(d))) {
		if (de->d_type != DT_LNK)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (realpath(path, real) && !strcmp(real, file))
			err = add(p, path);
	}
	closedir(d);
	return err;
}

/* Every file this process maps: the dynamic loader and each shared library. */
static int add_mapped(struct self_paths *p)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[PATH_MAX + 128];
	int err = 0;

	if (!f)
		return 0;
	while (!err && fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/');

		if (!path)
			continue;
		path[strcspn(path, "\n")] = 0;
		if (strstr(path, " (deleted)"))
			continue;
		err = add(p, path);
		if (!err)
			err = add_links_to(p, path);
	}
	fclose(f);
	return err;
}

/*
 * The program interpreter named in this executable (PT_INTERP, e.g.
 * /lib64/ld-linux-x86-64.so.2): a symlink in another folder than the loader
 * it names, which /proc/self/maps does not show.
 */
static int add_interpreter(struct self_paths *p)
{
	char interp[PATH_MAX] = "";
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return 0;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64)
		goto out;
	for (int i = 0; i < eh.e_phnum && i < 64; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + (off_t)i * eh.e_phentsize) !=
		    sizeof(ph))
			break;
		if (ph.p_type != PT_INTERP || ph.p_filesz >= sizeof(interp))
			continue;
		if (pread(fd, interp, ph.p_filesz, ph.p_offset) == (ssize_t)ph.p_filesz &&
		    interp[0] == '/') {
			interp[ph.p_filesz] = 0;
			err = add_resolved(p, interp);
		}
		break;
	}
out:
	close(fd);
	return err;
}

/* The folders ld.so searches: those listed in /etc/ld.so.conf.d, then its defaults. */
static int search_dirs(struct self_paths *dirs)
{
	static const char *const defaults[] = {"/lib/x86_64-linux-gnu",
					       "/usr/lib/x86_64-linux-gnu",
					       "/lib64",
					       "/usr/lib64",
					       "/lib",
					       "/usr/lib",
					       NULL};
	char line[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir("/etc/ld.so.conf.d");
	int err = 0;

	while (d && !err && (de = readdir(d))) {
		char conf[PATH_MAX];
		size_t len = strlen(de->d_name);
		FILE *f;

		if (len < 6 || strcmp(de->d_name + len - 5, ".conf"))
			continue;
		snprintf(conf, sizeof(conf), "/etc/ld.so.conf.d/%s", de->d_name);
		f = fopen(conf, "re");
		while (f && !err && fgets(line, sizeof(line), f)) {
			line[strcspn(line, " \t\n#")] = 0;
			if (line[0] == '/')
				err = add(dirs, line);
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	for (size_t i = 0; !err && defaults[i]; i++)
		err = add(dirs, defaults[i]);
	return err;
}

/*
 * A library of the same name planted earlier in ld.so's search path takes
 * over at the next ldconfig (run by the next package install): the names of
 * the libraries lockbox maps are guarded in every folder ld.so searches.
 */
static int add_library_names(struct self_paths *p)
{
	struct self_paths dirs = {0};
	size_t n = p->n;
	int err = search_dirs(&dirs);

	for (size_t i = 0; !err && i < n; i++) {
		const char *base = strrchr(p->v[i], '/');
		char path[PATH_MAX * 2];

		if (!base || strncmp(base, "/lib", 4) || !strstr(base, ".so"))
			continue;
		for (size_t d = 0; !err && d < dirs.n; d++) {
			snprintf(path, sizeof(path), "%s%s", dirs.v[d], base);
			err = add(p, path);
		}
	}
	self_paths_free(&dirs);
	return err;
}

/* lockboxd itself and lockboxctl beside it (build tree) or in ../bin (installed). */
static int add_programs(struct self_paths *p)
{
	char exe[PATH_MAX], other[PATH_MAX + 32], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int err;

	if (n <= 0)
		return 0;
	exe[n] = 0;
	err = add(p, exe);
	slash = strrchr(exe, '/');
	if (err || !slash)
		return err;
	*slash = 0;
	snprintf(other, sizeof(other), "%s/lockboxctl", exe);
	if (access(other, F_OK) == 0)
		return add_resolved(p, other);
	slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	snprintf(other, sizeof(other), "%s/bin/lockboxctl", exe);
	return add_resolved(p, other);
}

/* The notify command's program: its first word, looked up in PATH as sh would. */
static int add_notify_program(struct self_paths *p, const char *command)
{
	char word[PATH_MAX], path[PATH_MAX * 2];
	const char *dirs = getenv("PATH");
	size_t len;

	if (!command)
		return 0;
	command += strspn(command, " \t");
	len = strcspn(command, " \t");
	if (!len || len >= sizeof(word))
		return 0;
	snprintf(word, sizeof(word), "%.*s", (int)len, command);
	if (word[0] == '/')
		return add_resolved(p, word);
	if (!dirs)
		dirs = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	while (*dirs) {
		size_t dl = strcspn(dirs, ":");

		snprintf(path, sizeof(path), "%.*s/%s", (int)dl, dirs, word);
		if (dl && access(path, X_OK) == 0)
			return add_resolved(p, path);
		dirs += dl + (dirs[dl] == ':');
	}
	return 0;
}

/* @file and its folder when the folder is lockbox's own (named lockbox). */
static int add_with_own_dir(struct self_paths *p, const char *file)
{
	char dir[PATH_MAX], *slash;
	int err = add(p, file);

	snprintf(dir, sizeof(dir), "%s", file);
	slash = strrchr(dir, '/');
	if (err || !slash || slash == dir)
		return err;
	*slash = 0;
	slash = strrchr(dir, '/');
	if (slash && !strcmp(slash + 1, "lockbox"))
		err = add(p, dir);
	return err;
}

int self_paths_collect(const struct config *cfg, const char *config_path, struct self_paths *out)
{
	char db[PATH_MAX + 16];
	int err = 0;

	for (size_t i = 0; !err && system_paths[i]; i++)
		err = add_resolved(out, system_paths[i]);
	err = err ?: add_programs(out);
	err = err ?: add_interpreter(out);
	err = err ?: add_mapped(out);
	err = err ?: add_library_names(out);
	err = err ?: add_notify_program(out, cfg->notify_command);
	if (!err && config_path)
		err = add_with_own_dir(out, config_path);
	if (!err && cfg->socket)
		err = add_with_own_dir(out, cfg->socket);
	if (!err && cfg->database) {
		err = add_with_own_dir(out, cfg->database);
		for (size_t i = 0; !err && i < 3; i++) {
			static const char *const sfx[] = {"-wal", "-shm", "-journal"};

			snprintf(db, sizeof(db), "%s%s", cfg->database, sfx[i]);
			err = add(out, db);
		}
	}
	for (size_t i = 0; !err && i < cfg->n_protected_paths; i++)
		err = add_resolved(out, cfg->protected_paths[i]);
	if (!err && !cfg->engineer_kernel_access) {
		/* also by name: a new /sbin/modprobe renamed over the old one is a change too */
		static char kpaths[KERNEL_PATHS_MAX][4096];
		size_t n = kernel_paths_list("/proc/sys", kpaths, KERNEL_PATHS_MAX);

		for (size_t i = 0; !err && i < n; i++)
			err = add_resolved(out, kpaths[i]);
	}
	return err;
}

void self_paths_free(struct self_paths *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	vec_free(&p->paths);
}

/*
 * The name of @path's first component that does not exist: a folder that is
 * not there yet (/usr/local/lib, /etc/sssd's parent) cannot be made by an
 * engineer to hold what lockbox would then trust.
 */
static int protect_first_missing(struct guard *g, const char *path, unsigned gen)
{
	char buf[PATH_MAX];
	struct stat st;

	snprintf(buf, sizeof(buf), "%s", path);
	for (;;) {
		char *slash = strrchr(buf, '/');

		if (!slash || slash == buf)
			return 0;
		*slash = 0;
		if (stat(buf, &st) == 0) {
			*slash = '/';
			slash = strchr(slash + 1, '/');
			if (slash)
				*slash = 0;
			return guard_protect_name(g, buf, gen);
		}
	}
}

static int protect_one(struct guard *g, const char *path, unsigned gen)
{
	char real[PATH_MAX];
	struct stat st;
	int err;

	/* an absent file's name is guarded all the same, where its folder exists */
	err = guard_protect_name(g, path, gen);
	if (err == -ENOENT)
		err = protect_first_missing(g, path, gen);
	if (err && err != -ENOENT && err != -ENOTDIR)
		return err;
	if (lstat(path, &st) < 0)
		return 0;
	/* files and folders by inode; a socket stays connectable, its name is guarded */
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
		err = guard_protect_if_unzoned(g, path);
		if (err && err != -ENOENT)
			return err;
	}
	if (!realpath(path, real))
		return 0;
	return guard_pin_dirs(g, real, gen);
}

int self_protect_apply(struct guard *g, const struct self_paths *p, const struct config *cfg,
		       unsigned gen, const char **failed)
{
	int err = 0;

	for (size_t i = 0; !err && i < p->n; i++) {
		err = protect_one(g, p->v[i], gen);
		if (err)
			*failed = p->v[i];
	}
	for (size_t z = 0; !err && z < cfg->n_zones; z++) {
		for (size_t i = 0; !err && i < cfg->zones[z].n_paths; i++) {
			err = guard_pin_dirs(g, cfg->zones[z].paths[i], gen);
			if (err)
				*failed = cfg->zones[z].paths[i];
		}
	}
	if (!err)
		err = guard_self_keep(g, gen);
	return err;
}
