// SPDX-License-Identifier: MIT
/*
 * bzimage_parse()/bzimage_load() on crafted images: a valid one, loaded and
 * checked field by field (offsets written here by hand, not taken from
 * bootparam.h, so a wrong struct there shows up), and one bad input per
 * error path, each of which must fail with a specific one-line message.
 */
#include "loader/bzimage.h"
#include "layout.h"
#include "loader_check.h"

#include <stdlib.h>
#include <unistd.h>

#define MIB (1ull << 20)
#define KERNEL_LEN 8192
#define RSDP_GPA 0xe0000

struct craft {
	uint16_t version;
	uint8_t setup_sects;
	uint8_t loadflags;
	uint8_t relocatable;
	uint16_t xloadflags;
	uint32_t kernel_len;	/* bytes after the setup */
	uint32_t syssize;	/* 0: derived from kernel_len */
	uint32_t align;
	uint32_t init_size;
	uint64_t pref;
	uint32_t cmdline_size;
	uint32_t initrd_max;
	uint8_t hdr_jump;	/* 0: the end the version needs */
};

static struct craft good(void)
{
	return (struct craft){
		.version = 0x020f, .setup_sects = 1,
		.loadflags = 0x01 | 0x20 /* QUIET, which we must clear */,
		.relocatable = 1, .xloadflags = 0x03, .kernel_len = KERNEL_LEN,
		.align = 0x200000, .init_size = 4 * MIB, .pref = 0x1000000,
		.cmdline_size = 2047, .initrd_max = 0x7fffffff,
	};
}

static void put16(uint8_t *b, size_t off, uint16_t v)
{
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, size_t off, uint32_t v)
{
	put16(b, off, (uint16_t)v);
	put16(b, off + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *b, size_t off, uint64_t v)
{
	put32(b, off, (uint32_t)v);
	put32(b, off + 4, (uint32_t)(v >> 32));
}

static uint8_t *craft(const struct craft *c, size_t *len)
{
	size_t setup = ((c->setup_sects ? c->setup_sects : 4) + 1) * 512;
	uint8_t *b;

	*len = setup + c->kernel_len;
	b = malloc(*len);
	/* Setup code is noise to the loader: fill it so copies show. */
	for (size_t i = 0; i < *len; i++)
		b[i] = (uint8_t)(i * 7 + 3);
	b[0x1f1] = c->setup_sects;
	put32(b, 0x1f4, c->syssize ? c->syssize : (c->kernel_len + 15) / 16);
	put16(b, 0x1fe, 0xaa55);
	b[0x200] = 0xeb;
	b[0x201] = c->hdr_jump ? c->hdr_jump
			       : (c->version >= 0x020a ? 0x6a : 0x3a);
	memcpy(b + 0x202, "HdrS", 4);
	put16(b, 0x206, c->version);
	b[0x210] = 0;
	b[0x211] = c->loadflags;
	put32(b, 0x214, 0x100000);
	put32(b, 0x218, 0xdeadbeef);	/* ramdisk fields: ours to set */
	put32(b, 0x21c, 0xdeadbeef);
	put32(b, 0x228, 0xdeadbeef);
	put32(b, 0x22c, c->initrd_max);
	put32(b, 0x230, c->align);
	b[0x234] = c->relocatable;
	put16(b, 0x236, c->xloadflags);
	put32(b, 0x238, c->cmdline_size);
	put32(b, 0x23c, 0);
	put64(b, 0x240, 0);
	put32(b, 0x248, 16);		/* payload_offset/length */
	put32(b, 0x24c, 64);
	put64(b, 0x250, 0x1122334455667788ull); /* setup_data: never passed on */
	put64(b, 0x258, c->pref);
	put32(b, 0x260, c->init_size);
	return b;
}

static char *temp_file(size_t size, uint8_t seed)
{
	char *path = strdup("/tmp/porthole-initrd-XXXXXX");
	int fd = mkstemp(path);
	uint8_t buf[4096];

	if (fd < 0)
		abort();
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 13 + seed);
	for (size_t done = 0; done < size;) {
		size_t n = size - done < sizeof(buf) ? size - done : sizeof(buf);
		if (write(fd, buf, n) != (ssize_t)n)
			abort();
		done += n;
	}
	close(fd);
	return path;
}

