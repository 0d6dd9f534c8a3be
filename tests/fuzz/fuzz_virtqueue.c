// SPDX-License-Identifier: MIT
/*
 * The split-virtqueue device side under a hostile driver: the input is a
 * descriptor table, an avail ring and ring addresses; vq_pop() must never
 * touch memory outside guest RAM (ASan watches), loop, or overrun a chain.
 */
#include "virtio/virtqueue.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guest_mem mem;
	static struct vq_chain c;
	struct virtq vq;
	uint16_t qsize;

	if (size < 8)
		return 0;
	if (!mem.lo && guest_mem_alloc(&mem, RAM))
		abort();
	memset(mem.lo, 0, 64 * 1024);
	/* Ring layout chosen by the input, like a driver would. */
	qsize = 1u << (data[0] % 9);              /* 1..256 */
	vq_init(&vq, &mem, 0, 256, NULL, NULL);
	vq.size = data[1] & 1 ? qsize : qsize + data[1]; /* sometimes bad */
	vq.desc_gpa = 0;
	vq.avail_gpa = 0x8000 + (data[2] & 3);
	vq.used_gpa = 0xc000 + (data[3] & 7);
	/* The rest is the guest's memory: descriptor table and avail ring. */
	memcpy(mem.lo, data + 8, size - 8 < 0x8000 ? size - 8 : 0x8000);
	if (size > 8 + 0x8000)
		memcpy(mem.lo + 0x8000, data + 8 + 0x8000,
		       size - 8 - 0x8000 < 0x1000 ? size - 8 - 0x8000 : 0x1000);
	if (data[4] & 1) /* a fuzzed avail idx even without a full input */
		memcpy(mem.lo + vq.avail_gpa + 2, data + 5, 2);
	if (vq_enable(&vq) == 0) {
		for (int i = 0; i < 64; i++) {
			enum vq_pop_result r = vq_pop(&vq, &c);
			uint8_t sink[64];

			if (r == VQ_EMPTY)
				break;
			if (r == VQ_OK) {
				vq_read(&c, 0, sink, sizeof(sink));
				vq_write(&c, 0, sink, sizeof(sink));
			}
			vq_push(&vq, &c, r == VQ_OK ? 1 : 0);
		}
	}
	vq_destroy(&vq);
	return 0;
}
