/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Types shared by the BPF guard and userspace: map keys and values, events. */
#ifndef LOCKBOX_H
#define LOCKBOX_H

#define LB_PIN_DIR "/sys/fs/bpf/lockbox"

#define LB_MAX_ENGINEERS  16384
#define LB_MAX_ZONE_ROOTS 131072
#define LB_MAX_ZONE_DEVS  4096
#define LB_MAX_GRANTS	  1048576
#define LB_MAX_BLKDEVS	  1024
#define LB_MAX_LINKED	  65536
#define LB_MAX_PINNED	  8192
#define LB_MAX_PROTECTED  8192
#define LB_NAME_LEN	  48
/*
 * Engineer uids below this are also bits in the engineer_bits array map: the
 * check every hook makes for every task is then an inlined array load, not a
 * hash lookup. Larger uids (directory services) use the engineers hash only.
 */
#define LB_UID_BITS	(1u << 20)
#define LB_EVENTS_BYTES (16 * 1024 * 1024)

/*
 * How many d_parent steps the zone walk takes before giving up. Deeper than any
 * real data layout; a walk that reaches it without finding the filesystem root
 * is denied for engineers (fail closed) and counted.
 */
#define LB_MAX_DEPTH 64

#define LB_COMM_LEN 16
#define LB_PATH_LEN 256
/* LB_PATH_NAMES events carry at most this many names */
#define LB_PATH_NAMES_MAX 16

/* The kernel's "no uid" (INVALID_UID): an unset login uid. */
#define LB_UID_UNSET ((__u32)-1)
/* The uid recorded for what the agent does itself (expiry, its own records). */
#define LB_UID_AGENT ((__u32)-1)

/* Access bits of a grant and of an operation's intent. */
#define LB_ACCESS_READ	0x1
#define LB_ACCESS_WRITE 0x2

/* guard_config map, index 0 */
#define LB_MODE_ENFORCE	   0
#define LB_MODE_PERMISSIVE 1

struct lb_config {
	__u32 mode;
	__u32 agent_tgid;
	__u64 zone_gen; /* bumped when zones change: cached inode zones are stale (never wraps) */
	__u32 flags;	/* LB_CFG_* */
	__u32 pad;
};

/* lb_config.flags */
#define LB_CFG_ENGINEER_KERNEL                                                                     \
	0x1 /* the site lets engineers change the kernel (modules, kexec...) */

/*
 * The login uid lockboxd gives the notify command it runs: an engineer with no
 * grant, so whatever the command is, it reads no zone and touches no part of
 * the guard. Above LB_UID_BITS, so the engineers hash holds it.
 */
#define LB_CONFINED_UID 0x7ffffff0u

/* Zone id of the guard's own pins under LB_PIN_DIR: no grant ever opens it. */
#define LB_ZONE_GUARD 0x7fffffffu
/* Zone id of the agent's config and database: engineers may read them, never change them. */
#define LB_ZONE_AGENT 0x7ffffffeu
/*
 * Zone id of the agent's database, its -wal and -shm: engineers may not open
 * them at all (an open -shm lets its holder lock the agent's commits out). No
 * grant is ever made for it, so decide() refuses every access.
 */
#define LB_ZONE_AGENT_DB 0x7ffffffdu

/*
 * inode_zones map (inode storage): an inode's zone as a walk found it, valid
 * while lb_config.zone_gen has not moved. linked map ({dev, ino} -> this):
 * a file with hard links in a zone stays in it by any name, evicted or not.
 */
struct lb_inode_zone {
	__u32 zone; /* 0: in no zone */
	__u32 pad;
	__u64 gen;	/* lb_config.zone_gen + 1 when cached */
	__u64 root_ino; /* the zone root it belongs under, for event paths */
};

