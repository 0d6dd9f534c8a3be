// SPDX-License-Identifier: MIT
#include "rfbmsg.h"

#include "source.h"

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

int rfb_qemu_msg_len(uint8_t subtype)
{
	return subtype == RFB_QEMU_EXT_KEY ? RFB_QEMU_EXT_KEY_LEN : -1;
}

int rfb_parse_qemu_key(const uint8_t *buf, size_t len, struct rfb_qemu_key *k)
{
	uint16_t down;

	if (len != RFB_QEMU_EXT_KEY_LEN)
		return -1;
	down = (uint16_t)(buf[0] << 8 | buf[1]);
	if (down > 1)
		return -1;
	k->down = down;
	k->keysym = be32(buf + 2);
	k->keycode = be32(buf + 6);
	return 0;
}

static uint32_t buttons_of(uint8_t mask)
{
	uint32_t b = 0;

	if (mask & 1)
		b |= SOURCE_BTN_LEFT;
	if (mask & 2)
		b |= SOURCE_BTN_MIDDLE;
	if (mask & 4)
		b |= SOURCE_BTN_RIGHT;
	if (mask & 0x80)
		b |= SOURCE_BTN_SIDE;
	return b;
}

void rfb_pointer_event(struct rfb_pointer *p, uint8_t mask, uint16_t x,
		       uint16_t y, struct rfb_pointer_out *out)
{
	uint8_t pressed = mask & ~p->mask;

	out->moved = !p->seen || x != p->x || y != p->y;
	out->x = x;
	out->y = y;
	out->buttons = buttons_of(mask);
	out->buttons_changed = out->buttons != buttons_of(p->mask);
	out->wheel_v = !!(pressed & 0x08) - !!(pressed & 0x10);
	out->wheel_h = !!(pressed & 0x40) - !!(pressed & 0x20);
	p->mask = mask;
	p->seen = 1;
	p->x = x;
	p->y = y;
}

uint32_t rfb_pointer_held(const struct rfb_pointer *p)
{
	return buttons_of(p->mask);
}

int rfb_fur_sanitize(uint8_t *incremental, uint16_t *x, uint16_t *y,
		     uint16_t *w, uint16_t *h, int width, int height)
{
	if (*w && *h)
		return 0;
	*incremental = 1;
	*x = *x < width ? *x : (uint16_t)(width - 1);
	*y = *y < height ? *y : (uint16_t)(height - 1);
	*w = 1;
	*h = 1;
	return 1;
}
