/* SPDX-License-Identifier: MIT */
/*
 * The client side of porthole-gateway's protocols, written in the tests as
 * the gateway's counterpart (so it shares no code with what it tests):
 * TCP from a chosen loopback source address, TLS (OpenSSL, verifying the
 * gateway's certificate), HTTP/1.1 requests on a kept-alive connection,
 * WebSocket (handshake and masked frames, as a client must send them),
 * RFB over either (a byte stream), and VeNCrypt for native VNC.
 *
 * Functions return -1 (or a status) for what a test may want refused;
 * they CHECK only what is the test's own mistake. All reads have a
 * deadline: nothing here waits forever on a silent gateway.
 */
#ifndef PORTHOLE_GWCLIENT_H
#define PORTHOLE_GWCLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/ssl.h>

#define GC_TIMEOUT_MS 30000     /* the default deadline of one read */
#define GC_TICKET_MAX 512       /* more than any ticket string */

#define GW_TLSPLAIN   259       /* VeNCrypt subtypes */
#define GW_X509PLAIN  262

struct gc_conn {
	int fd;
	SSL *ssl;               /* NULL: plain TCP */
	char host[64];          /* "127.0.0.1:PORT", for Host and Origin */
	int lport;              /* our port: how the gateway's log names us */
	uint8_t *in;            /* received, not consumed yet (grows) */
	size_t in_len, in_cap;
	int eof;                /* the peer closed (or reset: see err) */
	int err;                /* errno or SSL error of the last failure */
	int head_only;          /* the next answer has no body (HEAD) */
	SSL_SESSION *resume;    /* gc_tls offers this session (not owned) */
	/* WebSocket: the stream is the payloads of binary messages. */
	int ws;
	uint8_t *msg;           /* payload received, not consumed (grows) */
	size_t msg_len, msg_cap;
	uint16_t close_code;    /* from the peer's close frame; 0: none yet */
	uint64_t bytes_in;      /* stream bytes (payloads, for WebSocket) */
};

/* A client context trusting ca_file (NULL: no verification), TLS
 * versions min..max (0: OpenSSL's default), offering ALPN "http/1.1".
 * cipher_list may be NULL. */
SSL_CTX *gc_ctx_new(const char *ca_file, int min_ver, int max_ver,
		    const char *cipher_list);

/* TCP to host:port from source address src (NULL: any). -1 and errno. */
int gc_tcp(const char *host, int port, const char *src);
/* A connection object around fd (plain). */
struct gc_conn *gc_wrap(int fd, const char *host, int port);
/* TLS handshake on c (verifying the certificate names host's address when
 * ctx verifies). 0, or -1 with why in err. */
int gc_tls(struct gc_conn *c, SSL_CTX *ctx, char *err, size_t errlen);
/* TCP + TLS; NULL with why in err. */
struct gc_conn *gc_open(SSL_CTX *ctx, int port, const char *src, char *err,
			size_t errlen);
/* Closes (TLS close_notify first) and frees. */
void gc_close(struct gc_conn *c);

/* Raw bytes, through TLS when there is TLS. 0 or -1. */
int gc_send(struct gc_conn *c, const void *buf, size_t len);
/* Waits up to timeout_ms for more bytes into c->in: >0 got some, 0 the
 * deadline passed, -1 closed or failed (c->eof, c->err). */
int gc_fill(struct gc_conn *c, int timeout_ms);
/* Waits until the peer closes: 1 closed, 0 still open after timeout_ms;
 * discards whatever arrives meanwhile. */
int gc_wait_closed(struct gc_conn *c, int timeout_ms);
void gc_consume(struct gc_conn *c, size_t n);

/* --- HTTP/1.1 --- */

struct gc_resp {
	int status;             /* 0: no answer (connection closed) */
	char head[8192];        /* status line and headers, NUL-terminated */
	char body[65536];
	size_t body_len;
	char cookie[128];       /* porthole_session's value from Set-Cookie */
	char set_cookie[512];   /* the whole Set-Cookie header value */
};

