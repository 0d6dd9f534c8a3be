/* SPDX-License-Identifier: MIT */
/*
 * The MC146818 CMOS real-time clock at ports 0x70/0x71, reading the host's
 * UTC time. No alarm or periodic interrupt: guests here use it only to learn
 * the date at boot (Linux) or to show a clock (the demo).
 */
#ifndef PORTHOLE_VMM_RTC_H
#define PORTHOLE_VMM_RTC_H

#include <pthread.h>
#include <stdint.h>

#include "pio.h"

struct rtc {
	pthread_mutex_t lock;
	uint8_t index;
	uint8_t cmos[128];
};

void rtc_init(struct rtc *rtc);
void rtc_destroy(struct rtc *rtc);
int rtc_attach(struct rtc *rtc, struct pio_bus *bus);

#endif
