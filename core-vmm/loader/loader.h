/* SPDX-License-Identifier: MIT */
/*
 * Loading a guest into RAM: a Linux bzImage (32-bit boot protocol, 2.06+), or
 * an ELF with a PVH entry note (an uncompressed vmlinux, or the demo guest).
 * Either way the boot CPU starts in 32-bit flat protected mode with paging
 * off, described by struct boot_entry; vcpu.c turns that into registers.
 */
#ifndef PORTHOLE_VMM_LOADER_H
#define PORTHOLE_VMM_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "../guest_mem.h"

/* A 32-bit XRGB linear framebuffer the guest should draw on. */
struct boot_fb {
	uint64_t base;   /* guest-physical; 0 when there is none */
	uint64_t size;   /* bytes mapped at base (page aligned) */
	uint32_t width, height, stride;
};

struct boot_spec {
	const char *kernel;  /* path of a bzImage or a PVH ELF */
	const char *initrd;  /* path or NULL */
	const char *cmdline; /* NULL means empty */
	unsigned ncpus;
	struct boot_fb fb;
};

struct boot_entry {
	uint64_t rip;
	uint64_t rsi;        /* Linux boot protocol: GPA of boot_params */
	uint64_t rbx;        /* PVH: GPA of struct hvm_start_info */
	uint64_t gdt_base;   /* GDT with flat 0x10 code and 0x18 data */
	uint16_t gdt_limit;
	int pvh;             /* entered through the PVH note */
	int linux_kernel;    /* a bzImage (Linux boot protocol) */
};

/*
 * Load spec->kernel (+initrd, cmdline) into mem, write the boot tables the
 * guest needs (e820/memmap, ACPI with one MADT entry per vCPU, boot_params
 * or hvm_start_info, GDT) and fill *entry. On failure returns -1 and writes
 * one line a person can act on into err.
 */
int loader_load(struct guest_mem *mem, const struct boot_spec *spec,
		struct boot_entry *entry, char *err, size_t errlen);

/* Shared by the loaders; each in its own file. */

/* Write the boot GDT at LAYOUT_BOOT_GDT and record it in *entry. */
int loader_write_gdt(struct guest_mem *mem, struct boot_entry *entry);

/* Read a whole file, refusing more than max bytes; caller frees *buf. */
int loader_read_file(const char *path, uint64_t max, uint8_t **buf,
		     size_t *len, char *err, size_t errlen);

#endif
