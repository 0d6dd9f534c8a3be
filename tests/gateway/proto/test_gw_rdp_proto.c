// SPDX-License-Identifier: MIT
/*
 * gateway/proto/rdp.c: the preconnection PDU and X.224 Connection Request
 * as xfreerdp 2.11 really sends them (captured from `xfreerdp FILE.rdp` with
 * a file `porthole ticket --rdp` wrote), as mstsc's documented forms build
 * them (cookie, routing token, correlation info), every prefix of each
 * (NEED_MORE, never a wrong answer), and each way of being malformed.
 */
#include "check.h"
#include "../../../gateway/proto/rdp.h"

#include <string.h>

/* xfreerdp: PCB v2 (cchPCB counts two NULs), then a CR with a mstshash
 * cookie and RDP_NEG_REQ asking for TLS only (enablecredsspsupport:i:0). */
static const char xfreerdp_ticket[] =
	"p1.AQAAAABrAZcbg6-irZ7SqlzWu1n0nTTY6AVhbGljZQRkZW1v."
	"J6XwA0xqvG6R2Xhk4j2_HpqVvNKc0MFUlmAAexVIy0s";

static size_t put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	return 2;
}

static size_t put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return 4;
}

/* A preconnection PDU: version 1 (blob ignored) or 2 with blob and nuls
 * terminating NULs counted in cchPCB. */
static size_t pcb(uint8_t *out, uint32_t version, const char *blob, int nuls)
{
	size_t n = 0, chars = blob ? strlen(blob) + (size_t)nuls : 0;

	n += put_le32(out + n, version == 1 ? 16 : (uint32_t)(18 + 2 * chars));
	n += put_le32(out + n, 0);
	n += put_le32(out + n, version);
	n += put_le32(out + n, 7);
	if (version == 1)
		return n;
	n += put_le16(out + n, (uint16_t)chars);
	for (size_t i = 0; i < chars; i++)
		n += put_le16(out + n, blob && i < strlen(blob) ? (uint8_t)blob[i] : 0);
	return n;
}

/* A Connection Request: line (NULL: none) + CR LF, RDP_NEG_REQ when
 * protocols >= 0, correlation info when corr. */
static size_t cr(uint8_t *out, const char *line, long protocols, int corr)
{
	size_t n = 11;

	memset(out, 0, 11);
	out[0] = 3;
	out[5] = 0xe0;
	if (line) {
		memcpy(out + n, line, strlen(line));
		n += strlen(line);
		out[n++] = '\r';
		out[n++] = '\n';
	}
	if (protocols >= 0) {
		out[n++] = 1;
		out[n++] = corr ? 0x08 : 0;
		n += put_le16(out + n, 8);
		n += put_le32(out + n, (uint32_t)protocols);
		if (corr) {
			out[n++] = 6;
			out[n++] = 0;
			n += put_le16(out + n, 36);
			for (int i = 0; i < 32; i++)
				out[n++] = (uint8_t)(0x40 + i);
		}
	}
	out[2] = (uint8_t)(n >> 8);
	out[3] = (uint8_t)n;
	out[4] = (uint8_t)(n - 5);
	return n;
}

/* Every proper prefix says NEED_MORE (or BAD early for a bad message),
 * the whole says want, and a longer buffer changes nothing. */
static void cr_expect(const char *what, const uint8_t *b, size_t n, enum gw_rdp_parse want,
		      struct gw_rdp_cr *out)
{
	uint8_t more[600];
	struct gw_rdp_cr c;

	for (size_t i = 0; i < n; i++) {
		enum gw_rdp_parse r = gw_rdp_parse_cr(b, i, &c);

		CHECK(r == GW_RDP_NEED_MORE || (want == GW_RDP_BAD && r == GW_RDP_BAD),
		      "%s: %zu of %zu bytes: %d", what, i, n, r);
	}
	CHECK(gw_rdp_parse_cr(b, n, out) == want, "%s: whole: not %d", what, want);
	memcpy(more, b, n);
	memset(more + n, 0xab, 40);
	CHECK(gw_rdp_parse_cr(more, n + 40, &c) == want, "%s: with bytes after it", what);
	if (want == GW_RDP_OK)
		CHECK(out->len == n && c.len == n, "%s: len %zu, want %zu", what, out->len, n);
}

