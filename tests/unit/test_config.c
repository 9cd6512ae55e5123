// SPDX-License-Identifier: GPL-2.0-only
/* The config: every key valid, of the wrong type, with a bad value, and unknown keys. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tap.h"
#include "config.h"
#include "sshtest.h"

static char dir[64]; /* a temp dir with acme/, globex/, acme/sub/, a-file */
static char err[512];
static struct config *cfg; /* the last parse's result, freed by the next */

/* Replaces each "@D" in a template with the temp dir. */
static const char *expand(const char *tmpl)
{
	static char out[8192];
	size_t o = 0;

	for (const char *p = tmpl; *p && o + sizeof(dir) < sizeof(out); p++) {
		if (p[0] == '@' && p[1] == 'D') {
			o += snprintf(out + o, sizeof(out) - o, "%s", dir);
			p++;
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
	return out;
}

static int parse_doc(const char *tmpl)
{
	const char *json = expand(tmpl);

	config_free(cfg);
	cfg = NULL;
	err[0] = '\0';
	return config_parse(json, strlen(json), &cfg, err, sizeof(err));
}

#define ZONE_ACME                                                                                  \
	"\"name\": \"acme\", \"paths\": [\"@D/acme\"], \"approvers\": {\"groups\": "               \
	"[\"acme-admins\"]}"

/* A config with `top` keys added at the top level and `zone` keys added to zone acme. */
static int parse_with(const char *top, const char *zone)
{
	char doc[4096];

	snprintf(doc, sizeof(doc), "{ %s%s \"zones\": [ { " ZONE_ACME "%s%s } ] }", top,
		 *top ? "," : "", *zone ? ", " : "", zone);
	return parse_doc(doc);
}

static int has_err(const char *want)
{
	int found = strstr(err, want) != NULL;

	if (!found)
		printf("#   error was \"%s\", want it to contain \"%s\"\n", err, want);
	return found;
}

/* One assertion: the document is refused with an error containing `want`. */
#define refused(rc, want, ...) ok((rc) < 0 && !cfg && has_err(want), __VA_ARGS__)
#define accepted(rc, ...)                                                                          \
	({                                                                                         \
		int _r = (rc);                                                                     \
		if (_r)                                                                            \
			printf("#   rc %d, error \"%s\"\n", _r, err);                              \
		ok(_r == 0 && cfg, __VA_ARGS__);                                                   \
	})

static void make_tree(void)
{
	char p[128];
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/lockbox-test-config.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(p, sizeof(p), "%s/acme", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/acme/sub", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/globex", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/a-file", dir);
	f = fopen(p, "w");
	if (f)
		fclose(f);
}

static void remove_tree(const char *root)
{
	char cmd[256];

	/* only ever our own mkdtemp directory */
	if (!strncmp(root, "/tmp/lockbox-test-", 18)) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd))
			printf("# could not remove %s\n", root);
	}
}

static void test_minimal_config_gets_defaults(void)
{
	char host[256] = "", from[300];

	accepted(parse_with("", ""), "a config of one zone is valid");
	if (!cfg)
		return;
	is_str(cfg->socket, "/run/lockbox/lockbox.sock", "socket defaults");
	is_str(cfg->database, "/var/lib/lockbox/lockbox.db", "database defaults");
	is_int(cfg->engineers.n_users + cfg->engineers.n_groups, 0, "engineers default empty");
	is_int(cfg->security.n_users + cfg->security.n_groups, 0, "security defaults empty");
	is_int(cfg->request_ttl, 12 * 3600, "request_ttl defaults to 12h");
	is_int(cfg->max_duration, 4 * 3600, "max_duration defaults to 4h");
	is_str(cfg->notify_command, "/usr/sbin/sendmail -t", "notify.command defaults to sendmail");
	gethostname(host, sizeof(host) - 1);
	snprintf(from, sizeof(from), "lockbox@%s", host[0] ? host : "localhost");
	is_str(cfg->notify_from, from, "notify.from defaults to lockbox@<hostname>");
	ok(!cfg->permissive, "permissive defaults to false");
	ok(!cfg->audit_log, "audit_log defaults to none");
	ok(!cfg->syslog, "syslog defaults to false");
	ok(!cfg->engineer_kernel_access, "engineer_kernel_access defaults to false");
	is_int(cfg->n_zones, 1, "one zone");
	is_str(cfg->zones[0].name, "acme", "zone name");
	is_int(cfg->zones[0].n_paths, 1, "one path");
	is_int(cfg->zones[0].approvals_required, 1, "approvals_required defaults to 1");
	is_int(cfg->zones[0].max_duration, 4 * 3600, "zone max_duration defaults to the global");
	is_int(cfg->zones[0].n_notify, 0, "zone notify defaults empty");
	is_int(cfg->zones[0].n_devices, 0, "zone devices default empty");
	is_int(cfg->zones[0].approvers.n_users, 0, "no approver users");
	is_int(cfg->zones[0].approvers.n_groups, 1, "one approver group");
	is_str(cfg->zones[0].approvers.groups[0], "acme-admins", "approver group name");
}

static void test_design_example_parses(void)
{
	accepted(
		parse_doc(
			"{\n"
			"  \"socket\": \"/run/lockbox/lockbox.sock\",\n"
			"  \"database\": \"/var/lib/lockbox/lockbox.db\",\n"
			"  \"engineers\": { \"users\": [\"eng1\"], \"groups\": [\"engineers\"] },\n"
			"  \"security\":  { \"users\": [], \"groups\": [\"secops\"] },\n"
			"  \"request_ttl\": \"12h\",\n"
			"  \"max_duration\": \"4h\",\n"
			"  \"notify\": { \"command\": \"/usr/sbin/sendmail -t\", \"from\": "
			"\"lockbox@host\" },\n"
			"  \"permissive\": true, \"audit_log\": \"/var/log/lockbox/audit.jsonl\",\n"
			"  \"syslog\": true,\n"
			"  \"zones\": [\n"
			"    { \"name\": \"acme\", \"paths\": [\"@D/acme\"],\n"
			"      \"approvers\": { \"users\": [\"acme-admin\"], \"groups\": [] },\n"
			"      \"approvals_required\": 2, \"max_duration\": \"8h\",\n"
			"      \"notify\": [\"admin@acme.example\"],\n"
			"      \"devices\": [] },\n"
			"    { \"name\": \"globex\", \"paths\": [\"@D/globex\"],\n"
			"      \"approvers\": { \"groups\": [\"globex-admins\"] },\n"
			"      \"max_duration\": \"1h\" }\n"
			"  ]\n"
			"}\n"),
		"the DESIGN.md example with every key parses");
	if (!cfg)
		return;
	is_str(cfg->engineers.users[0], "eng1", "engineers.users");
	is_str(cfg->engineers.groups[0], "engineers", "engineers.groups");
	is_str(cfg->security.groups[0], "secops", "security.groups");
	is_str(cfg->notify_from, "lockbox@host", "notify.from");
	ok(cfg->permissive, "permissive true");
	is_str(cfg->audit_log, "/var/log/lockbox/audit.jsonl", "audit_log");
	ok(cfg->syslog, "syslog true");
	is_int(cfg->n_zones, 2, "two zones");
	is_str(cfg->zones[0].approvers.users[0], "acme-admin", "approvers.users");
	is_int(cfg->zones[0].approvals_required, 2, "approvals_required 2");
	is_int(cfg->zones[0].max_duration, 8 * 3600, "zone max_duration kept as written");
	is_str(cfg->zones[0].notify[0], "admin@acme.example", "zone notify");
	is_str(cfg->zones[1].paths[0], expand("@D/globex"), "paths kept as written");

	ok(config_zone(cfg, "globex") == &cfg->zones[1], "config_zone finds globex");
	ok(config_zone(cfg, "initech") == NULL, "config_zone: unknown zone is NULL");
	ok(config_zone(cfg, NULL) == NULL, "config_zone: NULL name is NULL");
	is_int(config_max_duration(cfg, config_zone(cfg, "acme")), 4 * 3600,
	       "a zone cap above the global cap is capped by the global");
	is_int(config_max_duration(cfg, config_zone(cfg, "globex")), 3600,
	       "a zone cap below the global cap wins");
	is_int(config_max_duration(cfg, NULL), 4 * 3600, "no zone: the global cap");
}

