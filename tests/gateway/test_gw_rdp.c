// SPDX-License-Identifier: MIT
/*
 * RDP through porthole-gateway (docs/gateway.md, "RDP"): the gateway is
 * under test; the RDP server behind it is the test's own observer, a unix
 * listener at RUN/VM/rdp.sock that records what arrives (the gateway must
 * forward the X.224 request byte for byte and never speak RDP itself), and
 * the clients are raw TCP sending what xfreerdp and mstsc send. The real
 * RDP server end to end is tests/display's.
 *
 *   route    routing token, mstshash cookie (one VM / three), standard RDP
 *            security refused in-protocol, nothing named, VM not running
 *   tickets  PCB tickets: valid (PCB dropped), replayed, expired, another
 *            VM, another protocol, tampered; a refused request keeps it
 *   download GET /api/vms/NAME/rdp and `porthole ticket --rdp`: the same
 *            file, and its ticket opens the VM
 *   authsvc  RUN/auth.sock: right and wrong passwords, a VM not allowed, a
 *            TOTP user, lockout, a malformed request, another uid (root
 *            only), and the real client's address through the gateway's
 *            own connection name
 *
 * Users (gwtest.h): alice reaches demo only; bob nothing; carol (TOTP)
 * demo; admin all. Added here: dave reaches demo, other and stopped.
 */
#include "gwtest.h"
#include "authsvc.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DAVE_PW "dave's two VMs"
#define WAIT_MS 10000

/* The observer: one listener per VM, at RUN/VM/rdp.sock. */
enum { OBS_DEMO, OBS_OTHER, OBS_N };
static const char *const obs_vm[OBS_N] = { GW_VM, "other" };

struct obs {
	int lfd[OBS_N];
};

static struct obs obs;

/* --- bytes as RDP clients send them --- */

/* The X.224 Connection Request: TPKT, the CR's fixed part, an optional line
 * (routing token or cookie) and RDP_NEG_REQ unless protocols < 0. */
static size_t x224_cr(uint8_t *b, const char *line, long protocols)
{
	static const uint8_t fixed[11] = { 3, 0, 0, 0, 0, 0xe0 };
	size_t n, len;

	memcpy(b, fixed, sizeof(fixed));
	n = sizeof(fixed);
	if (line)
		n += (size_t)sprintf((char *)b + n, "%s\r\n", line);
	if (protocols >= 0) {
		const uint8_t neg[8] = { 1, 0, 8, 0, (uint8_t)protocols, 0, 0, 0 };

		memcpy(b + n, neg, sizeof(neg));
		n += sizeof(neg);
	}
	len = n;
	b[2] = (uint8_t)(len >> 8);
	b[3] = (uint8_t)len;
	b[4] = (uint8_t)(len - 5);
	return len;
}

/* [MS-RDPEPS] version 2 with the ticket and one NUL, as mstsc sends
 * `pcb:s:`. */
static size_t pcb_v2(uint8_t *b, const char *ticket)
{
	size_t chars = strlen(ticket) + 1, size = 18 + 2 * chars;

	memset(b, 0, 16);
	b[0] = (uint8_t)size;         /* cbSize, Flags 0, Version 2, Id 0 (LE) */
	b[1] = (uint8_t)(size >> 8);
	b[8] = 2;
	b[16] = (uint8_t)chars;
	b[17] = (uint8_t)(chars >> 8);
	for (size_t i = 0; i < chars; i++) {
		b[18 + 2 * i] = (uint8_t)ticket[i];
		b[19 + 2 * i] = 0;
	}
	return size;
}

static struct gc_conn *rdp_send(struct gw *g, const uint8_t *b, size_t n)
{
	struct gc_conn *c = gw_plain(g, NULL);

	CHECK(gc_send(c, b, n) == 0, "sending %zu bytes to the gateway", n);
	return c;
}

/* --- the observer --- */

static int listen_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	CHECK(fd >= 0 && strlen(path) < sizeof(sa.sun_path), "socket for %s", path);
	strcpy(sa.sun_path, path);
	CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(fd, 16) == 0,
	      "listen on %s: %s", path, strerror(errno));
	return fd;
}

