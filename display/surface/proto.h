/* SPDX-License-Identifier: MIT */
/*
 * The surface protocol, version 1 (docs/surface.md): porthole-vmm <->
 * porthole-display over a unix SOCK_SEQPACKET socket, RUN_DIR/surface.sock.
 * One message per packet: a header and a fixed or bounded payload, all
 * little-endian. The framebuffer itself is a memfd sent once with MODE.
 *
 * This file is the wire format and its validation, shared by both ends;
 * every received message goes through surface_check() first.
 */
#ifndef PORTHOLE_SURFACE_PROTO_H
#define PORTHOLE_SURFACE_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SURFACE_MAGIC          0x46534850u  /* "PHSF" */
#define SURFACE_VERSION_MAJOR  1
#define SURFACE_VERSION_MINOR  0
#define SURFACE_MAX_MSG        65536        /* largest packet either end sends */
#define SURFACE_MAX_RECTS      1024
#define SURFACE_CURSOR_MAX     128          /* cursor images up to 128x128 */
#define SURFACE_AGENT_MAX      4096
#define SURFACE_NAME_MAX       64

enum surface_type {
	/* both ways */
	SURFACE_HELLO = 1,
	SURFACE_AGENT = 2,          /* bytes for/from the guest agent port */
	/* vmm -> display */
	SURFACE_MODE = 16,          /* size/format; carries the memfd */
	SURFACE_DAMAGE = 17,        /* answer to FRAME_REQUEST */
	SURFACE_CURSOR_SHAPE = 18,
	SURFACE_CURSOR_POS = 19,
	SURFACE_VM_STATE = 20,
	/* display -> vmm */
	SURFACE_FRAME_REQUEST = 32, /* ready for the next frame */
	SURFACE_KEY = 33,
	SURFACE_POINTER_ABS = 34,
	SURFACE_POINTER_REL = 35,
	SURFACE_BUTTONS = 36,
	SURFACE_WHEEL = 37,
};

struct surface_hdr {
	uint16_t type;
	uint16_t flags;             /* 0 unless a message says otherwise */
	uint32_t len;               /* payload bytes after the header */
} __attribute__((packed));

struct surface_hello {
	uint32_t magic;
	uint16_t major, minor;
	uint32_t features;          /* none defined in 1.0: send 0 */
	char name[SURFACE_NAME_MAX];/* VM name, NUL-padded (vmm -> display) */
} __attribute__((packed));

#define SURFACE_FORMAT_XRGB8888 1

struct surface_mode {
	uint32_t width, height;     /* pixels, 1..8192 */
	uint32_t stride;            /* bytes per row, >= 4 * width */
	uint32_t format;            /* SURFACE_FORMAT_* */
	uint64_t offset;            /* first pixel in the memfd */
	uint64_t size;              /* bytes to map from offset */
} __attribute__((packed));

struct surface_rect {
	uint32_t x, y, w, h;
} __attribute__((packed));

#define SURFACE_DAMAGE_FULL 1       /* flags: the whole surface */

struct surface_damage {
	uint32_t seq;               /* answers the request with this seq */
	uint32_t count;             /* rectangles that follow, <= MAX_RECTS */
	/* struct surface_rect rects[count]; */
} __attribute__((packed));

struct surface_cursor_shape {
	uint16_t width, height;     /* 0 = hide; <= SURFACE_CURSOR_MAX */
	uint16_t hot_x, hot_y;
	/* uint32_t argb[width * height], premultiplied */
} __attribute__((packed));

struct surface_cursor_pos {
	int32_t x, y;               /* hot spot, surface pixels */
	uint32_t visible;
} __attribute__((packed));

enum surface_vm_state_value {
	SURFACE_VM_RUNNING = 1,
	SURFACE_VM_STOPPING = 2,    /* the monitor is about to exit */
};

struct surface_vm_state {
	uint32_t state;
} __attribute__((packed));

#define SURFACE_FRAME_FULL 1        /* flags: send the whole surface */

struct surface_frame_request {
	uint32_t seq;
} __attribute__((packed));

struct surface_key {
	uint16_t code;              /* evdev KEY_*, < KEY_CNT */
	uint16_t down;              /* 0 or 1 */
} __attribute__((packed));

struct surface_pointer_abs {
	uint32_t x, y;              /* 0..32767 over the surface */
} __attribute__((packed));

struct surface_pointer_rel {
	int32_t dx, dy;
} __attribute__((packed));

#define SURFACE_BTN_LEFT   1
#define SURFACE_BTN_RIGHT  2
#define SURFACE_BTN_MIDDLE 4
#define SURFACE_BTN_SIDE   8
#define SURFACE_BTN_EXTRA  16

struct surface_buttons {
	uint32_t mask;              /* SURFACE_BTN_* held */
} __attribute__((packed));

struct surface_wheel {
	int32_t v, h;               /* steps; v > 0 away from the user */
} __attribute__((packed));

/* A received packet, checked: type known, lengths exact or in bounds,
 * values in range. The pointers point into the packet. */
struct surface_msg {
	struct surface_hdr hdr;
	union {
		struct surface_hello hello;
		struct surface_mode mode;
		struct surface_cursor_pos cursor_pos;
		struct surface_vm_state vm_state;
		struct surface_frame_request frame;
		struct surface_key key;
		struct surface_pointer_abs abs;
		struct surface_pointer_rel rel;
		struct surface_buttons buttons;
		struct surface_wheel wheel;
	} u;
	/* variable parts */
	struct surface_damage damage;
	const struct surface_rect *rects;      /* damage.count of them */
	struct surface_cursor_shape cursor;
	const uint32_t *cursor_argb;           /* width * height */
	const uint8_t *agent;                  /* hdr.len bytes */
};

/* Which end received the packet: some types only flow one way. */
enum surface_end { SURFACE_AT_DISPLAY, SURFACE_AT_VMM };

/* 0 and *m filled, or -1 with a one-line reason in err. */
int surface_check(const uint8_t *pkt, size_t len, enum surface_end at,
		  struct surface_msg *m, char *err, size_t errlen);

/* Build a packet: header + payload (+ extra bytes after it) into buf;
 * returns its length, or 0 if it does not fit in cap. */
size_t surface_build(uint8_t *buf, size_t cap, uint16_t type, uint16_t flags,
		     const void *payload, size_t plen, const void *extra,
		     size_t elen);

/* Send one built packet on the (SOCK_SEQPACKET) surface socket, with fd
 * as SCM_RIGHTS when fd >= 0 (the framebuffer memfd rides with MODE).
 * flags go to sendmsg (MSG_NOSIGNAL is always added). Returns what
 * sendmsg returns. */
ssize_t surface_send(int sock, const void *pkt, size_t len, int fd, int flags);

#endif
