/* SPDX-License-Identifier: MIT */
/*
 * virtio-input (virtio 1.x, 5.8): one device per kind — a PC keyboard, an
 * absolute tablet (0..32767 on both axes) and a relative mouse. Evdev codes
 * are those of <linux/input-event-codes.h>.
 *
 * Host threads queue whole reports (events + EV_SYN/SYN_REPORT) in a bounded
 * ring; the device's iothread moves them into the guest's eventq buffers, in
 * order. A report that does not fit, or arrives while no driver is running,
 * is dropped whole and counted, so memory never grows with a stalled guest.
 * The statusq carries LED state from the driver; it is recorded.
 */
#ifndef PORTHOLE_VMM_VIRTIO_INPUT_H
#define PORTHOLE_VMM_VIRTIO_INPUT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio_pci.h"

#define VINPUT_RING        1024   /* events queued per device */
#define VINPUT_REPORT_MAX  16     /* events in one report, before SYN */
#define VINPUT_QUEUE_SIZE  64
#define VINPUT_CONFIG_SIZE 136    /* select..reserved (8) + union (128) */
#define VINPUT_ABS_MAX     32767

#define VINPUT_VENDOR      0x0627  /* what QEMU's virtio-input reports */
#define VINPUT_BUS_VIRTUAL 0x06

enum vinput_kind {
	VINPUT_KEYBOARD,
	VINPUT_TABLET,
	VINPUT_MOUSE,
};

struct vinput_event {
	uint16_t type, code;
	uint32_t value;          /* an int32 as the guest sees it */
};

struct vinput {
	enum vinput_kind kind;
	struct virtio_pci vp;
	bool attached;
	/* Device configuration; config_rw only. */
	pthread_mutex_t cfg_lock;
	uint8_t cfg[VINPUT_CONFIG_SIZE];
	/* Events on their way to the guest. */
	pthread_mutex_t lock;
	bool active;             /* between DRIVER_OK and reset */
	uint32_t head, count;
	struct vinput_event ring[VINPUT_RING];
	uint64_t dropped;        /* whole reports */
	atomic_uint leds;        /* bit n: LED n on, as the driver said */
};

/* The device's state without a transport (tests drive its ops directly). */
void vinput_init(struct vinput *vi, enum vinput_kind kind);
/* vinput_init() and the PCI function, on env->io. -1 with err. */
int vinput_attach(struct vinput *vi, enum vinput_kind kind,
		  const struct virtio_env *env, char *err, size_t errlen);
/* After env->io has stopped. */
void vinput_destroy(struct vinput *vi);

/* Whether this kind of device reports (type, code). */
bool vinput_supports(enum vinput_kind kind, uint16_t type, uint16_t code);

/* Queue one report: ev[0..n) then SYN_REPORT, all or nothing. 0 queued,
 * 1 dropped (ring full or no driver; counted), -1 an event this device does
 * not have or n out of 1..VINPUT_REPORT_MAX. Any thread. */
int vinput_send(struct vinput *vi, const struct vinput_event *ev, int n);

/* LED bits (LED_NUML = bit 0, ...) as the guest last set them. */
uint32_t vinput_leds(struct vinput *vi);

extern const struct virtio_device_ops vinput_ops;

#endif
