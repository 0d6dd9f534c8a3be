// SPDX-License-Identifier: MIT
#include "blk.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/virtio_blk.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define VBLK_CONFIG_SIZE 24  /* capacity, size_max, seg_max, geometry, blk_size */

static uint32_t get_le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
	return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, v);
	put_le32(p + 4, v >> 32);
}

/* --- request parsing ---------------------------------------------------- */

/* The bytes [off, off+len) of a chain's buffers as iovecs, without the
 * empty ones. The result never has more entries than the chain. */
static int iov_slice(const struct vq_iov *v, int n, uint64_t off, uint64_t len,
		     struct iovec *out)
{
	int k = 0;

	for (int i = 0; i < n && len; i++) {
		uint64_t take;

		if (off >= v[i].len) {
			off -= v[i].len;
			continue;
		}
		take = v[i].len - off < len ? v[i].len - off : len;
		out[k++] = (struct iovec){ v[i].base + off, take };
		len -= take;
		off = 0;
	}
	return k;
}

/* Host address of byte `off` of the buffers, or NULL. */
static uint8_t *byte_at(const struct vq_iov *v, int n, uint64_t off)
{
	for (int i = 0; i < n; i++) {
		if (off < v[i].len)
			return v[i].base + off;
		off -= v[i].len;
	}
	return NULL;
}

static bool in_range(uint64_t sector, uint64_t len, uint64_t capacity)
{
	/* Written so that no sum can wrap. */
	return sector <= capacity && len / VBLK_SECTOR <= capacity - sector;
}

static int parse_rw(const struct vq_chain *c, uint64_t capacity,
		    struct vblk_req *r)
{
	if (r->type == VIRTIO_BLK_T_IN) {
		/* Data the device writes must be in the writable part, and
		 * nothing readable may follow the header. */
		if (c->out_bytes != VBLK_HDR_SIZE)
			return VIRTIO_BLK_S_IOERR;
		r->len = c->in_bytes - 1;
		r->niov = iov_slice(c->in, c->nin, 0, r->len, r->iov);
	} else {
		if (c->in_bytes != 1)
			return VIRTIO_BLK_S_IOERR;
		r->len = c->out_bytes - VBLK_HDR_SIZE;
		r->niov = iov_slice(c->out, c->nout, VBLK_HDR_SIZE, r->len,
				    r->iov);
	}
	if (r->len % VBLK_SECTOR || r->len > VBLK_MAX_REQUEST ||
	    !in_range(r->sector, r->len, capacity))
		return VIRTIO_BLK_S_IOERR;
	return VIRTIO_BLK_S_OK;
}

int vblk_parse(const struct vq_chain *c, uint64_t capacity, bool readonly,
	       struct vblk_req *r)
{
	uint8_t hdr[VBLK_HDR_SIZE];

	r->type = UINT32_MAX;
	r->sector = 0;
	r->len = 0;
	r->niov = 0;
	r->written = 0;
	r->status = NULL;
	/* The walker bounds these; a fake chain (fuzzing) must not overrun. */
	if (c->nout < 0 || c->nout > VQ_CHAIN_MAX || c->nin < 0 ||
	    c->nin > VQ_CHAIN_MAX)
		return VIRTIO_BLK_S_IOERR;
	if (c->in_bytes)
		r->status = byte_at(c->in, c->nin, c->in_bytes - 1);
	if (!r->status)
		return VIRTIO_BLK_S_IOERR;
	r->written = c->in_bytes > UINT32_MAX ? UINT32_MAX : c->in_bytes;
	if (c->out_bytes < VBLK_HDR_SIZE ||
	    vq_read(c, 0, hdr, sizeof(hdr)) != sizeof(hdr))
		return VIRTIO_BLK_S_IOERR;
	r->type = get_le32(hdr);
	r->sector = get_le64(hdr + 8);

