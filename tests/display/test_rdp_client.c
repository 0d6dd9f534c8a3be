// SPDX-License-Identifier: MIT
#include "test_rdp_client.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <freerdp/addin.h>
#include <freerdp/client/channels.h>
#include <freerdp/client/cmdline.h>
#include <freerdp/client/disp.h>
#include <freerdp/client/rdpgfx.h>
#include <freerdp/event.h>
#include <freerdp/freerdp.h>
#include <freerdp/gdi/gdi.h>
#include <freerdp/gdi/gfx.h>
#include <freerdp/input.h>
#include <freerdp/pointer.h>
#include <winpr/synch.h>

/* FreeRDP runs the dynamic channels (RDPGFX, its decoding) on a thread of
 * its own: what the hooks record is under lock. */
struct rc {
	freerdp *inst;
	pthread_mutex_t lock;
	struct rc_stats st;
	struct rc_stats snap;
	int stalled;
	pcRdpgfxSurfaceCommand gfx_cmd;
	pcRdpgfxEndFrame gfx_end;
	RdpgfxClientContext *gfx;
	DispClientContext *disp;
	pBitmapUpdate bitmap;
	pPointerNew pointer_new;
	pPointerSystem pointer_system;
	pPointerPosition pointer_position;
};

struct rc_ctx {
	rdpContext base;
	struct rc *c;
};

static struct rc *rc_of(rdpContext *ctx)
{
	return ((struct rc_ctx *)ctx)->c;
}

#define COUNT(c, field) do { pthread_mutex_lock(&(c)->lock); (c)->st.field++; \
	pthread_mutex_unlock(&(c)->lock); } while (0)

static UINT on_gfx_command(RdpgfxClientContext *gfx, const RDPGFX_SURFACE_COMMAND *cmd)
{
	struct rc *c = rc_of(((rdpGdi *)gfx->custom)->context);

	if (cmd->codecId == RDPGFX_CODECID_AVC420)
		COUNT(c, avc420);
	else if (cmd->codecId == RDPGFX_CODECID_PLANAR)
		COUNT(c, planar);
	else
		COUNT(c, other_gfx);
	return c->gfx_cmd(gfx, cmd);
}

static UINT on_gfx_end(RdpgfxClientContext *gfx, const RDPGFX_END_FRAME_PDU *end)
{
	struct rc *c = rc_of(((rdpGdi *)gfx->custom)->context);
	UINT rc = c->gfx_end(gfx, end);

	COUNT(c, gfx_frames);
	return rc;
}

static UINT on_disp_caps(DispClientContext *disp, UINT32 n, UINT32 a, UINT32 b)
{
	struct rc *c = disp->custom;

	pthread_mutex_lock(&c->lock);
	c->st.disp_caps = 1;
	pthread_mutex_unlock(&c->lock);
	return CHANNEL_RC_OK;
}

static void on_channel(void *opaque, ChannelConnectedEventArgs *e)
{
	rdpContext *ctx = opaque;
	struct rc *c = rc_of(ctx);

	if (!strcmp(e->name, RDPGFX_DVC_CHANNEL_NAME)) {
		RdpgfxClientContext *gfx = e->pInterface;

		gdi_graphics_pipeline_init(ctx->gdi, gfx);
		c->gfx = gfx;
		c->gfx_cmd = gfx->SurfaceCommand;
		c->gfx_end = gfx->EndFrame;
		gfx->SurfaceCommand = on_gfx_command;
		gfx->EndFrame = on_gfx_end;
	} else if (!strcmp(e->name, DISP_DVC_CHANNEL_NAME)) {
		c->disp = e->pInterface;
		c->disp->custom = c;
		c->disp->DisplayControlCaps = on_disp_caps;
	}
}

static void on_channel_gone(void *opaque, ChannelDisconnectedEventArgs *e)
{
	rdpContext *ctx = opaque;
	struct rc *c = rc_of(ctx);

	if (!strcmp(e->name, RDPGFX_DVC_CHANNEL_NAME)) {
		gdi_graphics_pipeline_uninit(ctx->gdi, e->pInterface);
		c->gfx = NULL;
	} else if (!strcmp(e->name, DISP_DVC_CHANNEL_NAME)) {
		c->disp = NULL;
	}
}

