/* SPDX-License-Identifier: MIT */
/*
 * The encoders behind enc.h (internal): x264 (enc_x264.c) and the hardware
 * ones through libavcodec (enc_hw.c). A backend turns the I420 planes into
 * one Annex B access unit per call, at once: no lookahead, no B-frames, no
 * frame held back, so pacing stays the caller's.
 */
#ifndef PORTHOLE_ENC_BACKEND_H
#define PORTHOLE_ENC_BACKEND_H

#include "enc.h"
#include "enc_convert.h"

/* The settings a backend sees: enc_config with the defaults filled in,
 * and the coded (even) size. */
struct enc_params {
	uint32_t width, height;     /* coded: the planes' size */
	uint32_t crop_w, crop_h;    /* the source */
	const char *preset, *device;
	int crf, threads;
	uint32_t max_kbps, vbv_kbits, fps, intra_refresh;
	enum enc_color color;
	void (*log)(void *opaque, const char *line);
	void *log_opaque;
};

struct enc_packet {
	const uint8_t *data;        /* valid until the next encode or close */
	size_t len;
	int keyframe;
	int qp;                     /* -1: unknown */
};

struct enc_backend;

struct enc_backend_ops {
	const char *name;
	/* 0; -1 with a reason a person can act on ("no VA-API device: ..."). */
	int (*open)(struct enc_backend **b, const struct enc_params *p,
		    char *err, size_t errlen);
	/* idr: this frame must be an IDR with SPS/PPS in front. */
	int (*encode)(struct enc_backend *b, const struct enc_planes *in,
		      int64_t time_us, int idr, struct enc_packet *out,
		      char *err, size_t errlen);
	void (*close)(struct enc_backend *b);
};

extern const struct enc_backend_ops enc_x264_ops;
extern const struct enc_backend_ops enc_vaapi_ops;
extern const struct enc_backend_ops enc_nvenc_ops;

void enc_logf(const struct enc_params *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
