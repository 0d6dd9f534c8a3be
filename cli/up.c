// SPDX-License-Identifier: MIT
/*
 * `porthole up`: a whole Porthole host in one terminal. On first run it
 * creates the state directory, an `admin` user with a random password
 * (printed once) and the demo VM; then it starts each VM's porthole-vmm and
 * porthole-display and the one porthole-gateway, prints how to connect
 * with each kind of client, and stops everything on Ctrl+C.
 *
 * VMs are defined in STATE/vms.json (docs/up.md):
 *   {"vms": [{"name": "demo", "kind": "demo", "fb": "1280x800"},
 *            {"name": "web1", "kind": "linux", "kernel": "/boot/vmlinuz",
 *             "initrd": "...", "cmdline": "...", "disk": "...", "memory": "1G"},
 *            {"name": "qemu1", "kind": "vnc", "source": "vnc:/run/q.sock"}]}
 * "vnc" VMs run elsewhere (QEMU, libvirt); only their display runs here.
 *
 * Signals come through a signalfd, so there is no handler and no global.
 */
#include "cli.h"
#include "auth.h"
#include "rundir.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define UP_MAX_VMS   16
#define UP_MAX_ARGS  24
#define STOP_MS      5000

enum child_kind { CHILD_VMM, CHILD_DISPLAY, CHILD_GATEWAY };

struct child {
	enum child_kind kind;
	int vm;                 /* index into up.vms, -1 for the gateway */
	pid_t pid;              /* 0: not running */
};

struct vm_def {
	char name[AUTH_NAME_MAX + 1];
	char kind[8];           /* demo, linux, vnc */
	char *argv[UP_MAX_ARGS];   /* porthole-vmm's options (malloc'ed) */
	int argc;
	char *source;           /* kind vnc: porthole-display --source */
};

struct up {
	char state[PATH_MAX], run[PATH_MAX], logs[PATH_MAX];
	char bin_vmm[PATH_MAX], bin_display[PATH_MAX], bin_gateway[PATH_MAX];
	char web_root[PATH_MAX];
	int port;
	const char *listen;     /* --listen ADDR:PORT instead of --port */
	struct vm_def vms[UP_MAX_VMS];
	int n_vms;
	struct child children[2 * UP_MAX_VMS + 1];
	int n_children;
};

static const char usage[] =
"usage: porthole up [--state-dir DIR] [--run-dir DIR] [--port N | --listen ADDR:PORT]\n"
"\n"
"Starts this host's VMs (STATE/vms.json), their displays and the gateway,\n"
"and prints how to connect. On first run it creates the state directory,\n"
"an 'admin' user with a random password (printed once) and the demo VM.\n"
"Ctrl+C stops everything.\n"
"\n"
"  --state-dir DIR   users, certificate, vms.json (default: /var/lib/porthole\n"
"                    for root, else ~/.local/state/porthole)\n"
"  --run-dir DIR     the VMs' run directories (default: /run/porthole for root,\n"
"                    else $XDG_RUNTIME_DIR/porthole)\n"
"  --port N          the gateway's port on every address (default 8443)\n"
"  --listen A:P      the gateway's address instead (e.g. 127.0.0.1:8443)\n";

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* The directory this program is in, or "" if unknown. */
static void self_dir(char *out, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", out, len - 1);
	char *slash;

	out[n > 0 ? n : 0] = 0;
	slash = strrchr(out, '/');
	if (slash)
		*slash = 0;
	else
		out[0] = 0;
}

/* out = dir/rel if it exists and allows mode (X_OK, R_OK): 0, else -1. */
static int try_path(char *out, size_t len, const char *dir, const char *rel, int mode)
{
	if (!dir[0] || snprintf(out, len, "%s/%s", dir, rel) >= (int)len ||
	    access(out, mode) != 0) {
		out[0] = 0;
		return -1;
	}
	return 0;
}

/*
 * The other programs: in a build tree they sit in sibling directories of
 * cli/ (core-vmm/, display/, gateway/, client/dist); installed, next to
 * this one or on PATH.
 */
