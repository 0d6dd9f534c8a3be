/* SPDX-License-Identifier: MIT */
/*
 * The tests' H.264 decoder: libavcodec's, one frame out per access unit in
 * (low delay, one thread), as a client would run it. Plus PSNR against the
 * I420 picture the source converts to.
 */
#ifndef PORTHOLE_TEST_H264DEC_H
#define PORTHOLE_TEST_H264DEC_H

#include <stddef.h>
#include <stdint.h>

struct h264dec;

/* A decoded picture, valid until the next h264dec_decode. */
struct h264pic {
	const uint8_t *y, *u, *v;
	int stride_y, stride_u, stride_v;
	int width, height;
	int keyframe;
};

struct h264dec *h264dec_open(void);
void h264dec_close(struct h264dec *d);
/* 1 with *pic, 0 when the decoder gave no picture, -1 on a decode error. */
int h264dec_decode(struct h264dec *d, const uint8_t *data, size_t len,
		   struct h264pic *pic);

/* Reference I420 of an XRGB picture (libyuv, BT.601 limited), planes
 * w x h and (w+1)/2 x (h+1)/2, tightly packed; free() it. */
uint8_t *h264_ref_i420(const uint8_t *xrgb, uint32_t stride, uint32_t w,
		       uint32_t h);
/* PSNR of the w x h picture at the top left of pic against ref (as
 * h264_ref_i420 lays it out), all three planes weighted by size. */
double h264_psnr(const struct h264pic *pic, const uint8_t *ref, uint32_t w,
		 uint32_t h);

/* NAL unit types present in an Annex B buffer, as a bit mask (1 << type). */
uint32_t h264_nal_types(const uint8_t *data, size_t len);

#endif
