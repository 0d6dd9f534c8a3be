// SPDX-License-Identifier: MIT
/* `porthole user ...`: the users of users.json. */
#include "cli.h"
#include "auth.h"

#include <stdio.h>
#include <string.h>

static const char user_help[] =
	"usage: porthole user COMMAND [--state-dir DIR]\n"
	"  user add NAME [--password-stdin] [--totp] [--group G]...\n"
	"                          create a user (the password is asked twice,\n"
	"                          or read as one line from stdin)\n"
	"  user passwd NAME [--password-stdin]\n"
	"                          set a new password (ends the user's web sessions)\n"
	"  user del NAME           delete a user (and take it off every access list)\n"
	"  user list               users, whether they have TOTP, their groups\n"
	"  user totp NAME on|off   on: a new TOTP secret, printed once\n"
	"  user group NAME add|del GROUP\n"
	"                          group membership; group 'admin' reaches every VM\n"
	"--state-dir DIR: default /var/lib/porthole for root, else\n"
	"$XDG_STATE_HOME/porthole or ~/.local/state/porthole.\n"
	"Names: a-z, 0-9, '.', '_', '-', starting with a letter or digit, at most 32.\n";

/* A load-modify-save cycle under users.lock. */
static int edit(const struct cli_args *a, int (*fn)(struct auth_db *, const struct cli_args *,
						    void *, char *, size_t), void *arg)
{
	char err[AUTH_ERR_MAX];
	struct auth_db *db = auth_db_load(a->state_dir, 1, err, sizeof(err));
	int rc = CLI_EXIT_FAIL;

	if (!db)
		return cli_fail("%s", err);
	if (fn(db, a, arg, err, sizeof(err)) == 0 && auth_db_save(db, err, sizeof(err)) == 0)
		rc = 0;
	else
		cli_fail("%s", err);
	auth_db_free(db);
	return rc;
}

static int is_user(const struct auth_user_info *u, void *name)
{
	return !strcmp(u->name, name);
}

/* Before asking for a password: is the name good, and free (add) or taken
 * (passwd)? The edit itself checks again under the lock. */
static int precheck(const struct cli_args *a, const char *name, int want_exists)
{
	char err[AUTH_ERR_MAX];
	struct auth_db *db;
	int exists;

	if (!auth_name_valid(name))
		return cli_fail("user name '%s' is not valid: use a-z, 0-9, '.', '_' or '-', starting with a letter or digit, at most 32",
				name);
	for (int i = 0; i < a->ngroups; i++)
		if (!auth_name_valid(a->groups[i]))
			return cli_fail("group name '%s' is not valid", a->groups[i]);
	db = auth_db_load(a->state_dir, 0, err, sizeof(err));
	if (!db)
		return cli_fail("%s", err);
	exists = auth_db_each_user(db, is_user, (void *)name);
	auth_db_free(db);
	if (exists && !want_exists)
		return cli_fail("user '%s' exists", name);
	if (!exists && want_exists)
		return cli_fail("no user '%s' (see: porthole user list)", name);
	return 0;
}

struct pw_edit {
	const char *password;
	char secret[64];
};

static int do_add(struct auth_db *db, const struct cli_args *a, void *arg, char *err,
		  size_t errlen)
{
	struct pw_edit *e = arg;
	const char *name = a->pos[0];

	if (auth_db_user_add(db, name, e->password, err, errlen))
		return -1;
	for (int i = 0; i < a->ngroups; i++)
		if (auth_db_user_group(db, name, a->groups[i], 1, err, errlen))
			return -1;
	if (a->totp)
		return auth_db_user_totp(db, name, e->secret, sizeof(e->secret), err, errlen);
	return 0;
}

static int do_passwd(struct auth_db *db, const struct cli_args *a, void *arg, char *err,
		     size_t errlen)
{
	return auth_db_user_passwd(db, a->pos[0], ((struct pw_edit *)arg)->password, err,
				   errlen);
}

static void print_totp(const char *name, const char *secret)
{
	printf("TOTP secret for %s: %s\n"
	       "otpauth://totp/Porthole:%s?secret=%s&issuer=Porthole\n"
	       "(add it to an authenticator app now: it is not shown again)\n",
	       name, secret, name, secret);
}

