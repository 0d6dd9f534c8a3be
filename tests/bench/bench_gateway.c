// SPDX-License-Identifier: MIT
/*
 * porthole-gateway's relay, side by side with HAProxy doing the same job:
 * TLS termination with the same certificate and a TCP relay to the same
 * backend over the same unix socket. The backend is a fake VM: its run
 * directory's vnc.sock is this program's RFB sink (security None, then,
 * after ClientInit/ServerInit, one command byte: stream bytes out, swallow
 * bytes, echo, or stay idle). Through the gateway the path is the real
 * native-VNC relay (VeNCrypt X509Plain log-in, then the gateway's own RFB
 * handshake with the sink) and the WebSocket relay (ticket, upgrade);
 * through HAProxy (mode tcp) the client does the sink's RFB handshake
 * itself. Figures:
 *
 * - download and upload MB/s (and the relay's CPU per GB moved);
 * - a 64-byte round trip: through each relay and straight to the socket
 *   (the added latency is the difference);
 * - full TLS handshakes per second, one client, one at a time;
 * - RSS per idle TLS connection (500), and per idle relayed session.
 *
 * Figures to read, not thresholds: a shared 2-core machine.
 *
 * usage: bench_gateway PORTHOLE_GATEWAY PORTHOLE_CLI [--seconds N]
 *                      [--haproxy PATH|none]
 */
#include "gwtest.h"

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define RUNS        3
#define IDLE_CONNS  500
#define IDLE_SESS   200
#define RTT_MSG     64

enum path { P_NATIVE, P_WS, P_HAPROXY, P_DIRECT, P_N };

static const char *const path_names[P_N] = {
	"gateway (native VNC)", "gateway (WebSocket)", "HAProxy", "direct (unix)",
};

struct bench {
	struct gw g;
	double secs;
	const char *haproxy_bin;
	pid_t haproxy;
	int hport;
	char sock[160];             /* the sink's vnc.sock */
	char cookie[128];           /* alice's web session, for tickets */
	_Atomic uint64_t up_bytes;  /* what the sink swallowed */
	int lfd;
};

/* --- the sink: an RFB server that streams, swallows or echoes --- */

struct sink_conn {
	struct bench *b;
	int fd;
};

static int rd(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static void *sink_serve(void *arg)
{
	struct sink_conn *k = arg;
	static const uint8_t server_init[] = {
		800 >> 8, 800 & 255, 600 >> 8, 600 & 255,
		32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0,
		0, 0, 0, 4, 's', 'i', 'n', 'k',
	};
	uint8_t v[12], b1, cmd, *buf = malloc(1 << 18);
	int fd = k->fd;

	if (!buf || gw_write_all(fd, "RFB 003.008\n", 12) || rd(fd, v, 12) ||
	    gw_write_all(fd, "\x01\x01", 2) || rd(fd, &b1, 1) || b1 != 1 ||
	    gw_write_all(fd, "\0\0\0\0", 4) || rd(fd, &b1, 1) ||
	    gw_write_all(fd, server_init, sizeof(server_init)) || rd(fd, &cmd, 1))
		goto out;
	memset(buf, 0x5a, 1 << 18);
	if (cmd == 'D') {
		while (gw_write_all(fd, buf, 1 << 18) == 0)
			;
	} else {
		for (;;) {
			ssize_t n = read(fd, buf, 1 << 18);

			if (n <= 0)
				break;
			if (cmd == 'U')
				atomic_fetch_add(&k->b->up_bytes, (uint64_t)n);
			else if (cmd == 'E' && gw_write_all(fd, buf, n))
				break;
		}
	}
out:
	close(fd);
	free(buf);
	free(k);
	return NULL;
}

static void *sink_accept(void *arg)
{
	struct bench *b = arg;
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 128 << 10);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		int fd = accept4(b->lfd, NULL, NULL, SOCK_CLOEXEC);
		struct sink_conn *k;
		pthread_t t;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break;
		}
		k = malloc(sizeof(*k));
		CHECK(k, "out of memory");
		k->b = b;
		k->fd = fd;
		CHECK(pthread_create(&t, &attr, sink_serve, k) == 0, "pthread_create");
	}
	return NULL;
}

