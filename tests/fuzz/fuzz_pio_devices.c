// SPDX-License-Identifier: MIT
/*
 * The guest-facing port devices (8250, i8042, ACPI PM, RTC) under a hostile
 * guest: each 4-byte record is (port selector, size, write flag, value).
 */
#include "i8042.h"
#include "layout.h"
#include "pio.h"
#include "pm.h"
#include "rtc.h"
#include "serial.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void power(void *opaque, enum power_event ev)
{
	(void)opaque;
	(void)ev;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t ports[] = {
		0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff,
		0x60, 0x64, 0x600, 0x601, 0x602, 0x603, 0x604, 0x605,
		0x70, 0x71, 0x80, 0xcf8,
	};
	struct power_ops pops = { power, NULL };
	struct serial_ops sops = { 0 };
	struct serial com1;
	struct i8042 kbc;
	struct pm pm;
	struct rtc rtc;
	struct pio_bus bus = { 0 };
	uint8_t out[256];

	serial_init(&com1, 4, &sops);
	i8042_init(&kbc, &pops);
	pm_init(&pm, &pops);
	rtc_init(&rtc);
	serial_attach(&com1, &bus, 0x3f8);
	i8042_attach(&kbc, &bus);
	pm_attach(&pm, &bus);
	rtc_attach(&rtc, &bus);

	for (size_t i = 0; i + 4 <= size; i += 4) {
		uint16_t port = ports[data[i] % (sizeof(ports) / sizeof(ports[0]))];
		int len = 1 << (data[i + 1] % 3);
		uint8_t buf[4] = { data[i + 3], data[i + 3], 0, 0 };

		if (data[i] & 0x80)
			serial_put_input(&com1, &data[i + 3], 1);
		pio_dispatch(&bus, port, buf, len, data[i + 2] & 1);
		if (data[i + 2] & 2)
			serial_take_output(&com1, out, sizeof(out));
	}
	serial_destroy(&com1);
	i8042_destroy(&kbc);
	pm_destroy(&pm);
	rtc_destroy(&rtc);
	return 0;
}
