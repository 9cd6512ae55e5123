// SPDX-License-Identifier: GPL-2.0-only
/*
 * kevent's record check: what the guard can write passes, any field it cannot
 * write is refused before the event becomes an audit record; and the paths.
 */
#include <errno.h>
#include <string.h>
#include "tap.h"
#include "kevent.h"

static struct lb_event full_event(const char *path)
{
	struct lb_event e;

	memset(&e, 0, sizeof(e));
	e.op = LB_OP_OPEN;
	e.verdict = LB_VERDICT_DENY;
	e.reason = LB_REASON_NO_GRANT;
	e.access = LB_ACCESS_READ;
	e.path_kind = LB_PATH_FULL;
	e.count = 1;
	snprintf(e.path, sizeof(e.path), "%s", path);
	return e;
}

/* @n names, leaf first, NUL-separated as fill_names() writes them. */
static struct lb_event names_event(const char *const *names, unsigned n)
{
	struct lb_event e = full_event("");
	size_t off = 0;

	e.op = LB_OP_RENAME;
	e.access = LB_ACCESS_WRITE;
	e.path_kind = LB_PATH_NAMES;
	e.names = n;
	for (unsigned i = 0; i < n; i++) {
		strcpy(e.path + off, names[i]);
		off += strlen(names[i]) + 1;
	}
	return e;
}

static int check(const struct lb_event *e)
{
	return kevent_check(e, sizeof(*e));
}

static void test_valid_events_pass(void)
{
	const char *const names[] = {"q1.txt", "reports"};
	struct lb_event e = full_event("/srv/customers/acme/data.txt");

	is_int(check(&e), 0, "a LB_PATH_FULL event passes");
	e.path[0] = 0;
	is_int(check(&e), 0, "a LB_PATH_FULL event with no path (bpf_d_path failed) passes");
	e = names_event(names, 2);
	is_int(check(&e), 0, "a LB_PATH_NAMES event with two names passes");
	e = names_event(names, 0);
	is_int(check(&e), 0, "a LB_PATH_NAMES event with no name (the zone root) passes");
	e = full_event("/x");
	e.op = LB_OP_MAX - 1;
	e.verdict = LB_VERDICT_AUDIT;
	e.reason = LB_REASON_DETACHED;
	e.access = LB_ACCESS_READ | LB_ACCESS_WRITE;
	is_int(check(&e), 0, "the last op, verdict and reason, read and write, pass");
	is_int(kevent_check(&e, sizeof(e) + 8), 0, "a longer record (ring buffer padding) passes");
}

static void test_most_names_pass(void)
{
	const char *names[LB_PATH_NAMES_MAX];
	struct lb_event e;

	for (int i = 0; i < LB_PATH_NAMES_MAX; i++)
		names[i] = "d";
	e = names_event(names, LB_PATH_NAMES_MAX);
	is_int(check(&e), 0, "LB_PATH_NAMES_MAX names pass");
	e.names = LB_PATH_NAMES_MAX + 1;
	is_int(check(&e), -EBADMSG, "one name beyond LB_PATH_NAMES_MAX is refused");
	e.names = 0xffff;
	is_int(check(&e), -EBADMSG, "a names count of 65535 is refused");
}

static void test_bad_codes_refused(void)
{
	struct lb_event e = full_event("/x");

	e.op = 0;
	is_int(check(&e), -EBADMSG, "op 0 (no such op) is refused");
	e.op = LB_OP_MAX;
	is_int(check(&e), -EBADMSG, "op LB_OP_MAX is refused");
	e.op = 0xffff;
	is_int(check(&e), -EBADMSG, "op 65535 is refused");
	e = full_event("/x");
	e.verdict = LB_VERDICT_AUDIT + 1;
	is_int(check(&e), -EBADMSG, "a verdict past audit is refused");
	e = full_event("/x");
	e.reason = LB_REASON_DETACHED + 1;
	is_int(check(&e), -EBADMSG, "a reason past detached is refused");
	e.reason = 0xff;
	is_int(check(&e), -EBADMSG, "reason 255 is refused");
	e = full_event("/x");
	e.access = 0x4;
	is_int(check(&e), -EBADMSG, "an access bit other than read and write is refused");
	e = full_event("/x");
	e.path_kind = LB_PATH_NAMES + 1;
	is_int(check(&e), -EBADMSG, "an unknown path kind is refused");
}