static int check_e820(const struct guest_mem *m, const uint8_t *bp)
{
	uint8_t n = bp[0x1e8];
	uint64_t ram = 0, prev_end = 0;
	int fails = 0;

	CHECK(n >= 3 && n <= 128, "%u e820 entries", n);
	for (unsigned i = 0; i < n && i < 128; i++) {
		const uint8_t *e = bp + 0x2d0 + 20 * i;
		uint64_t addr = lc_le64(e), size = lc_le64(e + 8);
		uint32_t type = lc_le32(e + 16);

		CHECK(addr >= prev_end, "e820 %u unsorted or overlapping", i);
		prev_end = addr + size;
		if (type == 1) {
			CHECK(guest_mem_ptr(m, addr, size),
			      "e820 RAM 0x%" PRIx64 "+0x%" PRIx64 " not RAM",
			      addr, size);
			ram += size;
		}
	}
	/* All RAM but the EBDA and the 640K-1M hole. */
	CHECK(ram == guest_mem_total(m) - (0x100000 - 0x9fc00),
	      "e820 RAM %" PRIu64 " vs guest %" PRIu64, ram,
	      guest_mem_total(m));
	return fails;
}

static int check_loaded(const struct guest_mem *m, const uint8_t *img,
			size_t len, const struct boot_spec *spec,
			const struct boot_entry *ent, const uint8_t *rd,
			size_t rd_len)
{
	const uint8_t *bp = guest_mem_ptr(m, LAYOUT_BOOT_PARAMS, 4096);
	const uint8_t *k = guest_mem_ptr(m, 0x100000, len - 1024);
	uint64_t rd_addr;
	int fails = 0;

	CHECK(k && !memcmp(k, img + 1024, len - 1024), "kernel at 1 MiB");
	CHECK(bp[0x1ef] == 0, "sentinel");
	CHECK(!memcmp(bp + 0x1f1, img + 0x1f1, 0x210 - 0x1f1),
	      "setup header start not copied");
	CHECK(bp[0x210] == 0xff, "type_of_loader %#x", bp[0x210]);
	CHECK(bp[0x211] == 0x81, "loadflags %#x", bp[0x211]);
	CHECK(lc_le16(bp + 0x224) == 0xde00, "heap_end_ptr");
	CHECK(lc_le32(bp + 0x214) == 0x100000, "code32_start");
	CHECK(lc_le32(bp + 0x228) == LAYOUT_CMDLINE, "cmd_line_ptr");
	CHECK(!strcmp(guest_mem_ptr(m, LAYOUT_CMDLINE, 1), spec->cmdline),
	      "command line");
	CHECK(lc_le64(bp + 0x250) == 0, "setup_data passed on");
	CHECK(!memcmp(bp + 0x22c, img + 0x22c, 0x250 - 0x22c),
	      "header 0x22c-0x250 not copied");
	CHECK(lc_le64(bp + 0x70) == RSDP_GPA, "acpi_rsdp_addr");
	rd_addr = lc_le32(bp + 0x218) | (uint64_t)lc_le32(bp + 0xc0) << 32;
	CHECK(lc_le32(bp + 0x21c) == rd_len && lc_le32(bp + 0xc4) == 0,
	      "ramdisk_size");
	CHECK(rd_addr % 4096 == 0, "initrd not page aligned");
	CHECK(rd_addr >= 0x1000000 + 4 * MIB, "initrd overlaps the kernel");
	CHECK(guest_mem_ptr(m, rd_addr, rd_len) &&
	      !memcmp(guest_mem_ptr(m, rd_addr, rd_len), rd, rd_len),
	      "initrd bytes");
	if (rd_addr < 4ull << 30)
		CHECK(rd_addr + rd_len + 4096 > m->lo_size,
		      "initrd not at the top of low RAM");
	CHECK(ent->rip == 0x100000 && ent->rsi == LAYOUT_BOOT_PARAMS &&
	      ent->linux_kernel && !ent->pvh && ent->gdt_base == LAYOUT_BOOT_GDT,
	      "boot entry");
	return fails + check_e820(m, bp);
}

