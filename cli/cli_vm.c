// SPDX-License-Identifier: MIT
/* `porthole vm ...`: who may reach each VM, and whether it is running. */
#include "cli.h"
#include "auth.h"
#include "rundir.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const char vm_help[] =
	"usage: porthole vm COMMAND [--state-dir DIR]\n"
	"  vm allow VM USER|@GROUP  let a user, or a group's members, reach VM\n"
	"  vm deny VM USER|@GROUP   take them off VM's access list\n"
	"  vm list [--run-dir DIR]  each VM with an access list, its state\n"
	"                           (running: RUN/VM/vnc.sock answers) and list\n"
	"Members of group 'admin' reach every VM without being listed.\n"
	"--state-dir DIR: default /var/lib/porthole for root, else\n"
	"$XDG_STATE_HOME/porthole or ~/.local/state/porthole.\n"
	"--run-dir DIR: as porthole-vmm's: /run/porthole for root, else\n"
	"$XDG_RUNTIME_DIR/porthole or /tmp/porthole-UID.\n";

static int allow_deny(int argc, char **argv, struct cli_args *a, int allow)
{
	char err[AUTH_ERR_MAX];
	struct auth_db *db;
	int done, rc = cli_parse(argc, argv, 0, 2, vm_help, a, &done);

	if (done)
		return rc;
	db = auth_db_load(a->state_dir, 1, err, sizeof(err));
	if (!db)
		return cli_fail("%s", err);
	rc = auth_db_vm_allow(db, a->pos[0], a->pos[1], allow, err, sizeof(err)) ||
	     auth_db_save(db, err, sizeof(err));
	auth_db_free(db);
	if (rc)
		return cli_fail("%s", err);
	printf(allow ? "'%s' may reach VM '%s'\n" : "'%s' is off the access list of VM '%s'\n",
	       a->pos[1], a->pos[0]);
	return 0;
}

static int vm_allow(int argc, char **argv, struct cli_args *a)
{
	return allow_deny(argc, argv, a, 1);
}

static int vm_deny(int argc, char **argv, struct cli_args *a)
{
	return allow_deny(argc, argv, a, 0);
}

/* Running means porthole-display's vnc.sock accepts a connection (which we
 * close at once, before any byte). */
static int vm_running(const char *run_dir, const char *vm)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, n, ok;

	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s/vnc.sock", run_dir, vm);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		return 0;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return 0;
	/* EAGAIN: a listener whose backlog is full, so it is there. */
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == EAGAIN;
	close(fd);
	return ok;
}

static int print_vm(const struct auth_vm_info *vm, void *arg)
{
	printf("%-32s  %-7s  ", vm->name, vm_running(arg, vm->name) ? "running" : "stopped");
	for (int i = 0; vm->allow[i]; i++)
		printf("%s%s", i ? "," : "", vm->allow[i]);
	putchar('\n');
	return 0;
}

static int vm_list(int argc, char **argv, struct cli_args *a)
{
	char err[AUTH_ERR_MAX], run[PATH_MAX];
	struct auth_db *db;
	int done, rc = cli_parse(argc, argv, CLI_OPT_RUN_DIR, 0, vm_help, a, &done);

	if (done)
		return rc;
	if (a->run_dir)
		snprintf(run, sizeof(run), "%s", a->run_dir);
	else
		rundir_default_base(run, sizeof(run));
	db = auth_db_load(a->state_dir, 0, err, sizeof(err));
	if (!db)
		return cli_fail("%s", err);
	printf("%-32s  %-7s  %s\n", "VM", "STATE", "ACCESS");
	auth_db_each_vm(db, print_vm, run);
	auth_db_free(db);
	return 0;
}

static const struct cli_sub vm_cmds[] = {
	{ "allow", vm_allow },
	{ "deny", vm_deny },
	{ "list", vm_list },
};

int cli_vm(int argc, char **argv)
{
	return cli_dispatch("vm", vm_cmds, sizeof(vm_cmds) / sizeof(vm_cmds[0]), vm_help, argc, argv);
}