static void find_program(char *out, size_t len, const char *self, const char *dir,
			 const char *name)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "../%s/%s", dir, name);
	if (try_path(out, len, self, rel, X_OK) && try_path(out, len, self, name, X_OK))
		snprintf(out, len, "%s", name);   /* execvp searches PATH */
}

static void find_web_root(struct up *u, const char *self)
{
	if (try_path(u->web_root, sizeof(u->web_root), self, "../client/dist", R_OK))
		try_path(u->web_root, sizeof(u->web_root), self, "../share/porthole/web", R_OK);
}

/* A password a person can type: 20 characters of a 32-letter alphabet
 * without look-alikes (100 bits). */
static int make_password(char *out, size_t len)
{
	static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789AB";
	uint8_t r[20];

	if (len < sizeof(r) + 1 || getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -1;
	for (size_t i = 0; i < sizeof(r); i++)
		out[i] = alphabet[r[i] & 31];
	out[sizeof(r)] = 0;
	return 0;
}

static int count_user(const struct auth_user_info *u, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static int write_default_vms(const char *path)
{
	static const char text[] =
		"{\n  \"vms\": [\n    {\"name\": \"demo\", \"kind\": \"demo\", \"fb\": \"1280x800\"}\n  ]\n}\n";
	char tmp[PATH_MAX + 8];
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, text, sizeof(text) - 1) != (ssize_t)sizeof(text) - 1 ||
	    fsync(fd) < 0) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	return rename(tmp, path);
}

/* First run: an admin with a random password, and the demo VM. */
static int first_run(struct up *u)
{
	char err[AUTH_ERR_MAX], password[32], vms[PATH_MAX + 16];
	struct auth_db *db;
	int users = 0, rc = -1;

	db = auth_db_load(u->state, 1, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "porthole: %s\n", err);
		return -1;
	}
	snprintf(vms, sizeof(vms), "%s/vms.json", u->state);
	if (access(vms, F_OK) != 0) {
		if (write_default_vms(vms) < 0) {
			fprintf(stderr, "porthole: cannot write %s: %s\n", vms, strerror(errno));
			goto out;
		}
		if (auth_db_vm_allow(db, "demo", "@admin", 1, err, sizeof(err)) < 0)
			goto fail;
	}
	auth_db_each_user(db, count_user, &users);
	if (users == 0) {
		if (make_password(password, sizeof(password)) < 0 ||
		    auth_db_user_add(db, "admin", password, err, sizeof(err)) < 0 ||
		    auth_db_user_group(db, "admin", "admin", 1, err, sizeof(err)) < 0)
			goto fail;
	}
	if (auth_db_save(db, err, sizeof(err)) < 0)
		goto fail;
	if (users == 0)
		printf("\nFirst run: created user 'admin' with password\n\n    %s\n\n"
		       "It is shown only this once. Change it with\n"
		       "    porthole user passwd admin --state-dir %s\n",
		       password, u->state);
	explicit_bzero(password, sizeof(password));
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "porthole: %s\n", err);
out:
	auth_db_free(db);
	return rc;
}

static int add_arg(struct vm_def *v, const char *a)
{
	if (v->argc >= UP_MAX_ARGS - 1)
		return -1;
	v->argv[v->argc] = strdup(a);
	if (!v->argv[v->argc])
		return -1;
	v->argc++;
	return 0;
}

static int add_opt(struct vm_def *v, json_t *o, const char *key, const char *flag)
{
	json_t *j = json_object_get(o, key);

	if (!j)
		return 0;
	if (!json_is_string(j))
		return -1;
	return add_arg(v, flag) < 0 || add_arg(v, json_string_value(j)) < 0 ? -1 : 0;
}

