/* SPDX-License-Identifier: MIT */
/*
 * The x86 Linux boot protocol's "zero page" (struct boot_params) and the
 * setup header inside it, as Documentation/arch/x86/boot.rst and
 * zero-page.rst describe them. Only what Porthole fills or reads is named;
 * the rest is padding. Every field sits at a fixed offset of the ABI, so
 * each one we use is pinned by a static assert below.
 */
#ifndef PORTHOLE_VMM_BOOTPARAM_H
#define PORTHOLE_VMM_BOOTPARAM_H

#include <stddef.h>
#include <stdint.h>

/* Offsets in the bzImage file (and in boot_params: same place). */
#define BP_SETUP_HEADER_OFF	0x1f1
#define BP_HDR_MAGIC		0x53726448u /* "HdrS" little-endian */
#define BP_BOOT_FLAG		0xaa55

/* loadflags */
#define BP_LOADED_HIGH		0x01
#define BP_KASLR_FLAG		0x02
#define BP_QUIET_FLAG		0x20
#define BP_KEEP_SEGMENTS	0x40
#define BP_CAN_USE_HEAP		0x80

/* xloadflags (protocol 2.12+) */
#define BP_XLF_KERNEL_64		0x01
#define BP_XLF_CAN_BE_LOADED_ABOVE_4G	0x02

/* screen_info */
#define BP_VIDEO_TYPE_VLFB		0x23 /* VESA linear framebuffer */
#define BP_VIDEO_CAPABILITY_64BIT_BASE	0x02

#define BP_E820_MAX_ENTRIES	128

struct bp_setup_header {
	uint8_t setup_sects;		/* 0x1f1 */
	uint16_t root_flags;
	uint32_t syssize;		/* protected-mode code, 16-byte units */
	uint16_t ram_size;
	uint16_t vid_mode;
	uint16_t root_dev;
	uint16_t boot_flag;		/* 0x1fe: 0xaa55 */
	uint16_t jump;			/* 0x200: its 2nd byte gives the header end */
	uint32_t header;		/* 0x202: "HdrS" */
	uint16_t version;		/* 0x206 */
	uint32_t realmode_swtch;
	uint16_t start_sys_seg;
	uint16_t kernel_version;
	uint8_t type_of_loader;		/* 0x210 */
	uint8_t loadflags;		/* 0x211 */
	uint16_t setup_move_size;
	uint32_t code32_start;		/* 0x214 */
	uint32_t ramdisk_image;		/* 0x218 */
	uint32_t ramdisk_size;		/* 0x21c */
	uint32_t bootsect_kludge;
	uint16_t heap_end_ptr;		/* 0x224 */
	uint8_t ext_loader_ver;
	uint8_t ext_loader_type;
	uint32_t cmd_line_ptr;		/* 0x228 */
	uint32_t initrd_addr_max;	/* 0x22c */
	uint32_t kernel_alignment;	/* 0x230 */
	uint8_t relocatable_kernel;	/* 0x234 */
	uint8_t min_alignment;
	uint16_t xloadflags;		/* 0x236 */
	uint32_t cmdline_size;		/* 0x238 */
	uint32_t hardware_subarch;	/* 0x23c */
	uint64_t hardware_subarch_data;
	uint32_t payload_offset;	/* 0x248 */
	uint32_t payload_length;
	uint64_t setup_data;		/* 0x250 */
	uint64_t pref_address;		/* 0x258 */
	uint32_t init_size;		/* 0x260 */
	uint32_t handover_offset;
	uint32_t kernel_info_offset;	/* 0x268 */
} __attribute__((packed));

struct bp_screen_info {
	uint8_t orig_x;			/* 0x00 */
	uint8_t orig_y;
	uint16_t ext_mem_k;
	uint16_t orig_video_page;
	uint8_t orig_video_mode;
	uint8_t orig_video_cols;	/* 0x07 */
	uint8_t flags;
	uint8_t unused2;
	uint16_t orig_video_ega_bx;
	uint16_t unused3;
	uint8_t orig_video_lines;	/* 0x0e */
	uint8_t orig_video_isVGA;	/* 0x0f */
	uint16_t orig_video_points;	/* 0x10 */
	uint16_t lfb_width;		/* 0x12 */
	uint16_t lfb_height;
	uint16_t lfb_depth;
	uint32_t lfb_base;		/* 0x18 */
	uint32_t lfb_size;		/* 0x1c: 64 KiB units for VLFB */
	uint16_t cl_magic, cl_offset;
	uint16_t lfb_linelength;	/* 0x24 */
	uint8_t red_size, red_pos;	/* 0x26 */
	uint8_t green_size, green_pos;
	uint8_t blue_size, blue_pos;
	uint8_t rsvd_size, rsvd_pos;	/* 0x2c */
	uint16_t vesapm_seg, vesapm_off;
	uint16_t pages;
	uint16_t vesa_attributes;
	uint32_t capabilities;		/* 0x36 */
	uint32_t ext_lfb_base;		/* 0x3a */
	uint8_t _reserved[2];
} __attribute__((packed));

