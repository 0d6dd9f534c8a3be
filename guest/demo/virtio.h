/* SPDX-License-Identifier: MIT */
/*
 * virtio 1.x over PCI ("modern" transport) and split virtqueues, polled:
 * the guest takes no interrupts, it looks at the used rings once a tick
 * (and spins on them while it waits for a disk request).
 *
 * Written from the virtio 1.2 specification (sections 2.7 split
 * virtqueues, 3.1 device initialization, 4.1 virtio over PCI), not from
 * any device model, so that it can catch a device that misreads it.
 */
#ifndef PORTHOLE_DEMO_VIRTIO_H
#define PORTHOLE_DEMO_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "pci.h"

#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_MODERN_BASE	0x1040	/* 0x1040 + device ID */
#define VIRTIO_PCI_TRANS_FIRST	0x1000	/* transitional: ID in subsystem */
#define VIRTIO_PCI_TRANS_LAST	0x103f

#define VIRTIO_ID_BLOCK		2
#define VIRTIO_ID_CONSOLE	3
#define VIRTIO_ID_INPUT		18

/* device_status */
#define VIRTIO_ACKNOWLEDGE	0x01
#define VIRTIO_DRIVER		0x02
#define VIRTIO_DRIVER_OK	0x04
#define VIRTIO_FEATURES_OK	0x08
#define VIRTIO_NEEDS_RESET	0x40
#define VIRTIO_FAILED		0x80

/* Feature bits (numbers, not masks). */
#define VIRTIO_F_INDIRECT_DESC	28
#define VIRTIO_F_EVENT_IDX	29
#define VIRTIO_F_VERSION_1	32
#define VIRTIO_F_RING_PACKED	34
#define BIT(n)			(1ULL << (n))

/* virtio_pci_cap.cfg_type */
#define VIRTIO_PCI_CAP_COMMON	1
#define VIRTIO_PCI_CAP_NOTIFY	2
#define VIRTIO_PCI_CAP_ISR	3
#define VIRTIO_PCI_CAP_DEVICE	4

/* struct virtio_pci_common_cfg, by offset: each field at its own width. */
#define VCC_DFSELECT	0x00	/* le32 device_feature_select */
#define VCC_DF		0x04	/* le32 device_feature */
#define VCC_GFSELECT	0x08	/* le32 driver_feature_select */
#define VCC_GF		0x0c	/* le32 driver_feature */
#define VCC_MSIX	0x10	/* le16 config_msix_vector */
#define VCC_NUMQ	0x12	/* le16 num_queues */
#define VCC_STATUS	0x14	/* u8 device_status */
#define VCC_CFGGEN	0x15	/* u8 config_generation */
#define VCC_Q_SELECT	0x16	/* le16 queue_select */
#define VCC_Q_SIZE	0x18	/* le16 queue_size */
#define VCC_Q_MSIX	0x1a	/* le16 queue_msix_vector */
#define VCC_Q_ENABLE	0x1c	/* le16 queue_enable */
#define VCC_Q_NOFF	0x1e	/* le16 queue_notify_off */
#define VCC_Q_DESC	0x20	/* le64 queue_desc */
#define VCC_Q_AVAIL	0x28	/* le64 queue_driver */
#define VCC_Q_USED	0x30	/* le64 queue_device */
#define VCC_MIN_LEN	0x38

/* Split virtqueue layout (2.7). */
#define VRING_DESC_F_NEXT	1
#define VRING_DESC_F_WRITE	2
#define VRING_DESC_F_INDIRECT	4
#define VRING_AVAIL_F_NO_INTERRUPT 1

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];
};

/*
 * Our queues are at most VQ_MAX entries, so one 4 KiB page holds a whole
 * queue: descriptors, then the available ring, then the used ring.
 */
#define VQ_MAX		64
#define VQ_PAGE		4096

struct vq {
	uint16_t index, size;	/* size 0: not set up */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	volatile uint8_t *notify;
	uint16_t free_head, num_free;
	uint16_t avail_idx;	/* the next slot we publish */
	uint16_t last_used;	/* the next used entry we consume */
	bool broken;		/* the device returned nonsense */
	/* Driver-side copies: the device is never trusted with these. */
	uint16_t next[VQ_MAX];
	uint16_t count[VQ_MAX];	/* descriptors in the chain at a head */
	void *cookie[VQ_MAX];
};

