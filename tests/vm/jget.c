// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper for the guest, a small jq: reads JSON on stdin and prints one value.
 *   jget [-l] [-w PATH=VALUE]... [-a] [PATH]
 * PATH is dot-separated object keys and array indexes ("0.state", "counts.pending");
 * "" or "." is the whole document. A last segment "#" is the length of an array,
 * object or string; "@type" is the value's JSON type.
 * -l  the input is JSON lines: one document a line, collected into an array
 * -w  keep only the elements of the top array whose PATH, as text, is VALUE
 *     (repeatable: all must hold)
 * -a  print PATH of each element of the top array, one line each; elements
 *     without it are skipped
 * Strings print raw, other scalars as JSON, arrays and objects as compact JSON.
 * Exit: 0 printed, 1 no such value, 2 bad usage or input that is not JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#define MAX_WHERE 16

static const char *type_name(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	case JSON_NULL:
		return "null";
	}
	return "unknown";
}

/* Walks @path; a "#" or "@type" at the end becomes a new value the caller must free. */
static json_t *walk(json_t *v, const char *path, int *owned)
{
	char *copy = strdup(path), *save = NULL, *seg;

	*owned = 0;
	if (!copy)
		return NULL;
	for (seg = strtok_r(copy, ".", &save); seg && v; seg = strtok_r(NULL, ".", &save)) {
		char *end;
		long idx;

		if (!strcmp(seg, "#")) {
			if (json_is_array(v))
				v = json_integer((json_int_t)json_array_size(v));
			else if (json_is_object(v))
				v = json_integer((json_int_t)json_object_size(v));
			else if (json_is_string(v))
				v = json_integer((json_int_t)json_string_length(v));
			else
				v = NULL;
			*owned = v != NULL;
			break;
		}
		if (!strcmp(seg, "@type")) {
			v = json_string(type_name(v));
			*owned = 1;
			break;
		}
		if (json_is_array(v)) {
			idx = strtol(seg, &end, 10);
			v = *end || idx < 0 ? NULL : json_array_get(v, (size_t)idx);
		} else if (json_is_object(v)) {
			v = json_object_get(v, seg);
		} else {
			v = NULL;
		}
	}
	free(copy);
	return v;
}

/* The text a value prints as; the caller frees it. */
static char *as_text(json_t *v)
{
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static int print(json_t *v)
{
	char *s = as_text(v);

	if (!s)
		return 1;
	puts(s);
	free(s);
	return 0;
}

static int matches(json_t *el, char *const *where, int n_where)
{
	for (int i = 0; i < n_where; i++) {
		const char *eq = strchr(where[i], '=');
		char path[256], *text;
		json_t *v;
		int owned, same;

		snprintf(path, sizeof(path), "%.*s", (int)(eq - where[i]), where[i]);
		v = walk(el, path, &owned);
		if (!v)
			return 0;
		text = as_text(v);
		same = text && !strcmp(text, eq + 1);
		free(text);
		if (owned)
			json_decref(v);
		if (!same)
			return 0;
	}
	return 1;
}

static json_t *read_lines(void)
{
	json_t *arr = json_array();
	json_error_t jerr;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while (arr && (n = getline(&line, &cap, stdin)) >= 0) {
		json_t *doc;

		if (n <= 1)
			continue;
		doc = json_loadb(line, (size_t)n, JSON_DECODE_ANY, &jerr);
		if (!doc) {
			fprintf(stderr, "jget: line is not JSON: %s\n", jerr.text);
			json_decref(arr);
			arr = NULL;
			break;
		}
		json_array_append_new(arr, doc);
	}
	free(line);
	return arr;
}

int main(int argc, char **argv)
{
	char *where[MAX_WHERE];
	int n_where = 0, lines = 0, each = 0, owned, ret = 1, c;
	const char *path = "";
	json_error_t jerr;
	json_t *doc, *v;

	while ((c = getopt(argc, argv, "lw:a")) != -1) {
		switch (c) {
		case 'l':
			lines = 1;
			break;
		case 'a':
			each = 1;
			break;
		case 'w':
			if (n_where == MAX_WHERE || !strchr(optarg, '=')) {
				fprintf(stderr, "jget: -w wants PATH=VALUE (at most %d)\n",
					MAX_WHERE);
				return 2;
			}
			where[n_where++] = optarg;
			break;
		default:
			fprintf(stderr, "usage: jget [-l] [-w PATH=VALUE]... [-a] [PATH]\n");
			return 2;
		}
	}
	if (optind < argc)
		path = argv[optind];
	if (!strcmp(path, "."))
		path = "";
	doc = lines ? read_lines() : json_loadf(stdin, JSON_DECODE_ANY, &jerr);
	if (!doc) {
		if (!lines)
			fprintf(stderr, "jget: input is not JSON: %s (line %d)\n", jerr.text,
				jerr.line);
		return 2;
	}
	if (n_where) {
		json_t *kept = json_array();
		size_t i;

		if (!json_is_array(doc)) {
			fprintf(stderr, "jget: -w needs an array\n");
			json_decref(doc);
			json_decref(kept);
			return 1;
		}
		json_array_foreach (doc, i, v)
			if (matches(v, where, n_where))
				json_array_append(kept, v);
		json_decref(doc);
		doc = kept;
	}
	if (each) {
		size_t i;
		json_t *el;

		if (!json_is_array(doc)) {
			fprintf(stderr, "jget: -a needs an array\n");
			json_decref(doc);
			return 1;
		}
		ret = 0;
		json_array_foreach (doc, i, el) {
			v = walk(el, path, &owned);
			if (v)
				print(v);
			if (owned)
				json_decref(v);
		}
	} else {
		v = walk(doc, path, &owned);
		if (v)
			ret = print(v);
		if (owned)
			json_decref(v);
	}
	json_decref(doc);
	return ret;
}
