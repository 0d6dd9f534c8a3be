// SPDX-License-Identifier: MIT
/* Surface protocol packets as each end receives them: surface_check() must
 * refuse anything malformed, say why, and never read outside the packet;
 * what it accepts must be self-consistent. */
#include "surface/proto.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_at(const uint8_t *pkt, size_t size, enum surface_end at)
{
	struct surface_msg m;
	char err[256] = "";
	volatile uint64_t sum = 0;

	if (surface_check(pkt, size, at, &m, err, sizeof(err))) {
		if (!err[0])
			abort(); /* a refusal always says why */
		return;
	}
	if (m.hdr.type == SURFACE_DAMAGE)
		for (uint32_t i = 0; i < m.damage.count; i++)
			sum += m.rects[i].x + m.rects[i].w;
	if (m.hdr.type == SURFACE_CURSOR_SHAPE)
		for (uint32_t i = 0; i < (uint32_t)m.cursor.width * m.cursor.height; i++)
			sum += m.cursor_argb[i];
	if (m.hdr.type == SURFACE_AGENT)
		for (uint32_t i = 0; i < m.hdr.len; i++)
			sum += m.agent[i];
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A private copy: ASan then sees exactly the packet's bounds. */
	uint8_t *pkt = malloc(size ? size : 1);

	memcpy(pkt, data, size);
	check_at(pkt, size, SURFACE_AT_VMM);
	check_at(pkt, size, SURFACE_AT_DISPLAY);
	free(pkt);
	return 0;
}
