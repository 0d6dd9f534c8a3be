/* SPDX-License-Identifier: MIT */
/*
 * The virtio-pci modern transport (virtio 1.x, 4.1): one PCI function per
 * device, vendor 0x1af4, device 0x1040 + virtio id, with everything in BAR 0:
 *
 *   0x0000 common configuration     0x3000 notifications (queue i at 4*i)
 *   0x1000 ISR status               0x4000 MSI-X table, 0x5000 PBA
 *   0x2000 device configuration
 *
 * Notifications arrive on an ioeventfd per queue and are handled on the
 * device's iothread; interrupts leave through an irqfd per MSI-X vector.
 * Neither passes through a vCPU's exit handling or the main loop.
 */
#ifndef PORTHOLE_VMM_VIRTIO_PCI_H
#define PORTHOLE_VMM_VIRTIO_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../guest_mem.h"
#include "../iothread.h"
#include "../irq.h"
#include "../pci/pci.h"
#include "virtqueue.h"

#define VIRTIO_MAX_QUEUES  16
#define VIRTIO_MSIX_MAX    (VIRTIO_MAX_QUEUES + 1)
#define VIRTIO_NO_VECTOR   0xffff

#define VIRTIO_F_VERSION_1 (1ULL << 32)

#define VIRTIO_STATUS_ACKNOWLEDGE  1
#define VIRTIO_STATUS_DRIVER       2
#define VIRTIO_STATUS_DRIVER_OK    4
#define VIRTIO_STATUS_FEATURES_OK  8
#define VIRTIO_STATUS_NEEDS_RESET  64
#define VIRTIO_STATUS_FAILED       128

struct virtio_pci;

/* What a device implements. notify runs on the device's iothread; config_rw,
 * start and reset run on a vCPU thread with the transport's lock held, so
 * they must not push to a queue or call virtio_pci_config_changed() (use
 * virtio_pci_kick() to get work done on the iothread instead). vq_push()
 * takes the transport's lock to raise the interrupt, so a device must not
 * hold a lock that its reset also takes while it pushes. */
struct virtio_device_ops {
	const char *name;
	uint16_t device_id;        /* 2 blk, 3 console, 18 input */
	uint32_t pci_class;        /* base << 16 | sub << 8 | prog-if */
	uint64_t features;         /* device features; VERSION_1 is added */
	uint16_t num_queues;
	uint16_t queue_size;       /* maximum the device offers */
	uint32_t config_size;      /* bytes of device configuration */
	void (*config_rw)(void *dev, uint32_t off, uint8_t *data, int size,
			  bool is_write);
	/* The driver notified queue vq (or host work was kicked). */
	void (*notify)(void *dev, struct virtq *vq);
	/* DRIVER_OK was set with these features. */
	void (*start)(void *dev, uint64_t features);
	/* The driver reset the device: drop in-flight state. */
	void (*reset)(void *dev);
};

/* What the monitor lends every virtio device. */
struct virtio_env {
	int vm_fd;
	struct guest_mem *mem;
	struct pci_bus *bus;
	struct irq_router *irq;    /* NULL: no in-kernel irqchip, no MSI-X */
	struct iothread *io;
};

struct virtio_msix {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

struct virtio_notify_ctx {
	struct virtio_pci *vp;
	uint16_t queue;
};

struct virtio_pci {
	struct pci_device pci;
	const struct virtio_device_ops *ops;
	void *dev;
	struct virtio_env env;
	pthread_mutex_t lock;      /* transport registers */
	struct virtq vq[VIRTIO_MAX_QUEUES];
	int notify_fd[VIRTIO_MAX_QUEUES];
	struct virtio_notify_ctx nctx[VIRTIO_MAX_QUEUES];
	/* common configuration */
	uint32_t dfselect, gfselect;
	uint64_t driver_features;
	uint8_t status;
	uint8_t config_gen;
	uint16_t queue_select;
	uint16_t msix_config;
	uint8_t isr;
	/* MSI-X */
	uint8_t msix_cap;
	uint16_t nvec;
	struct virtio_msix msix[VIRTIO_MSIX_MAX];
	uint64_t msix_pending;
	int irq_fd[VIRTIO_MSIX_MAX];
	int gsi[VIRTIO_MSIX_MAX];
	uint64_t ioeventfd_base;   /* where the notify ioeventfds are, 0 none */
};

/* Create the PCI function, its queues, eventfds and MSI-X vectors, and
 * register it on env->bus. -1 with err. */
int virtio_pci_init(struct virtio_pci *vp, const struct virtio_device_ops *ops,
		    void *dev, const struct virtio_env *env, char *err,
		    size_t errlen);
/* After env->io has stopped. */
void virtio_pci_destroy(struct virtio_pci *vp);

/* Device: run ops->notify(vq) on the iothread (e.g. host input arrived). */
void virtio_pci_kick(struct virtio_pci *vp, uint16_t queue);
/* Device: the device configuration changed. */
void virtio_pci_config_changed(struct virtio_pci *vp);
/* Negotiated features (0 before FEATURES_OK). */
uint64_t virtio_pci_features(struct virtio_pci *vp);

#endif
