// SPDX-License-Identifier: MIT
#include "input.h"

#include <linux/input-event-codes.h>
#include <string.h>

/* VMM_INPUT_BTN_* bit n is BTN_LEFT + n. */
#define NR_BUTTONS 5

struct report {
	int n;
	struct vinput_event ev[VINPUT_REPORT_MAX];
};

static void add(struct report *r, uint16_t type, uint16_t code, int32_t value)
{
	r->ev[r->n++] = (struct vinput_event){ type, code, (uint32_t)value };
}

/* Events for buttons whose state differs between `from` and `to`. */
static void add_buttons(struct report *r, uint32_t from, uint32_t to)
{
	for (int i = 0; i < NR_BUTTONS; i++)
		if ((from ^ to) & (1u << i))
			add(r, EV_KEY, BTN_LEFT + i, !!(to & (1u << i)));
}

static struct vinput *pointer(struct vmm_input *in)
{
	return in->relative ? &in->mouse : &in->tablet;
}

static int emit(struct vinput *vi, const struct report *r)
{
	return r->n ? vinput_send(vi, r->ev, r->n) : 0;
}

/*
 * Make `relative` the pointer in use; caller holds in->lock. Held buttons
 * are released on the old device now and pressed again in `r`, the report
 * of the motion that caused the switch.
 */
static void switch_pointer(struct vmm_input *in, bool relative,
			   struct report *r)
{
	struct report up = { 0 };

	if (in->relative == relative)
		return;
	add_buttons(&up, in->buttons, 0);
	emit(pointer(in), &up);
	in->relative = relative;
	add_buttons(r, 0, in->buttons);
}

int vmm_input_key(struct vmm_input *in, uint16_t code, bool down)
{
	struct vinput_event ev = { EV_KEY, code, down };
	int ret;

	if (!vinput_supports(VINPUT_KEYBOARD, EV_KEY, code))
		return -1;
	pthread_mutex_lock(&in->lock);
	ret = vinput_send(&in->kbd, &ev, 1);
	pthread_mutex_unlock(&in->lock);
	return ret;
}

int vmm_input_abs(struct vmm_input *in, uint32_t x, uint32_t y)
{
	struct report r = { 0 };
	int ret;

	if (x > VMM_INPUT_ABS_MAX || y > VMM_INPUT_ABS_MAX)
		return -1;
	pthread_mutex_lock(&in->lock);
	add(&r, EV_ABS, ABS_X, x);
	add(&r, EV_ABS, ABS_Y, y);
	switch_pointer(in, false, &r);
	ret = emit(&in->tablet, &r);
	pthread_mutex_unlock(&in->lock);
	return ret;
}

int vmm_input_rel(struct vmm_input *in, int32_t dx, int32_t dy)
{
	struct report r = { 0 };
	int ret;

	if (!dx && !dy)
		return 0;
	pthread_mutex_lock(&in->lock);
	if (dx)
		add(&r, EV_REL, REL_X, dx);
	if (dy)
		add(&r, EV_REL, REL_Y, dy);
	switch_pointer(in, true, &r);
	ret = emit(&in->mouse, &r);
	pthread_mutex_unlock(&in->lock);
	return ret;
}

int vmm_input_buttons(struct vmm_input *in, uint32_t mask)
{
	struct report r = { 0 };
	int ret;

	if (mask & ~VMM_INPUT_BTN_ALL)
		return -1;
	pthread_mutex_lock(&in->lock);
	add_buttons(&r, in->buttons, mask);
	ret = emit(pointer(in), &r);
	/* A dropped report leaves the state as the guest knows it, so the
	 * next call sends the difference again. */
	if (ret == 0)
		in->buttons = mask;
	pthread_mutex_unlock(&in->lock);
	return ret;
}

int vmm_input_wheel(struct vmm_input *in, int32_t v, int32_t h)
{
	struct report r = { 0 };
	int ret;

	pthread_mutex_lock(&in->lock);
	if (v)
		add(&r, EV_REL, REL_WHEEL, v);
	if (h)
		add(&r, EV_REL, REL_HWHEEL, h);
	ret = emit(pointer(in), &r);
	pthread_mutex_unlock(&in->lock);
	return ret;
}

uint32_t vmm_input_leds(struct vmm_input *in)
{
	return vinput_leds(&in->kbd);
}

void vmm_input_init(struct vmm_input *in)
{
	memset(in, 0, sizeof(*in));
	pthread_mutex_init(&in->lock, NULL);
	vinput_init(&in->kbd, VINPUT_KEYBOARD);
	vinput_init(&in->tablet, VINPUT_TABLET);
	vinput_init(&in->mouse, VINPUT_MOUSE);
}

int vmm_input_attach(struct vmm_input *in, const struct virtio_env *env,
		     char *err, size_t errlen)
{
	memset(in, 0, sizeof(*in));
	pthread_mutex_init(&in->lock, NULL);
	if (vinput_attach(&in->kbd, VINPUT_KEYBOARD, env, err, errlen))
		goto fail;
	if (vinput_attach(&in->tablet, VINPUT_TABLET, env, err, errlen))
		goto fail_kbd;
	if (vinput_attach(&in->mouse, VINPUT_MOUSE, env, err, errlen))
		goto fail_tablet;
	return 0;
fail_tablet:
	vinput_destroy(&in->tablet);
fail_kbd:
	vinput_destroy(&in->kbd);
fail:
	pthread_mutex_destroy(&in->lock);
	return -1;
}

void vmm_input_destroy(struct vmm_input *in)
{
	vinput_destroy(&in->mouse);
	vinput_destroy(&in->tablet);
	vinput_destroy(&in->kbd);
	pthread_mutex_destroy(&in->lock);
}
