// SPDX-License-Identifier: MIT
/* Surface protocol packets as the vmm receives them: surface_check() must
 * refuse anything malformed and never read outside the packet; what it
 * accepts must be self-consistent. */
#include "surface/proto.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct surface_msg m;
	char err[256] = "";
	/* A private copy: ASan then sees exactly the packet's bounds. */
	uint8_t *pkt = malloc(size ? size : 1);

	memcpy(pkt, data, size);
	if (surface_check(pkt, size, SURFACE_AT_VMM, &m, err, sizeof(err)) == 0) {
		volatile uint64_t sum = 0;

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
	} else if (!err[0]) {
		abort(); /* a refusal always says why */
	}
	free(pkt);
	return 0;
}
