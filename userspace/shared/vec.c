// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vec.h"

#define VEC_FIRST 16 /* elements on the first growth */

int vec_reserve(struct vec *vec, size_t want)
{
	size_t cap = vec->cap ? vec->cap : VEC_FIRST;
	void *grown;

	if (want <= vec->cap)
		return 0;
	if (!vec->size)
		return -EINVAL;
	while (cap < want) {
		if (cap > SIZE_MAX / 2)
			return -EOVERFLOW;
		cap *= 2;
	}
	if (cap > SIZE_MAX / vec->size)
		return -EOVERFLOW;
	grown = realloc(vec->v, cap * vec->size);
	if (!grown)
		return -ENOMEM;
	vec->v = grown;
	vec->cap = cap;
	return 0;
}

int vec_push(struct vec *vec, const void *elem)
{
	int err;

	if (vec->n == SIZE_MAX)
		return -EOVERFLOW;
	err = vec_reserve(vec, vec->n + 1);
	if (err)
		return err;
	memcpy((char *)vec->v + vec->n * vec->size, elem, vec->size);
	vec->n++;
	return 0;
}

void *vec_take(struct vec *vec, size_t *n)
{
	void *v = vec->n ? vec->v : NULL;

	if (n)
		*n = vec->n;
	if (!v)
		free(vec->v);
	vec->v = NULL;
	vec->n = vec->cap = 0;
	return v;
}

void vec_free(struct vec *vec)
{
	free(vec->v);
	vec->v = NULL;
	vec->n = vec->cap = 0;
}
