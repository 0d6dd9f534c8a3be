// SPDX-License-Identifier: MIT
/* Which loader a kernel file needs, and what all of them share. */
#include "loader.h"
#include "acpi.h"
#include "bzimage.h"
#include "elf_pvh.h"
#include "../layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KERNEL_MAX_SIZE (512ULL << 20)

/* Null, then 64-bit code (0x08), flat 32-bit code (0x10) and data (0x18):
 * the selectors Linux's 32-bit boot protocol names __BOOT_CS/__BOOT_DS. */
static const uint64_t boot_gdt[] = {
	0,
	0x00af9b000000ffffULL,
	0x00cf9b000000ffffULL,
	0x00cf93000000ffffULL,
};

int loader_write_gdt(struct guest_mem *mem, struct boot_entry *entry)
{
	void *dst = guest_mem_ptr(mem, LAYOUT_BOOT_GDT, sizeof(boot_gdt));

	if (!dst)
		return -1;
	memcpy(dst, boot_gdt, sizeof(boot_gdt));
	entry->gdt_base = LAYOUT_BOOT_GDT;
	entry->gdt_limit = sizeof(boot_gdt) - 1;
	return 0;
}

static int is_bzimage(const uint8_t *buf, size_t len)
{
	return len > 0x206 && !memcmp(buf + 0x202, "HdrS", 4);
}

int loader_load(struct guest_mem *mem, const struct boot_spec *spec,
		struct boot_entry *entry, char *err, size_t errlen)
{
	char why[256];
	uint64_t rsdp;
	uint8_t *img;
	size_t len;
	int ret = -1;

	if (loader_read_file(spec->kernel, KERNEL_MAX_SIZE, &img, &len, err,
			     errlen))
		return -1;
	if (acpi_build(mem, spec->ncpus, &rsdp, err, errlen))
		goto out;

	if (is_bzimage(img, len)) {
		struct bzimage_info info;

		if (bzimage_parse(img, len, &info, why, sizeof(why)) ||
		    bzimage_load(mem, spec, img, len, &info, rsdp, entry, why,
				 sizeof(why)))
			goto bad;
	} else if (len >= 4 && !memcmp(img, "\177ELF", 4)) {
		struct elf_pvh_info info;

		if (elf_pvh_parse(img, len, &info, why, sizeof(why)) ||
		    elf_pvh_load(mem, spec, img, len, &info, rsdp, entry, why,
				 sizeof(why)))
			goto bad;
	} else {
		snprintf(err, errlen, "%s is neither a Linux bzImage nor an ELF kernel with a PVH note",
			 spec->kernel);
		goto out;
	}
	ret = 0;
	goto out;
bad:
	snprintf(err, errlen, "%s: %s", spec->kernel, why);
out:
	free(img);
	return ret;
}
