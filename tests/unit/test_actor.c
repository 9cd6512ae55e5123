// SPDX-License-Identifier: GPL-2.0-only
/*
 * Roles from the connect-time identity (context.c ctx_actor): a caller the guard
 * did not record is anyone, and an engineer is never an approver nor security,
 * whatever the users and groups say. Host users: daemon (1) is the engineer,
 * bin (2) the approver, sys (3) security; daemon is also listed as approver and
 * security.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tap.h"
#include "config.h"
#include "context.h"

static char dir[] = "/tmp/test_actor.XXXXXX";

static struct config *load(void)
{
	char path[256], zone[256], err[512];
	struct config *cfg = NULL;
	FILE *f;

	if (!mkdtemp(dir))
		return NULL;
	snprintf(zone, sizeof(zone), "%s/acme", dir);
	snprintf(path, sizeof(path), "%s/lockbox.json", dir);
	if (mkdir(zone, 0755) < 0 || !(f = fopen(path, "w")))
		return NULL;
	fprintf(f,
		"{\"engineers\": {\"users\": [\"daemon\"], \"groups\": []},"
		" \"security\": {\"users\": [\"sys\", \"daemon\"], \"groups\": []},"
		" \"zones\": [{\"name\": \"acme\", \"paths\": [\"%s\"],"
		" \"approvers\": {\"users\": [\"bin\", \"daemon\"], \"groups\": []}}]}",
		zone);
	fclose(f);
	if (config_load(path, &cfg, err, sizeof(err)))
		printf("# config: %s\n", err);
	unlink(path);
	rmdir(zone);
	rmdir(dir);
	return cfg;
}

static struct caller client(bool known, uint32_t uid, uint32_t loginuid, bool engineer)
{
	return (struct caller){
		.uid = uid, .known = known, .loginuid = loginuid, .engineer = engineer};
}

int main(void)
{
	struct config *cfg = load();
	struct cmd_ctx a = {.cfg = cfg};
	struct zone_ref z = {.id = 1};
	struct actor act;
	struct caller c;

	if (!ok(cfg != NULL, "a config with one zone"))
		return done_testing();
	z.cfg = &cfg->zones[0];
	a.zones = &z;
	a.n_zones = 1;

	c = client(false, 2, (uint32_t)-1, false);
	ctx_actor(&a, &c, "acme", &act);
	ok(!act.approver && !act.security && !act.engineer && !act.root,
	   "no connect-time record: no role, not even the approver's");
	is_int(act.uid, (uint32_t)-1, "and no requests of its own");
	c = client(false, 0, (uint32_t)-1, false);
	ctx_actor(&a, &c, "acme", &act);
	ok(!act.root, "no record: not root either");

	c = client(true, 2, (uint32_t)-1, false);
	ctx_actor(&a, &c, "acme", &act);
	ok(act.approver && !act.engineer, "bin, recorded at connect: approver of acme");
	c = client(true, 3, 3, false);
	ctx_actor(&a, &c, "acme", &act);
	ok(act.security && !act.approver, "sys: security");

	c = client(true, 2, 1, false);
	ctx_actor(&a, &c, "acme", &act);
	ok(!act.approver && act.engineer,
	   "bin's uid with daemon's login uid: an engineer, no approver");
	is_int(act.uid, 1, "acting as daemon");
	c = client(true, 2, (uint32_t)-1, true);
	ctx_actor(&a, &c, "acme", &act);
	ok(!act.approver && act.engineer,
	   "bin's uid, an engineer by the guard's record: no approver");
	c = client(true, 3, (uint32_t)-1, true);
	ctx_actor(&a, &c, "acme", &act);
	ok(!act.security, "sys's uid, an engineer by the guard's record: no security");
	c = client(true, 1, 1, false);
	ctx_actor(&a, &c, "acme", &act);
	ok(act.engineer && !act.approver && !act.security,
	   "daemon, an engineer listed as approver and security: neither");
	config_free(cfg);
	return done_testing();
}
