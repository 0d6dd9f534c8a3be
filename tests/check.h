/* SPDX-License-Identifier: MIT */
/* The tests' one assertion: on failure say where, what and why, exit 1. */
#ifndef PORTHOLE_TEST_CHECK_H
#define PORTHOLE_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__,	\
			__LINE__, #cond);				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		exit(1);						\
	}								\
} while (0)

#endif