/* A bitmap-update client follows a reactivation with a new size. */
static BOOL on_desktop_resize(rdpContext *ctx)
{
	return gdi_resize(ctx->gdi, ctx->settings->DesktopWidth,
			  ctx->settings->DesktopHeight);
}

static BOOL on_end_paint(rdpContext *ctx)
{
	COUNT(rc_of(ctx), paints);
	return TRUE;
}

static BOOL on_bitmap(rdpContext *ctx, const BITMAP_UPDATE *b)
{
	struct rc *c = rc_of(ctx);

	COUNT(c, bitmaps);
	return c->bitmap(ctx, b);
}

static BOOL on_pointer_new(rdpContext *ctx, const POINTER_NEW_UPDATE *p)
{
	struct rc *c = rc_of(ctx);
	const POINTER_COLOR_UPDATE *a = &p->colorPtrAttr;

	pthread_mutex_lock(&c->lock);
	c->st.pointer_new++;
	c->st.pointer_w = a->width;
	c->st.pointer_h = a->height;
	if (p->xorBpp == 32 && a->width && a->height &&
	    a->lengthXorMask >= a->width * a->height * 4) {
		/* Rows bottom-up, BGRA. */
		const BYTE *px = a->xorMaskData +
				 ((a->height - 1 - a->height / 2) * a->width + a->width / 2) * 4;

		c->st.pointer_argb_center = (uint32_t)px[3] << 24 |
					    (uint32_t)px[2] << 16 |
					    (uint32_t)px[1] << 8 | px[0];
	}
	pthread_mutex_unlock(&c->lock);
	return c->pointer_new(ctx, p);
}

static BOOL on_pointer_system(rdpContext *ctx, const POINTER_SYSTEM_UPDATE *p)
{
	struct rc *c = rc_of(ctx);

	if (p->type == SYSPTR_NULL)
		COUNT(c, pointer_null);
	return c->pointer_system(ctx, p);
}

static BOOL on_pointer_position(rdpContext *ctx, const POINTER_POSITION_UPDATE *p)
{
	struct rc *c = rc_of(ctx);

	pthread_mutex_lock(&c->lock);
	c->st.pointer_pos++;
	c->st.pointer_x = p->xPos;
	c->st.pointer_y = p->yPos;
	pthread_mutex_unlock(&c->lock);
	return c->pointer_position(ctx, p);
}

static int on_logon_error(freerdp *inst, UINT32 data, UINT32 type)
{
	struct rc *c = rc_of(inst->context);

	pthread_mutex_lock(&c->lock);
	c->st.logon_error = 1;
	c->st.logon_error_data = data;
	c->st.logon_error_type = type;
	pthread_mutex_unlock(&c->lock);
	return 1;
}

static BOOL pre_connect(freerdp *inst)
{
	rdpContext *ctx = inst->context;

	PubSub_SubscribeChannelConnected(ctx->pubSub, on_channel);
	PubSub_SubscribeChannelDisconnected(ctx->pubSub, on_channel_gone);
	return freerdp_client_load_addins(ctx->channels, ctx->settings);
}

static BOOL post_connect(freerdp *inst)
{
	rdpContext *ctx = inst->context;
	struct rc *c = rc_of(ctx);
	rdpUpdate *u = ctx->update;

	if (!gdi_init(inst, PIXEL_FORMAT_BGRX32))
		return FALSE;
	u->EndPaint = on_end_paint;
	u->DesktopResize = on_desktop_resize;
	c->bitmap = u->BitmapUpdate;
	u->BitmapUpdate = on_bitmap;
	c->pointer_new = u->pointer->PointerNew;
	u->pointer->PointerNew = on_pointer_new;
	c->pointer_system = u->pointer->PointerSystem;
	u->pointer->PointerSystem = on_pointer_system;
	c->pointer_position = u->pointer->PointerPosition;
	u->pointer->PointerPosition = on_pointer_position;
	return TRUE;
}

static void post_disconnect(freerdp *inst)
{
	gdi_free(inst);
}

static void set_str(rdpSettings *s, size_t id, const char *v)
{
	freerdp_settings_set_string(s, id, v);
}

struct rc *rc_open(const struct rc_opts *o, char *err, size_t errlen)
{
	struct rc *c = calloc(1, sizeof(*c));
	rdpSettings *s;

