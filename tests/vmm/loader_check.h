/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the loader tests: a CHECK macro that counts failures in
 * a local `fails`, and an independent reader of the ACPI tables acpi.c
 * writes (it walks them the way a guest does, from the RSDP).
 */
#ifndef PORTHOLE_TEST_LOADER_CHECK_H
#define PORTHOLE_TEST_LOADER_CHECK_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "guest_mem.h"

#define SKIP_CODE 77

/* Needs `int fails` in scope; reports and counts, never aborts. */
#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: FAIL %s: ", __FILE__,	\
				__LINE__, #cond);			\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
			fails++;					\
		}							\
	} while (0)

static inline uint32_t lc_le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t lc_le64(const uint8_t *p)
{
	return lc_le32(p) | (uint64_t)lc_le32(p + 4) << 32;
}

static inline uint16_t lc_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint8_t lc_sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

/* A whole SDT at gpa: its header says how long; NULL if not in RAM. */
static inline const uint8_t *lc_table(const struct guest_mem *m, uint64_t gpa,
				      const char *sig)
{
	const uint8_t *h = guest_mem_ptr(m, gpa, 36);

	if (!h || memcmp(h, sig, 4) || lc_le32(h + 4) < 36)
		return NULL;
	return guest_mem_ptr(m, gpa, lc_le32(h + 4));
}

/* Counts what a guest would find wrong in the tables behind rsdp. */
static inline int lc_check_acpi(const struct guest_mem *m, uint64_t rsdp,
				unsigned ncpus)
{
	const uint8_t *r = guest_mem_ptr(m, rsdp, 36);
	const uint8_t *x, *rs, *fadt = NULL, *madt = NULL, *dsdt, *facs;
	unsigned lapics = 0, ioapics = 0, isos = 0;
	int fails = 0;

	CHECK(r && !memcmp(r, "RSD PTR ", 8), "no RSDP at 0x%" PRIx64, rsdp);
	if (!r || memcmp(r, "RSD PTR ", 8))
		return fails;
	CHECK(rsdp % 16 == 0, "RSDP not 16-byte aligned");
	CHECK(rsdp >= 0xe0000 && rsdp < 0x100000, "RSDP outside BIOS area");
	CHECK(lc_sum(r, 20) == 0, "RSDP checksum");
	CHECK(r[15] == 2, "RSDP revision %u", r[15]);
	CHECK(lc_le32(r + 20) == 36, "RSDP length");
	CHECK(lc_sum(r, 36) == 0, "RSDP extended checksum");

	rs = lc_table(m, lc_le32(r + 16), "RSDT");
	CHECK(rs && lc_sum(rs, lc_le32(rs + 4)) == 0, "RSDT missing or bad sum");
	x = lc_table(m, lc_le64(r + 24), "XSDT");
	CHECK(x && lc_sum(x, lc_le32(x + 4)) == 0, "XSDT missing or bad sum");
	if (!x)
		return fails;
	for (uint32_t off = 36; off + 8 <= lc_le32(x + 4); off += 8) {
		uint64_t gpa = lc_le64(x + off);
		const uint8_t *t = lc_table(m, gpa, "FACP");

		if (t)
			fadt = t;
		else if ((t = lc_table(m, gpa, "APIC")))
			madt = t;
		CHECK(t, "XSDT entry 0x%" PRIx64 " is no known table", gpa);
		if (t)
			CHECK(lc_sum(t, lc_le32(t + 4)) == 0, "%.4s checksum",
			      (const char *)t);
		/* entry i: XSDT 36 + 8i, RSDT 36 + 4i */
		if (rs && 36 + (off - 36) / 2 + 4 <= lc_le32(rs + 4))
			CHECK(lc_le32(rs + 36 + (off - 36) / 2) == gpa,
			      "RSDT and XSDT disagree");
	}
	CHECK(fadt, "no FADT");
	CHECK(madt, "no MADT");
	if (fadt) {
		CHECK(lc_le32(fadt + 4) >= 244, "FADT too short");
		dsdt = lc_table(m, lc_le64(fadt + 140), "DSDT");
		CHECK(dsdt && lc_sum(dsdt, lc_le32(dsdt + 4)) == 0,
		      "DSDT missing or bad sum");
		CHECK(lc_le32(fadt + 40) == lc_le64(fadt + 140),
		      "DSDT and X_DSDT differ");
		facs = guest_mem_ptr(m, lc_le64(fadt + 132), 64);
		CHECK(facs && !memcmp(facs, "FACS", 4) &&
		      lc_le64(fadt + 132) % 64 == 0, "FACS missing/misaligned");
		CHECK(lc_le16(fadt + 46) == 9, "SCI_INT %u", lc_le16(fadt + 46));
		CHECK(lc_le32(fadt + 48) == 0, "SMI_CMD set");
		CHECK(lc_le32(fadt + 56) == 0x600 && fadt[88] == 4, "PM1a_EVT");
		CHECK(lc_le32(fadt + 64) == 0x604 && fadt[89] == 2, "PM1a_CNT");
		CHECK(lc_le32(fadt + 76) == 0 && fadt[91] == 0, "PM timer");
		CHECK(lc_le16(fadt + 109) & 2, "IAPC_BOOT_ARCH lacks 8042");
		CHECK(!(lc_le32(fadt + 112) & (1u << 20)), "HW_REDUCED set");
		CHECK(!(lc_le32(fadt + 112) & (1u << 10)), "RESET_REG_SUP set");
		CHECK(lc_le64(fadt + 148 + 4) == 0x600 && fadt[148] == 1 &&
		      fadt[149] == 32, "X_PM1a_EVT_BLK");
		CHECK(lc_le64(fadt + 172 + 4) == 0x604 && fadt[172] == 1 &&
		      fadt[173] == 16, "X_PM1a_CNT_BLK");
	}
	if (!madt)
		return fails;
	CHECK(lc_le32(madt + 36) == 0xfee00000, "LAPIC address");
	CHECK(lc_le32(madt + 40) & 1, "PCAT_COMPAT");
	for (uint32_t off = 44; off + 2 <= lc_le32(madt + 4);) {
		const uint8_t *e = madt + off;

		CHECK(e[1] >= 2 && off + e[1] <= lc_le32(madt + 4),
		      "MADT entry length %u at %u", e[1], off);
		if (e[1] < 2 || off + e[1] > lc_le32(madt + 4))
			break;
		if (e[0] == 0) {
			CHECK(e[3] == lapics && (lc_le32(e + 4) & 1),
			      "LAPIC %u: id %u flags %u", lapics, e[3],
			      lc_le32(e + 4));
			lapics++;
		} else if (e[0] == 1) {
			CHECK(e[2] == ncpus && lc_le32(e + 4) == 0xfec00000 &&
			      lc_le32(e + 8) == 0, "IOAPIC entry");
			ioapics++;
		} else if (e[0] == 2) {
			if (e[3] == 0)
				CHECK(lc_le32(e + 4) == 2, "IRQ0 -> GSI2");
			if (e[3] == 9)
				CHECK(lc_le32(e + 4) == 9 &&
				      lc_le16(e + 8) == 0xd, "SCI override");
			isos++;
		}
		off += e[1];
	}
	CHECK(lapics == ncpus, "%u LAPIC entries for %u vCPUs", lapics, ncpus);
	CHECK(ioapics == 1, "%u IOAPICs", ioapics);
	CHECK(isos == 2, "%u interrupt source overrides", isos);
	return fails;
}

#endif
