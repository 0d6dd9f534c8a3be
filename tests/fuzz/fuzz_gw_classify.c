// SPDX-License-Identifier: MIT
/*
 * gw_classify on arbitrary first bytes. Invariants: every prefix answers
 * NEED_MORE or the answer the whole input gets (a connection is never
 * classified twice), GW_CLASSIFY_MAX bytes always decide, bytes past
 * GW_CLASSIFY_MAX change nothing, and every answer has a name.
 */
#include "classify.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum gw_proto final = gw_classify(data, size);
	size_t i;

	if (final > GW_PROTO_UNKNOWN || !gw_proto_name(final))
		abort();
	if (size >= GW_CLASSIFY_MAX &&
	    (final == GW_PROTO_NEED_MORE || final != gw_classify(data, GW_CLASSIFY_MAX)))
		abort();
	for (i = 0; i < size && i <= GW_CLASSIFY_MAX; i++) {
		enum gw_proto p = gw_classify(data, i);

		if (p != GW_PROTO_NEED_MORE && p != final)
			abort();
	}
	return 0;
}
