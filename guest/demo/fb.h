/* SPDX-License-Identifier: MIT */
/*
 * Drawing on the 32-bit XRGB framebuffer. Everything clips to the screen,
 * so callers may pass any rectangle, and writes only the pixels asked for:
 * the host measures damage from dirty pages.
 */
#ifndef PORTHOLE_DEMO_FB_H
#define PORTHOLE_DEMO_FB_H

#include <stdbool.h>
#include <stdint.h>

#include "demo_layout.h"
#include "font.h"

struct rect {
	int64_t x, y, w, h;
};

/*
 * The pointer (demo_layout.h): a small arrow composed over everything
 * else. While it is shown, the fb functions below write the pixels it
 * covers into `under` instead of the screen, so nothing draws over it and
 * moving it restores exactly what the rest of the desktop looks like.
 */
struct cursor {
	bool shown;
	int64_t x, y;		/* the hot spot: the arrow's top-left tip */
	uint32_t under[DEMO_POINTER_H][DEMO_POINTER_W];
};

struct fb {
	uint8_t *base;		/* NULL when headless */
	uint32_t width, height;
	uint32_t stride;	/* bytes per row */
	struct cursor *cursor;	/* NULL: no pointer */
};

bool rect_empty(struct rect r);
struct rect rect_intersect(struct rect a, struct rect b);
/* The parts of a outside b: up to four rectangles, returns how many. */
int rect_subtract(struct rect a, struct rect b, struct rect out[4]);

void fb_fill(const struct fb *fb, struct rect r, uint32_t color);
/* demo_pattern_pixel(seed, x - r.x, y - r.y) at each (x, y) of r on screen. */
void fb_pattern(const struct fb *fb, struct rect r, uint32_t seed);

/* One cell of FONT_W x FONT_H scaled by `scale`, every pixel written:
 * fg where the glyph has ink, bg elsewhere; a box for FONT_NONE. */
void fb_glyph(const struct fb *fb, const struct font *font, int64_t x,
	      int64_t y, uint16_t glyph, int scale, uint32_t fg, uint32_t bg);

/* Show the pointer with its tip at (x, y), or move it there. */
void fb_cursor_move(const struct fb *fb, int64_t x, int64_t y);
void fb_cursor_hide(const struct fb *fb);

/* UTF-8 text in a row of cells; returns the number of cells drawn. */
int fb_text(const struct fb *fb, const struct font *font, int64_t x,
	    int64_t y, const char *s, int scale, uint32_t fg, uint32_t bg);

#endif
