// SPDX-License-Identifier: MIT
/* The demo guest boots, talks on COM1 and draws its desktop where
 * demo_layout.h says, in the colours it says. */
#include "harness.h"
#include "demo_layout.h"

#include <string.h>

#define W 1280
#define H 720

/* Count pixels of colour c in a rectangle. */
static uint64_t count(const struct harness *h, uint32_t x0, uint32_t y0,
		      uint32_t w, uint32_t hh, uint32_t c)
{
	uint64_t n = 0;

	for (uint32_t y = y0; y < y0 + hh; y++)
		for (uint32_t x = x0; x < x0 + w; x++)
			n += h_pixel(h, x, y) == c;
	return n;
}

static void find_sprite(const struct harness *h, uint32_t *sx, uint32_t *sy)
{
	for (uint32_t y = DEMO_ANIM_Y(W, H); y < DEMO_ANIM_Y(W, H) + DEMO_ANIM_H(W, H); y++)
		for (uint32_t x = DEMO_ANIM_X(W, H); x < DEMO_ANIM_X(W, H) + DEMO_ANIM_W(W, H); x++)
			if (h_pixel(h, x, y) == DEMO_COLOR_SPRITE) {
				*sx = x;
				*sy = y;
				return;
			}
	CHECK(0, "no sprite in the animated region");
}

int main(void)
{
	struct harness h;
	uint64_t area, n;
	uint32_t x0, y0, x1, y1;

	h_require_kvm();
	h_start_demo(&h, W, H, "porthole.anim=0");
	CHECK(strstr(h.out, "porthole-demo: boot\n") == h.out,
	      "first line is not the boot line: %s", h.out);
	CHECK(strstr(h.out, "porthole-demo: ready 1280x720"), "%s", h.out);

	/* Corners of the desktop. */
	CHECK(h_pixel(&h, 5, H - 5) == DEMO_COLOR_DESKTOP, "bottom-left %06x",
	      h_pixel(&h, 5, H - 5));
	CHECK(h_pixel(&h, W - 5, H - 5) == DEMO_COLOR_DESKTOP, "bottom-right");

	/* The title bar is mostly its colour, with some text in it. */
	area = (uint64_t)W * DEMO_TITLE_H(W, H);
	n = count(&h, 0, 0, W, DEMO_TITLE_H(W, H), DEMO_COLOR_TITLE);
	CHECK(n > area * 8 / 10 && n < area, "title bar: %llu of %llu pixels",
	      (unsigned long long)n, (unsigned long long)area);
	n = count(&h, 0, 0, W / 2, DEMO_TITLE_H(W, H), DEMO_COLOR_TITLE_FG);
	CHECK(n > 100, "no title text (%llu pixels)", (unsigned long long)n);
	/* The clock shows digits. */
	n = count(&h, DEMO_CLOCK_X(W, H), DEMO_CLOCK_Y(W, H), DEMO_CLOCK_W(W, H),
		  DEMO_CLOCK_H(W, H), DEMO_COLOR_TITLE_FG);
	CHECK(n > 100, "no clock digits (%llu pixels)", (unsigned long long)n);

	/* Text area: its background, and boot messages in it. */
	area = (uint64_t)DEMO_TEXT_W(W, H) * DEMO_TEXT_H(W, H);
	n = count(&h, DEMO_TEXT_X(W, H), DEMO_TEXT_Y(W, H), DEMO_TEXT_W(W, H),
		  DEMO_TEXT_H(W, H), DEMO_COLOR_TEXT_BG);
	CHECK(n > area * 8 / 10 && n < area, "text area: %llu of %llu",
	      (unsigned long long)n, (unsigned long long)area);

	/* Animated region: background plus exactly one sprite. */
	n = count(&h, DEMO_ANIM_X(W, H), DEMO_ANIM_Y(W, H), DEMO_ANIM_W(W, H),
		  DEMO_ANIM_H(W, H), DEMO_COLOR_SPRITE);
	CHECK(n == DEMO_SPRITE_SIZE * DEMO_SPRITE_SIZE, "sprite has %llu pixels",
	      (unsigned long long)n);

	/* Typed text reaches the text area (more foreground pixels). */
	n = count(&h, DEMO_TEXT_X(W, H), DEMO_TEXT_Y(W, H), DEMO_TEXT_W(W, H),
		  DEMO_TEXT_H(W, H), DEMO_COLOR_TEXT_FG);
	h_command(&h, "text hello from the host");
	CHECK(count(&h, DEMO_TEXT_X(W, H), DEMO_TEXT_Y(W, H), DEMO_TEXT_W(W, H),
		    DEMO_TEXT_H(W, H), DEMO_COLOR_TEXT_FG) > n + 200,
	      "text did not appear");

	/* Motion: with the animation on, the sprite moves. */
	find_sprite(&h, &x0, &y0);
	h_command(&h, "anim on");
	h_sleep_ms(300);
	h_command(&h, "anim off");
	find_sprite(&h, &x1, &y1);
	CHECK(x0 != x1 || y0 != y1, "sprite did not move from %u,%u", x0, y0);

	/* pattern: exactly demo_pattern_pixel, relative to the unclipped
	 * corner; a second seed changes every pixel. */
	h_command(&h, "pattern 100 500 300 200 7");
	for (uint32_t j = 0; j < 200; j += 13)
		for (uint32_t i = 0; i < 300; i += 7)
			CHECK(h_pixel(&h, 100 + i, 500 + j) == demo_pattern_pixel(7, i, j),
			      "pattern pixel %u,%u: %06x, want %06x", i, j,
			      h_pixel(&h, 100 + i, 500 + j), demo_pattern_pixel(7, i, j));
	CHECK(h_pixel(&h, 399, 699) == demo_pattern_pixel(7, 299, 199) &&
	      h_pixel(&h, 400, 700) == DEMO_COLOR_DESKTOP, "pattern's far corner");
	h_command(&h, "pattern -10 -5 40 30 4294967295");
	CHECK(h_pixel(&h, 0, 0) == demo_pattern_pixel(4294967295u, 10, 5) &&
	      h_pixel(&h, 29, 24) == demo_pattern_pixel(4294967295u, 39, 29),
	      "clipped pattern");

	h_command(&h, "ping");
	h_stop(&h);
	printf("demo guest boots, draws its desktop and patterns: ok\n");
	return 0;
}
