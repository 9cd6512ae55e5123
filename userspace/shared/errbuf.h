/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one error-reporting style in userspace. A function that can fail for a
 * reason a person must read takes (char *err, size_t errlen) last, fills err with
 * seterr() saying what is wrong and with what (a path, a field, a key path such
 * as "zones[1].path: ..."), and returns -1 or a negative errno; it does not log.
 * The caller that gives up logs or prints err once, prefixing its own context
 * when it adds something ("lockboxd: /etc/lockbox/lockbox.json: ...").
 * Functions with nothing to explain return a negative errno alone.
 */
#ifndef ERRBUF_H
#define ERRBUF_H

#include <errno.h>
#include <stddef.h>

/* printf into @err (of @errlen bytes); a NULL or empty buffer is left alone. */
void seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* seterr(), then -EINVAL: the common case, input refused. A macro, so the compiler sees the value.
 */
#define seterr_inval(err, errlen, ...) (seterr((err), (errlen), __VA_ARGS__), -EINVAL)

#endif /* ERRBUF_H */
