// SPDX-License-Identifier: MIT
/*
 * virtio-input: keyboard, tablet and mouse (vio.h). The event queue is
 * kept full of 8-byte buffers; each event is echoed on COM1 and then acts
 * on the desktop: keys type into the text area, motion moves the pointer
 * (drawn once per EV_SYN, so a move of X and Y is one redraw).
 */
#include "demo.h"

#include "serial.h"

#define KEY_A		30
#define KEY_LEFTSHIFT	42
#define KEY_RIGHTSHIFT	54
#define REL_X		0
#define REL_Y		1
#define ABS_X		0
#define ABS_Y		1

/*
 * US layout for evdev codes 0..57: digits, letters, punctuation, space;
 * '\b' Backspace, '\n' Enter, 0 for keys that type nothing. Adjacent
 * literals keep each row of the keyboard recognisable.
 */
static const char keymap[2][59] = {
	"\0\0" "1234567890-=" "\b\0" "qwertyuiop[]" "\n\0" "asdfghjkl;'`"
	"\0\\" "zxcvbnm,./" "\0*\0 ",
	"\0\0" "!@#$%^&*()_+" "\b\0" "QWERTYUIOP{}" "\n\0" "ASDFGHJKL:\"~"
	"\0|" "ZXCVBNM<>?" "\0*\0 ",
};
_Static_assert(sizeof(keymap[0]) == 59, "keymap covers codes 0..57");

/* Does the device report `bit` among EV_BITS of event type `type`? */
static bool has_bit(struct vdev *v, uint8_t type, unsigned bit)
{
	uint8_t size;

	virtio_cfg_w8(v, 0, VIRTIO_INPUT_CFG_EV_BITS);
	virtio_cfg_w8(v, 1, type);
	size = virtio_cfg8(v, 2);
	if (bit / 8 >= size)
		return false;
	return virtio_cfg8(v, 8 + bit / 8) >> (bit % 8) & 1;
}

/* The axis range from ABS_INFO; the contract's 0..32767 if it is bogus. */
static void abs_range(struct vinput *in, unsigned axis)
{
	struct vdev *v = in->dev;
	int32_t min = 0, max = DEMO_ABS_MAX;

	virtio_cfg_w8(v, 0, VIRTIO_INPUT_CFG_ABS_INFO);
	virtio_cfg_w8(v, 1, axis);
	if (virtio_cfg8(v, 2) >= 8) {
		int32_t lo = virtio_cfg32(v, 8), hi = virtio_cfg32(v, 12);

		if (hi > lo) {
			min = lo;
			max = hi;
		}
	}
	in->abs_min[axis] = min;
	in->abs_max[axis] = max;
}

/* Absolute axes mean a tablet, REL_X a mouse (a tablet may have a REL
 * wheel, so REL alone is not enough), KEY_A a keyboard. */
static const char *identify(struct vinput *in)
{
	struct vdev *v = in->dev;

	if (has_bit(v, EV_ABS, ABS_X)) {
		abs_range(in, ABS_X);
		abs_range(in, ABS_Y);
		return "tablet";
	}
	if (has_bit(v, EV_REL, REL_X))
		return "mouse";
	if (has_bit(v, EV_KEY, KEY_A))
		return "kbd";
	return NULL;
}

static void give_buffer(struct vinput *in, struct virtio_input_event *e)
{
	struct vbuf b = { e, sizeof(*e) };

	vq_add(&in->eventq, NULL, 0, &b, 1, e);
}

bool vinput_setup(struct demo *d, struct vinput *in, const char **why)
{
	struct vdev *v = in->dev;
	const char *name;

	if (!in->page && !(in->page = vio_page(&d->vio))) {
		*why = "out of ring pages";
		return false;
	}
	if (!virtio_begin(v, 0, why))
		return false;
	name = identify(in);
	if (!name) {
		*why = "neither keyboard, tablet nor mouse";
		virtio_fail(v);
		return false;
	}
	v->name = name;
	if (!virtio_queue(v, &in->eventq, 0, in->page, VQ_MAX, why)) {
		virtio_fail(v);
		return false;
	}
	virtio_driver_ok(v);
	for (int i = 0; i < in->eventq.size; i++)
		give_buffer(in, &in->ev[i]);
	vq_kick(&in->eventq);
	return true;
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void key(struct demo *d, uint16_t code, int32_t value)
{
	struct vio *v = &d->vio;
	char c;

	if (code == KEY_LEFTSHIFT || code == KEY_RIGHTSHIFT) {
		*(code == KEY_LEFTSHIFT ? &v->shift_l : &v->shift_r) = value != 0;
		return;
	}
	if (value == 0 || code >= sizeof(keymap[0]) - 1)
		return;		/* releases type nothing; 2 is auto-repeat */
	c = keymap[v->shift_l || v->shift_r][code];
	if (c == '\b')
		text_backspace(d);
	else if (c == '\n')
		text_enter(d);
	else if (c)
		text_type(d, (unsigned char)c);
}

static void motion(struct demo *d, struct vinput *in, uint16_t type,
		   uint16_t code, int32_t value)
{
	struct pointer *p = &d->vio.ptr;
	int64_t w = d->fb.width, h = d->fb.height;

	if (!d->fb.base || code > 1)
		return;		/* wheels and other axes are only echoed */
	if (type == EV_REL) {
		if (code == REL_X)
			p->x = clamp(p->x + value, 0, w - 1);
		else
			p->y = clamp(p->y + value, 0, h - 1);
	} else {
		int64_t min = in->abs_min[code];
		int64_t span = (int64_t)in->abs_max[code] - min;
		int64_t size = code == ABS_X ? w : h, pos;

		if (span <= 0) {	/* ABS from a device that is no tablet */
			min = 0;
			span = DEMO_ABS_MAX;
		}
		pos = clamp((int64_t)value - min, 0, span);

		/* DEMO_ABS_TO_PIXEL, for the device's own range */
		pos = pos * (size - 1) / span;
		if (code == ABS_X)
			p->x = pos;
		else
			p->y = pos;
	}
	p->moved = true;
}

static void event(struct demo *d, struct vinput *in,
		  const struct virtio_input_event *e)
{
	int32_t value = (int32_t)e->value;
	struct line l;

	line_init(&l);
	line_str(&l, "input ");
	line_str(&l, in->dev->name);
	line_str(&l, " ");
	line_dec(&l, e->type);
	line_str(&l, " ");
	line_dec(&l, e->code);
	line_str(&l, value < 0 ? " -" : " ");
	line_dec(&l, value < 0 ? -(int64_t)value : value);
	serial_line(&l);

	switch (e->type) {
	case EV_SYN:
		if (d->vio.ptr.moved) {
			d->vio.ptr.moved = false;
			fb_cursor_move(&d->fb, d->vio.ptr.x, d->vio.ptr.y);
		}
		break;
	case EV_KEY:
		key(d, e->code, value);
		break;
	case EV_REL:
	case EV_ABS:
		motion(d, in, e->type, e->code, value);
		break;
	}
}

void vinput_poll(struct demo *d, struct vinput *in)
{
	struct virtio_input_event *e;
	uint32_t len;
	bool given = false;

	while ((e = vq_get(&in->eventq, &len))) {
		if (len >= sizeof(*e))
			event(d, in, e);
		give_buffer(in, e);
		given = true;
	}
	if (given)
		vq_kick(&in->eventq);
	if (in->eventq.broken) {
		vio_report(in->dev, "the device returned a bad used entry");
		virtio_fail(in->dev);
	}
}