static void sink_start(struct bench *b)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[128];
	pthread_t t;

	snprintf(dir, sizeof(dir), "%s/" GW_VM, b->g.run);
	CHECK(mkdir(dir, 0700) == 0, "mkdir %s: %s", dir, strerror(errno));
	snprintf(b->sock, sizeof(b->sock), "%s/vnc.sock", dir);
	CHECK(strlen(b->sock) < sizeof(sa.sun_path), "path too long");
	memcpy(sa.sun_path, b->sock, strlen(b->sock) + 1);
	b->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(b->lfd >= 0 && bind(b->lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	      listen(b->lfd, 1024) == 0, "sink %s: %s", b->sock, strerror(errno));
	CHECK(pthread_create(&t, NULL, sink_accept, b) == 0, "pthread_create");
	pthread_detach(t);
}

/* --- HAProxy --- */

static void cat_file(FILE *out, const char *path)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	CHECK(f, "%s: %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, out);
	fclose(f);
}

/* HAProxy terminating TLS with the gateway's certificate and key, relaying
 * to the sink: 0, or -1 (why printed) when it cannot run here. */
static int haproxy_start(struct bench *b)
{
	char pem[160], cfg[160], log[160], key[160];
	char *argv[] = { (char *)b->haproxy_bin, "-db", "-f", cfg, NULL };
	FILE *f;

	if (!b->haproxy_bin || access(b->haproxy_bin, X_OK)) {
		printf("HAProxy: not found (%s): no peer figures\n",
		       b->haproxy_bin ? b->haproxy_bin : "none");
		return -1;
	}
	snprintf(pem, sizeof(pem), "%s/haproxy.pem", b->g.base);
	snprintf(cfg, sizeof(cfg), "%s/haproxy.cfg", b->g.base);
	snprintf(log, sizeof(log), "%s/haproxy.log", b->g.base);
	snprintf(key, sizeof(key), "%s/tls/key.pem", b->g.state);
	f = fopen(pem, "w");
	CHECK(f, "%s", pem);
	cat_file(f, b->g.cert);
	cat_file(f, key);
	fclose(f);
	b->hport = dt_free_port();
	f = fopen(cfg, "w");
	CHECK(f, "%s", cfg);
	/* One thread, as the gateway has one loop; TLS 1.2+ as it does. */
	fprintf(f, "global\n\tnbthread 1\n\tmaxconn 8000\n"
		"\tssl-default-bind-options ssl-min-ver TLSv1.2\n"
		"defaults\n\tmode tcp\n\ttimeout connect 5s\n"
		"\ttimeout client 120s\n\ttimeout server 120s\n"
		"frontend fe\n\tbind 127.0.0.1:%d ssl crt %s alpn http/1.1\n"
		"\tdefault_backend be\n"
		"backend be\n\tserver sink unix@%s\n", b->hport, pem, b->sock);
	fclose(f);
	b->haproxy = dt_spawn(argv, log);
	for (int i = 0; i < 1000; i++) {
		int fd = gc_tcp("127.0.0.1", b->hport, NULL);

		if (fd >= 0) {
			close(fd);
			return 0;
		}
		dt_sleep_ms(10);
	}
	printf("HAProxy did not listen on 127.0.0.1:%d (see %s)\n", b->hport, log);
	return -1;
}

/* --- connections by each path --- */

static struct gc_conn *open_path(struct bench *b, enum path p, char cmd)
{
	struct gc_rfb_init si;
	struct gc_conn *c = NULL;
	char err[512];

	if (p == P_NATIVE) {
		struct gc_vencrypt v;
		uint8_t types[255];
		int n;

		c = gc_wrap(gc_tcp("127.0.0.1", b->g.port, NULL), "127.0.0.1", b->g.port);
		CHECK(c->fd >= 0, "connect: %s", strerror(errno));
		CHECK(gc_vnc_hello(c, types, &n, err, sizeof(err)) == 0 &&
		      gc_vencrypt(c, b->g.ctx, GW_X509PLAIN, "alice", ALICE_PW, &v, err,
				  sizeof(err)) == 0 && v.result == 0,
		      "native log-in: %s %s", err, v.reason);
		CHECK(gc_rfb_init(c, &si, err, sizeof(err)) == 0, "%s", err);
	} else if (p == P_WS) {
		struct gc_conn *api = gw_connect(&b->g, NULL);
		char t[GC_TICKET_MAX];

		CHECK(gw_ticket(&b->g, api, b->cookie, GW_VM, t, sizeof(t)) == 200,
		      "ticket");
		gc_close(api);
		c = gw_ws_vnc(&b->g, GW_VM, t);
		CHECK(gc_rfb_none(c, &si, err, sizeof(err)) == 0, "%s", err);
	} else if (p == P_HAPROXY) {
		c = gc_open(b->g.ctx, b->hport, NULL, err, sizeof(err));
		CHECK(c, "HAProxy: %s", err);
		CHECK(gc_rfb_none(c, &si, err, sizeof(err)) == 0, "%s", err);
	} else {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		memcpy(sa.sun_path, b->sock, strlen(b->sock) + 1);
		CHECK(fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0,
		      "connect %s: %s", b->sock, strerror(errno));
		c = gc_wrap(fd, "127.0.0.1", 0);
		CHECK(gc_rfb_none(c, &si, err, sizeof(err)) == 0, "%s", err);
	}
	CHECK(si.w == 800 && si.h == 600, "ServerInit %ux%u", si.w, si.h);
	CHECK(gc_write(c, &cmd, 1) == 0, "command");
	return c;
}