/* The next connection the gateway made to VM i, or -1 within ms. */
static int obs_accept(int i, int ms)
{
	struct pollfd p = { .fd = obs.lfd[i], .events = POLLIN };

	if (poll(&p, 1, ms) <= 0)
		return -1;
	return accept4(obs.lfd[i], NULL, NULL, SOCK_CLOEXEC);
}

/* Exactly want bytes from fd within WAIT_MS, and then nothing more for a
 * moment: what the gateway forwarded. */
static void obs_expect(int fd, const uint8_t *want, size_t n, const char *what)
{
	uint8_t got[4096];
	size_t have = 0;
	uint64_t end = gc_now_ms() + WAIT_MS;

	while (have < sizeof(got)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int ms = have >= n ? 200 : (int)(end - gc_now_ms());
		ssize_t r;

		if (ms <= 0 || poll(&p, 1, ms) <= 0)
			break;
		r = read(fd, got + have, sizeof(got) - have);
		if (r <= 0)
			break;
		have += (size_t)r;
	}
	CHECK(have == n && memcmp(got, want, n) == 0, "%s: the display got %zu bytes, not "
	      "the client's %zu (the request must arrive unchanged, without the "
	      "preconnection PDU)", what, have, n);
}

/* The gateway made no connection to any VM. */
static void obs_none(const char *what)
{
	for (int i = 0; i < OBS_N; i++) {
		int fd = obs_accept(i, 0);

		CHECK(fd < 0, "%s: the gateway connected to %s's rdp.sock", what, obs_vm[i]);
	}
}

/* The display's peer name: the gateway's end, "porthole-gw/PID/ID". */
static void peer_name(int fd, char *out, size_t len)
{
	struct sockaddr_un sa;
	socklen_t sl = sizeof(sa);
	size_t n;

	CHECK(getpeername(fd, (struct sockaddr *)&sa, &sl) == 0, "getpeername");
	n = sl - offsetof(struct sockaddr_un, sun_path);
	CHECK(n > 1 && sa.sun_path[0] == 0 && n < len, "the gateway's end of the display "
	      "connection has no abstract name (%zu bytes)", n);
	out[0] = '@';
	memcpy(out + 1, sa.sun_path + 1, n - 1);
	out[n] = 0;
	CHECK(strncmp(out, "@porthole-gw/", 13) == 0, "peer name '%s'", out);
}

static void setup(struct gw *g)
{
	char path[256], out[512];
	static const char *const allow[] = { GW_VM, "other", "stopped" };

	CHECK(gw_cli(g, DAVE_PW "\n", out, sizeof(out), (const char *const[]){ "user", "add",
		"dave", "--password-stdin", NULL }) == 0, "user add dave");
	for (size_t i = 0; i < 3; i++)
		CHECK(gw_cli(g, NULL, out, sizeof(out), (const char *const[]){ "vm", "allow",
			allow[i], "dave", NULL }) == 0, "vm allow %s dave", allow[i]);
	for (int i = 0; i < OBS_N; i++) {
		snprintf(path, sizeof(path), "%s/%s", g->run, obs_vm[i]);
		CHECK(mkdir(path, 0700) == 0 || errno == EEXIST, "mkdir %s", path);
		snprintf(path, sizeof(path), "%s/%s/rdp.sock", g->run, obs_vm[i]);
		obs.lfd[i] = listen_unix(path);
	}
	snprintf(path, sizeof(path), "%s/stopped", g->run);
	CHECK(mkdir(path, 0700) == 0, "mkdir %s", path);
	gw_start(g, NULL);
}

/* The connection c is refused: closed, nothing reached a VM, and the
 * gateway said why (word) naming c (its port is unique in the log). */
static void refused(struct gw *g, struct gc_conn *c, const char *word, const char *what)
{
	char line[1024];

	/* Twice the wait: a request cut short has 10 s to finish. */
	CHECK(gc_wait_closed(c, 2 * WAIT_MS), "%s: not closed within %d s", what,
	      2 * WAIT_MS / 1000);
	CHECK(gw_log_find_peer(g, 0, WAIT_MS, "127.0.0.1", c->lport, word, line,
			       sizeof(line)), "%s: no log line naming the client with '%s'",
	      what, word);
	obs_none(what);
	printf("%s: refused: %s\n", what, line);
	gc_close(c);
}

