// SPDX-License-Identifier: MIT
/*
 * Cost of narrowing damage in porthole-display (display/surface/narrow.c):
 * copying a damaged rectangle into the display's buffer while comparing
 * with what it holds, against the plain row copy it replaced, at 1080p.
 * Cases: the monitor's page-wide rectangle around a typed glyph, a 512x512
 * region refilled (flat colour, and the demo guest's pattern), and the whole
 * screen unchanged and changed. Each run alternates two sources, so every
 * pixel meant to change does.
 */
#include "demo_layout.h"
#include "surface/narrow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define W      1920
#define H      1080
#define STRIDE 8192         /* the monitor's: whole pages per row */
#define RUNS   200

struct bcase {
	const char *name;
	struct surface_rect damage;   /* what the monitor reports */
	struct surface_rect change;   /* what really differs */
	int pattern;                  /* else two flat colours */
};

static const struct bcase cases[] = {
	{ "typing: 8x16 glyph in 1024x16", { 0, 464, 1024, 16 }, { 40, 464, 8, 16 }, 0 },
	{ "motion: flat 512x512", { 1260, 544, 570, 512 }, { 1296, 544, 512, 512 }, 0 },
	{ "motion: pattern 512x512", { 1260, 544, 570, 512 }, { 1296, 544, 512, 512 }, 1 },
	{ "screen unchanged 1920x1080", { 0, 0, W, H }, { 0, 0, 0, 0 }, 0 },
	{ "screen changed 1920x1080", { 0, 0, W, H }, { 0, 0, W, H }, 0 },
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The desktop everywhere, and the change painted for frame k. */
static void paint(uint8_t *fb, const struct bcase *c, uint32_t k)
{
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++) {
			uint32_t v = DEMO_COLOR_DESKTOP;

			if (x >= c->change.x && x < c->change.x + c->change.w &&
			    y >= c->change.y && y < c->change.y + c->change.h)
				v = c->pattern ?
				    demo_pattern_pixel(k, x - c->change.x, y - c->change.y) :
				    (k & 1 ? 0xffffff : 0x101010);
			memcpy(fb + (size_t)y * STRIDE + x * 4, &v, 4);
		}
}

static void copy_plain(uint8_t *dst, const uint8_t *src, const struct surface_rect *r)
{
	for (uint32_t y = r->y; y < r->y + r->h; y++)
		memcpy(dst + (size_t)y * W * 4 + r->x * 4,
		       src + (size_t)y * STRIDE + r->x * 4, (size_t)r->w * 4);
}

int main(void)
{
	uint8_t *src[2], *dst = malloc((size_t)W * H * 4);
	static double t_narrow[RUNS], t_plain[RUNS];
	struct surface_rect out[SURFACE_NARROW_MAX];

	src[0] = malloc((size_t)STRIDE * H);
	src[1] = malloc((size_t)STRIDE * H);
	if (!src[0] || !src[1] || !dst) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	printf("narrowing damage (display/surface/narrow.c) vs the plain copy, %dx%d, median of %d\n",
	       W, H, RUNS);
	printf("%-32s %10s %8s %10s %8s %6s %s\n", "case", "narrow us", "ns/px",
	       "copy us", "ns/px", "boxes", "first box");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bcase *c = &cases[i];
		double px = (double)c->damage.w * c->damage.h;
		int n = 0;

		paint(src[0], c, 1);
		paint(src[1], c, 2);
		for (uint32_t y = 0; y < H; y++)
			memcpy(dst + (size_t)y * W * 4, src[1] + (size_t)y * STRIDE, W * 4);
		/* Separate loops: each finds the caches as the other left
		 * them for itself. */
		for (int k = 0; k < RUNS; k++) {
			double t0 = now_ns();

			n = surface_narrow_copy(dst, W * 4, src[k & 1], STRIDE,
						&c->damage, out, SURFACE_NARROW_MAX,
						NULL);
			t_narrow[k] = now_ns() - t0;
		}
		for (int k = 0; k < RUNS; k++) {
			double t0 = now_ns();

			copy_plain(dst, src[k & 1], &c->damage);
			t_plain[k] = now_ns() - t0;
		}
		qsort(t_narrow, RUNS, sizeof(double), cmp);
		qsort(t_plain, RUNS, sizeof(double), cmp);
		printf("%-32s %10.1f %8.3f %10.1f %8.3f %6d", c->name,
		       t_narrow[RUNS / 2] / 1e3, t_narrow[RUNS / 2] / px,
		       t_plain[RUNS / 2] / 1e3, t_plain[RUNS / 2] / px, n);
		if (n)
			printf(" %u,%u %ux%u", out[0].x, out[0].y, out[0].w, out[0].h);
		printf("\n");
	}
	free(src[0]);
	free(src[1]);
	free(dst);
	return 0;
}
