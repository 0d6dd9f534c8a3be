/* SPDX-License-Identifier: MIT */
/*
 * Gateway tests: a real porthole-gateway as a process, on a state
 * directory whose users the real `porthole` CLI made, in front of a real
 * porthole-vmm (the demo guest) and porthole-display for the VM "demo"
 * (tests/display/dtest.c runs those), all in one private directory; the
 * clients are the test's own (gwclient.h) and libvncclient. Whatever
 * happens, the processes and the directory go at exit, and a failing test
 * shows the gateway's last log lines.
 *
 * Users: alice may reach demo; bob may reach nothing; carol has TOTP and
 * may reach demo; admin is in group admin (every VM, /metrics).
 *
 * usage of a test program: PROG CASE VMM DISPLAY GATEWAY CLI
 */
#ifndef PORTHOLE_GWTEST_H
#define PORTHOLE_GWTEST_H

#include "dtest.h"
#include "gwclient.h"

#define GW_VM      "demo"
#define GW_W       800
#define GW_H       600

#define ALICE_PW   "alice: correct horse"
#define BOB_PW     "bob-battery-staple"
#define CAROL_PW   "carol+totp 2fa"
#define ADMIN_PW   "admin password 9"

/* gw_init flags */
#define GW_WITH_VM   1   /* porthole-vmm + porthole-display for demo */
#define GW_EXT       2   /* listen on a non-loopback address as well */

struct gw {
	struct dt dt;           /* the VM and its display (GW_WITH_VM) */
	int with_vm;
	const char *gw_bin, *cli_bin;
	char base[64];          /* the private directory */
	char run[96];           /* --run-dir: base (VM demo is base/demo) */
	char state[96];         /* base/state */
	char cert[128];         /* STATE/tls/cert.pem */
	char log[96];           /* the gateway's stderr */
	pid_t pid;
	int starts;
	int bridges;            /* gw_ws_bridge sockets made */
	int port;               /* on 127.0.0.1 */
	int ext_port;           /* on ext_ip (GW_EXT), else 0 */
	char ext_ip[64];
	SSL_CTX *ctx;           /* TLS 1.2+, trusting cert */
	char totp_secret[128];  /* carol's, base32 */
	int last_lport;         /* the client port of gw_login's connection */
};

/* Parses argv, skips (77, saying why) without KVM (GW_WITH_VM) or without
 * the gateway or CLI built; makes the directory and the users; with
 * GW_WITH_VM boots the demo guest and starts its display. */
void gw_init(struct gw *g, int argc, char **argv, int flags);
/* Starts porthole-gateway (extra args NULL-terminated, may be NULL) and
 * returns once it prints what it listens on. */
void gw_start(struct gw *g, char *const *extra);
/* SIGTERM; checks it exits and its log has no sanitizer report. */
void gw_stop(struct gw *g);
/* The end of a case that passed: the gateway (if running), the display
 * and the VM stopped cleanly, so that nothing reads as a failure. */
void gw_done(struct gw *g);
/* Checks the gateway is still running. */
void gw_alive(struct gw *g);
/* Checks the gateway's log has no sanitizer report so far. */
void gw_log_clean(struct gw *g);

/* The `porthole` CLI with args (NULL-terminated), --state-dir added;
 * stdin gets input (may be NULL); stdout into out. Exit status. */
int gw_cli(struct gw *g, const char *input, char *out, size_t outlen,
	   const char *const *args);

/* One case of a test program: its name on the command line, what it
 * runs, and gw_init's flags. */
struct gw_case {
	const char *name;
	void (*fn)(struct gw *g);
	int flags;
};

/* main of a test program: runs the case argv[1] names, then gw_done. */
int gw_main(int argc, char **argv, const struct gw_case *cases, size_t n);

/* --- the gateway's log --- */

/* Where the log ends now: search from here for what comes next. */
size_t gw_log_mark(struct gw *g);
/* A line written after mark containing every one of the NULL-terminated
 * words, waiting up to timeout_ms; copied into line. 1 found, 0 not. */