/* A request with line and protocols that is refused with word. */
static void refuse_cr(struct gw *g, const char *line, long protocols, const char *word,
		      const char *what)
{
	uint8_t b[512];
	size_t n = x224_cr(b, line, protocols);

	refused(g, rdp_send(g, b, n), word, what);
}

/* c was routed to VM i with the request req: the display got it, and the
 * relay works both ways. Returns the display's end (closed by the caller). */
static int routed(struct gw *g, struct gc_conn *c, int i, const uint8_t *req, size_t n,
		  const char *what)
{
	static const char hello[] = "the display speaks";
	char back[sizeof(hello)];
	int fd = obs_accept(i, WAIT_MS);

	CHECK(fd >= 0, "%s: the gateway did not connect %s's rdp.sock", what, obs_vm[i]);
	obs_expect(fd, req, n, what);
	CHECK(write(fd, hello, sizeof(hello)) == sizeof(hello), "write");
	CHECK(gc_read(c, back, sizeof(back), WAIT_MS) == 0 && !memcmp(back, hello, sizeof(back)),
	      "%s: the display's bytes did not reach the client", what);
	CHECK(gc_send(c, "more", 4) == 0, "send");
	obs_expect(fd, (const uint8_t *)"more", 4, what);
	printf("%s: routed to %s, relayed both ways\n", what, obs_vm[i]);
	return fd;
}

/* --- route --- */

static void case_route(struct gw *g)
{
	uint8_t b[512];
	struct gc_conn *c;
	size_t n, mark;
	char line[1024];
	int fd, lport;

	setup(g);

	/* A routing token, with CredSSP and TLS asked for. */
	n = x224_cr(b, "Cookie: msts=porthole:other", 0x03);
	mark = gw_log_mark(g);
	c = rdp_send(g, b, n);
	fd = routed(g, c, OBS_OTHER, b, n, "routing token Cookie: msts=porthole:other");
	lport = c->lport;
	CHECK(gw_log_find_peer(g, mark, WAIT_MS, "127.0.0.1", lport,
			       "session start", line, sizeof(line)) &&
	      strstr(line, "user=- vm=other protocol=rdp"), "session start line: %s", line);
	gc_close(c);
	close(fd);
	CHECK(gw_log_find_peer(g, mark, WAIT_MS, "127.0.0.1", lport, "session end",
			       line, sizeof(line)) && strstr(line, "protocol=rdp"),
	      "no session end line");
	n = x224_cr(b, "Cookie: msts=PORTHOLE:" GW_VM "  ", 0x01);
	c = rdp_send(g, b, n);
	close(routed(g, c, OBS_DEMO, b, n, "routing token PORTHOLE:demo and spaces"));
	gc_close(c);
	refuse_cr(g, "porthole:" GW_VM, 0x01, "names no VM (write it 'Cookie: msts=porthole:VM')",
		  "a bare porthole:demo (FreeRDP's server would fail on it)");

	/* mstshash: alice's one VM; dave has three; nobody has none. */
	n = x224_cr(b, "Cookie: mstshash=Alice", 0x01);
	c = rdp_send(g, b, n);
	close(routed(g, c, OBS_DEMO, b, n, "mstshash=Alice (one VM)"));
	gc_close(c);
	refuse_cr(g, "Cookie: mstshash=dave", 0x01, "has 3 VMs", "mstshash=dave (three VMs)");
	refuse_cr(g, "Cookie: mstshash=nobody", 0x01, "has 0 VMs", "mstshash=nobody");

	/* Standard RDP security only: told so in RDP_NEG_FAILURE, then closed. */
	{
		static const uint8_t failure[19] = { 3, 0, 0, 19, 14, 0xd0, 0, 0, 0, 0, 0,
						     3, 0, 8, 0, 1, 0, 0, 0 };
		uint8_t got[19];

		n = x224_cr(b, "Cookie: msts=porthole:" GW_VM, 0);
		c = rdp_send(g, b, n);
		CHECK(gc_read(c, got, sizeof(got), WAIT_MS) == 0 &&
		      memcmp(got, failure, sizeof(got)) == 0, "PROTOCOL_RDP only: no "
		      "RDP_NEG_FAILURE (SSL_REQUIRED_BY_SERVER)");
		refused(g, c, "standard RDP security only",
			"PROTOCOL_RDP only");
		n = x224_cr(b, "Cookie: mstshash=alice", -1);
		c = rdp_send(g, b, n);
		CHECK(gc_read(c, got, sizeof(got), WAIT_MS) == 0 &&
		      memcmp(got, failure, sizeof(got)) == 0, "no RDP_NEG_REQ: no "
		      "RDP_NEG_FAILURE");
		refused(g, c, "standard RDP security only", "no RDP_NEG_REQ");
	}

	/* Nothing names a VM; a token naming none of ours; a VM not running;
	 * malformed requests. */
	refuse_cr(g, NULL, 0x01, "nothing names a VM", "no token, cookie or ticket");
	refuse_cr(g, "tsv://MS Terminal Services Plugin.1.Sessions", 0x01, "names no VM",
		  "a Connection Broker token");
	refuse_cr(g, "Cookie: msts=porthole:stopped", 0x01, "vm=stopped",
		  "porthole:stopped (no rdp.sock)");
	n = x224_cr(b, "Cookie: msts=porthole:" GW_VM, 0x01);
	b[4]--;   /* the length indicator: the classifier takes it, the parser not */
	c = rdp_send(g, b, n);
	refused(g, c, "malformed X.224", "a wrong length indicator");
	/* The start of a request, then silence: closed at the deadline. */
	n = x224_cr(b, "Cookie: msts=porthole:" GW_VM, 0x01);
	c = rdp_send(g, b, 8);
	refused(g, c, "no whole connection request", "a request cut short");

	CHECK(gw_metric(g, "porthole_gateway_rdp_refused_total", "reason=\"no_single_vm\"") == 2,
	      "rdp_refused_total{no_single_vm}");
	CHECK(gw_metric(g, "porthole_gateway_rdp_refused_total",
			"reason=\"standard_security\"") == 2, "rdp_refused_total{standard_security}");
	CHECK(gw_metric(g, "porthole_gateway_sessions_total", "protocol=\"rdp\"") == 3,
	      "sessions_total{rdp}");
	CHECK(gw_metric(g, "porthole_gateway_classified_total", "protocol=\"rdp\"") == 13,
	      "classified_total{rdp}");
	printf("metrics: refusals by reason, 3 RDP sessions, 13 RDP connections\n");
}