static void test_syntax_errors(void)
{
	refused(parse_doc("{ \"zones\": [ }"), "line 1", "a JSON syntax error names the line");
	refused(parse_doc("{ \"zones\": [] } junk"), "line 1", "trailing junk is refused");
	refused(parse_doc(""), "line", "an empty document is refused");
	refused(parse_doc("[]"), "must be a JSON object", "an array at the top is refused");
	refused(parse_doc("{ \"zones\": [], \"zones\": [] }"), "duplicate",
		"a duplicate key is refused");
	refused(parse_doc("{ \"socket\": \"/a\\u0000b\", \"zones\": [] }"), "line",
		"a NUL inside a string is refused");
	accepted(parse_doc("{ \"zones\": [] }"), "an empty zone list is valid");
}

static void test_unknown_keys_at_every_level(void)
{
	refused(parse_with("\"sokcet\": \"/x\"", ""), "sokcet: unknown key", "top level");
	refused(parse_with("\"engineers\": {\"users\": [], \"gruops\": []}", ""),
		"engineers.gruops: unknown key", "in engineers");
	refused(parse_with("\"security\": {\"user\": []}", ""), "security.user: unknown key",
		"in security");
	refused(parse_with("\"notify\": {\"cmd\": \"x\"}", ""), "notify.cmd: unknown key",
		"in notify");
	refused(parse_with("", "\"approver\": {}"), "zones[0].approver: unknown key", "in a zone");
	refused(parse_doc("{ \"zones\": [ { \"name\": \"acme\", \"paths\": [\"@D/acme\"], "
			  "\"approvers\": { \"gruops\": [\"x\"] } } ] }"),
		"zones[0].approvers.gruops: unknown key", "in approvers");
	refused(parse_with("\"bad\\nkey\": 1", ""), "bad?key: unknown key",
		"control characters in an unknown key are not echoed");
}

static void test_socket(void)
{
	char doc[512], longpath[200];

	accepted(parse_with("\"socket\": \"/tmp/lb.sock\"", ""), "socket: valid");
	if (cfg)
		is_str(cfg->socket, "/tmp/lb.sock", "socket: value kept");
	refused(parse_with("\"socket\": 5", ""), "socket: expected a string", "socket: wrong type");
	refused(parse_with("\"socket\": \"run/lb.sock\"", ""),
		"socket: \"run/lb.sock\" is not an absolute path", "socket: relative path");
	refused(parse_with("\"socket\": \"\"", ""), "socket:", "socket: empty");
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	snprintf(doc, sizeof(doc), "\"socket\": \"%s\"", longpath);
	refused(parse_with(doc, ""), "unix socket", "socket: longer than sun_path");
}

static void test_database(void)
{
	accepted(parse_with("\"database\": \"/tmp/lb.db\"", ""), "database: valid");
	if (cfg)
		is_str(cfg->database, "/tmp/lb.db", "database: value kept");
	refused(parse_with("\"database\": null", ""), "database: expected a string",
		"database: wrong type");
	refused(parse_with("\"database\": \"lb.db\"", ""), "database: \"lb.db\" is not an absolute",
		"database: relative path");
}

static void test_principals(const char *key)
{
	char top[256], want[128];

	snprintf(top, sizeof(top),
		 "\"%s\": {\"users\": [\"eng1\", \"root\"], \"groups\": [\"g1\"]}", key);
	accepted(parse_with(top, ""), "%s: valid", key);
	if (cfg) {
		struct principals *p = !strcmp(key, "engineers") ? &cfg->engineers : &cfg->security;

		is_int(p->n_users, 2, "%s: two users", key);
		is_str(p->users[1], "root", "%s: users kept in order", key);
		is_int(p->n_groups, 1, "%s: one group", key);
	}
	snprintf(top, sizeof(top), "\"%s\": {\"users\": []}", key);
	accepted(parse_with(top, ""), "%s: may be empty", key);

	snprintf(top, sizeof(top), "\"%s\": [\"eng1\"]", key);
	snprintf(want, sizeof(want), "%s: expected an object", key);
	refused(parse_with(top, ""), want, "%s: wrong type", key);

	snprintf(top, sizeof(top), "\"%s\": {\"users\": \"eng1\"}", key);
	snprintf(want, sizeof(want), "%s.users: expected an array", key);
	refused(parse_with(top, ""), want, "%s.users: wrong type", key);

	snprintf(top, sizeof(top), "\"%s\": {\"groups\": [\"ok\", 7]}", key);
	snprintf(want, sizeof(want), "%s.groups[1]: expected a string", key);
	refused(parse_with(top, ""), want, "%s.groups[1]: wrong item type", key);

	snprintf(top, sizeof(top), "\"%s\": {\"users\": [\"two words\"]}", key);
	snprintf(want, sizeof(want), "%s.users[0]: \"two words\" is not a user or group name", key);
	refused(parse_with(top, ""), want, "%s.users: a name with a space", key);

	snprintf(top, sizeof(top), "\"%s\": {\"groups\": [\"\"]}", key);
	snprintf(want, sizeof(want), "%s.groups[0]: a name cannot be empty", key);
	refused(parse_with(top, ""), want, "%s.groups: an empty name", key);

	snprintf(top, sizeof(top), "\"%s\": {\"users\": [\"a:b\"]}", key);
	snprintf(want, sizeof(want), "%s.users[0]:", key);
	refused(parse_with(top, ""), want, "%s.users: a name with a colon", key);

	snprintf(top, sizeof(top),
		 "\"%s\": {\"users\": "
		 "[\"a234567890123456789012345678901234567890123456789012345678901234\"]}",
		 key);
	snprintf(want, sizeof(want), "%s.users[0]:", key);
	refused(parse_with(top, ""), want, "%s.users: a 64-character user name", key);
}

