// SPDX-License-Identifier: MIT
/*
 * virtio-input: the configuration space a driver probes (names, ids, event
 * bitmaps, absolute axes) and the host API's reports arriving in the
 * guest's eventq buffers, exactly and in order, SYN_REPORT included; a full
 * ring drops whole reports; LED state comes back on the statusq.
 */
#include "input.h"
#include "vq_driver.h"

#include <linux/input-event-codes.h>
#include <linux/virtio_input.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define QSIZE 64
#define BUF_GPA 0x100000

static struct guest_mem mem;

struct dev {
	struct vinput *vi;
	struct virtq vq[2];
	struct tq evq, stq;
	uint64_t buf_gpa;
	unsigned next_buf;
};

static void setup(struct dev *d, struct vinput *vi, int n)
{
	d->vi = vi;
	d->buf_gpa = BUF_GPA + n * 0x10000;
	tq_setup(&d->evq, &d->vq[0], &mem, 0, QSIZE, 0x10000 + n * 0x8000);
	tq_setup(&d->stq, &d->vq[1], &mem, 1, QSIZE, 0x14000 + n * 0x8000);
	vinput_ops.start(vi, 1ULL << 32);
}

/* Give the device n event buffers (at most what the ring has room for). */
static void give(struct dev *d, int n)
{
	int room = QSIZE - (uint16_t)(d->evq.avail_idx - d->evq.used_seen);

	if (n > room)
		n = room;
	for (int i = 0; i < n; i++) {
		struct tbuf b = { d->buf_gpa + (d->next_buf++ % 1024) * 8, 8, true };
		tq_add(&d->evq, &b, 1);
	}
}

/* Run the eventq and collect up to max events from the used ring. */
static int collect(struct dev *d, struct vinput_event *ev, int max)
{
	uint16_t id;
	uint32_t len;
	int n = 0;

	vinput_ops.notify(d->vi, &d->vq[0]);
	while (n < max && tq_used(&d->evq, &id, &len)) {
		const uint8_t *p;

		if (len == 0)
			continue;
		p = tq_ptr(&mem, d->evq.desc[id].addr, 8);
		CHECK(len == 8, "used len %u", len);
		ev[n].type = p[0] | p[1] << 8;
		ev[n].code = p[2] | p[3] << 8;
		ev[n].value = p[4] | p[5] << 8 | p[6] << 16 | (uint32_t)p[7] << 24;
		n++;
	}
	return n;
}

static void expect(struct dev *d, const struct vinput_event *want, int n,
		   const char *what)
{
	struct vinput_event got[64];
	int k = collect(d, got, 64);

	CHECK(k == n, "%s: %d events, expected %d", what, k, n);
	for (int i = 0; i < n; i++)
		CHECK(got[i].type == want[i].type && got[i].code == want[i].code &&
		      got[i].value == want[i].value,
		      "%s: event %d is (%u,%u,%d), expected (%u,%u,%d)", what, i,
		      got[i].type, got[i].code, (int)got[i].value, want[i].type,
		      want[i].code, (int)want[i].value);
}

#define SYN { EV_SYN, SYN_REPORT, 0 }
#define EXPECT(d, what, ...) do {					\
	const struct vinput_event w_[] = { __VA_ARGS__ };		\
	expect(d, w_, sizeof(w_) / sizeof(w_[0]), what);		\
} while (0)

/* --- configuration space --- */

static uint8_t cfg_select(struct vinput *vi, uint8_t sel, uint8_t sub)
{
	uint8_t size;

	vinput_ops.config_rw(vi, 0, &sel, 1, true);
	vinput_ops.config_rw(vi, 1, &sub, 1, true);
	vinput_ops.config_rw(vi, 2, &size, 1, false);
	return size;
}

static void cfg_union(struct vinput *vi, uint8_t *u)
{
	for (int i = 0; i < 128; i += 4)
		vinput_ops.config_rw(vi, 8 + i, u + i, 4, false);
}

static bool bit(const uint8_t *u, unsigned n)
{
	return u[n / 8] & (1u << (n % 8));
}

