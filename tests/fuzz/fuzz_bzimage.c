// SPDX-License-Identifier: MIT
/*
 * The bzImage parser and loader on arbitrary files. The guest memory is
 * allocated once and kept (libFuzzer calls us millions of times); a
 * framebuffer and a command line are set so the screen_info and
 * cmdline_size paths run too.
 *
 * Seeds (corpus/bzimage/): minimal bzImages, 1 to 4 setup sectors and a
 * 64-byte "kernel", each valid and aimed at one branch: 2.15 relocatable,
 * 2.06 with setup_sects 0, 2.10 fixed-address, initrd_addr_max below the
 * kernel, cmdline_size shorter than our command line, and an init_size
 * larger than this 64 MiB guest.
 */
#include "loader/bzimage.h"
#include "layout.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guest_mem mem;
	struct bzimage_info info;
	struct boot_entry entry;
	struct boot_spec spec = {
		.cmdline = "console=ttyS0 panic=-1", .ncpus = 1,
		.fb = { .base = LAYOUT_FB_START, .size = 1024 * 768 * 4,
			.width = 1024, .height = 768, .stride = 1024 * 4 },
	};
	char err[256];

	if (!mem.lo && guest_mem_alloc(&mem, 64ULL << 20))
		abort();
	if (bzimage_parse(data, size, &info, err, sizeof(err)) == 0)
		bzimage_load(&mem, &spec, data, size, &info, LAYOUT_ACPI_START,
			     &entry, err, sizeof(err));
	return 0;
}
