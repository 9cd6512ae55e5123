// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <syslog.h>
#include "log.h"

enum sink { SINK_STDERR, SINK_JOURNAL, SINK_SYSLOG };

static enum log_level level = LOG_LVL_INFO;
static enum sink sink = SINK_STDERR;
static FILE *stream;
static const char *const prefix[] = {"error: ", "warning: ", "", "debug: "};
static const int priority[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};

void log_set_level(enum log_level lvl)
{
	level = lvl;
}

enum log_level log_get_level(void)
{
	return level;
}

/* systemd sets JOURNAL_STREAM=DEV:INO for the stream it connected to the journal. */
static int is_journal(FILE *f)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(fileno(f), &st))
		return 0;
	return st.st_dev == dev && st.st_ino == ino;
}

void log_open(FILE *f)
{
	stream = f;
	sink = is_journal(f) ? SINK_JOURNAL : SINK_STDERR;
}

void log_to_syslog(void)
{
	if (sink == SINK_JOURNAL)
		return;
	openlog("lockboxd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	sink = SINK_SYSLOG;
}

int log_journal(void)
{
	return sink == SINK_JOURNAL;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	FILE *f = stream ? stream : stderr;
	va_list ap;

	if (lvl > level)
		return;
	va_start(ap, fmt);
	if (sink == SINK_SYSLOG) {
		vsyslog(LOG_DAEMON | priority[lvl], fmt, ap);
	} else {
		if (sink == SINK_JOURNAL)
			fprintf(f, "<%d>", priority[lvl]);
		else
			fprintf(f, "lockboxd: %s", prefix[lvl]);
		vfprintf(f, fmt, ap);
		fputc('\n', f);
		fflush(f);
	}
	va_end(ap);
}
