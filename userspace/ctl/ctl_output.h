/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockboxctl's output: the agent's results as tables and key: value lines for people, or
 * as the JSON the agent sent. Text from the agent (paths, reasons) is printed with control
 * characters escaped, so a file name cannot drive the reader's terminal.
 */
#ifndef CTL_OUTPUT_H
#define CTL_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

/* in, with control characters escaped as \xNN, truncated to fit buf */
void ctl_escape(const char *in, char *buf, size_t len);

/* One JSON document and a newline: indented, or compact on one line. */
void ctl_print_json(FILE *f, json_t *v, bool compact);

/* list: ID STATE ZONE REQUESTER ACCESS CREATED EXPIRES REASON, columns aligned. */
void ctl_print_list(FILE *f, json_t *requests);

/* show: key: value lines, then the decisions and the grant. */
void ctl_print_show(FILE *f, json_t *request);

/* status: one line per figure. */
void ctl_print_status(FILE *f, json_t *status);

/* audit: one line per record, "#12 TIME SOURCE TYPE USER ZONE [OP PATH (COMM, pid N)]". */
void ctl_print_record(FILE *f, json_t *record);

#endif /* CTL_OUTPUT_H */
