// SPDX-License-Identifier: MIT
/*
 * The display's input translation without a display: the keysym table
 * (sorted, complete for US and the European symbols it promises), the
 * modifier state machine (a German AltGr '@', a French shifted '1', dead
 * keys, release on disconnect), XT scancodes, QEMU's key message, pointer
 * masks and the 0..32767 pointer scale.
 */
#include "keymap.h"
#include "rfbmsg.h"
#include "source.h"

#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* Events a state machine emitted, as "+30 -30" (code, press/release). */
struct rec {
	char s[1024];
	int n;
};

static void record(void *opaque, uint16_t code, int down, uint32_t keysym,
		   uint32_t xt)
{
	struct rec *r = opaque;
	size_t len = strlen(r->s);

	snprintf(r->s + len, sizeof(r->s) - len, "%s%c%u", len ? " " : "",
		 down ? '+' : '-', code);
	r->n++;
}

static void expect(struct rec *r, const char *want, const char *what)
{
	CHECK(!strcmp(r->s, want), "%s: got \"%s\", want \"%s\"", what, r->s,
	      want);
	r->s[0] = 0;
	r->n = 0;
}

static void sym(struct keymap_state *s, struct rec *r, uint32_t keysym, int down)
{
	keymap_keysym(s, keysym, down, record, r);
}

static void tap(struct keymap_state *s, struct rec *r, uint32_t keysym)
{
	sym(s, r, keysym, 1);
	sym(s, r, keysym, 0);
}

static void table_shape(void)
{
	size_t n;
	const struct keymap_entry *t = keymap_table(&n);

	CHECK(n > 350, "only %zu keysyms", n);
	for (size_t i = 0; i < n; i++) {
		CHECK(i == 0 || t[i - 1].keysym < t[i].keysym,
		      "table not sorted at 0x%x", t[i].keysym);
		CHECK(t[i].code > 0 && t[i].code < KEYMAP_CODES,
		      "0x%x: code %u", t[i].keysym, t[i].code);
		CHECK(keymap_lookup(t[i].keysym) == &t[i], "lookup 0x%x",
		      t[i].keysym);
		if (t[i].dead) {
			const struct keymap_entry *d = keymap_lookup(t[i].dead);

			CHECK(d && !d->dead && (d->keysym & 0xff00) == 0xfe00,
			      "0x%x: dead key 0x%x is not a dead keysym in the table",
			      t[i].keysym, t[i].dead);
		}
	}
	CHECK(!keymap_lookup(0) && !keymap_lookup(0x5d0) &&
	      !keymap_lookup(0xffffffff), "keysyms without a key");
}

/* Every printable ASCII character, at the US level it needs. */
static void us_ascii(void)
{
	static const char shifted[] = "~!@#$%^&*()_+{}|:\"<>?";
	static const struct { char c; uint16_t code; } some[] = {
		{ '`', KEY_GRAVE }, { '~', KEY_GRAVE }, { '1', KEY_1 },
		{ '!', KEY_1 }, { '@', KEY_2 }, { '-', KEY_MINUS },
		{ '_', KEY_MINUS }, { '=', KEY_EQUAL }, { '+', KEY_EQUAL },
		{ '[', KEY_LEFTBRACE }, { '}', KEY_RIGHTBRACE },
		{ '\\', KEY_BACKSLASH }, { '|', KEY_BACKSLASH },
		{ ';', KEY_SEMICOLON }, { ':', KEY_SEMICOLON },
		{ '\'', KEY_APOSTROPHE }, { '"', KEY_APOSTROPHE },
		{ ',', KEY_COMMA }, { '<', KEY_COMMA }, { '.', KEY_DOT },
		{ '>', KEY_DOT }, { '/', KEY_SLASH }, { '?', KEY_SLASH },
		{ ' ', KEY_SPACE }, { 'q', KEY_Q }, { 'Z', KEY_Z },
	};

	for (int c = 0x20; c < 0x7f; c++) {
		const struct keymap_entry *e = keymap_lookup((uint32_t)c);
		int letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

		CHECK(e, "'%c' has no key", c);
		CHECK(!(e->level & KEYMAP_ALTGR) && !e->dead, "'%c' needs AltGr", c);
		if (letter || c == ' ')
			CHECK(e->level == KEYMAP_ANY, "'%c' must keep the client's modifiers", c);
		else
			CHECK(!!(e->level & KEYMAP_SHIFT) == !!strchr(shifted, c),
			      "'%c': shift level %d", c, e->level);
	}
	for (size_t i = 0; i < sizeof(some) / sizeof(some[0]); i++)
		CHECK(keymap_lookup((unsigned char)some[i].c)->code == some[i].code,
		      "'%c'", some[i].c);
}

