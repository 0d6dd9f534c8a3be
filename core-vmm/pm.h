/* SPDX-License-Identifier: MIT */
/*
 * ACPI fixed hardware: the PM1a event and control blocks that the FADT
 * points at (layout.h). Setting SLP_EN powers the VM off: S5 is the only
 * sleep state Porthole offers, so any SLP_TYP means "off".
 */
#ifndef PORTHOLE_VMM_PM_H
#define PORTHOLE_VMM_PM_H

#include <pthread.h>
#include <stdint.h>

#include "pio.h"
#include "power.h"

struct pm {
	pthread_mutex_t lock;
	struct power_ops power;
	uint16_t sts, en, cnt;
};

void pm_init(struct pm *pm, const struct power_ops *power);
void pm_destroy(struct pm *pm);
int pm_attach(struct pm *pm, struct pio_bus *bus);

#endif