static int load_vm(struct up *u, json_t *o, int i, const char *path)
{
	struct vm_def *v = &u->vms[u->n_vms];
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *kind = json_string_value(json_object_get(o, "kind"));

	if (!name || !auth_name_valid(name) || !kind) {
		fprintf(stderr, "porthole: %s: vms[%d] needs a valid \"name\" and a \"kind\"\n",
			path, i);
		return -1;
	}
	snprintf(v->name, sizeof(v->name), "%s", name);
	snprintf(v->kind, sizeof(v->kind), "%s", kind);
	if (!strcmp(kind, "vnc")) {
		const char *src = json_string_value(json_object_get(o, "source"));

		if (!src || strncmp(src, "vnc:", 4)) {
			fprintf(stderr, "porthole: %s: VM %s: kind \"vnc\" needs \"source\": \"vnc:PATH\" or \"vnc:HOST:PORT\"\n",
				path, name);
			return -1;
		}
		v->source = strdup(src);
		u->n_vms++;
		return v->source ? 0 : -1;
	}
	if (strcmp(kind, "demo") && strcmp(kind, "linux")) {
		fprintf(stderr, "porthole: %s: VM %s: kind must be \"demo\", \"linux\" or \"vnc\", not \"%s\"\n",
			path, name, kind);
		return -1;
	}
	u->n_vms++;
	if ((!strcmp(kind, "demo") && add_arg(v, "--demo") < 0) ||
	    add_opt(v, o, "kernel", "--kernel") < 0 ||
	    add_opt(v, o, "initrd", "--initrd") < 0 ||
	    add_opt(v, o, "cmdline", "--cmdline") < 0 ||
	    add_opt(v, o, "disk", "--disk") < 0 ||
	    add_opt(v, o, "memory", "--memory") < 0 ||
	    add_opt(v, o, "cpus", "--cpus") < 0 ||
	    add_opt(v, o, "fb", "--fb") < 0) {
		fprintf(stderr, "porthole: %s: VM %s: a bad or too long option (all values are strings)\n",
			path, name);
		return -1;
	}
	if (!strcmp(kind, "linux") && !json_object_get(o, "kernel")) {
		fprintf(stderr, "porthole: %s: VM %s: kind \"linux\" needs \"kernel\"\n", path, name);
		return -1;
	}
	return 0;
}

static int load_vms(struct up *u)
{
	char path[PATH_MAX + 16];
	json_error_t je;
	json_t *root, *list;
	size_t i;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/vms.json", u->state);
	root = json_load_file(path, 0, &je);
	if (!root) {
		fprintf(stderr, "porthole: %s: line %d: %s\n", path, je.line, je.text);
		return -1;
	}
	list = json_object_get(root, "vms");
	if (!json_is_array(list) || json_array_size(list) > UP_MAX_VMS) {
		fprintf(stderr, "porthole: %s: \"vms\" must be a list of at most %d VMs\n",
			path, UP_MAX_VMS);
		goto out;
	}
	for (i = 0; i < json_array_size(list); i++)
		if (load_vm(u, json_array_get(list, i), (int)i, path) < 0)
			goto out;
	rc = 0;
out:
	json_decref(root);
	return rc;
}