/* A device found on the bus, with its transport set up. */
struct vdev {
	struct pci_loc loc;
	uint16_t type;		/* virtio device ID */
	const char *name;	/* kbd, tablet, mouse, blk, console */
	volatile uint8_t *common, *isr, *cfg, *notify;
	uint32_t cfg_len, notify_len, notify_mult;
	uint64_t offered, features;
	uint16_t num_queues;
	bool live;		/* initialised and working */
};

/*
 * MMIO at exactly the width given: one mov each, which KVM's emulator and
 * every monitor can decode. The "memory" clobbers keep ring writes before
 * the notify that publishes them.
 */
static inline uint8_t mmio_r8(volatile uint8_t *b, uint32_t off)
{
	uint8_t v;

	__asm__ volatile("movb %1, %0" : "=q"(v) : "m"(b[off]) : "memory");
	return v;
}

static inline uint16_t mmio_r16(volatile uint8_t *b, uint32_t off)
{
	uint16_t v;

	__asm__ volatile("movw %1, %0" : "=r"(v)
			 : "m"(*(volatile uint16_t *)(b + off)) : "memory");
	return v;
}

static inline uint32_t mmio_r32(volatile uint8_t *b, uint32_t off)
{
	uint32_t v;

	__asm__ volatile("movl %1, %0" : "=r"(v)
			 : "m"(*(volatile uint32_t *)(b + off)) : "memory");
	return v;
}

static inline void mmio_w8(volatile uint8_t *b, uint32_t off, uint8_t v)
{
	__asm__ volatile("movb %1, %0" : "=m"(b[off]) : "q"(v) : "memory");
}

static inline void mmio_w16(volatile uint8_t *b, uint32_t off, uint16_t v)
{
	__asm__ volatile("movw %1, %0" : "=m"(*(volatile uint16_t *)(b + off))
			 : "r"(v) : "memory");
}

static inline void mmio_w32(volatile uint8_t *b, uint32_t off, uint32_t v)
{
	__asm__ volatile("movl %1, %0" : "=m"(*(volatile uint32_t *)(b + off))
			 : "r"(v) : "memory");
}

/* 64-bit fields as two dword writes, low first (4.1.3.1 allows it). */
static inline void mmio_w64(volatile uint8_t *b, uint32_t off, uint64_t v)
{
	mmio_w32(b, off, (uint32_t)v);
	mmio_w32(b, off + 4, v >> 32);
}

/*
 * x86 keeps stores in order and loads in order, so between ring memory
 * accesses only the compiler needs stopping; a store followed by a load
 * that must see the device's view needs mfence.
 */
#define virtio_wmb()	__asm__ volatile("" : : : "memory")
#define virtio_rmb()	__asm__ volatile("" : : : "memory")
#define virtio_mb()	__asm__ volatile("mfence" : : : "memory")

/*
 * Find the common, notify, ISR and device capabilities of the function at
 * fns[i] and map their BARs. false, with *why, if it is no modern device.
 */
bool virtio_probe(struct vdev *v, struct pci_window *w,
		  const struct pci_fn *fns, int nfns, int i, const char **why);

/* Device status 0, waiting (boundedly) until the device reads back 0. */
bool virtio_reset(struct vdev *v);
/*
 * Reset, ACKNOWLEDGE, DRIVER, then accept `want` & offered (plus
 * VERSION_1, which is required), FEATURES_OK and check it stuck.
 */
bool virtio_begin(struct vdev *v, uint64_t want, const char **why);
/* Set up queue `index` in `page` (VQ_PAGE bytes), at most `max` entries. */
bool virtio_queue(struct vdev *v, struct vq *q, uint16_t index, void *page,
		  uint16_t max, const char **why);
void virtio_driver_ok(struct vdev *v);
/* Tell the device something went wrong (FAILED) and stop using it. */
void virtio_fail(struct vdev *v);

/* Device configuration, read consistently across config_generation. */
uint8_t virtio_cfg8(struct vdev *v, uint32_t off);
uint32_t virtio_cfg32(struct vdev *v, uint32_t off);
uint64_t virtio_cfg64(struct vdev *v, uint32_t off);
void virtio_cfg_w8(struct vdev *v, uint32_t off, uint8_t val);

/* A buffer for vq_add: readable ones first, then device-writable ones. */
struct vbuf {
	const void *addr;
	uint32_t len;
};

/* Add a chain; returns false if the queue has too few free descriptors. */
bool vq_add(struct vq *q, const struct vbuf *out, int nout,
	    const struct vbuf *in, int nin, void *cookie);
/* Notify the device of what vq_add published. */
void vq_kick(struct vq *q);
/* The next finished chain's cookie and written length, or NULL. */
void *vq_get(struct vq *q, uint32_t *len);

#endif