/* Sends a request (Host added; Content-Type: application/json and
 * Content-Length when body is not NULL; extra: header lines, each ending
 * "\r\n") and reads the answer into r. 0, or -1 if no whole answer came.
 * cookie: porthole_session's value, or NULL. */
int gc_http(struct gc_conn *c, const char *method, const char *path,
	    const char *cookie, const char *extra, const char *body,
	    struct gc_resp *r);
/* Reads one answer (after a request sent by hand). 0 or -1. */
int gc_read_resp(struct gc_conn *c, struct gc_resp *r, int timeout_ms);
/* A header's value of r (first match, case-insensitive), copied; NULL. */
const char *gc_header(const struct gc_resp *r, const char *name, char *out,
		      size_t outlen);
/* A JSON string member "key":"value" of the body, copied; NULL. */
const char *gc_json_str(const char *body, const char *key, char *out,
			size_t outlen);

/* --- WebSocket --- */

/* Sends the upgrade for path with origin (NULL: no Origin header) and
 * reads the answer into r. On 101 (checked: Sec-WebSocket-Accept) c is a
 * WebSocket from now on. Returns the status. */
int gc_ws_upgrade(struct gc_conn *c, const char *path, const char *origin,
		  struct gc_resp *r);
/* One frame, masked, FIN set. */
int gc_ws_send_frame(struct gc_conn *c, int opcode, const void *data,
		     size_t len);
/* Decodes whole frames from c->in: payloads of binary and text messages
 * go to c->msg, pings are answered, a close frame sets close_code (and is
 * answered). -1 on a protocol violation by the server (masked frame,
 * reserved bits, bad opcode, a control frame over 125 bytes). */
int gc_ws_decode(struct gc_conn *c);

/* --- a byte stream: raw (TLS) or the payloads of WebSocket messages --- */

int gc_write(struct gc_conn *c, const void *buf, size_t len);
/* Exactly len bytes within timeout_ms: 0, or -1. */
int gc_read(struct gc_conn *c, void *buf, size_t len, int timeout_ms);
/* Whatever stream bytes arrive within timeout_ms, discarded; returns how
 * many (-1 if the stream ended and none came). */
ssize_t gc_drain(struct gc_conn *c, int timeout_ms);

/* --- RFB --- */

struct gc_rfb_init {
	uint16_t w, h;
	uint8_t pf[16];
	char name[128];
};

/* The RFB client handshake with security None (a display endpoint, or
 * the WebSocket relay): version 3.8, None, SecurityResult, ClientInit
 * (shared), ServerInit. 0, or -1 with why in err. */
int gc_rfb_none(struct gc_conn *c, struct gc_rfb_init *si, char *err,
		size_t errlen);
/* ClientInit (shared) and ServerInit, after authentication. */
int gc_rfb_init(struct gc_conn *c, struct gc_rfb_init *si, char *err,
		size_t errlen);
/* SetEncodings (the list) and a FramebufferUpdateRequest. */
int gc_rfb_request(struct gc_conn *c, const int32_t *encodings, int n,
		   int incremental, uint16_t w, uint16_t h);

/* Native VNC as a VeNCrypt client: reads the greeting, answers 3.8,
 * reads the security types into types (count in *n_types). */
int gc_vnc_hello(struct gc_conn *c, uint8_t *types, int *n_types, char *err,
		 size_t errlen);

struct gc_vencrypt {
	uint32_t subtypes[16];  /* what the server offered */
	int n_subtypes;
	int result;             /* SecurityResult: 0 OK, else failed */
	char reason[256];       /* the failure's reason string */
};

/* After gc_vnc_hello: security type VeNCrypt, version 0.2, subtype
 * (X509Plain with ctx verifying the certificate, or TLSPlain with an
 * anonymous context), TLS, Plain credentials, SecurityResult. 0 when the
 * exchange ran to a SecurityResult (see v->result), -1 (err) otherwise. */
int gc_vencrypt(struct gc_conn *c, SSL_CTX *ctx, uint32_t subtype,
		const char *user, const char *password, struct gc_vencrypt *v,
		char *err, size_t errlen);

uint64_t gc_now_ms(void);

#endif
