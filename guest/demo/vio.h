/* SPDX-License-Identifier: MIT */
/*
 * The virtio devices the demo guest drives (virtio.h is the transport):
 * input (keyboard, tablet, mouse), block and console, found on PCI bus 0
 * at boot, polled once a tick, and the hostile mode that abuses them.
 * All state lives in struct vio inside struct demo; every buffer a device
 * sees is in it, and the identity map makes its address the physical one.
 */
#ifndef PORTHOLE_DEMO_VIO_H
#define PORTHOLE_DEMO_VIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "demo_layout.h"
#include "lib.h"
#include "virtio.h"

struct demo;

#define VIO_MAX_FNS	64	/* functions on bus 0 looked at */
#define VIO_MAX_DEVS	8
#define VIO_MAX_INPUTS	4
#define VIO_PAGES	24	/* ring pages: one per queue in use */

/* virtio-input (5.8) */
#define VIRTIO_INPUT_CFG_ID_NAME  0x01
#define VIRTIO_INPUT_CFG_EV_BITS  0x11
#define VIRTIO_INPUT_CFG_ABS_INFO 0x12
#define EV_SYN		0
#define EV_KEY		1
#define EV_REL		2
#define EV_ABS		3

struct virtio_input_event {
	uint16_t type, code;
	uint32_t value;
};

struct vinput {
	struct vdev *dev;
	void *page;
	struct vq eventq;
	int32_t abs_min[2], abs_max[2];	/* ABS_X, ABS_Y (tablet) */
	struct virtio_input_event ev[VQ_MAX];
};

/* The one pointer the tablet and the mouse move, in pixels. */
struct pointer {
	int64_t x, y;
	bool moved;		/* since the last EV_SYN */
};

/* virtio-blk (5.2) */
#define VIRTIO_BLK_F_SIZE_MAX	1
#define VIRTIO_BLK_F_SEG_MAX	2
#define VIRTIO_BLK_F_RO		5
#define VIRTIO_BLK_F_BLK_SIZE	6
#define VIRTIO_BLK_F_FLUSH	9
#define VIRTIO_BLK_T_IN		0
#define VIRTIO_BLK_T_OUT	1
#define VIRTIO_BLK_T_FLUSH	4
#define VBLK_BUF		(64 * 1024)

struct virtio_blk_req {
	uint32_t type, reserved;
	uint64_t sector;
};

struct vblk {
	struct vdev *dev;
	void *page;
	struct vq q;
	uint64_t capacity;	/* 512-byte sectors */
	uint32_t blk_size;
	uint32_t chunk;		/* bytes per request */
	struct virtio_blk_req hdr;
	uint8_t status;
	uint8_t expect[DEMO_DISK_SECTOR];
	_Alignas(4096) uint8_t buf[VBLK_BUF];
};

/* virtio-console (5.3) with VIRTIO_CONSOLE_F_MULTIPORT */
#define VIRTIO_CONSOLE_F_MULTIPORT	1
#define VIRTIO_CONSOLE_DEVICE_READY	0
#define VIRTIO_CONSOLE_DEVICE_ADD	1
#define VIRTIO_CONSOLE_DEVICE_REMOVE	2
#define VIRTIO_CONSOLE_PORT_READY	3
#define VIRTIO_CONSOLE_CONSOLE_PORT	4
#define VIRTIO_CONSOLE_RESIZE		5
#define VIRTIO_CONSOLE_PORT_OPEN	6
#define VIRTIO_CONSOLE_PORT_NAME	7
#define VCON_PORTS	4	/* ports 0..3 get queues */
#define VCON_BUFS	16	/* buffers per receive queue, tx slots */
#define VCON_RXBUF	256

struct virtio_console_control {
	uint32_t id;
	uint16_t event, value;
};

struct vport {
	bool added, named, open;
	void *rx_page, *tx_page;
	struct vq rx, tx;
	uint8_t rxbuf[VCON_BUFS][VCON_RXBUF];
};

struct vcon {
	struct vdev *dev;
	void *crx_page, *ctx_page;
	struct vq crx, ctx;
	bool multiport;
	uint32_t nports;	/* ports with queues */
	int agent;		/* the agent's port, -1 until named */
	uint8_t crxbuf[VCON_BUFS][VCON_RXBUF];
	struct virtio_console_control cmsg[VCON_BUFS];
	bool cmsg_busy[VCON_BUFS];
	struct vport port[VCON_PORTS];
	char line[DEMO_AGENT_LINE_MAX];
	size_t len;
	char tx[VCON_BUFS][DEMO_AGENT_LINE_MAX + 16];
	bool tx_busy[VCON_BUFS];
};

/* Hostile mode's memory: rings and buffers it can trash freely. */
#define HOSTILE_RINGS	4
#define HOSTILE_RING	32768	/* a 1024-entry split queue */
#define HOSTILE_SCRATCH	65536

struct hostile_mem {
	_Alignas(4096) uint8_t rings[HOSTILE_RINGS][HOSTILE_RING];
	_Alignas(4096) uint8_t scratch[HOSTILE_SCRATCH];
};

struct vio {
	struct pci_window win;
	struct pci_fn fns[VIO_MAX_FNS];
	int nfns;
	struct vdev dev[VIO_MAX_DEVS];
	int ndev;
	struct vinput in[VIO_MAX_INPUTS];
	int nin;
	struct vblk blk;	/* blk.dev NULL: none */
	struct vcon con;	/* con.dev NULL: none */
	struct pointer ptr;
	bool shift_l, shift_r;
	int pages_used;
	_Alignas(4096) uint8_t pages[VIO_PAGES][VQ_PAGE];
	struct hostile_mem hostile;
};

/* Find and set up every device (prints the "virtio: " lines). */
void vio_init(struct demo *d, bool reassign, bool high);
/* Once a tick: input events, console traffic. */
void vio_poll(struct demo *d);
/* A ring page that stays the queue's across resets; NULL when out. */
void *vio_page(struct vio *v);
/* Print "virtio: NAME at 00:SS.F[ failed: WHY]". */
void vio_report(const struct vdev *v, const char *why);

/* Each setup resets the device first, so it also recovers one. */
bool vinput_setup(struct demo *d, struct vinput *in, const char **why);
void vinput_poll(struct demo *d, struct vinput *in);

bool vblk_setup(struct demo *d, struct vblk *b, const char **why);
const char *vblk_command(struct demo *d, const char *args, size_t n,
			 struct line *msg);

bool vcon_setup(struct demo *d, struct vcon *c, const char **why);
void vcon_poll(struct demo *d, struct vcon *c);
/* Up to a second for the agent port to open. */
void vcon_wait_agent(struct demo *d);

const char *hostile_command(struct demo *d, const char *args, size_t n,
			    struct line *msg);

#endif