static void test_config(struct vmm_input *in)
{
	static const uint16_t keys[] = {
		KEY_ESC, KEY_A, KEY_F1, KEY_F12, KEY_F13, KEY_F24, KEY_SYSRQ,
		KEY_102ND, KEY_RO, KEY_YEN, KEY_HANGEUL, KEY_HANJA,
		KEY_KATAKANAHIRAGANA, KEY_COMPOSE, KEY_LEFTMETA, KEY_RIGHTMETA,
		KEY_POWER, KEY_SLEEP, KEY_WAKEUP, KEY_MUTE, KEY_VOLUMEDOWN,
		KEY_VOLUMEUP, KEY_PLAYPAUSE, KEY_NEXTSONG, KEY_PREVIOUSSONG,
		KEY_STOPCD, KEY_PAUSE, KEY_MICMUTE, KEY_KPENTER, KEY_RIGHTALT,
	};
	uint8_t u[128], b, size;

	size = cfg_select(&in->kbd, VIRTIO_INPUT_CFG_ID_NAME, 0);
	cfg_union(&in->kbd, u);
	CHECK(size == 17 && !memcmp(u, "Porthole Keyboard", 17) && u[17] == 0,
	      "keyboard name (%u) %.17s", size, u);
	size = cfg_select(&in->tablet, VIRTIO_INPUT_CFG_ID_NAME, 0);
	cfg_union(&in->tablet, u);
	CHECK(size == 15 && !memcmp(u, "Porthole Tablet", 15), "tablet name");
	size = cfg_select(&in->mouse, VIRTIO_INPUT_CFG_ID_NAME, 0);
	cfg_union(&in->mouse, u);
	CHECK(size == 14 && !memcmp(u, "Porthole Mouse", 14), "mouse name");
	CHECK(cfg_select(&in->kbd, VIRTIO_INPUT_CFG_ID_SERIAL, 0) > 0, "serial");

	size = cfg_select(&in->tablet, VIRTIO_INPUT_CFG_ID_DEVIDS, 0);
	cfg_union(&in->tablet, u);
	CHECK(size == 8 && u[0] == 6 && u[1] == 0 && u[2] == 0x27 && u[3] == 6 &&
	      u[4] == 3 && u[6] == 1, "devids");

	size = cfg_select(&in->kbd, VIRTIO_INPUT_CFG_EV_BITS, EV_KEY);
	cfg_union(&in->kbd, u);
	CHECK(size == KEY_MICMUTE / 8 + 1, "key bitmap size %u", size);
	for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		CHECK(bit(u, keys[i]), "key %u missing", keys[i]);
	CHECK(!bit(u, KEY_RESERVED) && !bit(u, BTN_LEFT), "key extras");
	size = cfg_select(&in->kbd, VIRTIO_INPUT_CFG_EV_BITS, EV_LED);
	cfg_union(&in->kbd, u);
	CHECK(size == 1 && u[0] == 7, "leds %u %#x", size, u[0]);
	CHECK(cfg_select(&in->kbd, VIRTIO_INPUT_CFG_EV_BITS, EV_REP) == 1, "rep");
	CHECK(cfg_select(&in->kbd, VIRTIO_INPUT_CFG_EV_BITS, EV_REL) == 0, "kbd rel");
	CHECK(cfg_select(&in->kbd, VIRTIO_INPUT_CFG_PROP_BITS, 0) == 0, "props");

	size = cfg_select(&in->tablet, VIRTIO_INPUT_CFG_EV_BITS, EV_KEY);
	cfg_union(&in->tablet, u);
	for (unsigned c = BTN_LEFT; c <= BTN_EXTRA; c++)
		CHECK(bit(u, c), "button %#x", c);
	CHECK(!bit(u, KEY_A) && !bit(u, BTN_FORWARD), "tablet keys");
	size = cfg_select(&in->tablet, VIRTIO_INPUT_CFG_EV_BITS, EV_ABS);
	cfg_union(&in->tablet, u);
	CHECK(size == 1 && u[0] == 3, "abs bits");
	size = cfg_select(&in->tablet, VIRTIO_INPUT_CFG_EV_BITS, EV_REL);
	cfg_union(&in->tablet, u);
	CHECK(bit(u, REL_WHEEL) && bit(u, REL_HWHEEL) && !bit(u, REL_X), "tablet rel");
	for (int axis = ABS_X; axis <= ABS_Y; axis++) {
		uint32_t v[5];

		size = cfg_select(&in->tablet, VIRTIO_INPUT_CFG_ABS_INFO, axis);
		cfg_union(&in->tablet, u);
		memcpy(v, u, sizeof(v));
		CHECK(size == 20 && v[0] == 0 && v[1] == 32767 && !v[2] && !v[3] &&
		      !v[4], "absinfo %d", axis);
	}
	CHECK(cfg_select(&in->tablet, VIRTIO_INPUT_CFG_ABS_INFO, ABS_Z) == 0, "abs z");
	CHECK(cfg_select(&in->mouse, VIRTIO_INPUT_CFG_EV_BITS, EV_ABS) == 0, "mouse abs");
	size = cfg_select(&in->mouse, VIRTIO_INPUT_CFG_EV_BITS, EV_REL);
	cfg_union(&in->mouse, u);
	CHECK(bit(u, REL_X) && bit(u, REL_Y) && bit(u, REL_WHEEL), "mouse rel");

	/* Unknown selectors are empty; only select/subsel take writes; past
	 * the union (and past size inside it) reads are zeros. */
	CHECK(cfg_select(&in->kbd, 0x55, 0) == 0, "unknown select");
	cfg_select(&in->kbd, VIRTIO_INPUT_CFG_ID_NAME, 0);
	b = 99;
	vinput_ops.config_rw(&in->kbd, 2, &b, 1, true);
	vinput_ops.config_rw(&in->kbd, 20, &b, 1, true);
	vinput_ops.config_rw(&in->kbd, 2, &b, 1, false);
	CHECK(b == 17, "size written");
	vinput_ops.config_rw(&in->kbd, 20, &b, 1, false);
	CHECK(b == 'b', "union written: %c", b);
	vinput_ops.config_rw(&in->kbd, 8 + 17, &b, 1, false);
	CHECK(b == 0, "past size");
	{
		uint32_t w = 0xffffffff;

		vinput_ops.config_rw(&in->kbd, 200, (uint8_t *)&w, 4, false);
		CHECK(w == 0, "past the union");
		vinput_ops.config_rw(&in->kbd, 134, (uint8_t *)&w, 4, false);
		CHECK(w == 0, "straddling the end");
	}
}

