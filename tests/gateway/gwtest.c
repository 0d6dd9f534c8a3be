// SPDX-License-Identifier: MIT
#include "gwtest.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <ifaddrs.h>
#include <dirent.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The one environment of this process, for the exit handler. */
static struct gw *gw_cur;

static const char *const sanitizer_marks[] = {
	"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
	"AddressSanitizer:DEADLYSIGNAL", NULL,
};

static char *slurp(const char *path, size_t from, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long size;

	*len = 0;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	if (size < (long)from)
		from = size;
	fseek(f, from, SEEK_SET);
	buf = malloc(size - from + 1);
	CHECK(buf, "out of memory");
	*len = fread(buf, 1, size - from, f);
	buf[*len] = 0;
	fclose(f);
	return buf;
}

static void print_log_tail(struct gw *g)
{
	size_t len;
	char *all = slurp(g->log, 0, &len);

	if (!all)
		return;
	fprintf(stderr, "---- porthole-gateway stderr (%s), last %zu bytes ----\n%s\n",
		g->log, len > 8000 ? 8000 : len, len > 8000 ? all + len - 8000 : all);
	free(all);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	return remove(path);
}

/* At exit, pass or fail: the gateway goes, and (without a VM, whose
 * harness removes it) the directory. A gateway still running means a
 * check failed: show its log. */
