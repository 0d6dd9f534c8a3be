/* SPDX-License-Identifier: MIT */
/*
 * The console font, embedded as it is: CMake decompresses Debian's
 * Lat15-Terminus16.psf.gz and passes its path as DEMO_FONT_FILE. font.c
 * parses it at run time. .incbin needs no objcopy, for gcc and clang alike.
 */
	.section .rodata.font, "a"
	.globl demo_font_start, demo_font_end
demo_font_start:
	.incbin DEMO_FONT_FILE
demo_font_end:

	.section .note.GNU-stack, "", @progbits
