/* SPDX-License-Identifier: MIT */
/*
 * Native VNC through the gateway. Two pure state machines (bytes in, bytes
 * out, no I/O), fuzzed by tests/fuzz/fuzz_gw_rfb.c:
 *
 * gw_rfb_front — the gateway as RFB 3.8 server to a native client, up to
 * authentication: version, security type VeNCrypt (19) only, VeNCrypt
 * 0.2 with subtypes X509Plain (262, TLS with the gateway's certificate)
 * and TLSPlain (259, anonymous TLS, which TigerVNC offers; see
 * docs/gateway.md on why X509Plain comes first), then — inside TLS, which
 * the caller starts when told — the Plain credentials (u32 user length,
 * u32 password length, the strings). The caller verifies them (auth/),
 * then sends gw_rfb_front_result; after an OK everything else (ClientInit
 * onwards) is relayed to the backend.
 *
 * gw_rfb_back — the gateway as RFB 3.8 client of the VM's display endpoint
 * (vnc.sock, which trusts the gateway and offers security None): version,
 * security None, SecurityResult. Then the caller relays: the client's
 * ClientInit goes to the display, its ServerInit to the client.
 *
 * A protocol from before 3.8 (3.3, 3.7) is refused: VeNCrypt needs 3.7+,
 * and every client that does VeNCrypt speaks 3.8. The refusal carries a
 * reason in the client's own version's failure format (3.3: u32 0; 3.7
 * and later: u8 0; then u32 length and the text).
 *
 * Both machines append what is to be sent to out; the caller sends
 * out[0, out_len) whenever it is not empty and then sets out_len to 0.
 * *used never exceeds len, and bytes past *used are not the machine's:
 * after START_TLS they are the client's ClientHello, after CREDENTIALS or
 * READY the relay's.
 */
#ifndef PORTHOLE_GW_RFB_AUTH_H
#define PORTHOLE_GW_RFB_AUTH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define GW_RFB_VENCRYPT        19
#define GW_RFB_VENCRYPT_TLSPLAIN  259
#define GW_RFB_VENCRYPT_X509PLAIN 262
#define GW_RFB_CRED_MAX        256    /* longer user or password: refused */

enum gw_rfb_event {
	GW_RFB_NEED_MORE,     /* wait for more bytes (send any output first) */
	GW_RFB_START_TLS,     /* send output, then run a TLS server handshake
				 (anonymous if tls_anon) and feed what comes
				 from inside TLS from now on */
	GW_RFB_CREDENTIALS,   /* user and password are set: verify, then
				 gw_rfb_front_result */
	GW_RFB_READY,         /* handshake done; relay from now on (the
				 front says so after an OK result) */
	GW_RFB_ERROR,         /* protocol error: send output (a reason, when
				 the protocol has room for one), then close */
};

struct gw_rfb_front {
	int state;
	int tls_anon;                       /* the client chose TLSPlain */
	char user[GW_RFB_CRED_MAX + 1];
	char password[GW_RFB_CRED_MAX + 1]; /* wiped by gw_rfb_front_result */
	const char *error;                  /* for the log, on GW_RFB_ERROR */
	uint8_t out[512];                   /* bytes to send to the client */
	size_t out_len;
	uint8_t in[2 * GW_RFB_CRED_MAX + 16];
	size_t in_len;
	uint32_t want;                      /* bytes of the current message */
	int allow_tlsplain;
};

/* Starts the front handshake: queues the server's ProtocolVersion. */
void gw_rfb_front_init(struct gw_rfb_front *f, int allow_tlsplain);
/* Consumes bytes from the client (*used tells how many; the rest belongs
 * to the next state or to the relay) and returns what to do next. */
enum gw_rfb_event gw_rfb_front_feed(struct gw_rfb_front *f, const uint8_t *buf,
				    size_t len, size_t *used);
/* Queues SecurityResult: OK, or failed with reason (shown by the client:
 * say "authentication failed", never which part was wrong; NULL says
 * that). Wipes the password. Only after GW_RFB_CREDENTIALS; at any other
 * time it just wipes. After an OK, gw_rfb_front_feed consumes nothing and
 * returns GW_RFB_READY; after a failure, GW_RFB_ERROR. */
void gw_rfb_front_result(struct gw_rfb_front *f, int ok, const char *reason);

struct gw_rfb_back {
	int state;
	const char *error;                  /* may point into reason */
	uint8_t out[32];
	size_t out_len;
	uint8_t in[64];
	size_t in_len;
	uint32_t want;                      /* bytes of the current message */
	uint32_t left;                      /* security types still to read */
	int none_offered;
	char reason[96];                    /* the display's refusal, for the log */
};

void gw_rfb_back_init(struct gw_rfb_back *b);
enum gw_rfb_event gw_rfb_back_feed(struct gw_rfb_back *b, const uint8_t *buf,
				   size_t len, size_t *used);

#endif
