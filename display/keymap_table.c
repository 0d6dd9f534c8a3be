// SPDX-License-Identifier: MIT
/*
 * X keysyms to evdev codes for a guest with a US keyboard layout, as data
 * (keymap.h has the policy). Sorted by keysym. Besides US: the AltGr
 * levels of xkb's us(altgr-intl) (level 3 = AltGr, level 4 = AltGr+Shift),
 * which type what common European layouts (de, fr, es, it, uk, nordic)
 * have on their keys: accented letters, € £ § ° µ ß æ ø å œ, quotes,
 * either directly or after one of its dead keys (dead column).
 * tests/display/test_keymap.c checks the table; keysyms no US(altgr-intl)
 * keyboard can type (ª º ± · and other scripts) are absent: dropped.
 */
#include "keymap.h"

#include <linux/input-event-codes.h>

#define SHIFT KEYMAP_SHIFT
#define ALTGR KEYMAP_ALTGR
#define ANY   KEYMAP_ANY
#define MOD   KEYMAP_MOD

static const struct keymap_entry table[] = {
	{ 0x0020, KEY_SPACE, ANY, 0 },	/* space */
	{ 0x0021, KEY_1, SHIFT, 0 },	/* exclam */
	{ 0x0022, KEY_APOSTROPHE, SHIFT, 0 },	/* quotedbl */
	{ 0x0023, KEY_3, SHIFT, 0 },	/* numbersign */
	{ 0x0024, KEY_4, SHIFT, 0 },	/* dollar */
	{ 0x0025, KEY_5, SHIFT, 0 },	/* percent */
	{ 0x0026, KEY_7, SHIFT, 0 },	/* ampersand */
	{ 0x0027, KEY_APOSTROPHE, 0, 0 },	/* apostrophe */
	{ 0x0028, KEY_9, SHIFT, 0 },	/* parenleft */
	{ 0x0029, KEY_0, SHIFT, 0 },	/* parenright */
	{ 0x002a, KEY_8, SHIFT, 0 },	/* asterisk */
	{ 0x002b, KEY_EQUAL, SHIFT, 0 },	/* plus */
	{ 0x002c, KEY_COMMA, 0, 0 },	/* comma */
	{ 0x002d, KEY_MINUS, 0, 0 },	/* minus */
	{ 0x002e, KEY_DOT, 0, 0 },	/* period */
	{ 0x002f, KEY_SLASH, 0, 0 },	/* slash */
	{ 0x0030, KEY_0, 0, 0 },	/* 0 */
	{ 0x0031, KEY_1, 0, 0 },	/* 1 */
	{ 0x0032, KEY_2, 0, 0 },	/* 2 */
	{ 0x0033, KEY_3, 0, 0 },	/* 3 */
	{ 0x0034, KEY_4, 0, 0 },	/* 4 */
	{ 0x0035, KEY_5, 0, 0 },	/* 5 */
	{ 0x0036, KEY_6, 0, 0 },	/* 6 */
	{ 0x0037, KEY_7, 0, 0 },	/* 7 */
	{ 0x0038, KEY_8, 0, 0 },	/* 8 */
	{ 0x0039, KEY_9, 0, 0 },	/* 9 */
	{ 0x003a, KEY_SEMICOLON, SHIFT, 0 },	/* colon */
	{ 0x003b, KEY_SEMICOLON, 0, 0 },	/* semicolon */
	{ 0x003c, KEY_COMMA, SHIFT, 0 },	/* less */
	{ 0x003d, KEY_EQUAL, 0, 0 },	/* equal */
	{ 0x003e, KEY_DOT, SHIFT, 0 },	/* greater */
	{ 0x003f, KEY_SLASH, SHIFT, 0 },	/* question */
	{ 0x0040, KEY_2, SHIFT, 0 },	/* at */
	{ 0x0041, KEY_A, ANY, 0 },	/* A */
	{ 0x0042, KEY_B, ANY, 0 },	/* B */
	{ 0x0043, KEY_C, ANY, 0 },	/* C */
	{ 0x0044, KEY_D, ANY, 0 },	/* D */
	{ 0x0045, KEY_E, ANY, 0 },	/* E */
	{ 0x0046, KEY_F, ANY, 0 },	/* F */
	{ 0x0047, KEY_G, ANY, 0 },	/* G */
	{ 0x0048, KEY_H, ANY, 0 },	/* H */
	{ 0x0049, KEY_I, ANY, 0 },	/* I */
	{ 0x004a, KEY_J, ANY, 0 },	/* J */
	{ 0x004b, KEY_K, ANY, 0 },	/* K */
	{ 0x004c, KEY_L, ANY, 0 },	/* L */
	{ 0x004d, KEY_M, ANY, 0 },	/* M */
	{ 0x004e, KEY_N, ANY, 0 },	/* N */
	{ 0x004f, KEY_O, ANY, 0 },	/* O */
	{ 0x0050, KEY_P, ANY, 0 },	/* P */
	{ 0x0051, KEY_Q, ANY, 0 },	/* Q */
	{ 0x0052, KEY_R, ANY, 0 },	/* R */
	{ 0x0053, KEY_S, ANY, 0 },	/* S */
	{ 0x0054, KEY_T, ANY, 0 },	/* T */
	{ 0x0055, KEY_U, ANY, 0 },	/* U */
	{ 0x0056, KEY_V, ANY, 0 },	/* V */
	{ 0x0057, KEY_W, ANY, 0 },	/* W */
	{ 0x0058, KEY_X, ANY, 0 },	/* X */
	{ 0x0059, KEY_Y, ANY, 0 },	/* Y */
	{ 0x005a, KEY_Z, ANY, 0 },	/* Z */
	{ 0x005b, KEY_LEFTBRACE, 0, 0 },	/* bracketleft */
	{ 0x005c, KEY_BACKSLASH, 0, 0 },	/* backslash */
	{ 0x005d, KEY_RIGHTBRACE, 0, 0 },	/* bracketright */
	{ 0x005e, KEY_6, SHIFT, 0 },	/* asciicircum */
	{ 0x005f, KEY_MINUS, SHIFT, 0 },	/* underscore */
	{ 0x0060, KEY_GRAVE, 0, 0 },	/* grave */
	{ 0x0061, KEY_A, ANY, 0 },	/* a */
	{ 0x0062, KEY_B, ANY, 0 },	/* b */
	{ 0x0063, KEY_C, ANY, 0 },	/* c */
	{ 0x0064, KEY_D, ANY, 0 },	/* d */
	{ 0x0065, KEY_E, ANY, 0 },	/* e */
	{ 0x0066, KEY_F, ANY, 0 },	/* f */
	{ 0x0067, KEY_G, ANY, 0 },	/* g */
	{ 0x0068, KEY_H, ANY, 0 },	/* h */
	{ 0x0069, KEY_I, ANY, 0 },	/* i */
	{ 0x006a, KEY_J, ANY, 0 },	/* j */
	{ 0x006b, KEY_K, ANY, 0 },	/* k */
	{ 0x006c, KEY_L, ANY, 0 },	/* l */
	{ 0x006d, KEY_M, ANY, 0 },	/* m */
	{ 0x006e, KEY_N, ANY, 0 },	/* n */
	{ 0x006f, KEY_O, ANY, 0 },	/* o */
	{ 0x0070, KEY_P, ANY, 0 },	/* p */
	{ 0x0071, KEY_Q, ANY, 0 },	/* q */
	{ 0x0072, KEY_R, ANY, 0 },	/* r */
	{ 0x0073, KEY_S, ANY, 0 },	/* s */
	{ 0x0074, KEY_T, ANY, 0 },	/* t */
	{ 0x0075, KEY_U, ANY, 0 },	/* u */
	{ 0x0076, KEY_V, ANY, 0 },	/* v */
	{ 0x0077, KEY_W, ANY, 0 },	/* w */
	{ 0x0078, KEY_X, ANY, 0 },	/* x */
	{ 0x0079, KEY_Y, ANY, 0 },	/* y */
	{ 0x007a, KEY_Z, ANY, 0 },	/* z */
	{ 0x007b, KEY_LEFTBRACE, SHIFT, 0 },	/* braceleft */
	{ 0x007c, KEY_BACKSLASH, SHIFT, 0 },	/* bar */
	{ 0x007d, KEY_RIGHTBRACE, SHIFT, 0 },	/* braceright */
	{ 0x007e, KEY_GRAVE, SHIFT, 0 },	/* asciitilde */
	{ 0x00a1, KEY_1, SHIFT | ALTGR, 0 },	/* exclamdown */
	{ 0x00a2, KEY_C, SHIFT | ALTGR, 0 },	/* cent */
	{ 0x00a3, KEY_4, SHIFT | ALTGR, 0 },	/* sterling */
	{ 0x00a4, KEY_4, ALTGR, 0 },	/* currency */
	{ 0x00a5, KEY_MINUS, ALTGR, 0 },	/* yen */
	{ 0x00a6, KEY_BACKSLASH, SHIFT | ALTGR, 0 },	/* brokenbar */
	{ 0x00a7, KEY_S, SHIFT | ALTGR, 0 },	/* section */
	{ 0x00a8, KEY_APOSTROPHE, SHIFT | ALTGR, 0xfe57 },	/* diaeresis: dead twice */
	{ 0x00a9, KEY_C, ALTGR, 0 },	/* copyright */
	{ 0x00ab, KEY_LEFTBRACE, ALTGR, 0 },	/* guillemotleft */
	{ 0x00ac, KEY_BACKSLASH, ALTGR, 0 },	/* notsign */
	{ 0x00ae, KEY_V, ALTGR, 0 },	/* registered */
	{ 0x00af, KEY_SPACE, 0, 0xfe54 },	/* macron */
	{ 0x00b0, KEY_SEMICOLON, SHIFT | ALTGR, 0 },	/* degree */
	{ 0x00b2, KEY_2, ALTGR, 0 },	/* twosuperior */
	{ 0x00b3, KEY_3, ALTGR, 0 },	/* threesuperior */
	{ 0x00b4, KEY_APOSTROPHE, ALTGR, 0xfe51 },	/* acute: dead twice */
	{ 0x00b5, KEY_M, ALTGR, 0 },	/* mu */
	{ 0x00b6, KEY_SEMICOLON, ALTGR, 0 },	/* paragraph */
	{ 0x00b8, KEY_SPACE, 0, 0xfe5b },	/* cedilla */
	{ 0x00b9, KEY_1, ALTGR, 0 },	/* onesuperior */
	{ 0x00bb, KEY_RIGHTBRACE, ALTGR, 0 },	/* guillemotright */
	{ 0x00bc, KEY_6, SHIFT | ALTGR, 0 },	/* onequarter */
	{ 0x00bd, KEY_7, SHIFT | ALTGR, 0 },	/* onehalf */
	{ 0x00be, KEY_8, SHIFT | ALTGR, 0 },	/* threequarters */
	{ 0x00bf, KEY_SLASH, ALTGR, 0 },	/* questiondown */
	{ 0x00c0, KEY_A, SHIFT, 0xfe50 },	/* Agrave */
	{ 0x00c1, KEY_A, SHIFT | ALTGR, 0 },	/* Aacute */
	{ 0x00c2, KEY_A, SHIFT, 0xfe52 },	/* Acircumflex */
	{ 0x00c3, KEY_A, SHIFT, 0xfe53 },	/* Atilde */
	{ 0x00c4, KEY_Q, SHIFT | ALTGR, 0 },	/* Adiaeresis */
	{ 0x00c5, KEY_W, SHIFT | ALTGR, 0 },	/* Aring */
	{ 0x00c6, KEY_Z, SHIFT | ALTGR, 0 },	/* AE */
	{ 0x00c7, KEY_COMMA, SHIFT | ALTGR, 0 },	/* Ccedilla */
	{ 0x00c8, KEY_E, SHIFT, 0xfe50 },	/* Egrave */
	{ 0x00c9, KEY_E, SHIFT | ALTGR, 0 },	/* Eacute */
	{ 0x00ca, KEY_E, SHIFT, 0xfe52 },	/* Ecircumflex */
	{ 0x00cb, KEY_R, SHIFT | ALTGR, 0 },	/* Ediaeresis */
	{ 0x00cc, KEY_I, SHIFT, 0xfe50 },	/* Igrave */
	{ 0x00cd, KEY_I, SHIFT | ALTGR, 0 },	/* Iacute */
	{ 0x00ce, KEY_I, SHIFT, 0xfe52 },	/* Icircumflex */
	{ 0x00cf, KEY_J, SHIFT | ALTGR, 0 },	/* Idiaeresis */
	{ 0x00d0, KEY_D, SHIFT | ALTGR, 0 },	/* ETH */
	{ 0x00d1, KEY_N, SHIFT | ALTGR, 0 },	/* Ntilde */
	{ 0x00d2, KEY_O, SHIFT, 0xfe50 },	/* Ograve */
	{ 0x00d3, KEY_O, SHIFT | ALTGR, 0 },	/* Oacute */
	{ 0x00d4, KEY_O, SHIFT, 0xfe52 },	/* Ocircumflex */
	{ 0x00d5, KEY_O, SHIFT, 0xfe53 },	/* Otilde */
	{ 0x00d6, KEY_P, SHIFT | ALTGR, 0 },	/* Odiaeresis */
	{ 0x00d7, KEY_EQUAL, ALTGR, 0 },	/* multiply */
	{ 0x00d8, KEY_L, SHIFT | ALTGR, 0 },	/* Ooblique */
	{ 0x00d9, KEY_U, SHIFT, 0xfe50 },	/* Ugrave */
	{ 0x00da, KEY_U, SHIFT | ALTGR, 0 },	/* Uacute */
	{ 0x00db, KEY_U, SHIFT, 0xfe52 },	/* Ucircumflex */
	{ 0x00dc, KEY_Y, SHIFT | ALTGR, 0 },	/* Udiaeresis */
	{ 0x00dd, KEY_Y, SHIFT, 0xfe51 },	/* Yacute */
	{ 0x00de, KEY_T, SHIFT | ALTGR, 0 },	/* THORN */
	{ 0x00df, KEY_S, ALTGR, 0 },	/* ssharp */
	{ 0x00e0, KEY_A, 0, 0xfe50 },	/* agrave */
	{ 0x00e1, KEY_A, ALTGR, 0 },	/* aacute */
	{ 0x00e2, KEY_A, 0, 0xfe52 },	/* acircumflex */
	{ 0x00e3, KEY_A, 0, 0xfe53 },	/* atilde */
	{ 0x00e4, KEY_Q, ALTGR, 0 },	/* adiaeresis */
	{ 0x00e5, KEY_W, ALTGR, 0 },	/* aring */
	{ 0x00e6, KEY_Z, ALTGR, 0 },	/* ae */
	{ 0x00e7, KEY_COMMA, ALTGR, 0 },	/* ccedilla */
	{ 0x00e8, KEY_E, 0, 0xfe50 },	/* egrave */
	{ 0x00e9, KEY_E, ALTGR, 0 },	/* eacute */
	{ 0x00ea, KEY_E, 0, 0xfe52 },	/* ecircumflex */
	{ 0x00eb, KEY_R, ALTGR, 0 },	/* ediaeresis */
	{ 0x00ec, KEY_I, 0, 0xfe50 },	/* igrave */
	{ 0x00ed, KEY_I, ALTGR, 0 },	/* iacute */
	{ 0x00ee, KEY_I, 0, 0xfe52 },	/* icircumflex */
	{ 0x00ef, KEY_J, ALTGR, 0 },	/* idiaeresis */
	{ 0x00f0, KEY_D, ALTGR, 0 },	/* eth */
	{ 0x00f1, KEY_N, ALTGR, 0 },	/* ntilde */
	{ 0x00f2, KEY_O, 0, 0xfe50 },	/* ograve */
	{ 0x00f3, KEY_O, ALTGR, 0 },	/* oacute */
	{ 0x00f4, KEY_O, 0, 0xfe52 },	/* ocircumflex */
	{ 0x00f5, KEY_O, 0, 0xfe53 },	/* otilde */
	{ 0x00f6, KEY_P, ALTGR, 0 },	/* odiaeresis */
	{ 0x00f7, KEY_EQUAL, SHIFT | ALTGR, 0 },	/* division */
	{ 0x00f8, KEY_L, ALTGR, 0 },	/* oslash */
	{ 0x00f9, KEY_U, 0, 0xfe50 },	/* ugrave */
	{ 0x00fa, KEY_U, ALTGR, 0 },	/* uacute */
	{ 0x00fb, KEY_U, 0, 0xfe52 },	/* ucircumflex */
	{ 0x00fc, KEY_Y, ALTGR, 0 },	/* udiaeresis */
	{ 0x00fd, KEY_Y, 0, 0xfe51 },	/* yacute */
	{ 0x00fe, KEY_T, ALTGR, 0 },	/* thorn */
	{ 0x00ff, KEY_Y, 0, 0xfe57 },	/* ydiaeresis */
	{ 0x01d9, KEY_U, SHIFT, 0xfe58 },	/* Uring */
	{ 0x01f9, KEY_U, 0, 0xfe58 },	/* uring */
	{ 0x0ad0, KEY_9, ALTGR, 0 },	/* leftsinglequotemark */
	{ 0x0ad1, KEY_0, ALTGR, 0 },	/* rightsinglequotemark */
	{ 0x0ad2, KEY_LEFTBRACE, SHIFT | ALTGR, 0 },	/* leftdoublequotemark */
	{ 0x0ad3, KEY_RIGHTBRACE, SHIFT | ALTGR, 0 },	/* rightdoublequotemark */
	{ 0x13bc, KEY_X, SHIFT | ALTGR, 0 },	/* OE */
	{ 0x13bd, KEY_X, ALTGR, 0 },	/* oe */
	{ 0x13be, KEY_Y, SHIFT, 0xfe57 },	/* Ydiaeresis */
	{ 0x20ac, KEY_5, ALTGR, 0 },	/* EuroSign */
	{ 0xfe03, KEY_RIGHTALT, MOD, 0 },	/* ISO_Level3_Shift */
	{ 0xfe20, KEY_TAB, ANY, 0 },	/* ISO_Left_Tab */
	{ 0xfe50, KEY_GRAVE, ALTGR, 0 },	/* dead_grave */
	{ 0xfe51, KEY_APOSTROPHE, ALTGR, 0 },	/* dead_acute */
	{ 0xfe52, KEY_6, ALTGR, 0 },	/* dead_circumflex */
	{ 0xfe53, KEY_GRAVE, SHIFT | ALTGR, 0 },	/* dead_tilde */
	{ 0xfe54, KEY_3, SHIFT | ALTGR, 0 },	/* dead_macron */
	{ 0xfe55, KEY_9, SHIFT | ALTGR, 0 },	/* dead_breve */
	{ 0xfe56, KEY_DOT, ALTGR, 0 },	/* dead_abovedot */
	{ 0xfe57, KEY_APOSTROPHE, SHIFT | ALTGR, 0 },	/* dead_diaeresis */
	{ 0xfe58, KEY_0, SHIFT | ALTGR, 0 },	/* dead_abovering */
	{ 0xfe59, KEY_2, SHIFT | ALTGR, 0 },	/* dead_doubleacute */
	{ 0xfe5a, KEY_DOT, SHIFT | ALTGR, 0 },	/* dead_caron */
	{ 0xfe5b, KEY_5, SHIFT | ALTGR, 0 },	/* dead_cedilla */
	{ 0xfe5c, KEY_8, ALTGR, 0 },	/* dead_ogonek */
	{ 0xfe60, KEY_MINUS, SHIFT | ALTGR, 0 },	/* dead_belowdot */
	{ 0xfe61, KEY_SLASH, SHIFT | ALTGR, 0 },	/* dead_hook */
	{ 0xfe62, KEY_7, ALTGR, 0 },	/* dead_horn */
	{ 0xff08, KEY_BACKSPACE, ANY, 0 },	/* BackSpace */
	{ 0xff09, KEY_TAB, ANY, 0 },	/* Tab */
	{ 0xff0a, KEY_LINEFEED, ANY, 0 },	/* Linefeed */
	{ 0xff0d, KEY_ENTER, ANY, 0 },	/* Return */
	{ 0xff13, KEY_PAUSE, ANY, 0 },	/* Pause */
	{ 0xff14, KEY_SCROLLLOCK, ANY, 0 },	/* Scroll_Lock */
	{ 0xff15, KEY_SYSRQ, ANY, 0 },	/* Sys_Req */
	{ 0xff1b, KEY_ESC, ANY, 0 },	/* Escape */
	{ 0xff20, KEY_COMPOSE, ANY, 0 },	/* Multi_key */
	{ 0xff21, KEY_HENKAN, ANY, 0 },	/* Kanji */
	{ 0xff22, KEY_MUHENKAN, ANY, 0 },	/* Muhenkan */
	{ 0xff23, KEY_HENKAN, ANY, 0 },	/* Henkan_Mode */
	{ 0xff25, KEY_HIRAGANA, ANY, 0 },	/* Hiragana */
	{ 0xff26, KEY_KATAKANA, ANY, 0 },	/* Katakana */
	{ 0xff27, KEY_KATAKANAHIRAGANA, ANY, 0 },	/* Hiragana_Katakana */
	{ 0xff2a, KEY_ZENKAKUHANKAKU, ANY, 0 },	/* Zenkaku_Hankaku */
	{ 0xff31, KEY_HANGEUL, ANY, 0 },	/* Hangul */
	{ 0xff34, KEY_HANJA, ANY, 0 },	/* Hangul_Hanja */
	{ 0xff50, KEY_HOME, ANY, 0 },	/* Home */
	{ 0xff51, KEY_LEFT, ANY, 0 },	/* Left */
	{ 0xff52, KEY_UP, ANY, 0 },	/* Up */
	{ 0xff53, KEY_RIGHT, ANY, 0 },	/* Right */
	{ 0xff54, KEY_DOWN, ANY, 0 },	/* Down */
	{ 0xff55, KEY_PAGEUP, ANY, 0 },	/* Prior */
	{ 0xff56, KEY_PAGEDOWN, ANY, 0 },	/* Next */
	{ 0xff57, KEY_END, ANY, 0 },	/* End */
	{ 0xff60, KEY_SELECT, ANY, 0 },	/* Select */
	{ 0xff61, KEY_SYSRQ, ANY, 0 },	/* Print */
	{ 0xff63, KEY_INSERT, ANY, 0 },	/* Insert */
	{ 0xff65, KEY_UNDO, ANY, 0 },	/* Undo */
	{ 0xff66, KEY_REDO, ANY, 0 },	/* Redo */
	{ 0xff67, KEY_COMPOSE, ANY, 0 },	/* Menu */
	{ 0xff68, KEY_FIND, ANY, 0 },	/* Find */
	{ 0xff69, KEY_CANCEL, ANY, 0 },	/* Cancel */
	{ 0xff6a, KEY_HELP, ANY, 0 },	/* Help */
	{ 0xff6b, KEY_PAUSE, ANY, 0 },	/* Break */
	{ 0xff7e, KEY_RIGHTALT, MOD, 0 },	/* Mode_switch */
	{ 0xff7f, KEY_NUMLOCK, ANY, 0 },	/* Num_Lock */
	{ 0xff80, KEY_SPACE, ANY, 0 },	/* KP_Space */
	{ 0xff89, KEY_TAB, ANY, 0 },	/* KP_Tab */
	{ 0xff8d, KEY_KPENTER, ANY, 0 },	/* KP_Enter */
	{ 0xff95, KEY_KP7, ANY, 0 },	/* KP_Home */
	{ 0xff96, KEY_KP4, ANY, 0 },	/* KP_Left */
	{ 0xff97, KEY_KP8, ANY, 0 },	/* KP_Up */
	{ 0xff98, KEY_KP6, ANY, 0 },	/* KP_Right */
	{ 0xff99, KEY_KP2, ANY, 0 },	/* KP_Down */
	{ 0xff9a, KEY_KP9, ANY, 0 },	/* KP_Prior */
	{ 0xff9b, KEY_KP3, ANY, 0 },	/* KP_Next */
	{ 0xff9c, KEY_KP1, ANY, 0 },	/* KP_End */
	{ 0xff9d, KEY_KP5, ANY, 0 },	/* KP_Begin */
	{ 0xff9e, KEY_KP0, ANY, 0 },	/* KP_Insert */
	{ 0xff9f, KEY_KPDOT, ANY, 0 },	/* KP_Delete */
	{ 0xffaa, KEY_KPASTERISK, ANY, 0 },	/* KP_Multiply */
	{ 0xffab, KEY_KPPLUS, ANY, 0 },	/* KP_Add */
	{ 0xffac, KEY_KPCOMMA, ANY, 0 },	/* KP_Separator */
	{ 0xffad, KEY_KPMINUS, ANY, 0 },	/* KP_Subtract */
	{ 0xffae, KEY_KPDOT, ANY, 0 },	/* KP_Decimal */
	{ 0xffaf, KEY_KPSLASH, ANY, 0 },	/* KP_Divide */
	{ 0xffb0, KEY_KP0, ANY, 0 },	/* KP_0 */
	{ 0xffb1, KEY_KP1, ANY, 0 },	/* KP_1 */
	{ 0xffb2, KEY_KP2, ANY, 0 },	/* KP_2 */
	{ 0xffb3, KEY_KP3, ANY, 0 },	/* KP_3 */
	{ 0xffb4, KEY_KP4, ANY, 0 },	/* KP_4 */
	{ 0xffb5, KEY_KP5, ANY, 0 },	/* KP_5 */
	{ 0xffb6, KEY_KP6, ANY, 0 },	/* KP_6 */
	{ 0xffb7, KEY_KP7, ANY, 0 },	/* KP_7 */
	{ 0xffb8, KEY_KP8, ANY, 0 },	/* KP_8 */
	{ 0xffb9, KEY_KP9, ANY, 0 },	/* KP_9 */
	{ 0xffbd, KEY_KPEQUAL, ANY, 0 },	/* KP_Equal */
	{ 0xffbe, KEY_F1, ANY, 0 },	/* F1 */
	{ 0xffbf, KEY_F2, ANY, 0 },	/* F2 */
	{ 0xffc0, KEY_F3, ANY, 0 },	/* F3 */
	{ 0xffc1, KEY_F4, ANY, 0 },	/* F4 */
	{ 0xffc2, KEY_F5, ANY, 0 },	/* F5 */
	{ 0xffc3, KEY_F6, ANY, 0 },	/* F6 */
	{ 0xffc4, KEY_F7, ANY, 0 },	/* F7 */
	{ 0xffc5, KEY_F8, ANY, 0 },	/* F8 */
	{ 0xffc6, KEY_F9, ANY, 0 },	/* F9 */
	{ 0xffc7, KEY_F10, ANY, 0 },	/* F10 */
	{ 0xffc8, KEY_F11, ANY, 0 },	/* F11 */
	{ 0xffc9, KEY_F12, ANY, 0 },	/* F12 */
	{ 0xffca, KEY_F13, ANY, 0 },	/* F13 */
	{ 0xffcb, KEY_F14, ANY, 0 },	/* F14 */
	{ 0xffcc, KEY_F15, ANY, 0 },	/* F15 */
	{ 0xffcd, KEY_F16, ANY, 0 },	/* F16 */
	{ 0xffce, KEY_F17, ANY, 0 },	/* F17 */
	{ 0xffcf, KEY_F18, ANY, 0 },	/* F18 */
	{ 0xffd0, KEY_F19, ANY, 0 },	/* F19 */
	{ 0xffd1, KEY_F20, ANY, 0 },	/* F20 */
	{ 0xffd2, KEY_F21, ANY, 0 },	/* F21 */
	{ 0xffd3, KEY_F22, ANY, 0 },	/* F22 */
	{ 0xffd4, KEY_F23, ANY, 0 },	/* F23 */
	{ 0xffd5, KEY_F24, ANY, 0 },	/* F24 */
	{ 0xffe1, KEY_LEFTSHIFT, MOD, 0 },	/* Shift_L */
	{ 0xffe2, KEY_RIGHTSHIFT, MOD, 0 },	/* Shift_R */
	{ 0xffe3, KEY_LEFTCTRL, MOD, 0 },	/* Control_L */
	{ 0xffe4, KEY_RIGHTCTRL, MOD, 0 },	/* Control_R */
	{ 0xffe5, KEY_CAPSLOCK, ANY, 0 },	/* Caps_Lock */
	{ 0xffe7, KEY_LEFTMETA, MOD, 0 },	/* Meta_L */
	{ 0xffe8, KEY_RIGHTMETA, MOD, 0 },	/* Meta_R */
	{ 0xffe9, KEY_LEFTALT, MOD, 0 },	/* Alt_L */
	{ 0xffea, KEY_RIGHTALT, MOD, 0 },	/* Alt_R */
	{ 0xffeb, KEY_LEFTMETA, MOD, 0 },	/* Super_L */
	{ 0xffec, KEY_RIGHTMETA, MOD, 0 },	/* Super_R */
	{ 0xffed, KEY_LEFTMETA, MOD, 0 },	/* Hyper_L */
	{ 0xffee, KEY_RIGHTMETA, MOD, 0 },	/* Hyper_R */
	{ 0xffff, KEY_DELETE, ANY, 0 },	/* Delete */
	{ 0x1008ff02, KEY_BRIGHTNESSUP, ANY, 0 },	/* XF86MonBrightnessUp */
	{ 0x1008ff03, KEY_BRIGHTNESSDOWN, ANY, 0 },	/* XF86MonBrightnessDown */
	{ 0x1008ff04, KEY_KBDILLUMTOGGLE, ANY, 0 },	/* XF86KbdLightOnOff */
	{ 0x1008ff05, KEY_KBDILLUMUP, ANY, 0 },	/* XF86KbdBrightnessUp */
	{ 0x1008ff06, KEY_KBDILLUMDOWN, ANY, 0 },	/* XF86KbdBrightnessDown */
	{ 0x1008ff10, KEY_SLEEP, ANY, 0 },	/* XF86Standby */
	{ 0x1008ff11, KEY_VOLUMEDOWN, ANY, 0 },	/* XF86AudioLowerVolume */
	{ 0x1008ff12, KEY_MUTE, ANY, 0 },	/* XF86AudioMute */
	{ 0x1008ff13, KEY_VOLUMEUP, ANY, 0 },	/* XF86AudioRaiseVolume */
	{ 0x1008ff14, KEY_PLAYPAUSE, ANY, 0 },	/* XF86AudioPlay */
	{ 0x1008ff15, KEY_STOPCD, ANY, 0 },	/* XF86AudioStop */
	{ 0x1008ff16, KEY_PREVIOUSSONG, ANY, 0 },	/* XF86AudioPrev */
	{ 0x1008ff17, KEY_NEXTSONG, ANY, 0 },	/* XF86AudioNext */
	{ 0x1008ff18, KEY_HOMEPAGE, ANY, 0 },	/* XF86HomePage */
	{ 0x1008ff19, KEY_MAIL, ANY, 0 },	/* XF86Mail */
	{ 0x1008ff1b, KEY_SEARCH, ANY, 0 },	/* XF86Search */
	{ 0x1008ff1c, KEY_RECORD, ANY, 0 },	/* XF86AudioRecord */
	{ 0x1008ff1d, KEY_CALC, ANY, 0 },	/* XF86Calculator */
	{ 0x1008ff20, KEY_CALENDAR, ANY, 0 },	/* XF86Calendar */
	{ 0x1008ff26, KEY_BACK, ANY, 0 },	/* XF86Back */
	{ 0x1008ff27, KEY_FORWARD, ANY, 0 },	/* XF86Forward */
	{ 0x1008ff28, KEY_STOP, ANY, 0 },	/* XF86Stop */
	{ 0x1008ff29, KEY_REFRESH, ANY, 0 },	/* XF86Refresh */
	{ 0x1008ff2a, KEY_POWER, ANY, 0 },	/* XF86PowerOff */
	{ 0x1008ff2b, KEY_WAKEUP, ANY, 0 },	/* XF86WakeUp */
	{ 0x1008ff2c, KEY_EJECTCD, ANY, 0 },	/* XF86Eject */
	{ 0x1008ff2d, KEY_SCREENLOCK, ANY, 0 },	/* XF86ScreenSaver */
	{ 0x1008ff2e, KEY_WWW, ANY, 0 },	/* XF86WWW */
	{ 0x1008ff2f, KEY_SLEEP, ANY, 0 },	/* XF86Sleep */
	{ 0x1008ff30, KEY_BOOKMARKS, ANY, 0 },	/* XF86Favorites */
	{ 0x1008ff31, KEY_PAUSECD, ANY, 0 },	/* XF86AudioPause */
	{ 0x1008ff32, KEY_MEDIA, ANY, 0 },	/* XF86AudioMedia */
	{ 0x1008ff33, KEY_COMPUTER, ANY, 0 },	/* XF86MyComputer */
	{ 0x1008ff36, KEY_SHOP, ANY, 0 },	/* XF86Shop */
	{ 0x1008ff3c, KEY_FINANCE, ANY, 0 },	/* XF86Finance */
	{ 0x1008ff3e, KEY_REWIND, ANY, 0 },	/* XF86AudioRewind */
	{ 0x1008ff41, KEY_PROG1, ANY, 0 },	/* XF86Launch1 */
	{ 0x1008ff42, KEY_PROG2, ANY, 0 },	/* XF86Launch2 */
	{ 0x1008ff43, KEY_PROG3, ANY, 0 },	/* XF86Launch3 */
	{ 0x1008ff44, KEY_PROG4, ANY, 0 },	/* XF86Launch4 */
	{ 0x1008ff56, KEY_CLOSE, ANY, 0 },	/* XF86Close */
	{ 0x1008ff57, KEY_COPY, ANY, 0 },	/* XF86Copy */
	{ 0x1008ff58, KEY_CUT, ANY, 0 },	/* XF86Cut */
	{ 0x1008ff59, KEY_SWITCHVIDEOMODE, ANY, 0 },	/* XF86Display */
	{ 0x1008ff5b, KEY_DOCUMENTS, ANY, 0 },	/* XF86Documents */
	{ 0x1008ff5d, KEY_FILE, ANY, 0 },	/* XF86Explorer */
	{ 0x1008ff5e, KEY_GAMES, ANY, 0 },	/* XF86Game */
	{ 0x1008ff65, KEY_MENU, ANY, 0 },	/* XF86MenuKB */
	{ 0x1008ff68, KEY_NEW, ANY, 0 },	/* XF86New */
	{ 0x1008ff6b, KEY_OPEN, ANY, 0 },	/* XF86Open */
	{ 0x1008ff6d, KEY_PASTE, ANY, 0 },	/* XF86Paste */
	{ 0x1008ff6e, KEY_PHONE, ANY, 0 },	/* XF86Phone */
	{ 0x1008ff72, KEY_REPLY, ANY, 0 },	/* XF86Reply */
	{ 0x1008ff73, KEY_REFRESH, ANY, 0 },	/* XF86Reload */
	{ 0x1008ff77, KEY_SAVE, ANY, 0 },	/* XF86Save */
	{ 0x1008ff78, KEY_SCROLLUP, ANY, 0 },	/* XF86ScrollUp */
	{ 0x1008ff79, KEY_SCROLLDOWN, ANY, 0 },	/* XF86ScrollDown */
	{ 0x1008ff7b, KEY_SEND, ANY, 0 },	/* XF86Send */
	{ 0x1008ff7f, KEY_CYCLEWINDOWS, ANY, 0 },	/* XF86TaskPane */
	{ 0x1008ff81, KEY_CONFIG, ANY, 0 },	/* XF86Tools */
	{ 0x1008ff8a, KEY_XFER, ANY, 0 },	/* XF86Xfer */
	{ 0x1008ff8b, KEY_ZOOMIN, ANY, 0 },	/* XF86ZoomIn */
	{ 0x1008ff8c, KEY_ZOOMOUT, ANY, 0 },	/* XF86ZoomOut */
	{ 0x1008ff8e, KEY_CHAT, ANY, 0 },	/* XF86Messenger */
	{ 0x1008ff8f, KEY_CAMERA, ANY, 0 },	/* XF86WebCam */
	{ 0x1008ff90, KEY_FORWARDMAIL, ANY, 0 },	/* XF86MailForward */
	{ 0x1008ff93, KEY_BATTERY, ANY, 0 },	/* XF86Battery */
	{ 0x1008ff94, KEY_BLUETOOTH, ANY, 0 },	/* XF86Bluetooth */
	{ 0x1008ff95, KEY_WLAN, ANY, 0 },	/* XF86WLAN */
	{ 0x1008ff96, KEY_UWB, ANY, 0 },	/* XF86UWB */
	{ 0x1008ff97, KEY_FASTFORWARD, ANY, 0 },	/* XF86AudioForward */
	{ 0x1008ff99, KEY_SHUFFLE, ANY, 0 },	/* XF86AudioRandomPlay */
	{ 0x1008ffa7, KEY_SUSPEND, ANY, 0 },	/* XF86Suspend */
	{ 0x1008ffa9, KEY_TOUCHPAD_TOGGLE, ANY, 0 },	/* XF86TouchpadToggle */
	{ 0x1008ffb2, KEY_MICMUTE, ANY, 0 },	/* XF86AudioMicMute */
};

const struct keymap_entry *keymap_table(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

const struct keymap_entry *keymap_lookup(uint32_t keysym)
{
	size_t lo = 0, hi = sizeof(table) / sizeof(table[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (table[mid].keysym == keysym)
			return &table[mid];
		if (table[mid].keysym < keysym)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
