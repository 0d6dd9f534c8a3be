// SPDX-License-Identifier: MIT
#include "i8042.h"

#include <string.h>

#define PORT_DATA       0x60
#define PORT_CMD        0x64
#define CMD_WRITE_OUTP  0xd1
#define CMD_PULSE_RESET 0xfe

void i8042_init(struct i8042 *k, const struct power_ops *power)
{
	memset(k, 0, sizeof(*k));
	pthread_mutex_init(&k->lock, NULL);
	k->power = *power;
}

void i8042_destroy(struct i8042 *k)
{
	pthread_mutex_destroy(&k->lock);
}

static void i8042_pio(void *dev, uint16_t port, uint8_t *data, int size,
		      bool is_write)
{
	struct i8042 *k = dev;
	int reset = 0;

	if (!is_write) {
		/* Status 0: output buffer empty, input buffer free. */
		memset(data, 0, size);
		return;
	}
	pthread_mutex_lock(&k->lock);
	if (port == PORT_CMD) {
		k->pending_cmd = 0;
		if (data[0] == CMD_PULSE_RESET)
			reset = 1;
		else if (data[0] == CMD_WRITE_OUTP)
			k->pending_cmd = data[0];
	} else if (k->pending_cmd == CMD_WRITE_OUTP) {
		/* Output port bit 0 low holds the CPU in reset. */
		reset = !(data[0] & 1);
		k->pending_cmd = 0;
	}
	pthread_mutex_unlock(&k->lock);
	if (reset)
		k->power.request(k->power.opaque, POWER_RESET);
}

int i8042_attach(struct i8042 *k, struct pio_bus *bus)
{
	if (pio_register(bus, PORT_DATA, 1, i8042_pio, k))
		return -1;
	return pio_register(bus, PORT_CMD, 1, i8042_pio, k);
}
