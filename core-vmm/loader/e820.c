// SPDX-License-Identifier: MIT
#include "e820.h"
#include "../layout.h"

static int add(struct e820_range *out, int n, int max, uint64_t addr,
	       uint64_t size, uint32_t type)
{
	if (n >= max || size == 0)
		return n;
	out[n] = (struct e820_range){ .addr = addr, .size = size, .type = type };
	return n + 1;
}

int e820_build(const struct guest_mem *mem, struct e820_range *out, int max)
{
	int n = 0;

	n = add(out, n, max, 0, LAYOUT_EBDA_START, E820_RAM);
	n = add(out, n, max, LAYOUT_EBDA_START,
		LAYOUT_HOLE_START - LAYOUT_EBDA_START, E820_RESERVED);
	/* The BIOS area holds the ACPI tables; Linux must not reuse it. */
	n = add(out, n, max, LAYOUT_ACPI_START,
		LAYOUT_ACPI_END - LAYOUT_ACPI_START, E820_RESERVED);
	if (mem->lo_size > LAYOUT_KERNEL_START)
		n = add(out, n, max, LAYOUT_KERNEL_START,
			mem->lo_size - LAYOUT_KERNEL_START, E820_RAM);
	if (mem->hi_size)
		n = add(out, n, max, LAYOUT_HIGH_RAM_START, mem->hi_size,
			E820_RAM);
	return n;
}
