/* SPDX-License-Identifier: MIT */
/*
 * porthole-gateway's insides (docs/gateway.md): one libuv loop, one struct
 * gw, one struct gw_conn per accepted TCP connection. A connection goes
 * through stages: classification (conn.c), then HTTPS (http.c, api.c,
 * static.c, ws_relay.c), plain HTTP (redirect only), native VNC
 * (vnc_native.c) or RDP (rdp.c: routed, never decrypted); all end in
 * relay.c. authd.c serves the local auth service (auth/authsvc.h) that
 * the displays' RDP servers ask to verify passwords. Byte streams (stream.c)
 * layer TLS and WebSocket framing over a libuv handle so the stages and the
 * relay see only payload bytes.
 */
#ifndef PORTHOLE_GW_H
#define PORTHOLE_GW_H

#include <limits.h>
#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "auth.h"
#include "proto/classify.h"
#include "proto/http.h"
#include "proto/rdp.h"
#include "proto/rfb_auth.h"
#include "proto/ws.h"

#define GW_MAX_LISTEN        16
#define GW_HIGH_WATER        (256 * 1024)  /* stop reading the other side above */
#define GW_LOW_WATER         (64 * 1024)   /* ... and resume below */
#define GW_CLASSIFY_MS       5000
#define GW_HTTP_HEAD_MS      10000   /* TLS handshake + a request (slowloris) */
#define GW_HTTP_IDLE_MS      30000   /* keep-alive between requests */
#define GW_VNC_TLS_MS        10000   /* greeting to TLS up: machines only */
#define GW_VNC_LOGIN_MS      120000  /* then a person may be typing a password */
#define GW_FLUSH_MS          5000    /* last bytes before a close */
#define GW_RDP_HEAD_MS       10000   /* accept to a whole PCB + X.224 request */
#define GW_READ_BUF          65536

/* --- configuration (cli.c) --- */

struct gw_config {
	char state_dir[PATH_MAX];
	char run_dir[PATH_MAX];
	const char *listen[GW_MAX_LISTEN];  /* ADDR:PORT as given */
	int n_listen;
	int port;                           /* --port, or -1 */
	const char *cert, *key;             /* NULL: STATE/tls/ */
	const char *web_root;               /* NULL: no static files */
	unsigned vnc_silence_ms;
	int vnc_tlsplain;
	unsigned max_connections;
};

/* 0: run; 1: --help or --version printed to out; -1: error in err. */
int gw_cli_parse(int argc, char **argv, struct gw_config *cfg, FILE *out,
		 char *err, size_t errlen);

/* --- metrics (metrics.c) --- */

enum gw_sproto { GW_SP_VNC_WS, GW_SP_VNC, GW_SP_RDP, GW_SP_N };   /* relayed sessions */
enum gw_class { GW_CL_TLS, GW_CL_RDP, GW_CL_RDP_PCB, GW_CL_HTTP, GW_CL_VNC,
		GW_CL_UNKNOWN, GW_CL_TIMEOUT, GW_CL_N };
#define GW_AUTH_REASONS 24
/* Why an RDP connection was closed before it reached a VM. */
enum gw_rdp_refusal { GW_RR_STANDARD_SECURITY, GW_RR_MALFORMED, GW_RR_TIMEOUT, GW_RR_NO_VM,
		      GW_RR_NO_SINGLE_VM, GW_RR_TICKET, GW_RR_VM_NOT_RUNNING, GW_RR_N };
/* The auth service's answers are enum authsvc_result (auth/authsvc.h). */
#define GW_AUTHSVC_RESULTS 5

struct gw_metrics {
	uint64_t connections_active, connections_refused;
	uint64_t classified[GW_CL_N];
	uint64_t sessions_total[GW_SP_N], sessions_active[GW_SP_N];
	uint64_t bytes[GW_SP_N][2];          /* [0] from the client, [1] to it */
	uint64_t tls_ok, tls_failed;
	struct { char reason[32]; uint64_t n; } auth_fail[GW_AUTH_REASONS];
	uint64_t http_requests;
	uint64_t rdp_refused[GW_RR_N];
	uint64_t authsvc[GW_AUTHSVC_RESULTS];
};

