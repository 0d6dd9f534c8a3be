// SPDX-License-Identifier: MIT
#include "scene.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DESKTOP   0x2a6f8fu
#define TASKBAR   0x202428u
#define TITLE     0x3465a4u
#define PAPER     0xffffffu
#define INK       0x1e1e1eu
#define TERM_BG   0x101010u
#define TERM_INK  0x8ae234u
#define BLOCK     0xe9b96eu
#define BAR_H     32u
#define TITLE_H   24u

static uint32_t hash(uint32_t v)
{
	v ^= v >> 16;
	v *= 0x7feb352du;
	v ^= v >> 15;
	v *= 0x846ca68bu;
	return v ^ (v >> 16);
}

/* An 8x16 text cell: nine strokes of a segment font, chosen by code;
 * about one cell in seven is a space between words. */
static int glyph_px(uint32_t code, uint32_t gx, uint32_t gy)
{
	uint32_t m = hash(code);

	if (m % 7 == 0 || gx < 1 || gx > 6 || gy < 2 || gy > 14)
		return 0;
	m = (m >> 3) | 0x3;
	return ((m & 0x001) && gy == 2) || ((m & 0x002) && gy == 8) ||
	       ((m & 0x004) && gy == 14) ||
	       ((m & 0x008) && gx == 1 && gy <= 8) ||
	       ((m & 0x010) && gx == 1 && gy >= 8) ||
	       ((m & 0x020) && gx == 6 && gy <= 8) ||
	       ((m & 0x040) && gx == 6 && gy >= 8) ||
	       ((m & 0x080) && (gx == 3 || gx == 4) && gy >= 4) ||
	       ((m & 0x100) && gx == 1 + (14 - gy) * 5 / 12);
}

static uint32_t *px(const struct scene *s, uint8_t *buf, uint32_t x, uint32_t y)
{
	return (uint32_t *)(buf + (size_t)y * s->stride) + x;
}

static void fill(const struct scene *s, uint8_t *buf, const struct enc_rect *r,
		 uint32_t c)
{
	for (uint32_t y = r->y; y < r->y + r->h; y++)
		for (uint32_t x = r->x; x < r->x + r->w; x++)
			*px(s, buf, x, y) = c;
}

/* Text lines first_line... in r, scrolled up by off pixel rows; salt picks
 * the text. */
static void text(const struct scene *s, uint8_t *buf, const struct enc_rect *r,
		 uint32_t off, uint32_t salt, uint32_t fg, uint32_t bg)
{
	for (uint32_t y = 0; y < r->h; y++) {
		uint32_t line = (y + off) / 16, gy = (y + off) % 16;
		uint32_t *row = px(s, buf, r->x, r->y + y);

		for (uint32_t x = 0; x < r->w; x++) {
			uint32_t code = salt + line * 997 + x / 8;

			row[x] = glyph_px(code, x % 8, gy) ? fg : bg;
		}
	}
}

int scene_init(struct scene *s, uint32_t w, uint32_t h)
{
	size_t sz;
	struct enc_rect all = { 0, 0, w, h };

	memset(s, 0, sizeof(*s));
	s->w = w;
	s->h = h;
	s->stride = (w * 4 + 63) & ~63u;
	sz = (size_t)s->stride * h;
	s->fb = malloc(sz);
	s->base = malloc(sz);
	if (!s->fb || !s->base) {
		scene_free(s);
		return -1;
	}
	s->window = (struct enc_rect){ w / 16, h / 12, w * 5 / 8, h * 2 / 3 };
	s->text = (struct enc_rect){ s->window.x + 8, s->window.y + TITLE_H + 8,
				     (s->window.w - 16) & ~7u,
				     (s->window.h - TITLE_H - 16) & ~15u };
	s->term = (struct enc_rect){ w * 11 / 16, h / 12, (w / 4) & ~7u, h / 2 };
	s->block = (struct enc_rect){ 0, h - BAR_H - 80, 64, 64 };

	fill(s, s->base, &all, DESKTOP);
	for (uint32_t y = 0; y < h; y++)   /* a wallpaper's gentle gradient */
		for (uint32_t x = 0; x < w; x++)
			*px(s, s->base, x, y) += (y * 24 / h) << 8;
	if (w < SCENE_MIN_W || h < SCENE_MIN_H) {   /* just a wallpaper */
		memcpy(s->fb, s->base, sz);
		return 0;
	}
	fill(s, s->base, &(struct enc_rect){ 0, h - BAR_H, w, BAR_H }, TASKBAR);
	fill(s, s->base, &s->window, PAPER);
	fill(s, s->base, &(struct enc_rect){ s->window.x, s->window.y,
					     s->window.w, TITLE_H }, TITLE);
	/* The upper half of the page is written; typing continues below. */
	text(s, s->base, &(struct enc_rect){ s->text.x, s->text.y, s->text.w,
					     s->text.h / 32 * 16 }, 0, 1, INK, PAPER);
	text(s, s->base, &s->term, 0, 2, TERM_INK, TERM_BG);
	memcpy(s->fb, s->base, sz);
	return 0;
}

