/* SPDX-License-Identifier: MIT */
/*
 * The guest-physical memory map of a Porthole VM. One place, so that the
 * loaders, the e820 map, the ACPI tables and the devices agree.
 *
 *   0x0000_0000 .. 0x0009_fc00   RAM (real-mode IVT/BDA area, boot data below)
 *   0x0009_fc00 .. 0x000a_0000   reserved (EBDA)
 *   0x000a_0000 .. 0x0010_0000   reserved (VGA hole, ACPI tables at 0xe0000)
 *   0x0010_0000 .. LOW_RAM_END   RAM (kernel, initrd)
 *   0xc000_0000 .. 0xe000_0000   32-bit PCI MMIO window (later issues)
 *   0xe000_0000 .. 0xf000_0000   framebuffer slot (dirty-logged)
 *   0xfec0_0000                  IOAPIC        0xfee0_0000  LAPIC
 *   0x1_0000_0000 ..              RAM above 4 GiB when memory > LOW_RAM_MAX
 */
#ifndef PORTHOLE_VMM_LAYOUT_H
#define PORTHOLE_VMM_LAYOUT_H

#define LAYOUT_BOOT_GDT       0x00000500ULL /* GDT for the 32-bit entry */
#define LAYOUT_BOOT_PARAMS    0x00007000ULL /* Linux zero page */
#define LAYOUT_PVH_START_INFO 0x00006000ULL /* struct hvm_start_info + memmap */
#define LAYOUT_BOOT_STACK     0x00008ff0ULL
#define LAYOUT_CMDLINE        0x00020000ULL
#define LAYOUT_CMDLINE_MAX    0x00010000ULL /* 64 KiB, far above COMMAND_LINE_SIZE */
#define LAYOUT_EBDA_START     0x0009fc00ULL
#define LAYOUT_HOLE_START     0x000a0000ULL
#define LAYOUT_ACPI_START     0x000e0000ULL /* RSDP must be in the BIOS area */
#define LAYOUT_ACPI_END       0x00100000ULL
#define LAYOUT_KERNEL_START   0x00100000ULL

#define LAYOUT_LOW_RAM_MAX    0xc0000000ULL
#define LAYOUT_PCI_MMIO_START 0xc0000000ULL
#define LAYOUT_FB_START       0xe0000000ULL
#define LAYOUT_FB_MAX_SIZE    0x10000000ULL /* 256 MiB: 8192x8192x4 */
#define LAYOUT_IOAPIC         0xfec00000ULL
#define LAYOUT_LAPIC          0xfee00000ULL
#define LAYOUT_HIGH_RAM_START 0x100000000ULL

/* ACPI fixed hardware (core-vmm/pm.c), also named in the FADT. */
#define LAYOUT_PM1A_EVT_PORT  0x600
#define LAYOUT_PM1A_CNT_PORT  0x604
#define LAYOUT_SCI_IRQ        9

#endif
