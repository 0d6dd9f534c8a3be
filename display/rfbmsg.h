/* SPDX-License-Identifier: MIT */
/*
 * The client-to-server RFB input that porthole-display decodes itself;
 * libvncserver parses every other message. Pure functions on bytes and
 * small state, so that the fuzz target (tests/fuzz/fuzz_rfb_client_msg.c)
 * drives exactly the code the server runs.
 */
#ifndef PORTHOLE_DISPLAY_RFBMSG_H
#define PORTHOLE_DISPLAY_RFBMSG_H

#include <stddef.h>
#include <stdint.h>

/* QEMU client message: type 255, then a subtype byte. */
#define RFB_MSG_QEMU              255
#define RFB_QEMU_EXT_KEY          0
#define RFB_QEMU_EXT_KEY_LEN      10     /* after type and subtype */
#define RFB_ENCODING_QEMU_EXT_KEY (-258) /* pseudo-encoding that enables it */

struct rfb_qemu_key {
	int down;
	uint32_t keysym;
	uint32_t keycode;   /* XT scancode number (keymap_xt_to_evdev) */
};

/* Bytes that follow a QEMU message of this subtype, or -1 for a subtype
 * this server does not speak (the client is then disconnected). */
int rfb_qemu_msg_len(uint8_t subtype);

/* The RFB_QEMU_EXT_KEY_LEN bytes after the subtype: down-flag (u16),
 * keysym (u32), keycode (u32), big-endian. -1 if len is wrong or the
 * down-flag is neither 0 nor 1. */
int rfb_parse_qemu_key(const uint8_t *buf, size_t len, struct rfb_qemu_key *k);

/* PointerEvent button mask: bits 0-2 left, middle, right; 3-6 wheel up,
 * down, left, right (one step per press); 7 back (side button). */
struct rfb_pointer {
	uint8_t mask;       /* the previous event's */
	int seen;           /* any event yet */
	uint16_t x, y;
};

struct rfb_pointer_out {
	int moved;
	uint16_t x, y;
	int buttons_changed;
	uint32_t buttons;   /* SOURCE_BTN_* */
	int32_t wheel_v;    /* > 0: away from the user (up) */
	int32_t wheel_h;    /* > 0: right */
};

void rfb_pointer_event(struct rfb_pointer *p, uint8_t mask, uint16_t x,
		       uint16_t y, struct rfb_pointer_out *out);
/* Buttons to release when the client goes away (0 when none). */
uint32_t rfb_pointer_held(const struct rfb_pointer *p);

/*
 * A FramebufferUpdateRequest as libvncserver hands it to
 * clientFramebufferUpdateRequestHook: host order, already clipped to the
 * screen. libvncserver 0.9.14 keeps a request of zero width or height as a
 * degenerate rectangle and later divides by that width when the client
 * prefers Zlib or Ultra (SIGFPE: any client could kill the display). Such
 * a request asks for nothing, so it becomes an incremental 1x1 request
 * inside the screen: at most one changed pixel goes out and the client's
 * request/update cycle carries on. Returns 1 when it changed the request.
 */
int rfb_fur_sanitize(uint8_t *incremental, uint16_t *x, uint16_t *y,
		     uint16_t *w, uint16_t *h, int width, int height);

#endif
