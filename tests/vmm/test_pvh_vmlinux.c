// SPDX-License-Identifier: MIT
/*
 * The vmlinux inside Debian's bzImage (CONFIG_PVH=y) through elf_pvh_parse()
 * and loader_load(): the entry must be the XEN_ELFNOTE_PHYS32_ENTRY note,
 * which this test finds on its own by walking the program headers.
 * Usage: test_pvh_vmlinux CACHE_DIR   (filled by tests/linux/fetch-kernel.sh)
 */
#include "loader/elf_pvh.h"
#include "layout.h"
#include "loader_check.h"

#include <stdlib.h>
#include <unistd.h>

#define MIB (1ull << 20)
#define XEN_ELFNOTE_PHYS32_ENTRY 18

/* The PHYS32_ENTRY note of an ELF64 file, or 0. Bounds-checked. */
static uint64_t find_note(const uint8_t *b, size_t len)
{
	uint64_t phoff = lc_le64(b + 0x20);
	uint16_t phsz = lc_le16(b + 0x36), phnum = lc_le16(b + 0x38);

	for (uint16_t i = 0; i < phnum; i++) {
		const uint8_t *ph = b + phoff + (uint64_t)i * phsz;
		uint64_t off, end;

		if (phoff + (uint64_t)(i + 1) * phsz > len || phsz < 56)
			return 0;
		if (lc_le32(ph) != 4 /* PT_NOTE */)
			continue;
		off = lc_le64(ph + 8);
		end = off + lc_le64(ph + 32);
		if (end > len || end < off)
			return 0;
		while (off + 12 <= end) {
			uint32_t nsz = lc_le32(b + off), dsz = lc_le32(b + off + 4);
			uint32_t type = lc_le32(b + off + 8);
			uint64_t name = off + 12;
			uint64_t desc = name + ((nsz + 3ull) & ~3ull);

			if (desc + dsz > end)
				break;
			if (nsz == 4 && !memcmp(b + name, "Xen", 4) &&
			    type == XEN_ELFNOTE_PHYS32_ENTRY)
				return dsz == 8 ? lc_le64(b + desc)
						: lc_le32(b + desc);
			off = desc + ((dsz + 3ull) & ~3ull);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	char path[4096], rd[4096], err[512] = "";
	struct elf_pvh_info info;
	struct boot_entry ent;
	struct guest_mem m;
	uint8_t *buf;
	size_t len;
	uint64_t note;
	int fails = 0, in_seg = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CACHE_DIR\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/vmlinux", argv[1]);
	snprintf(rd, sizeof(rd), "%s/initrd.cpio", argv[1]);
	if (access(path, R_OK)) {
		printf("skipped: no vmlinux in %s (tests/linux/fetch-kernel.sh "
		       "could not download or extract it; its output says why)\n",
		       argv[1]);
		return SKIP_CODE;
	}
	if (loader_read_file(path, 512 * MIB, &buf, &len, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	note = len > 0x40 ? find_note(buf, len) : 0;
	CHECK(note, "no PHYS32_ENTRY note in %s", path);
	CHECK(elf_pvh_parse(buf, len, &info, err, sizeof(err)) == 0, "%s", err);
	printf("PVH entry %#" PRIx64 " (note %#" PRIx64 "), %d segments, end %#"
	       PRIx64 "\n", info.entry, note, info.nseg, info.end);
	CHECK(info.entry == note, "entry %#" PRIx64, info.entry);
	for (int i = 0; i < info.nseg && i < ELF_PVH_MAX_SEGMENTS; i++)
		if (note >= info.seg[i].paddr &&
		    note < info.seg[i].paddr + info.seg[i].memsz)
			in_seg = 1;
	CHECK(in_seg, "entry outside every segment");

	if (!guest_mem_alloc(&m, 512 * MIB)) {
		struct boot_spec spec = {
			.kernel = path, .initrd = access(rd, R_OK) ? NULL : rd,
			.cmdline = "console=ttyS0", .ncpus = 2,
		};

		CHECK(loader_load(&m, &spec, &ent, err, sizeof(err)) == 0,
		      "loader_load: %s", err);
		/* linux_kernel marks the bzImage protocol only: not here. */
		CHECK(ent.pvh && ent.rip == note && ent.rbx,
		      "entry pvh=%d rip=%#" PRIx64 " rbx=%#" PRIx64, ent.pvh,
		      ent.rip, ent.rbx);
		guest_mem_free(&m);
	}
	free(buf);
	printf("%s: %d failure(s)\n", fails ? "FAIL" : "PASS", fails);
	return fails ? 1 : 0;
}
