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
 *                   anim on|off           the animated region moves / freezes
 *                   clock on|off          the clock redraws each second / freezes
 *                   text LINE             append LINE to the text area
 *                   ping                  answers "ok ping"
 *                   shutdown | reset      ACPI S5 power-off | i8042 reset line
 *                   crash                 jump to unbacked memory (a fatal vCPU exit)
 *   CMD in a reply is the command's first word: "ok fill", "err anim: ...".
 *   shutdown, reset and crash answer nothing: the VM's exit is the answer
 *   (only a machine still running 2 s later gets "err shutdown: ...").
 *   Send commands after "ready": earlier bytes may be lost (QEMU clears its
 *   UART FIFO when the guest turns the FIFO on).
 *
 * Kernel command line (hvm_start_info cmdline), space-separated:
 *   porthole.fb=ADDR,W,H,STRIDE   framebuffer (hex ADDR, decimal rest); absent = headless
 *   porthole.anim=0               start with the animation frozen
 *   porthole.clock=0              start with the clock frozen
 */
#ifndef PORTHOLE_DEMO_LAYOUT_H
#define PORTHOLE_DEMO_LAYOUT_H

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

#endif