static void function_keys(void)
{
	static const struct { uint32_t keysym; uint16_t code; } k[] = {
		{ 0xffbe, KEY_F1 }, { 0xffc7, KEY_F10 }, { 0xffc8, KEY_F11 },
		{ 0xffc9, KEY_F12 }, { 0xffca, KEY_F13 }, { 0xffd5, KEY_F24 },
		{ 0xff08, KEY_BACKSPACE }, { 0xff09, KEY_TAB },
		{ 0xff0d, KEY_ENTER }, { 0xff1b, KEY_ESC }, { 0xffff, KEY_DELETE },
		{ 0xff50, KEY_HOME }, { 0xff51, KEY_LEFT }, { 0xff52, KEY_UP },
		{ 0xff53, KEY_RIGHT }, { 0xff54, KEY_DOWN }, { 0xff55, KEY_PAGEUP },
		{ 0xff56, KEY_PAGEDOWN }, { 0xff57, KEY_END },
		{ 0xff63, KEY_INSERT }, { 0xff61, KEY_SYSRQ }, { 0xff13, KEY_PAUSE },
		{ 0xff14, KEY_SCROLLLOCK }, { 0xff7f, KEY_NUMLOCK },
		{ 0xffe5, KEY_CAPSLOCK }, { 0xff67, KEY_COMPOSE },
		{ 0xffb0, KEY_KP0 }, { 0xffb9, KEY_KP9 }, { 0xff8d, KEY_KPENTER },
		{ 0xffab, KEY_KPPLUS }, { 0xffad, KEY_KPMINUS },
		{ 0xffaa, KEY_KPASTERISK }, { 0xffaf, KEY_KPSLASH },
		{ 0xffae, KEY_KPDOT }, { 0xff95, KEY_KP7 }, { 0xff9f, KEY_KPDOT },
		{ 0xffe1, KEY_LEFTSHIFT }, { 0xffe2, KEY_RIGHTSHIFT },
		{ 0xffe3, KEY_LEFTCTRL }, { 0xffe4, KEY_RIGHTCTRL },
		{ 0xffe9, KEY_LEFTALT }, { 0xffea, KEY_RIGHTALT },
		{ 0xffeb, KEY_LEFTMETA }, { 0xffec, KEY_RIGHTMETA },
		{ 0xfe03, KEY_RIGHTALT }, { 0xfe20, KEY_TAB },
		{ 0x1008ff11, KEY_VOLUMEDOWN }, { 0x1008ff12, KEY_MUTE },
		{ 0x1008ff13, KEY_VOLUMEUP }, { 0x1008ff14, KEY_PLAYPAUSE },
		{ 0x1008ff17, KEY_NEXTSONG }, { 0x1008ff16, KEY_PREVIOUSSONG },
		{ 0x1008ff02, KEY_BRIGHTNESSUP }, { 0x1008ff2a, KEY_POWER },
		{ 0x1008ff26, KEY_BACK }, { 0x1008ff1d, KEY_CALC },
	};

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		const struct keymap_entry *e = keymap_lookup(k[i].keysym);

		CHECK(e && e->code == k[i].code, "keysym 0x%x: code %d, want %u",
		      k[i].keysym, e ? e->code : -1, k[i].code);
	}
	for (uint32_t f = 0; f < 24; f++)
		CHECK(keymap_lookup(0xffbe + f), "F%u", f + 1);
}