/* --- the host API, end to end --- */

static void test_round_trip(struct vmm_input *in, struct dev *kbd,
			    struct dev *tab, struct dev *mou)
{
	give(kbd, 32);
	give(tab, 32);
	give(mou, 32);

	CHECK(vmm_input_key(in, KEY_A, true) == 0, "key");
	CHECK(vmm_input_key(in, KEY_A, false) == 0, "key");
	CHECK(vmm_input_key(in, KEY_F24, true) == 0, "F24");
	CHECK(vmm_input_key(in, KEY_PLAYPAUSE, true) == 0, "media");
	EXPECT(kbd, "keys", { EV_KEY, KEY_A, 1 }, SYN, { EV_KEY, KEY_A, 0 }, SYN,
	       { EV_KEY, KEY_F24, 1 }, SYN, { EV_KEY, KEY_PLAYPAUSE, 1 }, SYN);

	CHECK(vmm_input_abs(in, 100, 200) == 0, "abs");
	CHECK(vmm_input_buttons(in, VMM_INPUT_BTN_LEFT) == 0, "buttons");
	CHECK(vmm_input_buttons(in, VMM_INPUT_BTN_LEFT) == 0, "no change");
	CHECK(vmm_input_wheel(in, 1, -2) == 0, "wheel");
	CHECK(vmm_input_wheel(in, 0, 0) == 0, "no wheel");
	EXPECT(tab, "tablet", { EV_ABS, ABS_X, 100 }, { EV_ABS, ABS_Y, 200 }, SYN,
	       { EV_KEY, BTN_LEFT, 1 }, SYN,
	       { EV_REL, REL_WHEEL, 1 }, { EV_REL, REL_HWHEEL, (uint32_t)-2 }, SYN);

