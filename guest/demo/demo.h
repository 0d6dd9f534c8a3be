/* SPDX-License-Identifier: MIT */
/*
 * The demo guest's state and its parts. Ring 3 only: one struct demo, owned
 * by demo_main, passed to each part.
 */
#ifndef PORTHOLE_DEMO_DEMO_H
#define PORTHOLE_DEMO_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fb.h"
#include "font.h"
#include "lib.h"
#include "vio.h"

/* struct hvm_start_info (Xen's arch-x86/hvm/start_info.h), versions 0/1. */
#define HVM_START_MAGIC 0x336ec578
struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};

/* What the command line asked for (cmdline.c). */
struct config {
	struct fb fb;		/* base NULL: headless */
	bool anim, clock;
	bool pci_reassign, pci_high;	/* porthole.pci= test knobs */
	struct line problem;	/* why porthole.fb was refused; empty if not */
};

void config_parse(struct config *c, const struct hvm_start_info *si);

/* The clock box in the title bar (clock.c). */
struct clock {
	bool running;
	bool rtc;		/* false: no usable RTC, count from boot */
	bool bcd, h24;		/* the RTC's format */
	uint8_t raw_sec;	/* the seconds register when last read */
	uint32_t ticks, uptime;	/* the count without an RTC */
	char shown[8];		/* "HH:MM:SS" as on screen */
};

/* The animated region and its sprite (anim.c). */
struct anim {
	bool running;
	struct rect area, sprite;
	int64_t vx, vy;
};

/* The text area: rows of glyphs, scrolling up when full (text.c). */
#define TEXT_MAX_COLS 256
#define TEXT_MAX_ROWS 256
struct textarea {
	int64_t x0, y0;		/* the first cell's top left */
	int cols, rows, used;
	bool typing;		/* the last row is being typed on the keyboard */
	uint16_t len[TEXT_MAX_ROWS];	/* glyphs in each row */
	uint16_t drawn[TEXT_MAX_ROWS];	/* cells painted in each screen row */
	uint16_t cell[TEXT_MAX_ROWS][TEXT_MAX_COLS];
};

/* A serial line being received (cmd.c). */
#define INPUT_MAX 1024
struct input {
	char buf[INPUT_MAX];
	size_t len;
	bool overflow;
};

struct demo {
	struct fb fb;
	struct font font;
	struct clock clock;
	struct anim anim;
	struct textarea text;
	struct input input;
	struct cursor cursor;	/* the pointer, once a device moves it */
	struct vio vio;
};

/* A region of demo_layout.h (TITLE, CLOCK, TEXT, ANIM) on d's screen. */
#define DEMO_RECT(d, R) ((struct rect){					\
	DEMO_##R##_X((d)->fb.width, (d)->fb.height),			\
	DEMO_##R##_Y((d)->fb.width, (d)->fb.height),			\
	DEMO_##R##_W((d)->fb.width, (d)->fb.height),			\
	DEMO_##R##_H((d)->fb.width, (d)->fb.height) })

void clock_init(struct demo *d, bool running);
void clock_tick(struct demo *d);
void clock_set_running(struct demo *d, bool on);
/* "CMOS RTC, BCD, 24-hour" or why there is none, for the boot messages. */
void clock_describe(const struct demo *d, struct line *l);

void anim_init(struct demo *d, bool running);
void anim_tick(struct demo *d);

void text_init(struct demo *d);
void text_append(struct demo *d, const char *s, size_t n);
void text_line(struct demo *d, const struct line *l);
/* The keyboard's row: a character, Backspace, Enter. */
void text_type(struct demo *d, uint32_t cp);
void text_backspace(struct demo *d);
void text_enter(struct demo *d);

/* Read what the host sent and run each complete line. */
void input_poll(struct demo *d);

#endif
