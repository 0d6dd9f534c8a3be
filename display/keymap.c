// SPDX-License-Identifier: MIT
/* One client's keyboard: keysyms and scancodes to evdev (keymap.h). */
#include "keymap.h"

#include <linux/input-event-codes.h>
#include <string.h>

#define XK_Shift_L          0xffe1
#define XK_Shift_R          0xffe2
#define XK_Alt_R            0xffea
#define XK_ISO_Level3_Shift 0xfe03
#define XK_Mode_switch      0xff7e

struct out {
	keymap_emit_fn emit;
	void *opaque;
};

static int is_down(const struct keymap_state *s, uint16_t code)
{
	return s->down[code / 8] & (1u << (code % 8));
}

/* Press or release on the guest; a release of a key that is not down is
 * dropped, a press of one that is (client autorepeat) goes through. */
static void key(struct keymap_state *s, const struct out *o, uint16_t code,
		int down, uint32_t keysym, uint32_t xt)
{
	if (!code || code >= KEYMAP_CODES)
		return;
	if (down) {
		s->down[code / 8] |= 1u << (code % 8);
	} else {
		if (!is_down(s, code))
			return;
		s->down[code / 8] &= ~(1u << (code % 8));
	}
	o->emit(o->opaque, code, down, keysym, xt);
}

/* The guest's Shift and AltGr as the client holds them (releases first). */
static void sync_client(struct keymap_state *s, const struct out *o)
{
	const struct { uint16_t code; int want; } m[3] = {
		{ KEY_LEFTSHIFT, s->shift & 1 },
		{ KEY_RIGHTSHIFT, s->shift & 2 },
		{ KEY_RIGHTALT, s->altgr || s->ralt },
	};

	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < 3; i++)
			if (!m[i].want == !pass && !m[i].want != !is_down(s, m[i].code))
				key(s, o, m[i].code, m[i].want, 0, 0);
}

/* The guest's Shift and AltGr as a key at this level needs them. A plain
 * Alt_R the client holds stays down: it is Alt, not AltGr. */
static void set_level(struct keymap_state *s, const struct out *o, int level)
{
	if (level & KEYMAP_ANY) {
		sync_client(s, o);
		return;
	}
	/* Lift what is not wanted before adding what is. */
	if (!(level & KEYMAP_SHIFT)) {
		key(s, o, KEY_LEFTSHIFT, 0, 0, 0);
		key(s, o, KEY_RIGHTSHIFT, 0, 0, 0);
	}
	if (!(level & KEYMAP_ALTGR) && !s->ralt)
		key(s, o, KEY_RIGHTALT, 0, 0, 0);
	if ((level & KEYMAP_SHIFT) && !is_down(s, KEY_LEFTSHIFT) &&
	    !is_down(s, KEY_RIGHTSHIFT))
		key(s, o, KEY_LEFTSHIFT, 1, 0, 0);
	if ((level & KEYMAP_ALTGR) && !is_down(s, KEY_RIGHTALT))
		key(s, o, KEY_RIGHTALT, 1, 0, 0);
}

static void modifier(struct keymap_state *s, const struct out *o,
		     const struct keymap_entry *e, int down)
{
	switch (e->keysym) {
	case XK_Shift_L:
		s->shift = down ? s->shift | 1 : s->shift & ~1;
		break;
	case XK_Shift_R:
		s->shift = down ? s->shift | 2 : s->shift & ~2;
		break;
	case XK_ISO_Level3_Shift:
	case XK_Mode_switch:
		s->altgr = !!down;
		break;
	case XK_Alt_R:
		s->ralt = !!down;
		break;
	}
	/* A modifier still held by the other of a pair stays down. */
	if (!down && ((e->code == KEY_LEFTSHIFT && (s->shift & 1)) ||
		      (e->code == KEY_RIGHTSHIFT && (s->shift & 2)) ||
		      (e->code == KEY_RIGHTALT && (s->altgr || s->ralt))))
		return;
	key(s, o, e->code, down, e->keysym, 0);
}