/* --- tickets --- */

static void cli_ticket(struct gw *g, const char *user, const char *proto, char *out,
		       size_t len)
{
	CHECK(gw_cli(g, NULL, out, len, (const char *const[]){ "ticket", GW_VM, "--user",
		user, "--protocol", proto, NULL }) == 0, "porthole ticket");
	out[strcspn(out, "\n")] = 0;
	CHECK(strncmp(out, "p1.", 3) == 0, "porthole ticket printed '%s'", out);
}

/* A PCB with ticket, then a CR (line may be NULL) asking for TLS. */
static struct gc_conn *with_ticket(struct gw *g, const char *ticket, const char *line,
				   long protocols, uint8_t *cr, size_t *cr_len)
{
	uint8_t b[1024];
	size_t n = pcb_v2(b, ticket);

	*cr_len = x224_cr(cr, line, protocols);
	memcpy(b + n, cr, *cr_len);
	return rdp_send(g, b, n + *cr_len);
}

static void ticket_refused(struct gw *g, const char *ticket, const char *line,
			   const char *result, const char *what)
{
	uint8_t cr[300];
	size_t n;
	char word[64];

	snprintf(word, sizeof(word), "ticket refused (%s)", result);
	refused(g, with_ticket(g, ticket, line, 0x01, cr, &n), word, what);
}