const char *gw_sproto_name(enum gw_sproto p);   /* "vnc-ws", "vnc", "rdp" */
void gw_metrics_auth_failure(struct gw_metrics *m, const char *reason);
/* The Prometheus text exposition: malloc'ed, length in *len; NULL on ENOMEM. */
char *gw_metrics_format(const struct gw_metrics *m, size_t *len);

/* --- the process --- */

struct gw_listener {
	uv_tcp_t tcp;
	struct gw *gw;
	int open;
};

struct gw_conn;
struct gw_authd;

struct gw {
	uv_loop_t *loop;
	struct gw_config cfg;
	struct auth *auth;
	SSL_CTX *tls_ctx;       /* the certificate: HTTPS, VeNCrypt X509Plain */
	SSL_CTX *anon_ctx;      /* VeNCrypt TLSPlain, or NULL (tls.c says why) */
	char web_root[PATH_MAX];   /* realpath of --web-root, or "" */
	struct gw_listener listeners[2 * GW_MAX_LISTEN];
	int n_listeners;
	uv_timer_t refresh;     /* auth_refresh once a second */
	char refresh_err[AUTH_ERR_MAX];   /* the last one logged */
	uv_signal_t sig[3];
	struct gw_authd *authd; /* RUN/auth.sock, or NULL */
	struct gw_conn *conns;  /* all live connections */
	unsigned n_conns;
	uint64_t next_id;
	int stopping;
	struct gw_metrics m;
	/* Scratch for the loop: every read is handled before the next. */
	uint8_t rbuf[GW_READ_BUF];
	uint8_t tbuf[16384];    /* TLS plaintext out of SSL_read */
	uint8_t wbuf[16384];    /* WebSocket frames out of gw_ws_pending */
};

/* listen.c: binds every --listen / --port address and prints each. */
int gw_listen_all(struct gw *gw, char *err, size_t errlen);
void gw_listen_close(struct gw *gw);

/* tls.c: the two SSL_CTX (anon_ctx only if cfg.vnc_tlsplain), from
 * --cert/--key or the generated STATE/tls/ pair (cert.c). Replaces those
 * in gw (SIGHUP: connections keep the context they started with). */
int gw_tls_setup(struct gw *gw, char *err, size_t errlen);
/* cert.c: makes sure STATE/tls/{cert,key}.pem exist, generating them. */
int gw_cert_ensure(const char *state_dir, char *cert, char *key, size_t len,
		   int *generated, char *err, size_t errlen);
/* "AB:CD:..." (95 bytes + NUL) of the certificate in PEM file path. */
int gw_cert_fingerprint(const char *path, char out[96], char *err, size_t errlen);

void gw_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t gw_now_ms(void);   /* CLOCK_MONOTONIC */

/* --- byte streams (stream.c) --- */

struct gw_stream;

struct gw_stream_ops {
	/* Payload from the peer: decrypted and unframed. */
	void (*data)(struct gw_stream *s, const uint8_t *buf, size_t len);
	/* The TLS handshake finished; err NULL on success. */
	void (*tls_done)(struct gw_stream *s, const char *err);
	/* A write completed with unsent bytes at or below GW_LOW_WATER. */
	void (*drain)(struct gw_stream *s);
	/* The peer is gone: err NULL for an orderly close (EOF, TLS
	 * close_notify, WebSocket close 1000/1001), else why. */
	void (*end)(struct gw_stream *s, const char *err);
};

struct gw_stream {
	struct gw *gw;
	struct gw_conn *conn;
	uv_stream_t *h;          /* the conn's tcp or pipe handle */
	const struct gw_stream_ops *ops;
	SSL *ssl;                /* TLS between us and the peer, or NULL */
	struct gw_ws *ws;        /* WebSocket framing inside that, or NULL */
	size_t unsent;           /* bytes given to uv_write and not yet written */
	uint64_t wire_in, wire_out;
	int reading;
	int tls_up;
	int ws_code;             /* close code from the peer, 0 none */
	int dead;                /* no more callbacks (the conn is ending) */
	/* Called (even when dead) when unsent reaches 0. */
	void (*flushed)(struct gw_stream *s);
};

