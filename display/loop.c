// SPDX-License-Identifier: MIT
#include "loop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

struct dloop {
	int epfd;
	int stop, code;
	struct dloop_timer *timers;   /* armed, in no particular order */
};

uint64_t dloop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int dloop_create(struct dloop **out, char *err, size_t errlen)
{
	struct dloop *l = calloc(1, sizeof(*l));

	if (!l || (l->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot create the event loop: %s",
			 strerror(errno));
		free(l);
		return -1;
	}
	*out = l;
	return 0;
}

void dloop_destroy(struct dloop *l)
{
	if (!l)
		return;
	close(l->epfd);
	free(l);
}

int dloop_watch(struct dloop *l, struct dloop_watch *w, int fd,
		uint32_t events, dloop_fd_fn fn, void *opaque)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	w->fd = fd;
	w->fn = fn;
	w->opaque = opaque;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		w->fd = -1;
		return -1;
	}
	return 0;
}

int dloop_rewatch(struct dloop *l, struct dloop_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, w->fd, &ev);
}

void dloop_unwatch(struct dloop *l, struct dloop_watch *w)
{
	if (w->fd < 0)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->fd = -1;
}

void dloop_timer_init(struct dloop_timer *t, dloop_timer_fn fn, void *opaque)
{
	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->opaque = opaque;
}

void dloop_timer_cancel(struct dloop *l, struct dloop_timer *t)
{
	for (struct dloop_timer **p = &l->timers; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			break;
		}
	}
	t->next = NULL;
	t->due_ms = 0;
}

void dloop_timer_arm(struct dloop *l, struct dloop_timer *t, uint64_t ms)
{
	dloop_timer_cancel(l, t);
	t->due_ms = dloop_now_ms() + ms;
	if (!t->due_ms)
		t->due_ms = 1;
	t->next = l->timers;
	l->timers = t;
}

/* Fire due timers one at a time: a callback may re-arm or cancel any. */
static int run_timers(struct dloop *l)
{
	uint64_t now = dloop_now_ms(), next = UINT64_MAX;
	struct dloop_timer *t;

again:
	for (t = l->timers; t; t = t->next) {
		if (t->due_ms <= now) {
			dloop_timer_cancel(l, t);
			t->fn(t->opaque);
			goto again;
		}
	}
	for (t = l->timers; t; t = t->next)
		if (t->due_ms < next)
			next = t->due_ms;
	if (next == UINT64_MAX)
		return -1;
	now = dloop_now_ms();
	return next <= now ? 0 : (int)(next - now > 60000 ? 60000 : next - now);
}

int dloop_run(struct dloop *l)
{
	struct epoll_event ev[32];

	l->stop = 0;
	while (!l->stop) {
		int timeout = run_timers(l), n;

		if (l->stop)
			break;
		n = epoll_wait(l->epfd, ev, 32, timeout);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "porthole-display: epoll_wait: %s\n",
				strerror(errno));
			return -1;
		}
		for (int i = 0; i < n && !l->stop; i++) {
			struct dloop_watch *w = ev[i].data.ptr;

			if (w->fd >= 0)
				w->fn(w->opaque, ev[i].events);
		}
	}
	return l->code;
}

void dloop_stop(struct dloop *l, int code)
{
	l->stop = 1;
	l->code = code;
}