int gw_log_find(struct gw *g, size_t mark, int timeout_ms, char *line,
		size_t linelen, ...) __attribute__((sentinel));
/* A line after mark that names the peer 127.0.0.1:lport (or
 * [127.0.0.1]:lport, or any address with that port when src is NULL) and
 * contains word (may be NULL). 1 found, 0 not. */
int gw_log_find_peer(struct gw *g, size_t mark, int timeout_ms, const char *src,
		     int lport, const char *word, char *line, size_t linelen);
/* CHECKs that a line after mark names the peer (and word, if not
 * NULL), within 10 s; prints it. what: the refusal, for the message. */
void gw_expect_logged(struct gw *g, size_t mark, const char *src, int lport,
		      const char *word, const char *what);
/* Lines after mark containing word. */
int gw_log_count(struct gw *g, size_t mark, const char *word);

/* --- the HTTP API --- */

/* A response buffer (malloc'ed; it is big). */
struct gc_resp *gw_resp_new(void);
/* A plain TCP connection to the gateway from src (NULL: any). */
struct gc_conn *gw_plain(struct gw *g, const char *src);

/* A TLS connection to the gateway from source address src (NULL:
 * 127.0.0.1); CHECKs the handshake. */
struct gc_conn *gw_connect(struct gw *g, const char *src);
/* POST /api/login on a new connection from src; the answer into r.
 * totp may be NULL. Returns the status. */
int gw_login(struct gw *g, const char *src, const char *user,
	     const char *password, const char *totp, struct gc_resp *r);
/* Logs in (CHECKed 200) and returns the session cookie's value. */
void gw_session(struct gw *g, const char *user, const char *password,
		char *cookie, size_t len);
/* POST /api/vms/VM/ticket on c; the ticket into out (when 200). Status. */
int gw_ticket(struct gw *g, struct gc_conn *c, const char *cookie,
	      const char *vm, char *out, size_t outlen);
/* A WebSocket to /vnc/VM?ticket=T with the right Origin; CHECKs 101. */
struct gc_conn *gw_ws_vnc(struct gw *g, const char *vm, const char *ticket);
/* A counter or gauge from GET /metrics (from 127.0.0.1): the sum over the
 * samples of name whose labels include every one in labels (a
 * comma-separated list like `reason="bad_password"`, or NULL). 0 when no
 * sample matches. */
double gw_metric(struct gw *g, const char *name, const char *labels);
/* The same from a /metrics text already fetched. */
double gw_metric_in(const char *text, const char *name, const char *labels);
/* GET /metrics from 127.0.0.1 on a new connection (malloc'ed text). */
char *gw_metrics_now(struct gw *g);
/* The whole /metrics text (malloc'ed), fetched on c. */
char *gw_metrics_text(struct gw *g, struct gc_conn *c, const char *cookie,
		      int *status);

/* carol's current TOTP code. */
void gw_totp(struct gw *g, long offset_steps, char code[7]);

/* --- VNC --- */

/* Native VNC through the gateway with libvncclient (VeNCrypt, X509Plain
 * with the gateway's certificate as CA). NULL if refused. */
rfbClient *gw_vnc_native(struct gw *g, const char *user, const char *password);
void gw_vnc_native_close(rfbClient *c);
/* Pumps c until its framebuffer equals shot (GW_W x GW_H). */
void gw_vnc_wait_equal(rfbClient *c, const uint32_t *shot, int timeout_ms);

/* A unix socket path whose one connection is relayed to ws (a WebSocket
 * through the gateway) by a thread: dtest's libvncclient client (vc_open)
 * then talks RFB over the gateway's WebSocket relay. The path is
 * malloc'ed. */
char *gw_ws_bridge(struct gw *g, struct gc_conn *ws);

/* Writes all of buf to a blocking fd: 0, or -1. */
int gw_write_all(int fd, const void *buf, size_t n);

/* The gateway's RSS and open descriptors. */
long gw_rss_kib(struct gw *g);
int gw_fds(struct gw *g);

#endif
