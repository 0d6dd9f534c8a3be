// SPDX-License-Identifier: MIT
/*
 * Input from an RDP client, on its peer thread, into the display's inputq:
 * - scancodes (set 1, KBD_FLAGS_EXTENDED for the 0xe0 keys) as QEMU's XT
 *   numbers through the client's keymap state, so the guest gets the
 *   physical key whatever the client's layout;
 * - Unicode key events as keysyms (the US-layout model of keymap.h);
 * - the pointer: absolute, buttons, wheel and horizontal wheel (120 units a
 *   step), X1/X2 as the side and extra buttons;
 * - the synchronize event: the lock keys are set to what the client says,
 *   by tapping the ones that differ from what the guest was left with.
 * Nothing is taken before the logon check has passed.
 */
#include "rdp_priv.h"

#include <linux/input-event-codes.h>

#include <freerdp/input.h>

#define WHEEL_STEP 120
#define XT_PAUSE   0xc6    /* QEMU's number for Pause (0xe1 0x1d 0x45) */
#define XK_SHIFT_L 0xffe1

static struct rdp_peer *peer_of(rdpInput *in)
{
	struct rdp_peer *p = in->context->peer->ContextExtra;

	return p && p->authed ? p : NULL;
}

static void push(struct rdp_peer *p, const struct input_event *ev)
{
	inputq_push(p->r->q, ev);
}

static void emit_key(void *opaque, uint16_t code, int down, uint32_t keysym,
		     uint32_t xt)
{
	struct rdp_peer *p = opaque;
	struct input_event ev = { .kind = INPUT_KEY };

	ev.u.key = (struct source_key){ code, (uint8_t)!!down, keysym, xt };
	push(p, &ev);
}

static uint32_t lock_bit(uint16_t code)
{
	switch (code) {
	case KEY_SCROLLLOCK: return KBD_SYNC_SCROLL_LOCK;
	case KEY_NUMLOCK:    return KBD_SYNC_NUM_LOCK;
	case KEY_CAPSLOCK:   return KBD_SYNC_CAPS_LOCK;
	}
	return 0;
}

static BOOL on_key(rdpInput *in, UINT16 flags, UINT16 code)
{
	struct rdp_peer *p = peer_of(in);
	int down = !(flags & KBD_FLAGS_RELEASE);
	uint32_t xt, bit;

	if (!p || code > 0x7f)
		return TRUE;
	/* Pause is 0xe1 0x1d 0x45: the second half is swallowed. */
	if (flags & KBD_FLAGS_EXTENDED1) {
		if (code == 0x1d) {
			keymap_xt(&p->kbd, XT_PAUSE, 0, down, emit_key, p);
			p->pause_pending = 1;
		}
		return TRUE;
	}
	if (p->pause_pending && code == 0x45 && !(flags & KBD_FLAGS_EXTENDED)) {
		p->pause_pending = 0;
		return TRUE;
	}
	xt = flags & KBD_FLAGS_EXTENDED ? 0x80 | code : code;
	bit = lock_bit(keymap_xt_to_evdev(xt));
	if (bit && down && !(flags & KBD_FLAGS_DOWN)) {
		pthread_mutex_lock(&p->r->lock);
		p->r->lock_keys ^= bit;
		pthread_mutex_unlock(&p->r->lock);
	}
	keymap_xt(&p->kbd, xt, 0, down, emit_key, p);
	return TRUE;
}

/*
 * A Unicode letter says its case, a keysym does not (keymap.h lets letters
 * take the client's own Shift and Caps Lock): so Shift is added around an
 * ASCII letter whose case needs it, given the Caps Lock state the clients
 * left the guest with, when the client does not hold Shift already.
 */
static int letter_needs_shift(struct rdp_peer *p, uint16_t code)
{
	int upper = code >= 'A' && code <= 'Z', caps;

	if (!upper && !(code >= 'a' && code <= 'z'))
		return 0;
	pthread_mutex_lock(&p->r->lock);
	caps = !!(p->r->lock_keys & KBD_SYNC_CAPS_LOCK);
	pthread_mutex_unlock(&p->r->lock);
	return upper != caps && !p->kbd.shift;
}

static BOOL on_unicode(rdpInput *in, UINT16 flags, UINT16 code)
{
	struct rdp_peer *p = peer_of(in);
	int down = !(flags & KBD_FLAGS_RELEASE);
	uint32_t keysym;

	if (!p || (code >= 0xd800 && code <= 0xdfff))
		return TRUE;        /* beyond the BMP: no key types it */
	switch (code) {
	case '\b': keysym = 0xff08; break;      /* XK_BackSpace */
	case '\t': keysym = 0xff09; break;      /* XK_Tab */
	case '\r': case '\n': keysym = 0xff0d; break;   /* XK_Return */
	case 0x1b: keysym = 0xff1b; break;      /* XK_Escape */
	case 0x7f: keysym = 0xffff; break;      /* XK_Delete */
	default:
		if (code < 0x20)
			return TRUE;
		keysym = code < 0x100 ? code : 0x01000000u | code;
	}
	if (down && !p->uni_shift && letter_needs_shift(p, code)) {
		keymap_keysym(&p->kbd, XK_SHIFT_L, 1, emit_key, p);
		p->uni_shift = code;
	}
	keymap_keysym(&p->kbd, keysym, down, emit_key, p);
	if (!down && p->uni_shift == code) {
		keymap_keysym(&p->kbd, XK_SHIFT_L, 0, emit_key, p);
		p->uni_shift = 0;
	}
	return TRUE;
}