void gw_stream_init(struct gw_stream *s, struct gw_conn *c, uv_stream_t *h);
void gw_stream_free(struct gw_stream *s);
/* Starts or stops reading from the peer (back-pressure). */
void gw_stream_read(struct gw_stream *s, int on);
/* Queues payload to the peer, through WebSocket and TLS when set. 0, or
 * -1 with a reason in *why (the caller ends the connection). */
int gw_stream_send(struct gw_stream *s, const void *buf, size_t len, const char **why);
size_t gw_stream_unsent(const struct gw_stream *s);
/* TLS server from now on, with ctx; bytes already read are injected. */
int gw_stream_start_tls(struct gw_stream *s, SSL_CTX *ctx, const char **why);
/* WebSocket framing from now on (server side). */
int gw_stream_start_ws(struct gw_stream *s);
/* Handles buf as if it had just been read from the peer (ciphertext when
 * TLS is on). */
void gw_stream_inject(struct gw_stream *s, const uint8_t *buf, size_t len);
/* Handles buf as payload already out of TLS (WebSocket frames, if on). */
void gw_stream_inject_plain(struct gw_stream *s, const uint8_t *buf, size_t len);
/* Says goodbye at every layer: WebSocket close (code), TLS close_notify. */
void gw_stream_goodbye(struct gw_stream *s, uint16_t ws_code);

/* --- connections (conn.c) --- */

enum gw_stage { GW_ST_CLASSIFY, GW_ST_HTTPS, GW_ST_HTTP, GW_ST_WS, GW_ST_VNC, GW_ST_RDP,
		GW_ST_RELAY };

/* A relayed session, for the start/end log lines and the metrics. */
struct gw_session {
	int active;
	enum gw_sproto proto;
	char user[AUTH_NAME_MAX + 1], vm[AUTH_NAME_MAX + 1];
	uint64_t start_ms, bytes_in, bytes_out;
};

struct gw_http;
struct gw_vnc;
struct gw_rdp;

struct gw_conn {
	struct gw *gw;
	struct gw_conn *next, *prev;
	uint64_t id;
	char source[INET6_ADDRSTRLEN + 16];   /* "[::1]:51234", "10.0.0.2:5000" */
	char addr[INET6_ADDRSTRLEN];          /* numeric address alone */
	int loopback;
	uint64_t accepted_ms;
	enum gw_stage stage;

	uv_tcp_t tcp;
	struct gw_stream client;
	uv_timer_t timer;        /* the current stage's deadline or delay */
	uv_pipe_t pipe;          /* to the VM's vnc.sock */
	uv_connect_t pipe_req;
	struct gw_stream vm;
	int pipe_open;

	uint8_t head[GW_CLASSIFY_MAX];
	size_t head_len;

	struct gw_http *http;
	struct gw_vnc *vnc;
	struct gw_rdp *rdp;
	struct gw_session sess;
	uint8_t *upgrade;        /* the 101 answer, sent once the VM is connected */
	size_t upgrade_len;
	char user[AUTH_NAME_MAX + 1], vm_name[AUTH_NAME_MAX + 1];  /* once authenticated */

	int handles;             /* uv handles not yet closed */
	int work;                /* worker-pool jobs in flight */
	int closing, ending;
	const char *end_reason;
	char end_error[128];     /* what went wrong, for the session's end line */
};

/* Ends the connection: logs the session's end, stops both sides, closes
 * the VM side, says goodbye to the client and closes once its last bytes
 * are out (GW_FLUSH_MS at most). reason: for the log ("client-closed").
 * Safe from any callback: the teardown runs from the loop. */
void gw_conn_end(struct gw_conn *c, const char *reason);
/* Closes every handle now; frees c once they and its jobs are done. */
void gw_conn_close(struct gw_conn *c);
/* A worker job of c finished: frees c if it was closed meanwhile.
 * Returns 1 if the caller must not touch c any more. */
