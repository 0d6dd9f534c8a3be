// SPDX-License-Identifier: MIT
/*
 * The per-client encoder: damage bookkeeping, pacing and the choice of
 * backend. Pacing in one sentence: a frame is made only when something
 * changed (or a keyframe was asked for) and fewer than max_in_flight frames
 * are unacknowledged; otherwise enc_encode returns 0 at once and the damage
 * waits, so the next frame carries whatever the screen shows by then.
 */
#include "enc.h"

#include "enc_backend.h"
#include "enc_convert.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_CRF     23
#define DEFAULT_FPS     60
#define DEFAULT_VBV_MS  1000
#define MIN_KBPS        1000
/* A frame whose quantizer ended this far above the quality setting was cut
 * short by the cap (or by x264's rate control easing in after a change); a
 * still picture then gets up to ENC_REFINE_MAX more frames of the same
 * pixels, which x264 spends on sharpening it. */
#define REFINE_QP_MARGIN 2

struct enc {
	const struct enc_backend_ops *ops;
	struct enc_backend *be;
	struct enc_params p;
	struct enc_convert conv;
	char note[512];
	char device[256], preset[32];

	pthread_mutex_t lock;       /* guards what follows */
	struct enc_damage damage;   /* since the last frame */
	int want_idr;
	int refine;                 /* refinement frames still allowed */
	uint64_t sent, acked;       /* frame ids */
	uint32_t max_in_flight;     /* 0: no limit */
	struct enc_stats st;

	/* enc_encode's own (one caller at a time) */
	struct enc_damage cur;
	struct enc_rect rects[ENC_DAMAGE_MAX];
};

void enc_logf(const struct enc_params *p, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (p->log)
		p->log(p->log_opaque, line);
	else
		fprintf(stderr, "porthole-encoder: %s\n", line);
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int fill_params(struct enc *e, const struct enc_config *c, char *err,
		       size_t errlen)
{
	struct enc_params *p = &e->p;
	uint64_t kbps;

	if (!c->width || !c->height || c->width > ENC_MAX_DIM ||
	    c->height > ENC_MAX_DIM) {
		snprintf(err, errlen, "picture size %ux%u: must be 1..%u each",
			 c->width, c->height, ENC_MAX_DIM);
		return -1;
	}
	if (c->crf < 0 || c->crf > 51) {
		snprintf(err, errlen, "crf %d: must be 1..51", c->crf);
		return -1;
	}
	if (c->color != ENC_COLOR_BT601 && c->color != ENC_COLOR_BT601_FULL) {
		snprintf(err, errlen, "unknown colour setting %d", (int)c->color);
		return -1;
	}
	snprintf(e->preset, sizeof(e->preset), "%s",
		 c->preset ? c->preset : "ultrafast");
	snprintf(e->device, sizeof(e->device), "%s",
		 c->device ? c->device : "/dev/dri/renderD128");
	p->crop_w = c->width;
	p->crop_h = c->height;
	p->width = (c->width + 1) & ~1u;
	p->height = (c->height + 1) & ~1u;
	p->preset = e->preset;
	p->device = e->device;
	p->crf = c->crf ? c->crf : DEFAULT_CRF;
	p->threads = c->threads;
	p->fps = c->fps ? c->fps : DEFAULT_FPS;
	/* 0.1 bit per pixel per frame: 12 Mbit/s at 1080p60, plenty for a
	 * desktop, a ceiling for video played on it. */
	kbps = c->max_kbps ? c->max_kbps :
		(uint64_t)p->width * p->height * p->fps / 10000;
	kbps = kbps < MIN_KBPS ? MIN_KBPS : kbps;
	p->max_kbps = kbps > 1000000 ? 1000000 : (uint32_t)kbps;
	p->vbv_kbits = (uint32_t)((uint64_t)p->max_kbps *
		(c->vbv_ms ? c->vbv_ms : DEFAULT_VBV_MS) / 1000);
	if (!p->vbv_kbits)
		p->vbv_kbits = 1;
	p->intra_refresh = c->intra_refresh;
	p->color = c->color;
	p->log = c->log;
	p->log_opaque = c->log_opaque;
	return 0;
}

/* "auto": the first hardware encoder that opens, else x264, noting why. */
static int open_backend(struct enc *e, const char *want, char *err,
			size_t errlen)
{
	static const struct enc_backend_ops *const hw[] = {
		&enc_vaapi_ops, &enc_nvenc_ops,
	};
	const struct enc_backend_ops *all[] = {
		&enc_x264_ops, &enc_vaapi_ops, &enc_nvenc_ops,
	};
	size_t used = 0;
	char why[256];

	if (strcmp(want, "auto")) {
		for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
			if (strcmp(want, all[i]->name))
				continue;
			e->ops = all[i];
			return e->ops->open(&e->be, &e->p, err, errlen);
		}
		snprintf(err, errlen, "unknown encoder '%s' (auto, x264, "
			 "vaapi, nvenc)", want);
		return -1;
	}
	for (size_t i = 0; i < sizeof(hw) / sizeof(hw[0]); i++) {
		if (hw[i]->open(&e->be, &e->p, why, sizeof(why)) == 0) {
			e->ops = hw[i];
			return 0;
		}
		used += (size_t)snprintf(e->note + used, sizeof(e->note) - used,
					 "%s%s", used ? "; " : "auto: ", why);
		if (used >= sizeof(e->note))
			used = sizeof(e->note) - 1;
	}
	e->ops = &enc_x264_ops;
	if (e->ops->open(&e->be, &e->p, err, errlen) < 0)
		return -1;
	enc_logf(&e->p, "using x264, hardware not used: %s", e->note);
	return 0;
}

