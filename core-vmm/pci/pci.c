// SPDX-License-Identifier: MIT
#include "pci.h"
#include "../layout.h"

#include <stdio.h>
#include <string.h>

#define PCI_BAR0 0x10

static void put16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }

void pci_device_init(struct pci_device *d, uint16_t vendor, uint16_t device,
		     uint32_t class_code, uint16_t subsys_vendor,
		     uint16_t subsys_id, uint8_t revision)
{
	memset(d, 0, sizeof(*d));
	put16(d->cfg + 0x00, vendor);
	put16(d->cfg + 0x02, device);
	d->cfg[0x08] = revision;
	d->cfg[0x09] = class_code;
	d->cfg[0x0a] = class_code >> 8;
	d->cfg[0x0b] = class_code >> 16;
	put16(d->cfg + 0x2c, subsys_vendor);
	put16(d->cfg + 0x2e, subsys_id);
	/* Command: memory decode, bus master, INTx disable. */
	put16(d->wmask + PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
				      0x0400);
	d->wmask[0x3c] = 0xff; /* interrupt line: scratch for the OS */
	d->next_cap = 0x40;
	d->slot = -1;
}

void pci_add_bar(struct pci_device *d, int bar, uint64_t size, int is64)
{
	uint64_t mask = ~(size - 1);

	d->bar[bar].size = size;
	d->bar[bar].is64 = is64;
	/* Type bits: memory, 64-bit (0x4) or 32-bit. Address bits writable
	 * down to the size, which is how the guest sizes the BAR. */
	d->cfg[PCI_BAR0 + bar * 4] = is64 ? 0x04 : 0x00;
	put32(d->wmask + PCI_BAR0 + bar * 4, (uint32_t)mask & ~0xfu);
	if (is64)
		put32(d->wmask + PCI_BAR0 + bar * 4 + 4, mask >> 32);
}

uint8_t pci_add_cap(struct pci_device *d, uint8_t id, const void *body,
		    uint8_t len, const void *wmask)
{
	uint8_t off = d->next_cap;

	if (off + 2 + len > PCI_CFG_SIZE)
		return 0;
	d->cfg[off] = id;
	d->cfg[off + 1] = d->cfg[PCI_CAP_PTR];
	memcpy(d->cfg + off + 2, body, len);
	if (wmask)
		memcpy(d->wmask + off + 2, wmask, len);
	/* Newest first in the list; order does not matter to drivers. */
	d->cfg[PCI_CAP_PTR] = off;
	d->cfg[0x06] |= PCI_STATUS_CAP;
	d->next_cap = (off + 2 + len + 3) & ~3;
	return off;
}

static uint64_t bar_addr(const struct pci_device *d, int bar)
{
	const uint8_t *p = d->cfg + PCI_BAR0 + bar * 4;
	uint64_t a = (p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24) &
		     ~0xfULL;

	if (d->bar[bar].is64)
		a |= (uint64_t)(p[4] | p[5] << 8 | p[6] << 16 |
				(uint32_t)p[7] << 24) << 32;
	return a;
}

/* Map each BAR where the guest put it when memory decode is on; unmap
 * otherwise. Overlapping or half-programmed BARs (during sizing) stay off. */
static void update_bars(struct pci_device *d)
{
	int decode = pci_cfg16(d, PCI_COMMAND) & PCI_COMMAND_MEMORY;

	for (int i = 0; i < 6; i++) {
		struct pci_bar *b = &d->bar[i];
		uint64_t want;

		if (!b->size)
			continue;
		b->addr = bar_addr(d, i);
		want = decode && b->addr && b->addr + b->size > b->addr ?
		       b->addr : 0;
		if (want == b->mapped)
			continue;
		uint64_t old = b->mapped;

		if (mmio_set(d->bus->mmio, d, i, want, want ? b->size : 0,
			     d->bar_fn) == 0)
			b->mapped = want;
		else
			b->mapped = 0;
		if (b->mapped != old && d->bar_moved)
			d->bar_moved(d->owner, i, old, b->mapped);
	}
}

void pci_cfg_access(struct pci_bus *bus, int slot, uint32_t off,
		    uint8_t *data, int size, int is_write)
{
	struct pci_device *d = slot >= 0 && slot < PCI_MAX_SLOTS ?
			       bus->dev[slot] : NULL;

	if (!d || off >= PCI_CFG_SIZE) {
		if (!is_write)
			memset(data, 0xff, size);
		return;
	}
	if (off + size > PCI_CFG_SIZE)
		size = PCI_CFG_SIZE - off;
	if (!is_write) {
		memcpy(data, d->cfg + off, size);
		return;
	}
	for (int i = 0; i < size; i++) {
		uint8_t m = d->wmask[off + i];
		d->cfg[off + i] = (d->cfg[off + i] & ~m) | (data[i] & m);
	}
	if (off < PCI_BAR0 + 24 && off + size > PCI_COMMAND)
		update_bars(d);
	if (d->cfg_written)
		d->cfg_written(d->owner, off, size);
}

