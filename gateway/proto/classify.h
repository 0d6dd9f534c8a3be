/* SPDX-License-Identifier: MIT */
/*
 * What a new connection on the gateway's one port speaks, from its first
 * bytes, without consuming any: the caller keeps them and forwards them to
 * whichever handler wins. A native VNC client says nothing until the
 * server greets it, so "VNC" is decided by the caller's silence timer, not
 * here. Table-driven, pure; fuzzed by tests/fuzz/fuzz_gw_classify.c.
 */
#ifndef PORTHOLE_GW_CLASSIFY_H
#define PORTHOLE_GW_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

enum gw_proto {
	GW_PROTO_NEED_MORE,   /* not decided yet: wait for more bytes */
	GW_PROTO_TLS,         /* a TLS handshake record (ClientHello) */
	GW_PROTO_RDP,         /* TPKT + X.224 Connection Request */
	GW_PROTO_RDP_PCB,     /* RDP preconnection PDU (v1 or v2) */
	GW_PROTO_HTTP,        /* an HTTP/1.x request line, CONNECT included */
	GW_PROTO_UNKNOWN,     /* none of these: the caller closes */
};

/* The most bytes gw_classify ever needs before it decides. */
#define GW_CLASSIFY_MAX 16

enum gw_proto gw_classify(const uint8_t *buf, size_t len);
const char *gw_proto_name(enum gw_proto p);   /* "tls", "rdp", ... */

#endif
