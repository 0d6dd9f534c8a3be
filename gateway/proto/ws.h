/* SPDX-License-Identifier: MIT */
/*
 * The server side of RFC 6455 for the gateway: the upgrade checks
 * (Origin included) and a frame codec on Debian's wslay, driven by
 * buffers so the connection code owns all I/O. Binary messages carry the
 * relayed protocol (RFB for noVNC). Fuzzed by tests/fuzz/fuzz_gw_ws.c.
 */
#ifndef PORTHOLE_GW_WS_H
#define PORTHOLE_GW_WS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "http.h"

#define GW_WS_MAX_MESSAGE (1 << 20)   /* a bigger message closes with 1009 */
/* The most bytes of frames gw_ws holds for the peer. The relay's
 * back-pressure (docs/gateway.md: 256 KiB) keeps far below it; reaching
 * it means a peer that sends pings and never reads, or a caller that
 * ignores gw_ws_queued: gw_ws_send refuses, gw_ws_feed fails. (The
 * pongs of the last read, a few KiB, may go past it.) */
#define GW_WS_MAX_QUEUED  (4 << 20)

/*
 * Checks an upgrade request: GET, Upgrade: websocket, Connection: upgrade,
 * Sec-WebSocket-Version: 13, a 16-byte base64 Sec-WebSocket-Key, and an
 * Origin whose host[:port] equals the request's Host (a page from another
 * site may not open a console with the user's cookie). On success writes
 * the full "101 Switching Protocols" answer into out and returns its
 * length (echoing "binary" if the client offered that subprotocol).
 * Otherwise -1, with *status (400, 403, 426) and a reason for the log.
 */
ssize_t gw_ws_accept(const struct gw_http_req *r, char *out, size_t outlen,
		     int *status, const char **reason);

struct gw_ws;

struct gw_ws_ops {
	/* A whole binary (or text) message from the peer. Return 0 to go on;
	 * non-zero stops the codec (gw_ws_feed then returns -1). */
	int (*message)(void *arg, const uint8_t *data, size_t len);
	/* The peer closed (code, 1000 normal; 1005 when its close frame had
	 * no code), or a protocol error (code 1002/1007/1009): the codec has
	 * queued its close frame. Called once. */
	void (*closed)(void *arg, uint16_t code);
};

struct gw_ws *gw_ws_new(const struct gw_ws_ops *ops, void *arg);
void gw_ws_free(struct gw_ws *ws);

/* Bytes from the peer. Returns how many were consumed (all of them: after
 * a close, what follows is ignored), or -1 when a message handler stopped
 * the codec, on a fatal error (out of memory), or when the peer's pongs
 * filled the queue (GW_WS_MAX_QUEUED): then drop the connection. The ops
 * are called from inside gw_ws_feed only. */
ssize_t gw_ws_feed(struct gw_ws *ws, const uint8_t *buf, size_t len);
/* Queues data as one binary message (unmasked, as a server sends). 0, or
 * -1 after a close, or when it would take the queue past
 * GW_WS_MAX_QUEUED. */
int gw_ws_send(struct gw_ws *ws, const uint8_t *data, size_t len);
/* Moves up to outlen bytes of queued frames (pings, pongs and close
 * included) into out: what to write to the peer. Returns the count. */
size_t gw_ws_pending(struct gw_ws *ws, uint8_t *out, size_t outlen);
/* Bytes queued and not yet taken by gw_ws_pending: the back-pressure
 * measure. */
size_t gw_ws_queued(const struct gw_ws *ws);
/* Queues a close frame; after it, nothing more is sent. */
void gw_ws_close(struct gw_ws *ws, uint16_t code);
/* 1 once both sides sent close frames (or after an error): the connection
 * can go once gw_ws_pending is empty. */
int gw_ws_done(const struct gw_ws *ws);

#endif