static void case_tickets(struct gw *g)
{
	char t[GC_TICKET_MAX], t2[GC_TICKET_MAX], err[AUTH_ERR_MAX], line[1024];
	uint8_t cr[300];
	struct gc_conn *c;
	struct auth *a;
	size_t n, mark;
	uint64_t now = (uint64_t)time(NULL);
	int fd;

	setup(g);
	cli_ticket(g, "alice", "rdp", t, sizeof(t));

	/* Refused for standard security: the ticket is not spent. */
	c = with_ticket(g, t, "Cookie: mstshash=alice", 0, cr, &n);
	refused(g, c, "standard RDP security only", "a ticket with PROTOCOL_RDP only");

	/* Valid: to demo, the PCB dropped, the ticket's user in the session. */
	mark = gw_log_mark(g);
	c = with_ticket(g, t, "Cookie: mstshash=alice", 0x01, cr, &n);
	fd = routed(g, c, OBS_DEMO, cr, n, "a valid ticket");
	CHECK(gw_log_find_peer(g, mark, WAIT_MS, "127.0.0.1", c->lport, "session start",
			       line, sizeof(line)) && strstr(line, "user=alice vm=" GW_VM),
	      "session start: %s", line);
	close(fd);
	gc_close(c);

	ticket_refused(g, t, NULL, "replayed", "the same ticket again");
	a = auth_open(g->state, err, sizeof(err));
	CHECK(a, "auth_open: %s", err);
	CHECK(auth_ticket_issue(a, "alice", GW_VM, AUTH_PROTO_RDP,
				now - AUTH_TICKET_TTL_S - 2, t2) == 0, "issue");
	ticket_refused(g, t2, NULL, "expired", "an expired ticket");
	CHECK(auth_ticket_issue(a, "dave", GW_VM, AUTH_PROTO_RDP, now, t2) == 0, "issue");
	ticket_refused(g, t2, "Cookie: msts=porthole:other", "wrong_vm",
		       "demo's ticket, token other");
	CHECK(auth_ticket_issue(a, "alice", GW_VM, AUTH_PROTO_VNC, now, t2) == 0, "issue");
	ticket_refused(g, t2, NULL, "wrong_protocol", "a VNC ticket");
	CHECK(auth_ticket_issue(a, "alice", GW_VM, AUTH_PROTO_RDP, now, t2) == 0, "issue");
	n = strlen(t2) - 2;   /* in the MAC, still base64url */
	t2[n] = t2[n] == 'A' ? 'B' : 'A';
	ticket_refused(g, t2, NULL, "bad_signature", "a tampered ticket");
	ticket_refused(g, "hello", NULL, "malformed", "a PCB string that is no ticket");
	auth_close(a);

	/* dave's ticket for other, with the matching token: routed there. */
	a = auth_open(g->state, err, sizeof(err));
	CHECK(a && auth_ticket_issue(a, "dave", "other", AUTH_PROTO_RDP, now, t2) == 0, "issue");
	auth_close(a);
	c = with_ticket(g, t2, "Cookie: msts=porthole:other", 0x01, cr, &n);
	close(routed(g, c, OBS_OTHER, cr, n, "dave's ticket for other, token other"));
	gc_close(c);
	CHECK(gw_metric(g, "porthole_gateway_auth_failures_total", "reason=\"ticket_replayed\"")
	      == 1, "auth_failures_total{ticket_replayed}");
	CHECK(gw_metric(g, "porthole_gateway_rdp_refused_total", "reason=\"ticket\"") == 6,
	      "rdp_refused_total{ticket}");
}

/* --- download --- */

/* The value of `key:TYPE:` in a .rdp file's text. */
static const char *rdp_value(const char *file, const char *key, char *out, size_t len)
{
	const char *p = strstr(file, key);
	size_t n;

	if (!p || (p != file && p[-1] != '\n'))
		return NULL;
	p += strlen(key);
	n = strcspn(p, "\r\n");
	snprintf(out, len, "%.*s", (int)n, p);
	return out;
}

