// SPDX-License-Identifier: MIT
/*
 * One RDP client, on a thread of its own: FreeRDP's peer (TLS, the
 * connection sequence, input), the logon check, then the graphics path the
 * client can take (rdp_gfx.c or rdp_bitmap.c), paced by what the client
 * acknowledges or, for bitmap updates, by its socket. Everything that can
 * block blocks on this client alone.
 */
#include "rdp_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <freerdp/channels/wtsvc.h>
#include <winpr/wtsapi.h>

/* A client that asked for RDPGFX has this long after activation to get
 * its dynamic channels up; then it gets bitmap updates. */
#define RDP_GFX_WAIT_MS 5000

static struct rdp_peer *peer_of(freerdp_peer *client)
{
	return client->ContextExtra;
}

/* Called just before the server's Demand Active: the Client Info PDU (the
 * credentials) is in, no picture has been sent. The right place to refuse,
 * and to say what size the desktop is. */
static BOOL on_capabilities(freerdp_peer *client)
{
	struct rdp_peer *p = peer_of(client);
	rdpSettings *s = client->context->settings;

	if (!p->authed && rdp_auth_check(p) < 0) {
		p->said = 1;
		return FALSE;
	}
	pthread_mutex_lock(&p->r->lock);
	if (!p->authed)
		p->r->logons--;
	p->authed = 1;
	p->width = p->r->width;
	p->height = p->r->height;
	p->geometry = p->r->geometry;
	enc_damage_init(&p->pending, p->width, p->height);
	pthread_mutex_unlock(&p->r->lock);
	enc_damage_init(&p->damage, p->width, p->height);
	s->DesktopWidth = p->width;
	s->DesktopHeight = p->height;
	s->ColorDepth = 32;
	return TRUE;
}

static BOOL on_post_connect(freerdp_peer *client)
{
	struct rdp_peer *p = peer_of(client);

	if (!p->authed)
		return FALSE;
	p->counted = 1;
	atomic_fetch_add(&p->r->authed, 1);
	inputq_wake(p->r->q);
	return TRUE;
}

static void damage_all(struct rdp_peer *p)
{
	pthread_mutex_lock(&p->r->lock);
	enc_damage_add_all(&p->pending);
	pthread_mutex_unlock(&p->r->lock);
	SetEvent(p->wake);
}

/* Also after each reactivation (a desktop resize of the bitmap path). */
static BOOL on_activate(freerdp_peer *client)
{
	struct rdp_peer *p = peer_of(client);
	rdpSettings *s = client->context->settings;

	if (!p->activated) {
		rdp_log(p, "%s logged on (%ux%u%s)", p->user, p->width, p->height,
			s->SupportGraphicsPipeline ? ", asks for RDPGFX" : "");
		p->activated_ms = dloop_now_ms();
	}
	p->activated = 1;
	p->reactivating = 0;
	p->cursor_serial = p->pos_serial = UINT64_MAX;  /* send both again */
	damage_all(p);
	return TRUE;
}

static BOOL on_refresh_rect(rdpContext *ctx, BYTE count,
			    const RECTANGLE_16 *areas)
{
	damage_all(peer_of(ctx->peer));
	return TRUE;
}

/* A minimised client gets nothing until it shows the desktop again;
 * damage waits meanwhile, and then it gets the whole picture. */
static BOOL on_suppress_output(rdpContext *ctx, BYTE allow,
			       const RECTANGLE_16 *area)
{
	struct rdp_peer *p = peer_of(ctx->peer);

	p->suppressed = !allow;
	if (allow)
		damage_all(p);
	return TRUE;
}

/* The disp channel is up: tell the client it may send layouts. */
static BOOL on_dvc_created(void *opaque, UINT32 id, INT32 status)
{
	struct rdp_peer *p = opaque;

	if (p->disp && status >= 0 && id == (UINT32)p->disp_id &&
	    p->disp->DisplayControlCaps(p->disp) != CHANNEL_RC_OK)
		rdp_log(p, "display control: cannot send its capabilities");
	return TRUE;
}

static BOOL on_disp_id(DispServerContext *ctx, UINT32 id)
{
	struct rdp_peer *p = ctx->custom;

	p->disp_id = (int)id;
	return TRUE;
}

/* Resizing the VM from the client comes with virtio-gpu; for now the
 * request is only logged. */
static UINT on_monitor_layout(DispServerContext *ctx,
			      const DISPLAY_CONTROL_MONITOR_LAYOUT_PDU *pdu)
{
	struct rdp_peer *p = ctx->custom;

	if (pdu->NumMonitors >= 1)
		rdp_log(p, "client asks for a %ux%u desktop (%u monitor%s); resizing the VM is not supported yet",
			pdu->Monitors[0].Width, pdu->Monitors[0].Height,
			pdu->NumMonitors, pdu->NumMonitors == 1 ? "" : "s");
	return CHANNEL_RC_OK;
}

