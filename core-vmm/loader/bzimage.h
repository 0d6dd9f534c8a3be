/* SPDX-License-Identifier: MIT */
/*
 * Linux bzImage direct boot through the 32-bit boot protocol (2.06+):
 * Documentation/arch/x86/boot.rst. The protected-mode kernel is copied to
 * 1 MiB (or pref_address when relocatable), boot_params ("zero page") is
 * built at LAYOUT_BOOT_PARAMS, and the vCPU enters at code32_start.
 */
#ifndef PORTHOLE_VMM_BZIMAGE_H
#define PORTHOLE_VMM_BZIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "loader.h"

struct bzimage_info {
	uint16_t version;          /* boot protocol, e.g. 0x020f */
	uint8_t setup_sects;       /* 0 means 4 */
	uint32_t setup_size;       /* bytes of real-mode setup incl. boot sector */
	uint32_t kernel_offset;    /* file offset of the protected-mode kernel */
	uint32_t kernel_size;      /* bytes of protected-mode kernel in the file */
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;     /* max command line length, excluding NUL */
	uint64_t pref_address;
	uint32_t init_size;        /* memory the kernel needs from its load address */
	uint16_t xloadflags;
	int relocatable;
	uint32_t kernel_alignment; /* power of two when relocatable */
	uint32_t header_end;       /* file offset just past the setup header */
	uint32_t payload_offset;   /* compressed vmlinux, from kernel_offset */
	uint32_t payload_length;
	uint64_t runtime_start;    /* where the kernel decompresses itself */
};

/* Validate a bzImage in memory; -1 and a message in err if it is not one
 * Porthole can boot. Never reads outside buf[0..len). */
int bzimage_parse(const uint8_t *buf, size_t len, struct bzimage_info *info,
		  char *err, size_t errlen);

/* Load a parsed bzImage plus spec's initrd and cmdline and build boot_params
 * (setup header, e820, screen_info for spec->fb, acpi_rsdp_addr). */
int bzimage_load(struct guest_mem *mem, const struct boot_spec *spec,
		 const uint8_t *img, size_t len, const struct bzimage_info *info,
		 uint64_t rsdp_gpa, struct boot_entry *entry,
		 char *err, size_t errlen);

#endif