void scene_free(struct scene *s)
{
	free(s->fb);
	free(s->base);
	s->fb = s->base = NULL;
}

static size_t typing(struct scene *s, uint32_t k, struct enc_rect *out)
{
	uint32_t cols = s->text.w / 8, lines = s->text.h / 16;
	uint32_t start = lines / 2, n = k - 1;
	uint32_t line = (start + n / cols) % lines, col = n % cols;
	struct enc_rect cell = { s->text.x + col * 8, s->text.y + line * 16, 8, 16 };

	/* The glyph that belongs there in the "written" text's style. */
	for (uint32_t y = 0; y < 16; y++)
		for (uint32_t x = 0; x < 8; x++)
			*px(s, s->fb, cell.x + x, cell.y + y) =
				glyph_px(1 + line * 997 + col + k * 31, x, y) ?
				INK : PAPER;
	out[0] = cell;
	return 1;
}

static size_t block(struct scene *s, uint32_t k, struct enc_rect *out)
{
	struct enc_rect old = s->block;
	uint32_t span = s->w > 64 ? s->w - 64 : 1;

	for (uint32_t y = old.y; y < old.y + old.h; y++)
		memcpy(px(s, s->fb, old.x, y), px(s, s->base, old.x, y), old.w * 4);
	s->block.x = (k * 13) % span;
	fill(s, s->fb, &s->block, BLOCK);
	/* A face on the block, so motion search has something to find. */
	fill(s, s->fb, &(struct enc_rect){ s->block.x + 16, s->block.y + 16,
					   8, 8 }, INK);
	fill(s, s->fb, &(struct enc_rect){ s->block.x + 40, s->block.y + 16,
					   8, 8 }, INK);
	fill(s, s->fb, &(struct enc_rect){ s->block.x + 16, s->block.y + 44,
					   32, 4 }, INK);
	out[0] = old;
	out[1] = s->block;
	return 2;
}

/* Smooth moving colour fields with detail, like video or a game. */
static size_t motion(struct scene *s, uint32_t k, struct enc_rect *out)
{
	uint8_t wave[256];

	for (int i = 0; i < 256; i++)
		wave[i] = (uint8_t)(127.5 + 127.5 * sin(i * M_PI / 128));
	for (uint32_t y = 0; y < s->h; y++) {
		uint32_t *row = px(s, s->fb, 0, y);
		uint8_t a = wave[(y * 2 + k * 3) & 255];

		for (uint32_t x = 0; x < s->w; x++) {
			uint32_t r = (wave[(x + k * 4) & 255] + a) / 2;
			uint32_t g = wave[((x + y) / 2 + k * 5) & 255];
			uint32_t b = (wave[(x / 3 + y / 2 + k * 2) & 255] +
				      (hash(x / 4 + y / 4 * 977 + k / 8) & 63)) * 3 / 4;

			row[x] = r << 16 | g << 8 | b;
		}
	}
	out[0] = (struct enc_rect){ 0, 0, s->w, s->h };
	return 1;
}

size_t scene_step(struct scene *s, enum scene_kind kind, uint32_t k,
		  struct enc_rect *out)
{
	switch (kind) {
	case SCENE_TYPING:
		return typing(s, k, out);
	case SCENE_SCROLL:
		text(s, s->fb, &s->term, k * 4, 2, TERM_INK, TERM_BG);
		out[0] = s->term;
		return 1;
	case SCENE_BLOCK:
		return block(s, k, out);
	case SCENE_MOTION:
		return motion(s, k, out);
	}
	return 0;
}

const char *scene_name(enum scene_kind kind)
{
	static const char *const names[] = { "typing", "scrolling",
					     "moving block", "full motion" };

	return (unsigned)kind < 4 ? names[kind] : "?";
}
