/* SPDX-License-Identifier: MIT */
/*
 * What the demo guest draws and says: shared by the guest (guest/demo) and
 * the host tests that check it, so both read the same geometry and colours.
 * Pixels are 32-bit XRGB (0x00RRGGBB). W and H are the framebuffer size.
 *
 * Serial protocol on COM1, 115200 8N1, lines end in '\n':
 *   guest -> host   "porthole-demo: boot"            first line, as early as possible
 *                   "porthole-demo: ready WxH"       first full frame is drawn
 *                   "porthole-demo: ready headless"  no framebuffer was given
 *                   "ok CMD"                         a command finished (its pixels are written)
 *                   "err CMD: REASON"                a command was refused
 *   host -> guest   fill X Y W H RRGGBB   solid rectangle (clipped to the screen)
 *                   pattern X Y W H SEED  natural-looking content (clipped to the screen):
 *                                         pixel (X+i, Y+j) is demo_pattern_pixel(SEED, i, j)
 *                                         below; SEED is decimal, 0..4294967295
 *                   anim on|off           the animated region moves / freezes
 *                   clock on|off          the clock redraws each second / freezes
 *                   text LINE             append LINE to the text area
 *                   ping                  answers "ok ping"
 *                   shutdown | reset      ACPI S5 power-off | i8042 reset line
 *                   crash                 jump to unbacked memory (a fatal vCPU exit)
 *                   disk info             "ok disk CAPACITY ro|rw" (CAPACITY in 512-byte sectors)
 *                   disk write LBA COUNT SEED
 *                                         write COUNT sectors from LBA, each filled by
 *                                         demo_disk_sector(SEED, lba) below; "ok disk write"
 *                   disk read LBA COUNT SEED
 *                                         read them back: "ok disk match", or
 *                                         "err disk: mismatch at LBA N" (the first bad sector)
 *                   disk bench MODE N     benchmark workload, one request in flight:
 *                                         randread|randwrite: N 4 KiB requests at random
 *                                         4 KiB-aligned LBAs; seqread|seqwrite: N MiB from
 *                                         LBA 0 in the largest requests the device takes;
 *                                         "ok disk bench" (the host times it)
 *                   disk flush            "ok disk flush" (VIRTIO_BLK_T_FLUSH; a device
 *                                         without VIRTIO_BLK_F_FLUSH is write-through)
 *                   hostile SEED ROUNDS   malicious descriptor chains on every queue of
 *                                         every virtio device, then reset and set them up
 *                                         again; "ok hostile". For monitor robustness tests:
 *                                         it may write garbage anywhere on the disk.
 *   CMD in a reply is the command's first word: "ok fill", "err anim: ...".
 *   shutdown, reset and crash answer nothing: the VM's exit is the answer
 *   (only a machine still running 2 s later gets "err shutdown: ...").
 *   Send commands after "ready": earlier bytes may be lost (QEMU clears its
 *   UART FIFO when the guest turns the FIFO on).
 *   LBA, COUNT (1..DEMO_DISK_MAX_COUNT), SEED and ROUNDS (1..DEMO_HOSTILE_MAX_ROUNDS)
 *   are decimal. A disk request the device fails answers "err disk: status N"
 *   (1 = VIRTIO_BLK_S_IOERR, 2 = UNSUPP), and so does a write to a read-only
 *   disk: the driver sends it anyway, so the device's answer is what is seen.
 *   Ranges beyond the capacity are sent too, for the device to refuse.
 *   Without a virtio-blk device: "err disk: no virtio-blk device".
 *
 * Virtio (PCI bus 0, virtio 1.x devices only), guest -> host, before "ready":
 *                   "virtio: DEV at 00:SS.F"          one per device set up, DEV is
 *                                                     kbd|tablet|mouse|blk|console
 *                   "virtio: DEV at 00:SS.F failed: REASON"
 *                   "virtio: none"                    no virtio device on bus 0
 *                   "virtio: agent port open"         the console port named
 *                                                     DEMO_AGENT_PORT is open (again
 *                                                     after each reset, e.g. hostile)
 *                   "virtio: ready"                   all devices set up (the agent
 *                                                     port waited for up to 1 s)
 *   and at any time, one line per input event received, EV_SYN included:
 *                   "input DEV TYPE CODE VALUE"       DEV kbd|tablet|mouse, decimal,
 *                                                     VALUE signed (e.g. REL_X -5)
 *   Each line the host sends on the agent port is answered on that port with
 *   "demo-agent: LINE\n" (a '\r' before the '\n' is dropped; longer lines than
 *   DEMO_AGENT_LINE_MAX are cut to it).
 *
 * Kernel command line (hvm_start_info cmdline), space-separated:
 *   porthole.fb=ADDR,W,H,STRIDE   framebuffer (hex ADDR, decimal rest); absent = headless
 *   porthole.anim=0               start with the animation frozen
 *   porthole.clock=0              start with the clock frozen
 *   porthole.pci=reassign         place every virtio BAR itself (from 0xc0000000),
 *                                 ignoring the firmware's placement (driver tests)
 *   porthole.pci=reassign-high    the same, 64-bit BARs from 32 GiB (page tables
 *                                 beyond the boot map)
 */
