// SPDX-License-Identifier: MIT
/*
 * The pointer as its own messages, never in the picture: the source's
 * shape (premultiplied ARGB, up to 128x128) becomes a 32 bpp color pointer
 * (cropped to the 96x96 every client takes), no shape or a hidden cursor
 * the null system pointer (the demo guest draws its own: one pointer on
 * screen, not two). A position update moves the client's own pointer, so
 * it is sent only when the guest moved its pointer itself: not while the
 * user is moving it (the guest's echo lags behind), nor to where the user
 * left it.
 */
#include "rdp_priv.h"

#include <stdlib.h>
#include <string.h>

#include <freerdp/pointer.h>

#define ECHO_MS 1000    /* the user's last motion is this recent: no warps */

/* Rows bottom-up: BGRA, and a 1-bit mask (rows padded to 16 bits) that
 * keeps the screen where the pointer is transparent. */
static void convert(const uint32_t *argb, uint32_t w, uint32_t h, uint32_t cw,
		    uint32_t ch, BYTE *xor_mask, BYTE *and_mask, UINT32 and_row)
{
	memset(and_mask, 0, (size_t)and_row * ch);
	for (uint32_t y = 0; y < ch; y++) {
		BYTE *row = xor_mask + (size_t)(ch - 1 - y) * cw * 4;
		BYTE *bits = and_mask + (size_t)(ch - 1 - y) * and_row;

		for (uint32_t x = 0; x < cw; x++) {
			uint32_t px = argb[(size_t)y * w + x], a = px >> 24;
			uint32_t c[3] = { px & 0xff, (px >> 8) & 0xff, (px >> 16) & 0xff };

			for (int i = 0; i < 3; i++) {
				c[i] = a ? c[i] * 255 / a : 0;
				row[x * 4 + i] = (BYTE)(c[i] > 255 ? 255 : c[i]);
			}
			row[x * 4 + 3] = (BYTE)a;
			if (!a)
				bits[x / 8] |= (BYTE)(0x80 >> (x % 8));
		}
	}
	(void)h;
}

static int send_shape(struct rdp_peer *p, const uint32_t *argb, uint32_t w,
		      uint32_t h, uint32_t hot_x, uint32_t hot_y)
{
	rdpContext *ctx = p->client->context;
	uint32_t cw = w < RDP_POINTER_STD ? w : RDP_POINTER_STD;
	uint32_t ch = h < RDP_POINTER_STD ? h : RDP_POINTER_STD;
	UINT32 and_row = (cw + 15) / 16 * 2;
	POINTER_NEW_UPDATE pn = { 0 };
	BYTE *xor_mask = malloc((size_t)cw * ch * 4);
	BYTE *and_mask = malloc((size_t)and_row * ch);
	BOOL ok = FALSE;

	if (xor_mask && and_mask) {
		convert(argb, w, h, cw, ch, xor_mask, and_mask, and_row);
		pn.xorBpp = 32;
		pn.colorPtrAttr.cacheIndex = 0;
		pn.colorPtrAttr.xPos = hot_x < cw ? hot_x : 0;
		pn.colorPtrAttr.yPos = hot_y < ch ? hot_y : 0;
		pn.colorPtrAttr.width = cw;
		pn.colorPtrAttr.height = ch;
		pn.colorPtrAttr.lengthXorMask = cw * ch * 4;
		pn.colorPtrAttr.lengthAndMask = and_row * ch;
		pn.colorPtrAttr.xorMaskData = xor_mask;
		pn.colorPtrAttr.andMaskData = and_mask;
		ok = ctx->update->pointer->PointerNew(ctx, &pn);
	}
	free(xor_mask);
	free(and_mask);
	return ok ? 0 : -1;
}

static int send_hidden(struct rdp_peer *p)
{
	rdpContext *ctx = p->client->context;
	POINTER_SYSTEM_UPDATE sys = { .type = SYSPTR_NULL };

	return ctx->update->pointer->PointerSystem(ctx, &sys) ? 0 : -1;
}

int rdp_cursor_send(struct rdp_peer *p)
{
	struct rdp_cursor *c = &p->r->cursor;
	rdpContext *ctx = p->client->context;
	uint32_t w = 0, h = 0, hot_x = 0, hot_y = 0, *argb = NULL;
	POINTER_POSITION_UPDATE pos = { 0 };
	int shape = 0, hide, move = 0, rc = 0;

	pthread_mutex_lock(&p->r->lock);
	hide = !c->visible || !c->w;
	if (c->serial != p->cursor_serial || hide != p->cursor_hidden) {
		shape = 1;
		p->cursor_serial = c->serial;
		w = c->w;
		h = c->h;
		hot_x = c->hot_x;
		hot_y = c->hot_y;
		if (!hide && (argb = malloc((size_t)w * h * 4)))
			memcpy(argb, c->argb, (size_t)w * h * 4);
	}
	if (c->pos_serial != p->pos_serial && !hide &&
	    dloop_now_ms() - p->mouse.moved_ms >= ECHO_MS) {
		p->pos_serial = c->pos_serial;
		move = c->x >= 0 && c->y >= 0 && (uint32_t)c->x < p->width &&
		       (uint32_t)c->y < p->height &&
		       ((uint32_t)c->x != p->mouse.x || (uint32_t)c->y != p->mouse.y);
		pos.xPos = (UINT32)c->x;
		pos.yPos = (UINT32)c->y;
	}
	pthread_mutex_unlock(&p->r->lock);
	if (shape) {
		p->cursor_hidden = hide || !argb;
		rc = p->cursor_hidden ? send_hidden(p) :
		     send_shape(p, argb, w, h, hot_x, hot_y);
	}
	free(argb);
	if (move && rc == 0) {
		p->mouse.x = pos.xPos;
		p->mouse.y = pos.yPos;
		rc = ctx->update->pointer->PointerPosition(ctx, &pos) ? 0 : -1;
	}
	return rc;
}
