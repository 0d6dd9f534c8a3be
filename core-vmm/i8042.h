/* SPDX-License-Identifier: MIT */
/*
 * The i8042 keyboard controller, reduced to what a VM without a PS/2
 * keyboard needs: the CPU reset line (command 0xfe, or clearing bit 0 of the
 * output port through 0xd1), and a status port that never reports data so
 * that guests polling it do not spin.
 */
#ifndef PORTHOLE_VMM_I8042_H
#define PORTHOLE_VMM_I8042_H

#include <pthread.h>
#include <stdint.h>

#include "pio.h"
#include "power.h"

struct i8042 {
	pthread_mutex_t lock;
	struct power_ops power;
	uint8_t pending_cmd; /* command waiting for its data byte on 0x60 */
};

void i8042_init(struct i8042 *k, const struct power_ops *power);
void i8042_destroy(struct i8042 *k);
int i8042_attach(struct i8042 *k, struct pio_bus *bus);

#endif