	if (!c)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	freerdp_register_addin_provider(freerdp_channels_load_static_addin_entry, 0);
	c->inst = freerdp_new();
	if (!c->inst)
		goto fail;
	c->inst->ContextSize = sizeof(struct rc_ctx);
	c->inst->PreConnect = pre_connect;
	c->inst->PostConnect = post_connect;
	c->inst->PostDisconnect = post_disconnect;
	c->inst->LogonErrorInfo = on_logon_error;
	if (!freerdp_context_new(c->inst))
		goto fail;
	((struct rc_ctx *)c->inst->context)->c = c;
	s = c->inst->context->settings;
	set_str(s, FreeRDP_ServerHostname, o->host);
	s->ServerPort = (UINT32)o->port;
	set_str(s, FreeRDP_Username, o->user);
	set_str(s, FreeRDP_Password, o->password);
	s->IgnoreCertificate = TRUE;
	s->SoftwareGdi = TRUE;
	s->DesktopWidth = o->w ? o->w : 1024;
	s->DesktopHeight = o->h ? o->h : 768;
	s->ColorDepth = 32;
	s->SupportGraphicsPipeline = !!o->gfx;
	s->GfxH264 = !!o->h264;
	s->GfxAVC444 = FALSE;
	s->GfxAVC444v2 = FALSE;
	s->GfxProgressive = FALSE;
	s->RemoteFxCodec = FALSE;
	s->NSCodec = FALSE;
	s->SupportDisplayControl = !!o->disp;
	s->SupportDynamicChannels = o->gfx || o->disp;
	/* The server must pick TLS out of what a client usually offers. */
	s->NlaSecurity = o->security != RC_RDP_ONLY;
	s->TlsSecurity = !o->security;
	s->RdpSecurity = o->security != RC_NLA_ONLY;
	s->TcpConnectTimeout = 10000;
	if (o->ticket) {
		s->SendPreconnectionPdu = TRUE;
		s->PreconnectionId = 0;
		set_str(s, FreeRDP_PreconnectionBlob, o->ticket);
	}
	if (o->routing_token) {
		/* Settings 2.11 has no setter for this one: freed with them. */
		s->LoadBalanceInfo = (BYTE *)strdup(o->routing_token);
		if (!s->LoadBalanceInfo) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		s->LoadBalanceInfoLength = (UINT32)strlen(o->routing_token);
	}
	if (!freerdp_connect(c->inst)) {
		UINT32 e = freerdp_get_last_error(c->inst->context);

		snprintf(err, errlen, "%s (0x%08x)%s%s",
			 freerdp_get_last_error_string(e), e,
			 c->st.logon_error ? "; logon error " : "",
			 c->st.logon_error ?
			 freerdp_get_logon_error_info_data(c->st.logon_error_data) : "");
		goto fail;
	}
	return c;
fail:
	if (c->inst) {
		if (c->inst->context) {
			c->snap = c->st;  /* for the caller's message */
			freerdp_context_free(c->inst);
		}
		freerdp_free(c->inst);
	}
	pthread_mutex_destroy(&c->lock);
	free(c);
	return NULL;
}

