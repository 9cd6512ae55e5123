/* SPDX-License-Identifier: GPL-2.0-only */
/* The agent's configuration: JSON file (or embedded default), parsed and validated strictly. */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "sshkey.h"

#define CONFIG_DEFAULT_PATH   "/etc/lockbox/lockbox.json"
#define CONFIG_CUSTOMERS_ROOT "/srv/customers" /* where the embedded default finds zones */

#define CONFIG_DEFAULT_SOCKET	      "/run/lockbox/lockbox.sock"
#define CONFIG_DEFAULT_DATABASE	      "/var/lib/lockbox/lockbox.db"
#define CONFIG_DEFAULT_REQUEST_TTL    (12 * 3600)
#define CONFIG_DEFAULT_MAX_DURATION   (4 * 3600)
#define CONFIG_DEFAULT_NOTIFY_COMMAND "/usr/sbin/sendmail -t"
#define CONFIG_APPROVALS_MAX	      16

/* Users and groups by name; resolved through NSS when used (identity.h). */
struct principals {
	char **users;
	size_t n_users;
	char **groups;
	size_t n_groups;
};

struct zone_cfg {
	char *name;
	char **paths; /* absolute, existing directories, as written */
	size_t n_paths;
	struct principals approvers;
	int approvals_required; /* 1..CONFIG_APPROVALS_MAX */
	int64_t max_duration;	/* seconds; the global cap still applies */
	char **notify;		/* addresses */
	size_t n_notify;
	char **devices; /* block devices whose raw contents belong to the zone */
	size_t n_devices;
	/* keys whose SSHSIG signatures approve (and revoke) the zone's statements */
	struct named_key *approver_keys;
	size_t n_approver_keys;
	/* only sk-ssh-ed25519 keys listed; verification must also require user presence */
	bool hardware_keys_only;
};

/*
 * A trusted public key (approver_keys, security_keys) with the name the signer goes
 * by in decisions and the trail. One name may hold several keys (an old and a new
 * one during rotation): approvals_required counts distinct names, not keys.
 */
struct named_key {
	char *name;	   /* a user-name-like label, at most LB_NAME_MAX - 1 bytes */
	struct sshkey key; /* parsed at load; compare blobs with sshkey_equal() */
};

/* notify.addresses: where a user's mail goes when user@domain does not fit */
struct user_address {
	char *user, *address;
};

struct config {
	char *socket;
	char *database;
	struct principals engineers, security;
	int64_t request_ttl, max_duration; /* seconds */
	char *notify_command;
	char *notify_from;
	char *notify_format;		       /* "mail" (NULL) or "json" */
	struct user_address *notify_addresses; /* ends at a NULL user; NULL for none */
	bool permissive;
	char *audit_log; /* JSON-lines file every audit record is appended to, or NULL */
	bool syslog;
	bool engineer_kernel_access; /* engineers may load modules, kexec, trace the kernel... */
	struct zone_cfg *zones;
	size_t n_zones;
	/* more paths engineers may read but not change (absolute; need not exist yet) */
	char **protected_paths;
	size_t n_protected_paths;
	char *host;	    /* the name records and statements carry; NULL: gethostname() */
	char *metrics_file; /* Prometheus textfile written every tick, or NULL */
	/* keys whose signatures revoke any zone's statements (not approve them) */
	struct named_key *security_keys;
	size_t n_security_keys;
};

/* The address configured for @user in notify.addresses, or NULL. */
const char *config_user_address(const struct config *c, const char *user);

/*
 * Parses and validates a whole config (including that paths and devices exist). On error
 * returns a negative errno and fills err with a message that names the key, e.g.
 * "zones[0].approvers.gruops: unknown key".
 */
int config_parse(const char *json, size_t len, struct config **out, char *err, size_t errlen);
/* The same, also writing every error found, one "key: message" line each, to @report. */
int config_parse_report(const char *json, size_t len, struct config **out, FILE *report, char *err,
			size_t errlen);

/*
 * Reads and parses a config file; messages in err start with the file's path.
 * path == NULL: CONFIG_DEFAULT_PATH, or the embedded default when that file does not exist.
 * An explicit path that does not exist is an error.
 */
int config_load(const char *path, struct config **out, char *err, size_t errlen);

/* The embedded default, with one zone per directory under CONFIG_CUSTOMERS_ROOT. */
int config_embedded(struct config **out, char *err, size_t errlen);

/* The embedded default with zones discovered under customers_root (tests use a temp dir). */
int config_embedded_at(const char *customers_root, struct config **out, char *err, size_t errlen);

/* config_load() with every error also written to @report (lockboxd --check-config). */
int config_load_report(const char *path, struct config **out, FILE *report, char *err,
		       size_t errlen);

void config_free(struct config *c);

/* The zone called name, or NULL. */
const struct zone_cfg *config_zone(const struct config *c, const char *name);

/*
 * The entry of @keys (@n of them: a zone's approver_keys, or security_keys) holding
 * @key (same blob), or NULL: who made a signature, given sshsig_info.key.
 */
const struct named_key *config_named_key(const struct named_key *keys, size_t n,
					 const struct sshkey *key);

/* The longest grant allowed in zone z (z may be NULL): the smaller of global and zone caps. */
int64_t config_max_duration(const struct config *c, const struct zone_cfg *z);

#endif /* CONFIG_H */