static pid_t server_pid(struct bench *b, enum path p)
{
	return p == P_HAPROXY ? b->haproxy : p == P_DIRECT ? 0 : b->g.pid;
}

/* CPU time (user + system) of pid so far, in ms. */
static double cpu_ms(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	CHECK(f, "%s", path);
	CHECK(fgets(buf, sizeof(buf), f), "%s", path);
	fclose(f);
	p = strrchr(buf, ')');
	CHECK(p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			  &ut, &st) == 2, "%s: %s", path, buf);
	return (ut + st) * 1000.0 / sysconf(_SC_CLK_TCK);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct figures {
	int ran;
	double down, up;            /* MB/s */
	double down_cpu, up_cpu;    /* the relay's CPU ms per GB */
	double rtt_med, rtt_p99;    /* us */
	double hs;                  /* handshakes/s */
	double idle_kib, sess_kib;  /* RSS per idle connection, session */
	char tls[96];               /* what was negotiated */
};

static void measure_down(struct bench *b, enum path p, struct figures *f)
{
	double mbs[RUNS], cpu[RUNS];

	for (int r = 0; r < RUNS; r++) {
		struct gc_conn *c = open_path(b, p, 'D');
		uint64_t t0 = gc_now_ms(), n0 = c->bytes_in;
		double c0 = cpu_ms(server_pid(b, p)), secs, bytes;

		while (gc_now_ms() - t0 < b->secs * 1000)
			CHECK(gc_drain(c, 1000) > 0, "%s: download stalled", path_names[p]);
		secs = (gc_now_ms() - t0) / 1000.0;
		bytes = c->bytes_in - n0;
		mbs[r] = bytes / secs / 1e6;
		cpu[r] = (cpu_ms(server_pid(b, p)) - c0) / (bytes / 1e9);
		if (c->ssl && !r)
			snprintf(f->tls, sizeof(f->tls), "%s %s", SSL_get_version(c->ssl),
				 SSL_get_cipher_name(c->ssl));
		gc_close(c);
	}
	f->down = median(mbs, RUNS);
	f->down_cpu = median(cpu, RUNS);
}

static void measure_up(struct bench *b, enum path p, struct figures *f)
{
	static uint8_t chunk[65536];
	double mbs[RUNS], cpu[RUNS];

	memset(chunk, 0xa5, sizeof(chunk));
	for (int r = 0; r < RUNS; r++) {
		struct gc_conn *c = open_path(b, p, 'U');
		uint64_t t0, u0;
		double c0, secs, bytes;

		dt_sleep_ms(50);
		t0 = gc_now_ms();
		u0 = atomic_load(&b->up_bytes);
		c0 = cpu_ms(server_pid(b, p));
		while (gc_now_ms() - t0 < b->secs * 1000)
			CHECK(gc_write(c, chunk, sizeof(chunk)) == 0, "%s: upload failed",
			      path_names[p]);
		secs = (gc_now_ms() - t0) / 1000.0;
		bytes = atomic_load(&b->up_bytes) - u0;
		mbs[r] = bytes / secs / 1e6;
		cpu[r] = (cpu_ms(server_pid(b, p)) - c0) / (bytes / 1e9);
		gc_close(c);
	}
	f->up = median(mbs, RUNS);
	f->up_cpu = median(cpu, RUNS);
}

/* Round trips of a 64-byte message for b->secs / RUNS on one connection,
 * appended to us (cap entries at most). */