#ifndef PORTHOLE_DEMO_LAYOUT_H
#define PORTHOLE_DEMO_LAYOUT_H

#include <stdint.h>

#define DEMO_MIN_WIDTH   640
#define DEMO_MIN_HEIGHT  480

#define DEMO_COLOR_DESKTOP  0x00306080u
#define DEMO_COLOR_TITLE    0x00204a87u
#define DEMO_COLOR_TITLE_FG 0x00ffffffu
#define DEMO_COLOR_TEXT_BG  0x00101010u
#define DEMO_COLOR_TEXT_FG  0x00e0e0e0u
#define DEMO_COLOR_ANIM_BG  0x00000000u
#define DEMO_COLOR_SPRITE   0x00ff8000u

/* Title bar across the top; the clock sits at its right end. */
#define DEMO_TITLE_X(W, H)  0
#define DEMO_TITLE_Y(W, H)  0
#define DEMO_TITLE_W(W, H)  (W)
#define DEMO_TITLE_H(W, H)  40

#define DEMO_CLOCK_W(W, H)  128 /* "HH:MM:SS" in 16-pixel cells */
#define DEMO_CLOCK_H(W, H)  32
#define DEMO_CLOCK_X(W, H)  ((W) - 12 - DEMO_CLOCK_W(W, H))
#define DEMO_CLOCK_Y(W, H)  4

/* Text area: left half, below the title bar. */
#define DEMO_TEXT_X(W, H)   32
#define DEMO_TEXT_Y(W, H)   72
#define DEMO_TEXT_W(W, H)   ((W) / 2 - 48)
#define DEMO_TEXT_H(W, H)   ((H) - 104)

/* Animated region: right half, top; a sprite moves across it. */
#define DEMO_ANIM_X(W, H)   ((W) / 2 + 16)
#define DEMO_ANIM_Y(W, H)   72
#define DEMO_ANIM_W(W, H)   ((W) / 2 - 48)
#define DEMO_ANIM_H(W, H)   (((H) - 104) / 2)
#define DEMO_SPRITE_SIZE    64

/* Everything else is DEMO_COLOR_DESKTOP. */

/*
 * Where the text goes, for tests that look closer (added by the guest; the
 * boxes above are the contract). Text is drawn in DEMO_FONT_W x DEMO_FONT_H
 * cells of the Terminus console font, each cell fully painted (ink on the
 * region's background).
 */
#define DEMO_FONT_W         8
#define DEMO_FONT_H         16
/* The title, at twice the cell size, in DEMO_COLOR_TITLE_FG. */
#define DEMO_TITLE_TEXT     "Porthole demo"
#define DEMO_TITLE_TEXT_X(W, H) 12
#define DEMO_TITLE_TEXT_Y(W, H) 4
#define DEMO_TITLE_SCALE    2
/* "HH:MM:SS" fills the clock box: 8 cells at twice the cell size. */
#define DEMO_CLOCK_SCALE    2
/* Text rows start DEMO_TEXT_PAD inside the text area, one row per cell. */
#define DEMO_TEXT_PAD       8

