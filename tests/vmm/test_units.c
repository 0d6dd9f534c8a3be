// SPDX-License-Identifier: MIT
/* Unit tests of the monitor's pure parts: damage rectangles from a bitmap,
 * the 8250's registers, size parsing, the ELF/PVH parser's refusals. */
#include "cli.h"
#include "damage.h"
#include "fb.h"
#include "loader/elf_pvh.h"
#include "serial.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static void set_page(uint64_t *bm, size_t p)
{
	bm[p / 64] |= 1ULL << (p % 64);
}

/* Mark the pages of a pixel rectangle dirty, as the guest would. */
static void touch(uint64_t *bm, uint32_t stride, uint32_t x, uint32_t y,
		  uint32_t w, uint32_t h)
{
	for (uint32_t r = y; r < y + h; r++)
		for (uint32_t c = x; c < x + w; c++)
			set_page(bm, ((size_t)r * stride + c * 4) / 4096);
}

static int covers(const struct fb_rect *r, int n, uint32_t x, uint32_t y)
{
	for (int i = 0; i < n; i++)
		if (x >= r[i].x && x < r[i].x + r[i].w && y >= r[i].y &&
		    y < r[i].y + r[i].h)
			return 1;
	return 0;
}

static void test_damage(void)
{
	const uint32_t w = 1920, h = 1080, stride = fb_stride_for(w);
	struct damage d;
	struct fb_rect r[16];
	uint64_t *bm;
	size_t words;
	int n;

	CHECK(stride == 8192, "stride %u", stride);
	CHECK(damage_init(&d, w, h, stride) == 0, "init");
	words = (d.npages + 63) / 64;
	bm = calloc(words, 8);

	CHECK(damage_from_bitmap(&d, bm, r, 16) == 0, "idle must be empty");

	/* A small change inside one page column: one rectangle. */
	touch(bm, stride, 100, 300, 40, 40);
	n = damage_from_bitmap(&d, bm, r, 16);
	CHECK(n == 1, "square: %d rects", n);
	CHECK(r[0].y == 300 && r[0].h == 40 && r[0].x <= 100 &&
	      r[0].x + r[0].w >= 140 && r[0].w <= 1024 + 2 * 30,
	      "square: %u,%u %ux%u", r[0].x, r[0].y, r[0].w, r[0].h);

	/* Two changes in the same rows on non-adjacent pages stay apart. */
	{
		struct damage d4;
		uint64_t *bm4;

		CHECK(damage_init(&d4, 3840, 2160, fb_stride_for(3840)) == 0, "4k");
		bm4 = calloc((d4.npages + 63) / 64, 8);
		touch(bm4, fb_stride_for(3840), 10, 10, 10, 10);
		touch(bm4, fb_stride_for(3840), 3800, 10, 10, 10);
		n = damage_from_bitmap(&d4, bm4, r, 16);
		CHECK(n == 2, "two apart: %d", n);
		CHECK(covers(r, n, 10, 10) && covers(r, n, 3809, 19), "coverage");
		free(bm4);
		damage_destroy(&d4);
	}

	/* Everything: one rectangle, the screen. */
	memset(bm, 0xff, words * 8);
	n = damage_from_bitmap(&d, bm, r, 16);
	CHECK(n == 1 && r[0].x == 0 && r[0].y == 0 && r[0].w == w &&
	      r[0].h == h, "full: %d %ux%u", n, r[0].w, r[0].h);

	/* More bands than room: a bounding box, never a lost change. */
	memset(bm, 0, words * 8);
	for (uint32_t y = 0; y < 40; y++)
		touch(bm, stride, (y % 2) * 1500, y * 20, 10, 1);
	n = damage_from_bitmap(&d, bm, r, 16);
	CHECK(n == 1 && covers(r, n, 0, 0) && covers(r, n, 1509, 780),
	      "overflow: %d", n);

	/* A stride that is not page aligned still covers every pixel. */
	damage_destroy(&d);
	CHECK(damage_init(&d, 1000, 700, 4000) == 0, "init odd");
	free(bm);
	words = (d.npages + 63) / 64;
	bm = calloc(words, 8);
	touch(bm, 4000, 500, 100, 77, 33);
	n = damage_from_bitmap(&d, bm, r, 16);
	for (uint32_t y = 100; y < 133; y++)
		for (uint32_t x = 500; x < 577; x++)
			CHECK(covers(r, n, x, y), "odd stride: %u,%u", x, y);

	/* The bitmap's last partial page is within bounds. */
	memset(bm, 0xff, words * 8);
	n = damage_from_bitmap(&d, bm, r, 16);
	CHECK(n == 1 && r[0].h == 700, "odd full: %d", n);
	damage_destroy(&d);
	CHECK(damage_init(&d, 100, 100, 399) == -1, "stride below width");
	free(bm);
}

static uint8_t in8(struct serial *s, int reg)
{
	uint8_t v;
	serial_pio(s, 0x3f8 + reg, &v, 1, false);
	return v;
}

static void out8(struct serial *s, int reg, uint8_t v)
{
	serial_pio(s, 0x3f8 + reg, &v, 1, true);
}

static int irq_level;

static void set_irq(void *opaque, int irq, int level)
{
	(void)opaque;
	(void)irq;
	irq_level = level;
}