static void open_disp(struct rdp_peer *p)
{
	p->disp = disp_server_context_new(p->vcm);
	if (!p->disp)
		return;
	p->disp->custom = p;
	p->disp->rdpcontext = p->client->context;
	p->disp->MaxNumMonitors = 1;
	p->disp->MaxMonitorAreaFactorA = DISPLAY_CONTROL_MAX_MONITOR_WIDTH;
	p->disp->MaxMonitorAreaFactorB = DISPLAY_CONTROL_MAX_MONITOR_HEIGHT;
	p->disp->DispMonitorLayout = on_monitor_layout;
	p->disp->ChannelIdAssigned = on_disp_id;
	WTSVirtualChannelManagerSetDVCCreationCallback(p->vcm, on_dvc_created, p);
	if (p->disp->Open(p->disp) != CHANNEL_RC_OK) {
		disp_server_context_free(p->disp);
		p->disp = NULL;
	}
}

/* The dynamic channels, once the client's drdynvc is up: display control
 * for every client that has it, RDPGFX for those that asked for it. */
static void open_channels(struct rdp_peer *p)
{
	if (p->channels || WTSVirtualChannelManagerGetDrdynvcState(p->vcm) !=
			   DRDYNVC_STATE_READY)
		return;
	p->channels = 1;
	open_disp(p);
	if (!p->client->context->settings->SupportGraphicsPipeline)
		return;
	if (rdp_gfx_open(p) < 0)
		rdp_log(p, "cannot open the RDPGFX channel: bitmap updates instead");
	p->gfx_open_ms = dloop_now_ms();
}

/* After activation: which graphics path, once the dynamic channels are
 * there (or clearly not coming: then bitmap updates). */
static void choose_path(struct rdp_peer *p)
{
	int dynamic = WTSVirtualChannelManagerIsChannelJoined(p->vcm, "drdynvc") &&
		      WTSVirtualChannelManagerGetDrdynvcState(p->vcm) !=
		      DRDYNVC_STATE_FAILED;
	uint64_t now;
	int caps;

	if (!p->activated || p->path != RDP_PATH_NONE)
		return;
	if (dynamic)
		open_channels(p);
	now = dloop_now_ms();
	if (dynamic && p->client->context->settings->SupportGraphicsPipeline) {
		if (!p->channels && now - p->activated_ms < RDP_GFX_WAIT_MS)
			return;
		caps = atomic_load(&p->gfx_caps);
		if (p->gfx && caps > 0 && rdp_gfx_start(p) == 0)
			return;
		if (p->gfx && !caps && now - p->gfx_open_ms < RDP_GFX_WAIT_MS)
			return;     /* its caps are on their way */
		if (p->gfx && !caps)
			rdp_log(p, "no RDPGFX capabilities from the client within %d s",
				RDP_GFX_WAIT_MS / 1000);
		rdp_gfx_close(p);
	}
	p->path = RDP_PATH_BITMAP;
	rdp_log(p, "graphics: planar bitmap updates (no RDPGFX)");
	damage_all(p);
}

/* The main thread's news: damage, or 1 for a new size. */
static int take_news(struct rdp_peer *p)
{
	struct rdp_server *r = p->r;
	struct enc_damage d;
	int resized;

	pthread_mutex_lock(&r->lock);
	d = p->pending;
	enc_damage_clear(&p->pending);
	resized = r->geometry != p->geometry;
	pthread_mutex_unlock(&r->lock);
	if (resized)
		return 1;
	for (size_t i = 0; i < d.n; i++) {
		if (p->enc)
			enc_damage(p->enc, &d.r[i], 1);
		else
			enc_damage_add(&p->damage, &d.r[i]);
	}
	return 0;
}

/* A new framebuffer size: the GFX path makes a new surface, the bitmap
 * path reactivates the client with the new desktop size. */
static int resize(struct rdp_peer *p)
{
	rdpContext *ctx = p->client->context;

	pthread_mutex_lock(&p->r->lock);
	p->width = p->r->width;
	p->height = p->r->height;
	p->geometry = p->r->geometry;
	enc_damage_init(&p->pending, p->width, p->height);
	pthread_mutex_unlock(&p->r->lock);
	enc_damage_init(&p->damage, p->width, p->height);
	rdp_log(p, "desktop is now %ux%u", p->width, p->height);
	switch (p->path) {
	case RDP_PATH_AVC:
	case RDP_PATH_GFX_PLANAR:
		return rdp_gfx_start(p);
	case RDP_PATH_BITMAP:
		if (!ctx->settings->DesktopResize) {
			rdp_log(p, "the client cannot follow a desktop resize: disconnecting it");
			return -1;
		}
		ctx->settings->DesktopWidth = p->width;
		ctx->settings->DesktopHeight = p->height;
		p->reactivating = 1;    /* until on_activate */
		return ctx->update->DesktopResize(ctx) ? 0 : -1;
	case RDP_PATH_NONE:
		break;
	}
	return 0;
}