static pid_t spawn(char **argv, const char *log)
{
	sigset_t none;
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Their own process group: Ctrl+C reaches only us, and we stop the
	 * children in order (gateway first, VMs last). */
	setpgid(0, 0);
	if (log) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		if (nul >= 0)
			dup2(nul, STDIN_FILENO);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "porthole: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int add_child(struct up *u, enum child_kind kind, int vm, pid_t pid)
{
	struct child *c = &u->children[u->n_children++];

	c->kind = kind;
	c->vm = vm;
	c->pid = pid;
	return pid > 0 ? 0 : -1;
}

static int start_vm(struct up *u, int i)
{
	struct vm_def *v = &u->vms[i];
	char *argv[UP_MAX_ARGS + 8], log[PATH_MAX + 64];
	int n = 0;

	if (v->source)
		return 0;
	argv[n++] = u->bin_vmm;
	for (int k = 0; k < v->argc; k++)
		argv[n++] = v->argv[k];
	argv[n++] = "--name";
	argv[n++] = v->name;
	argv[n++] = "--run-dir";
	argv[n++] = u->run;
	argv[n] = NULL;
	snprintf(log, sizeof(log), "%s/%s.vmm.log", u->logs, v->name);
	return add_child(u, CHILD_VMM, i, spawn(argv, log));
}

/* The display connects to the VM's surface.sock: give it a moment to
 * appear (porthole-vmm creates it before the guest's first instruction). */
static int start_display(struct up *u, int i)
{
	struct vm_def *v = &u->vms[i];
	char *argv[12], log[PATH_MAX + 64], sock[PATH_MAX + 64];
	int n = 0;

	if (!v->source) {
		snprintf(sock, sizeof(sock), "%s/%s/surface.sock", u->run, v->name);
		for (uint64_t end = now_ms() + 5000; access(sock, F_OK) != 0;) {
			if (now_ms() > end) {
				fprintf(stderr, "porthole: VM %s did not start: see %s/%s.vmm.log\n",
					v->name, u->logs, v->name);
				return -1;
			}
			usleep(20000);
		}
	}
	argv[n++] = u->bin_display;
	argv[n++] = "--name";
	argv[n++] = v->name;
	argv[n++] = "--run-dir";
	argv[n++] = u->run;
	argv[n++] = "--state-dir";      /* RDP's TLS: the gateway's certificate */
	argv[n++] = u->state;
	if (v->source) {
		argv[n++] = "--source";
		argv[n++] = v->source;
	}
	argv[n] = NULL;
	snprintf(log, sizeof(log), "%s/%s.display.log", u->logs, v->name);
	return add_child(u, CHILD_DISPLAY, i, spawn(argv, log));
}

static int start_gateway(struct up *u)
{
	char *argv[16], port[16];
	int n = 0;

	argv[n++] = u->bin_gateway;
	argv[n++] = "--state-dir";
	argv[n++] = u->state;
	argv[n++] = "--run-dir";
	argv[n++] = u->run;
	if (u->listen) {
		argv[n++] = "--listen";
		argv[n++] = (char *)u->listen;
	} else {
		snprintf(port, sizeof(port), "%d", u->port);
		argv[n++] = "--port";
		argv[n++] = port;
	}
	if (u->web_root[0]) {
		argv[n++] = "--web-root";
		argv[n++] = u->web_root;
	}
	argv[n] = NULL;
	/* Its log (one line per session) is this terminal's. */
	return add_child(u, CHILD_GATEWAY, -1, spawn(argv, NULL));
}

static const char *child_name(const struct up *u, const struct child *c, char *buf, size_t len)
{
	static const char *const kinds[] = { "porthole-vmm", "porthole-display", "porthole-gateway" };

	if (c->vm < 0)
		snprintf(buf, len, "%s", kinds[c->kind]);
	else
		snprintf(buf, len, "%s (%s)", kinds[c->kind], u->vms[c->vm].name);
	return buf;
}

/* Whether the gateway accepts connections on its port yet. */
static int gateway_ready(const struct up *u)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd, ok;

	if (u->listen) {
		char host[64];
		const char *colon = strrchr(u->listen, ':');

		if (!colon || colon - u->listen >= (long)sizeof(host))
			return 0;
		memcpy(host, u->listen, (size_t)(colon - u->listen));
		host[colon - u->listen] = 0;
		if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
			return 1;   /* not IPv4: trust the gateway's own line */
		a.sin_port = htons((uint16_t)atoi(colon + 1));
	} else {
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a.sin_port = htons((uint16_t)u->port);
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

static void print_banner(const struct up *u)
{
	char host[256] = "localhost", port[80];
	int first_vm = -1;

	gethostname(host, sizeof(host) - 1);
	if (u->listen)
		snprintf(port, sizeof(port), "%s", strrchr(u->listen, ':') + 1);
	else
		snprintf(port, sizeof(port), "%d", u->port);
	for (int i = 0; i < u->n_vms; i++)
		if (first_vm < 0)
			first_vm = i;
	printf("\nPorthole is up: %d VM%s, one gateway port.\n\n", u->n_vms,
	       u->n_vms == 1 ? "" : "s");
	printf("  Browser:     https://localhost:%s/   (or https://%s:%s/)\n", port, host, port);
	printf("               the certificate is self-signed: %s/tls/cert.pem\n", u->state);
	if (first_vm >= 0) {
		const char *vm = u->vms[first_vm].name;

		printf("  VNC viewer:  vncviewer -SecurityTypes X509Plain -X509CA %s/tls/cert.pem localhost::%s\n",
		       u->state, port);
		printf("               user name USER (a user's only VM) or USER@VM, e.g. admin@%s\n", vm);
	}
	if (first_vm >= 0) {
		const char *vm = u->vms[first_vm].name;

		printf("  RDP client:  \"Download .rdp\" in the browser, or\n"
		       "               porthole ticket %s --user admin --protocol rdp --rdp %s.rdp --state-dir %s\n"
		       "               xfreerdp %s.rdp /cert:ignore      (a ticket is good for one connection)\n"
		       "               or: xfreerdp /v:localhost:%s /u:USER /cert:ignore  (a user with one VM)\n",
		       vm, vm, u->state, vm, port);
	}
	printf("  SPICE:       not served yet\n");
	printf("  Users:       porthole user add NAME --state-dir %s\n", u->state);
	printf("               porthole vm allow VM NAME --state-dir %s\n", u->state);
	printf("  Logs:        %s/  (VMs and displays); sessions below\n", u->logs);
	printf("\nCtrl+C stops everything.\n\n");
	fflush(stdout);
}

static struct child *child_of(struct up *u, pid_t pid)
{
	for (int i = 0; i < u->n_children; i++)
		if (u->children[i].pid == pid)
			return &u->children[i];
	return NULL;
}

static void describe_exit(const struct up *u, const struct child *c, int status)
{
	char name[96];

	child_name(u, c, name, sizeof(name));
	if (WIFEXITED(status))
		fprintf(stderr, "porthole: %s exited with status %d\n", name, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fprintf(stderr, "porthole: %s killed by signal %d\n", name, WTERMSIG(status));
}

/* Stops one kind of child: SIGTERM, then SIGKILL after STOP_MS. */
static void stop_kind(struct up *u, enum child_kind kind)
{
	uint64_t end = now_ms() + STOP_MS;
	int left;

	for (int i = 0; i < u->n_children; i++)
		if (u->children[i].kind == kind && u->children[i].pid > 0)
			kill(u->children[i].pid, SIGTERM);
	do {
		left = 0;
		for (int i = 0; i < u->n_children; i++) {
			struct child *c = &u->children[i];
			int status;

			if (c->kind != kind || c->pid <= 0)
				continue;
			if (waitpid(c->pid, &status, WNOHANG) == c->pid) {
				c->pid = 0;
				continue;
			}
			if (now_ms() > end) {
				kill(c->pid, SIGKILL);
				waitpid(c->pid, &status, 0);
				c->pid = 0;
				continue;
			}
			left++;
		}
		if (left)
			usleep(20000);
	} while (left);
}

static void stop_all(struct up *u)
{
	stop_kind(u, CHILD_GATEWAY);
	stop_kind(u, CHILD_DISPLAY);
	stop_kind(u, CHILD_VMM);
}

/* A VM that powered off takes its display with it; the gateway going
 * means the host is unreachable, so everything stops. */
static int reap(struct up *u)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct child *c = child_of(u, pid);

		if (!c)
			continue;
		c->pid = 0;
		describe_exit(u, c, status);
		if (c->kind == CHILD_GATEWAY)
			return -1;
		if (c->kind == CHILD_VMM) {
			for (int i = 0; i < u->n_children; i++) {
				struct child *d = &u->children[i];

				if (d->kind == CHILD_DISPLAY && d->vm == c->vm && d->pid > 0) {
					kill(d->pid, SIGTERM);
				}
			}
		}
	}
	return 0;
}

static int parse_args(struct up *u, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "port", required_argument, NULL, 'p' },
		{ "listen", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char *end;
	int c;

	u->port = 8443;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			snprintf(u->state, sizeof(u->state), "%s", optarg);
			break;
		case 'r':
			snprintf(u->run, sizeof(u->run), "%s", optarg);
			break;
		case 'p':
			errno = 0;
			u->port = (int)strtol(optarg, &end, 10);
			if (errno || *end || u->port < 1 || u->port > 65535) {
				fprintf(stderr, "porthole up: --port %s: not a port number\n", optarg);
				return 2;
			}
			break;
		case 'l':
			if (!strrchr(optarg, ':')) {
				fprintf(stderr, "porthole up: --listen %s: want ADDR:PORT\n", optarg);
				return 2;
			}
			u->listen = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "porthole up: unexpected argument '%s'\n%s", argv[optind], usage);
		return 2;
	}
	return -1;
}