static int held_tweaked(const struct keymap_state *s)
{
	for (int i = 0; i < KEYMAP_HELD; i++)
		if (s->held[i].keysym && s->held[i].tweaked)
			return 1;
	return 0;
}

static void press(struct keymap_state *s, const struct out *o,
		  const struct keymap_entry *e)
{
	int tweaked = !(e->level & KEYMAP_ANY) || e->dead;

	if (e->dead) {
		const struct keymap_entry *d = keymap_lookup(e->dead);

		if (d) {
			set_level(s, o, d->level);
			key(s, o, d->code, 1, 0, 0);
			key(s, o, d->code, 0, 0, 0);
		}
	}
	set_level(s, o, e->level);
	key(s, o, e->code, 1, e->keysym, 0);
	for (int i = 0; i < KEYMAP_HELD; i++) {
		if (!s->held[i].keysym || s->held[i].keysym == e->keysym) {
			s->held[i].keysym = e->keysym;
			s->held[i].code = e->code;
			s->held[i].tweaked = (uint8_t)tweaked;
			break;
		}
	}
}

static void release(struct keymap_state *s, const struct out *o,
		    uint32_t keysym)
{
	const struct keymap_entry *e;
	int tweaked = 0;
	uint16_t code = 0;

	for (int i = 0; i < KEYMAP_HELD; i++) {
		if (s->held[i].keysym == keysym) {
			code = s->held[i].code;
			tweaked = s->held[i].tweaked;
			memset(&s->held[i], 0, sizeof(s->held[i]));
			break;
		}
	}
	if (!code) {
		e = keymap_lookup(keysym);
		if (!e)
			return;
		code = e->code;
	}
	key(s, o, code, 0, keysym, 0);
	if (tweaked && !held_tweaked(s))
		sync_client(s, o);
}

void keymap_init(struct keymap_state *s)
{
	memset(s, 0, sizeof(*s));
}

void keymap_keysym(struct keymap_state *s, uint32_t keysym, int down,
		   keymap_emit_fn emit, void *opaque)
{
	const struct out o = { emit, opaque };
	const struct keymap_entry *e = keymap_lookup(keysym);

	if (!keysym)
		return;
	if (e && (e->level & KEYMAP_MOD)) {
		modifier(s, &o, e, down);
		return;
	}
	if (!down) {
		release(s, &o, keysym);
		return;
	}
	if (!e) {
		s->unknown++;
		return;
	}
	press(s, &o, e);
}

void keymap_xt(struct keymap_state *s, uint32_t xt, uint32_t keysym, int down,
	       keymap_emit_fn emit, void *opaque)
{
	const struct out o = { emit, opaque };
	uint16_t code = keymap_xt_to_evdev(xt);

	if (!code) {
		keymap_keysym(s, keysym, down, emit, opaque);
		return;
	}
	/* Keep the modifier view right for keysym events that may follow. */
	if (code == KEY_LEFTSHIFT)
		s->shift = down ? s->shift | 1 : s->shift & ~1;
	else if (code == KEY_RIGHTSHIFT)
		s->shift = down ? s->shift | 2 : s->shift & ~2;
	else if (code == KEY_RIGHTALT)
		s->ralt = !!down;
	key(s, &o, code, down, keysym, xt);
}

static int is_modifier(uint16_t code)
{
	switch (code) {
	case KEY_LEFTSHIFT: case KEY_RIGHTSHIFT: case KEY_LEFTCTRL:
	case KEY_RIGHTCTRL: case KEY_LEFTALT: case KEY_RIGHTALT:
	case KEY_LEFTMETA: case KEY_RIGHTMETA:
		return 1;
	}
	return 0;
}

void keymap_release_all(struct keymap_state *s, keymap_emit_fn emit,
			void *opaque)
{
	const struct out o = { emit, opaque };

	for (int pass = 0; pass < 2; pass++)
		for (uint16_t c = 1; c < KEYMAP_CODES; c++)
			if (is_down(s, c) && is_modifier(c) == pass)
				key(s, &o, c, 0, 0, 0);
	keymap_init(s);
}
