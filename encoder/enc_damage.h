/* SPDX-License-Identifier: MIT */
/*
 * Damage accumulated between two frames: a few rectangles in source
 * coordinates, each grown to even edges (a 4:2:0 chroma sample covers 2x2
 * pixels, so converting an even-aligned rectangle gives exactly what
 * converting the whole picture would). Overlapping or nearly touching
 * rectangles merge; when there are too many, the new one merges into the
 * one it grows least. Bounded memory, whatever the caller reports.
 */
#ifndef PORTHOLE_ENC_DAMAGE_H
#define PORTHOLE_ENC_DAMAGE_H

#include <stddef.h>
#include <stdint.h>

#define ENC_DAMAGE_MAX 16

struct enc_rect {
	uint32_t x, y, w, h;
};

struct enc_damage {
	uint32_t width, height;     /* the source; edges may reach width + 1
				     * when it is odd (the even padding) */
	size_t n;
	struct enc_rect r[ENC_DAMAGE_MAX];
};

void enc_damage_init(struct enc_damage *d, uint32_t width, uint32_t height);
/* Add r (clipped to the source; empty ones are ignored). */
void enc_damage_add(struct enc_damage *d, const struct enc_rect *r);
void enc_damage_add_all(struct enc_damage *d);
static inline void enc_damage_clear(struct enc_damage *d) { d->n = 0; }
static inline int enc_damage_empty(const struct enc_damage *d) { return d->n == 0; }

/* r clipped to the source's width x height (for telling a client). */
struct enc_rect enc_rect_visible(const struct enc_damage *d,
				 const struct enc_rect *r);

#endif
