/* SPDX-License-Identifier: MIT */
/*
 * The MMIO bus: guest-physical ranges that trap to a device (PCI BARs).
 * Ranges move when the guest reprograms a BAR, so lookups take a read lock
 * and (re)mapping a write lock; both happen on vCPU threads.
 */
#ifndef PORTHOLE_VMM_MMIO_H
#define PORTHOLE_VMM_MMIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* `off` is relative to the range's base. */
typedef void (*mmio_fn)(void *dev, int id, uint64_t off, uint8_t *data,
			int size, bool is_write);

struct mmio_range {
	uint64_t base, len;
	mmio_fn fn;
	void *dev;
	int id;
};

#define MMIO_MAX_RANGES 64

struct mmio_bus {
	pthread_rwlock_t lock;
	struct mmio_range r[MMIO_MAX_RANGES];
	int n;
};

void mmio_init(struct mmio_bus *bus);
void mmio_destroy(struct mmio_bus *bus);

/* Map (dev, id) at [base, base+len), replacing where it was; len 0 unmaps.
 * -1 if it would overlap another range or the table is full. */
int mmio_set(struct mmio_bus *bus, void *dev, int id, uint64_t base,
	     uint64_t len, mmio_fn fn);

/* false when nothing is mapped at addr (reads then see all ones). */
bool mmio_dispatch(struct mmio_bus *bus, uint64_t addr, uint8_t *data,
		   int size, bool is_write);

#endif
