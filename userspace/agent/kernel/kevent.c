// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "kevent.h"

static const char *const ops[LB_OP_MAX] = {
	[LB_OP_OPEN] = "open",	       [LB_OP_READ] = "read",
	[LB_OP_WRITE] = "write",       [LB_OP_MMAP] = "mmap",
	[LB_OP_EXEC] = "exec",	       [LB_OP_RECEIVE] = "receive",
	[LB_OP_CREATE] = "create",     [LB_OP_MKDIR] = "mkdir",
	[LB_OP_MKNOD] = "mknod",       [LB_OP_SYMLINK] = "symlink",
	[LB_OP_LINK] = "link",	       [LB_OP_UNLINK] = "unlink",
	[LB_OP_RMDIR] = "rmdir",       [LB_OP_RENAME] = "rename",
	[LB_OP_TRUNCATE] = "truncate", [LB_OP_SETATTR] = "setattr",
	[LB_OP_SETXATTR] = "setxattr", [LB_OP_REMOVEXATTR] = "removexattr",
	[LB_OP_BPF] = "bpf",	       [LB_OP_PTRACE] = "ptrace",
	[LB_OP_SIGNAL] = "signal",     [LB_OP_UMOUNT] = "umount",
	[LB_OP_MOUNT] = "mount",       [LB_OP_AUDIT_CTL] = "audit_control",
	[LB_OP_TTY] = "tty",	       [LB_OP_KERNEL] = "kernel",
	[LB_OP_PERF] = "perf",	       [LB_OP_IOCTL] = "ioctl",
	[LB_OP_CLOCK] = "clock",       [LB_OP_DEVICE] = "device",
};

static const char *const verdicts[] = {
	[LB_VERDICT_ALLOW] = "allow",
	[LB_VERDICT_DENY] = "deny",
	[LB_VERDICT_AUDIT] = "audit",
};

static const char *const reasons[] = {
	[LB_REASON_GRANT] = "grant",	 [LB_REASON_NO_GRANT] = "no_grant",
	[LB_REASON_EXPIRED] = "expired", [LB_REASON_ACCESS] = "access",
	[LB_REASON_DEPTH] = "depth",	 [LB_REASON_NO_LOG] = "no_log",
	[LB_REASON_TAMPER] = "tamper",	 [LB_REASON_DETACHED] = "detached",
};

#define NAME_OF(table, v) ((v) < sizeof(table) / sizeof(table[0]) ? table[v] : NULL)

const char *kevent_op_name(unsigned op)
{
	return NAME_OF(ops, op);
}

const char *kevent_verdict_name(unsigned verdict)
{
	return NAME_OF(verdicts, verdict);
}

const char *kevent_reason_name(unsigned reason)
{
	return NAME_OF(reasons, reason);
}

/* Each of the @e->names names ends inside the path buffer. */
static bool names_fit(const struct lb_event *e)
{
	size_t off = 0;

	for (unsigned i = 0; i < e->names; i++) {
		const char *end = memchr(e->path + off, '\0', LB_PATH_LEN - off);

		if (!end)
			return false;
		off = (size_t)(end - e->path) + 1;
	}
	return true;
}

/*
 * The repeats the guard counts: an allowed open's (verdict_flush(), under the
 * zone root, no time span), a denied access's to an existing file
 * (deny_record() and the agent's denials_take(), from first_ns to time_ns), or
 * a refused tampering's with no file (tamper_counted(): no path, no zone).
 */
static bool repeats_fit(const struct lb_event *e)
{
	if (e->verdict == LB_VERDICT_ALLOW)
		return e->op == LB_OP_OPEN && e->path_kind == LB_PATH_NAMES && e->names == 0 &&
		       e->first_ns == 0;
	if (e->first_ns == 0 || e->first_ns > e->time_ns)
		return false;
	if (e->reason == LB_REASON_TAMPER)
		return e->path_kind == LB_PATH_FULL && e->path[0] == '\0' && e->zone == 0 &&
		       e->grant_id == 0;
	return e->reason != LB_REASON_GRANT;
}

/* The kernel's writer is bpf/guard.bpf.h fill_event(): anything it cannot produce is refused. */
int kevent_check(const struct lb_event *e, size_t len)
{
	if (len < sizeof(*e) || !kevent_op_name(e->op) || !kevent_verdict_name(e->verdict) ||
	    !kevent_reason_name(e->reason) || e->access & ~(LB_ACCESS_READ | LB_ACCESS_WRITE))
		return -EBADMSG;
	/* one access, or a counted record of repeats */
	if (e->flags & ~LB_EVENT_REPEATS || e->count == 0 ||
	    (e->count > 1 && !(e->flags & LB_EVENT_REPEATS)))
		return -EBADMSG;
	if (e->flags & LB_EVENT_REPEATS ? !repeats_fit(e) : e->first_ns != 0)
		return -EBADMSG;
	if (!memchr(e->path, '\0', LB_PATH_LEN))
		return -EBADMSG;
	if (e->path_kind == LB_PATH_FULL)
		return e->names == 0 ? 0 : -EBADMSG;
	if (e->path_kind != LB_PATH_NAMES || e->names > LB_PATH_NAMES_MAX || !names_fit(e))
		return -EBADMSG;
	return 0;
}

void kevent_path(const struct lb_event *e, const char *root, char *out, size_t len)
{
	const char *names[LB_PATH_NAMES_MAX];
	size_t n = 0, off = 0, o;

	if (e->path_kind != LB_PATH_NAMES) {
		o = strnlen(e->path, LB_PATH_LEN);
		if (!len)
			return;
		o = o < len ? o : len - 1;
		memcpy(out, e->path, o);
		out[o] = '\0';
		return;
	}
	while (n < e->names && n < LB_PATH_NAMES_MAX && off < LB_PATH_LEN && e->path[off]) {
		names[n++] = &e->path[off];
		off += strnlen(&e->path[off], LB_PATH_LEN - off) + 1;
	}
	/* a root we cannot name, or names cut at the limit: say the start is missing */
	o = snprintf(out, len, "%s", root ? root : "...");
	for (size_t i = n; i-- > 0 && o < len;)
		o += snprintf(out + o, len - o, "/%.*s",
			      (int)(LB_PATH_LEN - (size_t)(names[i] - e->path)), names[i]);
}
