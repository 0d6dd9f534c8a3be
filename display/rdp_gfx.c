// SPDX-License-Identifier: MIT
/*
 * RDPGFX (MS-RDPEGFX, the rdpgfx dynamic channel): one surface the size of
 * the framebuffer, mapped to the client's output, and frames of
 * - AVC420: our encoder's H.264 (encoder/enc.h), the changed rectangles as
 *   the region to show, x264's quantizer as their quality values, or
 * - planar (FreeRDP's encoder) for clients whose RDPGFX has no H.264.
 * Frames go out only while the client keeps up: one unacknowledged frame
 * at a time (none counted while the client suspends acknowledgements);
 * damage meanwhile merges and the picture at the next frame wins.
 *
 * FreeRDP calls on_caps and on_ack on the channel's own thread: they only
 * confirm the caps, store what came and wake the peer thread.
 */
#include "rdp_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <freerdp/codec/color.h>

/* Newest first: the version the client and we both know wins. */
static const UINT32 versions[] = {
	RDPGFX_CAPVERSION_107, RDPGFX_CAPVERSION_106, RDPGFX_CAPVERSION_105,
	RDPGFX_CAPVERSION_104, RDPGFX_CAPVERSION_103, RDPGFX_CAPVERSION_102,
	RDPGFX_CAPVERSION_101, RDPGFX_CAPVERSION_10, RDPGFX_CAPVERSION_81,
	RDPGFX_CAPVERSION_8,
};

static int has_avc(const RDPGFX_CAPSET *c)
{
	if (c->version == RDPGFX_CAPVERSION_8)
		return 0;
	if (c->version == RDPGFX_CAPVERSION_81)
		return !!(c->flags & RDPGFX_CAPS_FLAG_AVC420_ENABLED);
	return !(c->flags & RDPGFX_CAPS_FLAG_AVC_DISABLED);
}

static UINT on_caps(RdpgfxServerContext *ctx, const RDPGFX_CAPS_ADVERTISE_PDU *pdu)
{
	struct rdp_peer *p = ctx->custom;
	RDPGFX_CAPS_CONFIRM_PDU confirm;
	RDPGFX_CAPSET cs;
	UINT rc;

	for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
		for (UINT16 i = 0; i < pdu->capsSetCount; i++) {
			if (pdu->capsSets[i].version != versions[v])
				continue;
			cs = pdu->capsSets[i];
			confirm.capsSet = &cs;
			rc = ctx->CapsConfirm(ctx, &confirm);
			atomic_store(&p->gfx_caps, rc ? -1 : has_avc(&cs) ? 1 : 2);
			SetEvent(p->wake);
			return rc;
		}
	}
	atomic_store(&p->gfx_caps, -1);
	SetEvent(p->wake);
	return CHANNEL_RC_UNSUPPORTED_VERSION;
}

static UINT on_ack(RdpgfxServerContext *ctx, const RDPGFX_FRAME_ACKNOWLEDGE_PDU *pdu)
{
	struct rdp_peer *p = ctx->custom;
	uint64_t id = pdu->frameId, was = atomic_load(&p->acked);

	atomic_store(&p->acks_suspended,
		     pdu->queueDepth == SUSPEND_FRAME_ACKNOWLEDGEMENT);
	while (id > was && !atomic_compare_exchange_weak(&p->acked, &was, id))
		;
	SetEvent(p->wake);
	return CHANNEL_RC_OK;
}

/* A client with a persistent bitmap cache offers it; this server uses no
 * cache, and says so: none of the entries is imported. */
static UINT on_cache_offer(RdpgfxServerContext *ctx,
			   const RDPGFX_CACHE_IMPORT_OFFER_PDU *pdu)
{
	RDPGFX_CACHE_IMPORT_REPLY_PDU reply = { 0, NULL };

	return ctx->CacheImportReply(ctx, &reply);
}

int rdp_gfx_open(struct rdp_peer *p)
{
	p->gfx = rdpgfx_server_context_new(p->vcm);
	if (!p->gfx)
		return -1;
	p->gfx->custom = p;
	p->gfx->rdpcontext = p->client->context;
	p->gfx->CapsAdvertise = on_caps;
	p->gfx->FrameAcknowledge = on_ack;
	p->gfx->CacheImportOffer = on_cache_offer;
	if (!p->gfx->Open(p->gfx)) {
		rdpgfx_server_context_free(p->gfx);
		p->gfx = NULL;
		return -1;
	}
	return 0;
}

