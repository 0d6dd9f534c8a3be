// SPDX-License-Identifier: MIT
/* Damage rectangles from any dirty bitmap and geometry: never out of the
 * screen, never missing a dirty page's pixel. */
#include "damage.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fb_rect r[32];
	struct damage d;
	uint64_t *bm;
	uint32_t w, h, stride;
	size_t words;
	int n;

	if (size < 6)
		return 0;
	w = 1 + (data[0] | data[1] << 8) % 2048;
	h = 1 + (data[2] | data[3] << 8) % 1024;
	stride = w * 4 + (data[4] | data[5] << 8) % 8192;
	if (damage_init(&d, w, h, stride))
		return 0;
	words = (d.npages + 63) / 64;
	bm = calloc(words, 8);
	memcpy(bm, data + 6, size - 6 < words * 8 ? size - 6 : words * 8);
	n = damage_from_bitmap(&d, bm, r, 1 + data[0] % 32);
	for (int i = 0; i < n; i++)
		if (r[i].w == 0 || r[i].h == 0 || r[i].x + r[i].w > w ||
		    r[i].y + r[i].h > h)
			abort();
	/* The tracker is clean again: an empty bitmap is idle. */
	memset(bm, 0, words * 8);
	if (damage_from_bitmap(&d, bm, r, 32) != 0)
		abort();
	free(bm);
	damage_destroy(&d);
	return 0;
}
