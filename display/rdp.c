// SPDX-License-Identifier: MIT
/*
 * The RDP server as the display's main thread sees it: the peers, and the
 * damage, size and cursor changes it hands each of them. Nothing here
 * waits for a client: a change is recorded under a short lock and the
 * client's thread is woken (rdp_peer.c does the rest, at its own pace).
 */
#include "rdp_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <freerdp/channels/channels.h>
#include <freerdp/channels/wtsvc.h>
#include <winpr/ssl.h>
#include <winpr/wlog.h>

void rdp_log(struct rdp_peer *p, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, RDP_TAG "%s: %s\n", p->addr, line);
}

uint64_t rdp_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void rdp_frame_made(struct rdp_peer *p, uint64_t since_us, size_t bytes)
{
	uint64_t b = (rdp_now_us() - since_us) / 100;

	p->make_hist[b < RDP_HIST_BUCKETS ? b : RDP_HIST_BUCKETS - 1]++;
	p->frames++;
	p->bytes += bytes;
}

void rdp_log_setup(int verbose)
{
	/* FreeRDP reports every client that goes away as a string of errors;
	 * what matters is said by our own lines. */
	WLog_SetLogLevel(WLog_GetRoot(), verbose ? WLOG_INFO : WLOG_FATAL);
}

void rdp_damage(struct rdp_server *r, const struct source_rect *rects,
		size_t n)
{
	pthread_mutex_lock(&r->lock);
	for (struct rdp_peer *p = r->peers; p; p = p->next) {
		for (size_t i = 0; i < n; i++) {
			struct enc_rect e = { rects[i].x, rects[i].y, rects[i].w,
					      rects[i].h };

			enc_damage_add(&p->pending, &e);
		}
		SetEvent(p->wake);
	}
	pthread_mutex_unlock(&r->lock);
}

void rdp_resize(struct rdp_server *r, uint32_t width, uint32_t height)
{
	pthread_mutex_lock(&r->lock);
	r->width = width;
	r->height = height;
	r->geometry++;
	for (struct rdp_peer *p = r->peers; p; p = p->next) {
		enc_damage_init(&p->pending, width, height);
		enc_damage_add_all(&p->pending);
		SetEvent(p->wake);
	}
	pthread_mutex_unlock(&r->lock);
}

static void wake_all_cursor(struct rdp_server *r)
{
	for (struct rdp_peer *p = r->peers; p; p = p->next)
		SetEvent(p->wake);
}

void rdp_cursor_shape(struct rdp_server *r, uint32_t w, uint32_t h,
		      uint32_t hot_x, uint32_t hot_y, const uint32_t *argb)
{
	struct rdp_cursor *c = &r->cursor;

	if (w > SURFACE_CURSOR_MAX || h > SURFACE_CURSOR_MAX || !h)
		w = h = 0;
	pthread_mutex_lock(&r->lock);
	c->w = w;
	c->h = h;
	c->hot_x = hot_x < w ? hot_x : 0;
	c->hot_y = hot_y < h ? hot_y : 0;
	if (w)
		memcpy(c->argb, argb, (size_t)w * h * 4);
	c->serial++;
	wake_all_cursor(r);
	pthread_mutex_unlock(&r->lock);
}

void rdp_cursor_pos(struct rdp_server *r, int32_t x, int32_t y, int visible)
{
	struct rdp_cursor *c = &r->cursor;

	pthread_mutex_lock(&r->lock);
	if (c->x != x || c->y != y || c->visible != !!visible) {
		c->x = x;
		c->y = y;
		c->visible = !!visible;
		c->pos_serial++;
		wake_all_cursor(r);
	}
	pthread_mutex_unlock(&r->lock);
}

int rdp_clients(struct rdp_server *r)
{
	return atomic_load(&r->authed);
}

const char *rdp_tcp_address(struct rdp_server *r)
{
	return r->tcp_addr;
}

/* The peer thread's last act: after this it touches nothing of r. */
void rdp_peer_done(struct rdp_server *r, struct rdp_peer *p)
{
	pthread_mutex_lock(&r->lock);
	for (struct rdp_peer **pp = &r->peers; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	r->npeers--;
	if (!p->authed)
		r->logons--;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

/* An empty certificate path is allowed (no state directory known): each
 * connection is then refused, saying so. */
static int copy_path(char *dst, size_t len, const char *src, const char *what,
		     char *err, size_t errlen)
{
	if (strlen(src ? src : "") >= len) {
		snprintf(err, errlen, "rdp: %s: path too long", what);
		return -1;
	}
	strcpy(dst, src ? src : "");
	return 0;
}

int rdp_create(struct rdp_server **out, const struct rdp_config *cfg,
	       struct dloop *loop, struct inputq *q, const uint8_t *fb,
	       uint32_t width, uint32_t height, char *err, size_t errlen)
{
	struct rdp_server *r = calloc(1, sizeof(*r));

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->loop = loop;
	r->q = q;
	r->fb = fb;
	r->width = width;
	r->height = height;
	r->unix_l.fd = r->tcp_l.fd = -1;
	r->cursor.visible = 1;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	snprintf(r->name, sizeof(r->name), "%s", cfg->name);
	if (!cfg->run_base || !*cfg->run_base ||
	    copy_path(r->run_base, sizeof(r->run_base), cfg->run_base,
		      "run directory base", err, errlen) ||
	    copy_path(r->cert, sizeof(r->cert), cfg->cert, "certificate",
		      err, errlen) ||
	    copy_path(r->key, sizeof(r->key), cfg->key, "private key", err,
		      errlen))
		goto fail;
	/* FreeRDP's process-wide setup; both are idempotent. */
	winpr_InitializeSSL(WINPR_SSL_INIT_DEFAULT);
	WTSRegisterWtsApiFunctionTable(FreeRDP_InitWtsApi());
	if (rdp_listen_start(r, cfg->unix_path, cfg->tcp_listen, err, errlen))
		goto fail;
	*out = r;
	return 0;
fail:
	rdp_destroy(r);
	return -1;
}

/* Wait until every peer thread has gone; at most a few seconds. */
static int wait_idle(struct rdp_server *r)
{
	struct timespec until;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&r->lock);
	while (r->npeers && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&r->cond, &r->lock, &until);
	rc = r->npeers != 0;
	pthread_mutex_unlock(&r->lock);
	return rc;
}

int rdp_destroy(struct rdp_server *r)
{
	if (!r)
		return 0;
	atomic_store(&r->stopping, 1);
	rdp_listen_stop(r);
	/* A peer thread may be blocked writing to its client: shutting the
	 * socket down ends that write and its read. */
	pthread_mutex_lock(&r->lock);
	for (struct rdp_peer *p = r->peers; p; p = p->next) {
		shutdown(p->fd, SHUT_RDWR);
		SetEvent(p->wake);
	}
	pthread_mutex_unlock(&r->lock);
	if (wait_idle(r)) {
		fprintf(stderr, RDP_TAG "clients did not stop in time\n");
		return -1;
	}
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	free(r);
	return 0;
}
