/* SPDX-License-Identifier: MIT */
/*
 * Turning a framebuffer's dirty-page bitmap into a short list of rectangles.
 *
 * Each dirty 4 KiB page marks the pixels it holds. Rows are divided into 64
 * columns; a row's dirty pixels set column bits, rows with the same bits form
 * a band, and each run of set bits in a band is one rectangle. So disjoint
 * changes in the same rows stay apart, and with a page-aligned stride (what
 * the monitor chooses) a change repeats the same columns on every row and
 * merges into one rectangle per region.
 *
 * Bound: every changed pixel is covered. A reported pixel is either on a
 * dirty page, or within one column width (ceil(width/64) px) to the side of
 * one; with more than `max` rectangles the result is their bounding box.
 */
#ifndef PORTHOLE_VMM_DAMAGE_H
#define PORTHOLE_VMM_DAMAGE_H

#include <stddef.h>
#include <stdint.h>

struct fb_rect {
	uint32_t x, y, w, h;
};

struct damage {
	uint32_t width, height, stride; /* pixels, pixels, bytes (4 B/pixel) */
	size_t npages;
	uint64_t *row_cols; /* one column mask per row, zero between calls */
};

/* 0, or -1 if the geometry is impossible (stride < 4*width, etc.). */
int damage_init(struct damage *d, uint32_t width, uint32_t height,
		uint32_t stride);
void damage_destroy(struct damage *d);

/* Rectangles for the pages set in bitmap (npages bits); returns the count
 * (0..max, max >= 1). */
int damage_from_bitmap(struct damage *d, const uint64_t *bitmap,
		       struct fb_rect *out, int max);

#endif
