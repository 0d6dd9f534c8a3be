// SPDX-License-Identifier: MIT
/*
 * Whole client-to-server RFB streams into a libvncserver screen set up the
 * way porthole-display sets it up (32-bit framebuffer, no authentication),
 * over a socketpair: version, security choice and ClientInit are sent
 * right, then the fuzzer's bytes follow as the client's messages
 * (SetPixelFormat, SetEncodings, FramebufferUpdateRequest, KeyEvent,
 * PointerEvent, ClientCutText, QEMU and other extensions, garbage). The
 * library is Debian's and not instrumented; ASan's interceptors and the
 * server's own replies still catch crashes, bad frees and overruns.
 */
#include "rfbmsg.h"

#include <rfb/rfb.h>
#include <rfb/rfbregion.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_key(rfbBool down, rfbKeySym key, rfbClientPtr cl)
{
	(void)down; (void)key; (void)cl;
}

static void on_ptr(int mask, int x, int y, rfbClientPtr cl)
{
	(void)mask; (void)x; (void)y; (void)cl;
}

/* As display/vnc_input.c's update_request and vnc_new_client. */
static void update_request(rfbClientPtr cl, rfbFramebufferUpdateRequestMsg *m)
{
	rfb_fur_sanitize(&m->incremental, &m->x, &m->y, &m->w, &m->h,
			 cl->screen->width, cl->screen->height);
}

static enum rfbNewClientAction new_client(rfbClientPtr cl)
{
	cl->clientFramebufferUpdateRequestHook = update_request;
	return RFB_CLIENT_ACCEPT;
}

static void quiet(const char *fmt, ...)
{
	(void)fmt;
}

static void drain(int fd)
{
	char buf[65536];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static rfbScreenInfoPtr screen;
	static const uint8_t hello[] = "RFB 003.008\n\x01\x01";
	int sv[2];
	rfbClientPtr cl;

	if (!screen) {
		int argc = 0;

		rfbLog = quiet;
		rfbErr = quiet;
		screen = rfbGetScreen(&argc, NULL, 64, 48, 8, 3, 4);
		screen->frameBuffer = calloc(64 * 48, 4);
		screen->kbdAddEvent = on_key;
		screen->ptrAddEvent = on_ptr;
		screen->newClientHook = new_client;
		screen->autoPort = FALSE;
		screen->port = screen->ipv6port = 0;
		screen->httpPort = 0;
		rfbInitServer(screen);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		abort();
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	/* Handshake as a well-behaved client, then the input. Written before
	 * the client exists: libvncserver then sees bytes at once instead of
	 * waiting 100 ms for a WebSocket GET that never comes. */
	if (write(sv[1], hello, sizeof(hello) - 1) != sizeof(hello) - 1)
		abort();
	if (size && write(sv[1], data, size > 60000 ? 60000 : size) < 0)
		abort();
	shutdown(sv[1], SHUT_WR);
	cl = rfbNewClient(screen, sv[0]);
	if (!cl) {
		close(sv[1]);
		return 0;
	}
	for (int i = 0; i < 256 && cl->sock >= 0; i++) {
		drain(sv[1]);
		rfbProcessClientMessage(cl);
		if (cl->state == RFB_NORMAL && sraRgnEmpty(cl->requestedRegion) == FALSE)
			rfbSendFramebufferUpdate(cl, cl->modifiedRegion);
	}
	drain(sv[1]);
	rfbClientConnectionGone(cl);
	close(sv[1]);
	return 0;
}