static int send_updates(struct rdp_peer *p)
{
	if (take_news(p)) {
		if (resize(p) < 0)
			return -1;
		take_news(p);
	}
	if (rdp_cursor_send(p) < 0)
		return -1;
	if (p->suppressed)
		return 0;
	switch (p->path) {
	case RDP_PATH_AVC:
	case RDP_PATH_GFX_PLANAR:
		return rdp_gfx_send(p);
	case RDP_PATH_BITMAP:
		return rdp_bitmap_send(p);
	case RDP_PATH_NONE:
		break;
	}
	return 0;
}

static int setup(struct rdp_peer *p)
{
	freerdp_peer *c = p->client;
	rdpSettings *s;

	c->ContextExtra = p;
	if (!p->r->cert[0] || access(p->r->cert, R_OK) || access(p->r->key, R_OK)) {
		rdp_log(p, "refused: no TLS certificate and key at %s, %s (porthole-gateway makes them on its first start; or give --rdp-cert and --rdp-key)",
			p->r->cert[0] ? p->r->cert : "(no state directory: give --state-dir)",
			p->r->key);
		p->said = 1;
		return -1;
	}
	if (!freerdp_peer_context_new(c)) {
		rdp_log(p, "cannot set the connection up");
		return -1;
	}
	s = c->context->settings;
	if (!freerdp_settings_set_string(s, FreeRDP_CertificateFile, p->r->cert) ||
	    !freerdp_settings_set_string(s, FreeRDP_PrivateKeyFile, p->r->key))
		return -1;
	/* TLS only: no NLA (docs/rdp.md says why), no RDP standard
	 * security (RC4 and a static server key). */
	s->RdpSecurity = FALSE;
	s->UseRdpSecurityLayer = FALSE;
	s->TlsSecurity = TRUE;
	s->NlaSecurity = FALSE;
	s->ExtSecurity = FALSE;
	s->ColorDepth = 32;
	s->SupportGraphicsPipeline = TRUE;
	s->RefreshRect = TRUE;
	s->SuppressOutput = TRUE;
	s->DesktopResize = TRUE;
	s->UnicodeInput = TRUE;
	s->HasHorizontalWheel = TRUE;
	s->HasExtendedMouseEvent = TRUE;
	s->ColorPointerFlag = TRUE;
	s->PointerCacheSize = 1;
	s->RemoteFxCodec = FALSE;
	s->NSCodec = FALSE;
	s->FrameMarkerCommandEnabled = FALSE;
	s->SurfaceFrameMarkerEnabled = FALSE;
	c->Capabilities = on_capabilities;
	c->PostConnect = on_post_connect;
	c->Activate = on_activate;
	c->context->update->RefreshRect = on_refresh_rect;
	c->context->update->SuppressOutput = on_suppress_output;
	rdp_input_register(p);
	if (!c->Initialize(c)) {
		rdp_log(p, "cannot set the connection up");
		return -1;
	}
	p->vcm = WTSOpenServerA((LPSTR)c->context);
	if (!p->vcm || p->vcm == INVALID_HANDLE_VALUE) {
		rdp_log(p, "cannot set the connection up");
		return -1;
	}
	return 0;
}

static void run(struct rdp_peer *p)
{
	freerdp_peer *c = p->client;
	HANDLE h[MAXIMUM_WAIT_OBJECTS];

	while (!atomic_load(&p->r->stopping)) {
		DWORD n = c->GetEventHandles(c, h, MAXIMUM_WAIT_OBJECTS - 2);

		if (!n)
			break;
		h[n++] = WTSVirtualChannelManagerGetEventHandle(p->vcm);
		h[n++] = p->wake;
		if (WaitForMultipleObjects(n, h, FALSE, 250) == WAIT_FAILED)
			break;
		if (atomic_load(&p->r->stopping))
			break;
		if (!c->CheckFileDescriptor(c))
			break;          /* the client left, or broke the protocol */
		if (!WTSVirtualChannelManagerCheckFileDescriptor(p->vcm))
			break;
		if (!p->authed && dloop_now_ms() - p->started_ms > RDP_LOGON_MS) {
			rdp_log(p, "no logon within %d s: disconnecting",
				RDP_LOGON_MS / 1000);
			p->said = 1;
			break;
		}
		/* Nothing is sent before activation, nor during a
		 * reactivation (a desktop resize of the bitmap path). */
		ResetEvent(p->wake);
		if (!p->activated || p->reactivating)
			continue;
		choose_path(p);
		if (send_updates(p) < 0)
			break;
		/* What the channels queued goes out now. */
		if (!WTSVirtualChannelManagerCheckFileDescriptor(p->vcm))
			break;
	}
}