/*
 * subjects (in the guard's global): what a task's credentials were found to
 * be, so that a task that is no engineer leaves each hook after one inlined
 * load, and an engineer's read needs no engineers lookup. A slot holds the
 * address of a struct cred and a login uid: with bit 0 of cred clear, its uid,
 * euid and fsuid are no engineer's and neither is the login uid; with it set,
 * the task is the engineer in the slot (the identity its grants are keyed by,
 * subject_lookup()). It is looked up by the task's own cred pointer and login
 * uid, so setuid, setresuid, setfsuid, exec and override_creds (each a new
 * struct cred) and a login uid write all miss it. The guard clears a slot when
 * its cred is freed (cred_free: the address can then hold another cred), and
 * the agent clears them all, after waiting for running guard programs,
 * whenever the engineers set changes (an engineer added or removed).
 */
#define LB_SUBJECT_SLOTS    1024
#define LB_CRED_SHIFT	    6 /* struct cred is cache-line aligned (cred_jar, SLAB_HWCACHE_ALIGN) */
#define LB_SUBJECT_ENGINEER 0x1 /* lb_subject_slot.cred: the slot names an engineer */

struct lb_subject_slot {
	__u64 cred; /* 0: empty; | LB_SUBJECT_ENGINEER for an engineer */
	__u32 loginuid;
	__u32 engineer; /* the engineer's grant identity; LB_UID_UNSET in a no-engineer slot */
};

struct lb_subjects {
	struct lb_subject_slot slot[LB_SUBJECT_SLOTS];
};

/*
 * verdicts (in the same global): an engineer's access to an inode, allowed by
 * a grant, by struct inode address. A hit lets a read or a repeated open skip
 * the zone and grant lookups and the clock; an open is logged once per inode
 * and grant, the repeats counted in the slot and recorded (count) when the
 * slot is taken for another inode or engineer, or its inode is freed. A slot
 * is valid while gen has not moved (the agent bumps it after every grant or
 * zone change, the guard on every rename on a zoned filesystem) and until its
 * jiffies deadline, set at most LB_VERDICT_TICKS ahead and never past the
 * grant's expiry (jiffies do not count a suspend: a cached verdict can
 * outlive a grant that expired while the host slept by at most that much).
 * inode_free_security forgets a freed inode's slot. seq is odd while a
 * writer fills the slot; readers check it did not move.
 */
#define LB_VERDICT_SLOTS 1024
#define LB_VERDICT_TICKS 64
#define LB_INODE_SHIFT	 6

struct lb_verdict_slot {
	__u32 seq;
	__u32 engineer;
	__u64 inode; /* 0: empty */
	__u32 gen;
	__u32 until; /* jiffies, low 32 bits */
	__u64 grant_id;
	__u64 root_dev; /* the zone root, for the repeats' record */
	__u64 root_ino;
	__u32 zone;
	__u32 opens;  /* allowed opens since the one logged, not yet recorded */
	__u16 access; /* LB_ACCESS_* the grant allows */
	__u16 logged; /* LB_ACCESS_* intents of the opens logged under grant_id */
	__u32 denies; /* the kernel's MAY_* bits of a read or write the grant does not cover */
};

struct lb_verdicts {
	__u64 gen;
	__u64 pad[7];
	struct lb_verdict_slot slot[LB_VERDICT_SLOTS];
};

/*
 * denials (in the same global): an engineer's denied opens, reads, writes and
 * other uses or changes of one existing file (unlink, chmod, rename, mmap...),
 * by struct inode address as verdicts are, so that a burst of
 * them is one record with an exact count instead of a flood that overflows
 * the ring buffer. The guard logs a denial and takes the slot; the identical
 * denials that follow within LB_DENY_WINDOW_NS of it (same engineer, uid,
 * login uid, file, op, intent, verdict, reason, grant and zone) are counted
 * here, not logged. The count becomes one event (LB_EVENT_REPEATS, first_ns,
 * time_ns the last) when a denial after the window or of another file takes
 * the slot, or when the agent, on its tick, takes the count of a slot whose
 * window has passed. A count the guard cannot record (the ring buffer full)
 * stays in the slot, and the denials matching it keep adding to it. The file
 * is its inode's address, number and generation: an address a freed inode
 * left to another file never matches. seq is as in verdict slots; the agent
 * takes a slot with the same compare-and-swap. path: the logged denial's.
 * A refused tampering with no file takes a slot the same way, its inode an
 * odd key (engineer and op), never an address: no path, zone or grant.
 */
