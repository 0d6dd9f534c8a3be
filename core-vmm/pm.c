// SPDX-License-Identifier: MIT
#include "pm.h"
#include "layout.h"

#include <string.h>

#define CNT_SCI_EN 0x0001
#define CNT_SLP_EN 0x2000

void pm_init(struct pm *pm, const struct power_ops *power)
{
	memset(pm, 0, sizeof(*pm));
	pthread_mutex_init(&pm->lock, NULL);
	pm->power = *power;
	pm->cnt = CNT_SCI_EN; /* no SMI handshake: ACPI mode from the start */
}

void pm_destroy(struct pm *pm)
{
	pthread_mutex_destroy(&pm->lock);
}

static uint16_t *reg(struct pm *pm, unsigned off)
{
	switch (off) {
	case 0: return &pm->sts;
	case 2: return &pm->en;
	case 4: return &pm->cnt;
	}
	return NULL;
}

static void pm_pio(void *dev, uint16_t port, uint8_t *data, int size,
		   bool is_write)
{
	struct pm *pm = dev;
	unsigned off = port - LAYOUT_PM1A_EVT_PORT;
	int off_req = 0;

	pthread_mutex_lock(&pm->lock);
	for (int i = 0; i < size; i++) {
		uint16_t *r = reg(pm, (off + i) & ~1u);
		int shift = ((off + i) & 1) * 8;

		if (!r) {
			if (!is_write)
				data[i] = 0xff;
			continue;
		}
		if (!is_write) {
			data[i] = *r >> shift;
		} else if (r == &pm->sts) {
			*r &= ~(data[i] << shift); /* write 1 to clear */
		} else {
			*r = (*r & ~(0xff << shift)) | (data[i] << shift);
		}
	}
	if (is_write && (pm->cnt & CNT_SLP_EN)) {
		pm->cnt &= ~CNT_SLP_EN;
		off_req = 1;
	}
	pthread_mutex_unlock(&pm->lock);
	if (off_req)
		pm->power.request(pm->power.opaque, POWER_OFF);
}

int pm_attach(struct pm *pm, struct pio_bus *bus)
{
	return pio_register(bus, LAYOUT_PM1A_EVT_PORT, 6, pm_pio, pm);
}
