// SPDX-License-Identifier: MIT
/*
 * virtio-console under a hostile driver: control messages of any size and
 * content, control-in buffers of any size (too small ones included), data
 * on every port, malformed chains on every queue and resets, in any order,
 * through real rings in guest memory. The device must stay within its
 * bounds (control queue, staging buffers) and within guest RAM (ASan).
 */
#include "virtio/console.h"
#include "vq_driver.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define QSIZE   16
#define BUF_GPA 0x80000
#define RAM     (1u << 20)

struct rig {
	struct guest_mem mem;
	struct virtq vqs[VCONSOLE_QUEUES];
	struct tq tqs[VCONSOLE_QUEUES];
};

/* Room for another chain of n descriptors in queue q. */
static bool room(struct tq *t, int n)
{
	uint16_t id;
	uint32_t len;

	while (tq_used(t, &id, &len))
		;
	return (uint16_t)(t->avail_idx - t->used_seen) + n <= t->size;
}

static void check(const struct vconsole *vc)
{
	if (vc->ctl_count > VCONSOLE_CTL_MAX || vc->rx_len > VCONSOLE_RX_BUF ||
	    vc->rx_off > vc->rx_len || vc->tx_len > VCONSOLE_TX_BUF)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rig *rig;
	struct vconsole *vc;
	char err[128];
	unsigned slot = 0;

	if (!rig) {
		rig = calloc(1, sizeof(*rig));
		if (!rig || guest_mem_alloc(&rig->mem, RAM))
			abort();
	}
	vc = malloc(sizeof(*vc));
	if (!vc || vconsole_init(vc, NULL, err, sizeof(err)))
		abort();
	vc->vqs = rig->vqs;
	for (int q = 0; q < VCONSOLE_QUEUES; q++)
		tq_setup(&rig->tqs[q], &rig->vqs[q], &rig->mem, q, QSIZE,
			 0x10000 + q * 0x4000);

	/* Records: op, queue, length, then up to 8 bytes of payload. */
	for (size_t i = 0; i + 11 <= size; i += 11) {
		const uint8_t *rec = data + i;
		int q = rec[1] % VCONSOLE_QUEUES;
		struct tq *t = &rig->tqs[q];
		uint64_t gpa = BUF_GPA + (slot++ % 64) * 0x100;
		uint32_t len = rec[2];

		switch (rec[0] % 5) {
		case 0: /* a driver->device buffer: control message or data */
			if (q == VCONSOLE_Q_CTL_IN || q == VCONSOLE_Q_RX0 ||
			    q == VCONSOLE_Q_RX1)
				q = VCONSOLE_Q_CTL_OUT;
			t = &rig->tqs[q];
			memset(tq_ptr(&rig->mem, gpa, 0x100), 0, 0x100);
			memcpy(tq_ptr(&rig->mem, gpa, 8), rec + 3, 8);
			if (room(t, 1))
				tq_add(t, (struct tbuf[]){ { gpa, len % 24, false } }, 1);
			break;
		case 1: /* a device->driver buffer of any size */
			if (room(t, 1))
				tq_add(t, (struct tbuf[]){ { gpa, len % 48, true } }, 1);
			break;
		case 2: /* a chain the driver made up */
			if (room(t, 2)) {
				uint64_t addr;

				memcpy(&addr, rec + 3, 8);
				addr %= RAM + 0x1000;  /* some just past RAM */
				tq_add(t, (struct tbuf[]){
					{ addr, len, rec[0] & 8 },
					{ gpa, rec[3], rec[0] & 16 } }, 2);
			}
			break;
		case 3:
			vconsole_ops.reset(vc);
			break;
		default:
			break;
		}
		vconsole_ops.notify(vc, &rig->vqs[q]);
		check(vc);
	}
	vconsole_destroy(vc);
	for (int q = 0; q < VCONSOLE_QUEUES; q++)
		vq_destroy(&rig->vqs[q]);
	free(vc);
	return 0;
}
