/* SPDX-License-Identifier: MIT */
/*
 * PCI bus 0 through configuration mechanism #1 (ports 0xCF8/0xCFC), and
 * the memory BARs the virtio driver needs. Every config access is two port
 * I/Os, and on PVM each of those is a trapped #GP (about 100 us), so the
 * callers read only the registers they use.
 */
#ifndef PORTHOLE_DEMO_PCI_H
#define PORTHOLE_DEMO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "lib.h"

#define PCI_VENDOR_ID		0x00
#define PCI_COMMAND		0x04
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_CAP_PTR		0x34

#define PCI_COMMAND_IO		0x0001
#define PCI_COMMAND_MEMORY	0x0002
#define PCI_COMMAND_MASTER	0x0004
#define PCI_COMMAND_INTX_OFF	0x0400
#define PCI_STATUS_CAP_LIST	0x0010

#define PCI_CAP_VENDOR		0x09

struct pci_loc {
	uint8_t bus, slot, func;
};

/* A function found on bus 0. */
struct pci_fn {
	struct pci_loc loc;
	uint16_t vendor, device;
};

uint32_t pci_read32(struct pci_loc l, uint8_t off);
uint16_t pci_read16(struct pci_loc l, uint8_t off);
uint8_t pci_read8(struct pci_loc l, uint8_t off);
void pci_write32(struct pci_loc l, uint8_t off, uint32_t v);
void pci_write16(struct pci_loc l, uint8_t off, uint16_t v);

/* The functions present on bus 0, at most max; returns how many. */
int pci_scan_bus0(struct pci_fn *out, int max);

/* "00:1f.0" */
void pci_loc_str(struct line *l, struct pci_loc loc);

/*
 * Where unassigned BARs go. The default window is the monitor's 32-bit
 * MMIO window (core-vmm/layout.h), which QEMU's q35 and pc also route to
 * PCI; the test knob porthole.pci=reassign-high puts 64-bit BARs above
 * 4 GiB instead, to exercise the page-table extension.
 */
struct pci_window {
	uint64_t next, end;	/* 32-bit window, bump-allocated */
	uint64_t next64, end64;	/* for 64-bit BARs; next64 == 0: use 32-bit */
	bool reassign;		/* ignore the firmware's assignments (testing) */
	bool scanned;		/* the window start is past all assigned BARs */
};

void pci_window_init(struct pci_window *w, bool reassign, bool high);

/*
 * The guest-physical address of memory BAR `bar`, assigning one from the
 * window if it has none, and mapped for ring 3. Decoding is left off;
 * pci_enable() turns on memory space and bus mastering. NULL means the BAR
 * is an I/O BAR, unusable, or could not be placed (*why says which).
 */
volatile uint8_t *pci_bar_map(struct pci_window *w, const struct pci_fn *fns,
			      int nfns, struct pci_loc l, int bar,
			      uint64_t need, const char **why);
void pci_enable(struct pci_loc l);

/*
 * Identity-map [addr, addr + len) for ring 3 if boot.S's 4 GiB map does
 * not cover it: 2 MiB pages from a small pool, up to 512 GiB.
 */
bool map_identity(uint64_t addr, uint64_t len);

#endif