int enc_open(struct enc **out, const struct enc_config *cfg, char *err,
	     size_t errlen)
{
	struct enc *e = calloc(1, sizeof(*e));

	if (!e) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (fill_params(e, cfg, err, errlen) < 0)
		goto fail_free;
	if (enc_convert_init(&e->conv, cfg->width, cfg->height, cfg->color,
			     err, errlen) < 0)
		goto fail_free;
	if (open_backend(e, cfg->backend ? cfg->backend : "auto", err,
			 errlen) < 0)
		goto fail_conv;
	pthread_mutex_init(&e->lock, NULL);
	enc_damage_init(&e->damage, cfg->width, cfg->height);
	enc_damage_init(&e->cur, cfg->width, cfg->height);
	enc_damage_add_all(&e->damage);
	e->want_idr = 1;
	e->max_in_flight = cfg->max_in_flight ? cfg->max_in_flight : 1;
	*out = e;
	return 0;
fail_conv:
	enc_convert_free(&e->conv);
fail_free:
	free(e);
	return -1;
}

void enc_close(struct enc *e)
{
	if (!e)
		return;
	e->ops->close(e->be);
	enc_convert_free(&e->conv);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

const char *enc_backend_name(const struct enc *e)
{
	return e->ops->name;
}

const char *enc_backend_note(const struct enc *e)
{
	return e->note;
}

void enc_damage(struct enc *e, const struct enc_rect *r, size_t n)
{
	pthread_mutex_lock(&e->lock);
	for (size_t i = 0; i < n; i++)
		enc_damage_add(&e->damage, &r[i]);
	pthread_mutex_unlock(&e->lock);
}

void enc_damage_all(struct enc *e)
{
	pthread_mutex_lock(&e->lock);
	enc_damage_add_all(&e->damage);
	pthread_mutex_unlock(&e->lock);
}

void enc_request_keyframe(struct enc *e)
{
	pthread_mutex_lock(&e->lock);
	e->want_idr = 1;
	pthread_mutex_unlock(&e->lock);
}

void enc_frame_acked(struct enc *e, uint64_t id)
{
	pthread_mutex_lock(&e->lock);
	/* Acks of frames never sent, or older than one already had, change
	 * nothing: a confused client cannot open the gate wider. */
	if (id > e->acked && id <= e->sent)
		e->acked = id;
	pthread_mutex_unlock(&e->lock);
}

void enc_set_max_in_flight(struct enc *e, uint32_t n)
{
	pthread_mutex_lock(&e->lock);
	e->max_in_flight = n;
	pthread_mutex_unlock(&e->lock);
}

static int client_has_room(const struct enc *e)
{
	return !e->max_in_flight || e->sent - e->acked < e->max_in_flight;
}

int enc_wants_frame(struct enc *e)
{
	int r;

	pthread_mutex_lock(&e->lock);
	r = (e->want_idr || e->refine || !enc_damage_empty(&e->damage)) &&
	    client_has_room(e);
	pthread_mutex_unlock(&e->lock);
	return r;
}

/* Take the damage and the keyframe wish, or count why not; under lock. */
static int take_work(struct enc *e, int *idr)
{
	if (!e->want_idr && !e->refine && enc_damage_empty(&e->damage)) {
		e->st.idle++;
		return 0;
	}
	if (!client_has_room(e)) {
		e->st.held++;
		return 0;
	}
	e->cur = e->damage;
	enc_damage_clear(&e->damage);
	*idr = e->want_idr;
	e->want_idr = 0;
	return 1;
}

/* The encode failed: what it took is still to be sent. */
static void give_back(struct enc *e, int idr)
{
	pthread_mutex_lock(&e->lock);
	for (size_t i = 0; i < e->cur.n; i++)
		enc_damage_add(&e->damage, &e->cur.r[i]);
	e->want_idr |= idr;
	pthread_mutex_unlock(&e->lock);
}

int enc_encode(struct enc *e, const uint8_t *xrgb, uint32_t stride,
	       int64_t time_us, struct enc_frame *out, char *err,
	       size_t errlen)
{
	struct enc_packet pkt;
	uint64_t t0, t1, t2, px = 0;
	int idr = 0;

	if (stride < (uint64_t)e->p.crop_w * 4) {
		snprintf(err, errlen, "stride %u is less than a row of %u "
			 "pixels", stride, e->p.crop_w);
		return -1;
	}
	pthread_mutex_lock(&e->lock);
	if (!take_work(e, &idr)) {
		pthread_mutex_unlock(&e->lock);
		return 0;
	}
	pthread_mutex_unlock(&e->lock);

	t0 = now_ns();
	for (size_t i = 0; i < e->cur.n; i++) {
		enc_convert_rect(&e->conv, xrgb, stride, &e->cur.r[i]);
		px += (uint64_t)e->cur.r[i].w * e->cur.r[i].h;
	}
	t1 = now_ns();
	if (e->ops->encode(e->be, &e->conv.p, time_us, idr, &pkt, err,
			   errlen) < 0) {
		give_back(e, idr);
		return -1;
	}
	t2 = now_ns();

	memset(out, 0, sizeof(*out));
	out->data = pkt.data;
	out->len = pkt.len;
	out->time_us = time_us;
	out->keyframe = pkt.keyframe;
	out->qp = pkt.qp;
	out->width = e->p.crop_w;
	out->height = e->p.crop_h;
	out->coded_w = e->p.width;
	out->coded_h = e->p.height;
	if (pkt.keyframe || !e->cur.n) {    /* refinement sharpens it all */
		e->rects[0] = (struct enc_rect){ 0, 0, e->p.crop_w, e->p.crop_h };
		out->nrects = 1;
	} else {
		for (size_t i = 0; i < e->cur.n; i++)
			e->rects[i] = enc_rect_visible(&e->cur, &e->cur.r[i]);
		out->nrects = e->cur.n;
	}
	out->rects = e->rects;

	pthread_mutex_lock(&e->lock);
	/* Fresh damage starts a new allowance; each refinement uses one. */
	out->refine = !e->cur.n && !idr;
	if (pkt.qp < 0 || pkt.qp <= e->p.crf + REFINE_QP_MARGIN)
		e->refine = 0;
	else if (!out->refine)
		e->refine = ENC_REFINE_MAX;
	else
		e->refine--;
	e->st.refines += out->refine;
	out->id = ++e->sent;
	e->st.frames++;
	e->st.keyframes += pkt.keyframe != 0;
	e->st.bytes += pkt.len;
	e->st.px_converted += px;
	e->st.convert_ns += t1 - t0;
	e->st.encode_ns += t2 - t1;
	pthread_mutex_unlock(&e->lock);
	return 1;
}

void enc_get_stats(struct enc *e, struct enc_stats *st)
{
	pthread_mutex_lock(&e->lock);
	*st = e->st;
	pthread_mutex_unlock(&e->lock);
}
