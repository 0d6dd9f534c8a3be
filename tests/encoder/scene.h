/* SPDX-License-Identifier: MIT */
/*
 * Synthetic desktop pictures for the encoder's tests and benchmark: a
 * desktop with a window full of text-like glyphs (sharp one-pixel strokes,
 * the hard case for 4:2:0 video), and changes that look like use: typing,
 * a scrolling terminal, a moving block, full-screen motion. Deterministic:
 * the same frame number draws the same picture.
 */
#ifndef PORTHOLE_TEST_ENC_SCENE_H
#define PORTHOLE_TEST_ENC_SCENE_H

#include <stddef.h>
#include <stdint.h>

#include "enc_damage.h"

enum scene_kind {
	SCENE_TYPING,   /* one glyph typed per frame */
	SCENE_SCROLL,   /* a terminal scrolling 4 rows of pixels a frame */
	SCENE_BLOCK,    /* a 64x64 block moving over the desktop */
	SCENE_MOTION,   /* the whole screen moving (video, a game) */
};

struct scene {
	uint32_t w, h, stride;      /* stride in bytes */
	uint8_t *fb;                /* XRGB8888, what an encoder reads */
	uint8_t *base;              /* the desktop without changes */
	struct enc_rect window, text, term, block;
};

#define SCENE_MIN_W 256    /* smaller pictures get the wallpaper only, */
#define SCENE_MIN_H 192    /* and no scene_step */

/* 0, or -1 when out of memory. Draws the desktop (all of it is new). */
int scene_init(struct scene *s, uint32_t w, uint32_t h);
void scene_free(struct scene *s);

/* Draw frame k (k >= 1) of kind over the picture; the damage goes to out
 * (at most 2 rectangles). Returns how many. */
size_t scene_step(struct scene *s, enum scene_kind kind, uint32_t k,
		  struct enc_rect *out);

const char *scene_name(enum scene_kind kind);

#endif
