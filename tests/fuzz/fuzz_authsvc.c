// SPDX-License-Identifier: MIT
/*
 * The local auth service's codec (auth/authsvc.h) on any bytes: the
 * gateway decodes requests from protocol servers, they decode its answers.
 * Invariants: no read out of bounds; what decodes is bounded (every string
 * NUL-terminated within its field) and encodes back to exactly the same
 * bytes (the format has one spelling per message, so nothing is smuggled
 * in padding); a failed decode leaves nothing of the password behind.
 */
#include "authsvc.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void bounded(const char *s, size_t cap)
{
	if (strnlen(s, cap + 1) > cap)
		abort();
}

static void check_request(const uint8_t *data, size_t size)
{
	struct authsvc_request r;
	uint8_t out[AUTHSVC_MAX];
	ssize_t n;

	memset(&r, 0x5a, sizeof(r));
	if (authsvc_decode_request(data, size, &r)) {
		for (size_t i = 0; i < sizeof(r.password); i++)
			if (r.password[i])
				abort();
		return;
	}
	if ((unsigned)r.proto > AUTH_PROTO_STREAM)
		abort();
	bounded(r.vm, AUTH_NAME_MAX);
	bounded(r.user, AUTHSVC_FIELD_MAX);
	bounded(r.password, AUTHSVC_FIELD_MAX);
	bounded(r.source, AUTHSVC_FIELD_MAX);
	n = authsvc_encode_request(&r, out, sizeof(out));
	if (n != (ssize_t)size || memcmp(out, data, size))
		abort();
	/* One byte short of room: the encoder says so, never overruns. */
	if (authsvc_encode_request(&r, out, size - 1) != -1)
		abort();
}

static void check_answer(const uint8_t *data, size_t size)
{
	struct authsvc_answer a;
	uint8_t out[AUTHSVC_MAX];
	ssize_t n;

	if (authsvc_decode_answer(data, size, &a))
		return;
	if ((unsigned)a.result > AUTHSVC_ERROR)
		abort();
	bounded(a.user, AUTH_NAME_MAX);
	n = authsvc_encode_answer(&a, out, sizeof(out));
	if (n != (ssize_t)size || memcmp(out, data, size))
		abort();
	if (authsvc_encode_answer(&a, out, size - 1) != -1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes: ASan sees any read past the end. */
	uint8_t *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	check_request(buf, size);
	check_answer(buf, size);
	free(buf);
	return 0;
}
