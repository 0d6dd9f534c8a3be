// SPDX-License-Identifier: MIT
/*
 * virtio-blk and the `disk` command (demo_layout.h). One request at a
 * time, header / data / status in three descriptors, waited for by
 * polling: a spin first (a monitor serving requests on its own thread
 * answers in microseconds), then a tick at a time.
 */
#include "demo.h"

#include "arch.h"
#include "io.h"

#define SPINS		200000
#define TIMEOUT_TICKS	(30 * TIMER_HZ)
#define NO_STATUS	0xff	/* what status holds until the device writes it */
#define ERR_QUEUE	-1
#define ERR_BROKEN	-2
#define ERR_TIMEOUT	-3

bool vblk_setup(struct demo *d, struct vblk *b, const char **why)
{
	struct vdev *v = b->dev;
	uint32_t size_max = 0;

	if (!b->page && !(b->page = vio_page(&d->vio))) {
		*why = "out of ring pages";
		return false;
	}
	if (!virtio_begin(v, BIT(VIRTIO_BLK_F_RO) | BIT(VIRTIO_BLK_F_BLK_SIZE) |
			  BIT(VIRTIO_BLK_F_FLUSH) | BIT(VIRTIO_BLK_F_SIZE_MAX) |
			  BIT(VIRTIO_BLK_F_SEG_MAX), why))
		return false;
	b->capacity = virtio_cfg64(v, 0);
	if (v->features & BIT(VIRTIO_BLK_F_SIZE_MAX))
		size_max = virtio_cfg32(v, 8);
	b->blk_size = 512;
	if (v->features & BIT(VIRTIO_BLK_F_BLK_SIZE))
		b->blk_size = virtio_cfg32(v, 20);
	/* Requests stay whole blocks and within the device's segment limit. */
	b->chunk = VBLK_BUF;
	if (size_max >= DEMO_DISK_SECTOR && size_max < b->chunk)
		b->chunk = size_max & ~(uint32_t)(DEMO_DISK_SECTOR - 1);
	if (b->blk_size > DEMO_DISK_SECTOR && b->blk_size <= b->chunk &&
	    !(b->blk_size & (b->blk_size - 1)))
		b->chunk -= b->chunk % b->blk_size;
	if (!virtio_queue(v, &b->q, 0, b->page, VQ_MAX, why)) {
		virtio_fail(v);
		return false;
	}
	virtio_driver_ok(v);
	return true;
}

/* The device's status byte for one request, or ERR_*. */
static int request(struct vblk *b, uint32_t type, uint64_t sector,
		   uint32_t len)
{
	struct vbuf hdr = { &b->hdr, sizeof(b->hdr) };
	struct vbuf data = { b->buf, len };
	struct vbuf status = { &b->status, 1 };
	struct vbuf out[2] = { hdr, data }, in[2] = { data, status };
	bool ok;

	b->hdr = (struct virtio_blk_req){ type, 0, sector };
	b->status = NO_STATUS;
	if (type == VIRTIO_BLK_T_OUT)
		ok = vq_add(&b->q, out, 2, &status, 1, b);
	else if (type == VIRTIO_BLK_T_IN)
		ok = vq_add(&b->q, &hdr, 1, in, 2, b);
	else
		ok = vq_add(&b->q, &hdr, 1, &status, 1, b);
	if (!ok)
		return ERR_QUEUE;
	vq_kick(&b->q);
	for (int i = 0; i < SPINS + TIMEOUT_TICKS; i++) {
		if (vq_get(&b->q, NULL) == b)
			return *(volatile uint8_t *)&b->status;
		if (b->q.broken)
			return ERR_BROKEN;
		if (i < SPINS)
			__asm__ volatile("pause");
		else
			cpu_idle();
	}
	/* The device still owns the buffers: never reuse them. */
	b->dev->live = false;
	return ERR_TIMEOUT;
}

static const char *status_error(struct vblk *b, int st, struct line *msg)
{
	line_init(msg);
	if (st == ERR_QUEUE || st == ERR_BROKEN) {
		line_str(msg, "the device broke the queue");
		virtio_fail(b->dev);
	} else if (st == ERR_TIMEOUT) {
		line_str(msg, "the device did not answer in 30 s");
	} else {
		line_str(msg, "status ");
		line_dec(msg, (unsigned)st);
	}
	return msg->buf;
}

static void fill(struct vblk *b, uint64_t seed, uint64_t lba, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		demo_disk_sector(seed, lba + i, b->buf + i * DEMO_DISK_SECTOR);
}