static int check_screen(const struct guest_mem *m, const struct boot_fb *fb,
			uint32_t units)
{
	const uint8_t *si = guest_mem_ptr(m, LAYOUT_BOOT_PARAMS, 64);
	int fails = 0;

	CHECK(si[0x0f] == 0x23, "orig_video_isVGA %#x", si[0x0f]);
	CHECK(lc_le16(si + 0x12) == fb->width && lc_le16(si + 0x14) ==
	      fb->height && lc_le16(si + 0x16) == 32, "lfb geometry");
	CHECK(lc_le16(si + 0x24) == fb->stride, "lfb_linelength");
	CHECK(lc_le32(si + 0x18) == (uint32_t)fb->base, "lfb_base");
	CHECK(lc_le32(si + 0x3a) == fb->base >> 32, "ext_lfb_base");
	CHECK(!!(lc_le32(si + 0x36) & 2) == !!(fb->base >> 32), "64BIT_BASE");
	CHECK(lc_le32(si + 0x1c) == units, "lfb_size %u, want %u",
	      lc_le32(si + 0x1c), units);
	CHECK(si[0x26] == 8 && si[0x27] == 16 && si[0x28] == 8 &&
	      si[0x29] == 8 && si[0x2a] == 8 && si[0x2b] == 0 &&
	      si[0x2c] == 8 && si[0x2d] == 24, "XRGB8888 channels");
	CHECK(si[0x07] == fb->width / 8 && si[0x0e] == fb->height / 16 &&
	      lc_le16(si + 0x10) == 16, "text geometry");
	return fails;
}

static int test_good_load(void)
{
	struct craft c = good();
	size_t len;
	uint8_t *img = craft(&c, &len);
	char *rd = temp_file(100000, 1);
	uint8_t *rd_data = NULL;
	size_t rd_len = 0;
	struct boot_spec spec = {
		.kernel = "crafted", .initrd = rd,
		.cmdline = "console=ttyS0 hello", .ncpus = 1,
		.fb = { .base = LAYOUT_FB_START, .size = 4198400,
			.width = 1366, .height = 768, .stride = 1366 * 4 },
	};
	struct bzimage_info info;
	struct boot_entry ent;
	struct guest_mem m;
	char err[512] = "";
	int fails = 0;

	guest_mem_alloc(&m, 64 * MIB);
	CHECK(bzimage_parse(img, len, &info, err, sizeof(err)) == 0, "%s", err);
	CHECK(info.version == 0x020f && info.setup_size == 1024 &&
	      info.kernel_offset == 1024 && info.kernel_size == KERNEL_LEN,
	      "sizes");
	CHECK(info.init_size == 4 * MIB && info.pref_address == 0x1000000 &&
	      info.runtime_start == 0x1000000 && info.relocatable,
	      "runtime layout");
	CHECK(info.cmdline_size == 2047 && info.initrd_addr_max == 0x7fffffff &&
	      info.xloadflags == 3 && info.header_end == 0x26c &&
	      info.payload_offset == 16 && info.payload_length == 64, "fields");
	CHECK(bzimage_load(&m, &spec, img, len, &info, RSDP_GPA, &ent, err,
			   sizeof(err)) == 0, "%s", err);
	loader_read_file(rd, 1 << 20, &rd_data, &rd_len, err, sizeof(err));
	if (!fails) {
		fails += check_loaded(&m, img, len, &spec, &ent, rd_data, rd_len);
		/* 4198400 bytes = 64.06 blocks of 64 KiB */
		fails += check_screen(&m, &spec.fb, 65);
	}
	unlink(rd);
	free(rd);
	free(rd_data);
	free(img);
	guest_mem_free(&m);
	return fails;
}

/* An old (2.06) kernel: no pref_address/init_size, header ends at 0x23c;
 * what lies beyond (here: setup_data) is setup code and stays out. */
static int test_old_protocol(void)
{
	struct craft c = good();
	size_t len;
	uint8_t *img;
	struct boot_spec spec = { .cmdline = NULL, .ncpus = 1 };
	struct bzimage_info info;
	struct boot_entry ent;
	struct guest_mem m;
	char err[512] = "";
	const uint8_t *bp;
	int fails = 0;

	c.version = 0x0206;
	c.setup_sects = 0; /* means 4 */
	img = craft(&c, &len);
	guest_mem_alloc(&m, 64 * MIB);
	CHECK(bzimage_parse(img, len, &info, err, sizeof(err)) == 0, "%s", err);
	CHECK(info.setup_size == 2560 && info.kernel_offset == 2560,
	      "setup_sects 0 means 4");
	CHECK(info.pref_address == 0x100000 && info.xloadflags == 0 &&
	      info.init_size == 4 * KERNEL_LEN && info.header_end == 0x23c,
	      "pre-2.10 defaults");
	CHECK(bzimage_load(&m, &spec, img, len, &info, RSDP_GPA, &ent, err,
			   sizeof(err)) == 0, "%s", err);
	bp = guest_mem_ptr(&m, LAYOUT_BOOT_PARAMS, 4096);
	CHECK(lc_le64(bp + 0x250) == 0 && lc_le64(bp + 0x258) == 0,
	      "bytes past the 2.06 header copied");
	CHECK(lc_le64(bp + 0x70) == 0, "acpi_rsdp_addr set for 2.06");
	CHECK(lc_le32(bp + 0x218) == 0 && lc_le32(bp + 0x21c) == 0,
	      "ramdisk without initrd");
	CHECK(bp[0x0f] == 0, "screen_info without fb");
	CHECK(*(char *)guest_mem_ptr(&m, LAYOUT_CMDLINE, 1) == 0,
	      "empty command line");
	free(img);
	guest_mem_free(&m);
	return fails;
}

