// SPDX-License-Identifier: MIT
/*
 * Hardware H.264 through libavcodec: h264_vaapi (Intel/AMD, a DRM render
 * node) and h264_nvenc (NVIDIA). Same contract as x264: one access unit out
 * per frame in, no B-frames, IDR only when asked, headers in band. Each
 * open checks for the device first, so a host without one gets a reason a
 * person understands rather than a driver's error code.
 *
 * Not exercised on the development machine (it has neither device); see
 * docs/encoder.md for what was and was not verified.
 */
#include "enc_backend.h"

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavutil/hwcontext.h>
#include <libavutil/opt.h>
#include <libyuv/convert_from.h>
#include <libyuv/planar_functions.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NVIDIA_CTL "/dev/nvidiactl"

struct enc_backend {
	AVCodecContext *ctx;
	AVBufferRef *hwdev;
	AVFrame *sw;                /* our planes, in the encoder's layout */
	AVPacket *pkt;
	int vaapi;
	int64_t last_pts;
};

static const char *averr(int e, char *buf, size_t len)
{
	av_strerror(e, buf, len);
	return buf;
}

static void hw_close(struct enc_backend *b)
{
	avcodec_free_context(&b->ctx);
	av_buffer_unref(&b->hwdev);
	av_frame_free(&b->sw);
	av_packet_free(&b->pkt);
	free(b);
}

/* What both share: size, rate, colour, the cap, no B-frames. */
static void hw_common(AVCodecContext *c, const struct enc_params *p)
{
	c->width = (int)p->width;
	c->height = (int)p->height;
	c->time_base = (AVRational){ 1, 1000000 };
	c->framerate = (AVRational){ (int)p->fps, 1 };
	c->max_b_frames = 0;
	c->bit_rate = (int64_t)p->max_kbps * 1000 / 2;
	c->rc_max_rate = (int64_t)p->max_kbps * 1000;
	c->rc_buffer_size = (int)((int64_t)p->vbv_kbits * 1000 > INT_MAX ?
				  INT_MAX : (int64_t)p->vbv_kbits * 1000);
	c->colorspace = AVCOL_SPC_SMPTE170M;
	c->color_primaries = AVCOL_PRI_BT709;
	c->color_trc = AVCOL_TRC_IEC61966_2_1;
	c->color_range = p->color == ENC_COLOR_BT601_FULL ? AVCOL_RANGE_JPEG :
							     AVCOL_RANGE_MPEG;
}

static int hw_open(struct enc_backend **out, const struct enc_params *p,
		   int vaapi, char *err, size_t errlen)
{
	const char *name = vaapi ? "h264_vaapi" : "h264_nvenc";
	const char *dev = vaapi ? p->device : NVIDIA_CTL;
	const AVCodec *codec;
	struct enc_backend *b;
	char e[128];
	int r;

	if (access(dev, R_OK | W_OK) < 0) {
		snprintf(err, errlen, "%s: %s %s", vaapi ? "no VA-API device" :
			 "no NVIDIA GPU", dev, errno == ENOENT ? "missing" :
			 strerror(errno));
		return -1;
	}
	if (vaapi && p->intra_refresh) {
		snprintf(err, errlen, "h264_vaapi: intra refresh is not "
			 "supported (x264 and nvenc have it)");
		return -1;
	}
	codec = avcodec_find_encoder_by_name(name);
	if (!codec) {
		snprintf(err, errlen, "this libavcodec has no %s encoder", name);
		return -1;
	}
	b = calloc(1, sizeof(*b));
	if (!b || !(b->ctx = avcodec_alloc_context3(codec)) ||
	    !(b->pkt = av_packet_alloc()) || !(b->sw = av_frame_alloc())) {
		snprintf(err, errlen, "%s: out of memory", name);
		goto fail;
	}
	b->vaapi = vaapi;
	b->last_pts = INT64_MIN;
	hw_common(b->ctx, p);
	if (vaapi) {
		AVHWFramesContext *fc;

		r = av_hwdevice_ctx_create(&b->hwdev, AV_HWDEVICE_TYPE_VAAPI,
					   dev, NULL, 0);
		if (r < 0) {
			snprintf(err, errlen, "VA-API on %s: %s (no VA driver "
				 "for this GPU?)", dev, averr(r, e, sizeof(e)));
			goto fail;
		}
		b->ctx->hw_frames_ctx = av_hwframe_ctx_alloc(b->hwdev);
		if (!b->ctx->hw_frames_ctx) {
			snprintf(err, errlen, "%s: out of memory", name);
			goto fail;
		}
		fc = (AVHWFramesContext *)b->ctx->hw_frames_ctx->data;
		fc->format = AV_PIX_FMT_VAAPI;
		fc->sw_format = AV_PIX_FMT_NV12;
		fc->width = b->ctx->width;
		fc->height = b->ctx->height;
		r = av_hwframe_ctx_init(b->ctx->hw_frames_ctx);
		if (r < 0) {
			snprintf(err, errlen, "VA-API on %s: no %ux%u NV12 "
				 "surfaces: %s", dev, p->width, p->height,
				 averr(r, e, sizeof(e)));
			goto fail;
		}
		b->ctx->pix_fmt = AV_PIX_FMT_VAAPI;
		b->ctx->gop_size = INT_MAX / 2;
		av_opt_set_int(b->ctx->priv_data, "async_depth", 1, 0);
		b->sw->format = AV_PIX_FMT_NV12;
	} else {
		b->ctx->pix_fmt = AV_PIX_FMT_YUV420P;
		b->ctx->gop_size = p->intra_refresh ? (int)p->intra_refresh : -1;
		av_opt_set(b->ctx->priv_data, "preset", "p1", 0);
		av_opt_set(b->ctx->priv_data, "tune", "ull", 0);
		av_opt_set(b->ctx->priv_data, "rc", "vbr", 0);
		av_opt_set_int(b->ctx->priv_data, "cq", p->crf, 0);
		av_opt_set_int(b->ctx->priv_data, "zerolatency", 1, 0);
		av_opt_set_int(b->ctx->priv_data, "delay", 0, 0);
		av_opt_set_int(b->ctx->priv_data, "forced-idr", 1, 0);
		av_opt_set_int(b->ctx->priv_data, "intra-refresh",
			       p->intra_refresh > 0, 0);
		b->sw->format = AV_PIX_FMT_YUV420P;
	}
	r = avcodec_open2(b->ctx, codec, NULL);
	if (r < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", name,
			 averr(r, e, sizeof(e)));
		goto fail;
	}
	b->sw->width = b->ctx->width;
	b->sw->height = b->ctx->height;
	r = av_frame_get_buffer(b->sw, 0);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", name, averr(r, e, sizeof(e)));
		goto fail;
	}
	*out = b;
	return 0;
