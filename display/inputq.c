// SPDX-License-Identifier: MIT
#include "inputq.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

int inputq_init(struct inputq *q, char *err, size_t errlen)
{
	memset(q, 0, sizeof(*q));
	q->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->efd < 0) {
		snprintf(err, errlen, "cannot create an eventfd: %s",
			 strerror(errno));
		return -1;
	}
	pthread_mutex_init(&q->lock, NULL);
	return 0;
}

void inputq_destroy(struct inputq *q)
{
	if (q->efd < 0)
		return;
	close(q->efd);
	q->efd = -1;
	pthread_mutex_destroy(&q->lock);
}

void inputq_wake(struct inputq *q)
{
	uint64_t one = 1;

	(void)!write(q->efd, &one, sizeof(one));
}

void inputq_push(struct inputq *q, const struct input_event *ev)
{
	int wake = 0;

	pthread_mutex_lock(&q->lock);
	if (q->count && ev->kind == INPUT_POINTER) {
		struct input_event *last =
			&q->ev[(q->head + q->count - 1) % INPUTQ_CAP];

		if (last->kind == INPUT_POINTER) {
			last->u.ptr = ev->u.ptr;
			goto out;
		}
	}
	if (q->count == INPUTQ_CAP) {
		q->dropped++;
		goto out;
	}
	q->ev[(q->head + q->count++) % INPUTQ_CAP] = *ev;
	wake = q->count == 1;
out:
	pthread_mutex_unlock(&q->lock);
	if (wake)
		inputq_wake(q);
}

size_t inputq_pop(struct inputq *q, struct input_event *out, size_t max)
{
	uint64_t v;
	size_t n = 0;
	int more;

	(void)!read(q->efd, &v, sizeof(v));
	pthread_mutex_lock(&q->lock);
	while (n < max && q->count) {
		out[n++] = q->ev[q->head];
		q->head = (q->head + 1) % INPUTQ_CAP;
		q->count--;
	}
	more = q->count != 0;
	pthread_mutex_unlock(&q->lock);
	/* More than max: come back for the rest. */
	if (more)
		inputq_wake(q);
	return n;
}