/* Write or read-and-compare COUNT sectors, a chunk per request. */
static const char *transfer(struct vblk *b, bool write, uint64_t lba,
			    uint64_t count, uint64_t seed, struct line *msg)
{
	uint32_t per = b->chunk / DEMO_DISK_SECTOR;

	while (count) {
		uint32_t n = count < per ? count : per;
		int st;

		if (write)
			fill(b, seed, lba, n);
		st = request(b, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, lba,
			     n * DEMO_DISK_SECTOR);
		if (st != 0)
			return status_error(b, st, msg);
		for (uint32_t i = 0; !write && i < n; i++) {
			demo_disk_sector(seed, lba + i, b->expect);
			if (memcmp(b->expect, b->buf + i * DEMO_DISK_SECTOR,
				   DEMO_DISK_SECTOR)) {
				line_init(msg);
				line_str(msg, "mismatch at LBA ");
				line_dec(msg, lba + i);
				return msg->buf;
			}
		}
		lba += n;
		count -= n;
	}
	line_init(msg);
	line_str(msg, write ? "write" : "match");
	return NULL;
}

/*
 * `disk bench MODE N`: the workload the benchmarks time from the host, one
 * request in flight (queue depth 1). randread/randwrite: N requests of
 * 4 KiB at random 4 KiB-aligned places; seqread/seqwrite: N MiB from LBA 0
 * in the largest requests the device takes. Data is whatever the buffer
 * holds: the device is measured, not the pattern generator.
 */
static const char *bench(struct vblk *b, const char *mode, size_t mlen,
			 uint64_t n, struct line *msg)
{
	bool rnd = word_is(mode, mlen, "randread") || word_is(mode, mlen, "randwrite");
	bool wr = word_is(mode, mlen, "randwrite") || word_is(mode, mlen, "seqwrite");
	uint32_t type = wr ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
	uint64_t blocks = b->capacity / 8, x = 0x9e3779b97f4a7c15ULL, lba = 0;
	uint64_t reqs = rnd ? n : n * (1 << 20) / b->chunk;

	if (!rnd && !word_is(mode, mlen, "seqread") && !wr)
		return "usage: disk bench randread|randwrite|seqread|seqwrite N";
	if (blocks == 0 || (!rnd && n * (1 << 20) > b->capacity * DEMO_DISK_SECTOR))
		return "the disk is too small for that";
	for (uint64_t i = 0; i < reqs; i++) {
		uint32_t len = rnd ? 4096 : b->chunk;
		int st;

		if (rnd) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			lba = (x % blocks) * 8;
		}
		st = request(b, type, lba, len);
		if (st != 0)
			return status_error(b, st, msg);
		if (!rnd)
			lba += len / DEMO_DISK_SECTOR;
	}
	line_init(msg);
	line_str(msg, "bench");
	return NULL;
}

/* LBA COUNT SEED, all decimal, nothing after. */
static bool parse_range(const char *p, const char *end, uint64_t v[3])
{
	const char *w;
	size_t len;

	for (int i = 0; i < 3; i++) {
		len = next_word(&p, end, &w);
		if (!parse_u64(w, len, 10, &v[i]))
			return false;
	}
	return !next_word(&p, end, &w) && v[1] >= 1 &&
	       v[1] <= DEMO_DISK_MAX_COUNT && v[0] <= UINT64_MAX / 2;
}

const char *vblk_command(struct demo *d, const char *args, size_t n,
			 struct line *msg)
{
	struct vblk *b = &d->vio.blk;
	const char *p = args, *end = args + n, *w;
	size_t len = next_word(&p, end, &w);
	uint64_t v[3];

	if (!b->dev)
		return "no virtio-blk device";
	if (!b->dev->live)
		return "the virtio-blk device is not working";
	if (word_is(w, len, "info") && !next_word(&p, end, &w)) {
		line_init(msg);
		line_dec(msg, b->capacity);
		line_str(msg, b->dev->features & BIT(VIRTIO_BLK_F_RO) ? " ro"
								     : " rw");
		return NULL;
	}
	if (word_is(w, len, "flush") && !next_word(&p, end, &w)) {
		/* Without F_FLUSH the device is write-through (5.2.6.2). */
		int st = b->dev->features & BIT(VIRTIO_BLK_F_FLUSH)
			 ? request(b, VIRTIO_BLK_T_FLUSH, 0, 0) : 0;

		if (st != 0)
			return status_error(b, st, msg);
		line_init(msg);
		line_str(msg, "flush");
		return NULL;
	}
	if ((word_is(w, len, "write") || word_is(w, len, "read")) &&
	    parse_range(p, end, v))
		return transfer(b, word_is(w, len, "write"), v[0], v[1], v[2],
				msg);
	if (word_is(w, len, "bench")) {
		const char *mode, *num;
		size_t mlen = next_word(&p, end, &mode);
		size_t nlen = next_word(&p, end, &num);

		if (mlen && nlen && parse_u64(num, nlen, 10, &v[0]) && v[0] &&
		    v[0] <= 1000000 && !next_word(&p, end, &w))
			return bench(b, mode, mlen, v[0], msg);
	}
	return "usage: disk info | flush | write|read LBA COUNT SEED | bench MODE N";
}