/* The value below which a share q of the frames' making times fell. */
static double percentile_ms(const struct rdp_peer *p, double q)
{
	uint64_t seen = 0, want = (uint64_t)(q * (double)p->frames);

	for (int i = 0; i < RDP_HIST_BUCKETS; i++) {
		seen += p->make_hist[i];
		if (seen > want)
			return (i + 1) / 10.0;
	}
	return RDP_HIST_BUCKETS / 10.0;
}

static void log_left(struct rdp_peer *p)
{
	if (!p->frames) {
		rdp_log(p, "%s left (no frames)", p->user);
		return;
	}
	rdp_log(p, "%s left (%llu frames, %llu KiB; making a frame: p50 %.1f ms, p99 %.1f ms)",
		p->user, (unsigned long long)p->frames,
		(unsigned long long)(p->bytes >> 10), percentile_ms(p, 0.5),
		percentile_ms(p, 0.99));
}

static void *peer_thread(void *arg)
{
	struct rdp_peer *p = arg;
	struct rdp_server *r = p->r;
	freerdp_peer *c = p->client;

	if (setup(p) == 0)
		run(p);
	if (p->activated)
		log_left(p);
	else if (!p->said)
		rdp_log(p, "closed before logging on (RDP clients need TLS security: clients that insist on NLA or on RDP's own security are refused)");
	rdp_input_release(p);
	rdp_gfx_close(p);
	if (p->disp)
		disp_server_context_free(p->disp);
	rdp_bitmap_free(p);
	if (p->vcm && p->vcm != INVALID_HANDLE_VALUE)
		WTSCloseServer(p->vcm);
	if (c->context) {
		c->Disconnect(c);
		freerdp_peer_context_free(c);   /* closes the socket */
	} else {
		close(c->sockfd);
	}
	freerdp_peer_free(c);
	if (p->counted) {
		atomic_fetch_sub(&r->authed, 1);
		inputq_wake(r->q);
	}
	rdp_peer_done(r, p);
	close(p->fd);
	CloseHandle(p->wake);
	free(p);
	return NULL;
}

void rdp_peer_start(struct rdp_server *r, int fd, const char *addr)
{
	struct rdp_peer *p = NULL;
	pthread_attr_t attr;
	pthread_t t;
	int full, rc;

	pthread_mutex_lock(&r->lock);
	full = r->npeers >= RDP_MAX_CLIENTS || r->logons >= RDP_MAX_LOGONS;
	pthread_mutex_unlock(&r->lock);
	if (full) {
		fprintf(stderr, RDP_TAG "%s: refused: at most %d clients, %d of them logging on\n",
			addr, RDP_MAX_CLIENTS, RDP_MAX_LOGONS);
		close(fd);
		return;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		goto fail;
	p->r = r;
	snprintf(p->addr, sizeof(p->addr), "%s", addr);
	snprintf(p->user, sizeof(p->user), "?");
	p->started_ms = dloop_now_ms();
	keymap_init(&p->kbd);
	/* FreeRDP closes the socket it was given; ours is for shutdown(). */
	p->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	p->wake = CreateEvent(NULL, TRUE, FALSE, NULL);
	if (p->fd < 0 || !p->wake || !(p->client = freerdp_peer_new(fd)))
		goto fail;
	snprintf(p->client->hostname, sizeof(p->client->hostname), "%s", addr);
	/* Even on the unix socket the client is remote (the gateway's). */
	p->client->local = FALSE;
	pthread_mutex_lock(&r->lock);
	enc_damage_init(&p->pending, r->width, r->height);
	p->next = r->peers;
	r->peers = p;
	r->npeers++;
	r->logons++;
	pthread_mutex_unlock(&r->lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, peer_thread, p);
	pthread_attr_destroy(&attr);
	if (rc == 0)
		return;
	fprintf(stderr, RDP_TAG "%s: cannot start a client thread\n", addr);
	rdp_peer_done(r, p);
fail:
	close(fd);
	if (p) {
		if (p->client)
			freerdp_peer_free(p->client);
		if (p->fd >= 0)
			close(p->fd);
		if (p->wake)
			CloseHandle(p->wake);
		free(p);
	}
}
