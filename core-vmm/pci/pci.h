/* SPDX-License-Identifier: MIT */
/*
 * PCI bus 0 behind configuration mechanism #1 (ports 0xcf8/0xcfc). The
 * monitor is the firmware: it assigns BARs at registration (32-bit ones in
 * the window below 4 GiB, 64-bit ones above RAM) and enables decoding, and
 * the guest may move them; a BAR's MMIO range follows on the MMIO bus.
 * Devices: standard config header type 0, function 0 only, memory BARs.
 */
#ifndef PORTHOLE_VMM_PCI_H
#define PORTHOLE_VMM_PCI_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "../mmio.h"
#include "../pio.h"

#define PCI_MAX_SLOTS 32
#define PCI_CFG_SIZE  256

#define PCI_COMMAND        0x04
#define PCI_COMMAND_MEMORY 0x0002
#define PCI_COMMAND_MASTER 0x0004
#define PCI_STATUS_CAP     0x0010
#define PCI_CAP_PTR        0x34
#define PCI_CAP_ID_MSIX    0x11
#define PCI_CAP_ID_VENDOR  0x09

struct pci_bar {
	uint64_t size;    /* power of two, 0 = unused */
	int is64;
	uint64_t addr;    /* as programmed */
	uint64_t mapped;  /* where it is on the MMIO bus, 0 = not mapped */
};

struct pci_device {
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE];  /* bits the guest may change */
	struct pci_bar bar[6];
	uint8_t next_cap;             /* where the next capability goes */
	void *owner;
	mmio_fn bar_fn;               /* BAR accesses; id = BAR index */
	/* After a config write the generic code does not own (capabilities). */
	void (*cfg_written)(void *owner, uint32_t off, int size);
	/* A BAR moved on the MMIO bus (0 = unmapped), e.g. for ioeventfds. */
	void (*bar_moved)(void *owner, int bar, uint64_t old, uint64_t now);
	struct pci_bus *bus;
	int slot;
};

struct pci_bus {
	pthread_mutex_t lock;     /* config space, BAR moves */
	uint32_t cf8;
	struct pci_device *dev[PCI_MAX_SLOTS];
	struct pci_device host_bridge;
	struct mmio_bus *mmio;
	uint64_t mmio32_next, mmio32_end, mmio64_next;
};

int pci_bus_init(struct pci_bus *bus, struct mmio_bus *mmio,
		 struct pio_bus *pio, uint64_t mmio64_base);
void pci_bus_destroy(struct pci_bus *bus);

/* class_code: base << 16 | sub << 8 | prog-if. */
void pci_device_init(struct pci_device *d, uint16_t vendor, uint16_t device,
		     uint32_t class_code, uint16_t subsys_vendor,
		     uint16_t subsys_id, uint8_t revision);
/* A memory BAR of `size` bytes (power of two, >= 4 KiB). */
void pci_add_bar(struct pci_device *d, int bar, uint64_t size, int is64);
/* Append a capability; `body` is what follows the ID and next bytes, and
 * `wmask` (may be NULL) marks its guest-writable bits. Returns its offset. */
uint8_t pci_add_cap(struct pci_device *d, uint8_t id, const void *body,
		    uint8_t len, const void *wmask);
/* Put d in the first free slot, assign and map its BARs. -1 with err. */
int pci_register(struct pci_bus *bus, struct pci_device *d, char *err,
		 size_t errlen);

/* Config space access, as the CFC port does it (for tests and fuzzing). */
void pci_cfg_access(struct pci_bus *bus, int slot, uint32_t off,
		    uint8_t *data, int size, int is_write);

static inline uint16_t pci_cfg16(const struct pci_device *d, uint32_t off)
{
	return d->cfg[off] | d->cfg[off + 1] << 8;
}

#endif
