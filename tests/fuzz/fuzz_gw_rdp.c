// SPDX-License-Identifier: MIT
/*
 * The gateway's RDP routing parsers (gateway/proto/rdp.h) on any bytes, as
 * the gateway reads them: a preconnection PDU if one parses, then the
 * X.224 Connection Request. Invariants: no read out of bounds; a message
 * that parses needs all its bytes (every shorter prefix is NEED_MORE) and
 * no more (bytes after it change nothing); once a prefix is BAD, every
 * longer one is; fields are bounded and NUL-terminated; text is printable
 * ASCII; the helpers that read the text stay within their buffers.
 */
#include "../../gateway/proto/rdp.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gw_rdp_pcb pcb_tmp;
static struct gw_rdp_cr cr_tmp;

static enum gw_rdp_parse pcb_prefix(const uint8_t *b, size_t n)
{
	return gw_rdp_parse_pcb(b, n, &pcb_tmp);
}

static enum gw_rdp_parse cr_prefix(const uint8_t *b, size_t n)
{
	return gw_rdp_parse_cr(b, n, &cr_tmp);
}

/* The promises about prefixes. Past max (its largest message) a parser's
 * answer cannot change: longer prefixes are not tried, which would make
 * each run quadratic. */
static void check_prefixes(enum gw_rdp_parse (*parse)(const uint8_t *, size_t),
			   const uint8_t *b, size_t n, enum gw_rdp_parse final,
			   size_t whole, size_t max)
{
	int bad = 0;

	for (size_t i = 0; i < n && i <= max; i++) {
		enum gw_rdp_parse r = parse(b, i);

		if (bad && r != GW_RDP_BAD)
			abort();
		bad = r == GW_RDP_BAD;
		if (final == GW_RDP_OK && r != (i < whole ? GW_RDP_NEED_MORE : GW_RDP_OK))
			abort();
	}
	if (bad && final != GW_RDP_BAD)
		abort();
}

static void printable(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap + 1);

	if (n > cap)
		abort();
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			abort();
}

static void check_cr(const uint8_t *b, size_t n)
{
	static struct gw_rdp_cr c;
	enum gw_rdp_parse r = gw_rdp_parse_cr(b, n, &c);
	char out[33];

	check_prefixes(cr_prefix, b, n, r, c.len, GW_RDP_CR_MAX + 1);
	if (r != GW_RDP_OK)
		return;
	if (c.len < 11 || c.len > GW_RDP_CR_MAX || c.len > n ||
	    (c.line == GW_RDP_LINE_NONE && c.text[0]))
		abort();
	printable(c.text, GW_RDP_LINE_MAX);
	if (gw_rdp_token_vm(c.text, out) == 0 && (strlen(out) == 0 || strlen(out) > 32))
		abort();
	if (gw_rdp_cookie_user(c.text, out) == 0 && (strlen(out) == 0 || strlen(out) > 32))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gw_rdp_pcb p;
	enum gw_rdp_parse r;
	uint8_t *buf;

	if (size > GW_RDP_PCB_MAX + GW_RDP_CR_MAX + 64)
		return 0;
	/* A copy of exactly size bytes: ASan sees any read past the end. */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	r = gw_rdp_parse_pcb(buf, size, &p);
	check_prefixes(pcb_prefix, buf, size, r, p.len, GW_RDP_PCB_MAX + 1);
	if (r == GW_RDP_OK) {
		if (p.len < 16 || p.len > GW_RDP_PCB_MAX || p.len > size ||
		    (p.version != 1 && p.version != 2) || (p.version == 1 && p.blob[0]))
			abort();
		printable(p.blob, GW_RDP_PCB_CHARS_MAX);
		check_cr(buf + p.len, size - p.len);
	} else {
		check_cr(buf, size);
	}
	free(buf);
	return 0;
}
