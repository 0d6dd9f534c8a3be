/* SPDX-License-Identifier: MIT */
/*
 * The console font: a PSF1 or PSF2 file (Debian's Terminus 8x16, embedded
 * by font_data.S) parsed at run time. The layout contract draws text in
 * 8x16 cells, so other sizes are refused and every glyph becomes a box.
 */
#ifndef PORTHOLE_DEMO_FONT_H
#define PORTHOLE_DEMO_FONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "demo_layout.h"
#include "lib.h"

#define FONT_W		DEMO_FONT_W
#define FONT_H		DEMO_FONT_H
#define FONT_NONE	0xffff	/* no glyph: drawn as a box */

struct font {
	const uint8_t *glyphs;		/* NULL when the font is unusable */
	uint32_t count;
	const uint8_t *map, *map_end;	/* Unicode table; empty = identity */
	bool psf2;
	uint16_t latin1[256];		/* code points below 256, looked up once */
};

/* Parse data[0..len); false (and every glyph a box) if it is not usable.
 * Either way, *desc says what was found, for the boot messages. */
bool font_init(struct font *f, const uint8_t *data, size_t len,
	       struct line *desc);
uint16_t font_glyph(const struct font *f, uint32_t cp);
/* FONT_H rows of one byte each, bit 7 leftmost; NULL for FONT_NONE. */
const uint8_t *font_bits(const struct font *f, uint16_t glyph);

#endif
