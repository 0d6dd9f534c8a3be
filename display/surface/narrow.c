// SPDX-License-Identifier: MIT
/*
 * The guest may write src while this runs. That is safe: dst changes only
 * where a pixel is copied, and every copied span is reported. A pixel seen
 * equal was already what src held then; a write after the monitor read its
 * dirty log is in the next damage anyway.
 */
#include "narrow.h"

#include <string.h>

#define BAND_MIN  64    /* pixels: the finest column split */
#define BANDS_MAX 64    /* one bit each in a uint64_t */
#define GAP       4     /* unchanged rows that end a group of changed ones */

struct narrow {
	const struct surface_rect *r;
	struct surface_rect *out;
	int n, max;
	uint32_t bw, nb;        /* band width (pixels) and count */
	/* The group of changed rows being gathered, relative to r. */
	uint64_t mask;          /* bands changed in it */
	uint32_t last;          /* its last changed row */
	uint32_t lo[BANDS_MAX]; /* left edge of the changes whose run starts in b */
	uint32_t hi[BANDS_MAX]; /* right edge (excl.) of those whose run ends in b */
	uint32_t top[BANDS_MAX], bot[BANDS_MAX]; /* rows band b changed in */
};

static inline uint32_t px(const uint8_t *p, uint32_t i)
{
	uint32_t v;

	memcpy(&v, p + (size_t)i * 4, 4);
	return v;
}

static inline uint32_t min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static inline uint32_t max32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/* Bits a..b-1 (b <= 64). */
static inline uint64_t bits(uint32_t a, uint32_t b)
{
	return (b - a >= 64 ? ~0ULL : (1ULL << (b - a)) - 1) << a;
}

/* The end (excl.) of the run of set bits starting at bit b0 of m. */
static inline uint32_t run_end(uint64_t m, uint32_t b0)
{
	uint64_t rest = ~(m >> b0);

	return rest ? b0 + (uint32_t)__builtin_ctzll(rest) : 64;
}

/* The first pixel of a..b-1 that differs, or b. */
static uint32_t first_diff(const uint8_t *s, const uint8_t *d, uint32_t a,
			   uint32_t b)
{
	while (a < b && px(s, a) == px(d, a))
		a++;
	return a;
}

/* One past the last pixel of a..b-1 that differs, or a. */
static uint32_t last_diff(const uint8_t *s, const uint8_t *d, uint32_t a,
			  uint32_t b)
{
	while (b > a && px(s, b - 1) == px(d, b - 1))
		b--;
	return b;
}

static void emit(struct narrow *z, uint32_t x0, uint32_t y0, uint32_t x1,
		 uint32_t y1)
{
	struct surface_rect *o;
	uint32_t ox0, oy0, ox1, oy1;

	x0 += z->r->x;
	x1 += z->r->x;
	y0 += z->r->y;
	y1 += z->r->y;
	if (z->n < z->max) {
		z->out[z->n++] = (struct surface_rect){ x0, y0, x1 - x0, y1 - y0 };
		return;
	}
	/* No room: the last box grows to cover this one. */
	o = &z->out[z->n - 1];
	ox0 = min32(o->x, x0);
	oy0 = min32(o->y, y0);
	ox1 = max32(o->x + o->w, x1);
	oy1 = max32(o->y + o->h, y1);
	*o = (struct surface_rect){ ox0, oy0, ox1 - ox0, oy1 - oy0 };
}

/* One box per run of bands changed in the group. */
static void flush(struct narrow *z)
{
	uint64_t m = z->mask;

	while (m) {
		uint32_t b0 = (uint32_t)__builtin_ctzll(m), b1 = run_end(m, b0);
		uint32_t x0 = UINT32_MAX, x1 = 0, y0 = UINT32_MAX, y1 = 0;

		for (uint32_t b = b0; b < b1; b++) {
			x0 = min32(x0, z->lo[b]);
			x1 = max32(x1, z->hi[b]);
			y0 = min32(y0, z->top[b]);
			y1 = max32(y1, z->bot[b]);
		}
		/* Each band in the mask is in a run that set lo and hi. */
		if (x0 < x1)
			emit(z, x0, y0, x1, y1);
		m &= ~bits(b0, b1);
	}
	z->mask = 0;
}