#define LB_DENY_SLOTS	  1024
#define LB_DENY_WINDOW_NS 1000000000ULL

struct lb_deny_slot {
	__u32 seq;
	__u32 engineer;
	__u64 inode; /* 0: never taken */
	__u64 ino;
	__u64 start_ns; /* the window's start: the denial logged */
	__u64 first_ns; /* the first and the last denial counted */
	__u64 last_ns;
	__u64 grant_id;
	__u64 root_dev; /* the zone root, as in events */
	__u64 root_ino;
	__u32 igen; /* the inode's i_generation */
	__u32 uid;
	__u32 loginuid;
	__u32 zone;
	__u32 count; /* denials counted, not yet recorded */
	__u16 op;
	__u8 access;
	__u8 reason;
	__u8 verdict;
	__u8 path_kind;
	__u16 names;
	__u32 pad;
	char path[LB_PATH_LEN];
};

struct lb_denials {
	struct lb_deny_slot slot[LB_DENY_SLOTS];
};

/* The guard's one global (.bss), pinned as LB_PIN_DIR/LB_CACHES_PIN. */
#define LB_CACHES_PIN "caches"

struct lb_caches {
	struct lb_subjects subjects;
	struct lb_verdicts verdicts;
	struct lb_denials denials;
};

/* engineers map: uid -> flags */
#define LB_ENGINEER 0x1

/* zones map: {dev, ino} of a protected root -> zone id (> 0) */
struct lb_zone_key {
	__u64 dev; /* kernel encoding: MAJOR << 20 | MINOR */
	__u64 ino;
};

/*
 * pinned_dirs map: {dev, ino} -> 1 for every zone root, every protected path,
 * and each of their ancestors: engineers may not rename, exchange or mount on them.
 */

/*
 * protected_names map: {dev, parent ino, name} -> 1 for each of lockbox's own
 * paths and the identity sources, whether or not the file exists yet (an
 * absent /etc/ld.so.preload may not be created). Names longer than
 * LB_NAME_LEN - 1 are matched on their first LB_NAME_LEN - 1 bytes.
 */
struct lb_name_key {
	__u64 dev;
	__u64 parent_ino;
	char name[LB_NAME_LEN];
};

/* grants map: {engineer uid, zone id} -> grant */
struct lb_grant_key {
	__u32 uid;
	__u32 zone;
};

struct lb_grant {
	__u64 id;
	__u64 expires_ns; /* CLOCK_BOOTTIME, as bpf_ktime_get_boot_ns() */
	__u32 access;	  /* LB_ACCESS_* */
	__u32 pad;
};

/* counters map (per-CPU array) indices */
enum lb_counter {
	LB_CNT_EVENTS_LOST = 0,	 /* ring buffer full: event dropped */
	LB_CNT_DEPTH_DENIED = 1, /* walk bound reached: denied */
	LB_CNT_NOLOG_DENIED = 2, /* granted access denied for lack of a log slot */
	LB_CNT_MAX = 3,
};