static void test_bad_paths_refused(void)
{
	const char *const names[] = {"a", "b"};
	struct lb_event e = full_event("/x");

	memset(e.path, 'a', sizeof(e.path));
	is_int(check(&e), -EBADMSG, "a full path with no NUL in LB_PATH_LEN bytes is refused");
	e = full_event("/x");
	e.names = 1;
	is_int(check(&e), -EBADMSG, "a full path that claims names is refused");
	e = names_event(names, 2);
	e.names = 3;
	memset(e.path + 4, 'c', sizeof(e.path) - 4); /* "a\0b\0ccc...": the third never ends */
	is_int(check(&e), -EBADMSG, "a name running past the path buffer is refused");
	e = names_event(names, 2);
	memset(e.path + 4, 0, sizeof(e.path) - 4);
	e.names = 3; /* empty names after the last: still inside the buffer */
	is_int(check(&e), 0, "names that are empty but inside the buffer pass");
}

static void test_truncated_refused(void)
{
	struct lb_event e = full_event("/x");

	is_int(kevent_check(&e, sizeof(e) - 1), -EBADMSG, "a record one byte short is refused");
	is_int(kevent_check(&e, 0), -EBADMSG, "an empty record is refused");
	is_int(kevent_check(&e, offsetof(struct lb_event, path)), -EBADMSG,
	       "a record cut before its path is refused");
}

/* An allowed open is logged once per inode and grant; the repeats come as one counted record. */
static void test_counts(void)
{
	struct lb_event e = names_event(NULL, 0);

	e.op = LB_OP_OPEN;
	e.verdict = LB_VERDICT_ALLOW;
	e.reason = LB_REASON_GRANT;
	e.access = LB_ACCESS_READ;
	e.flags = LB_EVENT_REPEATS;
	e.count = 41;
	is_int(check(&e), 0, "a record of 41 repeated opens under the zone root passes");
	e.count = 0;
	is_int(check(&e), -EBADMSG, "a count of 0 is refused");
	e.count = 2;
	e.first_ns = 5;
	e.time_ns = 9;
	is_int(check(&e), -EBADMSG, "allowed repeats with a first time are refused");
	e.first_ns = 0;
	e.time_ns = 0;
	e.verdict = LB_VERDICT_ALLOW;
	e.op = LB_OP_READ;
	is_int(check(&e), -EBADMSG, "repeats of a read are refused (reads are never logged)");
	e.op = LB_OP_OPEN;
	e.names = 1;
	strcpy(e.path, "x");
	is_int(check(&e), -EBADMSG, "repeats with names are refused (the guard writes none)");
	e = full_event("/x");
	e.count = 2;
	is_int(check(&e), -EBADMSG, "a count above 1 without the repeats flag is refused");
	e.count = 1;
	e.flags = 0x2;
	is_int(check(&e), -EBADMSG, "an unknown flag is refused");
}

/* A denial's repeats, as the guard's deny_record() and the agent's denials_take() write them. */
static struct lb_event denial_repeats(void)
{
	struct lb_event e = full_event("/srv/customers/acme/data.txt");

	e.flags = LB_EVENT_REPEATS;
	e.count = 99999;
	e.first_ns = 1000;
	e.time_ns = 2000;
	return e;
}