	switch (r->type) {
	case VIRTIO_BLK_T_OUT:
		if (readonly)
			return VIRTIO_BLK_S_IOERR;
		/* fall through */
	case VIRTIO_BLK_T_IN:
		return parse_rw(c, capacity, r);
	case VIRTIO_BLK_T_FLUSH:
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		r->len = c->in_bytes - 1 < VBLK_ID_BYTES ? c->in_bytes - 1 :
							   VBLK_ID_BYTES;
		r->niov = iov_slice(c->in, c->nin, 0, r->len, r->iov);
		return VIRTIO_BLK_S_OK;
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/* --- execution ---------------------------------------------------------- */

static void iov_advance(struct iovec **iov, int *n, size_t k)
{
	while (*n && k >= (*iov)->iov_len) {
		k -= (*iov)->iov_len;
		(*iov)++;
		(*n)--;
	}
	if (*n && k) {
		(*iov)->iov_base = (uint8_t *)(*iov)->iov_base + k;
		(*iov)->iov_len -= k;
	}
}

static int do_read(int fd, struct iovec *iov, int n, uint64_t off)
{
	while (n) {
		ssize_t got = preadv(fd, iov, n, off);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0) {
			/* Past the end (the image shrank under us): zeros. */
			for (int i = 0; i < n; i++)
				memset(iov[i].iov_base, 0, iov[i].iov_len);
			return 0;
		}
		off += got;
		iov_advance(&iov, &n, got);
	}
	return 0;
}

static int do_write(int fd, struct iovec *iov, int n, uint64_t off)
{
	while (n) {
		ssize_t put = pwritev(fd, iov, n, off);

		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return -1;  /* EIO, ENOSPC, EDQUOT: the guest hears */
		off += put;
		iov_advance(&iov, &n, put);
	}
	return 0;
}

static int do_flush(int fd)
{
	while (fdatasync(fd) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

static void copy_id(const struct vblk *b, struct vblk_req *r)
{
	uint64_t done = 0;

	for (int i = 0; i < r->niov; i++) {
		memcpy(r->iov[i].iov_base, b->serial + done, r->iov[i].iov_len);
		done += r->iov[i].iov_len;
	}
}

static int execute(struct vblk *b, struct vblk_req *r)
{
	uint64_t off = r->sector * VBLK_SECTOR;

	switch (r->type) {
	case VIRTIO_BLK_T_IN:
		b->nr_read++;
		return do_read(b->fd, r->iov, r->niov, off) ?
		       VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_OUT:
		b->nr_write++;
		return do_write(b->fd, r->iov, r->niov, off) ?
		       VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		b->nr_flush++;
		return do_flush(b->fd) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		copy_id(b, r);
		return VIRTIO_BLK_S_OK;
	}
	return VIRTIO_BLK_S_UNSUPP;
}

/* The walker gave up on this chain part way: fail it where the guest can
 * see it, in the last writable byte it did check, if any. */
static uint32_t fail_bad_chain(struct vblk *b, const struct vq_chain *c)
{
	int nin = c->nin < 0 ? 0 : c->nin > VQ_CHAIN_MAX ? VQ_CHAIN_MAX : c->nin;
	uint64_t total = 0;

	b->nr_bad++;
	for (int i = 0; i < nin; i++)
		total += c->in[i].len;
	for (int i = nin - 1; i >= 0; i--) {
		if (c->in[i].len) {
			c->in[i].base[c->in[i].len - 1] = VIRTIO_BLK_S_IOERR;
			return total > UINT32_MAX ? UINT32_MAX : total;
		}
	}
	return 0;
}

uint32_t vblk_process(struct vblk *b, const struct vq_chain *c,
		      enum vq_pop_result res)
{
	struct vblk_req r;
	int st;

	if (res != VQ_OK)
		return fail_bad_chain(b, c);
	st = vblk_parse(c, b->capacity, b->readonly, &r);
	if (st == VIRTIO_BLK_S_OK)
		st = execute(b, &r);
	if (st == VIRTIO_BLK_S_IOERR)
		b->nr_ioerr++;
	else if (st == VIRTIO_BLK_S_UNSUPP)
		b->nr_unsupp++;
	if (!r.status)
		return 0;
	*r.status = st;
	return r.written;
}

/* --- the device --------------------------------------------------------- */

static void vblk_notify(void *dev, struct virtq *vq)
{
	struct vblk *b = dev;
	struct vq_chain c;

	for (unsigned n = 0; n < VBLK_QUEUE_SIZE; n++) {
		enum vq_pop_result res = vq_pop(vq, &c);

		if (res == VQ_EMPTY)
			return;
		vq_push(vq, &c, vblk_process(b, &c, res));
	}
	/* A guest that keeps the queue full would keep us here forever; go
	 * back to the iothread (it may be asked to stop) and come again. */
	if (b->attached)
		virtio_pci_kick(&b->vp, vq->index);
}

static void vblk_config_rw(void *dev, uint32_t off, uint8_t *data, int size,
			   bool is_write)
{
	struct vblk *b = dev;
	uint8_t cfg[VBLK_CONFIG_SIZE] = { 0 };

	if (is_write)
		return; /* nothing writable without CONFIG_WCE */
	put_le64(cfg + 0, b->capacity);
	put_le32(cfg + 8, VBLK_SIZE_MAX);
	put_le32(cfg + 12, VBLK_SEG_MAX);
	put_le32(cfg + 20, VBLK_SECTOR);          /* blk_size */
	memset(data, 0, size);
	if (off < sizeof(cfg))
		memcpy(data, cfg + off, size < (int)(sizeof(cfg) - off) ?
					size : (int)(sizeof(cfg) - off));
}

static void vblk_start(void *dev, uint64_t features)
{
}

static void vblk_reset(void *dev)
{
	/* Nothing in flight outlives a notify call, and the queue's
	 * generation drops a completion that races with the reset. */
}

#define VBLK_FEATURES ((1ULL << VIRTIO_BLK_F_FLUSH) | \
		       (1ULL << VIRTIO_BLK_F_BLK_SIZE) | \
		       (1ULL << VIRTIO_BLK_F_SEG_MAX) | \
		       (1ULL << VIRTIO_BLK_F_SIZE_MAX))

const struct virtio_device_ops vblk_ops = {
	.name = "blk",
	.device_id = 2,
	.pci_class = 0x010000,   /* mass storage, SCSI: what QEMU presents */
	.features = VBLK_FEATURES,
	.num_queues = 1,
	.queue_size = VBLK_QUEUE_SIZE,
	.config_size = VBLK_CONFIG_SIZE,
	.config_rw = vblk_config_rw,
	.notify = vblk_notify,
	.start = vblk_start,
	.reset = vblk_reset,
};

const struct virtio_device_ops vblk_ro_ops = {
	.name = "blk",
	.device_id = 2,
	.pci_class = 0x010000,
	.features = VBLK_FEATURES | (1ULL << VIRTIO_BLK_F_RO),
	.num_queues = 1,
	.queue_size = VBLK_QUEUE_SIZE,
	.config_size = VBLK_CONFIG_SIZE,
	.config_rw = vblk_config_rw,
	.notify = vblk_notify,
	.start = vblk_start,
	.reset = vblk_reset,
};

/* --- opening the image -------------------------------------------------- */

static int open_error(const char *path, bool readonly, int e, char *err,
		      size_t errlen)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		snprintf(err, errlen, "disk image %s does not exist", path);
		break;
	case EACCES:
	case EPERM:
	case EROFS:
		if (readonly)
			snprintf(err, errlen, "disk image %s is not readable: %s",
				 path, strerror(e));
		else
			snprintf(err, errlen,
				 "disk image %s is not writable (%s); add ,ro to "
				 "attach it read-only", path, strerror(e));
		break;
	case EISDIR:
	case ENXIO:
		snprintf(err, errlen,
			 "disk image %s is not a regular file or block device",
			 path);
		break;
	default:
		snprintf(err, errlen, "cannot open disk image %s: %s", path,
			 strerror(e));
	}
	return -1;
}

