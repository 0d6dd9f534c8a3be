// SPDX-License-Identifier: MIT
/*
 * Linux bzImage direct boot (Documentation/arch/x86/boot.rst, 32-bit boot
 * protocol). The image file is hostile: every offset and length read from
 * it is checked against the buffer with arithmetic that cannot wrap, and
 * every guest address goes through guest_mem_ptr().
 *
 * Where things go:
 *   LAYOUT_BOOT_PARAMS  boot_params ("zero page"), built here from scratch
 *   LAYOUT_CMDLINE      the command line, NUL-terminated
 *   1 MiB               the protected-mode kernel, exactly as in the file
 *   runtime_start       where the kernel decompresses itself (init_size)
 *   top of low RAM      the initrd, page aligned, below initrd_addr_max
 */
#include "bzimage.h"
#include "bootparam.h"
#include "e820.h"
#include "../layout.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE	((uint64_t)4096)
#define MIB		((uint64_t)1 << 20)
#define GIB4		((uint64_t)1 << 32)

/* Protocol versions that added the fields we read. */
#define PROTO_2_06	0x0206	/* cmdline_size; our minimum */
#define PROTO_2_08	0x0208	/* payload_offset/length */
#define PROTO_2_10	0x020a	/* pref_address, init_size */
#define PROTO_2_12	0x020c	/* xloadflags */
#define PROTO_2_14	0x020e	/* acpi_rsdp_addr */

/* End of the setup header fields each protocol level guarantees. */
#define HDR_END_2_06	(offsetof(struct bp_setup_header, hardware_subarch) + \
			 BP_SETUP_HEADER_OFF)
#define HDR_END_2_10	(offsetof(struct bp_setup_header, handover_offset) + \
			 BP_SETUP_HEADER_OFF)
#define HDR_END_KNOWN	(sizeof(struct bp_setup_header) + BP_SETUP_HEADER_OFF)

/*
 * The setup code's heap ends here (offset from the real-mode base). We
 * enter at the 32-bit entry so the setup code never runs, but the kernel
 * still trusts CAN_USE_HEAP + heap_end_ptr; this is boot.rst's example.
 */
#define SETUP_HEAP_END	0xe000

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

