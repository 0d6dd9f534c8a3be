// SPDX-License-Identifier: MIT
/*
 * Prints the demo guest's layout (demo_layout.h) for a WxH screen as JSON,
 * so that tests in other languages read the same contract the guest draws.
 * usage: layout_json W H
 */
#include <stdio.h>
#include <stdlib.h>

#include "demo_layout.h"

#define BOX(name, R) \
	printf("  \"%s\": { \"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d },\n", \
	       name, DEMO_##R##_X(w, h), DEMO_##R##_Y(w, h), \
	       DEMO_##R##_W(w, h), DEMO_##R##_H(w, h))
#define COLOR(name, c) printf("    \"%s\": %u,\n", name, (unsigned)(c))

int main(int argc, char **argv)
{
	int w, h;

	if (argc != 3 || (w = atoi(argv[1])) < DEMO_MIN_WIDTH ||
	    (h = atoi(argv[2])) < DEMO_MIN_HEIGHT) {
		fprintf(stderr, "usage: %s W H (at least %dx%d)\n", argv[0],
			DEMO_MIN_WIDTH, DEMO_MIN_HEIGHT);
		return 2;
	}
	printf("{\n  \"width\": %d, \"height\": %d,\n", w, h);
	BOX("title", TITLE);
	BOX("clock", CLOCK);
	BOX("text", TEXT);
	BOX("anim", ANIM);
	printf("  \"sprite_size\": %d,\n", DEMO_SPRITE_SIZE);
	printf("  \"font\": { \"w\": %d, \"h\": %d },\n", DEMO_FONT_W, DEMO_FONT_H);
	printf("  \"title_text\": { \"x\": %d, \"y\": %d, \"scale\": %d, \"text\": \"%s\" },\n",
	       DEMO_TITLE_TEXT_X(w, h), DEMO_TITLE_TEXT_Y(w, h),
	       DEMO_TITLE_SCALE, DEMO_TITLE_TEXT);
	printf("  \"text_pad\": %d,\n", DEMO_TEXT_PAD);
	printf("  \"colors\": {\n");
	COLOR("desktop", DEMO_COLOR_DESKTOP);
	COLOR("title", DEMO_COLOR_TITLE);
	COLOR("title_fg", DEMO_COLOR_TITLE_FG);
	COLOR("text_bg", DEMO_COLOR_TEXT_BG);
	COLOR("text_fg", DEMO_COLOR_TEXT_FG);
	COLOR("anim_bg", DEMO_COLOR_ANIM_BG);
	COLOR("sprite", DEMO_COLOR_SPRITE);
	COLOR("pointer_edge", DEMO_COLOR_POINTER_EDGE);
	printf("    \"pointer\": %u\n  }\n}\n", (unsigned)DEMO_COLOR_POINTER);
	return 0;
}
