/* SPDX-License-Identifier: MIT */
/*
 * ACPI tables, so SMP guests find every vCPU (MADT) and can power off
 * (FADT PM1a control block -> core-vmm/pm.c). Written at LAYOUT_ACPI_START.
 */
#ifndef PORTHOLE_VMM_ACPI_H
#define PORTHOLE_VMM_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include "../guest_mem.h"

/* Build RSDP, XSDT, FADT, DSDT, MADT for ncpus; *rsdp_gpa receives the
 * RSDP's guest-physical address. -1 and a message in err on failure. */
int acpi_build(struct guest_mem *mem, unsigned ncpus, uint64_t *rsdp_gpa,
	       char *err, size_t errlen);

#endif
