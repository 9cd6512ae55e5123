/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where committed audit records go besides the database: the JSON-lines file
 * (`audit_log`, mode 0640, reopened on SIGHUP/SIGUSR1 after logrotate moves
 * it) and syslog (`syslog`, facility authpriv, severity by record type).
 */
#ifndef AUDIT_OUT_H
#define AUDIT_OUT_H

#include <stdbool.h>
#include <stddef.h>

struct audit_out;

/* @path NULL: no file. The file is created 0640 whatever the umask. */
int audit_out_open(const char *path, bool syslog, struct audit_out **out, char *err, size_t errlen);
void audit_out_close(struct audit_out *o);
/* Whether any record would go anywhere. */
bool audit_out_active(const struct audit_out *o);
/* Closes and opens the file again by name (logrotate moved it): 0 or -errno. */
int audit_out_reopen(struct audit_out *o, char *err, size_t errlen);
/* One record: @line is its compact JSON, @type its "type" field. */
void audit_out_write(struct audit_out *o, const char *line, const char *type);
/* The syslog severity of a record type (LOG_WARNING for a denial...). */
int audit_out_priority(const char *type);

#endif /* AUDIT_OUT_H */