static int user_add_passwd(int argc, char **argv, struct cli_args *a, int add)
{
	char password[AUTH_PASSWORD_MAX + 2];
	struct pw_edit e = { .password = password };
	int rc, done;

	rc = cli_parse(argc, argv, CLI_OPT_PASSWORD_STDIN |
		       (add ? CLI_OPT_TOTP | CLI_OPT_GROUP : 0), 1, user_help, a, &done);
	if (done)
		return rc;
	if ((rc = precheck(a, a->pos[0], !add)))
		return rc;
	if (cli_read_password(a->password_stdin, a->pos[0], password, sizeof(password)))
		return CLI_EXIT_FAIL;
	rc = edit(a, add ? do_add : do_passwd, &e);
	explicit_bzero(password, sizeof(password));
	if (rc)
		return rc;
	printf(add ? "user '%s' added\n" : "password of '%s' changed\n", a->pos[0]);
	if (add && a->totp)
		print_totp(a->pos[0], e.secret);
	explicit_bzero(e.secret, sizeof(e.secret));
	return 0;
}

static int user_add(int argc, char **argv, struct cli_args *a)
{
	return user_add_passwd(argc, argv, a, 1);
}

static int user_passwd(int argc, char **argv, struct cli_args *a)
{
	return user_add_passwd(argc, argv, a, 0);
}

static int do_del(struct auth_db *db, const struct cli_args *a, void *arg, char *err,
		  size_t errlen)
{
	return auth_db_user_del(db, a->pos[0], err, errlen);
}

static int user_del(int argc, char **argv, struct cli_args *a)
{
	int done, rc = cli_parse(argc, argv, 0, 1, user_help, a, &done);

	if (done || (rc = edit(a, do_del, NULL)))
		return rc;
	printf("user '%s' deleted\n", a->pos[0]);
	return 0;
}

static int print_user(const struct auth_user_info *u, void *arg)
{
	printf("%-32s  %-4s  ", u->name, u->totp ? "yes" : "no");
	for (int i = 0; u->groups[i]; i++)
		printf("%s%s", i ? "," : "", u->groups[i]);
	putchar('\n');
	return 0;
}

static int user_list(int argc, char **argv, struct cli_args *a)
{
	char err[AUTH_ERR_MAX];
	struct auth_db *db;
	int done, rc = cli_parse(argc, argv, 0, 0, user_help, a, &done);

	if (done)
		return rc;
	db = auth_db_load(a->state_dir, 0, err, sizeof(err));
	if (!db)
		return cli_fail("%s", err);
	printf("%-32s  %-4s  %s\n", "USER", "TOTP", "GROUPS");
	auth_db_each_user(db, print_user, NULL);
	auth_db_free(db);
	return 0;
}

static int do_totp(struct auth_db *db, const struct cli_args *a, void *arg, char *err,
		   size_t errlen)
{
	struct pw_edit *e = arg;

	return auth_db_user_totp(db, a->pos[0], e ? e->secret : NULL,
				 e ? sizeof(e->secret) : 0, err, errlen);
}

static int user_totp(int argc, char **argv, struct cli_args *a)
{
	struct pw_edit e = { 0 };
	int done, on, rc = cli_parse(argc, argv, 0, 2, user_help, a, &done);

	if (done)
		return rc;
	on = !strcmp(a->pos[1], "on");
	if (!on && strcmp(a->pos[1], "off"))
		return cli_usage_error(a->cmd, "say 'on' or 'off', not '%s'", a->pos[1]);
	if ((rc = edit(a, do_totp, on ? &e : NULL)))
		return rc;
	if (on)
		print_totp(a->pos[0], e.secret);
	else
		printf("TOTP off for '%s'\n", a->pos[0]);
	explicit_bzero(e.secret, sizeof(e.secret));
	return 0;
}

static int do_group(struct auth_db *db, const struct cli_args *a, void *arg, char *err,
		    size_t errlen)
{
	return auth_db_user_group(db, a->pos[0], a->pos[2], *(int *)arg, err, errlen);
}

static int user_group(int argc, char **argv, struct cli_args *a)
{
	int done, add, rc = cli_parse(argc, argv, 0, 3, user_help, a, &done);

	if (done)
		return rc;
	add = !strcmp(a->pos[1], "add");
	if (!add && strcmp(a->pos[1], "del"))
		return cli_usage_error(a->cmd, "say 'add' or 'del', not '%s'", a->pos[1]);
	if ((rc = edit(a, do_group, &add)))
		return rc;
	printf(add ? "'%s' is in group '%s'\n" : "'%s' left group '%s'\n", a->pos[0],
	       a->pos[2]);
	return 0;
}

static const struct cli_sub user_cmds[] = {
	{ "add", user_add },
	{ "passwd", user_passwd },
	{ "del", user_del },
	{ "list", user_list },
	{ "totp", user_totp },
	{ "group", user_group },
};

int cli_user(int argc, char **argv)
{
	return cli_dispatch("user", user_cmds, sizeof(user_cmds) / sizeof(user_cmds[0]), user_help, argc, argv);
}
