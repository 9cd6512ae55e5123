// SPDX-License-Identifier: GPL-2.0-only
/* The agent's log: priority prefixes when stderr is the journal, plain lines otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "tap.h"
#include "log.h"

/* What the log wrote to @f, as one string. */
static const char *written(FILE *f)
{
	static char buf[1024];
	size_t n;

	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	if (ftruncate(fileno(f), 0) == 0)
		rewind(f);
	return buf;
}

static void set_journal_stream(FILE *f)
{
	struct stat st;
	char v[64];

	fstat(fileno(f), &st);
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", v, 1);
}

static void test_plain(FILE *f)
{
	unsetenv("JOURNAL_STREAM");
	log_open(f);
	log_set_level(LOG_LVL_INFO);
	ok(!log_journal(), "without JOURNAL_STREAM the sink is not the journal");
	log_err("disk %s", "full");
	is_str(written(f), "lockboxd: error: disk full\n", "plain: an error says so in words");
	log_warn("slow");
	is_str(written(f), "lockboxd: warning: slow\n", "plain: a warning says so");
	log_debug("noise");
	is_str(written(f), "", "below the level: nothing");
}

static void test_journal(FILE *f, FILE *other)
{
	set_journal_stream(f);
	log_open(f);
	log_set_level(LOG_LVL_DEBUG);
	ok(log_journal(), "JOURNAL_STREAM naming the stream: the journal");
	log_err("cannot store");
	is_str(written(f), "<3>cannot store\n", "journal: an error is <3> (LOG_ERR)");
	log_warn("w");
	is_str(written(f), "<4>w\n", "journal: a warning is <4>");
	log_info("ready");
	is_str(written(f), "<6>ready\n", "journal: info is <6>");
	log_debug("d");
	is_str(written(f), "<7>d\n", "journal: debug is <7>");
	log_to_syslog();
	ok(log_journal(), "daemonizing under the journal keeps the journal");

	/* JOURNAL_STREAM is inherited: it must name *this* stream */
	log_open(other);
	ok(!log_journal(), "JOURNAL_STREAM naming another file: not the journal");
	log_err("x");
	is_str(written(other), "lockboxd: error: x\n", "and the line is plain");
}

int main(void)
{
	FILE *f = tmpfile(), *other = tmpfile();

	if (!f || !other)
		return 1;
	test_plain(f);
	test_journal(f, other);
	return done_testing();
}
