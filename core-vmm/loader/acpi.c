// SPDX-License-Identifier: MIT
/*
 * The ACPI tables a Porthole VM shows its guest (ACPI 6.0 layouts):
 *
 *   RSDP -> RSDT/XSDT -> FADT -> FACS, DSDT (\_S5_ only)
 *                     -> MADT (one local APIC per vCPU, one IOAPIC)
 *
 * The FADT is a full (not hardware-reduced) one because Porthole emulates
 * the PC fixed hardware Linux expects there: the PM1a event/control blocks
 * (pm.c), an SCI on IRQ 9, the i8042 whose reset line reboots the VM. No PM
 * timer, no GPE blocks, no reset register (the i8042 does resets).
 *
 * Everything lives in [LAYOUT_ACPI_START, LAYOUT_ACPI_END), the BIOS area
 * where guests without boot_params.acpi_rsdp_addr scan for "RSD PTR ".
 */
#include "acpi.h"
#include "../layout.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ACPI_OEM_ID		"PORTHL"	/* 6 bytes, no NUL */
#define ACPI_OEM_TABLE_ID	"PORTHOLE"	/* 8 bytes */
#define ACPI_CREATOR_ID		"PTHL"		/* 4 bytes */
#define ACPI_MAX_CPUS		255		/* 8-bit APIC ids */

/* FADT flags and IA-PC boot architecture flags */
#define FADT_F_WBINVD		(1u << 0)
#define FADT_F_PWR_BUTTON	(1u << 4)	/* 1: not a fixed feature */
#define FADT_F_SLP_BUTTON	(1u << 5)
#define FADT_BOOT_LEGACY_DEVICES (1u << 0)
#define FADT_BOOT_8042		(1u << 1)

/* P_LVLx latencies above these mean "C2/C3 not supported". */
#define FADT_NO_C2_LATENCY	101
#define FADT_NO_C3_LATENCY	1001

#define GAS_SYSTEM_IO		1
#define GAS_ACCESS_WORD		2

#define MADT_PCAT_COMPAT	(1u << 0)
#define MADT_LAPIC		0
#define MADT_IOAPIC		1
#define MADT_ISO		2
#define MADT_LAPIC_ENABLED	(1u << 0)
/* MPS INTI flags: polarity in bits 0-1, trigger mode in bits 2-3. */
#define MPS_ACTIVE_HIGH		0x1
#define MPS_EDGE		(0x1 << 2)
#define MPS_LEVEL		(0x3 << 2)

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __attribute__((packed));

struct acpi_rsdp {
	char signature[8];
	uint8_t checksum;		/* over the first 20 bytes */
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum;	/* over all 36 bytes */
	uint8_t reserved[3];
} __attribute__((packed));

struct acpi_gas {
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} __attribute__((packed));

struct acpi_fadt {
	struct acpi_header h;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk;
	uint32_t pm1a_cnt_blk, pm1b_cnt_blk;
	uint32_t pm2_cnt_blk, pm_tmr_blk;
	uint32_t gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat;
	uint16_t flush_size, flush_stride;
	uint8_t duty_offset, duty_width;
	uint8_t day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk, x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas sleep_control_reg, sleep_status_reg;
	uint64_t hypervisor_vendor_id;
} __attribute__((packed));

struct acpi_facs {
	char signature[4];
	uint32_t length;
	uint32_t hardware_signature;
	uint32_t firmware_waking_vector;
	uint32_t global_lock;
	uint32_t flags;
	uint64_t x_firmware_waking_vector;
	uint8_t version;
	uint8_t reserved[3];
	uint32_t ospm_flags;
	uint8_t reserved2[24];
} __attribute__((packed));

struct acpi_madt {
	struct acpi_header h;
	uint32_t lapic_address;
	uint32_t flags;
} __attribute__((packed));

struct madt_lapic {
	uint8_t type, length, processor_uid, apic_id;
	uint32_t flags;
} __attribute__((packed));

struct madt_ioapic {
	uint8_t type, length, ioapic_id, reserved;
	uint32_t address;
	uint32_t gsi_base;
} __attribute__((packed));