void rdp_gfx_close(struct rdp_peer *p)
{
	if (p->gfx) {
		p->gfx->Close(p->gfx);
		rdpgfx_server_context_free(p->gfx);
		p->gfx = NULL;
	}
	enc_close(p->enc);
	p->enc = NULL;
}

static void enc_log(void *opaque, const char *line)
{
	rdp_log(opaque, "encoder: %s", line);
}

static int open_encoder(struct rdp_peer *p)
{
	struct enc_config cfg = {
		.width = p->width,
		.height = p->height,
		/* RDP clients convert AVC420 as full range (docs/encoder.md). */
		.color = ENC_COLOR_BT601_FULL,
		.log = enc_log,
		.log_opaque = p,
	};
	char err[300];

	enc_close(p->enc);
	p->enc = NULL;
	if (enc_open(&p->enc, &cfg, err, sizeof(err)) < 0) {
		rdp_log(p, "no H.264 encoder (%s): planar instead", err);
		return -1;
	}
	/* Its frame ids start at 1 again: ours go on from here. */
	p->frame_base = p->frame_id;
	return 0;
}

/* (Re)create the surface at the framebuffer's size, and the encoder. */
int rdp_gfx_start(struct rdp_peer *p)
{
	RdpgfxServerContext *g = p->gfx;
	MONITOR_DEF mon = { 0, 0, (INT32)p->width - 1, (INT32)p->height - 1,
			    MONITOR_PRIMARY };
	RDPGFX_RESET_GRAPHICS_PDU reset = { p->width, p->height, 1, &mon };
	RDPGFX_CREATE_SURFACE_PDU create;
	RDPGFX_MAP_SURFACE_TO_OUTPUT_PDU map = { 0 };
	enum rdp_path was = p->path;

	if (p->surface) {
		RDPGFX_DELETE_SURFACE_PDU del = { p->surface_id };

		g->DeleteSurface(g, &del);
		p->surface = 0;
		p->surface_id++;
	}
	create = (RDPGFX_CREATE_SURFACE_PDU){ p->surface_id, (UINT16)p->width,
					      (UINT16)p->height,
					      GFX_PIXEL_FORMAT_XRGB_8888 };
	map.surfaceId = p->surface_id;
	if (g->ResetGraphics(g, &reset) || g->CreateSurface(g, &create) ||
	    g->MapSurfaceToOutput(g, &map)) {
		rdp_log(p, "RDPGFX: cannot set the surface up");
		return -1;
	}
	p->surface = 1;
	if (atomic_load(&p->gfx_caps) == 1 && open_encoder(p) == 0) {
		p->path = RDP_PATH_AVC;
	} else {
		enc_close(p->enc);
		p->enc = NULL;
		p->path = RDP_PATH_GFX_PLANAR;
	}
	enc_damage_init(&p->damage, p->width, p->height);
	enc_damage_add_all(&p->damage);
	if (was != p->path)
		rdp_log(p, "graphics: RDPGFX, %s", p->path == RDP_PATH_AVC ?
			"H.264 (AVC420) from our encoder" :
			"planar (the client's RDPGFX has no H.264)");
	return 0;
}

/* RDPGFX's timestamp: the time of day, packed. */
static UINT32 timestamp(void)
{
	struct timeval tv;
	struct tm tm;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	return (UINT32)tm.tm_hour << 22 | (UINT32)tm.tm_min << 16 |
	       (UINT32)tm.tm_sec << 10 | (UINT32)(tv.tv_usec / 1000);
}

static RECTANGLE_16 rect16(const struct enc_rect *r)
{
	return (RECTANGLE_16){ (UINT16)r->x, (UINT16)r->y,
			       (UINT16)(r->x + r->w), (UINT16)(r->y + r->h) };
}