static void pcb_expect(const char *what, const uint8_t *b, size_t n, enum gw_rdp_parse want,
		       struct gw_rdp_pcb *out)
{
	static struct gw_rdp_pcb p;

	for (size_t i = 0; i < n; i++) {
		enum gw_rdp_parse r = gw_rdp_parse_pcb(b, i, &p);

		CHECK(r == GW_RDP_NEED_MORE || (want == GW_RDP_BAD && r == GW_RDP_BAD),
		      "%s: %zu of %zu bytes: %d", what, i, n, r);
	}
	CHECK(gw_rdp_parse_pcb(b, n, out) == want, "%s: whole: not %d", what, want);
	if (want == GW_RDP_OK)
		CHECK(out->len == n, "%s: len %zu, want %zu", what, out->len, n);
}

static void test_xfreerdp(void)
{
	static struct gw_rdp_pcb p;
	uint8_t b[512];
	struct gw_rdp_cr c;
	size_t n = pcb(b, 2, xfreerdp_ticket, 2), m;

	/* The captured bytes, as xfreerdp 2.11 laid them out. */
	CHECK(n == 0xd4 && b[0] == 0xd4 && b[16] == 97, "PCB: %zu bytes", n);
	pcb_expect("xfreerdp pcb", b, n, GW_RDP_OK, &p);
	CHECK(p.version == 2 && p.id == 7 && !p.non_ascii &&
	      strcmp(p.blob, xfreerdp_ticket) == 0, "blob '%s'", p.blob);
	m = cr(b + n, "Cookie: mstshash=alice", 1, 0);
	CHECK(m == 0x2b, "CR: %zu bytes", m);
	cr_expect("xfreerdp cr", b + n, m, GW_RDP_OK, &c);
	CHECK(c.line == GW_RDP_LINE_COOKIE && strcmp(c.text, "alice") == 0 && c.has_neg &&
	      c.protocols == GW_RDP_PROTOCOL_SSL && c.neg_flags == 0, "cookie '%s'", c.text);
}

static void test_cr_forms(void)
{
	uint8_t b[600];
	struct gw_rdp_cr c;
	char vm[33];
	size_t n;

	/* mstsc 8.1+: cookie, TLS | CredSSP, correlation info. */
	n = cr(b, "Cookie: mstshash=Administr", 0x0b, 1);
	cr_expect("mstsc", b, n, GW_RDP_OK, &c);
	CHECK(c.line == GW_RDP_LINE_COOKIE && c.protocols == 0x0b && c.neg_flags == 8, "mstsc");
	/* The routing token, as load balancers write it; any line parses. */
	n = cr(b, "Cookie: msts=porthole:demo", 3, 0);
	cr_expect("token", b, n, GW_RDP_OK, &c);
	CHECK(c.line == GW_RDP_LINE_TOKEN && strcmp(c.text, "Cookie: msts=porthole:demo") == 0,
	      "token");
	CHECK(gw_rdp_token_vm(c.text, vm) == 0 && strcmp(vm, "demo") == 0, "vm '%s'", vm);
	n = cr(b, "porthole:demo", 3, 0);
	cr_expect("bare token", b, n, GW_RDP_OK, &c);
	CHECK(c.line == GW_RDP_LINE_TOKEN && gw_rdp_token_vm(c.text, vm) < 0,
	      "a bare porthole:VM is not a token FreeRDP's server reads");
	CHECK(gw_rdp_token_vm("Cookie: msts=porthole:web-1  ", vm) == 0 &&
	      strcmp(vm, "web-1") == 0, "trailing spaces: '%s'", vm);
	CHECK(gw_rdp_token_vm("Cookie: msts=PortHole:x", vm) == 0 && strcmp(vm, "x") == 0,
	      "case");
	CHECK(gw_rdp_token_vm("tsv://MS Terminal Services Plugin.1.Sessions", vm) < 0, "tsv");
	CHECK(gw_rdp_token_vm("Cookie: msts=3640205228.15629.0000", vm) < 0, "an IP token");
	CHECK(gw_rdp_token_vm("Cookie: msts=porthole:", vm) < 0, "empty vm");
	CHECK(gw_rdp_token_vm("Cookie: msts=porthole:0123456789012345678901234567890123",
			      vm) < 0, "33 bytes");
	/* No line; no negotiation at all (standard RDP security). */
	n = cr(b, NULL, 1, 0);
	cr_expect("neg only", b, n, GW_RDP_OK, &c);
	CHECK(c.line == GW_RDP_LINE_NONE && c.has_neg && c.protocols == 1, "neg only");
	n = cr(b, NULL, -1, 0);
	cr_expect("bare", b, n, GW_RDP_OK, &c);
	CHECK(!c.has_neg && c.protocols == GW_RDP_PROTOCOL_RDP, "bare");
	n = cr(b, "Cookie: mstshash=bob", 0, 0);
	cr_expect("rdp security", b, n, GW_RDP_OK, &c);
	CHECK(c.has_neg && c.protocols == 0, "PROTOCOL_RDP");
	/* The longest line the length indicator allows. */
	{
		char line[GW_RDP_LINE_MAX + 1];

		memset(line, 'x', GW_RDP_LINE_MAX);
		line[GW_RDP_LINE_MAX] = 0;
		n = cr(b, line, -1, 0);
		CHECK(n == GW_RDP_CR_MAX, "%zu", n);
		cr_expect("longest line", b, n, GW_RDP_OK, &c);
		CHECK(strlen(c.text) == GW_RDP_LINE_MAX, "longest line");
	}
}

