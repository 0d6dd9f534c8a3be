// SPDX-License-Identifier: MIT
/*
 * Debian's real kernel through bzimage_parse()/bzimage_load(): every field
 * of boot_params the kernel reads is checked against the file (read here
 * independently, at the offsets boot.rst gives) and against guest memory.
 * Usage: test_bootparams CACHE_DIR   (filled by tests/linux/fetch-kernel.sh)
 */
#include "loader/acpi.h"
#include "loader/bzimage.h"
#include "layout.h"
#include "loader_check.h"

#include <stdlib.h>
#include <unistd.h>

#define MIB (1ull << 20)
#define CMDLINE "console=ttyS0 earlyprintk=serial panic=-1 porthole.test=1"

struct files {
	uint8_t *k, *rd;
	size_t klen, rdlen;
	char kpath[4096], rdpath[4096];
};

static int load_files(const char *dir, struct files *f)
{
	char err[512];

	snprintf(f->kpath, sizeof(f->kpath), "%s/vmlinuz", dir);
	snprintf(f->rdpath, sizeof(f->rdpath), "%s/initrd.cpio", dir);
	if (access(f->kpath, R_OK) || access(f->rdpath, R_OK)) {
		printf("skipped: Debian's kernel or the test initrd is not in "
		       "%s (tests/linux/fetch-kernel.sh could not download it; "
		       "its output says why)\n", dir);
		return SKIP_CODE;
	}
	if (loader_read_file(f->kpath, 256 * MIB, &f->k, &f->klen, err,
			     sizeof(err)) ||
	    loader_read_file(f->rdpath, 256 * MIB, &f->rd, &f->rdlen, err,
			     sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	return 0;
}

/* [a, a+n) inside one e820 RAM entry? */
static int in_e820_ram(const uint8_t *bp, uint64_t a, uint64_t n)
{
	for (unsigned i = 0; i < bp[0x1e8] && i < 128; i++) {
		const uint8_t *e = bp + 0x2d0 + 20 * i;

		if (lc_le32(e + 16) == 1 && a >= lc_le64(e) &&
		    a + n <= lc_le64(e) + lc_le64(e + 8))
			return 1;
	}
	return 0;
}

static int check_e820(const struct guest_mem *m, const uint8_t *bp)
{
	uint64_t ram = 0, prev_end = 0;
	int fails = 0;

	CHECK(bp[0x1e8] >= 3 && bp[0x1e8] <= 128, "e820_entries %u", bp[0x1e8]);
	for (unsigned i = 0; i < bp[0x1e8] && i < 128; i++) {
		const uint8_t *e = bp + 0x2d0 + 20 * i;
		uint64_t a = lc_le64(e), n = lc_le64(e + 8);

		printf("e820: %#012" PRIx64 "-%#012" PRIx64 " type %u\n", a,
		       a + n, lc_le32(e + 16));
		CHECK(a >= prev_end && n, "e820 %u unsorted/overlapping/empty", i);
		prev_end = a + n;
		if (lc_le32(e + 16) == 1) {
			CHECK(guest_mem_ptr(m, a, n), "e820 RAM %u not RAM", i);
			ram += n;
		}
	}
	CHECK(ram == guest_mem_total(m) - (0x100000 - 0x9fc00),
	      "e820 RAM %" PRIu64 " of %" PRIu64, ram, guest_mem_total(m));
	return fails;
}

static int check_header(const struct files *f, const uint8_t *bp)
{
	uint32_t hdr_end = 0x202 + f->k[0x201];
	int fails = 0;

	CHECK(hdr_end >= 0x264 && hdr_end <= 0x280, "header end %#x", hdr_end);
	/* Everything up to type_of_loader comes from the file unchanged... */
	CHECK(!memcmp(bp + 0x1f1, f->k + 0x1f1, 0x210 - 0x1f1), "0x1f1-0x210");
	CHECK(!memcmp(bp + 0x212, f->k + 0x212, 2), "setup_move_size");
	CHECK(!memcmp(bp + 0x22c, f->k + 0x22c, 0x250 - 0x22c), "0x22c-0x250");
	CHECK(!memcmp(bp + 0x258, f->k + 0x258, 0x26c - 0x258), "0x258-0x26c");
	/* ...and these are the boot loader's. */
	CHECK(bp[0x210] == 0xff, "type_of_loader %#x", bp[0x210]);
	CHECK(bp[0x211] == ((f->k[0x211] | 0x81) & ~0x20), "loadflags %#x",
	      bp[0x211]);
	CHECK(lc_le16(bp + 0x224) == 0xde00, "heap_end_ptr");
	CHECK(lc_le32(bp + 0x214) == 0x100000, "code32_start");
	CHECK(lc_le64(bp + 0x250) == 0, "setup_data");
	CHECK(bp[0x1ef] == 0, "sentinel");
	return fails;
}

static int check_cmdline(const struct guest_mem *m, const uint8_t *bp)
{
	const char *s = guest_mem_ptr(m, lc_le32(bp + 0x228), sizeof(CMDLINE));
	int fails = 0;

	CHECK(lc_le32(bp + 0x228) == LAYOUT_CMDLINE, "cmd_line_ptr");
	CHECK(s && !memcmp(s, CMDLINE, sizeof(CMDLINE)), "command line");
	CHECK(strlen(CMDLINE) <= lc_le32(bp + 0x238), "cmdline_size");
	CHECK(lc_le32(bp + 0xc8) == 0, "ext_cmd_line_ptr");
	return fails;
}

/* Where boot.rst says the kernel decompresses, computed from the file. */
static uint64_t kernel_end(const struct files *f)
{
	uint64_t align = lc_le32(f->k + 0x230), pref = lc_le64(f->k + 0x258);
	uint64_t base = pref > 0x100000 ? pref : 0x100000;
	uint64_t run = (base + align - 1) & ~(align - 1);
	uint64_t setup = ((f->k[0x1f1] ? f->k[0x1f1] : 4) + 1) * 512;
	uint64_t img_end = 0x100000 + f->klen - setup;
	uint64_t run_end = run + lc_le32(f->k + 0x260);

	return img_end > run_end ? img_end : run_end;
}

static int check_initrd(const struct guest_mem *m, const struct files *f,
			const uint8_t *bp)
{
	uint64_t a = lc_le32(bp + 0x218) | (uint64_t)lc_le32(bp + 0xc0) << 32;
	uint64_t n = lc_le32(bp + 0x21c) | (uint64_t)lc_le32(bp + 0xc4) << 32;
	const void *p = guest_mem_ptr(m, a, n);
	int fails = 0;

	printf("initrd at %#" PRIx64 "+%#" PRIx64 "; kernel needs up to %#"
	       PRIx64 "; initrd_addr_max %#x\n", a, n, kernel_end(f),
	       lc_le32(f->k + 0x22c));
	CHECK(n == f->rdlen, "ramdisk_size %" PRIu64, n);
	CHECK(a % 4096 == 0, "ramdisk_image not page aligned");
	CHECK(a + n - 1 <= lc_le32(f->k + 0x22c), "initrd above initrd_addr_max");
	CHECK(a >= kernel_end(f), "initrd overlaps kernel + init_size");
	CHECK(in_e820_ram(bp, a, n), "initrd not in e820 RAM");
	CHECK(p && !memcmp(p, f->rd, n), "initrd bytes differ from the file");
	return fails;
}

static int check_kernel(const struct guest_mem *m, const struct files *f,
			const uint8_t *bp)
{
	uint64_t setup = ((f->k[0x1f1] ? f->k[0x1f1] : 4) + 1) * 512;
	const void *p = guest_mem_ptr(m, 0x100000, f->klen - setup);
	int fails = 0;

	CHECK(p && !memcmp(p, f->k + setup, f->klen - setup),
	      "kernel at 1 MiB differs from the protected-mode part");
	CHECK(in_e820_ram(bp, 0x100000, kernel_end(f) - 0x100000),
	      "kernel + init_size not in e820 RAM");
	return fails;
}

static int check_screen(const uint8_t *bp)
{
	int fails = 0;

	CHECK(bp[0x0f] == 0x23, "orig_video_isVGA %#x", bp[0x0f]);
	CHECK(lc_le16(bp + 0x12) == 1920 && lc_le16(bp + 0x14) == 1080 &&
	      lc_le16(bp + 0x16) == 32 && lc_le16(bp + 0x24) == 7680,
	      "lfb geometry");
	CHECK(lc_le32(bp + 0x18) == LAYOUT_FB_START && lc_le32(bp + 0x3a) == 0 &&
	      !(lc_le32(bp + 0x36) & 2), "lfb base");
	/* 1920*1080*4 = 8294400 bytes = 126.6 blocks of 64 KiB */
	CHECK(lc_le32(bp + 0x1c) == 127, "lfb_size %u", lc_le32(bp + 0x1c));
	CHECK(bp[0x26] == 8 && bp[0x27] == 16 && bp[0x28] == 8 &&
	      bp[0x29] == 8 && bp[0x2a] == 8 && bp[0x2b] == 0 &&
	      bp[0x2c] == 8 && bp[0x2d] == 24, "XRGB8888 channels");
	CHECK(bp[0x07] == 240 && bp[0x0e] == 67 && lc_le16(bp + 0x10) == 16,
	      "text geometry %ux%u", bp[0x07], bp[0x0e]);
	return fails;
}

static int boot_it(struct guest_mem *m, const struct files *f,
		   struct boot_spec *spec, uint64_t *rsdp)
{
	struct bzimage_info info;
	struct boot_entry ent;
	char err[512] = "";
	int fails = 0;

	CHECK(acpi_build(m, spec->ncpus, rsdp, err, sizeof(err)) == 0, "%s", err);
	CHECK(bzimage_parse(f->k, f->klen, &info, err, sizeof(err)) == 0,
	      "%s", err);
	if (fails)
		return fails;
	printf("protocol %u.%02u, setup %u bytes, kernel %u bytes, init_size "
	       "%#x, pref %#" PRIx64 ", runtime %#" PRIx64 ", xloadflags %#x\n",
	       info.version >> 8, info.version & 0xff, info.setup_size,
	       info.kernel_size, info.init_size, info.pref_address,
	       info.runtime_start, info.xloadflags);
	CHECK(info.version >= 0x020e, "Debian's kernel speaks 2.14+");
	CHECK(bzimage_load(m, spec, f->k, f->klen, &info, *rsdp, &ent, err,
			   sizeof(err)) == 0, "%s", err);
	CHECK(ent.rip == 0x100000 && ent.rsi == LAYOUT_BOOT_PARAMS &&
	      ent.linux_kernel && !ent.pvh && ent.gdt_base == LAYOUT_BOOT_GDT,
	      "boot entry");
	return fails;
}

/* loader_load() must pick the bzImage loader for this file too. */
static int check_dispatch(struct boot_spec *spec)
{
	struct guest_mem m;
	struct boot_entry ent;
	char err[512] = "";
	int fails = 0;

	if (guest_mem_alloc(&m, 512 * MIB))
		return 1;
	CHECK(loader_load(&m, spec, &ent, err, sizeof(err)) == 0, "%s", err);
	CHECK(ent.rip == 0x100000 && ent.linux_kernel && !ent.pvh,
	      "loader_load entry");
	guest_mem_free(&m);
	return fails;
}

int main(int argc, char **argv)
{
	struct files f = {0};
	struct guest_mem m;
	struct boot_spec spec = {
		.cmdline = CMDLINE, .ncpus = 2,
		.fb = { .base = LAYOUT_FB_START, .size = 1920 * 1080 * 4,
			.width = 1920, .height = 1080, .stride = 1920 * 4 },
	};
	const uint8_t *bp;
	uint64_t rsdp = 0;
	int fails, ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CACHE_DIR\n", argv[0]);
		return 2;
	}
	ret = load_files(argv[1], &f);
	if (ret)
		return ret;
	spec.kernel = f.kpath;
	spec.initrd = f.rdpath;
	if (guest_mem_alloc(&m, 512 * MIB))
		return 1;
	fails = boot_it(&m, &f, &spec, &rsdp);
	if (!fails) {
		bp = guest_mem_ptr(&m, LAYOUT_BOOT_PARAMS, 4096);
		fails += check_header(&f, bp);
		fails += check_cmdline(&m, bp);
		fails += check_kernel(&m, &f, bp);
		fails += check_initrd(&m, &f, bp);
		fails += check_e820(&m, bp);
		fails += check_screen(bp);
		CHECK(lc_le64(bp + 0x70) == rsdp, "acpi_rsdp_addr");
		fails += lc_check_acpi(&m, lc_le64(bp + 0x70), spec.ncpus);
		fails += check_dispatch(&spec);
	}
	guest_mem_free(&m);
	free(f.k);
	free(f.rd);
	printf("%s: %d failure(s)\n", fails ? "FAIL" : "PASS", fails);
	return fails ? 1 : 0;
}
