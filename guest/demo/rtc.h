/* SPDX-License-Identifier: MIT */
/* The MC146818 CMOS clock at ports 0x70/0x71. */
#ifndef PORTHOLE_DEMO_RTC_H
#define PORTHOLE_DEMO_RTC_H

#include <stdbool.h>
#include <stdint.h>

struct rtc_time {
	uint8_t hour, min, sec;	/* 24-hour, binary */
	uint8_t raw_sec;	/* the seconds register as read */
	bool bcd, h24;		/* register B's format, for the boot messages */
};

/* The raw seconds register: cheap to poll for a change (two port I/Os). */
uint8_t rtc_raw_seconds(void);
/* A consistent time, or false if an update was in progress or the chip
 * answered nonsense (no RTC); try again on the next tick. */
bool rtc_read(struct rtc_time *t);

#endif
