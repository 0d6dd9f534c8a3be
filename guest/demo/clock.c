// SPDX-License-Identifier: MIT
/*
 * HH:MM:SS from the CMOS RTC at twice the font's size. Polling costs two
 * port I/Os a tick; the full read and the drawing happen only when the
 * seconds register changes, and only cells whose digit changed are drawn.
 */
#include "demo.h"

#include "arch.h"
#include "demo_layout.h"
#include "rtc.h"

#define RTC_TRIES	3

static void put2(char *s, unsigned v)
{
	s[0] = '0' + v / 10 % 10;
	s[1] = '0' + v % 10;
}

static void clock_show(struct demo *d, unsigned h, unsigned m, unsigned s)
{
	struct clock *c = &d->clock;
	struct rect box = DEMO_RECT(d, CLOCK);
	char text[8] = "00:00:00";
	int cell = FONT_W * DEMO_CLOCK_SCALE;

	put2(text, h);
	put2(text + 3, m);
	put2(text + 6, s);
	for (int i = 0; i < 8; i++) {
		if (text[i] == c->shown[i])
			continue;
		fb_glyph(&d->fb, &d->font, box.x + i * cell, box.y,
			 font_glyph(&d->font, (unsigned char)text[i]),
			 DEMO_CLOCK_SCALE, DEMO_COLOR_TITLE_FG, DEMO_COLOR_TITLE);
		c->shown[i] = text[i];
	}
}

/* poll: read the whole time only if the seconds register moved. */
static bool clock_read_rtc(struct demo *d, bool poll)
{
	struct clock *c = &d->clock;
	struct rtc_time t;

	if (poll && rtc_raw_seconds() == c->raw_sec)
		return false;
	if (!rtc_read(&t))
		return false;	/* torn or no RTC: next tick */
	c->raw_sec = t.raw_sec;
	c->bcd = t.bcd;
	c->h24 = t.h24;
	clock_show(d, t.hour, t.min, t.sec);
	return true;
}

/* Without an RTC the clock still moves, counting ticks from boot. */
static void clock_count(struct demo *d)
{
	struct clock *c = &d->clock;

	if (++c->ticks < TIMER_HZ)
		return;
	c->ticks = 0;
	c->uptime++;
	clock_show(d, c->uptime / 3600 % 24, c->uptime / 60 % 60,
		   c->uptime % 60);
}

void clock_init(struct demo *d, bool running)
{
	struct clock *c = &d->clock;

	memset(c, 0, sizeof(*c));
	c->running = running;
	for (int i = 0; i < RTC_TRIES && !c->rtc; i++)
		c->rtc = clock_read_rtc(d, false);
	if (!c->rtc)
		clock_show(d, 0, 0, 0);
}

void clock_tick(struct demo *d)
{
	if (!d->fb.base || !d->clock.running)
		return;
	if (d->clock.rtc)
		clock_read_rtc(d, true);
	else
		clock_count(d);
}

void clock_set_running(struct demo *d, bool on)
{
	d->clock.running = on;
	if (on && d->clock.rtc && d->fb.base)
		clock_read_rtc(d, false);	/* catch up at once */
}

void clock_describe(const struct demo *d, struct line *l)
{
	const struct clock *c = &d->clock;

	if (!c->rtc) {
		line_str(l, "clock: no CMOS RTC answers; counting from boot");
		return;
	}
	line_str(l, "clock: CMOS RTC, ");
	line_str(l, c->bcd ? "BCD, " : "binary, ");
	line_str(l, c->h24 ? "24-hour" : "12-hour");
}