struct madt_iso {
	uint8_t type, length, bus, source;
	uint32_t gsi;
	uint16_t flags;
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_header) == 36, "ACPI header");
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP");
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS");
_Static_assert(offsetof(struct acpi_fadt, sci_int) == 46, "FADT.SCI_INT");
_Static_assert(offsetof(struct acpi_fadt, pm1a_evt_blk) == 56, "FADT.PM1a");
_Static_assert(offsetof(struct acpi_fadt, iapc_boot_arch) == 109, "FADT.IAPC");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT.Flags");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT.X_DSDT");
_Static_assert(offsetof(struct acpi_fadt, x_pm1a_evt_blk) == 148, "FADT.X_PM1a");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT (revision 6)");
_Static_assert(sizeof(struct acpi_facs) == 64, "FACS");
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT");
_Static_assert(sizeof(struct madt_lapic) == 8, "MADT local APIC");
_Static_assert(sizeof(struct madt_ioapic) == 12, "MADT IOAPIC");
_Static_assert(sizeof(struct madt_iso) == 10, "MADT override");

/* Bump allocator over the ACPI area of guest memory. */
struct acpi_area {
	struct guest_mem *mem;
	uint64_t next;
};

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* A zeroed host view of `size` bytes at the next `align`ed GPA. */
static void *area_alloc(struct acpi_area *a, uint64_t size, uint64_t align,
			uint64_t *gpa)
{
	uint64_t at = (a->next + align - 1) & ~(align - 1);
	void *p;

	if (at > LAYOUT_ACPI_END || size > LAYOUT_ACPI_END - at)
		return NULL;
	p = guest_mem_ptr(a->mem, at, size);
	if (!p)
		return NULL;
	memset(p, 0, size);
	a->next = at + size;
	*gpa = at;
	return p;
}

static uint8_t checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return (uint8_t)-sum;
}

static void header_init(struct acpi_header *h, const char sig[4],
			uint32_t length, uint8_t revision)
{
	memcpy(h->signature, sig, 4);
	h->length = length;
	h->revision = revision;
	memcpy(h->oem_id, ACPI_OEM_ID, 6);
	memcpy(h->oem_table_id, ACPI_OEM_TABLE_ID, 8);
	h->oem_revision = 1;
	memcpy(h->creator_id, ACPI_CREATOR_ID, 4);
	h->creator_revision = 1;
}

/* Call last, once the whole table (h->length bytes) is written. */
static void header_seal(struct acpi_header *h)
{
	h->checksum = 0;
	h->checksum = checksum(h, h->length);
}

/* ---- AML ----------------------------------------------------------------
 * Just enough of an AML encoder (ACPI 6.0 chapter 20) for the DSDT body.
 * Writes past the buffer are counted, not done; the caller checks.
 */
struct aml {
	uint8_t *buf;
	size_t cap, len;
};

#define AML_ZERO_OP	0x00
#define AML_ONE_OP	0x01
#define AML_NAME_OP	0x08
#define AML_BYTE_PREFIX	0x0a
#define AML_WORD_PREFIX	0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e
#define AML_PACKAGE_OP	0x12

static void aml_byte(struct aml *a, uint8_t b)
{
	if (a->len < a->cap)
		a->buf[a->len] = b;
	a->len++;
}

static void aml_le(struct aml *a, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		aml_byte(a, (uint8_t)(v >> (8 * i)));
}

/* Integer in its shortest form: ZeroOp, OneOp, or a prefixed constant. */
static void aml_integer(struct aml *a, uint64_t v)
{
	if (v == 0) {
		aml_byte(a, AML_ZERO_OP);
	} else if (v == 1) {
		aml_byte(a, AML_ONE_OP);
	} else if (v <= 0xff) {
		aml_byte(a, AML_BYTE_PREFIX);
		aml_le(a, v, 1);
	} else if (v <= 0xffff) {
		aml_byte(a, AML_WORD_PREFIX);
		aml_le(a, v, 2);
	} else if (v <= 0xffffffff) {
		aml_byte(a, AML_DWORD_PREFIX);
		aml_le(a, v, 4);
	} else {
		aml_byte(a, AML_QWORD_PREFIX);
		aml_le(a, v, 8);
	}
}

