// SPDX-License-Identifier: MIT
/*
 * The virtio-pci transport and split virtqueue, driven the way a driver
 * does it: through PCI configuration space (cf8/cfc) and BAR 0 on the MMIO
 * bus. The device behind it is a one-queue echo device defined here; the
 * transport, PCI bus, MMIO bus and iothread are the real ones (no KVM: the
 * notify fallback path and MSI-X eventfds are what is exercised).
 */
#include "iothread.h"
#include "layout.h"
#include "mmio.h"
#include "pci/pci.h"
#include "pio.h"
#include "virtio/virtio_pci.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

/* --- the echo device --- */

struct echo {
	struct virtio_pci vp;
	int resets, starts;
	uint8_t cfg[8];
};

static void echo_cfg(void *dev, uint32_t off, uint8_t *data, int size,
		     bool is_write)
{
	struct echo *e = dev;

	if (is_write)
		memcpy(e->cfg + off, data, size);
	else
		memcpy(data, e->cfg + off, size);
}

static void echo_notify(void *dev, struct virtq *vq)
{
	struct vq_chain c;
	enum vq_pop_result r;
	uint8_t buf[256];

	(void)dev;
	while ((r = vq_pop(vq, &c)) != VQ_EMPTY) {
		uint64_t n = 0;
		if (r == VQ_OK) {
			n = vq_read(&c, 0, buf, sizeof(buf));
			n = vq_write(&c, 0, buf, n);
		}
		vq_push(vq, &c, n);
	}
}

static void echo_start(void *dev, uint64_t f) { ((struct echo *)dev)->starts++; (void)f; }
static void echo_reset(void *dev) { ((struct echo *)dev)->resets++; }

static const struct virtio_device_ops echo_ops = {
	.name = "echo", .device_id = 30, .pci_class = 0xff0000,
	.features = 1ULL << 3, .num_queues = 1, .queue_size = 8,
	.config_size = 8, .config_rw = echo_cfg, .notify = echo_notify,
	.start = echo_start, .reset = echo_reset,
};

/* --- a tiny driver --- */

static struct pci_bus bus;
static struct mmio_bus mmio;
static struct pio_bus pio;

static uint32_t cfg_read(int slot, uint32_t off, int size)
{
	uint32_t a = 0x80000000u | slot << 11 | (off & 0xfc), v = 0;
	pio_dispatch(&pio, 0xcf8, (uint8_t *)&a, 4, true);
	pio_dispatch(&pio, 0xcfc + (off & 3), (uint8_t *)&v, size, false);
	return v;
}

static void cfg_write(int slot, uint32_t off, uint32_t v, int size)
{
	uint32_t a = 0x80000000u | slot << 11 | (off & 0xfc);
	pio_dispatch(&pio, 0xcf8, (uint8_t *)&a, 4, true);
	pio_dispatch(&pio, 0xcfc + (off & 3), (uint8_t *)&v, size, true);
}

static uint64_t bar0;

static uint32_t rd(uint32_t off, int size)
{
	uint32_t v = 0;
	CHECK(mmio_dispatch(&mmio, bar0 + off, (uint8_t *)&v, size, false),
	      "nothing at BAR0+%#x", off);
	return v;
}

static void wr(uint32_t off, uint32_t v, int size)
{
	mmio_dispatch(&mmio, bar0 + off, (uint8_t *)&v, size, true);
}

/* Find a virtio capability of cfg_type; returns its offset in BAR 0. */
static uint32_t find_cap(int slot, uint8_t type, uint32_t *mult)
{
	for (uint32_t p = cfg_read(slot, 0x34, 1); p; p = cfg_read(slot, p + 1, 1)) {
		if (cfg_read(slot, p, 1) != 0x09 || cfg_read(slot, p + 3, 1) != type)
			continue;
		CHECK(cfg_read(slot, p + 4, 1) == 0, "cap in BAR 0");
		if (mult)
			*mult = cfg_read(slot, p + 16, 4);
		return cfg_read(slot, p + 8, 4);
	}
	CHECK(0, "no virtio cap of type %u", type);
	return 0;
}

static uint32_t find_msix(int slot)
{
	for (uint32_t p = cfg_read(slot, 0x34, 1); p; p = cfg_read(slot, p + 1, 1))
		if (cfg_read(slot, p, 1) == 0x11)
			return p;
	CHECK(0, "no MSI-X capability");
	return 0;
}

