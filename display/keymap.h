/* SPDX-License-Identifier: MIT */
/*
 * Keys from VNC clients to evdev codes for the guest (policy: docs/display.md).
 *
 * The guest is assumed to use a US layout. A keysym maps to the US key that
 * types it plus the modifiers that key needs: Shift, and for symbols beyond
 * US the AltGr level of the "English (intl., with AltGr dead keys)" variant
 * (xkb us(altgr-intl), a superset of US), possibly after one of its dead
 * keys. Clients send their own modifier events; when a keysym needs other
 * modifiers than the client holds (a German client's AltGr+Q for '@', a
 * French client's Shift+& for '1'), the state machine below lifts or adds
 * Shift/AltGr around that key and restores the client's state afterwards.
 * Letters, the keypad and non-printing keys take the client's modifiers as
 * they are (Caps Lock, Ctrl+Shift+A).
 *
 * QEMU's extended key event carries the XT scancode of the physical key:
 * that is passed through unchanged (the guest's own layout applies).
 */
#ifndef PORTHOLE_DISPLAY_KEYMAP_H
#define PORTHOLE_DISPLAY_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

#define KEYMAP_CODES   0x300  /* KEY_CNT */
#define KEYMAP_HELD    32     /* keysyms one client can hold at once */

/* Modifiers a keysym needs on the guest's keyboard. */
#define KEYMAP_SHIFT   1
#define KEYMAP_ALTGR   2
#define KEYMAP_ANY     4      /* use the client's modifiers as they are */
#define KEYMAP_MOD     8      /* a modifier key itself (tracked) */

struct keymap_entry {
	uint32_t keysym;
	uint16_t code;        /* evdev KEY_* */
	uint8_t level;        /* KEYMAP_* */
	uint32_t dead;        /* a dead keysym to type first, or 0 */
};

/* The table, sorted by keysym (for tests). */
const struct keymap_entry *keymap_table(size_t *n);
/* NULL for keysyms a US(altgr-intl) keyboard cannot type. */
const struct keymap_entry *keymap_lookup(uint32_t keysym);

/* QEMU XT scancode number (0x01-0x7f, 0x80|b for 0xe0 b, or 0xe0bb) to
 * evdev; 0 when unknown. */
uint16_t keymap_xt_to_evdev(uint32_t xt);

/* One client's keyboard, as the guest sees it. */
struct keymap_state {
	uint8_t down[KEYMAP_CODES / 8];  /* codes this client holds on the guest */
	uint8_t shift;                   /* client holds: 1 Shift_L, 2 Shift_R */
	uint8_t altgr;                   /* client holds ISO_Level3_Shift/Mode_switch */
	uint8_t ralt;                    /* client holds Alt_R as plain Alt */
	struct {
		uint32_t keysym;
		uint16_t code;
		uint8_t tweaked;             /* restore modifiers on release */
	} held[KEYMAP_HELD];
	uint32_t unknown;                /* keysyms dropped (no key for them) */
};

/* evdev event out: keysym is the client's (0 for a modifier added or lifted
 * for the guest's layout); xt the scancode it came with, if any. */
typedef void (*keymap_emit_fn)(void *opaque, uint16_t code, int down,
			       uint32_t keysym, uint32_t xt);

void keymap_init(struct keymap_state *s);
/* An RFB KeyEvent. */
void keymap_keysym(struct keymap_state *s, uint32_t keysym, int down,
		   keymap_emit_fn emit, void *opaque);
/* A QEMU extended key event; falls back to the keysym when xt is unknown. */
void keymap_xt(struct keymap_state *s, uint32_t xt, uint32_t keysym, int down,
	       keymap_emit_fn emit, void *opaque);
/* Release everything this client holds (it disconnected). */
void keymap_release_all(struct keymap_state *s, keymap_emit_fn emit,
			void *opaque);

#endif