/*
 * PkgLength counts itself plus `body` bytes. Up to 63 fits the one-byte
 * form; otherwise the lead byte holds the count of extra bytes in bits
 * 7-6 and the low nibble of the length, the extra bytes the rest.
 */
static void aml_pkglength(struct aml *a, size_t body)
{
	size_t n, total;

	if (body + 1 <= 0x3f) {
		aml_byte(a, (uint8_t)(body + 1));
		return;
	}
	for (n = 2; n < 4; n++)
		if (body + n < (1ul << (4 + 8 * (n - 1))))
			break;
	total = body + n;
	aml_byte(a, (uint8_t)(((n - 1) << 6) | (total & 0xf)));
	for (size_t i = 1; i < n; i++)
		aml_byte(a, (uint8_t)(total >> (4 + 8 * (i - 1))));
}

/* NameSeg: four characters, short names padded with '_'. */
static void aml_nameseg(struct aml *a, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < 4; i++)
		aml_byte(a, i < n ? (uint8_t)name[i] : '_');
}

/* Name(name, Package(){ v[0], ... }) with integer elements. */
static void aml_name_package(struct aml *a, const char *name,
			     const uint64_t *v, uint8_t count)
{
	uint8_t tmp[64];
	struct aml elems = { .buf = tmp, .cap = sizeof(tmp) };

	for (uint8_t i = 0; i < count; i++)
		aml_integer(&elems, v[i]);
	aml_byte(a, AML_NAME_OP);
	aml_nameseg(a, name);
	aml_byte(a, AML_PACKAGE_OP);
	aml_pkglength(a, 1 + elems.len);	/* NumElements + elements */
	aml_byte(a, count);
	for (size_t i = 0; i < elems.len && i < elems.cap; i++)
		aml_byte(a, tmp[i]);
	if (elems.len > elems.cap)
		a->len += elems.len - elems.cap;	/* report the overflow */
}

/*
 * The DSDT body is one object, \_S5_, which tells the OS what to write
 * into PM1a_CNT.SLP_TYP to power off. pm.c powers off on SLP_EN whatever
 * the type, so the value only has to be the conventional 5. It encodes to
 *
 *   08             NameOp
 *   5F 53 35 5F    NameSeg "_S5_"
 *   12             PackageOp
 *   08             PkgLength: 8 bytes, itself included
 *   04             NumElements
 *   0A 05          BytePrefix 5: SLP_TYPa
 *   0A 05          BytePrefix 5: SLP_TYPb
 *   00             ZeroOp: reserved
 *   00             ZeroOp: reserved
 */
static size_t dsdt_body(uint8_t *buf, size_t cap)
{
	static const uint64_t s5[] = { 5, 5, 0, 0 };
	struct aml a = { .buf = buf, .cap = cap };

	aml_name_package(&a, "_S5_", s5, 4);
	return a.len;
}

/* ---- tables ------------------------------------------------------------ */

struct acpi_addrs {
	uint64_t rsdp, facs, dsdt, fadt, madt, rsdt, xsdt;
};

static int build_facs(struct acpi_area *ar, struct acpi_addrs *at)
{
	/* The FACS must be 64-byte aligned; it holds the global lock. */
	struct acpi_facs *f = area_alloc(ar, sizeof(*f), 64, &at->facs);

	if (!f)
		return -1;
	memcpy(f->signature, "FACS", 4);
	f->length = sizeof(*f);
	f->version = 2;
	return 0;
}

static int build_dsdt(struct acpi_area *ar, struct acpi_addrs *at)
{
	uint8_t body[64];
	size_t n = dsdt_body(body, sizeof(body));
	struct acpi_header *h;

	if (n > sizeof(body))
		return -1;
	h = area_alloc(ar, sizeof(*h) + n, 16, &at->dsdt);
	if (!h)
		return -1;
	/* Revision 2: integers in AML are 64 bits wide. */
	header_init(h, "DSDT", (uint32_t)(sizeof(*h) + n), 2);
	memcpy(h + 1, body, n);
	header_seal(h);
	return 0;
}

