/* SPDX-License-Identifier: GPL-2.0-only */
/* Filling a caller's error buffer: functions explain, callers log once. */
#ifndef ERRBUF_H
#define ERRBUF_H

#include <stddef.h>

/* printf into @err (of @errlen bytes); a NULL or empty buffer is left alone. */
void seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif /* ERRBUF_H */