/* Low RAM has no room under initrd_addr_max: above 4 GiB if allowed. */
static int test_initrd_high(int allowed)
{
	struct craft c = good();
	size_t len;
	uint8_t *img;
	char *rd = temp_file(1 << 20, 2);
	struct boot_spec spec = { .initrd = rd, .cmdline = "x", .ncpus = 1 };
	struct bzimage_info info;
	struct boot_entry ent;
	struct guest_mem m;
	char err[512] = "";
	const uint8_t *bp;
	int fails = 0, ret;

	c.initrd_max = 0x00ffffff; /* below the kernel at 16 MiB */
	c.xloadflags = allowed ? 0x03 : 0x01;
	img = craft(&c, &len);
	if (guest_mem_alloc(&m, (3ull << 30) + 64 * MIB)) {
		printf("no 3 GiB mapping here; high initrd test skipped\n");
		goto out;
	}
	CHECK(bzimage_parse(img, len, &info, err, sizeof(err)) == 0, "%s", err);
	ret = bzimage_load(&m, &spec, img, len, &info, RSDP_GPA, &ent, err,
			   sizeof(err));
	bp = guest_mem_ptr(&m, LAYOUT_BOOT_PARAMS, 4096);
	if (allowed) {
		CHECK(ret == 0, "%s", err);
		CHECK(lc_le32(bp + 0xc0) == 1 &&
		      lc_le32(bp + 0x218) == 64 * MIB - (1 << 20),
		      "initrd at the top of high RAM: %#x:%#x",
		      lc_le32(bp + 0xc0), lc_le32(bp + 0x218));
	} else {
		CHECK(ret == -1 && strstr(err, "does not fit"), "%s", err);
		printf("expected error: %s\n", err);
	}
	guest_mem_free(&m);
out:
	unlink(rd);
	free(rd);
	free(img);
	return fails;
}

/* One bad input: parse or load must fail with a message containing want. */
struct bad_case {
	const char *name;
	void (*mutate)(struct craft *c, size_t *cut, struct boot_spec *s,
		       uint64_t *ram);
	const char *want;
};

static void m_tiny(struct craft *c, size_t *cut, struct boot_spec *s,
		   uint64_t *ram) { *cut = 300; }
static void m_truncated(struct craft *c, size_t *cut, struct boot_spec *s,
			uint64_t *ram) { *cut = 1024 + KERNEL_LEN / 2; }
static void m_no_kernel(struct craft *c, size_t *cut, struct boot_spec *s,
			uint64_t *ram)
{
	c->setup_sects = 63;
	*cut = 1024 + KERNEL_LEN;
}
static void m_magic(struct craft *c, size_t *cut, struct boot_spec *s,
		    uint64_t *ram) { c->version = 0xffff; /* see run_bad */ }
static void m_proto(struct craft *c, size_t *cut, struct boot_spec *s,
		    uint64_t *ram) { c->version = 0x0205; }
static void m_zimage(struct craft *c, size_t *cut, struct boot_spec *s,
		     uint64_t *ram) { c->loadflags = 0; }
static void m_align(struct craft *c, size_t *cut, struct boot_spec *s,
		    uint64_t *ram) { c->align = 0x300000; }
static void m_low(struct craft *c, size_t *cut, struct boot_spec *s,
		  uint64_t *ram) { c->relocatable = 0; c->pref = 0x10000; }
static void m_high(struct craft *c, size_t *cut, struct boot_spec *s,
		   uint64_t *ram) { c->pref = 0xfffffffffff00000ull; }
