// SPDX-License-Identifier: MIT
/* acpi_build(): tables a guest can walk, for 1, 2 and 255 vCPUs, the
 * \_S5_ AML bytes, and the errors for impossible requests. */
#include "loader/acpi.h"
#include "layout.h"
#include "loader_check.h"

#include <stdlib.h>

/* Name(_S5_, Package(){5, 5, 0, 0}) as iasl would encode it. */
static const uint8_t s5_aml[] = {
	0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
	0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00,
};

static int check_dsdt(const struct guest_mem *m, uint64_t rsdp)
{
	const uint8_t *r = guest_mem_ptr(m, rsdp, 36);
	const uint8_t *x = lc_table(m, lc_le64(r + 24), "XSDT");
	const uint8_t *f = lc_table(m, lc_le64(x + 36), "FACP");
	const uint8_t *d;
	int fails = 0;

	CHECK(f, "first XSDT entry is not the FADT");
	if (!f)
		return fails;
	d = lc_table(m, lc_le64(f + 140), "DSDT");
	CHECK(d && lc_le32(d + 4) == 36 + sizeof(s5_aml), "DSDT length");
	if (d && lc_le32(d + 4) == 36 + sizeof(s5_aml))
		CHECK(!memcmp(d + 36, s5_aml, sizeof(s5_aml)),
		      "DSDT body is not Name(_S5_, Package(){5,5,0,0})");
	return fails;
}

static int test_cpus(struct guest_mem *m, unsigned ncpus)
{
	char err[256] = "";
	uint64_t rsdp = 0;
	int fails = 0;

	/* Garbage first: acpi_build must not depend on zeroed memory. */
	memset(guest_mem_ptr(m, LAYOUT_ACPI_START,
			     LAYOUT_ACPI_END - LAYOUT_ACPI_START), 0xa5,
	       LAYOUT_ACPI_END - LAYOUT_ACPI_START);
	CHECK(acpi_build(m, ncpus, &rsdp, err, sizeof(err)) == 0,
	      "%u cpus: %s", ncpus, err);
	CHECK(rsdp == LAYOUT_ACPI_START, "RSDP at 0x%" PRIx64, rsdp);
	fails += lc_check_acpi(m, rsdp, ncpus);
	fails += check_dsdt(m, rsdp);
	return fails;
}

static int expect_error(struct guest_mem *m, unsigned ncpus, const char *what)
{
	char err[256] = "";
	uint64_t rsdp = 0;
	int fails = 0;

	CHECK(acpi_build(m, ncpus, &rsdp, err, sizeof(err)) == -1,
	      "%u cpus accepted", ncpus);
	CHECK(strstr(err, what), "message \"%s\" lacks \"%s\"", err, what);
	printf("expected error: %s\n", err);
	return fails;
}

int main(void)
{
	struct guest_mem m, tiny;
	int fails = 0;

	if (guest_mem_alloc(&m, 64 << 20) || guest_mem_alloc(&tiny, 512 << 10)) {
		fprintf(stderr, "cannot allocate guest memory\n");
		return 1;
	}
	fails += test_cpus(&m, 1);
	fails += test_cpus(&m, 2);
	fails += test_cpus(&m, 255);
	fails += expect_error(&m, 0, "0 vCPUs");
	fails += expect_error(&m, 256, "256 vCPUs");
	fails += expect_error(&tiny, 1, "does not cover the ACPI area");
	guest_mem_free(&m);
	guest_mem_free(&tiny);
	printf("%s: %d failure(s)\n", fails ? "FAIL" : "PASS", fails);
	return fails ? 1 : 0;
}