/* What de, fr, es, it, uk and nordic keyboards have on their keys. */
static void european(void)
{
	static const uint32_t syms[] = {
		0xe4, 0xf6, 0xfc, 0xc4, 0xd6, 0xdc, 0xdf,       /* de */
		0xe9, 0xe8, 0xe0, 0xe7, 0xf9, 0xe2, 0xea, 0xee, /* fr */
		0xf4, 0xfb, 0xeb, 0xef, 0xc9, 0xb0, 0xa7, 0xb5, 0xb2,
		0xf1, 0xd1, 0xe1, 0xed, 0xf3, 0xfa, 0xbf, 0xa1, /* es */
		0xec, 0xf2,                                     /* it */
		0xa3, 0xac, 0xa6,                               /* uk */
		0xe5, 0xc5, 0xe6, 0xc6, 0xf8, 0xd8, 0xa4, 0xbd, /* nordic */
		0x20ac, 0xab, 0xbb, 0xa8, 0xb4,                 /* € « » ¨ ´ */
		0xfe50, 0xfe51, 0xfe52, 0xfe53, 0xfe57,         /* dead keys */
		'@', '{', '}', '[', ']', '\\', '|', '~', '#', '$',
	};

	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
		CHECK(keymap_lookup(syms[i]), "keysym 0x%x has no key", syms[i]);
}

static void state_machine(void)
{
	struct keymap_state s;
	struct rec r = { "", 0 };
	char want[128];

	keymap_init(&s);
	/* US: Shift+a types 'A' with the client's own Shift. */
	sym(&s, &r, 0xffe1, 1);
	tap(&s, &r, 'A');
	sym(&s, &r, 0xffe1, 0);
	expect(&r, "+42 +30 -30 -42", "Shift+A");
	/* Caps Lock on the client: 'A' alone is just the A key. */
	tap(&s, &r, 'A');
	expect(&r, "+30 -30", "A with Caps Lock");
	/* '!' without the client's Shift: added around the key. */
	tap(&s, &r, '!');
	expect(&r, "+42 +2 -2 -42", "! on its own");
	/* German '@' = AltGr+Q: AltGr lifted, Shift+2, AltGr back. */
	sym(&s, &r, 0xfe03, 1);
	sym(&s, &r, '@', 1);
	sym(&s, &r, '@', 0);
	sym(&s, &r, 0xfe03, 0);
	snprintf(want, sizeof(want), "+%d -%d +42 +3 -3 -42 +%d -%d", KEY_RIGHTALT,
		 KEY_RIGHTALT, KEY_RIGHTALT, KEY_RIGHTALT);
	expect(&r, want, "German AltGr+Q for @");
	/* French '1' = Shift+&: Shift lifted for the key, back after. */
	sym(&s, &r, 0xffe1, 1);
	tap(&s, &r, '1');
	sym(&s, &r, 0xffe1, 0);
	expect(&r, "+42 -42 +2 -2 +42 -42", "French Shift+& for 1");
	/* Ctrl+C: letters keep the client's modifiers. */
	sym(&s, &r, 0xffe3, 1);
	tap(&s, &r, 'c');
	sym(&s, &r, 0xffe3, 0);
	expect(&r, "+29 +46 -46 -29", "Ctrl+C");
	/* é: AltGr+e on us(altgr-intl). */
	tap(&s, &r, 0xe9);
	snprintf(want, sizeof(want), "+%d +18 -18 -%d", KEY_RIGHTALT, KEY_RIGHTALT);
	expect(&r, want, "eacute");
	/* È: dead grave (AltGr+`), then Shift+E. */
	tap(&s, &r, 0xc8);
	snprintf(want, sizeof(want), "+%d +41 -41 -%d +42 +18 -18 -42",
		 KEY_RIGHTALT, KEY_RIGHTALT);
	expect(&r, want, "Egrave");
	/* ´ is the dead acute twice (a dead key then space gives '). */
	tap(&s, &r, 0xb4);
	snprintf(want, sizeof(want), "+%d +40 -40 +40 -40 -%d", KEY_RIGHTALT,
		 KEY_RIGHTALT);
	expect(&r, want, "acute");
	/* A keysym no US keyboard has: nothing, counted. */
	tap(&s, &r, 0x5d0);
	expect(&r, "", "Arabic alef");
	CHECK(s.unknown == 1, "unknown count %u", s.unknown);
	/* A release without a press is dropped. */
	sym(&s, &r, 'x', 0);
	expect(&r, "", "release of a key that is not down");
	/* Autorepeat presses pass through, one release ends them. */
	sym(&s, &r, 'x', 1);
	sym(&s, &r, 'x', 1);
	sym(&s, &r, 'x', 0);
	expect(&r, "+45 +45 -45", "autorepeat");
	/* Gone while holding Ctrl+Shift+Z: keys first, then modifiers. */
	sym(&s, &r, 0xffe3, 1);
	sym(&s, &r, 0xffe1, 1);
	sym(&s, &r, 'Z', 1);
	expect(&r, "+29 +42 +44", "Ctrl+Shift+Z held");
	keymap_release_all(&s, record, &r);
	expect(&r, "-44 -29 -42", "release on disconnect");
	/* Nothing left: a second release_all is silent. */
	keymap_release_all(&s, record, &r);
	expect(&r, "", "nothing held");
}

