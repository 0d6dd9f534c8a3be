// SPDX-License-Identifier: MIT
/* Web sessions: tokens, idle and absolute expiry, log-out, deleted users,
 * new passwords, the per-user bound. */
#include "atest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define H (3600 * 1000ULL)
#define T0 (1000 * H)

static void expect_user(struct auth *a, const char *token, uint64_t now, const char *want)
{
	char user[AUTH_NAME_MAX + 1];
	int rc = auth_session_user(a, token, now, user);

	if (!want)
		CHECK(rc < 0, "session %s should be dead", token);
	else
		CHECK(rc == 0 && !strcmp(user, want), "session %s: rc %d", token, rc);
}

static void test_expiry(struct auth *a)
{
	char t[AUTH_SESSION_MAX], t2[AUTH_SESSION_MAX];
	uint64_t now;

	CHECK(auth_session_new(a, "alice", T0, t) == 0, "new");
	CHECK(strlen(t) == 43 && strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == 43,
	      "token %s", t);
	CHECK(auth_session_new(a, "alice", T0, t2) == 0 && strcmp(t, t2), "tokens differ");
	expect_user(a, t, T0 + 11 * H, "alice");     /* each use restarts the idle clock */
	expect_user(a, t, T0 + 22 * H, "alice");
	expect_user(a, t2, T0 + 22 * H, NULL);        /* 12 h idle */
	expect_user(a, t, T0 + 34 * H, NULL);

	/* 7 days at most, however busy. */
	CHECK(auth_session_new(a, "alice", T0, t) == 0, "new");
	for (now = T0 + 10 * H; now < T0 + 7 * 24 * H; now += 10 * H)
		expect_user(a, t, now, "alice");
	expect_user(a, t, T0 + 7 * 24 * H, NULL);

	/* Log-out. */
	CHECK(auth_session_new(a, "alice", T0, t) == 0, "new");
	auth_session_end(a, t);
	expect_user(a, t, T0, NULL);
	auth_session_end(a, t);
	auth_session_end(a, "not a token");
}

static void test_bad_tokens(struct auth *a)
{
	char t[AUTH_SESSION_MAX];

	CHECK(auth_session_new(a, "alice", T0, t) == 0, "new");
	expect_user(a, NULL, T0, NULL);
	expect_user(a, "", T0, NULL);
	expect_user(a, "abc", T0, NULL);
	t[5] = t[5] == '+' ? '/' : '+';
	expect_user(a, t, T0, NULL);
	t[42] = 0;
	expect_user(a, t, T0, NULL);
	CHECK(auth_session_new(a, "nobody", T0, t) < 0, "session for an unknown user");
}

static void test_user_changes(const char *dir, struct auth *a)
{
	char tb[AUTH_SESSION_MAX], tc[AUTH_SESSION_MAX], ta[AUTH_SESSION_MAX];
	char err[AUTH_ERR_MAX];

	CHECK(auth_session_new(a, "bob", T0, tb) == 0, "new");
	CHECK(auth_session_new(a, "carol", T0, tc) == 0, "new");
	CHECK(auth_session_new(a, "alice", T0, ta) == 0, "new");
	ATEST_EDIT(dir, auth_db_user_del(db, "bob", e_, sizeof(e_)) ||
			auth_db_user_passwd(db, "carol", "new pw", e_, sizeof(e_)) ||
			auth_db_user_group(db, "alice", "ops", 1, e_, sizeof(e_)));
	CHECK(auth_refresh(a, err, sizeof(err)) == 1, "%s", err);
	expect_user(a, tb, T0 + 1, NULL);   /* deleted */
	expect_user(a, tc, T0 + 1, NULL);   /* new password */
	expect_user(a, ta, T0 + 1, "alice"); /* other changes keep sessions */
	/* A user of the same name later is not the old one. */
	ATEST_EDIT(dir, auth_db_user_add(db, "bob", "bob again", e_, sizeof(e_)));
	CHECK(auth_refresh(a, err, sizeof(err)) == 1, "%s", err);
	expect_user(a, tb, T0 + 2, NULL);
}

static void test_per_user_bound(struct auth *a)
{
	char t[40][AUTH_SESSION_MAX];

	for (int i = 0; i < 40; i++)
		CHECK(auth_session_new(a, "dave", T0 + (uint64_t)i, t[i]) == 0, "new %d", i);
	for (int i = 0; i < 40; i++)
		expect_user(a, t[i], T0 + 100, i < 8 ? NULL : "dave");
}

int main(void)
{
	char *dir = atest_tmpdir("sessions"), err[AUTH_ERR_MAX];
	struct auth *a;

	ATEST_EDIT(dir, auth_db_user_add(db, "alice", "pw-a", e_, sizeof(e_)) ||
			auth_db_user_add(db, "bob", "pw-b", e_, sizeof(e_)) ||
			auth_db_user_add(db, "carol", "pw-c", e_, sizeof(e_)) ||
			auth_db_user_add(db, "dave", "pw-d", e_, sizeof(e_)));
	a = auth_open(dir, err, sizeof(err));
	CHECK(a, "%s", err);
	test_expiry(a);
	test_bad_tokens(a);
	test_user_changes(dir, a);
	test_per_user_bound(a);
	auth_close(a);
	atest_rmdir(dir);
	printf("auth sessions: ok\n");
	return 0;
}
