/* SPDX-License-Identifier: MIT */
/* The guest's memory map, derived from guest_mem and layout.h only. */
#ifndef PORTHOLE_VMM_E820_H
#define PORTHOLE_VMM_E820_H

#include <stdint.h>

#include "../guest_mem.h"

#define E820_RAM      1
#define E820_RESERVED 2
#define E820_ACPI     3

struct e820_range {
	uint64_t addr, size;
	uint32_t type;
};

/* Fill at most max ranges, sorted and non-overlapping; returns the count. */
int e820_build(const struct guest_mem *mem, struct e820_range *out, int max);

#endif
