// SPDX-License-Identifier: MIT
/*
 * PSF1/PSF2 parsing. The file is trusted no more than any input: every
 * offset is checked against its length before the font is used.
 */
#include "font.h"

#define PSF1_HEADER	4
#define PSF1_MODE512	0x01
#define PSF1_MODEHASTAB	0x02
#define PSF1_MODESEQ	0x04
#define PSF1_SEPARATOR	0xffff
#define PSF1_STARTSEQ	0xfffe

#define PSF2_MAGIC	0x864ab572
#define PSF2_HEADER	32
#define PSF2_HAS_TABLE	0x01
#define PSF2_SEPARATOR	0xff
#define PSF2_STARTSEQ	0xfe

/* Called for each (glyph, code point) pair; returns true to stop. */
typedef bool (*map_fn)(void *ctx, uint16_t glyph, uint32_t cp);

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static const char *parse_psf1(struct font *f, const uint8_t *d, size_t len)
{
	uint32_t count = d[2] & PSF1_MODE512 ? 512 : 256;
	uint64_t end = PSF1_HEADER + (uint64_t)count * FONT_H;

	if (d[3] != FONT_H)
		return "PSF1 glyphs are not 16 rows";
	if (end > len)
		return "PSF1 file is truncated";
	f->glyphs = d + PSF1_HEADER;
	f->count = count;
	if (d[2] & (PSF1_MODEHASTAB | PSF1_MODESEQ)) {
		f->map = d + end;
		f->map_end = d + len;
	}
	return NULL;
}

static const char *parse_psf2(struct font *f, const uint8_t *d, size_t len)
{
	uint32_t header = le32(d + 8), flags = le32(d + 12);
	uint32_t count = le32(d + 16), size = le32(d + 20);
	uint32_t height = le32(d + 24), width = le32(d + 28);
	uint64_t end = header + (uint64_t)count * size;

	if (width != FONT_W || height != FONT_H || size != FONT_H)
		return "PSF2 glyphs are not 8x16";
	if (header < PSF2_HEADER || end > len)
		return "PSF2 file is truncated";
	f->psf2 = true;
	f->glyphs = d + header;
	f->count = count < FONT_NONE ? count : FONT_NONE;
	if (flags & PSF2_HAS_TABLE) {
		f->map = d + end;
		f->map_end = d + len;
	}
	return NULL;
}

/* PSF1 table: per glyph, u16 code points, then sequences, then 0xffff. */
static void scan_psf1(const struct font *f, map_fn fn, void *ctx)
{
	const uint8_t *p = f->map;
	uint32_t glyph = 0;
	bool seq = false;

	while (f->map_end - p >= 2 && glyph < f->count) {
		uint32_t v = p[0] | p[1] << 8;

		p += 2;
		if (v == PSF1_SEPARATOR) {
			glyph++;
			seq = false;
		} else if (v == PSF1_STARTSEQ) {
			seq = true;
		} else if (!seq && fn(ctx, glyph, v)) {
			return;
		}
	}
}

/* PSF2 table: the same shape in UTF-8, with 0xfe and 0xff as markers. */
static void scan_psf2(const struct font *f, map_fn fn, void *ctx)
{
	const uint8_t *p = f->map;
	uint32_t glyph = 0;
	bool seq = false;

	while (p < f->map_end && glyph < f->count) {
		if (*p == PSF2_SEPARATOR) {
			p++;
			glyph++;
			seq = false;
		} else if (*p == PSF2_STARTSEQ) {
			p++;
			seq = true;
		} else {
			uint32_t cp = utf8_next(&p, f->map_end);

			if (!seq && cp != UTF8_BAD && fn(ctx, glyph, cp))
				return;
		}
	}
}

static void scan(const struct font *f, map_fn fn, void *ctx)
{
	if (f->psf2)
		scan_psf2(f, fn, ctx);
	else
		scan_psf1(f, fn, ctx);
}

static bool note_latin1(void *ctx, uint16_t glyph, uint32_t cp)
{
	struct font *f = ctx;

	if (cp < 256 && f->latin1[cp] == FONT_NONE)
		f->latin1[cp] = glyph;
	return false;
}

struct lookup {
	uint32_t cp;
	uint16_t glyph;
};

static bool match(void *ctx, uint16_t glyph, uint32_t cp)
{
	struct lookup *l = ctx;

	if (cp != l->cp)
		return false;
	l->glyph = glyph;
	return true;
}

static void describe(const struct font *f, struct line *desc)
{
	line_str(desc, f->psf2 ? "font: PSF2 8x16, " : "font: PSF1 8x16, ");
	line_dec(desc, f->count);
	line_str(desc, f->map ? " glyphs with a Unicode table" : " glyphs");
}

bool font_init(struct font *f, const uint8_t *d, size_t len,
	       struct line *desc)
{
	const char *err = "not a PSF font";

	memset(f, 0, sizeof(*f));
	memset(f->latin1, 0xff, sizeof(f->latin1));
	line_init(desc);
	if (len >= PSF1_HEADER && d[0] == 0x36 && d[1] == 0x04)
		err = parse_psf1(f, d, len);
	else if (len >= PSF2_HEADER && le32(d) == PSF2_MAGIC)
		err = parse_psf2(f, d, len);
	if (err) {
		f->glyphs = NULL;
		line_str(desc, "font: ");
		line_str(desc, err);
		line_str(desc, "; drawing boxes");
		return false;
	}
	if (f->map)
		scan(f, note_latin1, f);
	else
		for (uint32_t i = 0; i < 256 && i < f->count; i++)
			f->latin1[i] = i;
	describe(f, desc);
	return true;
}

uint16_t font_glyph(const struct font *f, uint32_t cp)
{
	struct lookup l = { cp, FONT_NONE };

	if (!f->glyphs)
		return FONT_NONE;
	if (cp < 256)
		return f->latin1[cp];
	if (!f->map)
		return cp < f->count ? cp : FONT_NONE;
	scan(f, match, &l);
	return l.glyph;
}

const uint8_t *font_bits(const struct font *f, uint16_t glyph)
{
	if (!f->glyphs || glyph >= f->count)
		return NULL;
	return f->glyphs + (size_t)glyph * FONT_H;
}
