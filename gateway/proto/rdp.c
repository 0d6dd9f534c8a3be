// SPDX-License-Identifier: MIT
/*
 * The preconnection PDU and the X.224 Connection Request, read strictly:
 * every length must agree with the one around it, nothing may follow the
 * last field, and text is printable ASCII. A client that sends anything
 * else is not one the gateway can route, and the display would refuse it
 * anyway.
 */
#include "rdp.h"

#include <string.h>
#include <strings.h>

#define TPKT_HEADER     4
#define X224_CR_FIXED   7      /* LI, CR/CDT, DST-REF, SRC-REF, class */
#define X224_CR         0xe0
#define NEG_REQ         0x01
#define NEG_REQ_LEN     8
#define CORRELATION     0x06
#define CORRELATION_LEN 36
#define CORRELATION_INFO_PRESENT 0x08
#define PCB_V1_LEN      16
#define PCB_V2_MIN      18

static const char cookie_prefix[] = "Cookie: mstshash=";
static const char msts_prefix[] = "Cookie: msts=";
static const char token_prefix[] = "porthole:";

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* --- preconnection PDU --- */

enum gw_rdp_parse gw_rdp_parse_pcb(const uint8_t *b, size_t n, struct gw_rdp_pcb *p)
{
	uint32_t cb, chars;
	size_t i;

	memset(p, 0, sizeof(*p));
	/* Refuse as early as the bytes allow: a peer never waits on a lost cause. */
	if (n >= 4) {
		cb = le32(b);
		if (cb < PCB_V1_LEN || cb > GW_RDP_PCB_MAX)
			return GW_RDP_BAD;
	}
	if (n >= 8 && le32(b + 4) != 0)
		return GW_RDP_BAD;
	if (n >= 12) {
		p->version = le32(b + 8);
		if (p->version != 1 && p->version != 2)
			return GW_RDP_BAD;
		if (p->version == 1 && le32(b) != PCB_V1_LEN)
			return GW_RDP_BAD;
		if (p->version == 2 && le32(b) < PCB_V2_MIN)
			return GW_RDP_BAD;
	}
	if (n >= 18 && p->version == 2 && le32(b) != PCB_V2_MIN + 2u * le16(b + 16))
		return GW_RDP_BAD;
	if (n < 12 || n < le32(b)) {
		memset(p, 0, sizeof(*p));
		return GW_RDP_NEED_MORE;
	}
	p->len = le32(b);
	p->id = le32(b + 12);
	if (p->version == 1)
		return GW_RDP_OK;
	chars = le16(b + 16);
	for (i = 0; i < chars; i++) {
		uint16_t u = le16(b + PCB_V2_MIN + 2 * i);

		if (u == 0)
			break;
		if (u >= 0x20 && u < 0x7f) {
			p->blob[i] = (char)u;
		} else {
			p->blob[i] = '?';
			p->non_ascii = 1;
		}
	}
	p->blob[i] = 0;
	return GW_RDP_OK;
}

/* --- X.224 Connection Request --- */

static int printable(uint8_t c)
{
	return c >= 0x20 && c < 0x7f;
}

/* The line at v[0, n): its length without CR LF in *line_len and with
 * them in *used. 0, or -1 (no CR LF, a byte not printable, too long). */
static int read_line(const uint8_t *v, size_t n, size_t *line_len, size_t *used)
{
	size_t i;

	for (i = 0; i + 1 < n && i <= GW_RDP_LINE_MAX; i++) {
		if (v[i] == '\r' && v[i + 1] == '\n') {
			*line_len = i;
			*used = i + 2;
			return 0;
		}
		if (!printable(v[i]))
			return -1;
	}
	return -1;
}

static enum gw_rdp_parse parse_line(const uint8_t *v, size_t n, struct gw_rdp_cr *cr,
				    size_t *used)
{
	size_t len, skip = 0;

	*used = 0;
	/* RDP_NEG_REQ starts with its type (1): no line can. */
	if (n == 0 || !printable(v[0]))
		return GW_RDP_OK;
	if (read_line(v, n, &len, used))
		return GW_RDP_BAD;
	cr->line = GW_RDP_LINE_TOKEN;
	if (len >= sizeof(cookie_prefix) - 1 &&
	    memcmp(v, cookie_prefix, sizeof(cookie_prefix) - 1) == 0) {
		cr->line = GW_RDP_LINE_COOKIE;
		skip = sizeof(cookie_prefix) - 1;
	}
	memcpy(cr->text, v + skip, len - skip);
	cr->text[len - skip] = 0;
	return GW_RDP_OK;
}