static int send_avc(struct rdp_peer *p, const struct enc_frame *f,
		    uint64_t t0)
{
	RDPGFX_H264_QUANT_QUALITY q[ENC_DAMAGE_MAX];
	RECTANGLE_16 rects[ENC_DAMAGE_MAX];
	RDPGFX_AVC420_BITMAP_STREAM bs = { 0 };
	RDPGFX_SURFACE_COMMAND cmd = { 0 };
	RDPGFX_START_FRAME_PDU start;
	RDPGFX_END_FRAME_PDU end;
	struct enc_rect all = { 0, 0, f->width, f->height };
	size_t n = f->nrects && f->nrects <= ENC_DAMAGE_MAX ? f->nrects : 1;
	int qp = f->qp < 0 ? 26 : f->qp > 51 ? 51 : f->qp;

	for (size_t i = 0; i < n; i++) {
		rects[i] = rect16(n == f->nrects ? &f->rects[i] : &all);
		q[i] = (RDPGFX_H264_QUANT_QUALITY){
			.qpVal = (BYTE)qp, .qualityVal = (BYTE)(100 - qp),
			.qp = (BYTE)qp, .r = 0, .p = 0 };
	}
	bs.meta.numRegionRects = (UINT32)n;
	bs.meta.regionRects = rects;
	bs.meta.quantQualityVals = q;
	bs.data = (BYTE *)f->data;
	bs.length = (UINT32)f->len;
	/* The surface is the source's size; the decoded picture may be a
	 * pixel larger (coded_w/h): the region says what to show. */
	cmd.surfaceId = p->surface_id;
	cmd.codecId = RDPGFX_CODECID_AVC420;
	cmd.format = PIXEL_FORMAT_BGRX32;
	cmd.right = cmd.width = f->width;
	cmd.bottom = cmd.height = f->height;
	cmd.extra = &bs;
	start.frameId = end.frameId = (UINT32)(p->frame_base + f->id);
	start.timestamp = timestamp();
	if (p->gfx->SurfaceFrameCommand(p->gfx, &cmd, &start, &end)) {
		rdp_log(p, "RDPGFX: cannot send a frame");
		return -1;
	}
	p->frame_id = p->frame_base + f->id;
	rdp_frame_made(p, t0, f->len);
	return 0;
}

static int send_h264(struct rdp_peer *p)
{
	uint64_t acked = atomic_load(&p->acked);
	struct enc_frame f;
	char err[300];
	int rc;

	if (acked > p->frame_base)
		enc_frame_acked(p->enc, acked - p->frame_base);
	enc_set_max_in_flight(p->enc, atomic_load(&p->acks_suspended) ? 0 : 1);
	while (enc_wants_frame(p->enc)) {
		uint64_t t0 = rdp_now_us();

		rc = enc_encode(p->enc, p->r->fb, p->width * 4, (int64_t)t0, &f,
				err, sizeof(err));
		if (rc < 0) {
			rdp_log(p, "encoder: %s", err);
			return -1;
		}
		if (rc == 0 || send_avc(p, &f, t0) < 0)
			return rc ? -1 : 0;
	}
	return 0;
}

/* One frame with a planar command per damaged rectangle. */
static int send_planar(struct rdp_peer *p)
{
	RdpgfxServerContext *g = p->gfx;
	RDPGFX_START_FRAME_PDU start;
	RDPGFX_END_FRAME_PDU end;
	uint64_t t0 = rdp_now_us();
	size_t bytes = 0;

	if (enc_damage_empty(&p->damage) ||
	    (p->frame_id > atomic_load(&p->acked) &&
	     !atomic_load(&p->acks_suspended)))
		return 0;
	start.frameId = end.frameId = (UINT32)++p->frame_id;
	start.timestamp = timestamp();
	if (g->StartFrame(g, &start))
		return -1;
	for (size_t i = 0; i < p->damage.n; i++) {
		struct enc_rect v = enc_rect_visible(&p->damage, &p->damage.r[i]);
		RDPGFX_SURFACE_COMMAND cmd = { 0 };
		UINT32 len;
		BYTE *data;

		if (!v.w || !v.h)
			continue;
		data = rdp_planar(p, &v, 1, &len);
		if (!data)
			return -1;
		cmd.surfaceId = p->surface_id;
		cmd.codecId = RDPGFX_CODECID_PLANAR;
		cmd.format = PIXEL_FORMAT_BGRX32;
		cmd.left = v.x;
		cmd.top = v.y;
		cmd.right = v.x + v.w;
		cmd.bottom = v.y + v.h;
		cmd.width = v.w;
		cmd.height = v.h;
		cmd.data = data;
		cmd.length = len;
		if (g->SurfaceCommand(g, &cmd)) {
			free(data);
			return -1;
		}
		bytes += len;
		free(data);
	}
	enc_damage_clear(&p->damage);
	rdp_frame_made(p, t0, bytes);
	return g->EndFrame(g, &end) ? -1 : 0;
}

int rdp_gfx_send(struct rdp_peer *p)
{
	return p->path == RDP_PATH_AVC ? send_h264(p) : send_planar(p);
}
