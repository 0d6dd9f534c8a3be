/* SPDX-License-Identifier: MIT */
/*
 * Where a display's pixels come from: a porthole-vmm surface, or an
 * existing VM's VNC server (--source vnc:..., source_vnc.h). A source
 * writes into the display's own framebuffer and says what changed; the
 * display hands input back. Everything here runs on the display's main
 * thread (loop.h): a source that needs a thread of its own wakes the loop
 * with an fd.
 *
 * Frame pacing is the display's: it calls request_frame when it is ready
 * for more, and the source answers with damage() calls and one
 * frame_done(), as soon as it has something. Nothing is queued in between.
 */
#ifndef PORTHOLE_DISPLAY_SOURCE_H
#define PORTHOLE_DISPLAY_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "loop.h"

/* The display's framebuffer: 32-bit XRGB (0x00RRGGBB), owned by the display. */
struct source_fb {
	uint8_t *pixels;
	uint32_t width, height, stride;
};

struct source_rect {
	uint32_t x, y, w, h;
};

enum source_state {
	SOURCE_DISCONNECTED,  /* nothing to show; the source retries by itself */
	SOURCE_CONNECTED,     /* a mode follows (resize) before any damage */
	SOURCE_STOPPING,      /* the VM said it is going away */
};

/* The display, as a source sees it. */
struct source_sink {
	void *opaque;
	/* A new size: the display resizes its framebuffer and fills *fb. The
	 * contents are undefined until the source reports them as damage. */
	int (*resize)(void *opaque, uint32_t width, uint32_t height,
		      struct source_fb *fb);
	/* These rectangles of fb are new (already written, inside fb). */
	void (*damage)(void *opaque, const struct source_rect *r, size_t n);
	/* dst now holds what was at dst + (dx, dy) (already moved in fb):
	 * for sources that know about moves (VNC CopyRect). */
	void (*copy)(void *opaque, const struct source_rect *dst, int dx, int dy);
	/* The answer to the last request_frame is complete. */
	void (*frame_done)(void *opaque);
	/* Cursor image, premultiplied ARGB, w x h <= 128 x 128; w == 0 hides.
	 * argb is valid only during the call. */
	void (*cursor_shape)(void *opaque, uint32_t w, uint32_t h,
			     uint32_t hot_x, uint32_t hot_y, const uint32_t *argb);
	void (*cursor_pos)(void *opaque, int32_t x, int32_t y, int visible);
	void (*state)(void *opaque, enum source_state st, const char *why);
	void (*agent)(void *opaque, const uint8_t *buf, size_t len);
};

/* A key as the display's clients produced it. code is what a US-layout
 * guest needs (evdev KEY_*); keysym is the client's X keysym (0 when the
 * event is a modifier the display added for a US guest, see keymap.h);
 * xt is QEMU's XT scancode number when the client sent one, else 0.
 * A surface source uses code; a VNC source sends code as an XT scancode
 * (QEMU's key event) or, to other servers, the keysym. */
struct source_key {
	uint16_t code;
	uint8_t down;
	uint32_t keysym;
	uint32_t xt;
};

/* Pointer buttons (SURFACE_BTN_* values). */
#define SOURCE_BTN_LEFT   1
#define SOURCE_BTN_RIGHT  2
#define SOURCE_BTN_MIDDLE 4
#define SOURCE_BTN_SIDE   8
#define SOURCE_BTN_EXTRA  16

struct source;

struct source_ops {
	const char *kind;
	/* Begin connecting (non-blocking; failures are retried, reported
	 * through sink->state). -1 and err only for a bad configuration. */
	int (*start)(struct source *s, char *err, size_t errlen);
	void (*destroy)(struct source *s);
	/* The display is ready for a frame: answer with the damage since the
	 * previous one (full: everything) when there is some. */
	void (*request_frame)(struct source *s, int full);
	void (*key)(struct source *s, const struct source_key *k);
	/* Absolute position in framebuffer pixels (clamped by the caller). */
	void (*pointer)(struct source *s, uint32_t x, uint32_t y);
	void (*buttons)(struct source *s, uint32_t mask);
	void (*wheel)(struct source *s, int32_t v, int32_t h);
	void (*rel)(struct source *s, int32_t dx, int32_t dy);
	void (*agent)(struct source *s, const uint8_t *buf, size_t len);
};

struct source {
	const struct source_ops *ops;
	struct dloop *loop;
	const struct source_sink *sink;
	void *priv;
};

/*
 * "surface" (RUN_DIR/surface.sock), "surface:PATH", "vnc:PATH" or
 * "vnc:HOST:PORT". 0, or -1 with a message in err.
 */
int source_create(struct source *s, const char *spec, const char *run_dir,
		  struct dloop *loop, const struct source_sink *sink, char *err,
		  size_t errlen);
void source_destroy(struct source *s);

/* A surface pointer position: 0..32767 over size pixels, such that the
 * guest's own scaling (v * (size - 1) / 32767, as in demo_layout.h and
 * Linux's tablet handling) lands exactly on pixel p. */
static inline uint32_t source_abs_from_px(uint32_t p, uint32_t size)
{
	if (size <= 1)
		return 0;
	if (p >= size)
		p = size - 1;
	return (uint32_t)(((uint64_t)p * 32767 + size - 2) / (size - 1));
}

/* The implementations (source_surface.c; source_vnc.h has the other). */
int source_surface_init(struct source *s, const char *path, char *err,
			size_t errlen);

#endif
