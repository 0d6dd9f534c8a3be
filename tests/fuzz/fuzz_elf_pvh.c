// SPDX-License-Identifier: MIT
/* The ELF/PVH parser and loader on arbitrary files. */
#include "loader/elf_pvh.h"
#include "layout.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guest_mem mem;
	struct elf_pvh_info info;
	struct boot_entry entry;
	struct boot_spec spec = { .cmdline = "console=ttyS0", .ncpus = 1 };
	char err[256];

	if (!mem.lo && guest_mem_alloc(&mem, 32ULL << 20))
		abort();
	if (elf_pvh_parse(data, size, &info, err, sizeof(err)) == 0)
		elf_pvh_load(&mem, &spec, data, size, &info, 0xe0000, &entry,
			     err, sizeof(err));
	return 0;
}
