/* SPDX-License-Identifier: MIT */
/*
 * One H.264 encoder per client (docs/encoder.md). The caller owns the
 * picture (32-bit XRGB, 0x00RRGGBB, as the display keeps it) and reports
 * what changed in it; the encoder keeps its own I420 copy, converts only
 * the damaged parts, and encodes only when something changed and the
 * client has acknowledged enough of what it was sent. In between, damage
 * accumulates and the pixels at the next encode win: frames the client
 * could not take are never made, never queued.
 *
 * Threads: enc_damage*, enc_request_keyframe, enc_frame_acked,
 * enc_set_max_in_flight, enc_wants_frame and enc_get_stats may be called
 * from any thread; enc_encode from one thread at a time. The pixels are
 * read only inside enc_encode.
 */
#ifndef PORTHOLE_ENC_H
#define PORTHOLE_ENC_H

#include <stddef.h>
#include <stdint.h>

#include "enc_damage.h"

#define ENC_MAX_DIM 8192
#define ENC_REFINE_MAX 10   /* refinement frames after the last change */

enum enc_color {
	/* BT.601, limited range (16..235): what H.264 decoders assume, and
	 * what the stream's VUI says. */
	ENC_COLOR_BT601 = 0,
	/* BT.601, full range: for RDP AVC420, whose clients convert the
	 * decoded picture as full range whatever the VUI says. */
	ENC_COLOR_BT601_FULL,
};

/* Zero means "the default" for every field. */
struct enc_config {
	uint32_t width, height;     /* the source, 1..ENC_MAX_DIM */
	const char *backend;        /* "auto" (NULL), "x264", "vaapi", "nvenc" */
	const char *device;         /* VA-API render node (/dev/dri/renderD128) */
	const char *preset;         /* x264: "ultrafast" (default), "superfast" */
	int crf;                    /* quality, 1..51 (23); lower is better */
	uint32_t max_kbps;          /* bitrate cap (0.1 bit per pixel per
				     * frame at fps, at least 1000) */
	uint32_t vbv_ms;            /* burst the cap allows, in ms at max_kbps
				     * (1000: a sharp keyframe) */
	uint32_t fps;               /* the rate to plan bits for (60) */
	uint32_t max_in_flight;     /* frames sent and not yet acked: 1 or 2 (1) */
	/* Periodic intra refresh: a column of intra blocks sweeps the picture
	 * every intra_refresh frames, so a decoder that lost a frame recovers
	 * without an IDR's burst. 0: off (recovery is enc_request_keyframe). */
	uint32_t intra_refresh;
	int threads;                /* x264's sliced threads (0: x264 decides) */
	enum enc_color color;
	/* Where log lines go (no newline); NULL: stderr. */
	void (*log)(void *opaque, const char *line);
	void *log_opaque;
};

/* One encoded picture. Pointers stay valid until the next enc_encode. */
struct enc_frame {
	const uint8_t *data;        /* Annex B NAL units */
	size_t len;
	uint64_t id;                /* 1, 2, ...: acknowledge with this */
	int64_t time_us;            /* as given to enc_encode */
	int keyframe;               /* IDR with SPS and PPS: a fresh decoder
				     * can start here */
	int refine;                 /* the same picture, sharper (see
				     * docs/encoder.md, "Refinement") */
	int qp;                     /* the frame's quantizer (-1: unknown) */
	/* The picture the decoder outputs is coded_w x coded_h (the source
	 * rounded up to even: H.264 4:2:0 cannot say odd sizes); the
	 * source's width x height at its top left is what to show. */
	uint32_t width, height, coded_w, coded_h;
	/* Where the picture changed since the previous frame (the whole
	 * picture for a keyframe), inside width x height. */
	const struct enc_rect *rects;
	size_t nrects;
};

struct enc_stats {
	uint64_t frames, keyframes, bytes;
	uint64_t idle;              /* enc_encode calls with nothing to send */
	uint64_t held;              /* calls with damage while the client was
				     * behind: the damage waited */
	uint64_t refines;           /* frames that only sharpened a still
				     * picture the cap had cut short */
	uint64_t px_converted;      /* source pixels converted to I420 */
	uint64_t convert_ns, encode_ns;   /* time spent in each, all frames */
};

struct enc;

/*
 * Open an encoder. With backend "auto" a hardware encoder is used where
 * the host has one that opens, else x264, and the reason hardware was not
 * used is logged (and kept: enc_backend_note). Naming one backend gets
 * that one or an error saying why not. 0, or -1 with err.
 */
int enc_open(struct enc **out, const struct enc_config *cfg, char *err,
	     size_t errlen);
void enc_close(struct enc *e);

const char *enc_backend_name(const struct enc *e);   /* "x264", "vaapi" ... */
/* Why this backend ("auto: no VA-API device: ..."), "" when named. */
const char *enc_backend_note(const struct enc *e);

/* These source rectangles changed (clipped to the source). */
void enc_damage(struct enc *e, const struct enc_rect *r, size_t n);
void enc_damage_all(struct enc *e);

/* The next frame is an IDR (a client joined, or its decoder is lost). */
void enc_request_keyframe(struct enc *e);

/* The client has decoded frame id (and all before it). */
void enc_frame_acked(struct enc *e, uint64_t id);
/* Change the limit; 0: none (a client that does not acknowledge). */
void enc_set_max_in_flight(struct enc *e, uint32_t n);

/* Would enc_encode produce a frame now? (Damage, a keyframe request or a
 * refinement due, and room at the client.) Call enc_encode again after
 * each frame, ack or damage while this says so. */
int enc_wants_frame(struct enc *e);

/*
 * Encode the source (xrgb, stride bytes a row, the configured size) if
 * something changed since the last frame and the client has room.
 * time_us: when the picture was taken, increasing. Returns 1 with *out
 * filled, 0 when there was nothing to do (unchanged, or the client is
 * behind: the damage is kept), -1 with err.
 */
int enc_encode(struct enc *e, const uint8_t *xrgb, uint32_t stride,
	       int64_t time_us, struct enc_frame *out, char *err,
	       size_t errlen);

void enc_get_stats(struct enc *e, struct enc_stats *st);

#endif