static void rtt_run(struct bench *b, enum path p, double *us, int *n, int cap)
{
	struct gc_conn *c = open_path(b, p, 'E');
	uint8_t msg[RTT_MSG], back[RTT_MSG];
	uint64_t end = gc_now_ms() + b->secs * 1000 / RUNS;
	int start = *n;

	memset(msg, 'e', sizeof(msg));
	while (*n < cap && (gc_now_ms() < end || *n - start < 100)) {
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		CHECK(gc_write(c, msg, sizeof(msg)) == 0 &&
		      gc_read(c, back, sizeof(back), 10000) == 0, "%s: echo failed",
		      path_names[p]);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		us[(*n)++] = (t1.tv_sec - t0.tv_sec) * 1e6 +
			     (t1.tv_nsec - t0.tv_nsec) / 1e3;
	}
	gc_close(c);
}

/* Every path's round trips, the paths taking turns (RUNS rounds), so
 * that the machine's noise falls on all of them alike. */
static void measure_rtt(struct bench *b, struct figures *f)
{
	enum { CAP = 200000 };
	double *us[P_N];
	int n[P_N] = { 0 };

	for (int p = 0; p < P_N; p++) {
		us[p] = malloc(CAP * sizeof(double));
		CHECK(us[p], "out of memory");
	}
	for (int r = 0; r < RUNS; r++)
		for (int p = 0; p < P_N; p++)
			if (f[p].ran)
				rtt_run(b, p, us[p], &n[p], CAP);
	for (int p = 0; p < P_N; p++) {
		if (n[p]) {
			qsort(us[p], n[p], sizeof(double), cmp_double);
			f[p].rtt_med = us[p][n[p] / 2];
			f[p].rtt_p99 = us[p][n[p] * 99 / 100];
		}
		free(us[p]);
	}
}

static void measure_handshakes(struct bench *b, int port, struct figures *f)
{
	uint64_t t0 = gc_now_ms();
	int n = 0;
	char err[512];

	while (gc_now_ms() - t0 < b->secs * 1000) {
		struct gc_conn *c = gc_open(b->g.ctx, port, NULL, err, sizeof(err));

		CHECK(c, "handshake %d: %s", n, err);
		gc_close(c);
		n++;
	}
	f->hs = n / ((gc_now_ms() - t0) / 1000.0);
}

/* RSS per connection for n connections held together: TLS only (no
 * request), or relayed sessions (idle command). A first batch of WARM is
 * not counted: one-time allocations, and the arenas of the gateway's
 * worker threads (each keeps the Argon2 memory of its first log-in). */
#define WARM 50

static double rss_per(struct bench *b, enum path p, int n, int tls_only, int port)
{
	struct gc_conn **c = calloc(n + WARM, sizeof(*c));
	pid_t pid = server_pid(b, p);
	long before = 0, after;
	char err[512];

	CHECK(c, "out of memory");
	for (int i = 0; i < n + WARM; i++) {
		if (i == WARM) {
			dt_sleep_ms(300);
			before = dt_rss_kib(pid);
		}
		if (tls_only) {
			c[i] = gc_open(b->g.ctx, port, NULL, err, sizeof(err));
			CHECK(c[i], "idle connection %d: %s", i, err);
		} else {
			c[i] = open_path(b, p, 'I');
		}
	}
	dt_sleep_ms(300);
	after = dt_rss_kib(pid);
	for (int i = 0; i < n + WARM; i++)
		gc_close(c[i]);
	free(c);
	return (double)(after - before) / n;
}

/* A fresh relay process: memory figures must not reuse what earlier
 * measurements freed. */
static void restart(struct bench *b, enum path p)
{
	if (p == P_HAPROXY) {
		kill(b->haproxy, SIGTERM);
		waitpid(b->haproxy, NULL, 0);
		CHECK(haproxy_start(b) == 0, "HAProxy restart");
	} else {
		gw_stop(&b->g);
		gw_start(&b->g, NULL);
		gw_session(&b->g, "alice", ALICE_PW, b->cookie, sizeof(b->cookie));
	}
}

static void run_path(struct bench *b, enum path p, struct figures *f)
{
	f->ran = 1;
	if (p == P_NATIVE || p == P_HAPROXY) {
		restart(b, p);
		f->idle_kib = rss_per(b, p, IDLE_CONNS, 1,
				      p == P_HAPROXY ? b->hport : b->g.port);
		restart(b, p);
		f->sess_kib = rss_per(b, p, IDLE_SESS, 0, 0);
		restart(b, p);
		measure_handshakes(b, p == P_HAPROXY ? b->hport : b->g.port, f);
	}
	measure_down(b, p, f);
	measure_up(b, p, f);
}