/* Copy pixels a..b-1 of the row (b > a), counting them. */
static void copy_span(uint8_t *d, const uint8_t *s, uint32_t a, uint32_t b,
		      uint64_t *copied)
{
	memcpy(d + (size_t)a * 4, s + (size_t)a * 4, (size_t)(b - a) * 4);
	*copied += b - a;
}

/*
 * A row that differs somewhere: compare band by band. A changed band is
 * copied from the run's exact left edge (in its first band) to the band's
 * last difference, so nothing outside what is reported is ever copied,
 * however the guest writes meanwhile; spans that meet are copied at once.
 */
static void changed_row(struct narrow *z, uint8_t *d, const uint8_t *s,
			uint32_t y, uint64_t *copied)
{
	uint32_t w = z->r->w, bw = z->bw, nruns = 0, cs = 0, ce = 0;
	uint32_t run_b[BANDS_MAX / 2 + 1][2], run_x[BANDS_MAX / 2 + 1][2];
	int in_run = 0;
	uint64_t m = 0, f;

	for (uint32_t b = 0, a = 0; b < z->nb; b++, a += bw) {
		uint32_t e = min32(a + bw, w), from = a, to;

		/* Most changed bands differ at once: skip memcmp's call. */
		if (px(s, a) == px(d, a) &&
		    !memcmp(s + (size_t)a * 4, d + (size_t)a * 4,
			    (size_t)(e - a) * 4)) {
			in_run = 0;
			continue;
		}
		if (!in_run)
			from = first_diff(s, d, a, e);
		to = last_diff(s, d, from, e);
		if (to <= from) {
			in_run = 0;     /* written back meanwhile */
			continue;
		}
		if (from != ce) {
			if (ce > cs)
				copy_span(d, s, cs, ce, copied);
			cs = from;
		}
		ce = to;
		m |= 1ULL << b;
		if (!in_run) {
			run_b[nruns][0] = b;
			run_x[nruns][0] = from;
			nruns++;
			in_run = 1;
		}
		run_b[nruns - 1][1] = b;
		run_x[nruns - 1][1] = to;
	}
	if (ce > cs)
		copy_span(d, s, cs, ce, copied);
	if (!m)
		return;
	for (f = m & ~z->mask; f; f &= f - 1) {
		uint32_t b = (uint32_t)__builtin_ctzll(f);

		z->lo[b] = UINT32_MAX;
		z->hi[b] = 0;
		z->top[b] = y;
	}
	for (f = m; f; f &= f - 1)
		z->bot[__builtin_ctzll(f)] = y + 1;
	for (uint32_t i = 0; i < nruns; i++) {
		uint32_t b0 = run_b[i][0], b1 = run_b[i][1];

		z->lo[b0] = min32(z->lo[b0], run_x[i][0]);
		z->hi[b1] = max32(z->hi[b1], run_x[i][1]);
	}
	z->mask |= m;
	z->last = y;
}

int surface_narrow_copy(uint8_t *dst, size_t dst_stride, const uint8_t *src,
			size_t src_stride, const struct surface_rect *r,
			struct surface_rect *out, int max,
			struct surface_narrow_stats *st)
{
	struct narrow z;
	size_t len = (size_t)r->w * 4;
	uint64_t copied = 0;

	z.r = r;
	z.out = out;
	z.n = 0;
	z.max = max > 0 ? max : 1;
	z.mask = 0;
	z.last = 0;
	z.bw = BAND_MIN;
	while ((r->w + (uint64_t)z.bw - 1) / z.bw > BANDS_MAX)
		z.bw *= 2;
	z.nb = (uint32_t)((r->w + (uint64_t)z.bw - 1) / z.bw);
	dst += (size_t)r->y * dst_stride + (size_t)r->x * 4;
	src += (size_t)r->y * src_stride + (size_t)r->x * 4;
	for (uint32_t y = 0; y < r->h; y++, dst += dst_stride, src += src_stride) {
		if (memcmp(src, dst, len)) {
			changed_row(&z, dst, src, y, &copied);
			continue;
		}
		if (z.mask && y - z.last >= GAP)
			flush(&z);
	}
	flush(&z);
	if (st) {
		st->px_compared += (uint64_t)r->w * r->h;
		st->px_copied += copied;
		st->boxes += (uint64_t)z.n;
		st->unchanged += !z.n;
	}
	return z.n;
}
