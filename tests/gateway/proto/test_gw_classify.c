// SPDX-License-Identifier: MIT
/*
 * gw_classify: every row of docs/gateway.md's table, the 0x16 ambiguity
 * between TLS and an RDP preconnection PDU, and the promise that matters
 * to the caller: with any prefix the answer is NEED_MORE or the final one,
 * and GW_CLASSIFY_MAX bytes always decide.
 */
#include "check.h"
#include "classify.h"

#include <string.h>

struct row {
	const char *what;
	uint8_t b[32];
	size_t n;
	enum gw_proto want;
};

static const struct row rows[] = {
	/* TLS 1.0..1.3 ClientHellos (record version 3.1; 3.0 and 3.4 too). */
	{ "tls 1.2 hello", { 0x16, 3, 1, 0x02, 0x00, 1, 0, 1, 0xfc, 3, 3 }, 11, GW_PROTO_TLS },
	{ "tls record 3.0", { 0x16, 3, 0, 0x00, 0x40, 1, 0, 0, 0x3c }, 9, GW_PROTO_TLS },
	{ "tls record 3.4", { 0x16, 3, 4, 0x00, 0x40, 1 }, 6, GW_PROTO_TLS },
	{ "tls not hello", { 0x16, 3, 1, 0x00, 0x40, 2 }, 6, GW_PROTO_UNKNOWN },
	{ "tls version 3.5", { 0x16, 3, 5, 0x00, 0x40, 1 }, 6, GW_PROTO_UNKNOWN },
	{ "tls major 2", { 0x16, 2, 0, 0x00, 0x40, 1 }, 6, GW_PROTO_UNKNOWN },
	{ "tls length 0", { 0x16, 3, 1, 0x00, 0x00, 1 }, 6, GW_PROTO_UNKNOWN },
	{ "tls length huge", { 0x16, 3, 1, 0xff, 0xff, 1 }, 6, GW_PROTO_UNKNOWN },
	{ "tls alert", { 0x15, 3, 1, 0x00, 0x02, 2, 40 }, 7, GW_PROTO_UNKNOWN },
	/* mstsc / FreeRDP: TPKT, X.224 CR with a cookie. */
	{ "rdp cr", { 3, 0, 0, 0x2b, 0x26, 0xe0, 0, 0, 0, 0, 0, 'C', 'o', 'o', 'k', 'i' },
	  16, GW_PROTO_RDP },
	{ "rdp cr minimal", { 3, 0, 0, 11, 6, 0xe0, 0, 0, 0, 0, 0 }, 11, GW_PROTO_RDP },
	{ "rdp cc not cr", { 3, 0, 0, 11, 6, 0xd0, 0, 0, 0, 0, 0 }, 11, GW_PROTO_UNKNOWN },
	{ "rdp tpkt short", { 3, 0, 0, 10, 5, 0xe0, 0, 0, 0, 0 }, 10, GW_PROTO_UNKNOWN },
	{ "rdp tpkt huge", { 3, 0, 0xff, 0xff, 6, 0xe0 }, 6, GW_PROTO_UNKNOWN },
	{ "rdp li too long", { 3, 0, 0, 11, 7, 0xe0 }, 6, GW_PROTO_UNKNOWN },
	{ "rdp reserved", { 3, 1, 0, 11, 6, 0xe0 }, 6, GW_PROTO_UNKNOWN },
	/* Preconnection PDUs: v1 (16 bytes), v2, and cbSize 0x16 (like TLS). */
	{ "pcb v1", { 16, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0 }, 16, GW_PROTO_RDP_PCB },
	{ "pcb v2", { 0x2a, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 12, 0 }, 18,
	  GW_PROTO_RDP_PCB },
	{ "pcb cbsize 0x16", { 0x16, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0 }, 16,
	  GW_PROTO_RDP_PCB },
	{ "pcb cbsize 0x316", { 0x16, 3, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0 }, 12, GW_PROTO_RDP_PCB },
	{ "pcb cbsize 64k", { 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0 }, 12, GW_PROTO_RDP_PCB },
	{ "pcb cbsize 64k+1", { 1, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0 }, 12, GW_PROTO_UNKNOWN },
	{ "pcb cbsize 15", { 15, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0 }, 12, GW_PROTO_UNKNOWN },
	{ "pcb flags", { 16, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0 }, 12, GW_PROTO_UNKNOWN },
	{ "pcb version 3", { 16, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0 }, 12, GW_PROTO_UNKNOWN },
	{ "pcb version 0x101", { 16, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0 }, 12, GW_PROTO_UNKNOWN },
	/* HTTP request lines. */
	{ "get", "GET / HTTP/1.1\r\n", 16, GW_PROTO_HTTP },
	{ "head", "HEAD / HTTP/1.1\r\n", 17, GW_PROTO_HTTP },
	{ "post", "POST /api/login HTTP/1.1\r\n", 26, GW_PROTO_HTTP },
	{ "put", "PUT /x HTTP/1.1\r\n", 17, GW_PROTO_HTTP },
	{ "delete", "DELETE /x HTTP/1.1\r\n", 20, GW_PROTO_HTTP },
	{ "options", "OPTIONS * HTTP/1.1\r\n", 20, GW_PROTO_HTTP },
	{ "patch", "PATCH /x HTTP/1.1\r\n", 19, GW_PROTO_HTTP },
	{ "connect", "CONNECT vm:5900 HTTP/1.1\r\n", 26, GW_PROTO_HTTP },
	{ "lower case", "get / HTTP/1.1\r\n", 16, GW_PROTO_UNKNOWN },
	{ "unknown method", "BREW /pot HTTP/1.1\r\n", 20, GW_PROTO_UNKNOWN },
	{ "no space", "GET/ HTTP/1.1\r\n", 15, GW_PROTO_UNKNOWN },
	{ "method prefix", "GETS / HTTP/1.1\r\n", 17, GW_PROTO_UNKNOWN },
	/* Others: an SSH banner, an RFB client version (a client that talks
	 * first is not VNC), a SPICE link message, nothing useful. */
	{ "ssh", "SSH-2.0-OpenSSH_9.2\r\n", 21, GW_PROTO_UNKNOWN },
	{ "rfb", "RFB 003.008\n", 12, GW_PROTO_UNKNOWN },
	{ "spice", "REDQ\x02\0\0\0\x02\0\0\0", 12, GW_PROTO_UNKNOWN },
	{ "zeros", { 0 }, 16, GW_PROTO_UNKNOWN },
};