static struct acpi_gas io_gas(uint16_t port, uint8_t bytes)
{
	return (struct acpi_gas){
		.space_id = GAS_SYSTEM_IO,
		.bit_width = (uint8_t)(bytes * 8),
		.access_size = GAS_ACCESS_WORD,
		.address = port,
	};
}

static int build_fadt(struct acpi_area *ar, struct acpi_addrs *at)
{
	struct acpi_fadt *f = area_alloc(ar, sizeof(*f), 16, &at->fadt);

	if (!f)
		return -1;
	header_init(&f->h, "FACP", sizeof(*f), 6);
	f->firmware_ctrl = (uint32_t)at->facs;
	f->x_firmware_ctrl = at->facs;
	f->dsdt = (uint32_t)at->dsdt;
	f->x_dsdt = at->dsdt;
	f->sci_int = LAYOUT_SCI_IRQ;
	/* SMI_CMD 0: no SMM handshake, the VM is in ACPI mode from reset. */
	f->smi_cmd = 0;
	f->pm1a_evt_blk = LAYOUT_PM1A_EVT_PORT;
	f->pm1_evt_len = 4;	/* PM1_STS + PM1_EN */
	f->pm1a_cnt_blk = LAYOUT_PM1A_CNT_PORT;
	f->pm1_cnt_len = 2;
	f->x_pm1a_evt_blk = io_gas(LAYOUT_PM1A_EVT_PORT, 4);
	f->x_pm1a_cnt_blk = io_gas(LAYOUT_PM1A_CNT_PORT, 2);
	f->p_lvl2_lat = FADT_NO_C2_LATENCY;
	f->p_lvl3_lat = FADT_NO_C3_LATENCY;
	/* The i8042 exists (Linux probes it without a PNP0303 device) and
	 * its reset line is how the VM reboots: no RESET_REG_SUP. */
	f->iapc_boot_arch = FADT_BOOT_LEGACY_DEVICES | FADT_BOOT_8042;
	f->flags = FADT_F_WBINVD | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON;
	header_seal(&f->h);
	return 0;
}

static void madt_add_iso(struct madt_iso *iso, uint8_t irq, uint32_t gsi,
			 uint16_t flags)
{
	*iso = (struct madt_iso){
		.type = MADT_ISO, .length = sizeof(*iso),
		.bus = 0 /* ISA */, .source = irq, .gsi = gsi, .flags = flags,
	};
}

static int build_madt(struct acpi_area *ar, struct acpi_addrs *at,
		      unsigned ncpus)
{
	uint64_t len = sizeof(struct acpi_madt) +
		       ncpus * sizeof(struct madt_lapic) +
		       sizeof(struct madt_ioapic) + 2 * sizeof(struct madt_iso);
	struct acpi_madt *m = area_alloc(ar, len, 16, &at->madt);
	struct madt_lapic *l;
	struct madt_ioapic *io;
	struct madt_iso *iso;

	if (!m)
		return -1;
	header_init(&m->h, "APIC", (uint32_t)len, 4);
	m->lapic_address = (uint32_t)LAYOUT_LAPIC;
	m->flags = MADT_PCAT_COMPAT;	/* the 8259s exist; Linux masks them */
	l = (struct madt_lapic *)(m + 1);
	for (unsigned i = 0; i < ncpus; i++)
		l[i] = (struct madt_lapic){
			.type = MADT_LAPIC, .length = sizeof(*l),
			.processor_uid = (uint8_t)i, .apic_id = (uint8_t)i,
			.flags = MADT_LAPIC_ENABLED,
		};
	io = (struct madt_ioapic *)(l + ncpus);
	*io = (struct madt_ioapic){
		.type = MADT_IOAPIC, .length = sizeof(*io),
		.ioapic_id = (uint8_t)ncpus, /* the first id after the CPUs */
		.address = (uint32_t)LAYOUT_IOAPIC, .gsi_base = 0,
	};
	iso = (struct madt_iso *)(io + 1);
	/* The PIT's IRQ0 is wired to IOAPIC pin 2, as on every PC. */
	madt_add_iso(&iso[0], 0, 2, MPS_ACTIVE_HIGH | MPS_EDGE);
	/* The SCI is a level-triggered, active-high line (pm.c). */
	madt_add_iso(&iso[1], LAYOUT_SCI_IRQ, LAYOUT_SCI_IRQ,
		     MPS_ACTIVE_HIGH | MPS_LEVEL);
	header_seal(&m->h);
	return 0;
}