int cli_up(int argc, char **argv)
{
	struct up *u = calloc(1, sizeof(*u));
	struct signalfd_siginfo si;
	char self[PATH_MAX];
	sigset_t set;
	int sfd = -1, rc = 1;

	if (!u)
		return 1;
	rc = parse_args(u, argc, argv);
	if (rc >= 0)
		goto out_free;
	rc = 1;
	if (!u->state[0] && auth_state_dir_default(u->state, sizeof(u->state)) < 0) {
		fprintf(stderr, "porthole: no state directory: give --state-dir DIR\n");
		goto out_free;
	}
	if (!u->run[0])
		rundir_default_base(u->run, sizeof(u->run));
	if (snprintf(u->logs, sizeof(u->logs), "%s/log", u->state) >= (int)sizeof(u->logs)) {
		fprintf(stderr, "porthole: state directory path too long\n");
		goto out_free;
	}
	self_dir(self, sizeof(self));
	find_program(u->bin_vmm, sizeof(u->bin_vmm), self, "core-vmm", "porthole-vmm");
	find_program(u->bin_display, sizeof(u->bin_display), self, "display", "porthole-display");
	find_program(u->bin_gateway, sizeof(u->bin_gateway), self, "gateway", "porthole-gateway");
	find_web_root(u, self);

	if (first_run(u) < 0 || load_vms(u) < 0)
		goto out_free;
	if (mkdir(u->logs, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "porthole: cannot create %s: %s\n", u->logs, strerror(errno));
		goto out_free;
	}
	if (mkdir(u->run, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "porthole: cannot create %s: %s\n", u->run, strerror(errno));
		goto out_free;
	}
	if (!u->web_root[0])
		fprintf(stderr, "porthole: the browser client is not built (client/dist): "
			"the gateway serves the API and consoles only\n");

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0) {
		fprintf(stderr, "porthole: signalfd: %s\n", strerror(errno));
		goto out_free;
	}

	for (int i = 0; i < u->n_vms; i++)
		if (start_vm(u, i) < 0)
			goto out_stop;
	for (int i = 0; i < u->n_vms; i++)
		if (start_display(u, i) < 0)
			goto out_stop;
	if (start_gateway(u) < 0)
		goto out_stop;
	for (uint64_t end = now_ms() + 15000; !gateway_ready(u);) {
		if (reap(u) < 0 || now_ms() > end) {
			fprintf(stderr, "porthole: the gateway did not come up (is the port in use?)\n");
			goto out_stop;
		}
		usleep(50000);
	}
	print_banner(u);

	for (;;) {
		struct pollfd p = { sfd, POLLIN, 0 };

		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			break;
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGCHLD) {
			if (reap(u) < 0)
				goto out_stop;
			continue;
		}
		printf("\nporthole: stopping\n");
		rc = 0;
		break;
	}
out_stop:
	stop_all(u);
out_free:
	if (sfd >= 0)
		close(sfd);
	for (int i = 0; i < u->n_vms; i++) {
		for (int k = 0; k < u->vms[i].argc; k++)
			free(u->vms[i].argv[k]);
		free(u->vms[i].source);
	}
	free(u);
	return rc;
}