static void cf8_pio(void *dev, uint16_t port, uint8_t *data, int size,
		    bool is_write)
{
	struct pci_bus *bus = dev;

	pthread_mutex_lock(&bus->lock);
	if (size != 4) {
		/* Byte accesses at 0xcf8.. are other chipset registers. */
		if (!is_write)
			memset(data, 0xff, size);
	} else if (is_write) {
		memcpy(&bus->cf8, data, 4);
	} else {
		memcpy(data, &bus->cf8, 4);
	}
	pthread_mutex_unlock(&bus->lock);
}

static void cfc_pio(void *dev, uint16_t port, uint8_t *data, int size,
		    bool is_write)
{
	struct pci_bus *bus = dev;
	uint32_t a;

	pthread_mutex_lock(&bus->lock);
	a = bus->cf8;
	/* Enabled, bus 0, function 0; everything else is absent. */
	if (!(a & 0x80000000u) || (a >> 16 & 0xff) || (a >> 8 & 7)) {
		if (!is_write)
			memset(data, 0xff, size);
	} else {
		pci_cfg_access(bus, a >> 11 & 0x1f,
			       (a & 0xfc) + (port - 0xcfc), data, size,
			       is_write);
	}
	pthread_mutex_unlock(&bus->lock);
}

int pci_bus_init(struct pci_bus *bus, struct mmio_bus *mmio,
		 struct pio_bus *pio, uint64_t mmio64_base)
{
	memset(bus, 0, sizeof(*bus));
	pthread_mutex_init(&bus->lock, NULL);
	bus->mmio = mmio;
	bus->mmio32_next = LAYOUT_PCI_MMIO_START;
	bus->mmio32_end = LAYOUT_FB_START;
	bus->mmio64_next = mmio64_base;
	if (pio_register(pio, 0xcf8, 4, cf8_pio, bus) ||
	    pio_register(pio, 0xcfc, 4, cfc_pio, bus))
		return -1;
	/* A plain host bridge in slot 0, as on every PC. */
	pci_device_init(&bus->host_bridge, 0x8086, 0x0d57, 0x060000, 0, 0, 0);
	bus->host_bridge.bus = bus;
	bus->host_bridge.slot = 0;
	bus->dev[0] = &bus->host_bridge;
	return 0;
}

void pci_bus_destroy(struct pci_bus *bus)
{
	for (int i = 0; i < PCI_MAX_SLOTS; i++) {
		struct pci_device *d = bus->dev[i];
		for (int b = 0; d && b < 6; b++)
			if (d->bar[b].mapped)
				mmio_set(bus->mmio, d, b, 0, 0, NULL);
	}
	pthread_mutex_destroy(&bus->lock);
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int pci_register(struct pci_bus *bus, struct pci_device *d, char *err,
		 size_t errlen)
{
	int slot = 1;

	while (slot < PCI_MAX_SLOTS && bus->dev[slot])
		slot++;
	if (slot == PCI_MAX_SLOTS) {
		snprintf(err, errlen, "no free PCI slot: at most %d devices",
			 PCI_MAX_SLOTS - 1);
		return -1;
	}
	d->bus = bus;
	d->slot = slot;
	for (int i = 0; i < 6; i++) {
		struct pci_bar *b = &d->bar[i];
		uint64_t *next = b->is64 ? &bus->mmio64_next : &bus->mmio32_next;
		uint64_t a;

		if (!b->size)
			continue;
		a = align_up(*next, b->size);
		if (!b->is64 && a + b->size > bus->mmio32_end) {
			snprintf(err, errlen, "the 32-bit PCI window is full");
			return -1;
		}
		*next = a + b->size;
		put32(d->cfg + PCI_BAR0 + i * 4,
		      (uint32_t)a | (b->is64 ? 0x04 : 0));
		if (b->is64)
			put32(d->cfg + PCI_BAR0 + i * 4 + 4, a >> 32);
	}
	d->cfg[PCI_COMMAND] |= PCI_COMMAND_MEMORY;
	pthread_mutex_lock(&bus->lock);
	bus->dev[slot] = d;
	update_bars(d);
	pthread_mutex_unlock(&bus->lock);
	return 0;
}