static void test_denial_counts(void)
{
	struct lb_event e = denial_repeats();

	is_int(check(&e), 0, "99999 denied opens of one file, from first to last, pass");
	e.verdict = LB_VERDICT_AUDIT;
	is_int(check(&e), 0, "so do permissive mode's would-be denials");
	e = denial_repeats();
	e.op = LB_OP_READ;
	e.path_kind = LB_PATH_NAMES;
	e.names = 1;
	strcpy(e.path, "data.txt");
	is_int(check(&e), 0, "and denied reads, named up to their zone root");
	e.op = LB_OP_WRITE;
	is_int(check(&e), 0, "and denied writes");
	e = denial_repeats();
	e.count = 1;
	is_int(check(&e), 0, "a count of one (a denial the full ring buffer kept waiting) passes");
	e.count = 0;
	is_int(check(&e), -EBADMSG, "a count of 0 is refused");
	e = denial_repeats();
	e.first_ns = 0;
	is_int(check(&e), -EBADMSG, "a denial's repeats without their first time are refused");
	e.first_ns = 2001;
	is_int(check(&e), -EBADMSG, "a first time after the last is refused");
	e = denial_repeats();
	e.op = LB_OP_UNLINK;
	is_int(check(&e), 0, "and denied unlinks of a file (any denial of an existing file)");
	e.op = LB_OP_MMAP;
	is_int(check(&e), 0, "and denied mmaps");
	e = denial_repeats();
	e.reason = LB_REASON_GRANT;
	is_int(check(&e), -EBADMSG, "denied repeats for the reason \"grant\" are refused");
	e = full_event("/x");
	e.first_ns = 1;
	e.time_ns = 2;
	is_int(check(&e), -EBADMSG, "a first time on a single event is refused");
}

/* A refused tampering's repeats, as the guard's tamper_counted() writes them: no file, no zone. */
static void test_tamper_counts(void)
{
	struct lb_event e = full_event("");

	e.op = LB_OP_BPF;
	e.reason = LB_REASON_TAMPER;
	e.access = 0;
	e.flags = LB_EVENT_REPEATS;
	e.count = 20000;
	e.first_ns = 1000;
	e.time_ns = 2000;
	is_int(check(&e), 0, "20000 refused bpf() calls, from first to last, pass");
	e.op = LB_OP_SIGNAL;
	e.verdict = LB_VERDICT_AUDIT;
	is_int(check(&e), 0, "and permissive mode's would-be refused signals");
	strcpy(e.path, "/etc/shadow");
	is_int(check(&e), -EBADMSG, "a tampering's repeats with a path are refused");
	e.path[0] = '\0';
	e.zone = 1;
	is_int(check(&e), -EBADMSG, "or with a zone");
	e.zone = 0;
	e.grant_id = 7;
	is_int(check(&e), -EBADMSG, "or with a grant");
	e.grant_id = 0;
	e.first_ns = 0;
	is_int(check(&e), -EBADMSG, "or without their first time");
}

static void test_paths(void)
{
	const char *const names[] = {"q1.txt", "reports"};
	struct lb_event e = names_event(names, 2);
	char out[2 * LB_PATH_LEN];

	kevent_path(&e, "/srv/acme", out, sizeof(out));
	is_str(out, "/srv/acme/reports/q1.txt", "names are joined root first under the zone root");
	kevent_path(&e, NULL, out, sizeof(out));
	is_str(out, ".../reports/q1.txt", "an unknown root is shown as ...");
	e = full_event("/srv/acme/data.txt");
	kevent_path(&e, "/ignored", out, sizeof(out));
	is_str(out, "/srv/acme/data.txt", "a full path is kept as is");
	kevent_path(&e, NULL, out, 5);
	is_str(out, "/srv", "the output is cut to its buffer");
}

static void test_names(void)
{
	is_str(kevent_op_name(LB_OP_AUDIT_CTL), "audit_control", "op names come from the table");
	ok(!kevent_op_name(LB_OP_MAX), "no name past the last op");
	is_str(kevent_verdict_name(LB_VERDICT_AUDIT), "audit", "verdict names");
	is_str(kevent_reason_name(LB_REASON_NO_LOG), "no_log", "reason names");
	for (unsigned op = 1; op < LB_OP_MAX; op++)
		if (!kevent_op_name(op))
			ok(0, "op %u has a name", op);
}

int main(void)
{
	test_valid_events_pass();
	test_most_names_pass();
	test_bad_codes_refused();
	test_bad_paths_refused();
	test_truncated_refused();
	test_counts();
	test_denial_counts();
	test_tamper_counts();
	test_paths();
	test_names();
	return done_testing();
}
