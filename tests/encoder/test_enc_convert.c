// SPDX-License-Identifier: MIT
/*
 * Damage bookkeeping and damage-aware conversion.
 *   damage:  rectangles are clipped, grown to even edges, merged, bounded,
 *            and always cover every pixel reported.
 *   convert: converting only the damage, frame after frame, leaves exactly
 *            the planes a full conversion of the final picture gives (odd
 *            sizes and both colour settings included).
 */
#include "enc_convert.h"
#include "enc_damage.h"
#include "tenc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

static struct enc_rect rnd_rect(uint64_t *s, uint32_t w, uint32_t h)
{
	struct enc_rect r;

	r.x = rnd(s) % (w + 8);      /* some start outside, to be dropped */
	r.y = rnd(s) % (h + 8);
	r.w = rnd(s) % 5 == 0 ? rnd(s) % (w + 20) + 1 : rnd(s) % 40 + 1;
	r.h = rnd(s) % 5 == 0 ? rnd(s) % (h + 20) + 1 : rnd(s) % 40 + 1;
	return r;
}

static int covered(const struct enc_damage *d, uint32_t x, uint32_t y)
{
	for (size_t i = 0; i < d->n; i++)
		if (x >= d->r[i].x && x < d->r[i].x + d->r[i].w &&
		    y >= d->r[i].y && y < d->r[i].y + d->r[i].h)
			return 1;
	return 0;
}

static void check_shape(const struct enc_damage *d)
{
	uint32_t pw = (d->width + 1) & ~1u, ph = (d->height + 1) & ~1u;

	CHECK(d->n <= ENC_DAMAGE_MAX, "%zu rectangles", d->n);
	for (size_t i = 0; i < d->n; i++) {
		const struct enc_rect *r = &d->r[i];

		CHECK(r->w && r->h && !(r->x & 1) && !(r->y & 1) &&
		      !(r->w & 1) && !(r->h & 1) && r->x + r->w <= pw &&
		      r->y + r->h <= ph, "rect %zu: %u,%u %ux%u in %ux%u", i,
		      r->x, r->y, r->w, r->h, d->width, d->height);
	}
}

static int test_damage(void)
{
	struct enc_damage d;
	uint64_t seed = 1;

	enc_damage_init(&d, 101, 51);
	enc_damage_add(&d, &(struct enc_rect){ 3, 5, 1, 1 });
	CHECK(d.n == 1 && d.r[0].x == 2 && d.r[0].y == 4 && d.r[0].w == 2 &&
	      d.r[0].h == 2, "a pixel grows to its 2x2 chroma block: %u,%u %ux%u",
	      d.r[0].x, d.r[0].y, d.r[0].w, d.r[0].h);
	enc_damage_add(&d, &(struct enc_rect){ 100, 50, 9, 9 });
	CHECK(d.n == 2 && d.r[1].x == 100 && d.r[1].w == 2 && d.r[1].h == 2,
	      "the last odd column reaches into the even padding");
	enc_damage_add(&d, &(struct enc_rect){ 101, 0, 5, 5 });
	enc_damage_add(&d, &(struct enc_rect){ 0, 0, 0, 5 });
	CHECK(d.n == 2, "outside or empty rectangles are dropped");
	enc_damage_add(&d, &(struct enc_rect){ 4, 4, 2, 2 });
	CHECK(d.n == 2 && covered(&d, 2, 4) && covered(&d, 5, 5) &&
	      (d.r[0].w == 4 || d.r[1].w == 4), "neighbours merge (%zu)", d.n);
	enc_damage_add_all(&d);
	CHECK(d.n == 1 && d.r[0].w == 102 && d.r[0].h == 52, "all: %ux%u",
	      d.r[0].w, d.r[0].h);

	/* Random reports on sizes odd and even: bounded, well-formed, and
	 * every reported pixel covered. */
	for (int round = 0; round < 200; round++) {
		uint32_t w = rnd(&seed) % 300 + 1, h = rnd(&seed) % 200 + 1;
		uint8_t *mark = calloc((size_t)w * h, 1);
		int n = (int)(rnd(&seed) % 60) + 1;

		CHECK(mark, "out of memory");
		enc_damage_init(&d, w, h);
		for (int i = 0; i < n; i++) {
			struct enc_rect r = rnd_rect(&seed, w, h);

			enc_damage_add(&d, &r);
			for (uint32_t y = r.y; y < h && y < r.y + r.h; y++)
				for (uint32_t x = r.x; x < w && x < r.x + r.w; x++)
					mark[(size_t)y * w + x] = 1;
			check_shape(&d);
		}
		for (uint32_t y = 0; y < h; y++)
			for (uint32_t x = 0; x < w; x++)
				CHECK(!mark[(size_t)y * w + x] || covered(&d, x, y),
				      "round %d: pixel %u,%u reported, not covered",
				      round, x, y);
		for (size_t i = 0; i < d.n; i++) {
			struct enc_rect v = enc_rect_visible(&d, &d.r[i]);

			CHECK(v.x + v.w <= w && v.y + v.h <= h && v.w && v.h,
			      "visible part of a rect leaves the source");
		}
		free(mark);
	}
	return 0;
}