static void m_hdr_end(struct craft *c, size_t *cut, struct boot_spec *s,
		      uint64_t *ram) { c->hdr_jump = 0x30; }
static void m_cmdline(struct craft *c, size_t *cut, struct boot_spec *s,
		      uint64_t *ram)
{
	c->cmdline_size = 16;
	s->cmdline = "console=ttyS0 q=1"; /* 17 bytes */
}
static void m_initrd(struct craft *c, size_t *cut, struct boot_spec *s,
		     uint64_t *ram)
{
	*ram = 32 * MIB;		/* kernel needs up to 20 MiB */
	s->initrd = "16MiB";		/* run_bad makes the file */
}
static void m_memory(struct craft *c, size_t *cut, struct boot_spec *s,
		     uint64_t *ram)
{
	c->init_size = 64 * MIB;
	*ram = 32 * MIB;
}
static void m_fb(struct craft *c, size_t *cut, struct boot_spec *s,
		 uint64_t *ram)
{
	s->fb = (struct boot_fb){ .base = LAYOUT_FB_START, .size = 1 << 26,
				  .width = 20000, .height = 100,
				  .stride = 80000 };
}
static void m_no_initrd(struct craft *c, size_t *cut, struct boot_spec *s,
			uint64_t *ram) { s->initrd = "/nonexistent/initrd"; }

static const struct bad_case bad_cases[] = {
	{ "tiny file", m_tiny, "too small for a bzImage" },
	{ "truncated kernel", m_truncated, "truncated" },
	{ "setup past the end", m_no_kernel, "truncated" },
	{ "bad magic", m_magic, "no \"HdrS\" boot header" },
	{ "protocol 2.05", m_proto,
	  "boot protocol 2.05 is older than 2.06; Porthole needs a kernel "
	  "from 2.6.22 or later" },
	{ "zImage", m_zimage, "zImage" },
	{ "odd alignment", m_align, "not a power of two" },
	{ "fixed below 1 MiB", m_low, "below 1 MiB" },
	{ "pref above 4 GiB", m_high, "beyond 4 GiB" },
	{ "short header", m_hdr_end, "setup header ends at 0x232" },
	{ "command line too long", m_cmdline,
	  "command line is 17 bytes; this kernel accepts at most 16" },
	{ "initrd too large", m_initrd, "does not fit in guest RAM" },
	{ "memory too small", m_memory, "guest RAM is too small for this kernel" },
	{ "framebuffer too wide", m_fb, "framebuffer 20000x100" },
	{ "missing initrd", m_no_initrd, "/nonexistent/initrd" },
};

static int run_bad(const struct bad_case *bc)
{
	struct craft c = good();
	struct boot_spec s = { .cmdline = "console=ttyS0", .ncpus = 1 };
	uint64_t ram = 64 * MIB;
	size_t len, cut = 0;
	uint8_t *img;
	char *rd = NULL;
	struct bzimage_info info;
	struct boot_entry ent;
	struct guest_mem m;
	char err[512] = "";
	int fails = 0, ret;

	bc->mutate(&c, &cut, &s, &ram);
	img = craft(&c, &len);
	if (c.version == 0xffff)
		memcpy(img + 0x202, "HdrT", 4);
	if (cut)
		len = cut;
	if (s.initrd && !strcmp(s.initrd, "16MiB"))
		s.initrd = rd = temp_file(16 * MIB, 3);
	guest_mem_alloc(&m, ram);
	ret = bzimage_parse(img, len, &info, err, sizeof(err));
	if (ret == 0)
		ret = bzimage_load(&m, &s, img, len, &info, RSDP_GPA, &ent,
				   err, sizeof(err));
	CHECK(ret == -1, "%s: accepted", bc->name);
	CHECK(strstr(err, bc->want), "%s: \"%s\" lacks \"%s\"", bc->name, err,
	      bc->want);
	CHECK(!strchr(err, '\n'), "%s: message is not one line", bc->name);
	printf("%-22s -> %s\n", bc->name, err);
	guest_mem_free(&m);
	if (rd)
		unlink(rd);
	free(rd);
	free(img);
	return fails;
}

int main(void)
{
	int fails = 0;

	fails += test_good_load();
	fails += test_old_protocol();
	fails += test_initrd_high(1);
	fails += test_initrd_high(0);
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		fails += run_bad(&bad_cases[i]);
	printf("%s: %d failure(s)\n", fails ? "FAIL" : "PASS", fails);
	return fails ? 1 : 0;
}
