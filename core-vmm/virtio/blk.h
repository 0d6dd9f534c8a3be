/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk (virtio 1.x, 5.2) on a raw image file or block device.
 *
 * One request queue, served on the disk's own iothread: a request is parsed,
 * its I/O done with preadv/pwritev/fdatasync, and it is completed before the
 * next one is taken, so a FLUSH completes only after every write that
 * completed before it is on stable storage. Everything in a request comes
 * from the guest: a malformed one completes with VIRTIO_BLK_S_IOERR (when a
 * status byte can be found) and never harms the monitor.
 */
#ifndef PORTHOLE_VMM_VIRTIO_BLK_H
#define PORTHOLE_VMM_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "virtio_pci.h"

#define VBLK_SECTOR     512
#define VBLK_ID_BYTES   20    /* VIRTIO_BLK_T_GET_ID answer */
#define VBLK_QUEUE_SIZE 256
#define VBLK_HDR_SIZE   16    /* le32 type, le32 reserved, le64 sector */
#define VBLK_SEG_MAX    (VBLK_QUEUE_SIZE - 2)   /* + header and status */
#define VBLK_SIZE_MAX   (1u << 20)              /* bytes per segment */
/* What a driver that honours seg_max and size_max can ask for at once;
 * larger requests fail, so that one request cannot occupy the iothread
 * (and delay the monitor's shutdown) for long. */
#define VBLK_MAX_REQUEST ((uint64_t)VBLK_SEG_MAX * VBLK_SIZE_MAX)

struct vblk {
	int fd;
	bool readonly;
	uint64_t capacity;                  /* in 512-byte sectors */
	char serial[VBLK_ID_BYTES + 1];     /* NUL-padded */
	struct virtio_pci vp;
	bool attached;
	/* Counters, written on the iothread only. */
	uint64_t nr_read, nr_write, nr_flush, nr_ioerr, nr_unsupp, nr_bad;
};

/* A parsed request: what to do, and where its data and status live. */
struct vblk_req {
	uint32_t type;
	uint64_t sector;
	uint64_t len;              /* data bytes (IN, OUT, GET_ID) */
	int niov;
	struct iovec iov[VQ_CHAIN_MAX];
	uint8_t *status;           /* the status byte, NULL if there is none */
	uint32_t written;          /* used length to report on completion */
};

/* Open the image and lock it (exclusive for rw, shared for ro, never
 * waiting). -1 with one actionable line in err; then nothing is left open. */
int vblk_open(struct vblk *b, const char *path, bool readonly, char *err,
	      size_t errlen);

/* Create the PCI function; requests run on env->io, which should be this
 * disk's own iothread. -1 with err. */
int vblk_attach(struct vblk *b, const struct virtio_env *env, char *err,
		size_t errlen);

/* After env->io has stopped: the transport, then the file (and its lock). */
void vblk_destroy(struct vblk *b);

/*
 * Check a request against a disk of `capacity` sectors and fill r. Returns
 * VIRTIO_BLK_S_OK when the request is well formed and should be executed,
 * else the status to complete it with (IOERR, UNSUPP); r->status is NULL
 * when the chain has no writable byte to put a status in.
 */
int vblk_parse(const struct vq_chain *c, uint64_t capacity, bool readonly,
	       struct vblk_req *r);

/* Serve one chain that vq_pop() returned (VQ_OK or VQ_BAD): do its I/O and
 * write its status. Returns the used length to vq_push() it with. */
uint32_t vblk_process(struct vblk *b, const struct vq_chain *c,
		      enum vq_pop_result res);

/* The transport's view; vblk_ro_ops adds VIRTIO_BLK_F_RO. */
extern const struct virtio_device_ops vblk_ops, vblk_ro_ops;

#endif