static void test_durations(const char *key, int64_t *(*field)(struct config *))
{
	char top[128], want[160];

	snprintf(top, sizeof(top), "\"%s\": \"1h30m\"", key);
	accepted(parse_with(top, ""), "%s: valid", key);
	if (cfg)
		is_int(*field(cfg), 5400, "%s: 1h30m is 5400 s", key);

	snprintf(top, sizeof(top), "\"%s\": 3600", key);
	snprintf(want, sizeof(want), "%s: expected a duration string", key);
	refused(parse_with(top, ""), want, "%s: a number is the wrong type", key);

	snprintf(top, sizeof(top), "\"%s\": \"12x\"", key);
	snprintf(want, sizeof(want),
		 "%s: \"12x\" is not a duration (use s, m, h or d, e.g. \"12h\")", key);
	refused(parse_with(top, ""), want, "%s: 12x is not a duration", key);

	snprintf(top, sizeof(top), "\"%s\": \"0h\"", key);
	snprintf(want, sizeof(want), "%s: \"0h\" must be longer than zero", key);
	refused(parse_with(top, ""), want, "%s: zero", key);

	snprintf(top, sizeof(top), "\"%s\": \"99999999d\"", key);
	snprintf(want, sizeof(want), "%s: \"99999999d\" is too long", key);
	refused(parse_with(top, ""), want, "%s: too long", key);
}

static int64_t *ttl_of(struct config *c)
{
	return &c->request_ttl;
}

static int64_t *max_of(struct config *c)
{
	return &c->max_duration;
}

static void test_notify(void)
{
	accepted(parse_with("\"notify\": {\"command\": \"/bin/true\", \"from\": \"lb@x.example\"}",
			    ""),
		 "notify: valid");
	if (cfg) {
		is_str(cfg->notify_command, "/bin/true", "notify.command kept");
		is_str(cfg->notify_from, "lb@x.example", "notify.from kept");
	}
	accepted(parse_with("\"notify\": {}", ""), "notify: empty object keeps defaults");
	if (cfg)
		is_str(cfg->notify_command, "/usr/sbin/sendmail -t", "notify.command default");
	refused(parse_with("\"notify\": \"sendmail\"", ""), "notify: expected an object",
		"notify: wrong type");
	refused(parse_with("\"notify\": {\"command\": [\"sendmail\"]}", ""),
		"notify.command: expected a string", "notify.command: wrong type");
	refused(parse_with("\"notify\": {\"command\": \"  \"}", ""),
		"notify.command: cannot be empty", "notify.command: blank");
	refused(parse_with("\"notify\": {\"from\": 1}", ""), "notify.from: expected a string",
		"notify.from: wrong type");
	refused(parse_with("\"notify\": {\"from\": \"lockbox\"}", ""),
		"notify.from: \"lockbox\" is not an email address", "notify.from: no @");
}

static void test_bools(void)
{
	accepted(parse_with("\"permissive\": true", ""), "permissive: valid");
	if (cfg)
		ok(cfg->permissive, "permissive: true kept");
	accepted(parse_with("\"permissive\": false", ""), "permissive: false valid");
	refused(parse_with("\"permissive\": \"yes\"", ""), "permissive: expected true or false",
		"permissive: wrong type");
	refused(parse_with("\"permissive\": 1", ""), "permissive: expected true or false",
		"permissive: a number is the wrong type");
	accepted(parse_with("\"syslog\": true", ""), "syslog: valid");
	if (cfg)
		ok(cfg->syslog, "syslog: true kept");
	refused(parse_with("\"syslog\": null", ""), "syslog: expected true or false",
		"syslog: wrong type");
	accepted(parse_with("\"engineer_kernel_access\": true", ""),
		 "engineer_kernel_access: valid");
	if (cfg)
		ok(cfg->engineer_kernel_access, "engineer_kernel_access: true kept");
	accepted(parse_with("\"engineer_kernel_access\": false", ""),
		 "engineer_kernel_access: false valid");
	if (cfg)
		ok(!cfg->engineer_kernel_access, "engineer_kernel_access: false kept");
	refused(parse_with("\"engineer_kernel_access\": \"yes\"", ""),
		"engineer_kernel_access: expected true or false",
		"engineer_kernel_access: wrong type");
	refused(parse_with("\"engineer_kernel_acess\": true", ""),
		"engineer_kernel_acess: unknown key", "engineer_kernel_access: misspelt");
}

static void test_audit_log(void)
{
	accepted(parse_with("\"audit_log\": \"/var/log/lockbox.jsonl\"", ""), "audit_log: valid");
	if (cfg)
		is_str(cfg->audit_log, "/var/log/lockbox.jsonl", "audit_log: value kept");
	refused(parse_with("\"audit_log\": true", ""), "audit_log: expected a string",
		"audit_log: wrong type");
	refused(parse_with("\"audit_log\": \"audit.jsonl\"", ""),
		"audit_log: \"audit.jsonl\" is not an absolute path", "audit_log: relative");
}

static void test_ops_keys(void)
{
	accepted(parse_with("\"host\": \"stor-17.dc1\", \"metrics_file\": \"/var/lib/m.prom\"", ""),
		 "host and metrics_file: valid");
	if (cfg) {
		is_str(cfg->host, "stor-17.dc1", "host kept");
		is_str(cfg->metrics_file, "/var/lib/m.prom", "metrics_file kept");
	}
	accepted(parse_with("", ""), "neither: valid");
	if (cfg)
		ok(!cfg->host && !cfg->metrics_file, "host and metrics_file default to none");
	refused(parse_with("\"host\": \"stor 17\"", ""), "host: \"stor 17\" is not a host name",
		"host: a space");
	refused(parse_with("\"host\": \"\"", ""), "host: \"\" is not a host name", "host: empty");
	refused(parse_with("\"host\": \"-x\"", ""), "host: \"-x\" is not a host name",
		"host: an option-like name");
	refused(parse_with("\"metrics_file\": \"m.prom\"", ""),
		"metrics_file: \"m.prom\" is not an absolute path", "metrics_file: relative");
	accepted(parse_with("\"notify\": {\"format\": \"json\", \"addresses\": "
			    "{\"eng1\": \"alice@corp.example\"}}",
			    ""),
		 "notify.format and notify.addresses: valid");
	if (cfg) {
		is_str(cfg->notify_format, "json", "notify.format kept");
		is_str(config_user_address(cfg, "eng1"), "alice@corp.example", "eng1's address");
		ok(config_user_address(cfg, "eng2") == NULL, "no address for eng2");
	}
	refused(parse_with("\"notify\": {\"format\": \"html\"}", ""),
		"notify.format: expected \"mail\" or \"json\"", "notify.format: unknown");
	refused(parse_with("\"notify\": {\"addresses\": {\"eng1\": \"x, y@z\"}}", ""),
		"notify.addresses.eng1: \"x, y@z\" is not an email address",
		"notify.addresses: an unsafe address names its user");
	refused(parse_with("\"notify\": {\"addresses\": [\"a@b\"]}", ""),
		"notify.addresses: expected an object", "notify.addresses: wrong type");
}

