/* SPDX-License-Identifier: MIT */
/*
 * The port I/O bus: a small table of port ranges, each owned by one device.
 * Devices are registered before the vCPUs start, so lookups need no lock.
 */
#ifndef PORTHOLE_VMM_PIO_H
#define PORTHOLE_VMM_PIO_H

#include <stdbool.h>
#include <stdint.h>

/* Called on a vCPU thread with 1, 2 or 4 bytes; `port` is absolute. */
typedef void (*pio_fn)(void *dev, uint16_t port, uint8_t *data, int size,
		       bool is_write);

struct pio_range {
	uint16_t base, len;
	pio_fn fn;
	void *dev;
};

#define PIO_MAX_RANGES 32

struct pio_bus {
	struct pio_range r[PIO_MAX_RANGES];
	int n;
};

/* 0, or -1 when the range overlaps another or the table is full. */
int pio_register(struct pio_bus *bus, uint16_t base, uint16_t len, pio_fn fn,
		 void *dev);

/* Dispatch one access; returns false if no device owns the port (reads then
 * see all ones, as on a PC with nothing on the bus). */
bool pio_dispatch(const struct pio_bus *bus, uint16_t port, uint8_t *data,
		  int size, bool is_write);

#endif
