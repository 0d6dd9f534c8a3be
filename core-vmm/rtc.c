// SPDX-License-Identifier: MIT
#include "rtc.h"

#include <string.h>
#include <time.h>

enum {
	RTC_SEC = 0x00, RTC_MIN = 0x02, RTC_HOUR = 0x04, RTC_WDAY = 0x06,
	RTC_MDAY = 0x07, RTC_MON = 0x08, RTC_YEAR = 0x09, RTC_REG_A = 0x0a,
	RTC_REG_B = 0x0b, RTC_REG_C = 0x0c, RTC_REG_D = 0x0d,
	RTC_CENTURY = 0x32,
};

#define REG_B_24H    0x02
#define REG_B_BINARY 0x04
#define REG_D_VRT    0x80

void rtc_init(struct rtc *rtc)
{
	memset(rtc, 0, sizeof(*rtc));
	pthread_mutex_init(&rtc->lock, NULL);
	rtc->cmos[RTC_REG_A] = 0x26; /* 32.768 kHz base, 1024 Hz rate */
	rtc->cmos[RTC_REG_B] = REG_B_24H;
	rtc->cmos[RTC_REG_D] = REG_D_VRT;
}

void rtc_destroy(struct rtc *rtc)
{
	pthread_mutex_destroy(&rtc->lock);
}

static uint8_t encode(const struct rtc *rtc, int v)
{
	if (rtc->cmos[RTC_REG_B] & REG_B_BINARY)
		return v;
	return ((v / 10) << 4) | (v % 10);
}

static uint8_t hour(const struct rtc *rtc, int h)
{
	if (rtc->cmos[RTC_REG_B] & REG_B_24H)
		return encode(rtc, h);
	/* 12-hour mode: 12, 1..11 with bit 7 for PM. */
	return encode(rtc, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0);
}

static uint8_t rtc_read(const struct rtc *rtc, uint8_t idx)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	switch (idx) {
	case RTC_SEC:     return encode(rtc, tm.tm_sec);
	case RTC_MIN:     return encode(rtc, tm.tm_min);
	case RTC_HOUR:    return hour(rtc, tm.tm_hour);
	case RTC_WDAY:    return encode(rtc, tm.tm_wday + 1);
	case RTC_MDAY:    return encode(rtc, tm.tm_mday);
	case RTC_MON:     return encode(rtc, tm.tm_mon + 1);
	case RTC_YEAR:    return encode(rtc, tm.tm_year % 100);
	case RTC_CENTURY: return encode(rtc, (tm.tm_year + 1900) / 100);
	case RTC_REG_A:   return rtc->cmos[RTC_REG_A] & 0x7f; /* never UIP */
	case RTC_REG_C:   return 0;
	default:          return rtc->cmos[idx];
	}
}

static void rtc_pio(void *dev, uint16_t port, uint8_t *data, int size,
		    bool is_write)
{
	struct rtc *rtc = dev;

	pthread_mutex_lock(&rtc->lock);
	if (port == 0x70) {
		if (is_write)
			rtc->index = data[0] & 0x7f; /* bit 7 masks NMI */
		else
			data[0] = 0xff;
	} else if (is_write) {
		/* The time is the host's; only control and CMOS RAM stick. */
		if (rtc->index == RTC_REG_B || rtc->index > RTC_REG_D)
			rtc->cmos[rtc->index] = data[0];
	} else {
		data[0] = rtc_read(rtc, rtc->index);
	}
	for (int i = 1; i < size && !is_write; i++)
		data[i] = 0;
	pthread_mutex_unlock(&rtc->lock);
}

int rtc_attach(struct rtc *rtc, struct pio_bus *bus)
{
	return pio_register(bus, 0x70, 2, rtc_pio, rtc);
}