fail:
	if (b)
		hw_close(b);
	return -1;
}

static int vaapi_open(struct enc_backend **b, const struct enc_params *p,
		      char *err, size_t errlen)
{
	return hw_open(b, p, 1, err, errlen);
}

static int nvenc_open(struct enc_backend **b, const struct enc_params *p,
		      char *err, size_t errlen)
{
	return hw_open(b, p, 0, err, errlen);
}

static int hw_encode(struct enc_backend *b, const struct enc_planes *in,
		     int64_t time_us, int idr, struct enc_packet *out,
		     char *err, size_t errlen)
{
	AVFrame *f = b->sw, *hw = NULL;
	char e[128];
	int r;

	av_packet_unref(b->pkt);
	r = av_frame_make_writable(f);
	if (r < 0)
		goto fail;
	if (b->vaapi)
		I420ToNV12(in->y, (int)in->stride_y, in->u, (int)in->stride_uv,
			   in->v, (int)in->stride_uv, f->data[0], f->linesize[0],
			   f->data[1], f->linesize[1], (int)in->width,
			   (int)in->height);
	else
		I420Copy(in->y, (int)in->stride_y, in->u, (int)in->stride_uv,
			 in->v, (int)in->stride_uv, f->data[0], f->linesize[0],
			 f->data[1], f->linesize[1], f->data[2], f->linesize[2],
			 (int)in->width, (int)in->height);
	if (b->vaapi) {
		hw = av_frame_alloc();
		if (!hw) {
			r = AVERROR(ENOMEM);
			goto fail;
		}
		r = av_hwframe_get_buffer(b->ctx->hw_frames_ctx, hw, 0);
		if (r >= 0)
			r = av_hwframe_transfer_data(hw, f, 0);
		if (r < 0)
			goto fail;
		f = hw;
	}
	f->pts = time_us > b->last_pts ? time_us : b->last_pts + 1;
	b->last_pts = f->pts;
	f->pict_type = idr ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
	r = avcodec_send_frame(b->ctx, f);
	av_frame_free(&hw);
	if (r >= 0)
		r = avcodec_receive_packet(b->ctx, b->pkt);
	if (r == AVERROR(EAGAIN)) {
		snprintf(err, errlen, "%s held a frame back (the driver "
			 "ignores the low-latency settings)", b->ctx->codec->name);
		return -1;
	}
	if (r < 0)
		goto fail;
	out->data = b->pkt->data;
	out->len = (size_t)b->pkt->size;
	out->keyframe = (b->pkt->flags & AV_PKT_FLAG_KEY) != 0;
	out->qp = -1;
	return 0;
fail:
	av_frame_free(&hw);
	snprintf(err, errlen, "%s: %s", b->ctx->codec->name,
		 averr(r, e, sizeof(e)));
	return -1;
}

const struct enc_backend_ops enc_vaapi_ops = {
	.name = "vaapi",
	.open = vaapi_open,
	.encode = hw_encode,
	.close = hw_close,
};

const struct enc_backend_ops enc_nvenc_ops = {
	.name = "nvenc",
	.open = nvenc_open,
	.encode = hw_encode,
	.close = hw_close,
};
