/* SPDX-License-Identifier: GPL-2.0-only */
/* Minimal TAP for host unit tests: ok()/is_int()/is_str(), then done_testing(). */
#ifndef TAP_H
#define TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...)                                                                              \
	({                                                                                         \
		int _c = !!(cond);                                                                 \
		printf("%sok %d - ", _c ? "" : "not ", ++tap_n);                                   \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
		if (!_c) {                                                                         \
			tap_failed++;                                                              \
			printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);            \
		}                                                                                  \
		_c;                                                                                \
	})

#define is_int(got, want, ...)                                                                     \
	({                                                                                         \
		long long _g = (got), _w = (want);                                                 \
		int _c = ok(_g == _w, __VA_ARGS__);                                                \
		if (!_c)                                                                           \
			printf("#   got %lld, want %lld\n", _g, _w);                               \
		_c;                                                                                \
	})

#define is_str(got, want, ...)                                                                     \
	({                                                                                         \
		const char *_g = (got), *_w = (want);                                              \
		int _c = ok(_g && _w && !strcmp(_g, _w), __VA_ARGS__);                             \
		if (!_c)                                                                           \
			printf("#   got \"%s\", want \"%s\"\n", _g ? _g : "(null)",                \
			       _w ? _w : "(null)");                                                \
		_c;                                                                                \
	})

static inline int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif /* TAP_H */
