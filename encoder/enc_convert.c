// SPDX-License-Identifier: MIT
#include "enc_convert.h"

#include <libyuv/convert_from_argb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN 64    /* x264 and libyuv's widest loads */

static uint32_t align_up(uint32_t v, uint32_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int enc_convert_init(struct enc_convert *c, uint32_t width, uint32_t height,
		     enum enc_color color, char *err, size_t errlen)
{
	uint32_t pw = (width + 1) & ~1u, ph = (height + 1) & ~1u;
	size_t ysz, uvsz;

	memset(c, 0, sizeof(*c));
	if (!width || !height || width > ENC_MAX_DIM || height > ENC_MAX_DIM) {
		snprintf(err, errlen, "picture size %ux%u: must be 1..%u each",
			 width, height, ENC_MAX_DIM);
		return -1;
	}
	c->src_w = width;
	c->src_h = height;
	c->color = color;
	c->p.width = pw;
	c->p.height = ph;
	c->p.stride_y = align_up(pw, ALIGN);
	c->p.stride_uv = align_up(pw / 2, ALIGN);
	ysz = (size_t)c->p.stride_y * ph;
	uvsz = (size_t)c->p.stride_uv * (ph / 2);
	c->mem = aligned_alloc(ALIGN, ysz + 2 * uvsz);
	if (!c->mem) {
		snprintf(err, errlen, "out of memory for %ux%u I420 planes",
			 pw, ph);
		return -1;
	}
	c->p.y = c->mem;
	c->p.u = c->p.y + ysz;
	c->p.v = c->p.u + uvsz;
	/* Black until the first conversion (which is of everything). */
	memset(c->p.y, color == ENC_COLOR_BT601 ? 16 : 0, ysz);
	memset(c->p.u, 128, 2 * uvsz);
	return 0;
}

void enc_convert_free(struct enc_convert *c)
{
	free(c->mem);
	c->mem = NULL;
}

void enc_convert_rect(struct enc_convert *c, const uint8_t *xrgb,
		      uint32_t stride, const struct enc_rect *r)
{
	struct enc_planes *p = &c->p;
	uint32_t sw, sh;
	const uint8_t *src;
	uint8_t *y;

	if (r->x >= c->src_w || r->y >= c->src_h)
		return;
	sw = r->w < c->src_w - r->x ? r->w : c->src_w - r->x;
	sh = r->h < c->src_h - r->y ? r->h : c->src_h - r->y;
	src = xrgb + (size_t)r->y * stride + (size_t)r->x * 4;
	y = p->y + (size_t)r->y * p->stride_y + r->x;
	/* libyuv's "ARGB" is XRGB8888 in memory (B, G, R, X); X is ignored. */
	(c->color == ENC_COLOR_BT601 ? ARGBToI420 : ARGBToJ420)(src,
		(int)stride, y, (int)p->stride_y,
		p->u + (size_t)(r->y / 2) * p->stride_uv + r->x / 2,
		(int)p->stride_uv,
		p->v + (size_t)(r->y / 2) * p->stride_uv + r->x / 2,
		(int)p->stride_uv, (int)sw, (int)sh);

	/* The even padding repeats the edge, so it codes to nearly nothing
	 * and a decoder's scaling never bleeds a stray line into view. */
	if (r->x + sw == c->src_w && (c->src_w & 1))
		for (uint32_t i = 0; i < sh; i++)
			y[(size_t)i * p->stride_y + sw] =
				y[(size_t)i * p->stride_y + sw - 1];
	if (r->y + sh == c->src_h && (c->src_h & 1)) {
		uint8_t *last = p->y + (size_t)(c->src_h - 1) * p->stride_y + r->x;
		uint32_t n = r->x + r->w > p->width ? p->width - r->x : r->w;

		memcpy(last + p->stride_y, last, n);
	}
}
