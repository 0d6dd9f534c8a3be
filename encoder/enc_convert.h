/* SPDX-License-Identifier: MIT */
/*
 * XRGB8888 to I420 with libyuv, into planes the encoder keeps from frame to
 * frame, so only damaged rectangles are converted: a typed glyph costs a
 * glyph, not a screen.
 *
 * The planes are the source rounded up to even (x264 needs even sizes; it
 * pads to 16 itself and signals cropping). For an odd width or height the
 * extra luma column or row repeats the last one, and the last chroma sample
 * comes from the pixels that exist, as libyuv converts odd sizes.
 *
 * AVC444 (RDP's 4:4:4 over two 4:2:0 streams) would add its second set of
 * planes here, beside these, filled from the same damage: see
 * docs/encoder.md.
 */
#ifndef PORTHOLE_ENC_CONVERT_H
#define PORTHOLE_ENC_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#include "enc.h"

struct enc_planes {
	uint8_t *y, *u, *v;
	uint32_t stride_y, stride_uv;
	uint32_t width, height;     /* even */
};

struct enc_convert {
	struct enc_planes p;
	uint32_t src_w, src_h;
	enum enc_color color;
	void *mem;
};

int enc_convert_init(struct enc_convert *c, uint32_t width, uint32_t height,
		     enum enc_color color, char *err, size_t errlen);
void enc_convert_free(struct enc_convert *c);

/* Convert r (even edges, as enc_damage makes them) from the source. */
void enc_convert_rect(struct enc_convert *c, const uint8_t *xrgb,
		      uint32_t stride, const struct enc_rect *r);

#endif
