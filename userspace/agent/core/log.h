/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's log: one line per event. Under journald (stderr is the stream
 * JOURNAL_STREAM names) each line carries its syslog priority as a "<N>"
 * prefix, so `journalctl -p err` filters it; once daemonized without a
 * journal it goes to syslog; otherwise to stderr as "lockboxd: error: ...".
 */
#ifndef LOG_H
#define LOG_H

#include <stdio.h>

enum log_level { LOG_LVL_ERR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
/* Picks the sink for @stream (stderr): journald's priority prefixes when it is the journal. */
void log_open(FILE *stream);
/* Daemonized: from now on to syslog, unless the journal is the sink. */
void log_to_syslog(void);
/* Whether lines go to journald with priority prefixes. */
int log_journal(void);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)   log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif /* LOG_H */