static enum gw_rdp_parse parse_neg(const uint8_t *v, size_t n, struct gw_rdp_cr *cr)
{
	if (n == 0)
		return GW_RDP_OK;
	if (n < NEG_REQ_LEN || v[0] != NEG_REQ || le16(v + 2) != NEG_REQ_LEN)
		return GW_RDP_BAD;
	cr->has_neg = 1;
	cr->neg_flags = v[1];
	cr->protocols = le32(v + 4);
	v += NEG_REQ_LEN;
	n -= NEG_REQ_LEN;
	if (!(cr->neg_flags & CORRELATION_INFO_PRESENT))
		return n == 0 ? GW_RDP_OK : GW_RDP_BAD;
	/* RDP_NEG_CORRELATION_INFO: type, flags 0, length 36, id, reserved. */
	if (n != CORRELATION_LEN || v[0] != CORRELATION || v[1] != 0 ||
	    le16(v + 2) != CORRELATION_LEN)
		return GW_RDP_BAD;
	return GW_RDP_OK;
}

enum gw_rdp_parse gw_rdp_parse_cr(const uint8_t *b, size_t n, struct gw_rdp_cr *cr)
{
	size_t tpkt, used;
	enum gw_rdp_parse r;

	memset(cr, 0, sizeof(*cr));
	if (n >= 1 && b[0] != 3)
		return GW_RDP_BAD;
	if (n >= 2 && b[1] != 0)
		return GW_RDP_BAD;
	if (n < 4)
		return GW_RDP_NEED_MORE;
	tpkt = be16(b + 2);
	if (tpkt < TPKT_HEADER + X224_CR_FIXED || tpkt > GW_RDP_CR_MAX)
		return GW_RDP_BAD;
	/* The length indicator counts the TPDU header after itself: a CR is
	 * all header. */
	if (n >= 5 && b[4] != tpkt - TPKT_HEADER - 1u)
		return GW_RDP_BAD;
	if (n >= 6 && b[5] != X224_CR)
		return GW_RDP_BAD;
	if (n < tpkt)
		return GW_RDP_NEED_MORE;
	b += TPKT_HEADER + X224_CR_FIXED;
	n = tpkt - TPKT_HEADER - X224_CR_FIXED;
	r = parse_line(b, n, cr, &used);
	if (r == GW_RDP_OK)
		r = parse_neg(b + used, n - used, cr);
	if (r != GW_RDP_OK) {
		memset(cr, 0, sizeof(*cr));
		return r;
	}
	cr->len = tpkt;
	return GW_RDP_OK;
}

/* --- what the fields mean to the gateway --- */

int gw_rdp_token_vm(const char *token, char vm[33])
{
	const char *s = token;
	size_t n;

	if (strncmp(s, msts_prefix, sizeof(msts_prefix) - 1))
		return -1;
	s += sizeof(msts_prefix) - 1;
	if (strncasecmp(s, token_prefix, sizeof(token_prefix) - 1))
		return -1;
	s += sizeof(token_prefix) - 1;
	n = strlen(s);
	while (n && s[n - 1] == ' ')
		n--;
	if (n == 0 || n > 32)
		return -1;
	memcpy(vm, s, n);
	vm[n] = 0;
	return 0;
}

int gw_rdp_cookie_user(const char *cookie, char user[33])
{
	const char *s = strrchr(cookie, '\\');
	size_t n, i;

	s = s ? s + 1 : cookie;
	n = strlen(s);
	if (n == 0 || n > 32)
		return -1;
	for (i = 0; i < n; i++)
		user[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
	user[n] = 0;
	return 0;
}

size_t gw_rdp_neg_failure(uint8_t out[GW_RDP_NEG_FAILURE_LEN], uint32_t code)
{
	static const uint8_t head[] = {
		3, 0, 0, GW_RDP_NEG_FAILURE_LEN,    /* TPKT */
		GW_RDP_NEG_FAILURE_LEN - 5, 0xd0,   /* LI, Connection Confirm */
		0, 0, 0, 0, 0,                      /* DST-REF, SRC-REF, class 0 */
		0x03, 0, 8, 0,                      /* RDP_NEG_FAILURE, flags, length */
	};

	memcpy(out, head, sizeof(head));
	out[15] = (uint8_t)code;
	out[16] = (uint8_t)(code >> 8);
	out[17] = (uint8_t)(code >> 16);
	out[18] = (uint8_t)(code >> 24);
	return GW_RDP_NEG_FAILURE_LEN;
}
