/* SPDX-License-Identifier: MIT */
/*
 * The display's main loop: epoll over file descriptors plus one-shot timers
 * on the monotonic clock. Single-threaded: other threads wake it through an
 * fd (an eventfd) they write to. Watches and timers are owned by the caller
 * (embedded in its structs), so registering never allocates.
 */
#ifndef PORTHOLE_DISPLAY_LOOP_H
#define PORTHOLE_DISPLAY_LOOP_H

#include <stddef.h>
#include <stdint.h>

struct dloop;

typedef void (*dloop_fd_fn)(void *opaque, uint32_t events);
typedef void (*dloop_timer_fn)(void *opaque);

struct dloop_watch {
	int fd;
	dloop_fd_fn fn;
	void *opaque;
};

struct dloop_timer {
	uint64_t due_ms;          /* 0: not armed */
	dloop_timer_fn fn;
	void *opaque;
	struct dloop_timer *next;
};

int dloop_create(struct dloop **l, char *err, size_t errlen);
void dloop_destroy(struct dloop *l);

/* events: EPOLLIN / EPOLLOUT. 0 or -1 (errno set). */
int dloop_watch(struct dloop *l, struct dloop_watch *w, int fd,
		uint32_t events, dloop_fd_fn fn, void *opaque);
int dloop_rewatch(struct dloop *l, struct dloop_watch *w, uint32_t events);
void dloop_unwatch(struct dloop *l, struct dloop_watch *w);

/* (Re)arm t to fire once after ms; cancel disarms it. */
void dloop_timer_init(struct dloop_timer *t, dloop_timer_fn fn, void *opaque);
void dloop_timer_arm(struct dloop *l, struct dloop_timer *t, uint64_t ms);
void dloop_timer_cancel(struct dloop *l, struct dloop_timer *t);

uint64_t dloop_now_ms(void);

/* Run until dloop_stop; returns the code given to it. */
int dloop_run(struct dloop *l);
void dloop_stop(struct dloop *l, int code);

#endif
