// SPDX-License-Identifier: MIT
/*
 * Ring 3 of the demo guest: boot.S irets to demo_start with the PVH start
 * info. Everything here runs natively, even on PVM; only port I/O and `hlt`
 * trap to ring 0 (traps.S).
 */
#include "demo.h"

#include "arch.h"
#include "demo_layout.h"
#include "io.h"
#include "serial.h"

extern char __bss_start[], __bss_end[];
extern const uint8_t demo_font_start[], demo_font_end[];

void demo_start(const struct hvm_start_info *si) __attribute__((noreturn));

static void say(const char *what, const struct line *detail)
{
	struct line l;

	line_init(&l);
	line_str(&l, "porthole-demo: ");
	line_str(&l, what);
	if (detail)
		line_mem(&l, detail->buf, detail->len);
	serial_line(&l);
}

static void draw_title(struct demo *d)
{
	const struct fb *fb = &d->fb;

	fb_fill(fb, DEMO_RECT(d, TITLE), DEMO_COLOR_TITLE);
	fb_text(fb, &d->font, DEMO_TITLE_TEXT_X(fb->width, fb->height),
		DEMO_TITLE_TEXT_Y(fb->width, fb->height), DEMO_TITLE_TEXT,
		DEMO_TITLE_SCALE, DEMO_COLOR_TITLE_FG, DEMO_COLOR_TITLE);
}

static void boot_messages(struct demo *d, const struct line *font_desc)
{
	struct line l;

	line_init(&l);
	line_str(&l, "Porthole demo guest");
	text_line(d, &l);
	line_init(&l);
	line_str(&l, "boot: PVH entry, long mode, drawing in ring 3");
	text_line(d, &l);
	line_init(&l);
	line_str(&l, "screen: ");
	line_dec(&l, d->fb.width);
	line_str(&l, "x");
	line_dec(&l, d->fb.height);
	line_str(&l, " XRGB, stride ");
	line_dec(&l, d->fb.stride);
	line_str(&l, " at 0x");
	line_hex(&l, (uintptr_t)d->fb.base);
	text_line(d, &l);
	text_line(d, font_desc);
	line_init(&l);
	clock_describe(d, &l);
	text_line(d, &l);
	line_init(&l);
	line_str(&l, "commands: fill anim clock text ping shutdown reset crash");
	text_line(d, &l);
}

/* The first full frame: every region of demo_layout.h. */
static void draw_desktop(struct demo *d, const struct config *cfg,
			 const struct line *font_desc)
{
	struct rect screen = { 0, 0, d->fb.width, d->fb.height };

	fb_fill(&d->fb, screen, DEMO_COLOR_DESKTOP);
	draw_title(d);
	clock_init(d, cfg->clock);
	text_init(d);
	anim_init(d, cfg->anim);
	boot_messages(d, font_desc);
}

static void ready(const struct demo *d)
{
	struct line l;

	line_init(&l);
	if (d->fb.base) {
		line_dec(&l, d->fb.width);
		line_str(&l, "x");
		line_dec(&l, d->fb.height);
	} else {
		line_str(&l, "headless");
	}
	say("ready ", &l);
}

static __attribute__((noreturn))
void demo_main(const struct hvm_start_info *si)
{
	static struct demo d;	/* in .bss: too big for the stack */
	struct config cfg;
	struct line font_desc;

	serial_init();
	config_parse(&cfg, si);
	if (cfg.problem.len) {
		line_str(&cfg.problem, "; running headless");
		say("", &cfg.problem);
	}
	d.fb = cfg.fb;
	d.fb.cursor = &d.cursor;
	if (!font_init(&d.font, demo_font_start, demo_font_end - demo_font_start,
		       &font_desc))
		say("", &font_desc);
	if (d.fb.base)
		draw_desktop(&d, &cfg, &font_desc);
	vio_init(&d, cfg.pci_reassign, cfg.pci_high);
	ready(&d);
	/* One pass per 60 Hz tick; `hlt` sleeps until the next one. */
	for (;;) {
		input_poll(&d);
		vio_poll(&d);
		clock_tick(&d);
		anim_tick(&d);
		cpu_idle();
	}
}

/* .bss is cleared here, natively, rather than by emulated ring-0 code. */
void demo_start(const struct hvm_start_info *si)
{
	memset(__bss_start, 0, __bss_end - __bss_start);
	__asm__ volatile("fninit");	/* x87 state as the ABI expects */
	demo_main(si);
}
