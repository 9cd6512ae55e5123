// SPDX-License-Identifier: GPL-2.0-only
/* The one growable array: push, reserve, take, free, and sizes that would overflow. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "tap.h"
#include "vec.h"

struct pair {
	int64_t a;
	char b[5];
};

static void test_push_keeps_order(void)
{
	struct vec v = VEC_INIT(int64_t);
	int bad = 0;

	for (int64_t i = 0; i < 1000; i++)
		bad += vec_push(&v, &i) != 0;
	is_int(bad, 0, "1000 pushes");
	is_int(v.n, 1000, "1000 elements");
	ok(v.cap >= 1000 && v.cap <= 2048, "capacity grown by doubling (%zu)", v.cap);
	for (int64_t i = 0; i < 1000; i++)
		bad += VEC_AT(&v, int64_t, i) != i;
	is_int(bad, 0, "each element where it was pushed");
	vec_free(&v);
	ok(!v.v && !v.n && !v.cap && v.size == sizeof(int64_t), "free empties, keeps the size");
	is_int(vec_push(&v, &(int64_t){7}), 0, "reusable after free");
	is_int(VEC_AT(&v, int64_t, 0), 7, "with the new element");
	vec_free(&v);
}

static void test_struct_elements(void)
{
	struct vec v = VEC_INIT(struct pair);
	struct pair p = {.a = -5, .b = "abcd"};

	vec_push(&v, &p);
	p.a = 9;
	vec_push(&v, &p);
	ok(VEC_AT(&v, struct pair, 0).a == -5 && !strcmp(VEC_AT(&v, struct pair, 0).b, "abcd"),
	   "a struct is copied whole");
	is_int(VEC_AT(&v, struct pair, 1).a, 9, "the second is its own copy");
	vec_free(&v);
}

static void test_reserve(void)
{
	struct vec v = VEC_INIT(char);
	void *before;

	is_int(vec_reserve(&v, 0), 0, "reserving nothing is fine");
	ok(!v.v, "and allocates nothing");
	is_int(vec_reserve(&v, 16384), 0, "reserve 16384");
	is_int(v.cap, 16384, "a power of two is reserved exactly");
	before = v.v;
	is_int(vec_reserve(&v, 100), 0, "reserving less than there is");
	ok(v.v == before && v.cap == 16384, "does not shrink or move");
	is_int(vec_reserve(&v, 16385), 0, "one more");
	is_int(v.cap, 32768, "doubles");
	vec_free(&v);
}

static void test_overflow(void)
{
	struct vec v = VEC_INIT(int64_t), zero = {0};
	int64_t x = 1;

	is_int(vec_reserve(&v, SIZE_MAX), -EOVERFLOW, "SIZE_MAX elements is -EOVERFLOW");
	is_int(vec_reserve(&v, SIZE_MAX / 8 + 1), -EOVERFLOW, "bytes past SIZE_MAX is -EOVERFLOW");
	ok(!v.v && !v.cap, "a refused reserve leaves the vec alone");
	v.n = SIZE_MAX; /* pretend it is full: the count itself would wrap */
	is_int(vec_push(&v, &x), -EOVERFLOW, "a push that would wrap the count is -EOVERFLOW");
	v.n = 0;
	is_int(vec_push(&zero, &x), -EINVAL, "a vec with no element size is refused");
	vec_free(&v);
}

static void test_take(void)
{
	struct vec v = VEC_INIT(uint32_t);
	uint32_t *a;
	size_t n = 99;

	ok(!vec_take(&v, &n) && n == 0, "an empty vec hands over NULL, 0");
	vec_reserve(&v, 10);
	ok(!vec_take(&v, &n) && n == 0 && !v.v, "reserved but empty: NULL, and nothing leaks");
	vec_push(&v, &(uint32_t){4});
	vec_push(&v, &(uint32_t){2});
	a = vec_take(&v, &n);
	ok(a && n == 2 && a[0] == 4 && a[1] == 2, "the array and its count");
	ok(!v.v && !v.n && !v.cap, "the vec is left empty");
	free(a);
}

int main(void)
{
	test_push_keeps_order();
	test_struct_elements();
	test_reserve();
	test_overflow();
	test_take();
	return done_testing();
}
