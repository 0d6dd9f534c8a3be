/* SPDX-License-Identifier: MIT */
/*
 * The host-side input API that the display calls: keys by evdev code, an
 * absolute pointer, a relative pointer, buttons and wheel. Each call is one
 * report (its events then EV_SYN/SYN_REPORT) on one of three virtio-input
 * devices:
 *
 *   keys                       -> the keyboard
 *   absolute motion            -> the tablet
 *   relative motion            -> the mouse
 *   buttons, wheel             -> the pointer in use: the one that saw the
 *                                 last motion (the tablet until the first
 *                                 relative motion)
 *
 * Switching pointers moves held buttons along: the old device reports them
 * released, and the new one reports them pressed in the same report as the
 * motion, so a drag survives pointer lock and no button stays stuck.
 *
 * Every function is safe from any thread. Returns: 0 queued (or nothing to
 * send), 1 dropped because the guest's driver is not running or not keeping
 * up (counted in the device), -1 invalid arguments (nothing sent).
 */
#ifndef PORTHOLE_VMM_INPUT_H
#define PORTHOLE_VMM_INPUT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio/input.h"

#define VMM_INPUT_BTN_LEFT   (1u << 0)
#define VMM_INPUT_BTN_RIGHT  (1u << 1)
#define VMM_INPUT_BTN_MIDDLE (1u << 2)
#define VMM_INPUT_BTN_SIDE   (1u << 3)
#define VMM_INPUT_BTN_EXTRA  (1u << 4)
#define VMM_INPUT_BTN_ALL    0x1fu

#define VMM_INPUT_ABS_MAX VINPUT_ABS_MAX

struct vmm_input {
	struct vinput kbd, tablet, mouse;
	pthread_mutex_t lock;    /* orders reports; pointer state */
	bool relative;           /* the mouse is the pointer in use */
	uint32_t buttons;        /* held, as the pointer in use reported */
};

/* The three devices without a transport (for tests). */
void vmm_input_init(struct vmm_input *in);
/* vmm_input_init() and the three PCI functions, served on env->io.
 * -1 with err; nothing is left behind. */
int vmm_input_attach(struct vmm_input *in, const struct virtio_env *env,
		     char *err, size_t errlen);
/* After env->io has stopped. */
void vmm_input_destroy(struct vmm_input *in);

/* A key went down or up; code is an evdev KEY_* the keyboard has. */
int vmm_input_key(struct vmm_input *in, uint16_t code, bool down);
/* Absolute position, 0..VMM_INPUT_ABS_MAX on both axes. */
int vmm_input_abs(struct vmm_input *in, uint32_t x, uint32_t y);
/* The full button state (VMM_INPUT_BTN_*); only changes are sent. */
int vmm_input_buttons(struct vmm_input *in, uint32_t mask);
/* Relative motion; zero components are not sent. */
int vmm_input_rel(struct vmm_input *in, int32_t dx, int32_t dy);
/* Wheel steps: v > 0 away from the user, h > 0 right; zeros not sent. */
int vmm_input_wheel(struct vmm_input *in, int32_t v, int32_t h);

/* LED_* bits as the guest set them (e.g. to mirror caps lock). */
uint32_t vmm_input_leds(struct vmm_input *in);

#endif
