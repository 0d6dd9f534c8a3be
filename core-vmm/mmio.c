// SPDX-License-Identifier: MIT
#include "mmio.h"

#include <string.h>

void mmio_init(struct mmio_bus *bus)
{
	memset(bus, 0, sizeof(*bus));
	pthread_rwlock_init(&bus->lock, NULL);
}

void mmio_destroy(struct mmio_bus *bus)
{
	pthread_rwlock_destroy(&bus->lock);
}

static int find(const struct mmio_bus *bus, void *dev, int id)
{
	for (int i = 0; i < bus->n; i++)
		if (bus->r[i].dev == dev && bus->r[i].id == id)
			return i;
	return -1;
}

int mmio_set(struct mmio_bus *bus, void *dev, int id, uint64_t base,
	     uint64_t len, mmio_fn fn)
{
	int i, ret = 0;

	pthread_rwlock_wrlock(&bus->lock);
	i = find(bus, dev, id);
	if (i >= 0)
		bus->r[i] = bus->r[--bus->n];
	if (len == 0)
		goto out;
	for (int j = 0; j < bus->n; j++) {
		const struct mmio_range *r = &bus->r[j];
		if (base < r->base + r->len && r->base < base + len) {
			ret = -1;
			goto out;
		}
	}
	if (bus->n == MMIO_MAX_RANGES || base + len < base) {
		ret = -1;
		goto out;
	}
	bus->r[bus->n++] = (struct mmio_range){ base, len, fn, dev, id };
out:
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

bool mmio_dispatch(struct mmio_bus *bus, uint64_t addr, uint8_t *data,
		   int size, bool is_write)
{
	bool found = false;

	pthread_rwlock_rdlock(&bus->lock);
	for (int i = 0; i < bus->n; i++) {
		const struct mmio_range *r = &bus->r[i];
		if (addr >= r->base && addr - r->base < r->len) {
			/* An access straddling the end is cut to what fits. */
			uint64_t off = addr - r->base;
			int n = off + size > r->len ? (int)(r->len - off) : size;
			if (!is_write && n < size)
				memset(data + n, 0xff, size - n);
			r->fn(r->dev, r->id, off, data, n, is_write);
			found = true;
			break;
		}
	}
	pthread_rwlock_unlock(&bus->lock);
	if (!found && !is_write)
		memset(data, 0xff, size);
	return found;
}
