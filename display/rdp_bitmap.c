// SPDX-License-Identifier: MIT
/*
 * Clients without RDPGFX: bitmap updates (TS_BITMAP_DATA), 64x64 tiles of
 * the damaged rectangles compressed with FreeRDP's planar codec (RDP 6.0
 * bitmap compression, 32 bpp), which every RDP client decodes. Pacing is
 * the socket's: FreeRDP writes each update out before the next is made,
 * and damage that arrives meanwhile merges into the next round.
 *
 * rdp_planar() is shared with the RDPGFX planar path.
 */
#include "rdp_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <freerdp/codec/color.h>

#define TILE 64

/*
 * r (inside the framebuffer) as planar data (malloc'ed). FreeRDP 2's
 * encoder writes rows bottom-up, as bitmap updates want; RDPGFX wants them
 * top-down, so for it the rows go in reversed.
 */
BYTE *rdp_planar(struct rdp_peer *p, const struct enc_rect *r, int topdown,
		 UINT32 *len)
{
	const size_t stride = (size_t)p->width * 4;
	const BYTE *src = p->r->fb + r->y * stride + (size_t)r->x * 4;
	UINT32 step = (UINT32)stride;
	BYTE *flipped = NULL, *out;

	if (!p->planar || r->w > p->planar->maxWidth || r->h > p->planar->maxHeight) {
		UINT32 w = r->w > TILE ? r->w : TILE, h = r->h > TILE ? r->h : TILE;

		if (!p->planar)
			p->planar = freerdp_bitmap_planar_context_new(
				PLANAR_FORMAT_HEADER_RLE | PLANAR_FORMAT_HEADER_NA, w, h);
		else if (!freerdp_bitmap_planar_context_reset(p->planar, w, h))
			return NULL;
		if (!p->planar)
			return NULL;
	}
	if (topdown) {
		flipped = malloc((size_t)r->w * r->h * 4);
		if (!flipped)
			return NULL;
		for (uint32_t y = 0; y < r->h; y++)
			memcpy(flipped + (size_t)(r->h - 1 - y) * r->w * 4,
			       src + y * stride, (size_t)r->w * 4);
		src = flipped;
		step = r->w * 4;
	}
	*len = 0;
	out = freerdp_bitmap_compress_planar(p->planar, src, PIXEL_FORMAT_BGRX32,
					     r->w, r->h, step, NULL, len);
	free(flipped);
	return out;
}

static int flush(struct rdp_peer *p, BITMAP_DATA *tiles, UINT32 n)
{
	rdpContext *ctx = p->client->context;
	BITMAP_UPDATE bu = { 0 };
	int ok;

	if (!n)
		return 0;
	bu.number = bu.count = n;
	bu.rectangles = tiles;
	ok = ctx->update->BitmapUpdate(ctx, &bu);
	for (UINT32 i = 0; i < n; i++) {
		free(tiles[i].bitmapDataStream);
		tiles[i].bitmapDataStream = NULL;
	}
	return ok ? 0 : -1;
}

/* The tiles of one rectangle, in updates of at most limit bytes. */
static int send_rect(struct rdp_peer *p, const struct enc_rect *r,
		     BITMAP_DATA *tiles, UINT32 *n, size_t *bytes, size_t limit,
		     size_t *total)
{
	/* Widths a multiple of 4, as bitmap updates have always been sent:
	 * a tile may reach past the right edge (clipped by the client; the
	 * pixels read there are the next row's, inside the framebuffer). */
	uint32_t x0 = r->x & ~3u, x1 = r->x + r->w;

	for (uint32_t ty = r->y; ty < r->y + r->h; ty += TILE) {
		for (uint32_t tx = x0; tx < x1; tx += TILE) {
			struct enc_rect t = { tx, ty, TILE, TILE };
			BITMAP_DATA *b = &tiles[*n];
			UINT32 len;

			if (tx + t.w > x1)
				t.w = (x1 - tx + 3) & ~3u;
			if (ty + t.h > r->y + r->h)
				t.h = r->y + r->h - ty;
			memset(b, 0, sizeof(*b));
			b->bitmapDataStream = rdp_planar(p, &t, 0, &len);
			if (!b->bitmapDataStream)
				return -1;
			b->destLeft = t.x;
			b->destTop = t.y;
			b->destRight = t.x + t.w - 1;
			b->destBottom = t.y + t.h - 1;
			b->width = t.w;
			b->height = t.h;
			b->bitsPerPixel = 32;
			b->compressed = TRUE;
			b->bitmapLength = b->cbCompMainBodySize = len;
			b->cbScanWidth = t.w * 4;
			b->cbUncompressedSize = t.w * t.h * 4;
			*bytes += len + 26;
			*total += len;
			if (++*n == RDP_BITMAP_BATCH || *bytes >= limit) {
				if (flush(p, tiles, *n) < 0)
					return -1;
				*n = 0;
				*bytes = 0;
			}
		}
	}
	return 0;
}

int rdp_bitmap_send(struct rdp_peer *p)
{
	const rdpSettings *s = p->client->context->settings;
	BITMAP_DATA tiles[RDP_BITMAP_BATCH];
	/* An update larger than the client's reassembly buffer is cut off;
	 * without a multifragment capability it must fit one PDU. */
	size_t limit = s->MultifragMaxRequestSize > 32768 ?
		       s->MultifragMaxRequestSize - 16384 : 8192;
	size_t bytes = 0, total = 0;
	uint64_t t0 = rdp_now_us();
	UINT32 n = 0;
	int rc = 0;

	if (enc_damage_empty(&p->damage))
		return 0;
	for (size_t i = 0; i < p->damage.n && rc == 0; i++) {
		struct enc_rect v = enc_rect_visible(&p->damage, &p->damage.r[i]);

		if (v.w && v.h)
			rc = send_rect(p, &v, tiles, &n, &bytes, limit, &total);
	}
	if (rc == 0)
		rc = flush(p, tiles, n);
	else
		for (UINT32 i = 0; i < n; i++)
			free(tiles[i].bitmapDataStream);
	enc_damage_clear(&p->damage);
	rdp_frame_made(p, t0, total);
	return rc;
}

void rdp_bitmap_free(struct rdp_peer *p)
{
	freerdp_bitmap_planar_context_free(p->planar);
	p->planar = NULL;
}