/* The client's lock-key state, set on the guest by tapping what differs. */
static BOOL on_sync(rdpInput *in, UINT32 flags)
{
	static const uint16_t keys[] = { KEY_SCROLLLOCK, KEY_NUMLOCK, KEY_CAPSLOCK };
	struct rdp_peer *p = peer_of(in);
	uint32_t was, want = flags & (KBD_SYNC_SCROLL_LOCK | KBD_SYNC_NUM_LOCK |
				      KBD_SYNC_CAPS_LOCK);

	if (!p)
		return TRUE;
	pthread_mutex_lock(&p->r->lock);
	was = p->r->lock_keys;
	p->r->lock_keys = want;
	pthread_mutex_unlock(&p->r->lock);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!((was ^ want) & lock_bit(keys[i])))
			continue;
		emit_key(p, keys[i], 1, 0, 0);
		emit_key(p, keys[i], 0, 0, 0);
	}
	return TRUE;
}

static void move(struct rdp_peer *p, UINT16 x, UINT16 y)
{
	struct input_event ev = { .kind = INPUT_POINTER };

	p->mouse.x = x < p->width ? x : p->width - 1;
	p->mouse.y = y < p->height ? y : p->height - 1;
	p->mouse.moved_ms = dloop_now_ms();
	ev.u.ptr.x = p->mouse.x;
	ev.u.ptr.y = p->mouse.y;
	push(p, &ev);
}

static void set_button(struct rdp_peer *p, uint32_t button, int down)
{
	struct input_event ev = { .kind = INPUT_BUTTONS };
	uint32_t was = p->mouse.buttons;

	p->mouse.buttons = down ? was | button : was & ~button;
	if (p->mouse.buttons == was)
		return;
	ev.u.buttons = p->mouse.buttons;
	push(p, &ev);
}

/* rotation: 9-bit two's complement, positive away from the user (or to
 * the right); whole steps of 120 go to the guest, the rest waits. */
static void wheel(struct rdp_peer *p, int32_t *acc, UINT16 flags, int vertical)
{
	struct input_event ev = { .kind = INPUT_WHEEL };
	int32_t rot = flags & 0x1ff, steps;

	if (flags & PTR_FLAGS_WHEEL_NEGATIVE)
		rot -= 0x200;
	*acc += rot;
	steps = *acc / WHEEL_STEP;
	*acc -= steps * WHEEL_STEP;
	if (!steps)
		return;
	ev.u.wheel.v = vertical ? steps : 0;
	ev.u.wheel.h = vertical ? 0 : steps;
	push(p, &ev);
}

static BOOL on_mouse(rdpInput *in, UINT16 flags, UINT16 x, UINT16 y)
{
	struct rdp_peer *p = peer_of(in);
	int down = !!(flags & PTR_FLAGS_DOWN);

	if (!p)
		return TRUE;
	/* Wheel events carry no usable position (FreeRDP sends 0,0). */
	if (flags & PTR_FLAGS_WHEEL) {
		wheel(p, &p->mouse.wheel_v, flags, 1);
		return TRUE;
	}
	if (flags & PTR_FLAGS_HWHEEL) {
		wheel(p, &p->mouse.wheel_h, flags, 0);
		return TRUE;
	}
	if (flags & (PTR_FLAGS_MOVE | PTR_FLAGS_BUTTON1 | PTR_FLAGS_BUTTON2 |
		     PTR_FLAGS_BUTTON3))
		move(p, x, y);
	if (flags & PTR_FLAGS_BUTTON1)
		set_button(p, SOURCE_BTN_LEFT, down);
	if (flags & PTR_FLAGS_BUTTON2)
		set_button(p, SOURCE_BTN_RIGHT, down);
	if (flags & PTR_FLAGS_BUTTON3)
		set_button(p, SOURCE_BTN_MIDDLE, down);
	return TRUE;
}

static BOOL on_xmouse(rdpInput *in, UINT16 flags, UINT16 x, UINT16 y)
{
	struct rdp_peer *p = peer_of(in);
	int down = !!(flags & PTR_XFLAGS_DOWN);

	if (!p)
		return TRUE;
	move(p, x, y);
	if (flags & PTR_XFLAGS_BUTTON1)
		set_button(p, SOURCE_BTN_SIDE, down);
	if (flags & PTR_XFLAGS_BUTTON2)
		set_button(p, SOURCE_BTN_EXTRA, down);
	return TRUE;
}

void rdp_input_register(struct rdp_peer *p)
{
	rdpInput *in = p->client->context->input;

	in->SynchronizeEvent = on_sync;
	in->KeyboardEvent = on_key;
	in->UnicodeKeyboardEvent = on_unicode;
	in->MouseEvent = on_mouse;
	in->ExtendedMouseEvent = on_xmouse;
}

/* The client left: nothing stays pressed on the guest. */
void rdp_input_release(struct rdp_peer *p)
{
	struct input_event ev = { .kind = INPUT_BUTTONS };

	if (!p->authed)
		return;
	keymap_release_all(&p->kbd, emit_key, p);
	if (p->mouse.buttons)
		push(p, &ev);
	p->mouse.buttons = 0;
}
