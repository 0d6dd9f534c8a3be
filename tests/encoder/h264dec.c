// SPDX-License-Identifier: MIT
#include "h264dec.h"

#include <libavcodec/avcodec.h>
#include <libyuv/convert_from_argb.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct h264dec {
	AVCodecContext *c;
	AVPacket *pkt;
	AVFrame *f;
};

void h264dec_close(struct h264dec *d)
{
	if (!d)
		return;
	avcodec_free_context(&d->c);
	av_packet_free(&d->pkt);
	av_frame_free(&d->f);
	free(d);
}

struct h264dec *h264dec_open(void)
{
	const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_H264);
	struct h264dec *d = calloc(1, sizeof(*d));

	if (!d || !codec || !(d->c = avcodec_alloc_context3(codec)) ||
	    !(d->pkt = av_packet_alloc()) || !(d->f = av_frame_alloc()))
		goto fail;
	d->c->thread_count = 1;
	d->c->flags |= AV_CODEC_FLAG_LOW_DELAY;
	if (avcodec_open2(d->c, codec, NULL) < 0)
		goto fail;
	return d;
fail:
	h264dec_close(d);
	return NULL;
}

int h264dec_decode(struct h264dec *d, const uint8_t *data, size_t len,
		   struct h264pic *pic)
{
	int r;

	av_frame_unref(d->f);
	if (av_new_packet(d->pkt, (int)len) < 0)
		return -1;
	memcpy(d->pkt->data, data, len);
	r = avcodec_send_packet(d->c, d->pkt);
	av_packet_unref(d->pkt);
	if (r < 0)
		return -1;
	r = avcodec_receive_frame(d->c, d->f);
	if (r == AVERROR(EAGAIN))
		return 0;
	if (r < 0 || d->f->format != AV_PIX_FMT_YUV420P)
		return -1;
	pic->y = d->f->data[0];
	pic->u = d->f->data[1];
	pic->v = d->f->data[2];
	pic->stride_y = d->f->linesize[0];
	pic->stride_u = d->f->linesize[1];
	pic->stride_v = d->f->linesize[2];
	pic->width = d->f->width;
	pic->height = d->f->height;
	pic->keyframe = d->f->key_frame;
	return 1;
}

uint8_t *h264_ref_i420(const uint8_t *xrgb, uint32_t stride, uint32_t w,
		       uint32_t h)
{
	uint32_t cw = (w + 1) / 2, ch = (h + 1) / 2;
	uint8_t *p = malloc((size_t)w * h + 2 * (size_t)cw * ch);

	if (!p)
		return NULL;
	ARGBToI420(xrgb, (int)stride, p, (int)w, p + (size_t)w * h, (int)cw,
		   p + (size_t)w * h + (size_t)cw * ch, (int)cw, (int)w, (int)h);
	return p;
}

static double sq_err(const uint8_t *a, int sa, const uint8_t *b, uint32_t sb,
		     uint32_t w, uint32_t h)
{
	double e = 0;

	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			int d = a[(size_t)y * sa + x] - b[(size_t)y * sb + x];

			e += d * d;
		}
	return e;
}

double h264_psnr(const struct h264pic *pic, const uint8_t *ref, uint32_t w,
		 uint32_t h)
{
	uint32_t cw = (w + 1) / 2, ch = (h + 1) / 2;
	double n = (double)w * h + 2.0 * cw * ch, e;

	e = sq_err(pic->y, pic->stride_y, ref, w, w, h) +
	    sq_err(pic->u, pic->stride_u, ref + (size_t)w * h, cw, cw, ch) +
	    sq_err(pic->v, pic->stride_v, ref + (size_t)w * h + (size_t)cw * ch,
		   cw, cw, ch);
	if (e == 0)
		return 99.0;
	return 10.0 * log10(255.0 * 255.0 * n / e);
}

uint32_t h264_nal_types(const uint8_t *d, size_t len)
{
	uint32_t mask = 0;

	for (size_t i = 0; i + 3 < len; i++)
		if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1) {
			mask |= 1u << (d[i + 3] & 0x1f);
			i += 3;
		}
	return mask;
}