int main(void)
{
	struct guest_mem mem;
	struct iothread io;
	struct echo e = { 0 };
	struct virtio_env env;
	char err[256];
	uint32_t common, notify, devcfg, mult, msix;
	int slot = 1;

	CHECK(guest_mem_alloc(&mem, 16 << 20) == 0, "mem");
	mmio_init(&mmio);
	CHECK(pci_bus_init(&bus, &mmio, &pio, 1ULL << 40) == 0, "bus");
	CHECK(iothread_init(&io, "test-io") == 0 && iothread_start(&io) == 0, "io");
	env = (struct virtio_env){ .vm_fd = -1, .mem = &mem, .bus = &bus,
				   .irq = NULL, .io = &io };
	CHECK(virtio_pci_init(&e.vp, &echo_ops, &e, &env, err, sizeof(err)) == 0,
	      "%s", err);

	/* Identity and BAR, as firmware left them. */
	CHECK(cfg_read(0, 0, 4) != 0xffffffff, "host bridge");
	CHECK(cfg_read(slot, 0, 2) == 0x1af4 && cfg_read(slot, 2, 2) == 0x1040 + 30,
	      "ids %x", cfg_read(slot, 0, 4));
	CHECK(cfg_read(7, 0, 4) == 0xffffffff, "empty slot");
	bar0 = cfg_read(slot, 0x10, 4) & ~0xfu;
	CHECK(bar0 >= LAYOUT_PCI_MMIO_START && bar0 < LAYOUT_FB_START, "bar0 %llx",
	      (unsigned long long)bar0);

	/* BAR sizing and moving, with decode off meanwhile. */
	cfg_write(slot, 4, 0, 2);
	cfg_write(slot, 0x10, 0xffffffff, 4);
	CHECK((cfg_read(slot, 0x10, 4) & ~0xfu) == ~(0x8000u - 1), "size mask %x",
	      cfg_read(slot, 0x10, 4));
	cfg_write(slot, 0x10, 0xd0000000, 4);
	cfg_write(slot, 4, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	bar0 = 0xd0000000;

	common = find_cap(slot, 1, NULL);
	notify = find_cap(slot, 2, &mult);
	devcfg = find_cap(slot, 4, NULL);
	msix = find_msix(slot);
	CHECK(mult == 4, "multiplier %u", mult);

	/* Feature negotiation: refused without VERSION_1, accepted with. */
	wr(common + 0x14, 0, 1);
	wr(common + 0x14, 1 | 2, 1);
	wr(common + 0x00, 0, 4);
	CHECK(rd(common + 0x04, 4) == (1u << 3), "features lo %x", rd(common + 4, 4));
	wr(common + 0x00, 1, 4);
	CHECK(rd(common + 0x04, 4) == 1, "VERSION_1 offered");
	wr(common + 0x08, 0, 4);
	wr(common + 0x0c, 1u << 3, 4);
	wr(common + 0x14, 1 | 2 | 8, 1);
	CHECK(!(rd(common + 0x14, 1) & 8), "FEATURES_OK without VERSION_1");
	wr(common + 0x14, 0, 1);
	CHECK(e.resets == 2, "reset reached the device (%d)", e.resets);
	wr(common + 0x14, 1 | 2, 1);
	wr(common + 0x08, 1, 4);
	wr(common + 0x0c, 1, 4);
	wr(common + 0x14, 1 | 2 | 8, 1);
	CHECK(rd(common + 0x14, 1) & 8, "FEATURES_OK refused");

	/* Device config goes to the device. */
	wr(devcfg + 4, 0xabcd1234, 4);
	CHECK(e.cfg[4] == 0x34 && rd(devcfg + 4, 4) == 0xabcd1234, "devcfg");

	/* MSI-X: enable, program vector 0 for the queue, unmasked. */
	cfg_write(slot, msix + 2, 0x8000, 2);
	wr(0x4000 + 0, 0xfee00000, 4);
	wr(0x4000 + 8, 0x41, 4);
	wr(0x4000 + 12, 0, 4);

	/* Queue 0 of 8 at 0x10000 / 0x11000 / 0x12000. */
	wr(common + 0x16, 0, 2);
	CHECK(rd(common + 0x18, 2) == 8, "queue size");
	wr(common + 0x1a, 0, 2);
	wr(common + 0x20, 0x10000, 4); wr(common + 0x24, 0, 4);
	wr(common + 0x28, 0x11000, 4); wr(common + 0x2c, 0, 4);
	wr(common + 0x30, 0x12000, 4); wr(common + 0x34, 0, 4);
	wr(common + 0x1c, 1, 2);
	CHECK(rd(common + 0x1c, 2) == 1, "queue enabled");
	wr(common + 0x14, 1 | 2 | 4 | 8, 1);
	CHECK(e.starts == 1, "start");

	/* One chain: "hello" readable, 16 bytes writable. */
	{
		struct vring_desc *d = (void *)(mem.lo + 0x10000);
		uint16_t *avail = (void *)(mem.lo + 0x11000);
		volatile uint16_t *used_idx = (void *)(mem.lo + 0x12002);
		uint32_t *used = (void *)(mem.lo + 0x12004);
		struct pollfd p = { e.vp.irq_fd[0], POLLIN, 0 };
		uint64_t cnt;

		memcpy(mem.lo + 0x20000, "hello", 5);
		d[0] = (struct vring_desc){ 0x20000, 5, VRING_DESC_F_NEXT, 1 };
		d[1] = (struct vring_desc){ 0x21000, 16, VRING_DESC_F_WRITE, 0 };
		avail[2] = 0;
		__atomic_store_n(&avail[1], 1, __ATOMIC_RELEASE);
		wr(notify + 0 * mult, 0, 2); /* no ioeventfd: the fallback path */
		CHECK(poll(&p, 1, 2000) == 1, "no MSI-X interrupt");
		CHECK(read(e.vp.irq_fd[0], &cnt, 8) == 8, "irq read");
		CHECK(*used_idx == 1 && used[0] == 0 && used[1] == 5,
		      "used idx %u id %u len %u", *used_idx, used[0], used[1]);
		CHECK(!memcmp(mem.lo + 0x21000, "hello", 5), "echo");

		/* A loop and an out-of-RAM buffer: completed, device alive. */
		d[2] = (struct vring_desc){ 0x20000, 5, VRING_DESC_F_NEXT, 3 };
		d[3] = (struct vring_desc){ 0x20000, 5, VRING_DESC_F_NEXT, 2 };
		d[4] = (struct vring_desc){ 0xfff00000ULL, 4096, VRING_DESC_F_WRITE, 0 };
		avail[3] = 2;
		avail[4] = 4;
		__atomic_store_n(&avail[1], 3, __ATOMIC_RELEASE);
		wr(notify, 0, 2);
		for (int i = 0; i < 200 && *used_idx != 3; i++)
			usleep(5000);
		CHECK(*used_idx == 3 && used[2] == 2 && used[3] == 0 &&
		      used[4] == 4 && used[5] == 0, "bad chains completed");
		CHECK(e.vp.vq[0].bad_chains == 2, "bad chains counted");

		/* Masked vector: pending, delivered on unmask. */
		CHECK(read(e.vp.irq_fd[0], &cnt, 8) == 8, "bad chains interrupt");
		wr(0x4000 + 12, 1, 4);
		avail[5] = 0;
		__atomic_store_n(&avail[1], 4, __ATOMIC_RELEASE);
		wr(notify, 0, 2);
		for (int i = 0; i < 200 && *used_idx != 4; i++)
			usleep(5000);
		usleep(10000);
		CHECK(poll(&p, 1, 0) == 0, "interrupt while masked");
		CHECK(rd(0x5000, 4) & 1, "PBA bit");
		wr(0x4000 + 12, 0, 4);
		CHECK(poll(&p, 1, 1000) == 1, "pending interrupt not delivered");
	}

	/* Rings outside RAM: the queue refuses and asks for a reset. */
	wr(common + 0x14, 0, 1);
	wr(common + 0x16, 0, 2);
	wr(common + 0x20, 0xf0000000, 4);
	wr(common + 0x1c, 1, 2);
	CHECK(rd(common + 0x1c, 2) == 0 && (rd(common + 0x14, 1) & 64),
	      "bad ring accepted");

	/* Hostile register accesses: odd sizes and offsets are ignored. */
	for (uint32_t off = 0; off < 0x8000; off += 3)
		wr(off, 0xffffffff, 1 + off % 4);

	iothread_stop(&io);
	virtio_pci_destroy(&e.vp);
	iothread_destroy(&io);
	pci_bus_destroy(&bus);
	mmio_destroy(&mmio);
	guest_mem_free(&mem);
	printf("virtio-pci transport: ok\n");
	return 0;
}
