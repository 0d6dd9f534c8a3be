// SPDX-License-Identifier: MIT
/*
 * virtio-blk requests from a hostile driver: the input builds a chain (any
 * number of readable and writable buffers, any lengths, overlapping, over a
 * header and data the input also chooses), which is parsed and then served
 * against a small in-memory disk. The parser's answer must describe only
 * bytes of the chain and sectors of the disk (checked here), and serving
 * must stay inside them (ASan watches).
 */
#include "virtio/blk.h"

#include <linux/virtio_blk.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ARENA   65536
#define MAX_CAP 256          /* sectors of the in-memory disk */

static bool inside(const void *p, size_t len, const uint8_t *arena)
{
	const uint8_t *b = p;

	return b >= arena && len <= ARENA && b - arena <= (ptrdiff_t)(ARENA - len);
}

/* Everything vblk_parse() promises about an accepted request. */
static void check(const struct vq_chain *c, uint64_t cap, bool ro,
		  const struct vblk_req *r, int st, const uint8_t *arena)
{
	uint64_t sum = 0;

	if (r->status && !inside(r->status, 1, arena))
		abort();
	if (st != VIRTIO_BLK_S_OK)
		return;
	if (!r->status || r->niov < 0 || r->niov > c->nout + c->nin)
		abort();
	for (int i = 0; i < r->niov; i++) {
		if (!r->iov[i].iov_len ||
		    !inside(r->iov[i].iov_base, r->iov[i].iov_len, arena))
			abort();
		sum += r->iov[i].iov_len;
	}
	if (sum != r->len)
		abort();
	if (r->type == VIRTIO_BLK_T_IN || r->type == VIRTIO_BLK_T_OUT) {
		if (r->len % 512 || r->sector > cap || r->len / 512 > cap - r->sector)
			abort();
		if (r->type == VIRTIO_BLK_T_OUT && ro)
			abort();
	}
	if (r->type == VIRTIO_BLK_T_GET_ID && r->len > VBLK_ID_BYTES)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *arena;
	static struct vq_chain c;
	static struct vblk_req r;
	static struct vblk b;
	size_t pos;
	int st;

	if (size < 4)
		return 0;
	if (!arena) {
		arena = malloc(ARENA);
		b.fd = memfd_create("vblk-fuzz", MFD_CLOEXEC);
		if (!arena || b.fd < 0 || ftruncate(b.fd, MAX_CAP * 512))
			abort();
		memcpy(b.serial, "PHfuzz", 7);
	}
	b.readonly = data[0] & 1;
	b.capacity = data[1] % (MAX_CAP + 1);
	c.nout = (data[2] >> 4) % 9;
	c.nin = (data[2] & 15) % 9;
	c.out_bytes = c.in_bytes = 0;
	pos = 4;
	/* Each buffer: 2 bytes offset, 2 bytes length, inside the arena. */
	for (int i = 0; i < c.nout + c.nin; i++) {
		struct vq_iov *v = i < c.nout ? &c.out[i] : &c.in[i - c.nout];
		uint32_t off = 0, len = 0;

		if (pos + 4 <= size) {
			off = (data[pos] | data[pos + 1] << 8) % ARENA;
			len = data[pos + 2] | data[pos + 3] << 8;
			pos += 4;
		}
		if (len > ARENA - off)
			len = ARENA - off;
		*v = (struct vq_iov){ arena + off, len };
		if (i < c.nout)
			c.out_bytes += len;
		else
			c.in_bytes += len;
	}
	/* The rest is what the guest put in its buffers. */
	memset(arena, 0, ARENA);
	if (pos < size)
		memcpy(arena, data + pos, size - pos < ARENA ? size - pos : ARENA);

	st = vblk_parse(&c, b.capacity, b.readonly, &r);
	check(&c, b.capacity, b.readonly, &r, st, arena);
	/* And served, as the iothread would: a parsed request, or one the
	 * walker refused half way. */
	vblk_process(&b, &c, data[3] & 1 ? VQ_BAD : VQ_OK);
	return 0;
}
