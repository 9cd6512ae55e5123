// SPDX-License-Identifier: GPL-2.0-only
/* The audit outputs: the file's mode, reopening after a rename, syslog severities. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include "tap.h"
#include "audit_out.h"

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = 0;
	return buf;
}

static void test_file(void)
{
	char dir[] = "/tmp/lockbox-aout-XXXXXX", path[256], moved[300], err[256] = "";
	struct audit_out *o = NULL;
	struct stat st;

	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/audit.jsonl", dir);
	snprintf(moved, sizeof(moved), "%s.1", path);
	umask(0);
	is_int(audit_out_open(path, false, &o, err, sizeof(err)), 0, "opens audit_log");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640, "created 0640 under umask 0");
	ok(audit_out_active(o), "a file is an output");
	audit_out_write(o, "{\"seq\":1}", "request.created");
	rename(path, moved);
	audit_out_write(o, "{\"seq\":2}", "request.approved");
	is_int(audit_out_reopen(o, err, sizeof(err)), 0, "reopens by name");
	audit_out_write(o, "{\"seq\":3}", "grant.revoked");
	is_str(slurp(moved), "{\"seq\":1}\n{\"seq\":2}\n", "until the reopen, the renamed file");
	is_str(slurp(path), "{\"seq\":3}\n", "then the new one");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640, "the new file is 0640 too");
	unlink(path);
	unlink(moved);
	rmdir(dir);
	ok(audit_out_reopen(o, err, sizeof(err)) < 0, "a reopen that cannot create the file fails");
	ok(strstr(err, path) != NULL, "naming the file: %s", err);
	audit_out_write(o, "{\"seq\":4}", "grant.revoked"); /* still has the old file: no crash */
	audit_out_close(o);
	rmdir(dir);
	umask(022);
	ok(audit_out_open("/nonexistent-dir/a.jsonl", false, &o, err, sizeof(err)) < 0,
	   "a missing directory is an error");
	ok(strstr(err, "audit_log: cannot open /nonexistent-dir/a.jsonl") != NULL,
	   "that names the key and the file: %s", err);
}

static void test_priorities(void)
{
	is_int(audit_out_priority("access.denied"), LOG_WARNING, "a denial is a warning");
	is_int(audit_out_priority("access.allowed"), LOG_INFO, "an allowed access is info");
	is_int(audit_out_priority("events.lost"), LOG_ERR, "lost events are an error");
	is_int(audit_out_priority("request.approved"), LOG_NOTICE, "a decision is a notice");
	is_int(audit_out_priority("grant.revoked"), LOG_NOTICE, "so is a revocation");
	is_int(audit_out_priority("agent.started"), LOG_INFO, "the agent's own records are info");
}

int main(void)
{
	test_file();
	test_priorities();
	return done_testing();
}