/* With every prefix of b: NEED_MORE or the full answer, never another. */
static void check_prefixes(const char *what, const uint8_t *b, size_t n, enum gw_proto final)
{
	size_t i;

	for (i = 0; i <= n; i++) {
		enum gw_proto p = gw_classify(b, i);

		CHECK(p == GW_PROTO_NEED_MORE || p == final,
		      "%s: %zu bytes say %s, all say %s", what, i, gw_proto_name(p),
		      gw_proto_name(final));
		if (i >= GW_CLASSIFY_MAX)
			CHECK(p != GW_PROTO_NEED_MORE, "%s: %zu bytes undecided", what, i);
	}
}

static void test_rows(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		enum gw_proto p = gw_classify(r->b, r->n);

		CHECK(p == r->want, "%s: got %s, want %s", r->what, gw_proto_name(p),
		      gw_proto_name(r->want));
		check_prefixes(r->what, r->b, r->n, p);
	}
}

/* The first byte 0x16 decides nothing; byte 1 does. */
static void test_0x16(void)
{
	const uint8_t tls[] = { 0x16, 3, 1, 0x02, 0x00, 1 };
	const uint8_t pcb[] = { 0x16, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0 };
	size_t i;

	CHECK(gw_classify(tls, 1) == GW_PROTO_NEED_MORE, "0x16 alone decided");
	for (i = 1; i < sizeof(tls); i++)
		CHECK(gw_classify(tls, i) == GW_PROTO_NEED_MORE, "tls decided at %zu", i);
	CHECK(gw_classify(tls, sizeof(tls)) == GW_PROTO_TLS, "tls");
	for (i = 1; i < sizeof(pcb); i++)
		CHECK(gw_classify(pcb, i) == GW_PROTO_NEED_MORE, "pcb decided at %zu", i);
	CHECK(gw_classify(pcb, sizeof(pcb)) == GW_PROTO_RDP_PCB, "pcb");
}

