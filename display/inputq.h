/* SPDX-License-Identifier: MIT */
/*
 * Input from the protocol servers' client threads to the display's main
 * loop, which alone talks to the source. Bounded: when the main loop falls
 * behind, pointer motion merges into the last queued motion and anything
 * else beyond INPUTQ_CAP is dropped (and counted), never queued without
 * limit. The eventfd wakes the loop; an empty push (inputq_wake) only wakes
 * it, for state changes it reads itself (client counts).
 */
#ifndef PORTHOLE_DISPLAY_INPUTQ_H
#define PORTHOLE_DISPLAY_INPUTQ_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "source.h"

#define INPUTQ_CAP 4096

enum inputq_kind { INPUT_KEY, INPUT_POINTER, INPUT_BUTTONS, INPUT_WHEEL };

struct input_event {
	uint8_t kind;
	union {
		struct source_key key;
		struct { uint32_t x, y; } ptr;
		uint32_t buttons;
		struct { int32_t v, h; } wheel;
	} u;
};

struct inputq {
	pthread_mutex_t lock;
	int efd;
	unsigned head, count;
	uint64_t dropped;
	struct input_event ev[INPUTQ_CAP];
};

int inputq_init(struct inputq *q, char *err, size_t errlen);
void inputq_destroy(struct inputq *q);
void inputq_push(struct inputq *q, const struct input_event *ev);
void inputq_wake(struct inputq *q);
/* Main loop: clear the wakeup and take up to max events, oldest first. */
size_t inputq_pop(struct inputq *q, struct input_event *out, size_t max);

#endif
