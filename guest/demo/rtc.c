// SPDX-License-Identifier: MIT
/*
 * Each register read is two port I/Os (index, data), each an exit and on
 * PVM an emulated #GP: read the full time only when the seconds change.
 */
#include "rtc.h"

#include "arch.h"
#include "io.h"

#define RTC_SEC		0x00
#define RTC_MIN		0x02
#define RTC_HOUR	0x04
#define RTC_REG_A	0x0a
#define RTC_REG_B	0x0b
#define REG_A_UIP	0x80	/* update in progress: registers may tear */
#define REG_B_24H	0x02
#define REG_B_BINARY	0x04
#define HOUR_PM		0x80	/* 12-hour mode only */

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

uint8_t rtc_raw_seconds(void)
{
	return cmos_read(RTC_SEC);
}

static bool from_bcd(uint8_t v, uint8_t *out)
{
	if ((v & 0x0f) > 9 || (v >> 4) > 9)
		return false;
	*out = (v >> 4) * 10 + (v & 0x0f);
	return true;
}

static bool decode(uint8_t v, bool bcd, uint8_t *out)
{
	if (!bcd) {
		*out = v;
		return true;
	}
	return from_bcd(v, out);
}

/* 12-hour mode counts 12, 1, ..., 11 with a PM flag in bit 7. */
static bool decode_hour(uint8_t v, uint8_t b, uint8_t *out)
{
	bool pm = !(b & REG_B_24H) && (v & HOUR_PM);

	if (!(b & REG_B_24H))
		v &= ~HOUR_PM;
	if (!decode(v, !(b & REG_B_BINARY), out))
		return false;
	if (!(b & REG_B_24H)) {
		if (*out < 1 || *out > 12)
			return false;
		*out = *out % 12 + (pm ? 12 : 0);
	}
	return true;
}

bool rtc_read(struct rtc_time *t)
{
	uint8_t sec, min, hour, b;
	bool bcd;

	if (cmos_read(RTC_REG_A) & REG_A_UIP)
		return false;
	sec = cmos_read(RTC_SEC);
	min = cmos_read(RTC_MIN);
	hour = cmos_read(RTC_HOUR);
	b = cmos_read(RTC_REG_B);
	/* The reads are slow here; a second that ticked over tears them. */
	if (cmos_read(RTC_SEC) != sec)
		return false;
	bcd = !(b & REG_B_BINARY);
	t->raw_sec = sec;
	t->bcd = bcd;
	t->h24 = b & REG_B_24H;
	if (!decode(sec, bcd, &t->sec) || !decode(min, bcd, &t->min) ||
	    !decode_hour(hour, b, &t->hour))
		return false;
	return t->sec < 60 && t->min < 60 && t->hour < 24;
}