/* RSDT (32-bit pointers) for ACPI 1.0 readers, XSDT for everyone else. */
static int build_sdts(struct acpi_area *ar, struct acpi_addrs *at)
{
	const uint64_t tables[] = { at->fadt, at->madt };
	const size_t n = sizeof(tables) / sizeof(tables[0]);
	struct acpi_header *r, *x;

	r = area_alloc(ar, sizeof(*r) + n * 4, 16, &at->rsdt);
	if (!r)
		return -1;
	header_init(r, "RSDT", (uint32_t)(sizeof(*r) + n * 4), 1);
	for (size_t i = 0; i < n; i++) {
		uint32_t v = (uint32_t)tables[i];
		memcpy((uint8_t *)(r + 1) + 4 * i, &v, 4);
	}
	header_seal(r);

	x = area_alloc(ar, sizeof(*x) + n * 8, 16, &at->xsdt);
	if (!x)
		return -1;
	header_init(x, "XSDT", (uint32_t)(sizeof(*x) + n * 8), 1);
	memcpy(x + 1, tables, n * 8);
	header_seal(x);
	return 0;
}

static void fill_rsdp(struct acpi_rsdp *r, const struct acpi_addrs *at)
{
	memcpy(r->signature, "RSD PTR ", 8);
	memcpy(r->oem_id, ACPI_OEM_ID, 6);
	r->revision = 2;
	r->rsdt_address = (uint32_t)at->rsdt;
	r->length = sizeof(*r);
	r->xsdt_address = at->xsdt;
	r->checksum = checksum(r, 20);
	r->extended_checksum = checksum(r, sizeof(*r));
}

int acpi_build(struct guest_mem *mem, unsigned ncpus, uint64_t *rsdp_gpa,
	       char *err, size_t errlen)
{
	struct acpi_area ar = { .mem = mem, .next = LAYOUT_ACPI_START };
	struct acpi_addrs at = {0};
	struct acpi_rsdp *rsdp;
	void *area;

	if (ncpus == 0 || ncpus > ACPI_MAX_CPUS)
		return fail(err, errlen,
			    "%u vCPUs requested; Porthole's ACPI tables describe "
			    "1 to %u (8-bit APIC ids); choose --cpus in that "
			    "range", ncpus, ACPI_MAX_CPUS);
	/* Clear the whole area so no stale "RSD PTR " from an earlier boot
	 * is left for a guest that scans for it. */
	area = guest_mem_ptr(mem, LAYOUT_ACPI_START,
			     LAYOUT_ACPI_END - LAYOUT_ACPI_START);
	if (!area)
		return fail(err, errlen,
			    "guest RAM does not cover the ACPI area 0x%llx-0x%llx;"
			    " give the VM more memory (--memory)",
			    (unsigned long long)LAYOUT_ACPI_START,
			    (unsigned long long)LAYOUT_ACPI_END);
	memset(area, 0, LAYOUT_ACPI_END - LAYOUT_ACPI_START);

	/* The RSDP goes first: guests scan for it on 16-byte boundaries. */
	rsdp = area_alloc(&ar, sizeof(*rsdp), 16, &at.rsdp);
	if (!rsdp || build_facs(&ar, &at) || build_dsdt(&ar, &at) ||
	    build_fadt(&ar, &at) || build_madt(&ar, &at, ncpus) ||
	    build_sdts(&ar, &at))
		return fail(err, errlen,
			    "ACPI tables for %u vCPUs do not fit in 0x%llx-0x%llx;"
			    " use fewer vCPUs (--cpus)", ncpus,
			    (unsigned long long)LAYOUT_ACPI_START,
			    (unsigned long long)LAYOUT_ACPI_END);
	fill_rsdp(rsdp, &at);
	*rsdp_gpa = at.rsdp;
	return 0;
}
