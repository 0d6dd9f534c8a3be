/* SPDX-License-Identifier: MIT */
/*
 * ELF kernels entered through PVH: the XEN_ELFNOTE_PHYS32_ENTRY note gives a
 * 32-bit entry point that takes struct hvm_start_info in EBX
 * (xen/include/public/arch-x86/hvm/start_info.h). Linux has it with
 * CONFIG_PVH=y; the demo guest has it so QEMU's -kernel can run it too.
 */
#ifndef PORTHOLE_VMM_ELF_PVH_H
#define PORTHOLE_VMM_ELF_PVH_H

#include <stddef.h>
#include <stdint.h>

#include "loader.h"

#define ELF_PVH_MAX_SEGMENTS 16

struct elf_pvh_segment {
	uint64_t offset, paddr, filesz, memsz;
};

struct elf_pvh_info {
	uint64_t entry;      /* PVH 32-bit entry (physical) */
	uint64_t end;        /* highest paddr + memsz of any segment */
	int nseg;
	struct elf_pvh_segment seg[ELF_PVH_MAX_SEGMENTS];
};

/* Validate an ELF32/ELF64 x86 executable and find its PVH note. Never reads
 * outside buf[0..len). -1 and a message in err when it cannot be booted. */
int elf_pvh_parse(const uint8_t *buf, size_t len, struct elf_pvh_info *info,
		  char *err, size_t errlen);

/* Copy the segments, the initrd (as module 0) and the command line, write
 * hvm_start_info with the memory map and RSDP, and fill *entry. */
int elf_pvh_load(struct guest_mem *mem, const struct boot_spec *spec,
		 const uint8_t *img, size_t len, const struct elf_pvh_info *info,
		 uint64_t rsdp_gpa, struct boot_entry *entry,
		 char *err, size_t errlen);

#endif