static void case_download(struct gw *g)
{
	struct gc_resp *r = gw_resp_new();
	char cookie[128], hdr[256], host[64], ticket[GC_TICKET_MAX], file[1024], out[2048];
	uint8_t cr[300];
	struct gc_conn *c;
	size_t n;

	setup(g);
	gw_session(g, "alice", ALICE_PW, cookie, sizeof(cookie));
	c = gw_connect(g, NULL);
	CHECK(gc_http(c, "GET", "/api/vms", cookie, NULL, NULL, r) == 0 && r->status == 200 &&
	      strstr(r->body, "\"protocols\":[\"vnc\",\"rdp\"]"), "/api/vms: %s", r->body);
	CHECK(gc_http(c, "GET", "/api/vms/" GW_VM "/rdp", cookie, NULL, NULL, r) == 0 &&
	      r->status == 200, "GET /api/vms/demo/rdp: %d %s", r->status, r->body);
	CHECK(gc_header(r, "Content-Type", hdr, sizeof(hdr)) &&
	      strcmp(hdr, "application/x-rdp") == 0, "Content-Type %s", hdr);
	CHECK(gc_header(r, "Content-Disposition", hdr, sizeof(hdr)) &&
	      strcmp(hdr, "attachment; filename=\"demo.rdp\"") == 0, "Content-Disposition %s",
	      hdr);
	snprintf(file, sizeof(file), "%.*s", (int)r->body_len, r->body);
	snprintf(host, sizeof(host), "127.0.0.1:%d", g->port);
	CHECK(rdp_value(file, "full address:s:", hdr, sizeof(hdr)) && !strcmp(hdr, host),
	      "full address: %s, want %s (the request's Host)", hdr, host);
	CHECK(rdp_value(file, "username:s:", hdr, sizeof(hdr)) && !strcmp(hdr, "alice"),
	      "username %s", hdr);
	CHECK(rdp_value(file, "enablecredsspsupport:i:", hdr, sizeof(hdr)) && !strcmp(hdr, "0"),
	      "enablecredsspsupport %s", hdr);
	CHECK(rdp_value(file, "pcb:s:", ticket, sizeof(ticket)), "no pcb:s: in\n%s", file);
	printf("GET /api/vms/demo/rdp: 200, %zu bytes:\n%s", r->body_len, file);
	gc_close(c);

	/* What the client does with it: the PCB opens demo. */
	c = with_ticket(g, ticket, "Cookie: mstshash=alice", 0x01, cr, &n);
	close(routed(g, c, OBS_DEMO, cr, n, "the downloaded file's ticket"));
	gc_close(c);

	/* The CLI writes the same file, but for its ticket. */
	{
		char port[16], cli_file[1024], path[160], *a, *b;
		FILE *f;

		snprintf(port, sizeof(port), "%d", g->port);
		snprintf(path, sizeof(path), "%s/cli.rdp", g->base);
		CHECK(gw_cli(g, NULL, out, sizeof(out), (const char *const[]){ "ticket", GW_VM,
			"--user", "alice", "--protocol", "rdp", "--rdp", path, "--host",
			"127.0.0.1", "--port", port, NULL }) == 0, "porthole ticket --rdp");
		f = fopen(path, "r");
		CHECK(f, "%s: %s", path, strerror(errno));
		cli_file[fread(cli_file, 1, sizeof(cli_file) - 1, f)] = 0;
		fclose(f);
		a = strstr(file, "pcb:s:");
		b = strstr(cli_file, "pcb:s:");
		CHECK(a && b && a - file == b - cli_file && !memcmp(file, cli_file, (size_t)(a - file)) &&
		      !strcmp(strchr(a, '\n'), strchr(b, '\n')), "the CLI's file differs:\n%s",
		      cli_file);
		printf("porthole ticket --rdp: the same file with its own ticket\n");
	}

	/* Refusals: no session, not allowed, no such VM, no RDP server. */
	c = gw_connect(g, NULL);
	CHECK(gc_http(c, "GET", "/api/vms/" GW_VM "/rdp", NULL, NULL, NULL, r) == 0 &&
	      r->status == 401, "no session: %d", r->status);
	CHECK(gc_http(c, "GET", "/api/vms/other/rdp", cookie, NULL, NULL, r) == 0 &&
	      r->status == 404, "alice, other: %d", r->status);
	CHECK(gc_http(c, "POST", "/api/vms/" GW_VM "/rdp", cookie, NULL, "{}", r) == 0 &&
	      r->status == 405, "POST: %d", r->status);
	gc_close(c);
	gw_session(g, "dave", DAVE_PW, cookie, sizeof(cookie));
	c = gw_connect(g, NULL);
	CHECK(gc_http(c, "GET", "/api/vms/stopped/rdp", cookie, NULL, NULL, r) == 0 &&
	      r->status == 503, "dave, stopped: %d %s", r->status, r->body);
	CHECK(gc_http(c, "GET", "/api/vms/nosuch/rdp", cookie, NULL, NULL, r) == 0 &&
	      r->status == 404, "dave, nosuch: %d", r->status);
	gc_close(c);
	printf("401 without a session, 404 for a VM not allowed, 503 without rdp.sock\n");
	free(r);
}

