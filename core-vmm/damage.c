// SPDX-License-Identifier: MIT
#include "damage.h"

#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE 4096u
#define NCOLS     64u

int damage_init(struct damage *d, uint32_t width, uint32_t height,
		uint32_t stride)
{
	memset(d, 0, sizeof(*d));
	if (!width || !height || stride / 4 < width)
		return -1;
	d->width = width;
	d->height = height;
	d->stride = stride;
	d->npages = ((uint64_t)stride * height + PAGE_SIZE - 1) / PAGE_SIZE;
	d->row_cols = calloc(height, sizeof(*d->row_cols));
	return d->row_cols ? 0 : -1;
}

void damage_destroy(struct damage *d)
{
	free(d->row_cols);
	d->row_cols = NULL;
}

static uint32_t col_width(const struct damage *d)
{
	return (d->width + NCOLS - 1) / NCOLS;
}

/* Bits for columns covering pixels [x0, x1) of a row. */
static uint64_t cols_mask(const struct damage *d, uint32_t x0, uint32_t x1)
{
	uint32_t cw = col_width(d);
	uint32_t c0 = x0 / cw, c1 = (x1 - 1) / cw;
	uint64_t hi = c1 == 63 ? ~0ULL : (2ULL << c1) - 1;

	return hi & ~((1ULL << c0) - 1);
}

/* Mark the pixels of page p; updates the touched row range. */
static void mark_page(struct damage *d, size_t p, uint32_t *ymin,
		      uint32_t *ymax)
{
	uint64_t start = (uint64_t)p * PAGE_SIZE;
	uint64_t end = start + PAGE_SIZE;
	uint64_t limit = (uint64_t)d->stride * d->height;
	uint32_t y, y_last;

	if (end > limit)
		end = limit;
	y = start / d->stride;
	y_last = (end - 1) / d->stride;
	for (; y <= y_last; y++) {
		uint64_t row = (uint64_t)y * d->stride;
		uint64_t a = start > row ? start - row : 0;
		uint64_t b = end - row;
		uint32_t x0, x1;

		if (b > (uint64_t)d->width * 4)
			b = (uint64_t)d->width * 4;
		if (a >= b)
			continue; /* only the padding beyond width */
		x0 = a / 4;
		x1 = (b + 3) / 4;
		d->row_cols[y] |= cols_mask(d, x0, x1);
		if (y < *ymin)
			*ymin = y;
		if (y > *ymax)
			*ymax = y;
	}
}

static void emit_band(const struct damage *d, uint64_t mask, uint32_t y,
		      uint32_t h, struct fb_rect *out, int max, int *n,
		      int *overflow)
{
	uint32_t cw = col_width(d);

	while (mask) {
		uint32_t c0 = __builtin_ctzll(mask);
		uint64_t rest = mask >> c0;
		uint32_t run = ~rest ? (uint32_t)__builtin_ctzll(~rest) : 64 - c0;
		uint32_t x = c0 * cw;
		uint32_t x_end = (c0 + run) * cw;

		if (x_end > d->width)
			x_end = d->width;
		if (*n == max) {
			*overflow = 1;
			return;
		}
		out[(*n)++] = (struct fb_rect){ x, y, x_end - x, h };
		mask = run + c0 >= 64 ? 0 : mask & ~(((1ULL << run) - 1) << c0);
	}
}

int damage_from_bitmap(struct damage *d, const uint64_t *bitmap,
		       struct fb_rect *out, int max)
{
	size_t words = (d->npages + 63) / 64;
	uint32_t ymin = UINT32_MAX, ymax = 0;
	uint64_t all_cols = 0;
	int n = 0, overflow = 0;

	for (size_t w = 0; w < words; w++) {
		uint64_t bits = bitmap[w];

		while (bits) {
			size_t p = w * 64 + __builtin_ctzll(bits);
			bits &= bits - 1;
			if (p < d->npages)
				mark_page(d, p, &ymin, &ymax);
		}
	}
	if (ymin == UINT32_MAX)
		return 0; /* idle: nothing was written */

	for (uint32_t y = ymin; y <= ymax;) {
		uint64_t mask = d->row_cols[y];
		uint32_t h = 1;

		while (y + h <= ymax && d->row_cols[y + h] == mask)
			h++;
		all_cols |= mask;
		if (mask && !overflow)
			emit_band(d, mask, y, h, out, max, &n, &overflow);
		y += h;
	}
	/* Clear only what was touched, so an idle call costs nothing. */
	memset(d->row_cols + ymin, 0,
	       (size_t)(ymax - ymin + 1) * sizeof(*d->row_cols));
	if (overflow) {
		/* A list cut short would lose damage: cover it all instead. */
		uint32_t cw = col_width(d);
		uint32_t x0 = __builtin_ctzll(all_cols) * cw;
		uint32_t x1 = (64 - __builtin_clzll(all_cols)) * cw;

		if (x1 > d->width)
			x1 = d->width;
		out[0] = (struct fb_rect){ x0, ymin, x1 - x0, ymax - ymin + 1 };
		return 1;
	}
	return n;
}