	/* Pointer lock: the held button moves to the mouse. */
	CHECK(vmm_input_rel(in, 5, -3) == 0, "rel");
	CHECK(vmm_input_buttons(in, VMM_INPUT_BTN_LEFT | VMM_INPUT_BTN_RIGHT) == 0,
	      "buttons on the mouse");
	CHECK(vmm_input_rel(in, 0, 7) == 0, "rel y");
	CHECK(vmm_input_wheel(in, -1, 0) == 0, "mouse wheel");
	EXPECT(tab, "tablet lets go", { EV_KEY, BTN_LEFT, 0 }, SYN);
	EXPECT(mou, "mouse", { EV_REL, REL_X, 5 }, { EV_REL, REL_Y, (uint32_t)-3 },
	       { EV_KEY, BTN_LEFT, 1 }, SYN, { EV_KEY, BTN_RIGHT, 1 }, SYN,
	       { EV_REL, REL_Y, 7 }, SYN, { EV_REL, REL_WHEEL, (uint32_t)-1 }, SYN);

	/* And back. */
	CHECK(vmm_input_abs(in, 32767, 0) == 0, "abs max");
	CHECK(vmm_input_buttons(in, VMM_INPUT_BTN_SIDE | VMM_INPUT_BTN_EXTRA) == 0,
	      "side, extra");
	CHECK(vmm_input_buttons(in, 0) == 0, "release");
	EXPECT(mou, "mouse lets go", { EV_KEY, BTN_LEFT, 0 },
	       { EV_KEY, BTN_RIGHT, 0 }, SYN);
	EXPECT(tab, "tablet again", { EV_ABS, ABS_X, 32767 }, { EV_ABS, ABS_Y, 0 },
	       { EV_KEY, BTN_LEFT, 1 }, { EV_KEY, BTN_RIGHT, 1 }, SYN,
	       { EV_KEY, BTN_LEFT, 0 }, { EV_KEY, BTN_RIGHT, 0 },
	       { EV_KEY, BTN_SIDE, 1 }, { EV_KEY, BTN_EXTRA, 1 }, SYN,
	       { EV_KEY, BTN_SIDE, 0 }, { EV_KEY, BTN_EXTRA, 0 }, SYN);

	/* Invalid input sends nothing. */
	CHECK(vmm_input_key(in, KEY_CNT, true) == -1, "code range");
	CHECK(vmm_input_key(in, BTN_LEFT, true) == -1, "button as key");
	CHECK(vmm_input_key(in, KEY_RESERVED, true) == -1, "reserved");
	CHECK(vmm_input_abs(in, 32768, 0) == -1 && vmm_input_abs(in, 0, 40000) == -1,
	      "abs range");
	CHECK(vmm_input_buttons(in, 0x20) == -1, "button bits");
	{
		struct vinput_event bad = { EV_ABS, ABS_X, 1 };
		CHECK(vinput_send(&in->kbd, &bad, 1) == -1, "abs on keyboard");
		CHECK(vinput_send(&in->kbd, &bad, 0) == -1, "empty report");
	}
	EXPECT(kbd, "nothing", );
	EXPECT(tab, "nothing", );
}

/* Buffers the device cannot use: returned empty, the event waits. Runs
 * on a device that has no buffers yet. */
static void test_bad_buffers(struct vmm_input *in, struct dev *mou)
{
	struct vinput_event got[4], ev = { EV_REL, REL_X, 1 };
	uint16_t id;
	uint32_t len;
	int n = 0;

	tq_add(&mou->evq, (struct tbuf[]){ { BUF_GPA, 8, false } }, 1);
	tq_add(&mou->evq, (struct tbuf[]){ { BUF_GPA, 4, true } }, 1);
	tq_add(&mou->evq, (struct tbuf[]){ { 1ULL << 40, 8, true } }, 1);
	CHECK(vinput_send(&in->mouse, &ev, 1) == 0, "send");
	vinput_ops.notify(mou->vi, &mou->vq[0]);
	for (; tq_used(&mou->evq, &id, &len); n++)
		CHECK(len == 0, "bad buffer used len %u", len);
	CHECK(n == 3, "%d bad buffers returned", n);
	CHECK(collect(mou, got, 4) == 0, "event in a bad buffer");
	give(mou, 2);
	EXPECT(mou, "after bad buffers", { EV_REL, REL_X, 1 }, SYN);
}

