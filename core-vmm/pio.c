// SPDX-License-Identifier: MIT
#include "pio.h"

#include <string.h>

int pio_register(struct pio_bus *bus, uint16_t base, uint16_t len, pio_fn fn,
		 void *dev)
{
	if (bus->n == PIO_MAX_RANGES || len == 0)
		return -1;
	for (int i = 0; i < bus->n; i++) {
		const struct pio_range *r = &bus->r[i];
		if (base < r->base + r->len && r->base < base + len)
			return -1;
	}
	bus->r[bus->n++] = (struct pio_range){ base, len, fn, dev };
	return 0;
}

bool pio_dispatch(const struct pio_bus *bus, uint16_t port, uint8_t *data,
		  int size, bool is_write)
{
	for (int i = 0; i < bus->n; i++) {
		const struct pio_range *r = &bus->r[i];
		if (port >= r->base && port < r->base + r->len) {
			r->fn(r->dev, port, data, size, is_write);
			return true;
		}
	}
	if (!is_write)
		memset(data, 0xff, size);
	return false;
}
