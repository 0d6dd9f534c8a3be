// SPDX-License-Identifier: MIT
#include "virtqueue.h"

#include <stdio.h>
#include <string.h>

void vq_init(struct virtq *vq, struct guest_mem *mem, uint16_t index,
	     uint16_t max_size, vq_signal_fn signal, void *opaque)
{
	memset(vq, 0, sizeof(*vq));
	pthread_mutex_init(&vq->lock, NULL);
	vq->mem = mem;
	vq->index = index;
	vq->max_size = max_size;
	vq->size = max_size;
	vq->msix_vector = 0xffff;
	vq->signal = signal;
	vq->signal_opaque = opaque;
}

void vq_destroy(struct virtq *vq)
{
	pthread_mutex_destroy(&vq->lock);
}

static int is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

int vq_enable(struct virtq *vq)
{
	uint32_t n;
	int ret = -1;

	pthread_mutex_lock(&vq->lock);
	n = vq->size;
	/* Alignment and sizes as 2.7 requires; all three inside RAM. */
	if (!is_pow2(n) || n > vq->max_size || vq->desc_gpa % 16 ||
	    vq->avail_gpa % 2 || vq->used_gpa % 4)
		goto out;
	vq->desc = guest_mem_ptr(vq->mem, vq->desc_gpa, 16ULL * n);
	vq->avail = guest_mem_ptr(vq->mem, vq->avail_gpa, 6 + 2ULL * n);
	vq->used = guest_mem_ptr(vq->mem, vq->used_gpa, 6 + 8ULL * n);
	if (!vq->desc || !vq->avail || !vq->used)
		goto out;
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->enabled = 1;
	vq->broken = 0;
	ret = 0;
out:
	if (ret)
		vq->broken = 1;
	pthread_mutex_unlock(&vq->lock);
	return ret;
}

void vq_reset(struct virtq *vq)
{
	pthread_mutex_lock(&vq->lock);
	vq->enabled = 0;
	vq->broken = 0;
	vq->gen++;
	vq->size = vq->max_size;
	vq->msix_vector = 0xffff;
	vq->desc_gpa = vq->avail_gpa = vq->used_gpa = 0;
	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
	vq->last_avail = vq->used_idx = 0;
	pthread_mutex_unlock(&vq->lock);
}

enum vq_pop_result vq_walk(const struct guest_mem *mem,
			   const struct vring_desc *table, uint16_t size,
			   uint16_t head, struct vq_chain *c)
{
	uint16_t i = head;

	c->head = head;
	c->nout = c->nin = 0;
	c->out_bytes = c->in_bytes = 0;
	if (head >= size)
		return VQ_BAD;
	/* At most `size` descriptors: anything longer is a loop. */
	for (uint32_t n = 0; n < size; n++) {
		struct vring_desc d;
		uint8_t *p;

		/* One copy: the guest may rewrite the table as we read it. */
		memcpy(&d, &table[i], sizeof(d));
		if (d.flags & VRING_DESC_F_INDIRECT)
			return VQ_BAD;
		p = guest_mem_ptr(mem, d.addr, d.len);
		if (!p)
			return VQ_BAD;
		if (d.flags & VRING_DESC_F_WRITE) {
			if (c->nin == VQ_CHAIN_MAX)
				return VQ_BAD;
			c->in[c->nin++] = (struct vq_iov){ p, d.len };
			c->in_bytes += d.len;
		} else {
			/* Readable buffers come before writable ones. */
			if (c->nin || c->nout == VQ_CHAIN_MAX)
				return VQ_BAD;
			c->out[c->nout++] = (struct vq_iov){ p, d.len };
			c->out_bytes += d.len;
		}
		if (!(d.flags & VRING_DESC_F_NEXT))
			return VQ_OK;
		if (d.next >= size)
			return VQ_BAD;
		i = d.next;
	}
	return VQ_BAD;
}

enum vq_pop_result vq_pop(struct virtq *vq, struct vq_chain *c)
{
	enum vq_pop_result r = VQ_EMPTY;
	uint16_t avail_idx, head;

	pthread_mutex_lock(&vq->lock);
	if (!vq->enabled || vq->broken)
		goto out;
	/* Acquire: ring entries written before idx are visible after it. */
	avail_idx = __atomic_load_n(&vq->avail[1], __ATOMIC_ACQUIRE);
	if (avail_idx == vq->last_avail)
		goto out;
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->size) {
		/* More available than the ring holds: the driver is broken.
		 * Stop using the queue until it resets the device. */
		vq->broken = 1;
		vq->bad_chains++;
		goto out;
	}
	head = __atomic_load_n(&vq->avail[2 + vq->last_avail % vq->size],
			       __ATOMIC_RELAXED);
	vq->last_avail++;
	c->gen = vq->gen;
	r = vq_walk(vq->mem, vq->desc, vq->size, head, c);
	if (r == VQ_BAD) {
		vq->bad_chains++;
		if (head >= vq->size) {
			/* No id to complete; the ring is unusable. */
			vq->broken = 1;
			r = VQ_EMPTY;
		}
	}
out:
	pthread_mutex_unlock(&vq->lock);
	return r;
}

void vq_push(struct virtq *vq, const struct vq_chain *c, uint32_t written)
{
	int signal = 0;

	pthread_mutex_lock(&vq->lock);
	if (vq->enabled && !vq->broken && c->gen == vq->gen) {
		uint32_t *e = &vq->used[1 + 2 * (vq->used_idx % vq->size)];
		uint16_t flags;

		e[0] = c->head;
		e[1] = written;
		vq->used_idx++;
		/* Release: the element is visible before the new idx. */
		__atomic_store_n((uint16_t *)vq->used + 1, vq->used_idx,
				 __ATOMIC_RELEASE);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		flags = __atomic_load_n(&vq->avail[0], __ATOMIC_RELAXED);
		signal = !(flags & VRING_AVAIL_F_NO_INTERRUPT);
	}
	pthread_mutex_unlock(&vq->lock);
	if (signal && vq->signal)
		vq->signal(vq->signal_opaque, vq);
}

uint64_t vq_read(const struct vq_chain *c, uint64_t off, void *dst,
		 uint64_t len)
{
	uint8_t *d = dst;
	uint64_t done = 0;

	for (int i = 0; i < c->nout && done < len; i++) {
		const struct vq_iov *v = &c->out[i];
		uint64_t n;

		if (off >= v->len) {
			off -= v->len;
			continue;
		}
		n = v->len - off < len - done ? v->len - off : len - done;
		memcpy(d + done, v->base + off, n);
		done += n;
		off = 0;
	}
	return done;
}

uint64_t vq_write(const struct vq_chain *c, uint64_t off, const void *src,
		  uint64_t len)
{
	const uint8_t *s = src;
	uint64_t done = 0;

	for (int i = 0; i < c->nin && done < len; i++) {
		const struct vq_iov *v = &c->in[i];
		uint64_t n;

		if (off >= v->len) {
			off -= v->len;
			continue;
		}
		n = v->len - off < len - done ? v->len - off : len - done;
		memcpy(v->base + off, s + done, n);
		done += n;
		off = 0;
	}
	return done;
}