static void test_serial(void)
{
	struct serial_ops ops = { .set_irq = set_irq };
	struct serial s;
	uint8_t buf[64];

	serial_init(&s, 4, &ops);
	/* Transmit, with THRE set while there is room. */
	CHECK(in8(&s, 5) & 0x20, "THRE after reset");
	out8(&s, 0, 'A');
	out8(&s, 0, 'B');
	CHECK(serial_take_output(&s, buf, sizeof(buf)) == 2 && buf[0] == 'A',
	      "output");
	/* Receive raises the interrupt when enabled, reading clears it. */
	out8(&s, 1, 0x01);
	CHECK(serial_put_input(&s, (const uint8_t *)"xy", 2) == 2, "input");
	CHECK(irq_level == 1 && (in8(&s, 2) & 0x0f) == 0x04, "RDI");
	CHECK(in8(&s, 5) & 1, "DR");
	CHECK(in8(&s, 0) == 'x' && in8(&s, 0) == 'y', "RBR");
	CHECK(irq_level == 0 && !(in8(&s, 5) & 1), "drained");
	/* Loopback as Linux's autoconfig checks it. */
	out8(&s, 4, 0x10 | 0x0a);
	CHECK((in8(&s, 6) & 0xf0) == 0x90, "loopback MSR %02x", in8(&s, 6));
	out8(&s, 4, 0x08);
	/* Divisor latch does not disturb data. */
	out8(&s, 3, 0x80);
	out8(&s, 0, 1);
	out8(&s, 3, 0x03);
	CHECK(serial_take_output(&s, buf, sizeof(buf)) == 0, "DLL is no data");
	/* A full receive FIFO takes no more. */
	memset(buf, 'z', sizeof(buf));
	for (int i = 0; i < SERIAL_RX_SIZE / 64; i++)
		serial_put_input(&s, buf, 64);
	CHECK(serial_put_input(&s, buf, 1) == 0, "rx full");
	serial_destroy(&s);
}

static void test_sizes(void)
{
	uint64_t b;

	CHECK(cli_parse_size("512M", &b) == 0 && b == 512ULL << 20, "512M");
	CHECK(cli_parse_size("2G", &b) == 0 && b == 2ULL << 30, "2G");
	CHECK(cli_parse_size("64", &b) == 0 && b == 64ULL << 20, "64");
	CHECK(cli_parse_size("1GiB", &b) == 0 && b == 1ULL << 30, "1GiB");
	CHECK(cli_parse_size("-1G", &b) < 0, "negative");
	CHECK(cli_parse_size("12Q", &b) < 0, "unit");
	CHECK(cli_parse_size("99999999999T", &b) < 0, "overflow");
	CHECK(cli_parse_size("", &b) < 0, "empty");
}

static void test_elf_refusals(void)
{
	struct {
		Elf64_Ehdr eh;
		Elf64_Phdr ph[2];
		uint8_t note[24];
		uint8_t code[16];
	} img;
	struct elf_pvh_info info;
	char err[256];
	uint32_t note[] = { 4, 4, 18 };

	memset(&img, 0, sizeof(img));
	memcpy(img.eh.e_ident, ELFMAG, SELFMAG);
	img.eh.e_ident[EI_CLASS] = ELFCLASS64;
	img.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	img.eh.e_type = ET_EXEC;
	img.eh.e_machine = EM_X86_64;
	img.eh.e_phoff = offsetof(typeof(img), ph);
	img.eh.e_phentsize = sizeof(Elf64_Phdr);
	img.eh.e_phnum = 2;
	img.ph[0] = (Elf64_Phdr){ .p_type = PT_NOTE,
		.p_offset = offsetof(typeof(img), note), .p_filesz = 20 };
	img.ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD,
		.p_offset = offsetof(typeof(img), code), .p_paddr = 0x100000,
		.p_filesz = 16, .p_memsz = 4096 };
	memcpy(img.note, note, sizeof(note));
	memcpy(img.note + 12, "Xen", 4);
	img.note[16] = 0x00; img.note[17] = 0x00; img.note[18] = 0x10;

	CHECK(elf_pvh_parse((uint8_t *)&img, sizeof(img), &info, err,
			    sizeof(err)) == 0, "valid: %s", err);
	CHECK(info.entry == 0x100000 && info.nseg == 1, "entry %llx",
	      (unsigned long long)info.entry);
	CHECK(elf_pvh_parse((uint8_t *)&img, 40, &info, err, sizeof(err)) < 0 &&
	      strstr(err, "truncated"), "short: %s", err);
	img.ph[1].p_filesz = 1 << 20;
	CHECK(elf_pvh_parse((uint8_t *)&img, sizeof(img), &info, err,
			    sizeof(err)) < 0 && strstr(err, "corrupt"), "big: %s", err);
	img.ph[1].p_filesz = 16;
	img.note[8] = 17; /* another note type */
	CHECK(elf_pvh_parse((uint8_t *)&img, sizeof(img), &info, err,
			    sizeof(err)) < 0 && strstr(err, "CONFIG_PVH"), "nonote: %s", err);
	img.note[8] = 18;
	img.eh.e_machine = EM_AARCH64;
	CHECK(elf_pvh_parse((uint8_t *)&img, sizeof(img), &info, err,
			    sizeof(err)) < 0 && strstr(err, "x86"), "arch: %s", err);
}

int main(void)
{
	test_damage();
	test_serial();
	test_sizes();
	test_elf_refusals();
	printf("unit tests: ok\n");
	return 0;
}
