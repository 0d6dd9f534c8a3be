/* SPDX-License-Identifier: MIT */
/*
 * Narrowing damage to what changed. The monitor's damage is page-granular
 * (at 1080p a 4 KiB page is 1024 pixels of a row, so an 8x16 glyph comes as
 * about 1024x16); the display keeps a copy of the screen anyway, so while
 * copying a damaged rectangle it compares each row with that copy and
 * reports only boxes around the pixels that differ.
 *
 * Per row: one memcmp (an unchanged row costs just that); a changed row is
 * split into column bands of 64 pixels (wider for rectangles over 4096
 * pixels: at most 64 bands) compared one by one, and each run of changed
 * bands gets its exact left and right edge. Changed rows gather into a group
 * until GAP unchanged rows follow; each run of bands changed anywhere in the
 * group becomes one box, as tall as the rows that changed in those bands.
 * Only the changed spans are copied.
 *
 * Bound: every pixel that differed is covered, and each edge of a box
 * touches one (boxes are as tight as their outline allows); inside, a box may
 * hold unchanged bands between changed ones and fewer than GAP unchanged
 * rows. With more boxes than asked for, the last one grows to cover the
 * rest.
 */
#ifndef PORTHOLE_SURFACE_NARROW_H
#define PORTHOLE_SURFACE_NARROW_H

#include <stddef.h>
#include <stdint.h>

#include "surface/proto.h"

#define SURFACE_NARROW_MAX 16   /* boxes per rectangle worth asking for */

struct surface_narrow_stats {
	uint64_t px_compared;   /* the rectangles' area */
	uint64_t px_copied;     /* of which written into dst */
	uint64_t boxes;         /* reported */
	uint64_t unchanged;     /* rectangles with nothing different */
};

/*
 * Copy r (inside both buffers) from src to dst where they differ; the boxes
 * around the differences go to out (absolute coordinates, none empty).
 * Returns how many (0..max, max >= 1). st may be NULL.
 */
int surface_narrow_copy(uint8_t *dst, size_t dst_stride, const uint8_t *src,
			size_t src_stride, const struct surface_rect *r,
			struct surface_rect *out, int max,
			struct surface_narrow_stats *st);

#endif