enum lb_op {
	LB_OP_OPEN = 1,
	LB_OP_READ,
	LB_OP_WRITE,
	LB_OP_MMAP,
	LB_OP_EXEC,
	LB_OP_RECEIVE,
	LB_OP_CREATE,
	LB_OP_MKDIR,
	LB_OP_MKNOD,
	LB_OP_SYMLINK,
	LB_OP_LINK,
	LB_OP_UNLINK,
	LB_OP_RMDIR,
	LB_OP_RENAME,
	LB_OP_TRUNCATE,
	LB_OP_SETATTR,
	LB_OP_SETXATTR,
	LB_OP_REMOVEXATTR,
	LB_OP_BPF,
	LB_OP_PTRACE,
	LB_OP_SIGNAL,
	LB_OP_UMOUNT,
	LB_OP_MOUNT,	 /* mount, move or pivot on or above a zone or lockbox's paths */
	LB_OP_AUDIT_CTL, /* audit netlink control (the login uid's guard) */
	LB_OP_TTY,	 /* TIOCSTI, or opening another user's terminal */
	LB_OP_KERNEL,	 /* module, kexec, lockdown-guarded kernel access, kernel sysctls */
	LB_OP_PERF,	 /* perf_event_open of the kernel or tracepoints */
	LB_OP_IOCTL,	 /* a modifying ioctl on a zone file */
	LB_OP_CLOCK,	 /* settime */
	LB_OP_DEVICE,	 /* loop, device-mapper or passthrough device set-up */
	LB_OP_MAX,
};

enum lb_verdict {
	LB_VERDICT_ALLOW = 0, /* inside a zone, under a grant */
	LB_VERDICT_DENY = 1,  /* refused with -EACCES */
	LB_VERDICT_AUDIT = 2, /* permissive mode: would have been denied */
};

enum lb_reason {
	LB_REASON_GRANT = 0,	/* allowed by a grant */
	LB_REASON_NO_GRANT = 1, /* no grant for this engineer and zone */
	LB_REASON_EXPIRED = 2,	/* grant past its expiry */
	LB_REASON_ACCESS = 3,	/* grant does not cover the intent */
	LB_REASON_DEPTH = 4,	/* walk bound reached */
	LB_REASON_NO_LOG = 5,	/* no room in the ring buffer for the event */
	LB_REASON_TAMPER = 6,	/* bpf(), ptrace or signal refused */
	LB_REASON_DETACHED = 7, /* dentry not connected to its filesystem root */
};

/* lb_event.path_kind */
#define LB_PATH_FULL 0 /* path: absolute, from bpf_d_path */
/*
 * path: NUL-separated names from the file up towards its zone root (leaf
 * first), written where bpf_d_path is not allowed; userspace joins them under
 * the zone root's path.
 */
#define LB_PATH_NAMES 1

struct lb_event {
	__u64 time_ns; /* CLOCK_BOOTTIME */
	__u64 grant_id;
	__u64 dev;
	__u64 ino;
	__u32 pid;
	__u32 tgid;
	__u32 uid;
	__u32 loginuid;
	__u32 engineer; /* the identity the grant is keyed by */
	__u32 zone;
	__u16 op;	/* enum lb_op */
	__u8 verdict;	/* enum lb_verdict */
	__u8 reason;	/* enum lb_reason */
	__u8 access;	/* LB_ACCESS_* intent */
	__u8 path_kind; /* LB_PATH_* */
	__u16 names;	/* LB_PATH_NAMES: how many names */
	char comm[LB_COMM_LEN];
	char path[LB_PATH_LEN];
	__u32 count; /* accesses this record stands for: 1, or with LB_EVENT_REPEATS the repeats */
	__u32 flags; /* LB_EVENT_* */
	__u64 first_ns; /* a denial's repeats: the first of them (time_ns: the last); else 0 */
};

/*
 * lb_event.flags: a counted record, with no pid and no comm (they were many).
 * Allowed (verdict allow): the repeated opens of one inode under one grant,
 * counted by the guard after it logged the first (the path: the zone root).
 * Denied (deny or audit): the denials a denials slot counted (first_ns to
 * time_ns), with the path of the one logged before them.
 */
#define LB_EVENT_REPEATS 0x1

#endif /* LOCKBOX_H */
