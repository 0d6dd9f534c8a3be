// SPDX-License-Identifier: MIT
/* users.json: edits, atomic saves, the writers' lock, corrupt files, names. */
#include "atest.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define WRITERS 4
#define EDITS   12

static int count_users(const struct auth_user_info *u, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static int find_vm(const struct auth_vm_info *vm, void *arg)
{
	const struct auth_vm_info **out = arg;

	if (strcmp(vm->name, (*out)->name))
		return 0;
	*out = vm;
	return 1;
}

static size_t strv_len(const char *const *v)
{
	size_t n = 0;

	while (v[n])
		n++;
	return n;
}

static void test_names(void)
{
	static const char *const good[] = { "a", "alice", "0day", "a.b_c-d",
		"abcdefghijklmnopqrstuvwxyz012345" };
	static const char *const bad[] = { "", "Bob", "bob!", "-x", ".x", "_x",
		"a b", "a/b", "abcdefghijklmnopqrstuvwxyz0123456", "\xc3\xa9" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(auth_name_valid(good[i]), "'%s' should be valid", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!auth_name_valid(bad[i]), "'%s' should be invalid", bad[i]);
}

static void test_edits(const char *base)
{
	char dir[PATH_MAX], err[AUTH_ERR_MAX], path[PATH_MAX + 16], secret[64];
	char longpw[AUTH_PASSWORD_MAX + 2];
	struct auth_vm_info want = { .name = "demo" };
	const struct auth_vm_info *vm = &want;
	struct auth_db *d;
	struct stat st;
	int n = 0;

	/* A state directory that does not exist yet: created 0700. */
	snprintf(dir, sizeof(dir), "%s/a/state", base);
	d = auth_db_load(dir, 1, err, sizeof(err));
	CHECK(d, "%s", err);
	CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, "mode %o",
	      st.st_mode & 0777);
	CHECK(auth_db_user_add(d, "Bob!", "pw", err, sizeof(err)) < 0 &&
	      strstr(err, "'Bob!' is not valid"), "%s", err);
	CHECK(auth_db_user_add(d, "alice", "", err, sizeof(err)) < 0 &&
	      strstr(err, "empty"), "%s", err);
	memset(longpw, 'x', sizeof(longpw) - 1);
	longpw[sizeof(longpw) - 1] = 0;
	CHECK(auth_db_user_add(d, "alice", longpw, err, sizeof(err)) < 0 &&
	      strstr(err, "longer than"), "%s", err);
	CHECK(auth_db_user_add(d, "alice", "correct horse", err, sizeof(err)) == 0, "%s", err);
	CHECK(auth_db_user_add(d, "alice", "again", err, sizeof(err)) < 0 &&
	      !strcmp(err, "user 'alice' exists"), "%s", err);
	CHECK(auth_db_user_add(d, "bob", "battery staple", err, sizeof(err)) == 0, "%s", err);
	CHECK(auth_db_user_passwd(d, "carol", "x", err, sizeof(err)) < 0 &&
	      strstr(err, "no user 'carol'"), "%s", err);
	CHECK(auth_db_user_group(d, "bob", "ops", 1, err, sizeof(err)) == 0, "%s", err);
	CHECK(auth_db_user_group(d, "bob", "ops", 1, err, sizeof(err)) < 0, "twice");
	CHECK(auth_db_user_group(d, "bob", "Ops", 1, err, sizeof(err)) < 0, "bad group");
	CHECK(auth_db_user_totp(d, "bob", secret, sizeof(secret), err, sizeof(err)) == 0,
	      "%s", err);
	CHECK(strlen(secret) == 32, "secret %s", secret);
	CHECK(auth_db_vm_allow(d, "demo", "alice", 1, err, sizeof(err)) == 0, "%s", err);
	CHECK(auth_db_vm_allow(d, "demo", "@ops", 1, err, sizeof(err)) == 0, "%s", err);
	CHECK(auth_db_vm_allow(d, "demo", "@ops", 1, err, sizeof(err)) < 0 &&
	      strstr(err, "already"), "%s", err);
	CHECK(auth_db_vm_allow(d, "demo", "zed", 1, err, sizeof(err)) < 0 &&
	      strstr(err, "no user 'zed'"), "%s", err);
	CHECK(auth_db_vm_allow(d, "demo", "@Bad", 1, err, sizeof(err)) < 0 &&
	      strstr(err, "not valid"), "%s", err);
	CHECK(auth_db_vm_allow(d, "web", "bob", 1, err, sizeof(err)) == 0, "%s", err);
	CHECK(auth_db_vm_allow(d, "web", "alice", 0, err, sizeof(err)) < 0 &&
	      strstr(err, "not on the access list"), "%s", err);
	CHECK(auth_db_save(d, err, sizeof(err)) == 0, "%s", err);
	auth_db_free(d);

	/* Saved whole, private, and no temp file left behind. */
	snprintf(path, sizeof(path), "%s/users.json", dir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "mode %o",
	      st.st_mode & 0777);
	DIR *dh = opendir(dir);
	for (struct dirent *e; (e = readdir(dh));)
		CHECK(!strncmp(e->d_name, ".", 1) || !strcmp(e->d_name, "users.json") ||
		      !strcmp(e->d_name, "users.lock"), "stray file %s", e->d_name);
	closedir(dh);

	d = auth_db_load(dir, 0, err, sizeof(err));
	CHECK(d, "%s", err);
	auth_db_each_user(d, count_users, &n);
	CHECK(n == 2, "%d users", n);
	CHECK(auth_db_each_vm(d, find_vm, &vm) == 1 && strv_len(vm->allow) == 2 &&
	      !strcmp(vm->allow[0], "@ops") && !strcmp(vm->allow[1], "alice"),
	      "demo's access list");
	/* Saving needs the lock. */
	CHECK(auth_db_save(d, err, sizeof(err)) < 0 && strstr(err, "lock"), "%s", err);
	auth_db_free(d);

	/* Deleting a user takes it off the access lists (a VM whose list is
	 * empty leaves the database). */
	ATEST_EDIT(dir, auth_db_user_del(db, "bob", e_, sizeof(e_)));
	d = auth_db_load(dir, 0, err, sizeof(err));
	CHECK(d, "%s", err);
	want.name = "web";
	vm = &want;
	CHECK(auth_db_each_vm(d, find_vm, &vm) == 0, "web should be gone");
	auth_db_free(d);
	ATEST_EDIT(dir, auth_db_vm_allow(db, "demo", "alice", 0, e_, sizeof(e_)));
}

/* Each writer adds its own entries with load-modify-save under the lock;
 * none may be lost, and a reader never sees a partial file. */
static void test_concurrent(const char *base)
{
	char dir[PATH_MAX], err[AUTH_ERR_MAX];
	struct auth_vm_info want = { .name = "shared" };
	const struct auth_vm_info *vm = &want;
	pid_t pids[WRITERS + 1];
	struct auth_db *d;

	snprintf(dir, sizeof(dir), "%s/conc", base);
	for (int w = 0; w <= WRITERS; w++) {
		pids[w] = fork();
		CHECK(pids[w] >= 0, "fork");
		if (pids[w])
			continue;
		for (int i = 0; i < EDITS; i++) {
			char group[AUTH_NAME_MAX + 2];

			if (w == WRITERS) { /* the reader */
				d = auth_db_load(dir, 0, err, sizeof(err));
				CHECK(d, "reader: %s", err);
				auth_db_free(d);
				continue;
			}
			snprintf(group, sizeof(group), "@w%d-%d", w, i);
			ATEST_EDIT(dir, auth_db_vm_allow(db, "shared", group, 1, e_, sizeof(e_)));
		}
		_exit(0);
	}
	for (int w = 0; w <= WRITERS; w++) {
		int status;

		CHECK(waitpid(pids[w], &status, 0) == pids[w] && WIFEXITED(status) &&
		      WEXITSTATUS(status) == 0, "process %d failed", w);
	}
	d = auth_db_load(dir, 0, err, sizeof(err));
	CHECK(d, "%s", err);
	CHECK(auth_db_each_vm(d, find_vm, &vm) == 1, "no VM shared");
	CHECK(strv_len(vm->allow) == WRITERS * EDITS, "%zu of %d edits kept",
	      strv_len(vm->allow), WRITERS * EDITS);
	auth_db_free(d);
}

static void expect_corrupt(const char *dir, const char *text, const char *what)
{
	char err[AUTH_ERR_MAX], *after;

	atest_write(dir, "users.json", text);
	CHECK(!auth_db_load(dir, 1, err, sizeof(err)), "'%s' loaded", text);
	CHECK(strstr(err, "users.json") && strstr(err, what), "message: %s", err);
	after = atest_read(dir, "users.json");
	CHECK(after && !strcmp(after, text), "the file was changed");
	free(after);
}

static void test_corrupt(const char *base)
{
	char dir[PATH_MAX], err[AUTH_ERR_MAX];

	snprintf(dir, sizeof(dir), "%s/corrupt", base);
	CHECK(mkdir(dir, 0700) == 0, "mkdir");
	expect_corrupt(dir, "{\"version\": 1, \"users\": {\n", "line 2");
	expect_corrupt(dir, "{\"version\": 1, \"users\": {}, \"users\": {}}", "duplicate");
	expect_corrupt(dir, "[]", "top level");
	expect_corrupt(dir, "{\"version\": 2}", "version");
	expect_corrupt(dir, "{\"version\": 1, \"vms\": {\"demo\": {\"allwo\": []}}}",
		       "unknown key 'allwo'");
	expect_corrupt(dir, "{\"version\": 1, \"users\": {\"Al\": {}}}", "not valid");
	expect_corrupt(dir, "{\"version\": 1, \"users\": {\"al\": {\"password\": \"x\"}}}",
		       "Argon2id");
	expect_corrupt(dir, "{\"version\": 1, \"users\": {\"al\": {\"password\": "
		       "\"$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHQ$aGFzaA\"}}}",
		       "Argon2id");
	expect_corrupt(dir, "{\"version\": 1, \"vms\": {\"d\": {\"allow\": [\"a\", \"a\"]}}}",
		       "twice");
	expect_corrupt(dir, "{\"version\": 1, \"vms\": {\"d\": {\"allow\": [\"@\"]}}}",
		       "not a valid name");
	atest_write(dir, "users.json", "{\"version\": 1}");
	struct auth_db *d = auth_db_load(dir, 0, err, sizeof(err));
	CHECK(d, "%s", err);
	auth_db_free(d);
}

static void test_state_dir_default(void)
{
	char buf[PATH_MAX];

	if (geteuid() == 0) {
		CHECK(auth_state_dir_default(buf, sizeof(buf)) == 0 &&
		      !strcmp(buf, "/var/lib/porthole"), "%s", buf);
		return;
	}
	setenv("XDG_STATE_HOME", "/x/state", 1);
	CHECK(auth_state_dir_default(buf, sizeof(buf)) == 0 &&
	      !strcmp(buf, "/x/state/porthole"), "%s", buf);
	unsetenv("XDG_STATE_HOME");
	setenv("HOME", "/home/u", 1);
	CHECK(auth_state_dir_default(buf, sizeof(buf)) == 0 &&
	      !strcmp(buf, "/home/u/.local/state/porthole"), "%s", buf);
}

int main(void)
{
	char *base = atest_tmpdir("db");

	test_names();
	test_edits(base);
	test_concurrent(base);
	test_corrupt(base);
	test_state_dir_default();
	atest_rmdir(base);
	printf("auth db: ok\n");
	return 0;
}
