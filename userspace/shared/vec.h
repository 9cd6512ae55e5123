/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one growable array: elements of a fixed size, grown by doubling, every size
 * computation checked for overflow. Zero-initialised with the element size set
 * (VEC_INIT) it is empty and owns nothing.
 */
#ifndef VEC_H
#define VEC_H

#include <stddef.h>

struct vec {
	void *v;     /* the elements; NULL until the first growth */
	size_t n;    /* elements in use */
	size_t cap;  /* elements allocated */
	size_t size; /* bytes per element */
};

#define VEC_INIT(type)                                                                             \
	{                                                                                          \
		.size = sizeof(type)                                                               \
	}

/* Element i as a type: VEC_AT(&ids, int64_t, 3). No bounds check. */
#define VEC_AT(vec, type, i) (((type *)(vec)->v)[i])

/*
 * Room for at least @want elements in all. 0, -EOVERFLOW, -ENOMEM (vec unchanged), or
 * -EINVAL for a vec with no element size.
 */
int vec_reserve(struct vec *vec, size_t want);

/* Appends a copy of the element at @elem. 0, -EOVERFLOW or -ENOMEM (vec unchanged). */
int vec_push(struct vec *vec, const void *elem);

/* Hands the array to the caller (NULL when empty) and leaves the vec empty. */
void *vec_take(struct vec *vec, size_t *n);

/* Frees the elements (not what they point to) and leaves the vec empty, reusable. */
void vec_free(struct vec *vec);

#endif /* VEC_H */
