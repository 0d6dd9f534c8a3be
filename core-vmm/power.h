/* SPDX-License-Identifier: MIT */
/* How a device asks the monitor to power the VM off or reset it. */
#ifndef PORTHOLE_VMM_POWER_H
#define PORTHOLE_VMM_POWER_H

enum power_event {
	POWER_OFF = 1,
	POWER_RESET = 2,
};

struct power_ops {
	void (*request)(void *opaque, enum power_event ev);
	void *opaque;
};

#endif