/*
 * Input. Typed keys (a US keymap: letters, digits, punctuation, space,
 * Enter, Backspace, Shift) edit a row of the text area: the first key
 * after any other text starts a new row, Enter ends it, Backspace erases
 * within it. The tablet and the mouse move one pointer, drawn after each
 * EV_SYN that moved it: its tip (hot spot) is at (X, Y) and the arrow lies
 * right of and below it, DEMO_POINTER_W x DEMO_POINTER_H, edge pixels in
 * DEMO_COLOR_POINTER_EDGE (the tip is one), inside DEMO_COLOR_POINTER.
 * The tablet sets X = DEMO_ABS_TO_PIXEL(ABS_X, W), Y likewise with H
 * (the device's ABS_INFO range; 0..32767 on QEMU and porthole); the mouse
 * starts at (W/2, H/2) and adds REL_X/REL_Y, clamped to the screen. The
 * pointer appears with the first motion; what it covers is restored when
 * it moves, and drawing underneath it keeps it on top.
 */
#define DEMO_POINTER_W          11
#define DEMO_POINTER_H          16
#define DEMO_COLOR_POINTER      0x00fefefeu /* unique to the pointer */
#define DEMO_COLOR_POINTER_EDGE 0x00010101u
#define DEMO_ABS_MAX            32767
#define DEMO_ABS_TO_PIXEL(v, size) ((int64_t)(v) * ((size) - 1) / DEMO_ABS_MAX)

/* The virtio-console port the guest agent answers on (PORT_NAME). */
#define DEMO_AGENT_PORT         "org.porthole.agent"
#define DEMO_AGENT_LINE_MAX     512

/*
 * The disk pattern: byte k (0..511) of sector LBA written with SEED is
 * byte k % 8 (little-endian) of demo_disk_word(SEED, LBA, k / 8), a
 * splitmix64 step over a mix of the three.
 */
#define DEMO_DISK_SECTOR        512
#define DEMO_DISK_MAX_COUNT     1048576 /* sectors per command: 512 MiB */
#define DEMO_HOSTILE_MAX_ROUNDS 1000

static inline uint64_t demo_disk_word(uint64_t seed, uint64_t lba, unsigned i)
{
	uint64_t z = seed + lba * 0x9e3779b97f4a7c15ULL +
		     ((uint64_t)i + 1) * 0xd1b54a32d192ed03ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void demo_disk_sector(uint64_t seed, uint64_t lba,
				    uint8_t out[DEMO_DISK_SECTOR])
{
	for (unsigned i = 0; i < DEMO_DISK_SECTOR / 8; i++) {
		uint64_t w = demo_disk_word(seed, lba, i);

		for (unsigned b = 0; b < 8; b++)
			out[i * 8 + b] = (uint8_t)(w >> (8 * b));
	}
}

/*
 * The pattern command's pixels, for encoders to work on something like a
 * photo or a video frame rather than flat colour: a base colour chosen by
 * SEED, smooth gradients and ripples that pan a little with SEED, and
 * per-pixel noise (-4..3 per channel) from a hash of SEED and the position.
 * (i, j) are relative to the rectangle's corner, so the same SEED draws the
 * same picture wherever it goes. At every pixel, consecutive seeds differ
 * by at least 0x40 in some channel, and seeds less than 27 apart by at
 * least 0x30 (so a host can tell frames apart through lossy encoders).
 * No channel leaves 0x0c..0xe3, so nothing clips.
 */
static inline uint32_t demo_pattern_tri(uint32_t v, uint32_t period)
{
	uint32_t a = v & (period - 1);

	return a < period / 2 ? a : period - a;
}

static inline uint32_t demo_pattern_pixel(uint32_t seed, uint32_t i, uint32_t j)
{
	static const uint8_t level[3] = { 0x10, 0x60, 0xb0 };
	uint32_t k = seed % 27 * 7 % 27, h, r, g, b;

	h = i * 0x9e3779b1u ^ j * 0x85ebca77u ^ seed * 0xc2b2ae3du;
	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	h *= 0x846ca68bu;
	h ^= h >> 16;
	r = level[k % 3] + demo_pattern_tri(i + 4 * seed, 256) / 4 +
	    demo_pattern_tri(i + j, 64) / 2 + (h & 7) - 4;
	g = level[k / 3 % 3] + demo_pattern_tri(j + 2 * seed, 256) / 4 +
	    demo_pattern_tri(i - j, 128) / 4 + (h >> 8 & 7) - 4;
	b = level[k / 9] + demo_pattern_tri(i + j + 8 * seed, 512) / 8 +
	    demo_pattern_tri(2 * i + j, 128) / 4 + (h >> 16 & 7) - 4;
	return r << 16 | g << 8 | b;
}

#endif