struct bp_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

struct boot_params {
	struct bp_screen_info screen_info;	/* 0x000 */
	uint8_t _pad_apm_ist[0x070 - 0x040];
	uint64_t acpi_rsdp_addr;		/* 0x070 (2.14+) */
	uint8_t _pad_hd_sys[0x0c0 - 0x078];
	uint32_t ext_ramdisk_image;		/* 0x0c0 */
	uint32_t ext_ramdisk_size;		/* 0x0c4 */
	uint32_t ext_cmd_line_ptr;		/* 0x0c8 */
	uint8_t _pad_edid_efi[0x1e0 - 0x0cc];
	uint32_t alt_mem_k;			/* 0x1e0 */
	uint32_t scratch;
	uint8_t e820_entries;			/* 0x1e8 */
	uint8_t eddbuf_entries;
	uint8_t edd_mbr_sig_buf_entries;
	uint8_t kbd_status;
	uint8_t secure_boot;
	uint8_t _pad5[2];
	uint8_t sentinel;			/* 0x1ef: must stay 0 */
	uint8_t _pad6;
	struct bp_setup_header hdr;		/* 0x1f1 */
	uint8_t _pad7[0x2d0 - 0x26c];
	struct bp_e820_entry e820_table[BP_E820_MAX_ENTRIES]; /* 0x2d0 */
	uint8_t _pad8[0x1000 - 0xcd0];
} __attribute__((packed));

#define BP_ASSERT_OFF(type, field, off) \
	_Static_assert(offsetof(struct type, field) == (off), \
		       #type "." #field " is not at " #off)

BP_ASSERT_OFF(bp_setup_header, boot_flag, 0x1fe - 0x1f1);
BP_ASSERT_OFF(bp_setup_header, header, 0x202 - 0x1f1);
BP_ASSERT_OFF(bp_setup_header, type_of_loader, 0x210 - 0x1f1);
BP_ASSERT_OFF(bp_setup_header, code32_start, 0x214 - 0x1f1);
BP_ASSERT_OFF(bp_setup_header, heap_end_ptr, 0x224 - 0x1f1);
BP_ASSERT_OFF(bp_setup_header, cmd_line_ptr, 0x228 - 0x1f1);
BP_ASSERT_OFF(bp_setup_header, kernel_alignment, 0x230 - 0x1f1);
BP_ASSERT_OFF(bp_setup_header, xloadflags, 0x236 - 0x1f1);
BP_ASSERT_OFF(bp_setup_header, cmdline_size, 0x238 - 0x1f1);
BP_ASSERT_OFF(bp_setup_header, payload_offset, 0x248 - 0x1f1);
BP_ASSERT_OFF(bp_setup_header, setup_data, 0x250 - 0x1f1);
BP_ASSERT_OFF(bp_setup_header, pref_address, 0x258 - 0x1f1);
BP_ASSERT_OFF(bp_setup_header, init_size, 0x260 - 0x1f1);
_Static_assert(sizeof(struct bp_setup_header) == 0x26c - 0x1f1,
	       "setup header size");

BP_ASSERT_OFF(bp_screen_info, orig_video_cols, 0x07);
BP_ASSERT_OFF(bp_screen_info, orig_video_lines, 0x0e);
BP_ASSERT_OFF(bp_screen_info, orig_video_isVGA, 0x0f);
BP_ASSERT_OFF(bp_screen_info, lfb_width, 0x12);
BP_ASSERT_OFF(bp_screen_info, lfb_base, 0x18);
BP_ASSERT_OFF(bp_screen_info, lfb_size, 0x1c);
BP_ASSERT_OFF(bp_screen_info, lfb_linelength, 0x24);
BP_ASSERT_OFF(bp_screen_info, red_size, 0x26);
BP_ASSERT_OFF(bp_screen_info, rsvd_pos, 0x2d);
BP_ASSERT_OFF(bp_screen_info, capabilities, 0x36);
BP_ASSERT_OFF(bp_screen_info, ext_lfb_base, 0x3a);
_Static_assert(sizeof(struct bp_screen_info) == 0x40, "screen_info size");

_Static_assert(sizeof(struct bp_e820_entry) == 20, "e820 entry size");

BP_ASSERT_OFF(boot_params, acpi_rsdp_addr, 0x070);
BP_ASSERT_OFF(boot_params, ext_ramdisk_image, 0x0c0);
BP_ASSERT_OFF(boot_params, ext_cmd_line_ptr, 0x0c8);
BP_ASSERT_OFF(boot_params, alt_mem_k, 0x1e0);
BP_ASSERT_OFF(boot_params, e820_entries, 0x1e8);
BP_ASSERT_OFF(boot_params, sentinel, 0x1ef);
BP_ASSERT_OFF(boot_params, hdr, 0x1f1);
BP_ASSERT_OFF(boot_params, e820_table, 0x2d0);
_Static_assert(sizeof(struct boot_params) == 0x1000, "boot_params size");

#endif
