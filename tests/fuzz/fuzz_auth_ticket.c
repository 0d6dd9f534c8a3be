// SPDX-License-Identifier: MIT
/* auth_ticket_parse, the ticket parser that faces the network (URLs,
 * RDP preconnection PDUs): any bytes, never a read out of bounds, and what
 * it accepts is well-formed. */
#include "auth.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct auth_ticket_fields f;
	const char *s = (const char *)data;

	if (auth_ticket_parse(s, size, &f))
		return 0;
	if (size >= AUTH_TICKET_MAX || (unsigned)f.proto > AUTH_PROTO_STREAM ||
	    !auth_name_valid(f.user) || !auth_name_valid(f.vm) ||
	    f.signed_len >= size || s[f.signed_len] != '.' ||
	    memcmp(s, "p1.", 3) || memchr(s, 0, size))
		abort();
	for (size_t i = 0; i < size; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			abort(); /* tickets travel in URLs unescaped */
	}
	return 0;
}
