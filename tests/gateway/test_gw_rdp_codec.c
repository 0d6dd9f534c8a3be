// SPDX-License-Identifier: MIT
/*
 * auth/authsvc.c's codec, byte by byte against the format auth/authsvc.h
 * states (the display's RDP server and the gateway each implement one side
 * of it from that header), and authsvc_verify's errors without a gateway.
 */
#include "check.h"
#include "authsvc.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static void test_request(void)
{
	static const uint8_t want[] = {
		'P', 'A', 'V', '1', 1, AUTH_PROTO_RDP,
		0, 4, 'd', 'e', 'm', 'o',
		0, 5, 'a', 'l', 'i', 'c', 'e',
		0, 3, 'p', 'w', '!',
		0, 9, '1', '0', '.', '0', '.', '0', '.', '2', '7',
	};
	struct authsvc_request q = { .proto = AUTH_PROTO_RDP, .vm = "demo", .user = "alice",
				     .password = "pw!", .source = "10.0.0.27" }, d;
	uint8_t out[AUTHSVC_MAX], bad[sizeof(want) + 1];

	CHECK(authsvc_encode_request(&q, out, sizeof(out)) == sizeof(want) &&
	      memcmp(out, want, sizeof(want)) == 0, "request bytes");
	CHECK(authsvc_encode_request(&q, out, sizeof(want) - 1) == -1, "no room: -1");
	CHECK(authsvc_decode_request(want, sizeof(want), &d) == 0 && d.proto == AUTH_PROTO_RDP &&
	      !strcmp(d.vm, "demo") && !strcmp(d.user, "alice") && !strcmp(d.password, "pw!") &&
	      !strcmp(d.source, "10.0.0.27"), "request decoded");
	/* Every proper prefix, a byte too many, and each field spoiled. */
	for (size_t i = 0; i < sizeof(want); i++)
		CHECK(authsvc_decode_request(want, i, &d) == -1, "prefix of %zu bytes", i);
	memcpy(bad, want, sizeof(want));
	bad[sizeof(want)] = 0;
	CHECK(authsvc_decode_request(bad, sizeof(bad), &d) == -1, "a byte too many");
	CHECK(d.password[0] == 0, "a refused request leaves no password");
	memcpy(bad, want, sizeof(want));
	bad[4] = 2;
	CHECK(authsvc_decode_request(bad, sizeof(want), &d) == -1, "version 2");
	memcpy(bad, want, sizeof(want));
	bad[5] = 4;
	CHECK(authsvc_decode_request(bad, sizeof(want), &d) == -1, "proto 4");
	memcpy(bad, want, sizeof(want));
	bad[3] = '2';
	CHECK(authsvc_decode_request(bad, sizeof(want), &d) == -1, "magic");
	memcpy(bad, want, sizeof(want));
	bad[22] = 0;
	CHECK(authsvc_decode_request(bad, sizeof(want), &d) == -1, "a NUL in the password");
	/* Lengths: vm 32, others 256; one more is refused both ways. */
	memset(q.vm, 'v', AUTH_NAME_MAX);
	memset(q.user, 'u', AUTHSVC_FIELD_MAX);
	memset(q.password, 'p', AUTHSVC_FIELD_MAX);
	memset(q.source, 's', AUTHSVC_FIELD_MAX);
	CHECK(authsvc_encode_request(&q, out, sizeof(out)) == 6 + 8 + 32 + 3 * 256,
	      "longest request");
	CHECK(authsvc_decode_request(out, 6 + 8 + 32 + 3 * 256, &d) == 0 &&
	      strlen(d.password) == AUTHSVC_FIELD_MAX, "longest decoded");
	out[6] = 0;
	out[7] = 33;
	CHECK(authsvc_decode_request(out, 6 + 8 + 33 + 3 * 256, &d) == -1, "vm of 33 bytes");
	q.vm[AUTH_NAME_MAX] = 'v';
	CHECK(authsvc_encode_request(&q, out, sizeof(out)) == -1, "encode: vm of 33 bytes");
}

static void test_answer(void)
{
	static const uint8_t want[] = {
		'P', 'A', 'R', '1', AUTHSVC_DENIED, 0, 0, 0x01, 0xf4, 0, 0,
	};
	static const uint8_t ok[] = {
		'P', 'A', 'R', '1', AUTHSVC_OK, 0, 0, 0, 0, 0, 5, 'a', 'l', 'i', 'c', 'e',
	};
	struct authsvc_answer a = { .result = AUTHSVC_DENIED, .delay_ms = 500 }, d;
	uint8_t out[AUTHSVC_MAX], bad[sizeof(ok)];

	CHECK(authsvc_encode_answer(&a, out, sizeof(out)) == sizeof(want) &&
	      memcmp(out, want, sizeof(want)) == 0, "answer bytes");
	CHECK(authsvc_decode_answer(ok, sizeof(ok), &d) == 0 && d.result == AUTHSVC_OK &&
	      d.delay_ms == 0 && !strcmp(d.user, "alice"), "answer decoded");
	for (size_t i = 0; i < sizeof(ok); i++)
		CHECK(authsvc_decode_answer(ok, i, &d) == -1, "prefix of %zu bytes", i);
	memcpy(bad, ok, sizeof(ok));
	bad[4] = AUTHSVC_ERROR + 1;
	CHECK(authsvc_decode_answer(bad, sizeof(ok), &d) == -1, "result out of range");
	a.result = AUTHSVC_ERROR + 1;
	CHECK(authsvc_encode_answer(&a, out, sizeof(out)) == -1, "encode: bad result");
}

/* Without a gateway: an error that says what is missing. */
static void test_verify_errors(void)
{
	struct authsvc_request q = { .proto = AUTH_PROTO_RDP, .vm = "demo", .user = "alice" };
	struct authsvc_answer a;
	char dir[] = "/tmp/porthole-authsvc-XXXXXX", path[64], err[256];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	CHECK(mkdtemp(dir), "mkdtemp");
	CHECK(authsvc_verify(dir, &q, 1000, &a, err, sizeof(err)) == -1 &&
	      strstr(err, "not running") && strstr(err, "auth.sock"), "no socket: '%s'", err);
	/* A listener that never answers: the timeout. */
	snprintf(path, sizeof(path), "%s/auth.sock", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(fd, 4) == 0,
	      "listen");
	CHECK(authsvc_verify(dir, &q, 300, &a, err, sizeof(err)) == -1 &&
	      strstr(err, "did not answer in time"), "silent service: '%s'", err);
	close(fd);
	unlink(path);
	rmdir(dir);
	printf("authsvc_verify without a service: '%s'\n", err);
}

int main(void)
{
	test_request();
	test_answer();
	test_verify_errors();
	printf("authsvc codec: ok\n");
	return 0;
}