static void scancodes(void)
{
	static const struct { uint32_t xt; uint16_t code; } k[] = {
		{ 0x01, KEY_ESC }, { 0x1e, KEY_A }, { 0x2a, KEY_LEFTSHIFT },
		{ 0x39, KEY_SPACE }, { 0x53, KEY_KPDOT }, { 0x54, KEY_SYSRQ },
		{ 0x56, KEY_102ND }, { 0x57, KEY_F11 }, { 0x58, KEY_F12 },
		{ 0x5d, KEY_F13 }, { 0x6f, KEY_F24 }, { 0x73, KEY_RO },
		{ 0x7d, KEY_YEN }, { 0x9c, KEY_KPENTER }, { 0x9d, KEY_RIGHTCTRL },
		{ 0xb5, KEY_KPSLASH }, { 0xb7, KEY_SYSRQ }, { 0xb8, KEY_RIGHTALT },
		{ 0xc6, KEY_PAUSE }, { 0xc7, KEY_HOME }, { 0xc8, KEY_UP },
		{ 0xcb, KEY_LEFT }, { 0xcd, KEY_RIGHT }, { 0xd0, KEY_DOWN },
		{ 0xd2, KEY_INSERT }, { 0xd3, KEY_DELETE }, { 0xdb, KEY_LEFTMETA },
		{ 0xdc, KEY_RIGHTMETA }, { 0xdd, KEY_COMPOSE }, { 0xde, KEY_POWER },
		{ 0xa0, KEY_MUTE }, { 0xae, KEY_VOLUMEDOWN }, { 0xb0, KEY_VOLUMEUP },
		{ 0xe01d, KEY_RIGHTCTRL }, { 0xe048, KEY_UP },
		{ 0, 0 }, { 0x7f, 0 }, { 0xe0ff, 0 }, { 0xe1, 0 }, { 0x100, 0 },
		{ 0x1e00, 0 }, { 0xffffffff, 0 }, { 0x1e0001d, 0 },
	};
	struct keymap_state s;
	struct rec r = { "", 0 };

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		CHECK(keymap_xt_to_evdev(k[i].xt) == k[i].code,
		      "XT 0x%x: %u, want %u", k[i].xt, keymap_xt_to_evdev(k[i].xt),
		      k[i].code);
	for (uint32_t x = 1; x <= 0x53; x++)
		CHECK(keymap_xt_to_evdev(x) == x, "plain XT 0x%x", x);
	/* A French client's A key (keysym q): the scancode wins. */
	keymap_init(&s);
	keymap_xt(&s, 0x1e, 'q', 1, record, &r);
	keymap_xt(&s, 0x1e, 'q', 0, record, &r);
	expect(&r, "+30 -30", "scancode over keysym");
	/* An unknown scancode falls back to the keysym. */
	keymap_xt(&s, 0, 'q', 1, record, &r);
	keymap_xt(&s, 0, 'q', 0, record, &r);
	expect(&r, "+16 -16", "keysym fallback");
	/* A raw Shift is the client's Shift for keysym events after it. */
	keymap_xt(&s, 0x2a, 0xffe1, 1, record, &r);
	tap(&s, &r, 'a');
	keymap_xt(&s, 0x2a, 0xffe1, 0, record, &r);
	expect(&r, "+42 +30 -30 -42", "raw Shift, then a keysym");
}

