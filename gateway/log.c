// SPDX-License-Identifier: MIT
/* Log lines on stderr, one per event, and the clock the gateway uses. */
#include "gw.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

void gw_log(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	/* One write per line: a reader never sees half of one. */
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "porthole-gateway: %s\n", line);
}

uint64_t gw_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}
