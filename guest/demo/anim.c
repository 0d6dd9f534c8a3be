// SPDX-License-Identifier: MIT
/*
 * A square bouncing around the animated region, one step per tick. Each
 * step paints only the difference: the strip it left (background) and the
 * strip it entered (sprite), so the damage is two thin rectangles.
 */
#include "demo.h"

#include "demo_layout.h"

#define STEP_X	3
#define STEP_Y	2

void anim_init(struct demo *d, bool running)
{
	struct anim *a = &d->anim;

	a->running = running;
	a->area = DEMO_RECT(d, ANIM);
	a->sprite = (struct rect){ a->area.x + a->area.w / 4,
				   a->area.y + a->area.h / 4,
				   DEMO_SPRITE_SIZE, DEMO_SPRITE_SIZE };
	a->vx = STEP_X;
	a->vy = STEP_Y;
	fb_fill(&d->fb, a->area, DEMO_COLOR_ANIM_BG);
	fb_fill(&d->fb, a->sprite, DEMO_COLOR_SPRITE);
}

/* Move one axis by *v, turning back at the edges [lo, hi - size]. */
static int64_t bounce(int64_t pos, int64_t *v, int64_t lo, int64_t hi,
		      int64_t size)
{
	pos += *v;
	if (pos < lo) {
		pos = lo;
		*v = -*v;
	} else if (pos > hi - size) {
		pos = hi - size;
		*v = -*v;
	}
	return pos;
}

void anim_tick(struct demo *d)
{
	struct anim *a = &d->anim;
	struct rect old = a->sprite, next = old, parts[4];
	int n;

	if (!d->fb.base || !a->running)
		return;
	next.x = bounce(old.x, &a->vx, a->area.x, a->area.x + a->area.w,
			old.w);
	next.y = bounce(old.y, &a->vy, a->area.y, a->area.y + a->area.h,
			old.h);
	n = rect_subtract(old, next, parts);
	for (int i = 0; i < n; i++)
		fb_fill(&d->fb, parts[i], DEMO_COLOR_ANIM_BG);
	n = rect_subtract(next, old, parts);
	for (int i = 0; i < n; i++)
		fb_fill(&d->fb, parts[i], DEMO_COLOR_SPRITE);
	a->sprite = next;
}