void rc_close(struct rc *c)
{
	if (!c)
		return;
	freerdp_disconnect(c->inst);
	freerdp_context_free(c->inst);
	freerdp_free(c->inst);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

int rc_pump(struct rc *c, int ms)
{
	rdpContext *ctx = c->inst->context;
	HANDLE h[MAXIMUM_WAIT_OBJECTS];
	DWORD n;

	if (c->st.closed)
		return -1;
	if (c->stalled) {
		usleep((useconds_t)ms * 1000);
		return 0;
	}
	n = freerdp_get_event_handles(ctx, h, MAXIMUM_WAIT_OBJECTS);
	if (!n || WaitForMultipleObjects(n, h, FALSE, (DWORD)ms) == WAIT_FAILED ||
	    !freerdp_check_event_handles(ctx) || freerdp_shall_disconnect(c->inst)) {
		pthread_mutex_lock(&c->lock);
		c->st.closed = 1;
		pthread_mutex_unlock(&c->lock);
		return -1;
	}
	return 0;
}

const struct rc_stats *rc_stats(const struct rc *c)
{
	struct rc *m = (struct rc *)c;

	pthread_mutex_lock(&m->lock);
	m->snap = m->st;
	pthread_mutex_unlock(&m->lock);
	return &m->snap;
}

uint32_t rc_width(const struct rc *c)
{
	return c->inst->context->gdi ? c->inst->context->gdi->width : 0;
}

uint32_t rc_height(const struct rc *c)
{
	return c->inst->context->gdi ? c->inst->context->gdi->height : 0;
}

uint64_t rc_bytes_in(const struct rc *c)
{
	UINT64 in = 0, out = 0, pin = 0, pout = 0;

	freerdp_get_stats(c->inst->context->rdp, &in, &out, &pin, &pout);
	return in;
}

uint32_t rc_pixel(const struct rc *c, uint32_t x, uint32_t y)
{
	const rdpGdi *gdi = c->inst->context->gdi;
	uint32_t v;

	memcpy(&v, gdi->primary_buffer + (size_t)y * gdi->stride + (size_t)x * 4, 4);
	return v & 0xffffff;
}

double rc_psnr(const struct rc *c, const uint32_t *shot, uint32_t w, uint32_t h)
{
	double se = 0;

	if (rc_width(c) != w || rc_height(c) != h)
		return 0;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint32_t a = rc_pixel(c, x, y), b = shot[(size_t)y * w + x];

			for (int i = 0; i < 24; i += 8) {
				double d = (double)((a >> i) & 255) - ((b >> i) & 255);

				se += d * d;
			}
		}
	if (se == 0)
		return INFINITY;
	return 10 * log10(255.0 * 255.0 / (se / ((double)w * h * 3)));
}

uint64_t rc_diff(const struct rc *c, const uint32_t *shot, uint32_t w,
		 uint32_t h, int tol)
{
	uint64_t n = 0;

	if (rc_width(c) != w || rc_height(c) != h)
		return (uint64_t)w * h;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint32_t a = rc_pixel(c, x, y), b = shot[(size_t)y * w + x];

			for (int i = 0; i < 24; i += 8)
				if (abs((int)((a >> i) & 255) - (int)((b >> i) & 255)) > tol) {
					n++;
					break;
				}
		}
	return n;
}

void rc_save_ppm(const struct rc *c, const char *path)
{
	uint32_t w = rc_width(c), h = rc_height(c);
	FILE *f = fopen(path, "wb");

	if (!f)
		return;
	fprintf(f, "P6\n%u %u\n255\n", w, h);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint32_t p = rc_pixel(c, x, y);
			unsigned char rgb[3] = { p >> 16, p >> 8, p };

			fwrite(rgb, 1, 3, f);
		}
	fclose(f);
}

void rc_key(struct rc *c, uint16_t flags, uint16_t scancode)
{
	freerdp_input_send_keyboard_event(c->inst->context->input, flags, scancode);
}

void rc_unicode(struct rc *c, uint16_t flags, uint16_t code)
{
	freerdp_input_send_unicode_keyboard_event(c->inst->context->input, flags, code);
}

void rc_mouse(struct rc *c, uint16_t flags, uint16_t x, uint16_t y)
{
	freerdp_input_send_mouse_event(c->inst->context->input, flags, x, y);
}

void rc_xmouse(struct rc *c, uint16_t flags, uint16_t x, uint16_t y)
{
	freerdp_input_send_extended_mouse_event(c->inst->context->input, flags, x, y);
}

void rc_sync(struct rc *c, uint32_t flags)
{
	freerdp_input_send_synchronize_event(c->inst->context->input, flags);
}

int rc_layout(struct rc *c, uint32_t w, uint32_t h)
{
	DISPLAY_CONTROL_MONITOR_LAYOUT m = {
		.Flags = DISPLAY_CONTROL_MONITOR_PRIMARY, .Width = w, .Height = h,
		.PhysicalWidth = 300, .PhysicalHeight = 200,
		.DesktopScaleFactor = 100, .DeviceScaleFactor = 100,
	};

	if (!c->disp)
		return -1;
	return c->disp->SendMonitorLayout(c->disp, 1, &m) == CHANNEL_RC_OK ? 0 : -1;
}

void rc_suppress(struct rc *c, int allow)
{
	rdpContext *ctx = c->inst->context;
	RECTANGLE_16 all = { 0, 0, (UINT16)rc_width(c), (UINT16)rc_height(c) };

	ctx->update->SuppressOutput(ctx, (BYTE)!!allow, &all);
}

void rc_stall(struct rc *c, int stalled)
{
	c->stalled = stalled;
}
