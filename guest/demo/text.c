// SPDX-License-Identifier: MIT
/*
 * The text area: the boot messages, then each `text` line, wrapped to the
 * area's width. New rows are drawn alone; only when the area is full does
 * it scroll, redrawing every row (and clearing only what was painted).
 */
#include "demo.h"

#include "demo_layout.h"

static struct rect cells(const struct textarea *t, int row, int from,
			 int to)
{
	return (struct rect){ t->x0 + (int64_t)from * FONT_W,
			      t->y0 + (int64_t)row * FONT_H,
			      (int64_t)(to - from) * FONT_W, FONT_H };
}

static void draw_row(struct demo *d, int row)
{
	struct textarea *t = &d->text;
	int len = t->len[row];

	for (int i = 0; i < len; i++)
		fb_glyph(&d->fb, &d->font, t->x0 + i * FONT_W,
			 t->y0 + (int64_t)row * FONT_H, t->cell[row][i], 1,
			 DEMO_COLOR_TEXT_FG, DEMO_COLOR_TEXT_BG);
	if (t->drawn[row] > len)
		fb_fill(&d->fb, cells(t, row, len, t->drawn[row]),
			DEMO_COLOR_TEXT_BG);
	t->drawn[row] = len;
}

static void scroll_up(struct textarea *t)
{
	memmove(t->cell[0], t->cell[1],
		sizeof(t->cell[0]) * (size_t)(t->rows - 1));
	memmove(t->len, t->len + 1, sizeof(t->len[0]) * (size_t)(t->rows - 1));
	t->used--;
}

void text_init(struct demo *d)
{
	struct textarea *t = &d->text;
	struct rect box = DEMO_RECT(d, TEXT);

	memset(t, 0, sizeof(*t));
	if (!d->fb.base)
		return;		/* headless: rows = 0, nothing is kept */
	fb_fill(&d->fb, box, DEMO_COLOR_TEXT_BG);
	t->x0 = box.x + DEMO_TEXT_PAD;
	t->y0 = box.y + DEMO_TEXT_PAD;
	t->cols = (box.w - 2 * DEMO_TEXT_PAD) / FONT_W;
	t->rows = (box.h - 2 * DEMO_TEXT_PAD) / FONT_H;
	if (t->cols > TEXT_MAX_COLS)
		t->cols = TEXT_MAX_COLS;
	if (t->rows > TEXT_MAX_ROWS)
		t->rows = TEXT_MAX_ROWS;
}

static void draw_all(struct demo *d)
{
	for (int row = 0; row < d->text.rows; row++)
		draw_row(d, row);
}

/* An empty row at the bottom; a full area scrolls first (true). */
static bool new_row(struct textarea *t)
{
	bool scrolled = false;

	if (t->used == t->rows) {
		scroll_up(t);
		scrolled = true;
	}
	t->len[t->used++] = 0;
	return scrolled;
}

void text_append(struct demo *d, const char *s, size_t n)
{
	struct textarea *t = &d->text;
	const uint8_t *p = (const uint8_t *)s, *end = p + n;
	bool scrolled = false;

	if (t->rows <= 0 || t->cols <= 0)
		return;
	t->typing = false;	/* typed keys continue on a row of their own */
	do {	/* at least once: an empty line is an empty row */
		int row, len = 0;

		if (t->used == t->rows) {
			scroll_up(t);
			scrolled = true;
		}
		row = t->used++;
		while (p < end && len < t->cols)
			t->cell[row][len++] =
				font_glyph(&d->font, utf8_next(&p, end));
		t->len[row] = len;
		if (!scrolled)
			draw_row(d, row);
	} while (p < end);
	if (scrolled)
		draw_all(d);
}

/* Keys typed on the keyboard: one cell drawn (or cleared) per key. */
void text_type(struct demo *d, uint32_t cp)
{
	struct textarea *t = &d->text;
	int row, col;

	if (t->rows <= 0 || t->cols <= 0)
		return;
	if (!t->typing || t->len[t->used - 1] >= t->cols) {
		if (new_row(t))
			draw_all(d);
		t->typing = true;
	}
	row = t->used - 1;
	col = t->len[row]++;
	t->cell[row][col] = font_glyph(&d->font, cp);
	fb_glyph(&d->fb, &d->font, t->x0 + (int64_t)col * FONT_W,
		 t->y0 + (int64_t)row * FONT_H, t->cell[row][col], 1,
		 DEMO_COLOR_TEXT_FG, DEMO_COLOR_TEXT_BG);
	if (t->drawn[row] < t->len[row])
		t->drawn[row] = t->len[row];
}

void text_backspace(struct demo *d)
{
	struct textarea *t = &d->text;
	int row;

	if (t->rows <= 0 || !t->typing || t->len[t->used - 1] == 0)
		return;
	row = t->used - 1;
	t->len[row]--;
	fb_fill(&d->fb, cells(t, row, t->len[row], t->len[row] + 1),
		DEMO_COLOR_TEXT_BG);
	t->drawn[row] = t->len[row];
}

/* Enter ends the typed row; on no typed row it leaves an empty one. */
void text_enter(struct demo *d)
{
	struct textarea *t = &d->text;

	if (t->rows <= 0 || t->cols <= 0)
		return;
	if (!t->typing && new_row(t))
		draw_all(d);
	t->typing = false;
}

void text_line(struct demo *d, const struct line *l)
{
	text_append(d, l->buf, l->len);
}