/* --- authsvc --- */

static void verify(struct gw *g, const char *user, const char *pw, const char *vm,
		   const char *source, enum authsvc_result want, struct authsvc_answer *a)
{
	struct authsvc_request q = { .proto = AUTH_PROTO_RDP };
	char err[256];

	snprintf(q.vm, sizeof(q.vm), "%s", vm);
	snprintf(q.user, sizeof(q.user), "%s", user);
	snprintf(q.password, sizeof(q.password), "%s", pw);
	snprintf(q.source, sizeof(q.source), "%s", source);
	CHECK(authsvc_verify(g->run, &q, 30000, a, err, sizeof(err)) == 0,
	      "authsvc_verify %s: %s", user, err);
	CHECK(a->result == want, "authsvc_verify %s on %s: %d, want %d", user, vm, a->result,
	      want);
}

/* A raw request from this process: the answer's result, or -1 for none. */
static int raw_request(struct gw *g, const void *pkt, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct authsvc_answer a;
	uint8_t buf[AUTHSVC_MAX];
	struct pollfd p;
	ssize_t n = -1;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/" AUTHSVC_SOCK, g->run);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    send(fd, pkt, len, MSG_NOSIGNAL) == (ssize_t)len) {
		p = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (poll(&p, 1, WAIT_MS) == 1)
			n = recv(fd, buf, sizeof(buf), 0);
	}
	if (fd >= 0)
		close(fd);
	return n > 0 && authsvc_decode_answer(buf, (size_t)n, &a) == 0 ? (int)a.result : -1;
}

/* As root: a peer of another uid gets no answer, and the client side
 * refuses to send a password to a service of another uid. */
static void other_uid(struct gw *g)
{
	char path[160], line[1024];
	size_t mark;
	pid_t pid;
	int status;

	if (geteuid() != 0) {
		printf("another uid: skipped (needs root to run a peer as nobody)\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/" AUTHSVC_SOCK, g->run);
	/* Let nobody reach the socket, so that only the gateway's check stands. */
	CHECK(chmod(g->run, 0711) == 0 && chmod(path, 0666) == 0, "chmod");
	mark = gw_log_mark(g);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		struct authsvc_request q = { .proto = AUTH_PROTO_RDP, .vm = GW_VM,
					     .user = "alice", .password = ALICE_PW };
		struct authsvc_answer a;
		uint8_t pkt[AUTHSVC_MAX];
		char err[256];
		ssize_t n = authsvc_encode_request(&q, pkt, sizeof(pkt));

		if (setgid(65534) || setuid(65534))
			_exit(3);
		if (authsvc_verify(g->run, &q, WAIT_MS, &a, err, sizeof(err)) == 0 ||
		    !strstr(err, "not sending it a password"))
			_exit(4);
		_exit(raw_request(g, pkt, (size_t)n) == -1 ? 0 : 5);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0, "a peer of uid 65534: status 0x%x (3: setuid, 4: "
	      "authsvc_verify sent to another uid's service, 5: the gateway answered)", status);
	CHECK(gw_log_find(g, mark, WAIT_MS, line, sizeof(line), "auth service: refused pid",
			  "uid 65534", NULL), "no log line for the refused uid");
	chmod(g->run, 0700);
	printf("another uid: refused by the gateway (%s), and authsvc_verify sends it "
	       "nothing\n", line);
}