static void paint(uint8_t *fb, uint32_t stride, const struct enc_rect *r,
		  uint32_t w, uint32_t h, uint64_t *seed)
{
	for (uint32_t y = r->y; y < h && y < r->y + r->h; y++)
		for (uint32_t x = r->x; x < w && x < r->x + r->w; x++)
			((uint32_t *)(fb + (size_t)y * stride))[x] =
				rnd(seed) & 0xffffff;
}

static void check_same(const struct enc_convert *a, const struct enc_convert *b,
		       const char *what)
{
	const struct enc_planes *p = &a->p, *q = &b->p;

	for (uint32_t y = 0; y < p->height; y++)
		CHECK(!memcmp(p->y + (size_t)y * p->stride_y,
			      q->y + (size_t)y * q->stride_y, p->width),
		      "%s: %ux%u: luma row %u differs", what, a->src_w,
		      a->src_h, y);
	for (uint32_t y = 0; y < p->height / 2; y++) {
		size_t o = (size_t)y * p->stride_uv;

		CHECK(!memcmp(p->u + o, q->u + o, p->width / 2) &&
		      !memcmp(p->v + o, q->v + o, p->width / 2),
		      "%s: %ux%u: chroma row %u differs", what, a->src_w,
		      a->src_h, y);
	}
}

static int test_convert(void)
{
	static const uint32_t sizes[][2] = {
		{ 1, 1 }, { 2, 2 }, { 3, 5 }, { 64, 48 }, { 67, 33 },
		{ 1023, 767 }, { 1366, 768 },
	};
	uint64_t seed = 7;
	char err[256];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
	for (int color = 0; color < 2; color++) {
		uint32_t w = sizes[i][0], h = sizes[i][1], stride = w * 4 + 12;
		uint8_t *fb = malloc((size_t)stride * h);
		struct enc_convert part, full;
		struct enc_damage d;
		struct enc_rect all = { 0, 0, w, h };

		CHECK(fb, "out of memory");
		CHECK(enc_convert_init(&part, w, h, color, err, sizeof(err)) == 0 &&
		      enc_convert_init(&full, w, h, color, err, sizeof(err)) == 0,
		      "%s", err);
		paint(fb, stride, &all, w, h, &seed);
		enc_damage_init(&d, w, h);
		enc_damage_add_all(&d);
		enc_convert_rect(&part, fb, stride, &d.r[0]);
		for (int frame = 0; frame < 40; frame++) {
			int n = (int)(rnd(&seed) % 5) + 1;

			enc_damage_clear(&d);
			for (int k = 0; k < n; k++) {
				struct enc_rect r = rnd_rect(&seed, w, h);

				paint(fb, stride, &r, w, h, &seed);
				enc_damage_add(&d, &r);
			}
			for (size_t k = 0; k < d.n; k++)
				enc_convert_rect(&part, fb, stride, &d.r[k]);
		}
		enc_damage_add_all(&d);
		enc_convert_rect(&full, fb, stride, &d.r[0]);
		check_same(&part, &full, color ? "full range" : "limited range");
		enc_convert_free(&part);
		enc_convert_free(&full);
		free(fb);
	}
	CHECK(enc_convert_init(&(struct enc_convert){ 0 }, 0, 5, 0, err,
			       sizeof(err)) < 0 && strstr(err, "0x5"),
	      "a 0x5 picture is refused: %s", err);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct tenc_case cases[] = {
		{ "damage", test_damage },
		{ "convert", test_convert },
	};

	return tenc_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