int gw_conn_work_done(struct gw_conn *c);
/* Points the conn's timer at fn after ms (replacing what it did). */
void gw_conn_timer(struct gw_conn *c, uint64_t ms, uv_timer_cb fn);
/* Connects c->pipe to RUN/vm/vnc.sock; cb runs on the loop with 0 or a
 * libuv error (UV_ENOENT: no display). -1 if the path is too long. */
int gw_conn_connect_vm(struct gw_conn *c, const char *vm, uv_connect_cb cb);
void gw_accept(uv_stream_t *server, int status);
/* Every connection ends at once (shutdown). */
void gw_conn_close_all(struct gw *gw);

/* --- stages --- */

/* http.c: HTTP/1.1 inside TLS (or plain: redirect only); bytes already
 * read are injected by the caller. */
int gw_http_start(struct gw_conn *c, int plain);
void gw_http_free(struct gw_http *h);
/* Answers the current request (body copied), then the next request or a
 * close. delay_ms > 0: not before then (failed log-ins). */
void gw_http_reply(struct gw_conn *c, int status, const char *ctype,
		   const char *extra, const void *body, size_t len, unsigned delay_ms);
/* {"error": msg} */
void gw_http_error(struct gw_conn *c, int status, const char *msg, unsigned delay_ms);
/* Bytes read after the current request (an upgrade's first frames):
 * handed over and forgotten by the HTTP layer. */
const uint8_t *gw_http_leftover(struct gw_conn *c, size_t *len);
/* 1 if the request is a same-host Origin, or carries none. */
int gw_http_origin_ok(const struct gw_http_req *r);
/* The connection closes after the current answer. */
void gw_http_no_keep_alive(struct gw_conn *c);

/* api.c: one complete request inside TLS; answers it (maybe later). */
void gw_api_handle(struct gw_conn *c, const struct gw_http_req *r);
/* static.c: GET/HEAD of a file under --web-root. */
void gw_static_serve(struct gw_conn *c, const struct gw_http_req *r);
/* ws_relay.c: GET /vnc/NAME?ticket=T with Upgrade. */
void gw_ws_relay_start(struct gw_conn *c, const struct gw_http_req *r, const char *vm);
/* vnc_native.c: the peer stayed silent: greet it as a VNC server. */
void gw_vnc_start(struct gw_conn *c);
void gw_vnc_free(struct gw_vnc *v);

/* rdp.c: an RDP client (p: GW_PROTO_RDP or GW_PROTO_RDP_PCB); the bytes
 * classification read are injected by the caller. */
int gw_rdp_start(struct gw_conn *c, enum gw_proto p);
void gw_rdp_free(struct gw_rdp *r);
/* The live connection with this id that was routed to vm by RDP, or NULL:
 * how the auth service learns the real client of a display's request. */
struct gw_conn *gw_rdp_conn(struct gw *gw, uint64_t id, const char *vm);
/* The name the gateway binds its end of an RDP connection to a display to
 * (an abstract unix address; the display sees it as the peer's name):
 * "porthole-gw/PID/ID". */
int gw_rdp_peer_name(uint64_t id, char *out, size_t len);

/* authd.c: the local auth service on RUN/auth.sock (docs/gateway.md). */
int gw_authd_start(struct gw *gw, char *err, size_t errlen);
/* Stops listening, removes the socket, drops the clients (jobs still on
 * the worker pool finish and free themselves). */
void gw_authd_stop(struct gw *gw);

/* login.c: auth_login on the worker pool; done runs on the loop (unless c
 * closed meanwhile). The strings are copied; the password is wiped. */
typedef void (*gw_login_cb)(struct gw_conn *c, const char *user,
			    const struct auth_verdict *v);
int gw_login(struct gw_conn *c, const char *user, const char *password,
	     const char *totp, gw_login_cb done);

/* relay.c: both streams connected and past their handshakes. Logs the
 * session's start; bytes relayed from now on count for it. */
void gw_relay_start(struct gw_conn *c, enum gw_sproto proto, const char *user,
		    const char *vm);
void gw_session_end(struct gw_conn *c, const char *reason);

#endif