static void case_authsvc(struct gw *g)
{
	struct authsvc_answer a;
	struct stat st;
	char path[160], line[1024], name[128], out[512];
	uint8_t b[300];
	struct gc_conn *c;
	size_t n, mark;
	int fd, lport;

	setup(g);
	snprintf(path, sizeof(path), "%s/" AUTHSVC_SOCK, g->run);
	CHECK(lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600,
	      "%s: mode %o, want a socket of mode 0600", path, st.st_mode);

	verify(g, "alice", ALICE_PW, GW_VM, "192.0.2.1", AUTHSVC_OK, &a);
	CHECK(strcmp(a.user, "alice") == 0 && a.delay_ms == 0, "ok: user %s", a.user);
	verify(g, "Alice", ALICE_PW, GW_VM, "192.0.2.1", AUTHSVC_OK, &a);
	CHECK(strcmp(a.user, "alice") == 0, "canonical name: %s", a.user);
	mark = gw_log_mark(g);
	verify(g, "alice", "wrong", GW_VM, "192.0.2.1:5000", AUTHSVC_DENIED, &a);
	CHECK(a.delay_ms >= 250 && !a.user[0], "wrong password: delay %u", a.delay_ms);
	CHECK(gw_log_find(g, mark, WAIT_MS, line, sizeof(line), "login failed user=alice",
			  "source=192.0.2.1:5000", "protocol=rdp", "reason=bad_password", NULL),
	      "no 'login failed' line for the wrong password");
	verify(g, "bob", BOB_PW, GW_VM, "192.0.2.1", AUTHSVC_DENIED, &a);
	CHECK(a.delay_ms >= 250, "vm not allowed: delay %u", a.delay_ms);
	CHECK(gw_log_find(g, mark, WAIT_MS, line, sizeof(line), "user=bob",
			  "reason=vm_not_allowed", NULL), "no vm_not_allowed line");
	verify(g, "carol", CAROL_PW, GW_VM, "192.0.2.1", AUTHSVC_TOTP, &a);
	verify(g, "carol", "not carol's", GW_VM, "192.0.2.1", AUTHSVC_DENIED, &a);
	printf("right password: ok; wrong: denied after %u ms; VM not allowed: denied; "
	       "TOTP user: totp\n", a.delay_ms);

	/* Five failures in a row lock the name. */
	CHECK(gw_cli(g, "erin's\n", out, sizeof(out), (const char *const[]){ "user", "add",
		"erin", "--password-stdin", NULL }) == 0, "user add erin");
	for (int i = 0; i < 5; i++)
		verify(g, "erin", "guess", GW_VM, "192.0.2.2", AUTHSVC_DENIED, &a);
	verify(g, "erin", "erin's", GW_VM, "192.0.2.2", AUTHSVC_LOCKED, &a);
	printf("after 5 failures: locked, even with the right password\n");

	/* A malformed request: an answer that says so. */
	CHECK(raw_request(g, "PAV1\x01", 5) == AUTHSVC_ERROR, "a malformed request: not "
	      "answered AUTHSVC_ERROR");
	other_uid(g);

	/* A display names the gateway's end of its connection: the lockout and
	 * the logs get the real client, and the session its user. */
	n = x224_cr(b, "Cookie: msts=porthole:" GW_VM, 0x01);
	mark = gw_log_mark(g);
	c = rdp_send(g, b, n);
	fd = routed(g, c, OBS_DEMO, b, n, "a routed connection");
	peer_name(fd, name, sizeof(name));
	verify(g, "alice", ALICE_PW, GW_VM, name, AUTHSVC_OK, &a);
	CHECK(gw_log_find_peer(g, mark, WAIT_MS, "127.0.0.1", c->lport, "login ok user=alice",
			       line, sizeof(line)) && strstr(line, "protocol=rdp vm=demo id="),
	      "the login line does not name the client 127.0.0.1:%d", c->lport);
	printf("source %s: %s\n", name, line);
	lport = c->lport;
	gc_close(c);
	close(fd);
	CHECK(gw_log_find_peer(g, mark, WAIT_MS, "127.0.0.1", lport, "session end", line,
			       sizeof(line)) && strstr(line, "user=alice vm=demo protocol=rdp"),
	      "session end line without the verified user: %s", line);
	CHECK(gw_metric(g, "porthole_gateway_authsvc_requests_total", "result=\"ok\"") == 3 &&
	      gw_metric(g, "porthole_gateway_authsvc_requests_total", "result=\"totp\"") == 1 &&
	      gw_metric(g, "porthole_gateway_authsvc_requests_total", "result=\"locked\"") == 1,
	      "authsvc_requests_total");
	CHECK(gw_metric(g, "porthole_gateway_auth_failures_total", "reason=\"vm_not_allowed\"")
	      == 1, "auth_failures_total{vm_not_allowed}");
}

int main(int argc, char **argv)
{
	static const struct gw_case cases[] = {
		{ "route", case_route, 0 },
		{ "tickets", case_tickets, 0 },
		{ "download", case_download, 0 },
		{ "authsvc", case_authsvc, 0 },
	};

	signal(SIGPIPE, SIG_IGN);
	return gw_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