static void qemu_message(void)
{
	static const uint8_t ok[10] = { 0, 1, 0, 0, 0, 0x61, 0, 0, 0, 0x9d };
	uint8_t bad[10];
	struct rfb_qemu_key k;

	CHECK(rfb_qemu_msg_len(RFB_QEMU_EXT_KEY) == RFB_QEMU_EXT_KEY_LEN &&
	      rfb_qemu_msg_len(1) < 0 && rfb_qemu_msg_len(255) < 0, "subtypes");
	CHECK(rfb_parse_qemu_key(ok, sizeof(ok), &k) == 0 && k.down == 1 &&
	      k.keysym == 0x61 && k.keycode == 0x9d, "a key message");
	CHECK(rfb_parse_qemu_key(ok, 9, &k) < 0, "short");
	memcpy(bad, ok, sizeof(bad));
	bad[1] = 2;
	CHECK(rfb_parse_qemu_key(bad, sizeof(bad), &k) < 0, "down-flag 2");
	bad[0] = 1;
	bad[1] = 0;
	CHECK(rfb_parse_qemu_key(bad, sizeof(bad), &k) < 0, "down-flag 256");
}

static void pointer(void)
{
	struct rfb_pointer p = { 0 };
	struct rfb_pointer_out o;

	rfb_pointer_event(&p, 0, 10, 20, &o);
	CHECK(o.moved && o.x == 10 && o.y == 20 && !o.buttons_changed &&
	      !o.wheel_v && !o.wheel_h, "first motion");
	rfb_pointer_event(&p, 1, 10, 20, &o);
	CHECK(!o.moved && o.buttons_changed && o.buttons == SOURCE_BTN_LEFT,
	      "left down");
	rfb_pointer_event(&p, 1 | 4, 11, 20, &o);
	CHECK(o.moved && o.buttons == (SOURCE_BTN_LEFT | SOURCE_BTN_RIGHT),
	      "right down, moved");
	rfb_pointer_event(&p, 2, 11, 20, &o);
	CHECK(o.buttons == SOURCE_BTN_MIDDLE, "middle only");
	CHECK(rfb_pointer_held(&p) == SOURCE_BTN_MIDDLE, "held");
	rfb_pointer_event(&p, 2 | 8, 11, 20, &o);
	CHECK(o.wheel_v == 1 && !o.wheel_h && !o.buttons_changed, "wheel up");
	rfb_pointer_event(&p, 2 | 8, 11, 20, &o);
	CHECK(!o.wheel_v, "a held wheel bit is one step");
	rfb_pointer_event(&p, 2 | 16, 11, 20, &o);
	CHECK(o.wheel_v == -1, "wheel down");
	rfb_pointer_event(&p, 32, 11, 20, &o);
	CHECK(o.wheel_h == -1 && o.buttons == 0, "wheel left, middle up");
	rfb_pointer_event(&p, 64, 11, 20, &o);
	CHECK(o.wheel_h == 1, "wheel right");
	rfb_pointer_event(&p, 0x80, 11, 20, &o);
	CHECK(o.buttons == SOURCE_BTN_SIDE, "back button");
}

/* The guest computes pixel = v * (size - 1) / 32767: every pixel must
 * come back exactly, for every size a surface can have. */
static void abs_scale(void)
{
	for (uint32_t size = 1; size <= 8192; size++) {
		for (uint32_t p = 0; p < size; p++) {
			uint32_t v = source_abs_from_px(p, size);
			uint64_t back = size > 1 ? (uint64_t)v * (size - 1) / 32767 : 0;

			CHECK(v <= 32767 && back == p, "size %u: pixel %u -> %u -> %llu",
			      size, p, v, (unsigned long long)back);
		}
	}
	CHECK(source_abs_from_px(5000, 640) == 32767, "clamped");
}

int main(void)
{
	table_shape();
	us_ascii();
	function_keys();
	european();
	state_machine();
	scancodes();
	qemu_message();
	pointer();
	abs_scale();
	printf("keymap, scancodes, QEMU key message, pointer: ok\n");
	return 0;
}
