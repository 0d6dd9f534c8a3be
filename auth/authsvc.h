/* SPDX-License-Identifier: MIT */
/*
 * The gateway's local auth service: how a protocol server that receives
 * credentials itself (the display's RDP server: TLS runs end to end between
 * the RDP client and the display, so the gateway never sees them) asks the
 * gateway to verify them. The display never reads the password database.
 *
 * Transport: a SOCK_SEQPACKET unix socket, RUN/auth.sock (RUN: the base of
 * the VMs' run directories), mode 0600, served by porthole-gateway; the
 * gateway accepts only peers with its own uid (SO_PEERCRED). One request
 * per connection, one answer, then close.
 *
 * Wire format (one packet each way), all integers big-endian:
 *   request:  "PAV1" u8 version=1, u8 proto (enum auth_proto),
 *             then 4 strings: vm, user, password, source (the client's
 *             address as the display saw it), each u16 length + bytes,
 *             no NUL; lengths capped (AUTHSVC_FIELD_MAX), total <= AUTHSVC_MAX.
 *   answer:   "PAR1" u8 result (enum authsvc_result), u32 delay_ms already
 *             waited by the gateway, u16 length + user name (canonical) .
 * The codec is pure and fuzzed (tests/fuzz/fuzz_authsvc.c).
 */
#ifndef PORTHOLE_AUTHSVC_H
#define PORTHOLE_AUTHSVC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "auth.h"

#define AUTHSVC_SOCK       "auth.sock"
#define AUTHSVC_FIELD_MAX  256
#define AUTHSVC_MAX        1100

enum authsvc_result {
	AUTHSVC_OK,           /* credentials right and vm allowed to user */
	AUTHSVC_DENIED,       /* wrong user/password, or vm not allowed: one answer */
	AUTHSVC_LOCKED,       /* too many failures */
	AUTHSVC_TOTP,         /* the user has TOTP: this protocol cannot carry a code */
	AUTHSVC_ERROR,        /* the service could not decide (bad request, overload) */
};

struct authsvc_request {
	enum auth_proto proto;
	char vm[AUTH_NAME_MAX + 1];
	char user[AUTHSVC_FIELD_MAX + 1];
	char password[AUTHSVC_FIELD_MAX + 1];
	char source[AUTHSVC_FIELD_MAX + 1];
};

struct authsvc_answer {
	enum authsvc_result result;
	uint32_t delay_ms;
	char user[AUTH_NAME_MAX + 1];
};

/* Codec: encode returns the length or -1 (too long); decode 0 or -1. */
ssize_t authsvc_encode_request(const struct authsvc_request *r, uint8_t *out, size_t outlen);
int authsvc_decode_request(const uint8_t *buf, size_t len, struct authsvc_request *r);
ssize_t authsvc_encode_answer(const struct authsvc_answer *a, uint8_t *out, size_t outlen);
int authsvc_decode_answer(const uint8_t *buf, size_t len, struct authsvc_answer *a);

/*
 * The client side, for protocol servers: connects to run_base/auth.sock,
 * sends the request, waits up to timeout_ms for the answer (the gateway
 * delays failures, so allow several seconds). Blocking: call it from a
 * thread that may block. 0 with *a filled, or -1 with err (e.g. "the
 * gateway's auth service is not running: RUN/auth.sock: No such file").
 * Wipes nothing: the caller wipes r->password.
 */
int authsvc_verify(const char *run_base, const struct authsvc_request *r, int timeout_ms,
		   struct authsvc_answer *a, char *err, size_t errlen);

#endif
