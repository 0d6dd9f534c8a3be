// SPDX-License-Identifier: MIT
/*
 * The host's commands on COM1 (demo_layout.h): one per line, answered with
 * "ok CMD" once its pixels are written or "err CMD: REASON", where CMD is
 * the command's first word. shutdown, reset and crash answer only if the
 * machine is somehow still running afterwards.
 */
#include "demo.h"

#include "arch.h"
#include "demo_layout.h"
#include "io.h"
#include "layout.h"
#include "serial.h"

#define FILL_LIMIT 1000000000	/* keeps clipping arithmetic far from overflow */

/*
 * Returns NULL when done, or why the command was refused. msg is for a
 * reason built at run time, or, on success, words after "ok CMD".
 */
typedef const char *(*cmd_fn)(struct demo *d, const char *args, size_t n,
			      struct line *msg);

struct command {
	const char *name;
	cmd_fn run;
};

static bool parse_color(const char *s, size_t n, uint32_t *color)
{
	uint64_t v;

	if (n > 0 && s[0] == '#') {
		s++;
		n--;
	} else if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n -= 2;
	}
	if (n != 6 || !parse_u64(s, n, 16, &v))
		return false;
	*color = v;
	return true;
}

/* X Y W H at the start of a fill or pattern command; *p is after them. */
static const char *parse_rect(const char **p, const char *end, struct rect *r)
{
	int64_t v[4];
	const char *w;
	size_t len;

	for (int i = 0; i < 4; i++) {
		len = next_word(p, end, &w);
		if (!parse_i64(w, len, &v[i]))
			return "";
		if (v[i] < -FILL_LIMIT || v[i] > FILL_LIMIT)
			return "number out of range";
	}
	if (v[2] < 0 || v[3] < 0)
		return "negative size";
	*r = (struct rect){ v[0], v[1], v[2], v[3] };
	return NULL;
}

static const char *cmd_fill(struct demo *d, const char *args, size_t n,
			    struct line *msg)
{
	static const char usage[] = "usage: fill X Y W H RRGGBB";
	const char *p = args, *end = args + n, *w, *err;
	struct rect r;
	uint32_t color;
	size_t len;

	err = parse_rect(&p, end, &r);
	if (err)
		return *err ? err : usage;
	len = next_word(&p, end, &w);
	if (!parse_color(w, len, &color) || next_word(&p, end, &w))
		return usage;
	if (!d->fb.base)
		return "no framebuffer";
	fb_fill(&d->fb, r, color);
	return NULL;
}

static const char *cmd_pattern(struct demo *d, const char *args, size_t n,
			       struct line *msg)
{
	static const char usage[] = "usage: pattern X Y W H SEED";
	const char *p = args, *end = args + n, *w, *err;
	struct rect r;
	uint64_t seed;
	size_t len;

	err = parse_rect(&p, end, &r);
	if (err)
		return *err ? err : usage;
	len = next_word(&p, end, &w);
	if (!parse_u64(w, len, 10, &seed) || next_word(&p, end, &w))
		return usage;
	if (seed > 0xffffffffu)
		return "SEED out of range";
	if (!d->fb.base)
		return "no framebuffer";
	fb_pattern(&d->fb, r, (uint32_t)seed);
	return NULL;
}

/* "on" or "off" and nothing else. */
static int on_off(const char *args, size_t n)
{
	const char *p = args, *end = args + n, *w;
	size_t len = next_word(&p, end, &w);
	const char *rest;

	if (next_word(&p, end, &rest))
		return -1;
	if (word_is(w, len, "on"))
		return 1;
	if (word_is(w, len, "off"))
		return 0;
	return -1;
}

static const char *cmd_anim(struct demo *d, const char *args, size_t n,
			    struct line *msg)
{
	int on = on_off(args, n);

	if (on < 0)
		return "usage: anim on|off";
	d->anim.running = on;
	return NULL;
}

