// SPDX-License-Identifier: MIT
#include "vq_driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *tq_ptr(struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	void *p = guest_mem_ptr(mem, gpa, len);

	if (!p) {
		fprintf(stderr, "test bug: GPA %#llx+%llu is not RAM\n",
			(unsigned long long)gpa, (unsigned long long)len);
		exit(1);
	}
	return p;
}

void tq_setup(struct tq *t, struct virtq *vq, struct guest_mem *mem,
	      uint16_t index, uint16_t size, uint64_t ring_gpa)
{
	memset(t, 0, sizeof(*t));
	t->vq = vq;
	t->mem = mem;
	t->size = size;
	vq_init(vq, mem, index, size, NULL, NULL);
	vq->size = size;
	vq->desc_gpa = ring_gpa;
	vq->avail_gpa = ring_gpa + 0x1000 * ((16u * size + 0xfff) / 0x1000);
	vq->used_gpa = vq->avail_gpa + 0x1000;
	t->desc = tq_ptr(mem, vq->desc_gpa, 16u * size);
	t->avail = tq_ptr(mem, vq->avail_gpa, 6 + 2u * size);
	t->used = tq_ptr(mem, vq->used_gpa, 6 + 8u * size);
	memset(t->desc, 0, 16u * size);
	memset(t->avail, 0, 6 + 2u * size);
	memset(t->used, 0, 6 + 8u * size);
	if (vq_enable(vq)) {
		fprintf(stderr, "test bug: vq_enable failed\n");
		exit(1);
	}
}

void tq_add_head(struct tq *t, uint16_t head)
{
	t->avail[2 + t->avail_idx % t->size] = head;
	t->avail_idx++;
	__atomic_store_n(&t->avail[1], t->avail_idx, __ATOMIC_RELEASE);
}

uint16_t tq_add(struct tq *t, const struct tbuf *b, int n)
{
	uint16_t head = t->next_desc;

	for (int i = 0; i < n; i++) {
		uint16_t d = (head + i) % t->size;

		t->desc[d] = (struct vring_desc){
			.addr = b[i].gpa,
			.len = b[i].len,
			.flags = (b[i].write ? VRING_DESC_F_WRITE : 0) |
				 (i + 1 < n ? VRING_DESC_F_NEXT : 0),
			.next = (d + 1) % t->size,
		};
	}
	t->next_desc = (head + n) % t->size;
	tq_add_head(t, head);
	return head;
}

bool tq_used(struct tq *t, uint16_t *id, uint32_t *len)
{
	uint16_t idx = __atomic_load_n((uint16_t *)t->used + 1, __ATOMIC_ACQUIRE);
	const uint32_t *e;

	if (idx == t->used_seen)
		return false;
	e = &t->used[1 + 2 * (t->used_seen % t->size)];
	*id = e[0];
	*len = e[1];
	t->used_seen++;
	return true;
}
