/* SPDX-License-Identifier: MIT */
/*
 * A thread that waits on file descriptors (ioeventfds of virtqueues, host
 * I/O) and runs their callbacks, so device work never runs on a vCPU thread
 * or in the main loop. Devices with slow I/O (disks) get their own.
 */
#ifndef PORTHOLE_VMM_IOTHREAD_H
#define PORTHOLE_VMM_IOTHREAD_H

#include <pthread.h>

typedef void (*iothread_fn)(void *arg);

#define IOTHREAD_MAX_WATCHES 32

struct iothread_watch {
	int fd;		/* -1: free slot */
	iothread_fn fn;
	void *arg;
};

struct iothread {
	pthread_t thread;
	int epfd;
	int stop_fd;
	int running;
	char name[16];
	struct iothread_watch w[IOTHREAD_MAX_WATCHES];
};

int iothread_init(struct iothread *io, const char *name);
/* Call fn(arg) on the thread whenever fd is readable; fn must consume what
 * made fd readable. Allowed before and after start. */
int iothread_add(struct iothread *io, int fd, iothread_fn fn, void *arg);
int iothread_start(struct iothread *io);
/* Stop and join: no callback runs once it returns. Then destroy. */
void iothread_stop(struct iothread *io);
void iothread_destroy(struct iothread *io);

#endif
