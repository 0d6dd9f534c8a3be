/* SPDX-License-Identifier: MIT */
/*
 * The driver's side of a split virtqueue, for device tests: rings and
 * buffers in a guest_mem, written by hand as a guest would, and a struct
 * virtq (the device's side) enabled on them. No KVM, no transport: the test
 * calls the device's notify itself.
 */
#ifndef PORTHOLE_TEST_VQ_DRIVER_H
#define PORTHOLE_TEST_VQ_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_mem.h"
#include "virtio/virtqueue.h"

struct tq {
	struct virtq *vq;
	struct guest_mem *mem;
	uint16_t size;
	struct vring_desc *desc;     /* host views of the rings */
	uint16_t *avail;
	uint32_t *used;
	uint16_t next_desc, avail_idx, used_seen;
};

struct tbuf {
	uint64_t gpa;
	uint32_t len;
	bool write;                  /* device-writable */
};

/* Rings at ring_gpa (needs 16 KiB for size <= 256); vq_enable()d. */
void tq_setup(struct tq *t, struct virtq *vq, struct guest_mem *mem,
	      uint16_t index, uint16_t size, uint64_t ring_gpa);
/* Make a chain of n buffers available; returns its head. */
uint16_t tq_add(struct tq *t, const struct tbuf *b, int n);
/* Publish a head whose descriptors the test wrote itself. */
void tq_add_head(struct tq *t, uint16_t head);
/* The next used element: true with its id and len, false if none. */
bool tq_used(struct tq *t, uint16_t *id, uint32_t *len);
/* Host pointer to guest memory (the test aborts if it is not RAM). */
void *tq_ptr(struct guest_mem *mem, uint64_t gpa, uint64_t len);

#endif
