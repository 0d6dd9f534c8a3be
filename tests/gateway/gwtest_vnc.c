// SPDX-License-Identifier: MIT
/* VNC through the gateway for the tests (gwtest.h): libvncclient with
 * VeNCrypt, and the bridge that puts dtest's client on a WebSocket. */
#include "gwtest.h"

#include <errno.h>
#include <gnutls/gnutls.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Present when built with a sanitizer. */
extern void __lsan_disable(void) __attribute__((weak));
extern void __lsan_enable(void) __attribute__((weak));

/* --- native VNC with libvncclient --- */

struct creds {
	const char *user, *password, *ca;
};

static int creds_tag;

static rfbCredential *get_credential(rfbClient *c, int type)
{
	struct creds *k = rfbClientGetClientData(c, &creds_tag);
	rfbCredential *cred = calloc(1, sizeof(*cred));

	CHECK(cred, "out of memory");
	if (type == rfbCredentialTypeX509) {
		cred->x509Credential.x509CACertFile = strdup(k->ca);
		cred->x509Credential.x509CrlVerifyMode = rfbX509CrlVerifyNone;
	} else if (type == rfbCredentialTypeUser) {
		cred->userCredential.username = strdup(k->user);
		cred->userCredential.password = strdup(k->password);
	} else {
		free(cred);
		return NULL;
	}
	return cred;
}

rfbClient *gw_vnc_native(struct gw *g, const char *user, const char *password)
{
	struct creds k = { user, password, g->cert };
	rfbClient *c = rfbGetClient(8, 3, 4);
	rfbBool ok;

	CHECK(c, "rfbGetClient failed");
	rfbClientSetClientData(c, &creds_tag, &k);
	c->GetCredential = get_credential;
	c->serverHost = strdup("127.0.0.1");
	c->serverPort = g->port;
	c->appData.encodingsString = "zrle raw";
	c->appData.enableJPEG = FALSE;
	c->appData.useRemoteCursor = TRUE;
	/* libvncclient 0.9.14 never frees its GnuTLS credentials: not our
	 * leak, so not LeakSanitizer's business. */
	if (__lsan_disable)
		__lsan_disable();
	ok = rfbInitClient(c, NULL, NULL);
	if (__lsan_enable)
		__lsan_enable();
	/* It fails, and frees c, when the gateway refuses. */
	if (!ok)
		return NULL;
	rfbClientSetClientData(c, &creds_tag, NULL);
	return c;
}

void gw_vnc_native_close(rfbClient *c)
{
	if (!c)
		return;
	free(c->frameBuffer);
	c->frameBuffer = NULL;
	free(c->rcSource);
	free(c->rcMask);
	c->rcSource = c->rcMask = NULL;
	rfbClientCleanup(c);
}

static uint64_t native_diff(rfbClient *c, const uint32_t *shot, uint64_t *first)
{
	uint64_t n = 0;

	if (c->width != GW_W || c->height != GW_H)
		return (uint64_t)GW_W * GW_H;
	for (size_t i = 0; i < (size_t)GW_W * GW_H; i++) {
		const uint8_t *p = c->frameBuffer + i * 4;
		uint32_t v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];

		if (v != shot[i] && !n++)
			*first = i;
	}
	return n;
}

/*
 * libvncclient 0.9.14's WaitForMessage only select()s the socket: whole
 * messages it already read into its buffer, or that GnuTLS decrypted and
 * holds, wait there, and a quiet server never wakes it (the desktop then
 * "never arrives"). So look there first.
 */
static int native_wait(rfbClient *c, unsigned int usecs)
{
	if (c->buffered > 0)
		return 1;
	if (c->tlsSession &&
	    gnutls_record_check_pending((gnutls_session_t)c->tlsSession) > 0)
		return 1;
	return WaitForMessage(c, usecs);
}

void gw_vnc_wait_equal(rfbClient *c, const uint32_t *shot, int timeout_ms)
{
	uint64_t end = dt_now_ms() + timeout_ms, first = 0, d;

	SendFramebufferUpdateRequest(c, 0, 0, c->width, c->height, FALSE);
	while ((d = native_diff(c, shot, &first))) {
		int n;

		CHECK(dt_now_ms() < end, "native VNC: %llu pixels differ from the "
		      "guest's after %d ms (desktop %dx%d); first at (%llu,%llu)",
		      (unsigned long long)d, timeout_ms, c->width, c->height,
		      (unsigned long long)(first % GW_W),
		      (unsigned long long)(first / GW_W));
		n = native_wait(c, 50000);
		CHECK(n >= 0, "native VNC: the connection failed");
		if (n > 0)
			CHECK(HandleRFBServerMessage(c), "native VNC: the gateway "
			      "closed the session or sent a bad message");
	}
}

/* --- the WebSocket bridge for dtest's clients --- */

struct bridge {
	struct gc_conn *ws;
	int lfd;
	char path[128];
	pthread_t thread;
};

int gw_write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

static void *bridge_run(void *arg)
{
	struct bridge *b = arg;
	struct gc_conn *ws = b->ws;
	int fd = accept4(b->lfd, NULL, NULL, SOCK_CLOEXEC);
	uint8_t buf[65536];

	close(b->lfd);
	unlink(b->path);
	while (fd >= 0) {
		struct pollfd p[2] = { { fd, POLLIN, 0 }, { ws->fd, POLLIN, 0 } };
		int f = gc_fill(ws, 0);

		if (f < 0 || gc_ws_decode(ws) < 0)
			break;
		if (ws->msg_len) {
			if (gw_write_all(fd, ws->msg, ws->msg_len) < 0)
				break;
			ws->bytes_in += ws->msg_len;
			ws->msg_len = 0;
		}
		if (ws->close_code)
			break;
		if (f > 0)
			continue;
		if (poll(p, 2, 1000) < 0 && errno != EINTR)
			break;
		if (p[0].revents) {
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n <= 0 || gc_write(ws, buf, n) < 0)
				break;
		}
	}
	if (fd >= 0) {
		shutdown(fd, SHUT_RDWR);
		close(fd);
	}
	gc_close(ws);
	free(b);
	return NULL;
}

char *gw_ws_bridge(struct gw *g, struct gc_conn *ws)
{
	struct bridge *b = calloc(1, sizeof(*b));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *path;

	CHECK(b, "out of memory");
	b->ws = ws;
	snprintf(b->path, sizeof(b->path), "%s/bridge.%d.sock", g->base,
		 ++g->bridges);
	path = strdup(b->path);
	CHECK(strlen(b->path) < sizeof(sa.sun_path), "path too long: %s", b->path);
	memcpy(sa.sun_path, b->path, strlen(b->path) + 1);
	b->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(b->lfd >= 0 && bind(b->lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	      listen(b->lfd, 1) == 0, "bridge socket %s: %s", b->path,
	      strerror(errno));
	CHECK(pthread_create(&b->thread, NULL, bridge_run, b) == 0,
	      "pthread_create");
	pthread_detach(b->thread);
	return path;            /* b is the thread's now */
}