/* One figure for each path, then gateway (native) / HAProxy. */
static void row(const char *what, const struct figures *f, size_t field,
		const char *fmt)
{
	printf("%-40s", what);
	for (int i = 0; i < P_N; i++) {
		const double *v = (const double *)((const char *)&f[i] + field);

		if (f[i].ran && *v > 0)
			printf(fmt, *v);
		else
			printf("%12s", "-");
	}
	if (f[P_HAPROXY].ran) {
		const double *g = (const double *)((const char *)&f[P_NATIVE] + field);
		const double *h = (const double *)((const char *)&f[P_HAPROXY] + field);

		if (*g > 0 && *h > 0)
			printf("%10.2fx", *g / *h);
	}
	printf("\n");
}

static const struct {
	const char *what;
	size_t field;
	const char *fmt;
} rows[] = {
	{ "download (sink -> client), MB/s", offsetof(struct figures, down), "%12.1f" },
	{ "upload (client -> sink), MB/s", offsetof(struct figures, up), "%12.1f" },
	{ "relay CPU per GB down, ms", offsetof(struct figures, down_cpu), "%12.0f" },
	{ "relay CPU per GB up, ms", offsetof(struct figures, up_cpu), "%12.0f" },
	{ "64-byte round trip, median us", offsetof(struct figures, rtt_med), "%12.1f" },
	{ "64-byte round trip, p99 us", offsetof(struct figures, rtt_p99), "%12.1f" },
	{ "TLS handshakes/s (one client, serial)", offsetof(struct figures, hs), "%12.0f" },
	{ "RSS per idle TLS connection, KiB", offsetof(struct figures, idle_kib), "%12.1f" },
	{ "RSS per idle relayed session, KiB", offsetof(struct figures, sess_kib), "%12.1f" },
};

int main(int argc, char **argv)
{
	static struct bench b;
	static struct figures f[P_N];
	char *gargv[] = { argv[0], "bench", "", "", NULL, NULL };

	setvbuf(stdout, NULL, _IOLBF, 0);
	b.secs = 2;
	b.haproxy_bin = "/usr/sbin/haproxy";
	if (argc < 3) {
		fprintf(stderr, "usage: %s PORTHOLE_GATEWAY PORTHOLE_CLI [--seconds N] "
			"[--haproxy PATH|none]\n", argv[0]);
		return 2;
	}
	for (int i = 3; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--seconds"))
			b.secs = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--haproxy"))
			b.haproxy_bin = strcmp(argv[i + 1], "none") ? argv[i + 1] : NULL;
	}
	gargv[4] = argv[1];
	gargv[5] = argv[2];
	gw_init(&b.g, 6, gargv, 0);
	sink_start(&b);
	gw_start(&b.g, NULL);
	gw_session(&b.g, "alice", ALICE_PW, b.cookie, sizeof(b.cookie));

	printf("== gateway: a TLS relay to a VM's vnc.sock (an RFB sink in this program); "
	       "porthole-gateway against HAProxy (mode tcp, TLS, nbthread 1, the same "
	       "certificate and backend); median of %d runs of %.0f s ==\n", RUNS, b.secs);
	run_path(&b, P_NATIVE, &f[P_NATIVE]);
	run_path(&b, P_WS, &f[P_WS]);
	if (haproxy_start(&b) == 0)
		run_path(&b, P_HAPROXY, &f[P_HAPROXY]);
	f[P_DIRECT].ran = 1;
	measure_down(&b, P_DIRECT, &f[P_DIRECT]);
	measure_rtt(&b, f);

	printf("%-40s%12s%12s%12s%12s%11s\n", "", "gw native", "gw ws", "HAProxy",
	       "direct", "gw/HAProxy");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		row(rows[i].what, f, rows[i].field, rows[i].fmt);
	printf("added latency over the unix socket (median): gateway %.1f us",
	       f[P_NATIVE].rtt_med - f[P_DIRECT].rtt_med);
	if (f[P_HAPROXY].ran)
		printf(", HAProxy %.1f us", f[P_HAPROXY].rtt_med - f[P_DIRECT].rtt_med);
	printf("\n(TLS: gateway %s; HAProxy %s. Idle connections: %d, TLS done, no "
	       "request; idle sessions: %d, gateway native VNC after the log-in, "
	       "HAProxy relayed TLS connections. The client and the sink share the 2 "
	       "cores with the relay.)\n", f[P_NATIVE].tls,
	       f[P_HAPROXY].ran ? f[P_HAPROXY].tls : "-", IDLE_CONNS, IDLE_SESS);
	if (b.haproxy > 0) {
		kill(b.haproxy, SIGTERM);
		waitpid(b.haproxy, NULL, 0);
	}
	gw_stop(&b.g);
	return 0;
}
