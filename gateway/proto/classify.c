// SPDX-License-Identifier: MIT
/*
 * Protocol probes for the gateway's one port, in the manner of sslh's
 * probe.c: each probe looks at the bytes so far and says yes, no, or "not
 * enough yet". The table is tried in order and an answer is given only
 * once every earlier probe has said no, so the answer with n bytes is
 * either NEED_MORE or the same one any longer prefix would get: a
 * connection is never classified twice.
 */
#include "classify.h"

#include <string.h>

enum probe_result { PROBE_NO, PROBE_YES, PROBE_MORE };

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/*
 * A TLS record header (type 22 handshake, version 3.0 to 3.4, a length a
 * ClientHello can have) and the first handshake byte, ClientHello (1).
 */
#define TLS_RECORD_MAX (16384 + 2048)   /* RFC 8446's ceiling with expansion */
#define TLS_MIN_HELLO  4                 /* the handshake header alone */

static enum probe_result probe_tls(const uint8_t *b, size_t n)
{
	if (n >= 1 && b[0] != 0x16)
		return PROBE_NO;
	if (n >= 2 && b[1] != 3)
		return PROBE_NO;
	if (n >= 3 && b[2] > 4)
		return PROBE_NO;
	if (n >= 5) {
		uint16_t len = be16(b + 3);

		if (len < TLS_MIN_HELLO || len > TLS_RECORD_MAX)
			return PROBE_NO;
	}
	if (n < 6)
		return PROBE_MORE;
	return b[5] == 1 ? PROBE_YES : PROBE_NO;
}

/*
 * TPKT (version 3, reserved 0, u16 BE length) carrying an X.224
 * Connection Request: length indicator (the TPDU's header length, at least
 * the CR's fixed 6 bytes and within the TPKT), then the CR code 0xE in the
 * upper nibble.
 */
#define TPKT_MIN 11
#define TPKT_MAX 4096     /* a CR with cookie and negotiation is < 300 bytes */

static enum probe_result probe_rdp(const uint8_t *b, size_t n)
{
	if (n >= 1 && b[0] != 3)
		return PROBE_NO;
	if (n >= 2 && b[1] != 0)
		return PROBE_NO;
	if (n >= 4) {
		uint16_t len = be16(b + 2);

		if (len < TPKT_MIN || len > TPKT_MAX)
			return PROBE_NO;
		if (n >= 5 && (b[4] < 6 || (size_t)b[4] + 5 > len))
			return PROBE_NO;
	}
	if (n < 6)
		return PROBE_MORE;
	return (b[5] & 0xf0) == 0xe0 ? PROBE_YES : PROBE_NO;
}

/*
 * RDP preconnection PDU ([MS-RDPEPS] 2.2.1.1): cbSize, Flags (0), Version
 * (1 or 2), all u32 LE. A cbSize of 0x16 starts like TLS: byte 1 tells
 * them apart (TLS has 3). A cbSize of 0x316 gives "16 03 00 00 00", which
 * the TLS probe refuses for its record length of 0.
 */
#define PCB_MIN 16            /* PRECONNECTION_PDU_V1 */
#define PCB_MAX (64 * 1024)

static enum probe_result probe_rdp_pcb(const uint8_t *b, size_t n)
{
	size_t i;

	if (n >= 4) {
		uint32_t cb = le32(b);

		if (cb < PCB_MIN || cb > PCB_MAX)
			return PROBE_NO;
	} else if (n >= 3 && b[2] > 1) {
		return PROBE_NO;   /* cbSize >= 2^17, whatever byte 3 is */
	}
	/* Flags 0, then Version 1 or 2: bytes 4..11 are 0 0 0 0 v 0 0 0. */
	for (i = 4; i < n && i < 12; i++) {
		if (i == 8 ? b[i] != 1 && b[i] != 2 : b[i] != 0)
			return PROBE_NO;
	}
	return n >= 12 ? PROBE_YES : PROBE_MORE;
}

/* An HTTP/1.x request line: a known method, upper case, then a space. */
static const char *const http_methods[] = {
	"GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ",
	"CONNECT ",
};

static enum probe_result probe_http(const uint8_t *b, size_t n)
{
	enum probe_result r = PROBE_NO;
	size_t i;

	for (i = 0; i < sizeof(http_methods) / sizeof(http_methods[0]); i++) {
		size_t mlen = strlen(http_methods[i]);

		if (n >= mlen && memcmp(b, http_methods[i], mlen) == 0)
			return PROBE_YES;
		if (n < mlen && memcmp(b, http_methods[i], n) == 0)
			r = PROBE_MORE;
	}
	return r;
}

static const struct probe {
	enum gw_proto proto;
	const char *name;
	enum probe_result (*probe)(const uint8_t *b, size_t n);
} probes[] = {
	{ GW_PROTO_TLS, "tls", probe_tls },
	{ GW_PROTO_RDP, "rdp", probe_rdp },
	{ GW_PROTO_RDP_PCB, "rdp-pcb", probe_rdp_pcb },
	{ GW_PROTO_HTTP, "http", probe_http },
};

#define N_PROBES (sizeof(probes) / sizeof(probes[0]))

enum gw_proto gw_classify(const uint8_t *buf, size_t len)
{
	size_t i;

	if (len == 0)
		return GW_PROTO_NEED_MORE;
	if (len > GW_CLASSIFY_MAX)
		len = GW_CLASSIFY_MAX;
	for (i = 0; i < N_PROBES; i++) {
		switch (probes[i].probe(buf, len)) {
		case PROBE_YES:
			return probes[i].proto;
		case PROBE_MORE:
			return GW_PROTO_NEED_MORE;
		case PROBE_NO:
			break;
		}
	}
	return GW_PROTO_UNKNOWN;
}

const char *gw_proto_name(enum gw_proto p)
{
	size_t i;

	for (i = 0; i < N_PROBES; i++)
		if (probes[i].proto == p)
			return probes[i].name;
	if (p == GW_PROTO_NEED_MORE)
		return "need-more";
	return "unknown";
}
