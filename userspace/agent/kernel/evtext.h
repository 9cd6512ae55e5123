/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A kernel event's audit record, two ways: as a jansson object (evtext_record),
 * and as the canonical text audit.c makes of that object (evtext_build), written
 * directly: the trail's hot path, without an object, a sort and a dump per event.
 * test_evtext holds the two to the same bytes.
 */
#ifndef EVTEXT_H
#define EVTEXT_H

#include <stddef.h>
#include <jansson.h>
#include <linux/types.h>
#include "lockbox.h"

/* What the record says of the event beyond its numbers, resolved by the caller. */
struct event_names {
	const char *time;	     /* RFC 3339 in UTC, to the millisecond */
	const char *user, *engineer; /* the names of e->uid and e->engineer */
	const char *zone;	     /* NULL for none (e->zone 0) */
	const char *path;	     /* kevent_path()'s, at most path_max bytes */
	size_t path_max;
	const char *host; /* evtext_build only: agent.c adds it to the object */
	/* a denial's repeats (e->first_ns): the first and the last, as time; else NULL */
	const char *first, *last;
};

/* The text: buf[0, head) the members before "seq", buf[head, len) those after. */
struct evtext {
	char *buf;
	size_t len, cap, head;
};

/* The record as an object (the members of evtext_build's text but "host"); NULL: no memory. */
json_t *evtext_record(const struct lb_event *e, const struct event_names *n);
/*
 * The canonical text of evtext_record()'s object with "host" (and without "seq":
 * audit_append_text() puts it between the halves). -ENOMEM where evtext_record()
 * returns NULL (a name that is not UTF-8 too), as the object's append fails.
 */
int evtext_build(struct evtext *t, const struct lb_event *e, const struct event_names *n);
void evtext_release(struct evtext *t);
/* Kernel bytes as a JSON string; a name that is not UTF-8 is kept, escaped as \xNN. */
json_t *evtext_bytes_json(const char *s, size_t max);

#endif /* EVTEXT_H */