static void test_ring_full(struct vmm_input *in, struct dev *kbd)
{
	struct vinput_event got[64];
	uint64_t dropped = in->kbd.dropped;
	int n = 0;

	/* 512 reports of two events fill the 1024-event ring exactly. */
	for (int i = 0; i < VINPUT_RING / 2; i++)
		CHECK(vmm_input_key(in, KEY_ESC + i % 200, i & 1) == 0, "queue %d", i);
	CHECK(vmm_input_key(in, KEY_Z, true) == 1, "ring full");
	CHECK(vmm_input_rel(in, 1, 1) == 0, "other devices go on");
	CHECK(in->kbd.dropped == dropped + 1, "drop counted");
	while (n < VINPUT_RING) {
		int k;

		give(kbd, 64);
		k = collect(kbd, got, 64);
		CHECK(k > 0, "stuck at %d", n);
		for (int j = 0; j < k; j++, n++) {
			int r = n / 2;

			if (n % 2)
				CHECK(got[j].type == EV_SYN, "syn at %d", n);
			else
				CHECK(got[j].type == EV_KEY &&
				      got[j].code == KEY_ESC + r % 200 &&
				      got[j].value == (uint32_t)(r & 1),
				      "event %d out of order", n);
		}
	}
	CHECK(collect(kbd, got, 64) == 0, "the dropped report came through");
}

static void test_leds_and_reset(struct vmm_input *in, struct dev *kbd)
{
	uint8_t *ev = tq_ptr(&mem, 0x300000, 16);
	uint16_t id;
	uint32_t len;

	/* LED_CAPSL on, then LED_NUML on, then caps off. */
	memcpy(ev, (uint8_t[]){ EV_LED, 0, LED_CAPSL, 0, 1, 0, 0, 0,
				EV_LED, 0, LED_NUML, 0, 1, 0, 0, 0 }, 16);
	tq_add(&kbd->stq, (struct tbuf[]){ { 0x300000, 8, false } }, 1);
	tq_add(&kbd->stq, (struct tbuf[]){ { 0x300008, 8, false } }, 1);
	vinput_ops.notify(&in->kbd, &kbd->vq[1]);
	CHECK(vmm_input_leds(in) == 3, "leds %#x", vmm_input_leds(in));
	CHECK(tq_used(&kbd->stq, &id, &len) && len == 0, "status consumed");
	CHECK(tq_used(&kbd->stq, &id, &len), "status consumed");
	ev[4] = 0;
	tq_add(&kbd->stq, (struct tbuf[]){ { 0x300000, 8, false } }, 1);
	tq_add(&kbd->stq, (struct tbuf[]){ { 0x300000, 3, false } }, 1);
	vinput_ops.notify(&in->kbd, &kbd->vq[1]);
	CHECK(vmm_input_leds(in) == 1, "caps off: %#x", vmm_input_leds(in));

	/* Reset: queued events and LED state are gone; nothing is accepted
	 * until the next driver starts the device. */
	CHECK(vmm_input_key(in, KEY_C, true) == 0, "key");
	vinput_ops.reset(&in->kbd);
	CHECK(vmm_input_leds(in) == 0, "leds after reset");
	CHECK(vmm_input_key(in, KEY_D, true) == 1, "key while stopped");
	give(kbd, 4);
	EXPECT(kbd, "after reset", );
	vinput_ops.start(&in->kbd, 1ULL << 32);
	CHECK(vmm_input_key(in, KEY_E, true) == 0, "key");
	EXPECT(kbd, "restarted", { EV_KEY, KEY_E, 1 }, SYN);
}

int main(void)
{
	struct vmm_input in;
	struct dev kbd, tab, mou;

	CHECK(guest_mem_alloc(&mem, 4 << 20) == 0, "guest_mem_alloc");
	vmm_input_init(&in);
	CHECK(vmm_input_key(&in, KEY_A, true) == 1, "before the driver");
	setup(&kbd, &in.kbd, 0);
	setup(&tab, &in.tablet, 1);
	setup(&mou, &in.mouse, 2);

	test_config(&in);
	test_bad_buffers(&in, &mou);
	test_round_trip(&in, &kbd, &tab, &mou);
	test_ring_full(&in, &kbd);
	test_leds_and_reset(&in, &kbd);

	vmm_input_destroy(&in);
	for (int i = 0; i < 2; i++) {
		vq_destroy(&kbd.vq[i]);
		vq_destroy(&tab.vq[i]);
		vq_destroy(&mou.vq[i]);
	}
	guest_mem_free(&mem);
	printf("vinput: ok\n");
	return 0;
}