static const char *cmd_clock(struct demo *d, const char *args, size_t n,
			    struct line *msg)
{
	int on = on_off(args, n);

	if (on < 0)
		return "usage: clock on|off";
	clock_set_running(d, on);
	return NULL;
}

static const char *cmd_text(struct demo *d, const char *args, size_t n,
			    struct line *msg)
{
	text_append(d, args, n);
	return NULL;
}

static const char *cmd_ping(struct demo *d, const char *args, size_t n,
			    struct line *msg)
{
	return NULL;
}

/* Power-off and reset take effect at the port write on Porthole and QEMU;
 * a machine without that port gets the ticks below, then an answer. */
static void linger(void)
{
	for (int i = 0; i < 2 * TIMER_HZ; i++)
		cpu_idle();
}

static const char *cmd_shutdown(struct demo *d, const char *args, size_t n,
			    struct line *msg)
{
	outw(LAYOUT_PM1A_CNT_PORT, PM1A_SLP_EN_S5);
	linger();
	return "still running after ACPI S5 (no PM1a_CNT at 0x604?)";
}

static const char *cmd_reset(struct demo *d, const char *args, size_t n,
			    struct line *msg)
{
	outb(I8042_CMD, I8042_RESET);
	linger();
	return "still running after the i8042 reset";
}

/* Unbacked memory: the monitor must report a fatal vCPU exit. */
static const char *cmd_crash(struct demo *d, const char *args, size_t n,
			    struct line *msg)
{
	((void (*)(void))(uintptr_t)CRASH_ADDR)();
	return "returned from unbacked memory";
}

static const char *cmd_disk(struct demo *d, const char *args, size_t n,
			    struct line *msg)
{
	return vblk_command(d, args, n, msg);
}

static const char *cmd_hostile(struct demo *d, const char *args, size_t n,
			       struct line *msg)
{
	return hostile_command(d, args, n, msg);
}

static const struct command commands[] = {
	{ "fill", cmd_fill },
	{ "pattern", cmd_pattern },
	{ "anim", cmd_anim },
	{ "clock", cmd_clock },
	{ "text", cmd_text },
	{ "ping", cmd_ping },
	{ "shutdown", cmd_shutdown },
	{ "reset", cmd_reset },
	{ "crash", cmd_crash },
	{ "disk", cmd_disk },
	{ "hostile", cmd_hostile },
};

static void reply(const char *word, size_t n, const char *err,
		  const struct line *msg)
{
	struct line l;

	line_init(&l);
	line_str(&l, err ? "err " : "ok ");
	line_mem(&l, word, n);
	if (err) {
		line_str(&l, ": ");
		line_str(&l, err);
	} else if (msg->len) {
		line_str(&l, " ");
		line_mem(&l, msg->buf, msg->len);
	}
	serial_line(&l);
}

static void run_line(struct demo *d, const char *s, size_t n, bool cut)
{
	const char *p = s, *end = s + n, *word, *args;
	size_t len = next_word(&p, end, &word);
	struct line msg;

	line_init(&msg);
	if (!len)
		return;		/* blank lines are not commands */
	if (cut) {
		reply(word, len, "line too long", &msg);
		return;
	}
	/* Arguments start after one space: `text` keeps the rest verbatim. */
	args = p < end ? p + 1 : end;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (word_is(word, len, commands[i].name)) {
			const char *err = commands[i].run(d, args, end - args,
							  &msg);

			reply(word, len, err, &msg);
			return;
		}
	reply(word, len, "unknown command", &msg);
}

void input_poll(struct demo *d)
{
	struct input *in = &d->input;
	int c;

	while ((c = serial_getc()) >= 0) {
		if (c == '\n') {
			run_line(d, in->buf, in->len, in->overflow);
			in->len = 0;
			in->overflow = false;
		} else if (c == '\r') {
			continue;	/* tolerate CRLF */
		} else if (in->len < sizeof(in->buf)) {
			in->buf[in->len++] = c;
		} else {
			in->overflow = true;
		}
	}
}
