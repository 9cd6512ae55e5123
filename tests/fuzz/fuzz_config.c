// SPDX-License-Identifier: GPL-2.0-only
/* config_parse on arbitrary bytes: no crash, no leak, and an error message on refusal. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *c = NULL;
	char err[256];
	int rc;

	rc = config_parse((const char *)data, size, &c, err, sizeof(err));
	if (rc == 0) {
		/* a config that parsed is usable as promised */
		if (!c || !c->socket || !c->database || !c->notify_command || !c->notify_from)
			abort();
		for (size_t i = 0; i < c->n_zones; i++)
			if (config_zone(c, c->zones[i].name) != &c->zones[i] ||
			    !c->zones[i].n_paths ||
			    config_max_duration(c, &c->zones[i]) > c->max_duration)
				abort();
	} else if (c || !memchr(err, '\0', sizeof(err)) || !err[0]) {
		abort();
	}
	config_free(c);
	return 0;
}