static void test_cr_bad(void)
{
	uint8_t b[600];
	struct gw_rdp_cr c;
	size_t n;

	n = cr(b, "porthole:demo", 1, 0);
	b[4]++;
	cr_expect("LI", b, n, GW_RDP_BAD, &c);
	n = cr(b, "porthole:demo", 1, 0);
	b[5] = 0xd0;
	cr_expect("CC", b, n, GW_RDP_BAD, &c);
	n = cr(b, "porthole:demo", 1, 0);
	b[1] = 1;
	cr_expect("TPKT reserved", b, n, GW_RDP_BAD, &c);
	memcpy(b, "\x03\x00\x01\x04\xff\xe0", 6);   /* TPKT 260: LI 255 */
	cr_expect("too long", b, 6, GW_RDP_BAD, &c);
	memcpy(b, "\x03\x00\x00\x0a\x05\xe0", 6);
	cr_expect("too short", b, 6, GW_RDP_BAD, &c);
	/* A line without CR LF, with a control byte, with a lone CR. */
	n = cr(b, "porthole:demo", -1, 0);
	b[n - 1] = 'x';
	cr_expect("no CRLF", b, n, GW_RDP_BAD, &c);
	n = cr(b, "porthole:\x7f" "demo", -1, 0);
	cr_expect("DEL", b, n, GW_RDP_BAD, &c);
	n = cr(b, "Cookie: mstshash=a\rb", 1, 0);
	cr_expect("lone CR", b, n, GW_RDP_BAD, &c);
	/* Negotiation: wrong type, length, trailing bytes, correlation. */
	n = cr(b, NULL, 1, 0);
	b[11] = 2;
	cr_expect("neg type", b, n, GW_RDP_BAD, &c);
	n = cr(b, NULL, 1, 0);
	b[13] = 9;
	cr_expect("neg length", b, n, GW_RDP_BAD, &c);
	n = cr(b, NULL, 1, 0);
	b[n++] = 0;
	b[3]++;
	b[4]++;
	cr_expect("byte after neg", b, n, GW_RDP_BAD, &c);
	n = cr(b, NULL, 1, 0);
	b[12] = 0x08;
	cr_expect("correlation flag, no info", b, n, GW_RDP_BAD, &c);
	n = cr(b, NULL, 1, 1);
	b[n - 36 + 2] = 35;
	cr_expect("correlation length", b, n, GW_RDP_BAD, &c);
	n = cr(b, NULL, 1, 1);
	b[n - 36 + 1] = 1;
	cr_expect("correlation flags", b, n, GW_RDP_BAD, &c);
	/* Two lines: the second is not RDP_NEG_REQ. */
	n = cr(b, "porthole:demo\r\nCookie: mstshash=a", 1, 0);
	cr_expect("two lines", b, n, GW_RDP_BAD, &c);
}

