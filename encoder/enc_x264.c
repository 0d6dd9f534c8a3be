// SPDX-License-Identifier: MIT
/*
 * The software encoder: libx264 set for latency (docs/encoder.md, "x264
 * settings"). Every setting here is there for one of three reasons: a frame
 * comes out of the call that took it in (zerolatency: no lookahead, no
 * B-frames, sliced threads instead of frame threads), nothing is sent that
 * the screen did not ask for (no periodic or scene-cut keyframes), and a
 * decoder can start at any IDR (headers repeated in front of each).
 */
#include "enc_backend.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <x264.h>

struct enc_backend {
	x264_t *h;
	struct enc_params p;
	int64_t last_pts;
};

static void x264_log(void *opaque, int level, const char *fmt, va_list ap)
{
	const struct enc_params *p = opaque;
	char line[256];
	int n;

	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n > 0 && (size_t)n < sizeof(line) && line[n - 1] == '\n')
		line[n - 1] = 0;
	enc_logf(p, "x264: %s", line);
}

static int x264_setup(x264_param_t *x, const struct enc_params *p,
		      char *err, size_t errlen)
{
	if (x264_param_default_preset(x, p->preset, "zerolatency") < 0) {
		snprintf(err, errlen, "x264: unknown preset '%s' (try "
			 "ultrafast or superfast)", p->preset);
		return -1;
	}
	x->i_width = (int)p->width;
	x->i_height = (int)p->height;
	x->i_csp = X264_CSP_I420;
	x->i_log_level = X264_LOG_WARNING;
	x->pf_log = x264_log;
	x->p_log_private = (void *)p;

	x->i_threads = p->threads > 0 ? p->threads : X264_THREADS_AUTO;
	x->b_sliced_threads = 1;

	/* Constant-rate timing, though frames come only when the screen
	 * changes: x264's variable-rate mode holds every frame back until
	 * the next one arrives (to learn its duration). So the cap is
	 * planned per frame at fps, and a screen that changes less often
	 * stays further below it. */
	x->b_vfr_input = 0;
	x->i_timebase_num = 1;
	x->i_timebase_den = 1000000;
	x->i_fps_num = p->fps;
	x->i_fps_den = 1;

	/* Keyframes only when asked for (enc_request_keyframe): a desktop
	 * switching windows is not a scene cut worth an IDR's burst. */
	x->i_keyint_max = X264_KEYINT_MAX_INFINITE;
	x->i_scenecut_threshold = 0;
	if (p->intra_refresh) {
		x->b_intra_refresh = 1;
		x->i_keyint_max = (int)p->intra_refresh;
	}

	x->rc.i_rc_method = X264_RC_CRF;
	x->rc.f_rf_constant = (float)p->crf;
	x->rc.i_vbv_max_bitrate = (int)p->max_kbps;
	x->rc.i_vbv_buffer_size = (int)p->vbv_kbits;

	x->b_repeat_headers = 1;
	x->b_annexb = 1;

	/* Say what the conversion did: BT.601 matrix, sRGB primaries and
	 * transfer (the desktop's). */
	x->vui.i_colmatrix = 6;
	x->vui.i_colorprim = 1;
	x->vui.i_transfer = 13;
	x->vui.b_fullrange = p->color == ENC_COLOR_BT601_FULL;
	return 0;
}

static int x264_open(struct enc_backend **out, const struct enc_params *p,
		     char *err, size_t errlen)
{
	struct enc_backend *b = calloc(1, sizeof(*b));
	x264_param_t x;

	if (!b) {
		snprintf(err, errlen, "x264: out of memory");
		return -1;
	}
	b->p = *p;
	b->last_pts = INT64_MIN;
	/* The log callback keeps a pointer: give it the copy that lives. */
	if (x264_setup(&x, &b->p, err, errlen) < 0)
		goto fail;
	b->h = x264_encoder_open(&x);
	if (!b->h) {
		snprintf(err, errlen, "x264: cannot open an encoder for %ux%u "
			 "(preset %s; see x264's message above)", p->width,
			 p->height, p->preset);
		goto fail;
	}
	*out = b;
	return 0;
fail:
	free(b);
	return -1;
}

static int x264_enc(struct enc_backend *b, const struct enc_planes *in,
		    int64_t time_us, int idr, struct enc_packet *out,
		    char *err, size_t errlen)
{
	x264_picture_t pic, pout;
	x264_nal_t *nal;
	int nnal, n;

	x264_picture_init(&pic);
	pic.img.i_csp = X264_CSP_I420;
	pic.img.i_plane = 3;
	pic.img.plane[0] = in->y;
	pic.img.plane[1] = in->u;
	pic.img.plane[2] = in->v;
	pic.img.i_stride[0] = (int)in->stride_y;
	pic.img.i_stride[1] = (int)in->stride_uv;
	pic.img.i_stride[2] = (int)in->stride_uv;
	/* x264 needs increasing timestamps; a caller's clock may repeat. */
	pic.i_pts = time_us > b->last_pts ? time_us : b->last_pts + 1;
	b->last_pts = pic.i_pts;
	pic.i_type = idr ? X264_TYPE_IDR : X264_TYPE_AUTO;

	n = x264_encoder_encode(b->h, &nal, &nnal, &pic, &pout);
	if (n < 0) {
		snprintf(err, errlen, "x264: encoding failed");
		return -1;
	}
	if (n == 0 || nnal <= 0) {
		/* zerolatency never holds a frame back; if it ever did, the
		 * caller's pacing would be wrong, so say so loudly. */
		snprintf(err, errlen, "x264: no output for a frame (delayed "
			 "frames: %d)", x264_encoder_delayed_frames(b->h));
		return -1;
	}
	/* x264 lays a frame's NAL units out back to back. */
	out->data = nal[0].p_payload;
	out->len = (size_t)n;
	out->keyframe = pout.i_type == X264_TYPE_IDR;
	out->qp = pout.i_qpplus1 - 1;
	return 0;
}

static void x264_close(struct enc_backend *b)
{
	if (b->h)
		x264_encoder_close(b->h);
	free(b);
}

const struct enc_backend_ops enc_x264_ops = {
	.name = "x264",
	.open = x264_open,
	.encode = x264_enc,
	.close = x264_close,
};
