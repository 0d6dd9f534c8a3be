// SPDX-License-Identifier: MIT
/*
 * `porthole ticket VM --user NAME --protocol P`: a one-time ticket for a
 * native client, as the web client gets them, printed on stdout; with
 * --rdp FILE also the .rdp file that carries it (the same file as the web
 * client's "Download .rdp": gateway/proto/rdp_file.h).
 */
#include "cli.h"
#include "auth.h"
#include "../gateway/proto/rdp_file.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_PORT 8443

static const char ticket_help[] =
	"usage: porthole ticket VM --user NAME --protocol rdp|vnc|spice\n"
	"                       [--rdp FILE [--host HOST] [--port N]] [--state-dir DIR]\n"
	"A ticket that lets NAME reach VM once, by that protocol, within 60 s,\n"
	"printed on standard output.\n"
	"  --rdp FILE   also write a .rdp file that opens VM through the gateway with\n"
	"               the ticket (mstsc, xfreerdp); '-' writes it to standard output\n"
	"  --host HOST  the gateway as clients reach it (default: this host's name)\n"
	"  --port N     the gateway's port (default 8443)\n"
	"  --vv FILE    a SPICE .vv file: not yet (SPICE comes with a later release)\n"
	"--state-dir DIR: default /var/lib/porthole for root, else\n"
	"$XDG_STATE_HOME/porthole or ~/.local/state/porthole.\n";

struct ticket_args {
	const char *vm, *user, *protocol, *rdp, *vv, *host;
	unsigned port;
	char state_dir[PATH_MAX];
};

static int parse(int argc, char **argv, struct ticket_args *t, int *done)
{
	enum { O_USER = 256, O_PROTO, O_RDP, O_VV, O_HOST, O_PORT, O_STATE, O_HELP };
	static const struct option opts[] = {
		{ "user", required_argument, NULL, O_USER },
		{ "protocol", required_argument, NULL, O_PROTO },
		{ "rdp", required_argument, NULL, O_RDP },
		{ "vv", required_argument, NULL, O_VV },
		{ "host", required_argument, NULL, O_HOST },
		{ "port", required_argument, NULL, O_PORT },
		{ "state-dir", required_argument, NULL, O_STATE },
		{ "help", no_argument, NULL, O_HELP },
		{ 0 },
	};
	const char *state = NULL;
	char *end;
	long port;
	int c;

	*done = 1;
	t->port = DEFAULT_PORT;
	opterr = 0;
	optind = 0; /* glibc: start afresh */
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case O_USER: t->user = optarg; break;
		case O_PROTO: t->protocol = optarg; break;
		case O_RDP: t->rdp = optarg; break;
		case O_VV: t->vv = optarg; break;
		case O_HOST: t->host = optarg; break;
		case O_STATE: state = optarg; break;
		case O_PORT:
			port = strtol(optarg, &end, 10);
			if (!*optarg || *end || port < 1 || port > 65535)
				return cli_usage_error("ticket", "--port %s: give 1 to 65535", optarg);
			t->port = (unsigned)port;
			break;
		case 'h':
		case O_HELP:
			fputs(ticket_help, stdout);
			return 0;
		case ':':
			return cli_usage_error("ticket", "%s needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("ticket", "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("ticket", optind == argc ? "name the VM" :
				       "one VM only ('%s' is extra)", argv[argc - 1]);
	t->vm = argv[optind];
	if (!t->user || !t->protocol)
		return cli_usage_error("ticket", "--user and --protocol are needed");
	if (state && snprintf(t->state_dir, sizeof(t->state_dir), "%s", state) >=
		     (int)sizeof(t->state_dir))
		return cli_usage_error("ticket", "--state-dir is too long");
	if (!state && auth_state_dir_default(t->state_dir, sizeof(t->state_dir)))
		return cli_fail("no default state directory ($HOME is not set): give --state-dir DIR");
	*done = 0;
	return 0;
}

/* The file holds a live ticket: only its owner reads it. */
static int write_file(const char *path, const char *text, size_t len)
{
	int fd = strcmp(path, "-") ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : 1;
	ssize_t n = fd < 0 ? -1 : write(fd, text, len);
	int err = errno;

	if (fd > 1 && close(fd) < 0 && n == (ssize_t)len) {
		err = errno;
		n = -1;
	}
	if (n != (ssize_t)len)
		return cli_fail("%s: %s", path, n < 0 ? strerror(err) : "short write");
	return 0;
}

static int write_rdp(const struct ticket_args *t, const char *ticket)
{
	char host[256], text[1024];
	int n;

	if (t->host) {
		snprintf(host, sizeof(host), "%s", t->host);
	} else if (gethostname(host, sizeof(host)) < 0) {
		return cli_fail("no host name: give --host");
	}
	host[sizeof(host) - 1] = 0;
	n = gw_rdp_file(text, sizeof(text), host, t->port, t->user, ticket);
	if (n < 0)
		return cli_usage_error("ticket", "--host %s: give a host name or address "
				       "([v6] in brackets)", host);
	n = write_file(t->rdp, text, (size_t)n);
	explicit_bzero(text, sizeof(text));
	if (n == 0 && strcmp(t->rdp, "-"))
		fprintf(stderr, "porthole: wrote %s: open it within %d s (mstsc %s, xfreerdp %s)\n",
			t->rdp, AUTH_TICKET_TTL_S, t->rdp, t->rdp);
	return n;
}

int cli_ticket(int argc, char **argv)
{
	char err[AUTH_ERR_MAX], ticket[AUTH_TICKET_MAX];
	struct ticket_args t = { 0 };
	enum auth_proto p;
	struct auth *a;
	int done, rc = parse(argc, argv, &t, &done);

	if (done)
		return rc;
	if (auth_proto_parse(t.protocol, &p) || p == AUTH_PROTO_STREAM)
		return cli_usage_error("ticket", "--protocol %s: give rdp, vnc or spice", t.protocol);
	if (t.vv)
		return cli_fail("--vv: SPICE .vv files are not written yet (SPICE support comes "
				"later); the ticket alone is --protocol spice without --vv");
	if (t.rdp && p != AUTH_PROTO_RDP)
		return cli_usage_error("ticket", "--rdp needs --protocol rdp");
	if (!auth_name_valid(t.vm) || !auth_name_valid(t.user))
		return cli_usage_error("ticket", "'%s' is not a valid name: use a-z, 0-9, . _ -",
				       auth_name_valid(t.vm) ? t.user : t.vm);
	a = auth_open(t.state_dir, err, sizeof(err));
	if (!a)
		return cli_fail("%s", err);
	rc = auth_ticket_issue(a, t.user, t.vm, p, (uint64_t)time(NULL), ticket);
	auth_close(a);
	if (rc)
		return cli_fail("'%s' may not reach VM '%s' (or there is no such user): "
				"porthole vm allow %s %s", t.user, t.vm, t.vm, t.user);
	rc = t.rdp ? write_rdp(&t, ticket) : 0;
	if (rc == 0 && !(t.rdp && !strcmp(t.rdp, "-")))
		printf("%s\n", ticket);
	explicit_bzero(ticket, sizeof(ticket));
	return rc;
}