/* HTTP: NEED_MORE exactly while the bytes are a prefix of "METHOD ". */
static void test_http_prefixes(void)
{
	CHECK(gw_classify((const uint8_t *)"G", 1) == GW_PROTO_NEED_MORE, "G");
	CHECK(gw_classify((const uint8_t *)"GE", 2) == GW_PROTO_NEED_MORE, "GE");
	CHECK(gw_classify((const uint8_t *)"GET", 3) == GW_PROTO_NEED_MORE, "GET");
	CHECK(gw_classify((const uint8_t *)"GET ", 4) == GW_PROTO_HTTP, "GET SP");
	CHECK(gw_classify((const uint8_t *)"P", 1) == GW_PROTO_NEED_MORE, "P");
	CHECK(gw_classify((const uint8_t *)"PU", 2) == GW_PROTO_NEED_MORE, "PU");
	/* Two bytes could still start a preconnection PDU's cbSize. */
	CHECK(gw_classify((const uint8_t *)"PX", 2) == GW_PROTO_NEED_MORE, "PX");
	CHECK(gw_classify((const uint8_t *)"PXY", 3) == GW_PROTO_UNKNOWN, "PXY");
	CHECK(gw_classify((const uint8_t *)"CONNECT", 7) == GW_PROTO_NEED_MORE, "CONNECT");
	CHECK(gw_classify((const uint8_t *)"X", 1) == GW_PROTO_NEED_MORE, "X");
	CHECK(gw_classify((const uint8_t *)"XYZ", 3) == GW_PROTO_UNKNOWN, "XYZ");
	CHECK(gw_classify(NULL, 0) == GW_PROTO_NEED_MORE, "nothing");
}

/* Every 2-byte start, padded to 16 bytes of several fills: decided, and
 * consistent over prefixes. A cheap exhaustive sweep over the first bytes,
 * where the probes part ways. */
static void test_sweep(void)
{
	static const uint8_t fills[] = { 0x00, 0x01, 0x03, 0x20, 0xe0, 0xff };
	uint8_t b[GW_CLASSIFY_MAX + 4];
	unsigned a, c, f;

	for (a = 0; a < 256; a++)
		for (c = 0; c < 256; c++)
			for (f = 0; f < sizeof(fills); f++) {
				memset(b, fills[f], sizeof(b));
				b[0] = (uint8_t)a;
				b[1] = (uint8_t)c;
				check_prefixes("sweep", b, sizeof(b),
					       gw_classify(b, sizeof(b)));
			}
}

static void test_names(void)
{
	CHECK(!strcmp(gw_proto_name(GW_PROTO_TLS), "tls"), "tls name");
	CHECK(!strcmp(gw_proto_name(GW_PROTO_RDP), "rdp"), "rdp name");
	CHECK(!strcmp(gw_proto_name(GW_PROTO_RDP_PCB), "rdp-pcb"), "pcb name");
	CHECK(!strcmp(gw_proto_name(GW_PROTO_HTTP), "http"), "http name");
	CHECK(!strcmp(gw_proto_name(GW_PROTO_UNKNOWN), "unknown"), "unknown name");
	CHECK(!strcmp(gw_proto_name(GW_PROTO_NEED_MORE), "need-more"), "need-more name");
	CHECK(!strcmp(gw_proto_name((enum gw_proto)99), "unknown"), "out of range");
}

int main(void)
{
	test_rows();
	test_0x16();
	test_http_prefixes();
	test_sweep();
	test_names();
	printf("gw_proto_classify: ok\n");
	return 0;
}