/* zones_from: the embedded default's discovery in a config file (the package's default). */
static void test_zones_from(void)
{
	accepted(parse_doc("{\"zones_from\": \"@D\"}"), "zones_from alone: valid, zones found");
	if (cfg && is_int(cfg->n_zones, 2, "one zone per customer directory (acme, globex)")) {
		is_str(cfg->zones[0].name, "acme", "acme first (sorted)");
		is_str(cfg->zones[1].approvers.groups[0], "globex-admins",
		       "approved by NAME-admins");
	}
	accepted(parse_doc("{\"zones_from\": \"@D\", \"zones\": [{\"name\": \"acme\", \"paths\": "
			   "[\"@D/acme\"], \"approvers\": {\"users\": [\"root\"]}}]}"),
		 "zones_from with a zone written out");
	if (cfg && is_int(cfg->n_zones, 2, "the written zone is not found twice"))
		is_str(cfg->zones[0].approvers.users[0], "root", "and the written one wins");
	refused(parse_doc("{\"zones_from\": \"srv\"}"), "zones_from: expected an absolute path",
		"zones_from: relative");
	accepted(parse_doc("{\"zones_from\": \"@D/none-here\"}"),
		 "zones_from a directory that does not exist: no zones, as the embedded default");
	if (cfg)
		is_int(cfg->n_zones, 0, "and none are found");
}

/* The package's /etc/lockbox/lockbox.json (config/lockbox.json) is the embedded default. */
static void test_shipped_default(void)
{
	struct config *emb = NULL;
	char text[4096], *at;
	FILE *f = fopen("config/lockbox.json", "r");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;

	if (f)
		fclose(f);
	text[n] = 0;
	at = strstr(text, "\"/srv/customers\"");
	if (!ok(at != NULL, "config/lockbox.json names /srv/customers"))
		return;
	memmove(at + 3, at + 15, strlen(at + 15) + 1); /* "/srv/customers" -> "@D" */
	memcpy(at, "\"@D", 3);
	accepted(parse_doc(text), "config/lockbox.json parses");
	if (!cfg || config_embedded_at(dir, &emb, err, sizeof(err)))
		return;
	is_int(cfg->n_zones, emb->n_zones, "the same zones as the embedded default");
	for (size_t i = 0; i < cfg->n_zones && i < emb->n_zones; i++)
		ok(!strcmp(cfg->zones[i].name, emb->zones[i].name) &&
			   !strcmp(cfg->zones[i].approvers.groups[0],
				   emb->zones[i].approvers.groups[0]),
		   "zone %s, approved by %s, as embedded", cfg->zones[i].name,
		   cfg->zones[i].approvers.groups[0]);
	ok(cfg->request_ttl == emb->request_ttl && cfg->max_duration == emb->max_duration &&
		   !strcmp(cfg->engineers.groups[0], emb->engineers.groups[0]) &&
		   !strcmp(cfg->security.groups[0], emb->security.groups[0]),
	   "the same durations, engineers and security");
	config_free(emb);
}

static void test_protected_paths(void)
{
	accepted(
		parse_with("\"protected_paths\": [\"/etc/sudoers\", \"/etc/cron.d/none-yet\"]", ""),
		"protected_paths: valid, and need not exist");
	if (cfg) {
		is_int(cfg->n_protected_paths, 2, "protected_paths: both kept");
		is_str(cfg->protected_paths[1], "/etc/cron.d/none-yet",
		       "protected_paths: in order");
	}
	refused(parse_with("\"protected_paths\": \"/etc/sudoers\"", ""),
		"protected_paths: expected an array of strings", "protected_paths: wrong type");
	refused(parse_with("\"protected_paths\": [\"etc/sudoers\"]", ""),
		"protected_paths[0]: \"etc/sudoers\" is not an absolute path",
		"protected_paths: relative path names its index");
}

static void test_zones_list(void)
{
	refused(parse_doc("{}"), "zones: is required", "zones: missing");
	refused(parse_doc("{ \"zones\": {} }"), "zones: expected an array", "zones: wrong type");
	refused(parse_doc("{ \"zones\": [\"acme\"] }"), "zones[0]: expected an object",
		"zones[0]: wrong type");
}

static void test_zone_name(void)
{
	refused(parse_doc("{ \"zones\": [ { \"paths\": [\"@D/acme\"], \"approvers\": "
			  "{\"groups\": [\"g\"]} } ] }"),
		"zones[0].name: is required", "name: missing");
	refused(parse_doc("{ \"zones\": [ { \"name\": 1, \"paths\": [\"@D/acme\"], "
			  "\"approvers\": {\"groups\": [\"g\"]} } ] }"),
		"zones[0].name: expected a string", "name: wrong type");
	refused(parse_doc("{ \"zones\": [ { \"name\": \"Acme\", \"paths\": [\"@D/acme\"], "
			  "\"approvers\": {\"groups\": [\"g\"]} } ] }"),
		"zones[0].name: \"Acme\" is not a zone name", "name: upper case");
	refused(parse_doc("{ \"zones\": [ { \"name\": \"-acme\", \"paths\": [\"@D/acme\"], "
			  "\"approvers\": {\"groups\": [\"g\"]} } ] }"),
		"zones[0].name: \"-acme\" is not a zone name", "name: leading dash");
	refused(parse_doc("{ \"zones\": [ { \"name\": \"\", \"paths\": [\"@D/acme\"], "
			  "\"approvers\": {\"groups\": [\"g\"]} } ] }"),
		"zones[0].name:", "name: empty");
	refused(parse_doc("{ \"zones\": [ { \"name\": "
			  "\"a234567890123456789012345678901234567890123456789012345678901234\", "
			  "\"paths\": [\"@D/acme\"], \"approvers\": {\"groups\": [\"g\"]} } ] }"),
		"is not a zone name", "name: 64 characters");
	accepted(parse_doc("{ \"zones\": [ { \"name\": \"a.b_c-9\", \"paths\": [\"@D/acme\"], "
			   "\"approvers\": {\"groups\": [\"g\"]} } ] }"),
		 "name: dots, underscores, dashes and digits");
	refused(parse_doc("{ \"zones\": [ { " ZONE_ACME " }, { \"name\": \"acme\", "
			  "\"paths\": [\"@D/globex\"], \"approvers\": {\"groups\": [\"g\"]} } ] }"),
		"zones[1].name: \"acme\" is used twice", "name: used by two zones");
}