static int image_size(int fd, const struct stat *st, uint64_t *size)
{
	if (S_ISREG(st->st_mode)) {
		*size = st->st_size;
		return 0;
	}
	return ioctl(fd, BLKGETSIZE64, size);
}

/* A stable serial for GET_ID (/dev/disk/by-id): the same file gets the
 * same one across restarts. */
static void make_serial(struct vblk *b, const struct stat *st)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	uint64_t v[2] = { st->st_dev, st->st_ino };
	const uint8_t *p = (const uint8_t *)v;

	for (size_t i = 0; i < sizeof(v); i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	memset(b->serial, 0, sizeof(b->serial));
	snprintf(b->serial, sizeof(b->serial), "PH%016llx",
		 (unsigned long long)h);
}

static int check_and_lock(struct vblk *b, const char *path, char *err,
			  size_t errlen)
{
	struct stat st;
	uint64_t size;
	int fl;

	if (fstat(b->fd, &st) < 0)
		return open_error(path, b->readonly, errno, err, errlen);
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return open_error(path, b->readonly, ENXIO, err, errlen);
	/* O_NONBLOCK only kept a FIFO from hanging the open. */
	fl = fcntl(b->fd, F_GETFL);
	if (fl < 0 || fcntl(b->fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
		return open_error(path, b->readonly, errno, err, errlen);
	/* A writer excludes everyone; readers only exclude writers. */
	if (flock(b->fd, (b->readonly ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			snprintf(err, errlen,
				 "disk image %s is in use by another VM (locked)",
				 path);
		else
			snprintf(err, errlen, "cannot lock disk image %s: %s",
				 path, strerror(errno));
		return -1;
	}
	if (image_size(b->fd, &st, &size) < 0) {
		snprintf(err, errlen, "cannot get the size of disk image %s: %s",
			 path, strerror(errno));
		return -1;
	}
	if (size == 0) {
		snprintf(err, errlen, "disk image %s is empty", path);
		return -1;
	}
	if (size % VBLK_SECTOR) {
		snprintf(err, errlen,
			 "disk image %s: its size (%llu bytes) is not a multiple "
			 "of 512", path, (unsigned long long)size);
		return -1;
	}
	b->capacity = size / VBLK_SECTOR;
	make_serial(b, &st);
	return 0;
}

int vblk_open(struct vblk *b, const char *path, bool readonly, char *err,
	      size_t errlen)
{
	int flags = (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY |
		    O_NONBLOCK;

	memset(b, 0, sizeof(*b));
	b->readonly = readonly;
	b->fd = open(path, flags);
	if (b->fd < 0)
		return open_error(path, readonly, errno, err, errlen);
	if (check_and_lock(b, path, err, errlen))
		goto fail;
	return 0;
fail:
	close(b->fd);
	b->fd = -1;
	return -1;
}

int vblk_attach(struct vblk *b, const struct virtio_env *env, char *err,
		size_t errlen)
{
	if (virtio_pci_init(&b->vp, b->readonly ? &vblk_ro_ops : &vblk_ops, b,
			    env, err, errlen))
		return -1;
	b->attached = true;
	return 0;
}

void vblk_destroy(struct vblk *b)
{
	if (b->attached)
		virtio_pci_destroy(&b->vp);
	b->attached = false;
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
}