static void gw_cleanup(void)
{
	struct gw *g = gw_cur;

	if (!g)
		return;
	gw_cur = NULL;
	if (g->pid > 0) {
		int status;

		print_log_tail(g);
		kill(g->pid, SIGKILL);
		waitpid(g->pid, &status, 0);
	}
	if (!g->with_vm && g->base[0])
		nftw(g->base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void on_signal(int sig)
{
	/* The gateway dies with us (PR_SET_PDEATHSIG). */
	_exit(128 + sig);
}

static int exists_x(const char *path)
{
	return path && path[0] && access(path, X_OK) == 0;
}

/* A non-loopback IPv4 address of this host, for a non-loopback peer. */
static int find_ext_ip(char *out, size_t len)
{
	struct ifaddrs *ifa, *i;
	int found = 0;

	if (getifaddrs(&ifa) < 0)
		return 0;
	for (i = ifa; i && !found; i = i->ifa_next) {
		struct sockaddr_in *sa = (struct sockaddr_in *)i->ifa_addr;

		if (!sa || sa->sin_family != AF_INET ||
		    (ntohl(sa->sin_addr.s_addr) >> 24) == 127)
			continue;
		inet_ntop(AF_INET, &sa->sin_addr, out, len);
		found = 1;
	}
	freeifaddrs(ifa);
	return found;
}

int gw_cli(struct gw *g, const char *input, char *out, size_t outlen,
	   const char *const *args)
{
	char *argv[24], errlog[128];
	int in[2], outp[2], argc = 0, status;
	size_t got = 0;
	pid_t pid;

	argv[argc++] = (char *)g->cli_bin;
	while (*args && argc < 20)
		argv[argc++] = (char *)*args++;
	argv[argc++] = "--state-dir";
	argv[argc++] = g->state;
	argv[argc] = NULL;
	snprintf(errlog, sizeof(errlog), "%s/cli.log", g->base);
	CHECK(pipe2(in, O_CLOEXEC) == 0 && pipe2(outp, O_CLOEXEC) == 0, "pipe: %s",
	      strerror(errno));
	pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(errlog, O_WRONLY | O_CREAT | O_APPEND, 0644);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(in[0], 0);
		dup2(outp[1], 1);
		if (fd >= 0)
			dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	if (input)
		CHECK(write(in[1], input, strlen(input)) == (ssize_t)strlen(input),
		      "writing the CLI's stdin: %s", strerror(errno));
	close(in[1]);
	for (;;) {
		ssize_t n = read(outp[0], out + got, outlen - 1 - got);

		if (n <= 0)
			break;
		got += n;
		if (got == outlen - 1)
			break;
	}
	out[got] = 0;
	close(outp[0]);
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		size_t len;
		char *e = slurp(errlog, 0, &len);

		fprintf(stderr, "porthole");
		for (int i = 1; i < argc; i++)
			fprintf(stderr, " %s", argv[i]);
		fprintf(stderr, ": status 0x%x; stdout '%s'; stderr so far:\n%s\n",
			status, out, e ? e : "");
		free(e);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void cli_ok(struct gw *g, const char *input, const char *const *args)
{
	char out[4096];

	CHECK(gw_cli(g, input, out, sizeof(out), args) == 0,
	      "porthole %s %s ... failed (see above)", args[0], args[1]);
}

/* The TOTP secret in what `porthole user totp NAME on` printed: the
 * otpauth URI's secret parameter, or else the first long base32 word. */
static void parse_secret(const char *out, char *secret, size_t len)
{
	const char *p = strstr(out, "secret=");
	size_t n;

	if (p) {
		p += 7;
		n = strcspn(p, "&\r\n \t");
		CHECK(n < len, "secret too long");
		memcpy(secret, p, n);
		secret[n] = 0;
		return;
	}
	for (p = out; *p; p += n ? n : 1) {
		n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567=");
		if (n >= 16 && (p == out || !isalnum((unsigned char)p[-1])) &&
		    !isalnum((unsigned char)p[n])) {
			CHECK(n < len, "secret too long");
			memcpy(secret, p, n);
			secret[n] = 0;
			return;
		}
	}
	CHECK(0, "no TOTP secret in what `porthole user totp carol on` "
	      "printed: '%s'", out);
}

static void make_users(struct gw *g)
{
	static const char *const users[][2] = {
		{ "alice", ALICE_PW "\n" }, { "bob", BOB_PW "\n" },
		{ "carol", CAROL_PW "\n" }, { "admin", ADMIN_PW "\n" },
	};
	char out[4096];

	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		cli_ok(g, users[i][1], (const char *const[]){ "user", "add",
			users[i][0], "--password-stdin", NULL });
	cli_ok(g, NULL, (const char *const[]){ "vm", "allow", GW_VM, "alice", NULL });
	cli_ok(g, NULL, (const char *const[]){ "vm", "allow", GW_VM, "carol", NULL });
	cli_ok(g, NULL, (const char *const[]){ "user", "group", "admin", "add",
		"admin", NULL });
	CHECK(gw_cli(g, NULL, out, sizeof(out), (const char *const[]){ "user",
		"totp", "carol", "on", NULL }) == 0, "porthole user totp carol on");
	parse_secret(out, g->totp_secret, sizeof(g->totp_secret));
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CHECK(fd >= 0 && strlen(path) < sizeof(sa.sun_path), "socket %s", path);
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	close(fd);
	return -1;
}

/* dtest's VM is called "vm"; ours must be "demo", as the users' access
 * lists say: the same steps as dt_start_vm with our name. */
static void start_vm(struct gw *g)
{
	struct dt *t = &g->dt;
	char fb[32], log[128], sock[192];
	char *argv[] = { (char *)t->vmm_bin, "--demo", "--name", GW_VM,
			 "--run-dir", t->base, "--memory", "64M", "--fb", fb, NULL };
	char *disp[] = { "--name", GW_VM, NULL };

	t->w = GW_W;
	t->h = GW_H;
	snprintf(t->run, sizeof(t->run), "%s/" GW_VM, t->base);
	snprintf(t->vnc_path, sizeof(t->vnc_path), "%s/vnc.sock", t->run);
	snprintf(fb, sizeof(fb), "%ux%u", GW_W, GW_H);
	snprintf(log, sizeof(log), "%s/vmm.log", t->base);
	snprintf(sock, sizeof(sock), "%s/serial.sock", t->run);
	t->vmm = dt_spawn(argv, log);
	for (int i = 0; i < 3000 && t->serial < 0; i++) {
		t->serial = connect_unix(sock);
		if (t->serial < 0) {
			dt_vm_alive(t);
			dt_sleep_ms(10);
		}
	}
	CHECK(t->serial >= 0, "no serial socket at %s", sock);
	dt_cmd(t, "ping");
	/* The last --name wins: the display serves demo. */
	dt_start_display(t, disp);
}

void gw_init(struct gw *g, int argc, char **argv, int flags)
{
	struct sigaction sa = { .sa_handler = on_signal };

	memset(g, 0, sizeof(*g));
	g->dt.serial = -1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	CHECK(argc >= 6, "usage: %s CASE PORTHOLE_VMM PORTHOLE_DISPLAY "
	      "PORTHOLE_GATEWAY PORTHOLE_CLI", argv[0]);
	g->gw_bin = argv[4];
	g->cli_bin = argv[5];
	if (!exists_x(g->gw_bin) || !exists_x(g->cli_bin)) {
		printf("skipped: %s is not built yet\n", exists_x(g->gw_bin) ?
		       "the porthole CLI" : "porthole-gateway");
		exit(SKIP);
	}
	if (flags & GW_WITH_VM) {
		/* dt_init skips without KVM; it owns the directory. */
		dt_init(&g->dt, 3, argv + 1);
		g->with_vm = 1;
		snprintf(g->base, sizeof(g->base), "%s", g->dt.base);
	} else {
		snprintf(g->base, sizeof(g->base), "/tmp/porthole-gwtest-%d",
			 (int)getpid());
		CHECK(mkdir(g->base, 0700) == 0, "mkdir %s: %s", g->base,
		      strerror(errno));
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		signal(SIGPIPE, SIG_IGN);
	}
	gw_cur = g;
	atexit(gw_cleanup);
	snprintf(g->run, sizeof(g->run), "%s", g->base);
	snprintf(g->state, sizeof(g->state), "%s/state", g->base);
	snprintf(g->cert, sizeof(g->cert), "%s/tls/cert.pem", g->state);
	if (flags & GW_EXT)
		find_ext_ip(g->ext_ip, sizeof(g->ext_ip));
	make_users(g);
	if (flags & GW_WITH_VM)
		start_vm(g);
}

/* The port of the "listening on ADDR:PORT" line for addr, or 0. */
static int listen_port(const char *log, const char *addr)
{
	size_t len;
	char *all = slurp(log, 0, &len), pat[96], *p;
	int port = 0;

	if (!all)
		return 0;
	snprintf(pat, sizeof(pat), "listening on %s:", addr);
	p = strstr(all, pat);
	if (p)
		port = atoi(p + strlen(pat));
	free(all);
	return port;
}

void gw_start(struct gw *g, char *const *extra)
{
	char lo[] = "127.0.0.1:0", ext[80], *argv[32];
	int argc = 0, status;

	argv[argc++] = (char *)g->gw_bin;
	argv[argc++] = "--state-dir";
	argv[argc++] = g->state;
	argv[argc++] = "--run-dir";
	argv[argc++] = g->run;
	argv[argc++] = "--listen";
	argv[argc++] = lo;
	if (g->ext_ip[0]) {
		snprintf(ext, sizeof(ext), "%s:0", g->ext_ip);
		argv[argc++] = "--listen";
		argv[argc++] = ext;
	}
	while (extra && *extra && argc < 30)
		argv[argc++] = *extra++;
	argv[argc] = NULL;
	g->starts++;
	snprintf(g->log, sizeof(g->log), "%s/gateway.%d.log", g->base, g->starts);
	g->pid = dt_spawn(argv, g->log);
	g->port = g->ext_port = 0;
	/* The first start generates the certificate: give it time. */
	for (int i = 0; i < 6000; i++) {
		g->port = listen_port(g->log, "127.0.0.1");
		if (g->ext_ip[0])
			g->ext_port = listen_port(g->log, g->ext_ip);
		if (g->port && (!g->ext_ip[0] || g->ext_port))
			break;
		if (waitpid(g->pid, &status, WNOHANG) == g->pid) {
			g->pid = 0;
			print_log_tail(g);
			CHECK(0, "porthole-gateway exited (status 0x%x) before "
			      "listening", status);
		}
		dt_sleep_ms(10);
	}
	CHECK(g->port, "porthole-gateway printed no 'listening on 127.0.0.1:PORT' "
	      "line within 60 s");
	CHECK(!g->ext_ip[0] || g->ext_port, "no 'listening on %s:PORT' line",
	      g->ext_ip);
	CHECK(access(g->cert, R_OK) == 0, "no certificate at %s after the first "
	      "start (docs/gateway.md: generated on first run)", g->cert);
	if (!g->ctx)
		g->ctx = gc_ctx_new(g->cert, TLS1_2_VERSION, 0, NULL);
}

void gw_done(struct gw *g)
{
	if (g->pid > 0)
		gw_stop(g);
	if (!g->with_vm)
		return;
	if (g->dt.display > 0)
		dt_stop_display(&g->dt, SIGTERM, 10000);
	if (g->dt.vmm > 0)
		dt_stop_vm(&g->dt);
}

void gw_log_clean(struct gw *g)
{
	size_t len;
	char *all = slurp(g->log, 0, &len);

	for (int i = 0; all && sanitizer_marks[i]; i++) {
		char *p = strstr(all, sanitizer_marks[i]);

		if (p) {
			fprintf(stderr, "%s\n", p > all + 2000 ? p - 2000 : all);
			free(all);
			CHECK(0, "porthole-gateway's log has a sanitizer report "
			      "('%s'), shown above", sanitizer_marks[i]);
		}
	}
	free(all);
}

void gw_alive(struct gw *g)
{
	int status;

	if (waitpid(g->pid, &status, WNOHANG) == g->pid) {
		g->pid = 0;
		print_log_tail(g);
		CHECK(0, "porthole-gateway stopped: status 0x%x", status);
	}
}

void gw_stop(struct gw *g)
{
	int status = 0, done = 0;

	gw_alive(g);
	kill(g->pid, SIGTERM);
	for (int i = 0; i < 2000 && !done; i++) {
		done = waitpid(g->pid, &status, WNOHANG) == g->pid;
		if (!done)
			dt_sleep_ms(10);
	}
	CHECK(done, "porthole-gateway did not stop within 20 s of SIGTERM");
	g->pid = 0;
	gw_log_clean(g);
	/* docs/gateway.md: exit 0 after SIGTERM (a sanitizer's report would
	 * make it 1 or 23). */
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "porthole-gateway: %s after SIGTERM, want exit status 0",
	      WIFSIGNALED(status) ? "killed by a signal" : "a non-zero exit status");
}

/* --- the log --- */

size_t gw_log_mark(struct gw *g)
{
	struct stat st;

	return stat(g->log, &st) == 0 ? (size_t)st.st_size : 0;
}

static int line_has(const char *line, size_t len, const char *const *words)
{
	for (; *words; words++) {
		size_t wl = strlen(*words);

		if (!memmem(line, len, *words, wl))
			return 0;
	}
	return 1;
}

/* The first line after mark that match accepts, waiting up to timeout_ms;
 * copied into line. 1 found, 0 not. */
static int log_scan(struct gw *g, size_t mark, int timeout_ms,
		    int (*match)(const char *l, size_t len, const void *arg),
		    const void *arg, char *line, size_t linelen)
{
	uint64_t end = dt_now_ms() + timeout_ms;

	for (;;) {
		size_t len;
		char *all = slurp(g->log, mark, &len), *p = all, *nl;

		while (p && (nl = strchr(p, '\n'))) {
			if (match(p, nl - p, arg)) {
				snprintf(line, linelen, "%.*s", (int)(nl - p), p);
				free(all);
				return 1;
			}
			p = nl + 1;
		}
		free(all);
		if (dt_now_ms() >= end)
			return 0;
		dt_sleep_ms(50);
	}
}

static int match_words(const char *l, size_t len, const void *arg)
{
	return line_has(l, len, arg);
}

int gw_log_find(struct gw *g, size_t mark, int timeout_ms, char *line,
		size_t linelen, ...)
{
	const char *words[16];
	int n = 0;
	va_list ap;

	va_start(ap, linelen);
	while (n < 15 && (words[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	words[n] = NULL;
	return log_scan(g, mark, timeout_ms, match_words, words, line, linelen);
}

struct peer {
	const char *src, *word;
	int lport;
};

/* Does the line name src (or any address) with port lport, and word? */
static int match_peer(const char *line, size_t len, const void *arg)
{
	const struct peer *k = arg;
	char port[16];
	size_t pl = (size_t)snprintf(port, sizeof(port), ":%d", k->lport);
	size_t sl = k->src ? strlen(k->src) : 0;

	if (k->word && !memmem(line, len, k->word, strlen(k->word)))
		return 0;
	for (const char *p = line; (p = memmem(p, line + len - p, port, pl));
	     p += pl) {
		const char *a = p;

		if (p + pl < line + len && isdigit((unsigned char)p[pl]))
			continue;
		if (a > line && a[-1] == ']')
			a--;
		if (!k->src || ((size_t)(a - line) >= sl && !memcmp(a - sl, k->src, sl)))
			return 1;
	}
	return 0;
}

int gw_log_find_peer(struct gw *g, size_t mark, int timeout_ms, const char *src,
		     int lport, const char *word, char *line, size_t linelen)
{
	struct peer k = { src, word, lport };

	return log_scan(g, mark, timeout_ms, match_peer, &k, line, linelen);
}

void gw_expect_logged(struct gw *g, size_t mark, const char *src, int lport,
		      const char *word, const char *what)
{
	char line[1024];

	CHECK(gw_log_find_peer(g, mark, 10000, src, lport, word, line, sizeof(line)),
	      "%s: no log line naming the peer %s:%d%s%s", what,
	      src ? src : "*", lport, word ? " with " : "", word ? word : "");
	printf("  log: %s\n", line);
}

int gw_log_count(struct gw *g, size_t mark, const char *word)
{
	size_t len;
	char *all = slurp(g->log, mark, &len), *p = all, *nl;
	const char *words[] = { word, NULL };
	int n = 0;

	while (p && (nl = strchr(p, '\n'))) {
		n += line_has(p, nl - p, words);
		p = nl + 1;
	}
	free(all);
	return n;
}

long gw_rss_kib(struct gw *g)
{
	return dt_rss_kib(g->pid);
}

int gw_fds(struct gw *g)
{
	char path[64];
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)g->pid);
	d = opendir(path);
	CHECK(d, "%s: %s", path, strerror(errno));
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

int gw_main(int argc, char **argv, const struct gw_case *cases, size_t n)
{
	static struct gw g;

	for (size_t i = 0; argc > 1 && i < n; i++)
		if (!strcmp(argv[1], cases[i].name)) {
			gw_init(&g, argc, argv, cases[i].flags);
			cases[i].fn(&g);
			gw_done(&g);
			printf("ok\n");
			return 0;
		}
	fprintf(stderr, "usage: %s CASE PORTHOLE_VMM PORTHOLE_DISPLAY "
		"PORTHOLE_GATEWAY PORTHOLE_CLI\n", argv[0]);
	return 2;
}