static void test_zone_paths(void)
{
	char want[256];

	refused(parse_doc("{ \"zones\": [ { \"name\": \"acme\", \"approvers\": "
			  "{\"groups\": [\"g\"]} } ] }"),
		"zones[0].paths: is required", "paths: missing");
	refused(parse_doc("{ \"zones\": [ { \"name\": \"acme\", \"paths\": [], \"approvers\": "
			  "{\"groups\": [\"g\"]} } ] }"),
		"zones[0].paths: expected a non-empty array", "paths: empty");
	refused(parse_doc("{ \"zones\": [ { \"name\": \"acme\", \"paths\": \"@D/acme\", "
			  "\"approvers\": {\"groups\": [\"g\"]} } ] }"),
		"zones[0].paths: expected a non-empty array", "paths: a string is the wrong type");
	refused(parse_doc("{ \"zones\": [ { \"name\": \"acme\", \"paths\": [\"@D/acme\", 3], "
			  "\"approvers\": {\"groups\": [\"g\"]} } ] }"),
		"zones[0].paths[1]: expected a string", "paths[1]: wrong item type");
	refused(parse_doc("{ \"zones\": [ { \"name\": \"acme\", \"paths\": [\"srv/acme\"], "
			  "\"approvers\": {\"groups\": [\"g\"]} } ] }"),
		"zones[0].paths[0]: \"srv/acme\" is not an absolute path", "paths: relative");

	snprintf(want, sizeof(want), "zones[1].paths[0]: %s/nope: No such file or directory", dir);
	refused(parse_doc("{ \"zones\": [ { " ZONE_ACME " }, { \"name\": \"globex\", "
			  "\"paths\": [\"@D/nope\"], \"approvers\": {\"groups\": [\"g\"]} } ] }"),
		want, "paths: a missing directory is named with its key and errno text");
	snprintf(want, sizeof(want), "zones[0].paths[0]: %s/a-file: Not a directory", dir);
	refused(parse_doc("{ \"zones\": [ { \"name\": \"acme\", \"paths\": [\"@D/a-file\"], "
			  "\"approvers\": {\"groups\": [\"g\"]} } ] }"),
		want, "paths: a regular file is not a zone root");
	refused(parse_doc("{ \"zones\": [ { \"name\": \"acme\", \"paths\": [\"/\"], "
			  "\"approvers\": {\"groups\": [\"g\"]} } ] }"),
		"zones[0].paths[0]: the root directory cannot be a zone", "paths: / is refused");
	refused(parse_doc("{ \"zones\": [ { \"name\": \"acme\", \"paths\": [\"@D/acme\", "
			  "\"@D/acme/\"], \"approvers\": {\"groups\": [\"g\"]} } ] }"),
		"zones[0].paths[1]:", "paths: the same directory twice in one zone");
	refused(parse_doc(
			"{ \"zones\": [ { " ZONE_ACME " }, { \"name\": \"globex\", "
			"\"paths\": [\"@D/globex/../acme\"], \"approvers\": {\"groups\": [\"g\"]} "
			"} ] }"),
		"already belongs to zone \"acme\"", "paths: one directory in two zones");
	refused(parse_doc(
			"{ \"zones\": [ { " ZONE_ACME " }, { \"name\": \"globex\", "
			"\"paths\": [\"@D/acme/sub\"], \"approvers\": {\"groups\": [\"g\"]} } ] }"),
		"zones[1].paths[0]:", "paths: a root inside another zone's root");
	refused(parse_doc("{ \"zones\": [ { \"name\": \"globex\", \"paths\": [\"@D/acme/sub\"], "
			  "\"approvers\": {\"groups\": [\"g\"]} }, { " ZONE_ACME " } ] }"),
		"overlaps", "paths: a root around another zone's root");
	accepted(parse_doc("{ \"zones\": [ { \"name\": \"acme\", \"paths\": [\"@D/acme\", "
			   "\"@D/globex\"], \"approvers\": {\"groups\": [\"g\"]} } ] }"),
		 "paths: one zone may have several roots");
	if (cfg)
		is_int(cfg->zones[0].n_paths, 2, "paths: both roots kept");
}

static void test_zone_approvers(void)
{
	refused(parse_doc("{ \"zones\": [ { \"name\": \"acme\", \"paths\": [\"@D/acme\"] } ] }"),
		"zones[0].approvers: is required", "approvers: missing");
	refused(parse_doc("{ \"zones\": [ { \"name\": \"acme\", \"paths\": [\"@D/acme\"], "
			  "\"approvers\": [\"acme-admins\"] } ] }"),
		"zones[0].approvers: expected an object", "approvers: wrong type");
	refused(parse_doc("{ \"zones\": [ { \"name\": \"acme\", \"paths\": [\"@D/acme\"], "
			  "\"approvers\": {\"users\": [], \"groups\": []} } ] }"),
		"zones[0].approvers: needs at least one user or group", "approvers: empty");
	refused(parse_doc("{ \"zones\": [ { \"name\": \"acme\", \"paths\": [\"@D/acme\"], "
			  "\"approvers\": {\"users\": [\"a b\"]} } ] }"),
		"zones[0].approvers.users[0]:", "approvers.users: bad name");
	accepted(parse_doc("{ \"zones\": [ { \"name\": \"acme\", \"paths\": [\"@D/acme\"], "
			   "\"approvers\": {\"users\": [\"acme-admin\"]} } ] }"),
		 "approvers: one user is enough");
}

static void test_zone_approvals_required(void)
{
	accepted(parse_with("", "\"approvals_required\": 16"), "approvals_required: 16 is valid");
	if (cfg)
		is_int(cfg->zones[0].approvals_required, 16, "approvals_required: value kept");
	refused(parse_with("", "\"approvals_required\": \"2\""),
		"zones[0].approvals_required: expected an integer", "approvals_required: string");
	refused(parse_with("", "\"approvals_required\": 1.5"),
		"zones[0].approvals_required: expected an integer", "approvals_required: real");
	refused(parse_with("", "\"approvals_required\": 0"),
		"zones[0].approvals_required: 0 is out of range (1 to 16)",
		"approvals_required: 0");
	refused(parse_with("", "\"approvals_required\": 17"),
		"zones[0].approvals_required: 17 is out of range", "approvals_required: 17");
	refused(parse_with("", "\"approvals_required\": -1"),
		"zones[0].approvals_required: -1 is out of range", "approvals_required: -1");
}