static void test_pcb(void)
{
	static struct gw_rdp_pcb p;
	uint8_t b[4096];
	size_t n;
	char big[GW_RDP_PCB_CHARS_MAX + 2];

	n = pcb(b, 1, NULL, 0);
	pcb_expect("v1", b, n, GW_RDP_OK, &p);
	CHECK(p.version == 1 && p.blob[0] == 0 && p.id == 7, "v1");
	n = pcb(b, 2, NULL, 0);
	pcb_expect("v2 without string", b, n, GW_RDP_OK, &p);
	CHECK(p.blob[0] == 0, "v2 empty");
	n = pcb(b, 2, "p1.abc", 0);
	pcb_expect("v2 no NUL", b, n, GW_RDP_OK, &p);
	CHECK(strcmp(p.blob, "p1.abc") == 0, "no NUL: '%s'", p.blob);
	/* After the first NUL nothing counts. */
	n = pcb(b, 2, "p1.abc", 3);
	b[18 + 2 * 7] = 'z';
	pcb_expect("v2 after NUL", b, n, GW_RDP_OK, &p);
	CHECK(strcmp(p.blob, "p1.abc") == 0, "after NUL: '%s'", p.blob);
	n = pcb(b, 2, "p1.x", 1);
	b[18 + 2] = 0xe9;   /* U+00E9 */
	pcb_expect("non-ascii", b, n, GW_RDP_OK, &p);
	CHECK(p.non_ascii && strcmp(p.blob, "p?.x") == 0, "non-ascii: '%s'", p.blob);
	n = pcb(b, 2, "p1.x", 1);
	b[18 + 2] = 0x0a;
	pcb_expect("control", b, n, GW_RDP_OK, &p);
	CHECK(p.non_ascii, "control");
	memset(big, 'a', GW_RDP_PCB_CHARS_MAX);
	big[GW_RDP_PCB_CHARS_MAX] = 0;
	n = pcb(b, 2, big, 0);
	pcb_expect("longest", b, n, GW_RDP_OK, &p);
	CHECK(strlen(p.blob) == GW_RDP_PCB_CHARS_MAX, "longest");
	big[GW_RDP_PCB_CHARS_MAX] = 'a';
	big[GW_RDP_PCB_CHARS_MAX + 1] = 0;
	n = pcb(b, 2, big, 0);
	pcb_expect("too long", b, n, GW_RDP_BAD, &p);
	/* Malformed headers. */
	n = pcb(b, 1, NULL, 0);
	b[4] = 1;
	pcb_expect("flags", b, n, GW_RDP_BAD, &p);
	n = pcb(b, 1, NULL, 0);
	b[8] = 3;
	pcb_expect("version 3", b, n, GW_RDP_BAD, &p);
	n = pcb(b, 1, NULL, 0);
	b[0] = 17;
	b[n++] = 0;
	pcb_expect("v1 of 17 bytes", b, n, GW_RDP_BAD, &p);
	n = pcb(b, 2, "abc", 1);
	b[0] += 2;
	b[n++] = 0;
	b[n++] = 0;
	pcb_expect("cbSize != 18 + 2 cchPCB", b, n, GW_RDP_BAD, &p);
	n = pcb(b, 2, NULL, 0);
	b[0] = 16;
	pcb_expect("v2 of 16 bytes", b, 16, GW_RDP_BAD, &p);
}

static void test_cookie_user(void)
{
	char u[33];

	CHECK(gw_rdp_cookie_user("alice", u) == 0 && strcmp(u, "alice") == 0, "plain");
	CHECK(gw_rdp_cookie_user("CORP\\Alice", u) == 0 && strcmp(u, "alice") == 0, "domain");
	CHECK(gw_rdp_cookie_user("CORP\\", u) < 0, "domain only");
	CHECK(gw_rdp_cookie_user("", u) < 0, "empty");
	CHECK(gw_rdp_cookie_user("0123456789012345678901234567890123", u) < 0, "too long");
}

static void test_neg_failure(void)
{
	static const uint8_t want[GW_RDP_NEG_FAILURE_LEN] = {
		3, 0, 0, 19, 14, 0xd0, 0, 0, 0, 0, 0, 3, 0, 8, 0, 1, 0, 0, 0,
	};
	uint8_t out[GW_RDP_NEG_FAILURE_LEN];

	CHECK(gw_rdp_neg_failure(out, GW_RDP_SSL_REQUIRED_BY_SERVER) == sizeof(out) &&
	      memcmp(out, want, sizeof(out)) == 0, "RDP_NEG_FAILURE bytes");
}

int main(void)
{
	test_xfreerdp();
	test_cr_forms();
	test_cr_bad();
	test_pcb();
	test_cookie_user();
	test_neg_failure();
	printf("gw_proto_rdp: ok\n");
	return 0;
}
