// SPDX-License-Identifier: MIT
#include "enc_damage.h"

/* Converting this many pixels twice or needlessly costs a microsecond or
 * two; fewer, larger rectangles are worth that. */
#define MERGE_SLACK_PX 4096u

static uint64_t area(const struct enc_rect *r)
{
	return (uint64_t)r->w * r->h;
}

static struct enc_rect bound(const struct enc_rect *a, const struct enc_rect *b)
{
	uint32_t x0 = a->x < b->x ? a->x : b->x;
	uint32_t y0 = a->y < b->y ? a->y : b->y;
	uint32_t x1 = a->x + a->w > b->x + b->w ? a->x + a->w : b->x + b->w;
	uint32_t y1 = a->y + a->h > b->y + b->h ? a->y + a->h : b->y + b->h;

	return (struct enc_rect){ x0, y0, x1 - x0, y1 - y0 };
}

static uint64_t overlap(const struct enc_rect *a, const struct enc_rect *b)
{
	uint32_t x0 = a->x > b->x ? a->x : b->x;
	uint32_t y0 = a->y > b->y ? a->y : b->y;
	uint32_t x1 = a->x + a->w < b->x + b->w ? a->x + a->w : b->x + b->w;
	uint32_t y1 = a->y + a->h < b->y + b->h ? a->y + a->h : b->y + b->h;

	return x1 > x0 && y1 > y0 ? (uint64_t)(x1 - x0) * (y1 - y0) : 0;
}

/* Pixels the bounding box adds beyond what a and b cover. */
static uint64_t waste(const struct enc_rect *a, const struct enc_rect *b)
{
	struct enc_rect u = bound(a, b);

	return area(&u) - (area(a) + area(b) - overlap(a, b));
}

void enc_damage_init(struct enc_damage *d, uint32_t width, uint32_t height)
{
	d->width = width;
	d->height = height;
	d->n = 0;
}

void enc_damage_add(struct enc_damage *d, const struct enc_rect *in)
{
	uint32_t pw = (d->width + 1) & ~1u, ph = (d->height + 1) & ~1u;
	uint32_t x0, y0, x1, y1;
	struct enc_rect r;
	size_t best = 0;
	uint64_t grow = UINT64_MAX;

	if (in->x >= d->width || in->y >= d->height || !in->w || !in->h)
		return;
	x1 = in->w > d->width - in->x ? d->width : in->x + in->w;
	y1 = in->h > d->height - in->y ? d->height : in->y + in->h;
	x0 = in->x & ~1u;
	y0 = in->y & ~1u;
	x1 = (x1 + 1) & ~1u;
	y1 = (y1 + 1) & ~1u;
	r = (struct enc_rect){ x0, y0, (x1 > pw ? pw : x1) - x0,
			       (y1 > ph ? ph : y1) - y0 };

	for (size_t i = 0; i < d->n; i++) {
		if (waste(&r, &d->r[i]) > MERGE_SLACK_PX)
			continue;
		r = bound(&r, &d->r[i]);
		d->r[i] = d->r[--d->n];
		i = (size_t)-1;     /* the grown one may now reach others */
	}
	if (d->n < ENC_DAMAGE_MAX) {
		d->r[d->n++] = r;
		return;
	}
	for (size_t i = 0; i < d->n; i++) {
		struct enc_rect u = bound(&r, &d->r[i]);

		if (area(&u) - area(&d->r[i]) < grow) {
			grow = area(&u) - area(&d->r[i]);
			best = i;
		}
	}
	d->r[best] = bound(&r, &d->r[best]);
}

void enc_damage_add_all(struct enc_damage *d)
{
	d->n = 0;
	enc_damage_add(d, &(struct enc_rect){ 0, 0, d->width, d->height });
}

struct enc_rect enc_rect_visible(const struct enc_damage *d,
				 const struct enc_rect *r)
{
	struct enc_rect v = *r;

	if (v.x + v.w > d->width)
		v.w = d->width - v.x;
	if (v.y + v.h > d->height)
		v.h = d->height - v.y;
	return v;
}