static void test_zone_max_duration(void)
{
	accepted(parse_with("\"max_duration\": \"2h\"", "\"max_duration\": \"30m\""),
		 "zone max_duration: valid");
	if (cfg) {
		is_int(cfg->zones[0].max_duration, 1800, "zone max_duration: value kept");
		is_int(config_max_duration(cfg, &cfg->zones[0]), 1800, "a smaller zone cap wins");
	}
	accepted(parse_with("\"max_duration\": \"2h\"", "\"max_duration\": \"1d\""),
		 "zone max_duration above the global is valid");
	if (cfg)
		is_int(config_max_duration(cfg, &cfg->zones[0]), 7200,
		       "the global cap caps a larger zone cap");
	accepted(parse_with("\"max_duration\": \"2h\"", ""), "zone max_duration absent");
	if (cfg)
		is_int(cfg->zones[0].max_duration, 7200, "an absent zone cap is the global one");
	refused(parse_with("", "\"max_duration\": 60"),
		"zones[0].max_duration: expected a duration string",
		"zone max_duration: wrong type");
	refused(parse_with("", "\"max_duration\": \"8 h\""),
		"zones[0].max_duration: \"8 h\" is not a duration", "zone max_duration: bad value");
}

static void test_zone_notify(void)
{
	accepted(parse_with("", "\"notify\": [\"a@acme.example\", \"b@acme.example\"]"),
		 "zone notify: valid");
	if (cfg) {
		is_int(cfg->zones[0].n_notify, 2, "zone notify: two addresses");
		is_str(cfg->zones[0].notify[1], "b@acme.example", "zone notify: order kept");
	}
	refused(parse_with("", "\"notify\": \"a@acme.example\""),
		"zones[0].notify: expected an array", "zone notify: wrong type");
	refused(parse_with("", "\"notify\": [{}]"), "zones[0].notify[0]: expected a string",
		"zone notify: wrong item type");
	refused(parse_with("", "\"notify\": [\"admin\"]"),
		"zones[0].notify[0]: \"admin\" is not an email address", "zone notify: no @");
	refused(parse_with("", "\"notify\": [\"a@b.example, c@d.example\"]"),
		"zones[0].notify[0]:", "zone notify: two addresses in one entry");
	refused(parse_with("", "\"notify\": [\"a@b.example\\r\\nBcc: x@y.example\"]"),
		"zones[0].notify[0]:", "zone notify: CR/LF header injection");
	refused(parse_with("", "\"notify\": [\"ok@b.example\", \"a @b.example\"]"),
		"zones[0].notify[1]:", "zone notify: a space");
	refused(parse_with("", "\"notify\": [\"-oQ@x\"]"),
		"zones[0].notify[0]:", "zone notify: a sendmail option");
	refused(parse_with("", "\"notify\": [\"@acme.example\"]"),
		"zones[0].notify[0]:", "zone notify: no local part");
}

static const char *find_block_device(void)
{
	static char path[300];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir("/dev");

	path[0] = '\0';
	while (d && (de = readdir(d))) {
		snprintf(path, sizeof(path), "/dev/%s", de->d_name);
		if (!stat(path, &st) && S_ISBLK(st.st_mode))
			break;
		path[0] = '\0';
	}
	if (d)
		closedir(d);
	return path[0] ? path : NULL;
}

static void test_zone_devices(void)
{
	const char *blk = find_block_device();
	char zone[1024];

	if (blk) {
		snprintf(zone, sizeof(zone), "\"devices\": [\"%s\"]", blk);
		accepted(parse_with("", zone), "devices: a block device is valid");
		if (cfg)
			is_str(cfg->zones[0].devices[0], blk, "devices: value kept");
		snprintf(zone, sizeof(zone), "\"devices\": [\"%s\", \"%s\"]", blk, blk);
		refused(parse_with("", zone), "zones[0].devices[1]:", "devices: listed twice");
	} else {
		ok(1, "# SKIP no block device on this host");
	}
	refused(parse_with("", "\"devices\": [\"/dev/null\"]"),
		"zones[0].devices[0]: /dev/null: not a block device", "devices: a char device");
	refused(parse_with("", "\"devices\": [\"/dev/lockbox-nope\"]"),
		"zones[0].devices[0]: /dev/lockbox-nope: No such file or directory",
		"devices: missing");
	refused(parse_with("", "\"devices\": [\"sda\"]"),
		"zones[0].devices[0]: \"sda\" is not an absolute path", "devices: relative");
	refused(parse_with("", "\"devices\": \"/dev/sda\""), "zones[0].devices: expected an array",
		"devices: wrong type");
}

