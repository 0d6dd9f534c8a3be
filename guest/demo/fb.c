// SPDX-License-Identifier: MIT
#include "fb.h"

#include "lib.h"

/* What a glyph the font lacks looks like: an outlined box. */
static const uint8_t box_bits[FONT_H] = {
	0x00, 0x00, 0x7e, 0x42, 0x42, 0x42, 0x42, 0x42,
	0x42, 0x42, 0x42, 0x42, 0x42, 0x7e, 0x00, 0x00,
};

bool rect_empty(struct rect r)
{
	return r.w <= 0 || r.h <= 0;
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

struct rect rect_intersect(struct rect a, struct rect b)
{
	struct rect r;

	r.x = max64(a.x, b.x);
	r.y = max64(a.y, b.y);
	r.w = min64(a.x + a.w, b.x + b.w) - r.x;
	r.h = min64(a.y + a.h, b.y + b.h) - r.y;
	return r;
}

int rect_subtract(struct rect a, struct rect b, struct rect out[4])
{
	struct rect i = rect_intersect(a, b);
	int n = 0;

	if (rect_empty(a))
		return 0;
	if (rect_empty(i)) {
		out[0] = a;
		return 1;
	}
	/* Full-width bands above and below, then the sides of the middle. */
	out[n] = (struct rect){ a.x, a.y, a.w, i.y - a.y };
	n += !rect_empty(out[n]);
	out[n] = (struct rect){ a.x, i.y + i.h, a.w, a.y + a.h - i.y - i.h };
	n += !rect_empty(out[n]);
	out[n] = (struct rect){ a.x, i.y, i.x - a.x, i.h };
	n += !rect_empty(out[n]);
	out[n] = (struct rect){ i.x + i.w, i.y, a.x + a.w - i.x - i.w, i.h };
	n += !rect_empty(out[n]);
	return n;
}

static uint32_t *row_ptr(const struct fb *fb, int64_t y)
{
	return (uint32_t *)(fb->base + (uint64_t)y * fb->stride);
}

/* The arrow: 'X' edge, '.' inside, ' ' transparent. */
static const char cursor_shape[DEMO_POINTER_H][DEMO_POINTER_W + 1] = {
	"X          ",
	"XX         ",
	"X.X        ",
	"X..X       ",
	"X...X      ",
	"X....X     ",
	"X.....X    ",
	"X......X   ",
	"X.......X  ",
	"X........X ",
	"X.....XXXXX",
	"X..X..X    ",
	"X.X X..X   ",
	"XX  X..X   ",
	"X    X..X  ",
	"     XXXX  ",
};

/* Does the shown cursor cover part of row y between x0 and x1 (excl.)? */
static bool cursor_in_row(const struct fb *fb, int64_t y, int64_t x0,
			  int64_t x1)
{
	const struct cursor *c = fb->cursor;

	return c && c->shown && y >= c->y && y < c->y + DEMO_POINTER_H &&
	       x0 < c->x + DEMO_POINTER_W && c->x < x1;
}

/* Where pixel (x, y) lives: on the screen, or saved under the cursor. */
static uint32_t *pixel(const struct fb *fb, int64_t x, int64_t y)
{
	struct cursor *c = fb->cursor;
	int64_t cx = x - c->x, cy = y - c->y;

	if (cx >= 0 && cx < DEMO_POINTER_W && cy >= 0 && cy < DEMO_POINTER_H &&
	    cursor_shape[cy][cx] != ' ')
		return &c->under[cy][cx];
	return row_ptr(fb, y) + x;
}

/* Swap the cursor's pixels with the screen's: show (save, paint) or hide
 * (restore), only for the covered pixels that are on screen. */
static void cursor_paint(const struct fb *fb, bool show)
{
	struct cursor *c = fb->cursor;

	for (int cy = 0; cy < DEMO_POINTER_H; cy++) {
		int64_t y = c->y + cy;

		if (y < 0 || y >= fb->height)
			continue;
		for (int cx = 0; cx < DEMO_POINTER_W; cx++) {
			int64_t x = c->x + cx;
			char k = cursor_shape[cy][cx];
			uint32_t *p;

			if (k == ' ' || x < 0 || x >= fb->width)
				continue;
			p = row_ptr(fb, y) + x;
			if (show) {
				c->under[cy][cx] = *p;
				*p = k == 'X' ? DEMO_COLOR_POINTER_EDGE
					      : DEMO_COLOR_POINTER;
			} else {
				*p = c->under[cy][cx];
			}
		}
	}
}

void fb_cursor_hide(const struct fb *fb)
{
	if (!fb->base || !fb->cursor || !fb->cursor->shown)
		return;
	cursor_paint(fb, false);
	fb->cursor->shown = false;
}

void fb_cursor_move(const struct fb *fb, int64_t x, int64_t y)
{
	struct cursor *c = fb->cursor;

	if (!fb->base || !c || (c->shown && c->x == x && c->y == y))
		return;
	fb_cursor_hide(fb);
	c->x = x;
	c->y = y;
	cursor_paint(fb, true);
	c->shown = true;
}

void fb_fill(const struct fb *fb, struct rect r, uint32_t color)
{
	struct rect screen = { 0, 0, fb->width, fb->height };

	if (!fb->base)
		return;
	r = rect_intersect(r, screen);
	if (rect_empty(r))
		return;
	for (int64_t y = r.y; y < r.y + r.h; y++) {
		uint32_t *p = row_ptr(fb, y) + r.x;

		if (cursor_in_row(fb, y, r.x, r.x + r.w)) {
			for (int64_t x = r.x; x < r.x + r.w; x++)
				*pixel(fb, x, y) = color;
			continue;
		}
		for (int64_t x = 0; x < r.w; x++)
			p[x] = color;
	}
}

void fb_pattern(const struct fb *fb, struct rect r, uint32_t seed)
{
	struct rect screen = { 0, 0, fb->width, fb->height };
	struct rect c = rect_intersect(r, screen);

	if (!fb->base || rect_empty(c))
		return;
	for (int64_t y = c.y; y < c.y + c.h; y++) {
		uint32_t *p = row_ptr(fb, y);
		uint32_t j = (uint32_t)(y - r.y);
		bool covered = cursor_in_row(fb, y, c.x, c.x + c.w);

		for (int64_t x = c.x; x < c.x + c.w; x++) {
			uint32_t v = demo_pattern_pixel(seed, (uint32_t)(x - r.x), j);

			*(covered ? pixel(fb, x, y) : p + x) = v;
		}
	}
}

void fb_glyph(const struct fb *fb, const struct font *font, int64_t x,
	      int64_t y, uint16_t glyph, int scale, uint32_t fg, uint32_t bg)
{
	const uint8_t *bits = font_bits(font, glyph);
	struct rect screen = { 0, 0, fb->width, fb->height };
	struct rect cell = { x, y, FONT_W * scale, FONT_H * scale };
	struct rect r = rect_intersect(cell, screen);

	if (!fb->base || rect_empty(r))
		return;
	if (!bits)
		bits = box_bits;
	for (int64_t py = r.y; py < r.y + r.h; py++) {
		unsigned ink = bits[(py - y) / scale];
		uint32_t *p = row_ptr(fb, py);
		bool covered = cursor_in_row(fb, py, r.x, r.x + r.w);

		for (int64_t px = r.x; px < r.x + r.w; px++) {
			uint32_t c = ink & (0x80 >> ((px - x) / scale)) ? fg : bg;

			*(covered ? pixel(fb, px, py) : p + px) = c;
		}
	}
}

int fb_text(const struct fb *fb, const struct font *font, int64_t x,
	    int64_t y, const char *s, int scale, uint32_t fg, uint32_t bg)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + strlen(s);
	int n = 0;

	while (p < end) {
		uint16_t g = font_glyph(font, utf8_next(&p, end));

		fb_glyph(fb, font, x + (int64_t)n * FONT_W * scale, y, g, scale,
			 fg, bg);
		n++;
	}
	return n;
}
