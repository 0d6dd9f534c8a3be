/* SPDX-License-Identifier: MIT */
/*
 * Split virtqueues (virtio 1.x, 2.7): the device side. The rings live in
 * guest RAM and everything in them is hostile: every descriptor address and
 * length is checked against RAM (guest_mem_ptr), chains are bounded by the
 * queue size (no loops), directions are checked (readable before writable),
 * indirect descriptors are refused (not negotiated). A bad chain is reported
 * as VQ_BAD with its head, so the device can fail that one request.
 *
 * Locking: each queue has a mutex taken inside vq_pop()/vq_push(); a device
 * may do slow I/O between the two without holding it. A reset bumps `gen`,
 * and a push for a chain popped before the reset is dropped.
 */
#ifndef PORTHOLE_VMM_VIRTQUEUE_H
#define PORTHOLE_VMM_VIRTQUEUE_H

#include <pthread.h>
#include <stdint.h>

#include "../guest_mem.h"

#define VQ_MAX_SIZE  1024
#define VQ_CHAIN_MAX 256

#define VRING_DESC_F_NEXT      1
#define VRING_DESC_F_WRITE     2
#define VRING_DESC_F_INDIRECT  4
#define VRING_AVAIL_F_NO_INTERRUPT 1

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vq_iov {
	uint8_t *base;  /* host pointer, inside guest RAM */
	uint32_t len;
};

struct vq_chain {
	uint16_t head;
	uint32_t gen;
	int nout, nin;             /* driver-readable, then device-writable */
	uint64_t out_bytes, in_bytes;
	struct vq_iov out[VQ_CHAIN_MAX];
	struct vq_iov in[VQ_CHAIN_MAX];
};

enum vq_pop_result {
	VQ_EMPTY = 0,   /* nothing available (or queue not enabled/broken) */
	VQ_OK = 1,
	VQ_BAD = -1,    /* malformed chain: complete chain->head with an error */
};

struct virtq;
typedef void (*vq_signal_fn)(void *opaque, struct virtq *vq);

struct virtq {
	pthread_mutex_t lock;
	struct guest_mem *mem;
	uint16_t index;
	uint16_t max_size;
	/* Programmed by the driver through the transport. */
	uint16_t size;
	uint16_t msix_vector;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	int enabled;
	/* Device state. */
	int broken;                /* ring itself unusable until reset */
	uint16_t last_avail;
	uint16_t used_idx;
	uint32_t gen;
	struct vring_desc *desc;   /* host views, valid while enabled */
	uint16_t *avail;           /* flags, idx, ring[size], used_event */
	uint32_t *used;            /* flags|idx, then {id, len} pairs */
	vq_signal_fn signal;
	void *signal_opaque;
	uint64_t bad_chains;
};

void vq_init(struct virtq *vq, struct guest_mem *mem, uint16_t index,
	     uint16_t max_size, vq_signal_fn signal, void *opaque);
void vq_destroy(struct virtq *vq);

/* Transport: validate the programmed rings and start; -1 if they are not in
 * RAM or misaligned (the queue is then marked broken). */
int vq_enable(struct virtq *vq);
/* Transport: forget everything (device reset). */
void vq_reset(struct virtq *vq);

/* Device: take the next available chain. */
enum vq_pop_result vq_pop(struct virtq *vq, struct vq_chain *c);
/* Device: return a chain with `written` bytes written into its in-buffers,
 * and interrupt the driver unless it asked not to be. */
void vq_push(struct virtq *vq, const struct vq_chain *c, uint32_t written);

/* Helpers: copy between a chain's buffers and flat memory; return bytes. */
uint64_t vq_read(const struct vq_chain *c, uint64_t off, void *dst,
		 uint64_t len);
uint64_t vq_write(const struct vq_chain *c, uint64_t off, const void *src,
		  uint64_t len);

/* The descriptor walker alone, for the fuzz target. */
enum vq_pop_result vq_walk(const struct guest_mem *mem,
			   const struct vring_desc *table, uint16_t size,
			   uint16_t head, struct vq_chain *c);

#endif