static void test_short_err_buffer(void)
{
	const char *json = "{ \"zones\": 1 }";
	char small[8] = "xxxxxxx";
	struct config *c = NULL;

	ok(config_parse(json, strlen(json), &c, small, sizeof(small)) < 0 && !c,
	   "short error buffer: still refused");
	is_str(small, "zones: ", "short error buffer: truncated and terminated");
	ok(config_parse(json, strlen(json), &c, NULL, 0) < 0, "no error buffer at all");
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void test_load(void)
{
	char path[128], want[256];
	int rc;

	config_free(cfg);
	cfg = NULL;
	snprintf(path, sizeof(path), "%s/missing.json", dir);
	rc = config_load(path, &cfg, err, sizeof(err));
	is_int(rc, -ENOENT, "load: a missing explicit file is ENOENT");
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	is_str(err, want, "load: the error names the missing file");
	ok(!cfg, "load: no config on error");

	snprintf(path, sizeof(path), "%s/good.json", dir);
	write_file(path, expand("{ \"request_ttl\": \"1h\", \"zones\": [ { " ZONE_ACME " } ] }"));
	accepted(config_load(path, &cfg, err, sizeof(err)), "load: a valid file");
	if (cfg)
		is_int(cfg->request_ttl, 3600, "load: the file's values are used");
	config_free(cfg);
	cfg = NULL;

	snprintf(path, sizeof(path), "%s/bad.json", dir);
	write_file(path, "{ \"zones\": [], \"colour\": 1 }");
	rc = config_load(path, &cfg, err, sizeof(err));
	snprintf(want, sizeof(want), "%s: colour: unknown key", path);
	ok(rc < 0 && !cfg, "load: a bad file is refused");
	is_str(err, want, "load: the error names the file and the key");

	rc = config_load(dir, &cfg, err, sizeof(err));
	ok(rc < 0 && !cfg && has_err(dir), "load: a directory is refused, named");

	if (access(CONFIG_DEFAULT_PATH, F_OK) && errno == ENOENT) {
		struct config *emb = NULL;

		accepted(config_load(NULL, &cfg, err, sizeof(err)),
			 "load: no default file runs on the embedded default");
		config_embedded(&emb, err, sizeof(err));
		ok(cfg && emb && cfg->n_zones == emb->n_zones &&
			   !strcmp(cfg->engineers.groups[0], "engineers"),
		   "load: NULL gives the embedded default");
		config_free(emb);
	} else {
		ok(1, "# SKIP " CONFIG_DEFAULT_PATH " exists on this host");
		ok(1, "# SKIP " CONFIG_DEFAULT_PATH " exists on this host");
	}
	config_free(cfg);
	cfg = NULL;
}

static void test_embedded_discovers_zones(void)
{
	char root[96], p[192], missing[128];
	FILE *f;
	int rc;

	snprintf(root, sizeof(root), "%s/customers", dir);
	mkdir(root, 0755);
	snprintf(p, sizeof(p), "%s/globex", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/acme", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/Not A Zone", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/.hidden", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/notes.txt", root);
	f = fopen(p, "w");
	if (f)
		fclose(f);
	snprintf(p, sizeof(p), "%s/alias", root);
	if (symlink("acme", p))
		perror("symlink");

	config_free(cfg);
	cfg = NULL;
	rc = config_embedded_at(root, &cfg, err, sizeof(err));
	accepted(rc, "embedded: valid");
	if (!cfg)
		return;
	is_int(cfg->n_zones, 2, "embedded: one zone per well-named real subdirectory");
	is_str(cfg->zones[0].name, "acme", "embedded: zones sorted by name, acme first");
	is_str(cfg->zones[1].name, "globex", "embedded: globex second");
	snprintf(p, sizeof(p), "%s/acme", root);
	is_str(cfg->zones[0].paths[0], p, "embedded: the zone's path is the subdirectory");
	is_int(cfg->zones[0].approvers.n_groups, 1, "embedded: one approver group");
	is_str(cfg->zones[0].approvers.groups[0], "acme-admins", "embedded: <name>-admins");
	is_int(cfg->zones[0].approvers.n_users, 0, "embedded: no approver users");
	is_int(cfg->zones[1].approvals_required, 1, "embedded: one approval");
	is_int(cfg->zones[1].n_notify, 0, "embedded: no notify addresses");
	is_int(cfg->zones[1].max_duration, 4 * 3600, "embedded: zone cap is the global 4h");
	ok(cfg->engineers.n_groups == 1 && !strcmp(cfg->engineers.groups[0], "engineers"),
	   "embedded: engineers are group engineers");
	ok(cfg->security.n_groups == 1 && !strcmp(cfg->security.groups[0], "secops"),
	   "embedded: security is group secops");
	is_int(cfg->request_ttl, 12 * 3600, "embedded: request_ttl 12h");
	is_int(cfg->max_duration, 4 * 3600, "embedded: max_duration 4h");
	is_str(cfg->notify_command, "/usr/sbin/sendmail -t", "embedded: sendmail");
	is_str(cfg->socket, "/run/lockbox/lockbox.sock", "embedded: default socket");
	is_str(cfg->database, "/var/lib/lockbox/lockbox.db", "embedded: default database");
	ok(!cfg->permissive, "embedded: enforcing");
	config_free(cfg);
	cfg = NULL;

	snprintf(missing, sizeof(missing), "%s/no-customers", dir);
	accepted(config_embedded_at(missing, &cfg, err, sizeof(err)),
		 "embedded: no customers directory is valid");
	if (cfg)
		is_int(cfg->n_zones, 0, "embedded: no customers directory, no zones");
	config_free(cfg);
	cfg = NULL;

	snprintf(p, sizeof(p), "%s/a-file", dir);
	rc = config_embedded_at(p, &cfg, err, sizeof(err));
	ok(rc < 0 && !cfg && has_err("a-file"),
	   "embedded: a customers root that is a file is named");
}

/* keys made by ssh-keygen (the approver's tool) in the scratch folder, without their newline */
static char *ed1, *ed2, *ec1, *sk1;

static char *chomp(char *line)
{
	if (!line) {
		printf("Bail out! ssh-keygen failed\n");
		exit(1);
	}
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static void make_keys(void)
{
	unsigned char pk[32], blob[256];

	test_dir_make();
	ed1 = chomp(keygen("ed1", "ed25519"));
	ed2 = chomp(keygen("ed2", "ed25519"));
	ec1 = chomp(keygen("ec1", "ecdsa -b 256"));
	/* no FIDO token here: an sk key line built from a fresh Ed25519 key */
	EVP_PKEY_free(ed25519_new(pk));
	sk1 = chomp(key_line("sk-ssh-ed25519@openssh.com", blob, sk_blob(blob, pk, "ssh:")));
}

static void free_keys(void)
{
	free(ed1);
	free(ed2);
	free(ec1);
	free(sk1);
	test_dir_remove();
}

/* {"name": NAME, "key": LINE} */
static const char *entry(const char *name, const char *line)
{
	static char buf[4][1024];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "{\"name\": \"%s\", \"key\": \"%s\"}", name, line);
	return buf[i];
}

static int zone_keys_doc(const char *keys, const char *more)
{
	char zone[3072];

	snprintf(zone, sizeof(zone), "\"approver_keys\": [%s]%s", keys, more);
	return parse_with("", zone);
}

static void test_approver_keys(void)
{
	char two[2048];
	struct sshkey want;

	snprintf(two, sizeof(two), "%s, %s", entry("acme-admin", ed1), entry("acme-ops", ec1));
	accepted(zone_keys_doc(two, ""), "approver_keys: ed25519 and ecdsa keys");
	if (cfg && cfg->zones[0].n_approver_keys == 2) {
		struct named_key *k = cfg->zones[0].approver_keys;

		is_str(k[0].name, "acme-admin", "approver_keys[0].name kept");
		is_int(k[0].key.type, SSHKEY_ED25519, "approver_keys[0] is an ed25519 key");
		is_int(k[1].key.type, SSHKEY_ECDSA_P256, "approver_keys[1] is an ecdsa key");
		ok(!sshkey_parse_line(ed1, &want, err, sizeof(err)) &&
			   sshkey_equal(&k[0].key, &want),
		   "approver_keys[0] is the key of its line");
		ok(!cfg->zones[0].hardware_keys_only, "hardware_keys_only defaults to false");
		ok(config_named_key(k, 2, &want) == &k[0], "config_named_key finds the entry");
		ok(!sshkey_parse_line(ed2, &want, err, sizeof(err)) &&
			   !config_named_key(k, 2, &want),
		   "config_named_key: a key not listed is NULL");
	} else {
		ok(0, "approver_keys: two keys stored");
	}
	accepted(parse_with("", ""), "approver_keys is optional");
	if (cfg)
		is_int(cfg->zones[0].n_approver_keys, 0, "no approver_keys: none");
	accepted(zone_keys_doc("", ""), "an empty approver_keys is valid");
}

static void test_approver_keys_refused(void)
{
	char two[2048];

	snprintf(two, sizeof(two), "%s, %s", entry("a", ed1),
		 entry("b", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 b@laptop"));
	refused(zone_keys_doc(two, ""), "zones[0].approver_keys[1].key: ",
		"an ssh-rsa key is refused, naming the key path");
	ok(has_err("ssh-rsa"), "the message names the unsupported type");
	refused(zone_keys_doc(entry("a", "ssh-ed25519 not!base64"), ""),
		"zones[0].approver_keys[0].key: ", "a malformed key line names the key path");
	refused(zone_keys_doc("{\"key\": \"x\"}", ""),
		"zones[0].approver_keys[0].name: is required", "a missing name");
	refused(zone_keys_doc("{\"name\": \"a\"}", ""),
		"zones[0].approver_keys[0].key: is required", "a missing key");
	refused(zone_keys_doc("{\"name\": \"a\", \"key\": 1}", ""),
		"zones[0].approver_keys[0].key: expected an OpenSSH public key line",
		"a key not a string");
	refused(zone_keys_doc(entry("a:b", ed1), ""),
		"zones[0].approver_keys[0].name: ", "a name with ':' is refused");
	refused(zone_keys_doc("\"ssh-ed25519 AAAA\"", ""),
		"zones[0].approver_keys[0]: expected an object", "a bare key line is refused");
	refused(parse_with("", "\"approver_keys\": {}"),
		"zones[0].approver_keys: expected an array", "approver_keys not an array");
	refused(zone_keys_doc("{\"name\": \"a\", \"key\": \"x\", \"comment\": \"c\"}", ""),
		"zones[0].approver_keys[0].comment: unknown key", "an unknown key in an entry");
}

static void test_approver_keys_duplicate(void)
{
	char two[2048], other[1024];

	/* the same key with another comment is still the same key */
	snprintf(other, sizeof(other), "%.*s other@host", (int)(strrchr(ed1, ' ') - ed1), ed1);
	snprintf(two, sizeof(two), "%s, %s", entry("a", ed1), entry("b", other));
	refused(zone_keys_doc(two, ""),
		"zones[0].approver_keys[1].key: the same key as approver_keys[0] (\"a\")",
		"a key listed twice in a zone is refused");
	snprintf(two, sizeof(two), "%s, %s", entry("a", ed1), entry("a", ed2));
	accepted(zone_keys_doc(two, ""), "one name with two keys (rotation) is valid");
}

static void test_hardware_keys_only(void)
{
	char two[2048];

	accepted(zone_keys_doc(entry("a", sk1), ", \"hardware_keys_only\": true"),
		 "hardware_keys_only with an sk-ssh-ed25519 key");
	if (cfg) {
		ok(cfg->zones[0].hardware_keys_only, "hardware_keys_only true kept");
		is_int(cfg->zones[0].approver_keys[0].key.type, SSHKEY_SK_ED25519,
		       "the sk key is stored as one");
	}
	snprintf(two, sizeof(two), "%s, %s", entry("a", sk1), entry("b", ed1));
	refused(zone_keys_doc(two, ", \"hardware_keys_only\": true"),
		"zones[0].approver_keys[1].key: hardware_keys_only is set",
		"hardware_keys_only refuses an ed25519 key, naming it");
	ok(has_err("not ssh-ed25519"), "the message names the refused type");
	refused(zone_keys_doc(entry("a", ec1), ", \"hardware_keys_only\": true"),
		"zones[0].approver_keys[0].key: hardware_keys_only", "and an ecdsa key");
	accepted(zone_keys_doc(two, ", \"hardware_keys_only\": false"),
		 "hardware_keys_only false takes any supported key");
	refused(parse_with("", "\"hardware_keys_only\": \"yes\""),
		"zones[0].hardware_keys_only: expected true or false",
		"hardware_keys_only not a bool");
}

static void test_security_keys(void)
{
	char top[2048];

	snprintf(top, sizeof(top), "\"security_keys\": [%s, %s]", entry("secops1", ed2),
		 entry("secops2", ec1));
	accepted(parse_with(top, ""), "security_keys: two keys");
	if (cfg && cfg->n_security_keys == 2) {
		is_str(cfg->security_keys[1].name, "secops2", "security_keys[1].name kept");
		is_int(cfg->security_keys[1].key.type, SSHKEY_ECDSA_P256, "security_keys[1] type");
	} else {
		ok(0, "security_keys stored");
	}
	snprintf(top, sizeof(top), "\"security_keys\": [%s, %s]", entry("s1", ed2),
		 entry("s2", ed2));
	refused(parse_with(top, ""), "security_keys[1].key: the same key as security_keys[0]",
		"a security key listed twice is refused");
	snprintf(top, sizeof(top), "\"security_keys\": [%s]",
		 entry("s1", "ssh-dss AAAAB3NzaC1kc3M="));
	refused(parse_with(top, ""),
		"security_keys[0].key: ", "an ssh-dss security key is refused");
	refused(parse_with("\"security_keys\": [{}]", ""), "security_keys[0].name: is required",
		"a security key entry without a name");
}

int main(void)
{
	make_tree();
	test_minimal_config_gets_defaults();
	test_design_example_parses();
	test_syntax_errors();
	test_unknown_keys_at_every_level();
	test_socket();
	test_database();
	test_principals("engineers");
	test_principals("security");
	test_durations("request_ttl", ttl_of);
	test_durations("max_duration", max_of);
	test_notify();
	test_bools();
	test_audit_log();
	test_ops_keys();
	test_zones_from();
	test_shipped_default();
	test_protected_paths();
	test_zones_list();
	test_zone_name();
	test_zone_paths();
	test_zone_approvers();
	test_zone_approvals_required();
	test_zone_max_duration();
	test_zone_notify();
	test_zone_devices();
	test_short_err_buffer();
	test_load();
	test_embedded_discovers_zones();
	make_keys();
	test_approver_keys();
	test_approver_keys_refused();
	test_approver_keys_duplicate();
	test_hardware_keys_only();
	test_security_keys();
	free_keys();
	config_free(cfg);
	config_free(NULL); /* NULL-safe */
	remove_tree(dir);
	return done_testing();
}