static uint64_t mib_up(uint64_t bytes)
{
	return (bytes + MIB - 1) / MIB;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* "2.15" from 0x020f: the protocol's minor number is the low byte. */
static void proto_str(uint16_t v, char *s, size_t n)
{
	snprintf(s, n, "%u.%02u", v >> 8, v & 0xff);
}

/* ---- parse ---------------------------------------------------------- */

static int check_identity(const struct bp_setup_header *h,
			  char *err, size_t errlen)
{
	char v[16];

	if (h->header != BP_HDR_MAGIC)
		return fail(err, errlen,
			    "kernel has no \"HdrS\" boot header at 0x202: not a "
			    "Linux bzImage (use the vmlinuz/bzImage file, or an "
			    "ELF with a PVH note)");
	if (h->boot_flag != BP_BOOT_FLAG)
		return fail(err, errlen,
			    "kernel boot sector lacks the 0xAA55 signature at "
			    "0x1fe: the bzImage is damaged; use an intact copy");
	proto_str(h->version, v, sizeof(v));
	if (h->version < PROTO_2_06)
		return fail(err, errlen,
			    "boot protocol %s is older than 2.06; Porthole needs "
			    "a kernel from 2.6.22 or later", v);
	if (!(h->loadflags & BP_LOADED_HIGH))
		return fail(err, errlen,
			    "kernel is a zImage (loaded at 64 KiB), not a "
			    "bzImage; build it with 'make bzImage'");
	return 0;
}

/* Sizes of the setup part and the protected-mode kernel behind it. */
static int check_sizes(const uint8_t *buf, size_t len,
		       const struct bp_setup_header *h,
		       struct bzimage_info *info, char *err, size_t errlen)
{
	uint32_t hdr_end = 0x202 + buf[0x201]; /* short jump over the header */
	uint32_t need_end = h->version >= PROTO_2_10 ? HDR_END_2_10
						     : HDR_END_2_06;
	uint64_t rest, declared;
	char v[16];

	info->setup_sects = h->setup_sects;
	info->setup_size = ((h->setup_sects ? h->setup_sects : 4) + 1) * 512;
	if (info->setup_size >= len)
		return fail(err, errlen,
			    "kernel is truncated: its setup code needs %" PRIu32
			    " bytes and no protected-mode kernel follows in the "
			    "%zu-byte file; copy the bzImage again",
			    info->setup_size, len);
	proto_str(h->version, v, sizeof(v));
	if (hdr_end < need_end || hdr_end > info->setup_size)
		return fail(err, errlen,
			    "kernel setup header ends at 0x%" PRIx32 ", which "
			    "does not fit boot protocol %s: the bzImage is "
			    "damaged", hdr_end, v);
	info->header_end = hdr_end;
	rest = len - info->setup_size;
	if (rest > UINT32_MAX)
		return fail(err, errlen,
			    "kernel is %zu bytes; a bzImage is at most 4 GiB "
			    "(is this really a kernel?)", len);
	declared = (uint64_t)h->syssize * 16;
	if (declared == 0 || declared > rest)
		return fail(err, errlen,
			    "kernel is truncated: the header announces %" PRIu64
			    " bytes of protected-mode code but the file holds "
			    "%" PRIu64 "; copy the bzImage again",
			    declared, rest);
	info->kernel_offset = info->setup_size;
	info->kernel_size = (uint32_t)rest;
	return 0;
}

/*
 * Kernels before 2.10 do not say how much memory they decompress into.
 * Four times the compressed size covers gzip's ratio on kernel code; it
 * only serves to give a clear error early instead of a silent hang.
 */
static uint32_t estimate_init_size(uint32_t kernel_size)
{
	uint64_t est = (uint64_t)kernel_size * 4;

	return est > UINT32_MAX ? UINT32_MAX : (uint32_t)est;
}

/*
 * Where the kernel runs once decompressed, by boot.rst's rule: a
 * relocatable kernel at its load address raised to pref_address and
 * aligned to kernel_alignment, a fixed one at pref_address.
 */
static int runtime_layout(struct bzimage_info *info, char *err, size_t errlen)
{
	uint64_t base, align = info->kernel_alignment;

	if (info->relocatable) {
		if (align == 0 || (align & (align - 1)))
			return fail(err, errlen,
				    "kernel_alignment 0x%" PRIx64 " is not a "
				    "power of two: the bzImage is damaged",
				    align);
		base = max_u64(LAYOUT_KERNEL_START, info->pref_address);
		if (base > GIB4)
			goto high;
		base = (base + align - 1) & ~(align - 1);
	} else {
		base = info->pref_address;
		if (base < LAYOUT_KERNEL_START)
			return fail(err, errlen,
				    "kernel must run at 0x%" PRIx64 ", below 1 MiB "
				    "where boot data lives; build it with "
				    "CONFIG_PHYSICAL_START >= 0x100000", base);
	}
	if (base > GIB4 || info->init_size > GIB4 - base)
		goto high;
	info->runtime_start = base;
	return 0;
high:
	return fail(err, errlen,
		    "kernel wants to run at 0x%" PRIx64 " with init_size 0x%"
		    PRIx32 ", beyond 4 GiB where the 32-bit entry cannot "
		    "reach; rebuild it with a lower CONFIG_PHYSICAL_START",
		    info->pref_address, info->init_size);
}

static void read_fields(const struct bp_setup_header *h,
			struct bzimage_info *info)
{
	info->version = h->version;
	info->relocatable = h->relocatable_kernel != 0;
	info->kernel_alignment = h->kernel_alignment;
	info->initrd_addr_max = h->initrd_addr_max;
	info->cmdline_size = h->cmdline_size;
	info->xloadflags = h->version >= PROTO_2_12 ? h->xloadflags : 0;
	if (h->version >= PROTO_2_10) {
		info->pref_address = h->pref_address;
		info->init_size = h->init_size;
	} else {
		info->pref_address = LAYOUT_KERNEL_START;
	}
	if (info->init_size == 0)
		info->init_size = estimate_init_size(info->kernel_size);
	/* Where the compressed vmlinux lies; informational, kept if sane. */
	if (h->version >= PROTO_2_08 &&
	    h->payload_offset <= info->kernel_size &&
	    h->payload_length <= info->kernel_size - h->payload_offset) {
		info->payload_offset = h->payload_offset;
		info->payload_length = h->payload_length;
	}
}

int bzimage_parse(const uint8_t *buf, size_t len, struct bzimage_info *info,
		  char *err, size_t errlen)
{
	struct bp_setup_header h;

	memset(info, 0, sizeof(*info));
	if (!buf || len < HDR_END_KNOWN)
		return fail(err, errlen,
			    "kernel is only %zu bytes, too small for a bzImage "
			    "(truncated file?)", buf ? len : 0);
	memcpy(&h, buf + BP_SETUP_HEADER_OFF, sizeof(h));
	if (check_identity(&h, err, errlen) ||
	    check_sizes(buf, len, &h, info, err, errlen))
		return -1;
	read_fields(&h, info);
	return runtime_layout(info, err, errlen);
}

/* ---- load ----------------------------------------------------------- */

/* Everything bzimage_load decides before it writes guest memory. */
struct bz_plan {
	uint64_t kernel_end;	/* end of the memory the kernel needs */
	uint64_t initrd_addr;
	uint8_t *initrd;
	size_t initrd_len;
	size_t cmdline_len;
};

static int plan_kernel(const struct guest_mem *mem,
		       const struct bzimage_info *info, struct bz_plan *p,
		       char *err, size_t errlen)
{
	uint64_t image_end = LAYOUT_KERNEL_START + info->kernel_size;
	uint64_t run_end = info->runtime_start + info->init_size;

	p->kernel_end = max_u64(image_end, run_end);
	if (p->kernel_end > mem->lo_size)
		return fail(err, errlen,
			    "guest RAM is too small for this kernel: it needs "
			    "%" PRIu64 " MiB below 3 GiB to decompress (init_size "
			    "%" PRIu64 " MiB at %" PRIu64 " MiB) but the VM has "
			    "%" PRIu64 " MiB there; give it more (--memory)",
			    mib_up(p->kernel_end), mib_up(info->init_size),
			    info->runtime_start / MIB, mem->lo_size / MIB);
	return 0;
}

static int plan_cmdline(const struct boot_spec *spec,
			const struct bzimage_info *info, struct bz_plan *p,
			char *err, size_t errlen)
{
	uint64_t max = min_u64(info->cmdline_size, LAYOUT_CMDLINE_MAX - 1);

	p->cmdline_len = spec->cmdline ? strlen(spec->cmdline) : 0;
	if (p->cmdline_len > max)
		return fail(err, errlen,
			    "kernel command line is %zu bytes; this kernel "
			    "accepts at most %" PRIu64 "; shorten --cmdline",
			    p->cmdline_len, max);
	return 0;
}

/* Say whether more RAM would help, or only a smaller initrd. */
static int initrd_too_big(const struct bzimage_info *info,
			  const struct bz_plan *p, const char *path,
			  char *err, size_t errlen)
{
	uint64_t cap = (uint64_t)info->initrd_addr_max + 1;
	uint64_t size = p->initrd_len;

	if (cap >= p->kernel_end + size)
		return fail(err, errlen,
			    "initrd %s (%" PRIu64 " MiB) does not fit in guest "
			    "RAM above the kernel, which needs up to %" PRIu64
			    " MiB; give the VM more memory (--memory)", path,
			    mib_up(size), mib_up(p->kernel_end));
	return fail(err, errlen,
		    "initrd %s (%" PRIu64 " MiB) does not fit below this "
		    "kernel's initrd limit (%" PRIu64 " MiB, initrd_addr_max) "
		    "next to the kernel (up to %" PRIu64 " MiB); %s", path,
		    mib_up(size), cap / MIB, mib_up(p->kernel_end),
		    (info->xloadflags & BP_XLF_CAN_BE_LOADED_ABOVE_4G) ?
		    "give the VM more than 3 GiB (--memory) so it can go above "
		    "4 GiB, or use a smaller initrd" : "use a smaller initrd");
}

/*
 * The initrd goes as high as the kernel allows in low RAM, as boot loaders
 * usually do: far from the kernel's decompression area and from early
 * allocations. Above 4 GiB only when low RAM has no room and the kernel
 * says it copes (XLF_CAN_BE_LOADED_ABOVE_4G).
 */
static int place_initrd(const struct guest_mem *mem,
			const struct bzimage_info *info, struct bz_plan *p,
			const char *path, char *err, size_t errlen)
{
	uint64_t size = p->initrd_len;
	uint64_t limit = min_u64((uint64_t)info->initrd_addr_max + 1,
				 mem->lo_size);
	uint64_t addr;

	if (size <= limit) {
		addr = (limit - size) & ~(PAGE_SIZE - 1);
		if (addr >= p->kernel_end) {
			p->initrd_addr = addr;
			return 0;
		}
	}
	if ((info->xloadflags & BP_XLF_CAN_BE_LOADED_ABOVE_4G) &&
	    mem->hi_size >= size) {
		addr = LAYOUT_HIGH_RAM_START + mem->hi_size - size;
		p->initrd_addr = addr & ~(PAGE_SIZE - 1);
		return 0;
	}
	return initrd_too_big(info, p, path, err, errlen);
}

static int plan_initrd(const struct guest_mem *mem, const struct boot_spec *spec,
		       const struct bzimage_info *info, struct bz_plan *p,
		       char *err, size_t errlen)
{
	if (!spec->initrd)
		return 0;
	if (loader_read_file(spec->initrd, guest_mem_total(mem), &p->initrd,
			     &p->initrd_len, err, errlen))
		return -1;
	return place_initrd(mem, info, p, spec->initrd, err, errlen);
}

static int check_fb(const struct boot_fb *fb, char *err, size_t errlen)
{
	uint64_t need = (uint64_t)fb->stride * fb->height;
	uint64_t size = fb->size ? fb->size : need;

	if (fb->width == 0 || fb->height == 0 || fb->width > UINT16_MAX ||
	    fb->height > UINT16_MAX || fb->stride > UINT16_MAX ||
	    fb->stride < (uint64_t)fb->width * 4 || size < need ||
	    (size + 0xffff) >> 16 > UINT32_MAX)
		return fail(err, errlen,
			    "framebuffer %" PRIu32 "x%" PRIu32 " (stride %"
			    PRIu32 ", %" PRIu64 " bytes) cannot be described to "
			    "Linux: width and height must be 1..65535 and the "
			    "stride at most 65535 bytes; pick a smaller --fb",
			    fb->width, fb->height, fb->stride, size);
	return 0;
}

static void fill_screen_info(struct bp_screen_info *si,
			     const struct boot_fb *fb)
{
	uint64_t size = fb->size ? fb->size : (uint64_t)fb->stride * fb->height;

	si->orig_video_isVGA = BP_VIDEO_TYPE_VLFB;
	/* The text-mode geometry early console code assumes: 8x16 cells. */
	si->orig_video_cols = min_u64(fb->width / 8, 255);
	si->orig_video_lines = min_u64(fb->height / 16, 255);
	si->orig_video_points = 16;
	si->lfb_width = fb->width;
	si->lfb_height = fb->height;
	si->lfb_depth = 32;
	si->lfb_linelength = fb->stride;
	si->lfb_base = (uint32_t)fb->base;
	if (fb->base >> 32) {
		si->ext_lfb_base = (uint32_t)(fb->base >> 32);
		si->capabilities |= BP_VIDEO_CAPABILITY_64BIT_BASE;
	}
	/* VLFB sizes count 64 KiB blocks (sysfb and vesafb shift by 16). */
	si->lfb_size = (uint32_t)((size + 0xffff) >> 16);
	/* XRGB8888: blue in the lowest byte, the unused byte on top. */
	si->red_size = 8, si->red_pos = 16;
	si->green_size = 8, si->green_pos = 8;
	si->blue_size = 8, si->blue_pos = 0;
	si->rsvd_size = 8, si->rsvd_pos = 24;
}

static void fill_e820(struct boot_params *bp, const struct guest_mem *mem)
{
	struct e820_range r[BP_E820_MAX_ENTRIES];
	int n = e820_build(mem, r, BP_E820_MAX_ENTRIES);

	for (int i = 0; i < n; i++) {
		bp->e820_table[i].addr = r[i].addr;
		bp->e820_table[i].size = r[i].size;
		bp->e820_table[i].type = r[i].type;
	}
	bp->e820_entries = (uint8_t)n;
}

/*
 * The zero page starts from zero plus the image's own setup header (so
 * `sentinel` stays 0 and the kernel trusts every field), then we fill in
 * what a boot loader owns. Header fields past what we know stay zero,
 * which the protocol reads as "not provided".
 */
static void fill_header(struct boot_params *bp, const uint8_t *img,
			const struct bzimage_info *info,
			const struct bz_plan *p)
{
	struct bp_setup_header *h = &bp->hdr;
	uint32_t end = min_u64(info->header_end, HDR_END_KNOWN);

	memcpy(h, img + BP_SETUP_HEADER_OFF, end - BP_SETUP_HEADER_OFF);
	h->type_of_loader = 0xff; /* "undefined": no registered loader id */
	h->loadflags = (h->loadflags | BP_LOADED_HIGH | BP_CAN_USE_HEAP) &
		       ~BP_QUIET_FLAG;
	h->heap_end_ptr = SETUP_HEAP_END - 0x200;
	h->ext_loader_ver = 0;
	h->ext_loader_type = 0;
	h->code32_start = LAYOUT_KERNEL_START;
	h->cmd_line_ptr = LAYOUT_CMDLINE;
	/* Fields the file has no business setting for us: a PC, no chain
	 * of setup_data (the kernel would follow those pointers). */
	if (info->version >= PROTO_2_10) {
		h->hardware_subarch = 0;
		h->hardware_subarch_data = 0;
		h->setup_data = 0;
	}
	if (p->initrd_len) {
		h->ramdisk_image = (uint32_t)p->initrd_addr;
		h->ramdisk_size = (uint32_t)p->initrd_len;
		bp->ext_ramdisk_image = (uint32_t)(p->initrd_addr >> 32);
		bp->ext_ramdisk_size = (uint32_t)((uint64_t)p->initrd_len >> 32);
	} else {
		h->ramdisk_image = 0;
		h->ramdisk_size = 0;
	}
}

static int write_guest(struct guest_mem *mem, uint64_t gpa, const void *src,
		       uint64_t len, const char *what, char *err, size_t errlen)
{
	void *dst = guest_mem_ptr(mem, gpa, len);

	if (!dst)
		return fail(err, errlen,
			    "cannot place the %s at 0x%" PRIx64 " (%" PRIu64
			    " bytes): outside guest RAM; give the VM more memory "
			    "(--memory)", what, gpa, len);
	memcpy(dst, src, len);
	return 0;
}

static int write_boot_params(struct guest_mem *mem,
			     const struct boot_spec *spec, const uint8_t *img,
			     const struct bzimage_info *info,
			     const struct bz_plan *p, uint64_t rsdp_gpa,
			     char *err, size_t errlen)
{
	struct boot_params *bp = calloc(1, sizeof(*bp));
	int ret;

	if (!bp)
		return fail(err, errlen, "out of memory building boot_params");
	fill_header(bp, img, info, p);
	fill_e820(bp, mem);
	if (spec->fb.base)
		fill_screen_info(&bp->screen_info, &spec->fb);
	if (info->version >= PROTO_2_14)
		bp->acpi_rsdp_addr = rsdp_gpa;
	ret = write_guest(mem, LAYOUT_BOOT_PARAMS, bp, sizeof(*bp),
			  "boot_params", err, errlen);
	free(bp);
	return ret;
}

static int write_payloads(struct guest_mem *mem, const struct boot_spec *spec,
			  const uint8_t *img, const struct bzimage_info *info,
			  const struct bz_plan *p, char *err, size_t errlen)
{
	const char *cmdline = spec->cmdline ? spec->cmdline : "";

	/* Loaded at 1 MiB, not pref_address: see bzimage_load(). */
	if (write_guest(mem, LAYOUT_KERNEL_START, img + info->kernel_offset,
			info->kernel_size, "kernel", err, errlen) ||
	    write_guest(mem, LAYOUT_CMDLINE, cmdline, p->cmdline_len + 1,
			"command line", err, errlen))
		return -1;
	if (p->initrd_len &&
	    write_guest(mem, p->initrd_addr, p->initrd, p->initrd_len,
			"initrd", err, errlen))
		return -1;
	return 0;
}

/* A caller could pass an info that does not belong to img; refuse it. */
static int check_info(const uint8_t *img, size_t len,
		      const struct bzimage_info *info, char *err, size_t errlen)
{
	if (!img || info->header_end < HDR_END_2_06 ||
	    info->header_end > len || info->kernel_offset > len ||
	    info->kernel_size == 0 ||
	    info->kernel_size > len - info->kernel_offset)
		return fail(err, errlen,
			    "internal error: bzImage info does not match the "
			    "image; parse it with bzimage_parse() first");
	return 0;
}

/*
 * The protected-mode kernel is copied to 1 MiB (code32_start), never to
 * pref_address. A relocatable kernel decompresses itself to runtime_start
 * (pref_address or above) wherever it was loaded, so loading higher would
 * save nothing; a non-relocatable one must be entered at 1 MiB anyway; and
 * 1 MiB is what every PC boot loader does, so the kernel's entry code
 * sees the situation it is tested with. The RAM check covers both the
 * image at 1 MiB and [runtime_start, runtime_start + init_size).
 */
int bzimage_load(struct guest_mem *mem, const struct boot_spec *spec,
		 const uint8_t *img, size_t len, const struct bzimage_info *info,
		 uint64_t rsdp_gpa, struct boot_entry *entry,
		 char *err, size_t errlen)
{
	struct bz_plan p = {0};
	int ret = -1;

	if (check_info(img, len, info, err, errlen) ||
	    plan_kernel(mem, info, &p, err, errlen) ||
	    plan_cmdline(spec, info, &p, err, errlen))
		return -1;
	if (spec->fb.base && check_fb(&spec->fb, err, errlen))
		return -1;
	if (plan_initrd(mem, spec, info, &p, err, errlen))
		goto out;
	if (write_payloads(mem, spec, img, info, &p, err, errlen) ||
	    write_boot_params(mem, spec, img, info, &p, rsdp_gpa, err, errlen))
		goto out;

	*entry = (struct boot_entry){
		.rip = LAYOUT_KERNEL_START,
		.rsi = LAYOUT_BOOT_PARAMS,
		.linux_kernel = 1,
	};
	if (loader_write_gdt(mem, entry)) {
		fail(err, errlen, "cannot write the boot GDT at 0x%llx: guest "
		     "RAM is too small", (unsigned long long)LAYOUT_BOOT_GDT);
		goto out;
	}
	ret = 0;
out:
	free(p.initrd);
	return ret;
}
