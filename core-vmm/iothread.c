// SPDX-License-Identifier: MIT
#include "iothread.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

static void *iothread_main(void *arg)
{
	struct iothread *io = arg;
	struct epoll_event ev[16];
	sigset_t set;

	/* Signals belong to the main thread. */
	sigfillset(&set);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
	for (;;) {
		int n = epoll_wait(io->epfd, ev, 16, -1);

		if (n < 0 && errno == EINTR)
			continue;
		for (int i = 0; i < n; i++) {
			struct iothread_watch *w = ev[i].data.ptr;
			if (!w)
				return NULL; /* the stop eventfd */
			w->fn(w->arg);
		}
	}
}

int iothread_init(struct iothread *io, const char *name)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

	memset(io, 0, sizeof(*io));
	for (int i = 0; i < IOTHREAD_MAX_WATCHES; i++)
		io->w[i].fd = -1;
	strncpy(io->name, name, sizeof(io->name) - 1);
	io->epfd = epoll_create1(EPOLL_CLOEXEC);
	io->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (io->epfd < 0 || io->stop_fd < 0 ||
	    epoll_ctl(io->epfd, EPOLL_CTL_ADD, io->stop_fd, &ev) < 0) {
		iothread_destroy(io);
		return -1;
	}
	return 0;
}

int iothread_add(struct iothread *io, int fd, iothread_fn fn, void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN };

	for (int i = 0; i < IOTHREAD_MAX_WATCHES; i++) {
		if (io->w[i].fd >= 0)
			continue;
		io->w[i] = (struct iothread_watch){ fd, fn, arg };
		ev.data.ptr = &io->w[i];
		if (epoll_ctl(io->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			io->w[i].fd = -1;
			return -1;
		}
		return 0;
	}
	return -1;
}

int iothread_start(struct iothread *io)
{
	if (pthread_create(&io->thread, NULL, iothread_main, io))
		return -1;
	pthread_setname_np(io->thread, io->name);
	io->running = 1;
	return 0;
}

void iothread_stop(struct iothread *io)
{
	uint64_t one = 1;

	if (!io->running)
		return;
	(void)!write(io->stop_fd, &one, sizeof(one));
	pthread_join(io->thread, NULL);
	io->running = 0;
}

void iothread_destroy(struct iothread *io)
{
	iothread_stop(io);
	if (io->epfd > 0)
		close(io->epfd);
	if (io->stop_fd > 0)
		close(io->stop_fd);
	io->epfd = io->stop_fd = -1;
}
