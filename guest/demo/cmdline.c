// SPDX-License-Identifier: MIT
/*
 * The kernel command line from hvm_start_info (demo_layout.h lists the
 * parameters). It comes from the host, so it is bounded and validated like
 * any input; a framebuffer that does not fit the contract means headless.
 */
#include "demo.h"

#include "demo_layout.h"
#include "layout.h"

#define FB_MAX_SIDE	16384
#define MAPPED_LIMIT	0x100000000ULL	/* boot.S identity-maps 4 GiB */

static void refuse(struct config *c, const char *what, uint64_t v,
		   const char *why)
{
	line_init(&c->problem);
	line_str(&c->problem, "porthole.fb: ");
	line_str(&c->problem, what);
	if (v != UINT64_MAX) {
		line_str(&c->problem, " ");
		line_dec(&c->problem, v);
	}
	line_str(&c->problem, why);
}

/* ADDR,W,H,STRIDE: hex address (0x optional), then decimal numbers. */
static bool split_fb(const char *s, size_t n, uint64_t v[4])
{
	for (int i = 0; i < 4; i++) {
		size_t len = 0;

		while (len < n && s[len] != ',')
			len++;
		if ((i < 3) != (len < n))
			return false;	/* three commas, no more */
		if (i == 0 && len > 2 && s[0] == '0' &&
		    (s[1] == 'x' || s[1] == 'X')) {
			if (!parse_u64(s + 2, len - 2, 16, &v[0]))
				return false;
		} else if (!parse_u64(s, len, i ? 10 : 16, &v[i])) {
			return false;
		}
		s += len + (len < n);
		n -= len + (len < n);
	}
	return true;
}

static bool check_fb(struct config *c, const uint64_t v[4])
{
	uint64_t addr = v[0], w = v[1], h = v[2], stride = v[3];

	if (w < DEMO_MIN_WIDTH || w > FB_MAX_SIDE)
		refuse(c, "width", w, " is outside 640..16384");
	else if (h < DEMO_MIN_HEIGHT || h > FB_MAX_SIDE)
		refuse(c, "height", h, " is outside 480..16384");
	else if (stride < 4 * w || stride > 4 * FB_MAX_SIDE)
		refuse(c, "stride", stride, " is below 4 * width or too large");
	else if (addr == 0 || addr % 4 || stride % 4)
		refuse(c, "address or stride", UINT64_MAX,
		       " is zero or not 4-byte aligned");
	else if (addr >= MAPPED_LIMIT || MAPPED_LIMIT - addr < stride * h)
		refuse(c, "framebuffer", UINT64_MAX,
		       " does not fit below 4 GiB");
	else
		return true;
	return false;
}

static void parse_fb(struct config *c, const char *s, size_t n)
{
	uint64_t v[4];

	c->fb.base = NULL;
	if (!split_fb(s, n, v)) {
		refuse(c, "expected ADDR,W,H,STRIDE", UINT64_MAX, "");
		return;
	}
	if (!check_fb(c, v))
		return;
	line_init(&c->problem);
	c->fb.base = (uint8_t *)(uintptr_t)v[0];
	c->fb.width = v[1];
	c->fb.height = v[2];
	c->fb.stride = v[3];
}

/* porthole.anim=0 and porthole.clock=0 freeze; anything else runs. */
static bool flag(const char *s, size_t n)
{
	return !(n == 1 && s[0] == '0');
}

static bool has_prefix(const char *s, size_t n, const char *p)
{
	size_t len = strlen(p);

	return n >= len && memcmp(s, p, len) == 0;
}

static void parse_word(struct config *c, const char *s, size_t n)
{
	static const char fb[] = "porthole.fb=", anim[] = "porthole.anim=",
			  clock[] = "porthole.clock=", pci[] = "porthole.pci=";

	if (has_prefix(s, n, fb))
		parse_fb(c, s + sizeof(fb) - 1, n - (sizeof(fb) - 1));
	else if (has_prefix(s, n, anim))
		c->anim = flag(s + sizeof(anim) - 1, n - (sizeof(anim) - 1));
	else if (has_prefix(s, n, clock))
		c->clock = flag(s + sizeof(clock) - 1, n - (sizeof(clock) - 1));
	else if (has_prefix(s, n, pci)) {
		s += sizeof(pci) - 1;
		n -= sizeof(pci) - 1;
		c->pci_reassign = word_is(s, n, "reassign");
		c->pci_high = word_is(s, n, "reassign-high");
	}
}

void config_parse(struct config *c, const struct hvm_start_info *si)
{
	const char *s;
	size_t n;

	memset(c, 0, sizeof(*c));
	c->anim = c->clock = true;
	line_init(&c->problem);
	if (!si || si->magic != HVM_START_MAGIC || !si->cmdline_paddr ||
	    si->cmdline_paddr >= MAPPED_LIMIT - LAYOUT_CMDLINE_MAX)
		return;
	s = (const char *)(uintptr_t)si->cmdline_paddr;
	n = str_nlen(s, LAYOUT_CMDLINE_MAX);
	while (n) {
		size_t len = 0;

		while (len < n && s[len] != ' ')
			len++;
		parse_word(c, s, len);
		s += len + (len < n);
		n -= len + (len < n);
	}
}
