// SPDX-License-Identifier: MIT
/* Tickets: issue and redeem, and every way a ticket must be refused. */
#include "atest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW 1700000000ULL

static struct auth *open_state(const char *dir)
{
	char err[AUTH_ERR_MAX];
	struct auth *a = auth_open(dir, err, sizeof(err));

	CHECK(a, "%s", err);
	return a;
}

static void issue(struct auth *a, const char *user, const char *vm,
		  enum auth_proto p, uint64_t now, char t[AUTH_TICKET_MAX])
{
	CHECK(auth_ticket_issue(a, user, vm, p, now, t) == 0, "issue %s %s", user, vm);
	CHECK(strlen(t) < AUTH_TICKET_MAX, "length");
	CHECK(strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
	      strlen(t), "not URL-safe: %s", t);
}

#define REDEEM(a, t, vm, p, now, want) do {					\
	enum auth_ticket_result r_ = auth_ticket_redeem(a, t, vm, p, now, NULL, NULL); \
	CHECK(r_ == (want), "redeem: %s, want %s", auth_ticket_result_name(r_), \
	      auth_ticket_result_name(want));					\
} while (0)

static void test_ok(struct auth *a)
{
	char t[AUTH_TICKET_MAX], user[AUTH_NAME_MAX + 1], vm[AUTH_NAME_MAX + 1];
	struct auth_ticket_fields f;

	issue(a, "alice", "demo", AUTH_PROTO_VNC, NOW, t);
	CHECK(auth_ticket_parse(t, strlen(t), &f) == 0, "parse %s", t);
	CHECK(!strcmp(f.user, "alice") && !strcmp(f.vm, "demo") &&
	      f.proto == AUTH_PROTO_VNC && f.expires_s == NOW + AUTH_TICKET_TTL_S &&
	      f.signed_len == (size_t)(strrchr(t, '.') - t), "fields");
	CHECK(auth_ticket_redeem(a, t, "demo", AUTH_PROTO_VNC, NOW + 1, user, vm) ==
	      AUTH_TICKET_OK && !strcmp(user, "alice") && !strcmp(vm, "demo"), "redeem");
	REDEEM(a, t, "demo", AUTH_PROTO_VNC, NOW + 2, AUTH_TICKET_REPLAYED);

	/* Any VM (the caller learns which); the last second of its life. */
	issue(a, "alice", "demo", AUTH_PROTO_RDP, NOW, t);
	vm[0] = 0;
	CHECK(auth_ticket_redeem(a, t, NULL, AUTH_PROTO_RDP,
				 NOW + AUTH_TICKET_TTL_S - 1, NULL, vm) == AUTH_TICKET_OK &&
	      !strcmp(vm, "demo"), "redeem with vm NULL");
	/* Through a group; an admin anywhere. */
	issue(a, "bob", "demo", AUTH_PROTO_STREAM, NOW, t);
	REDEEM(a, t, "demo", AUTH_PROTO_STREAM, NOW, AUTH_TICKET_OK);
	issue(a, "root", "elsewhere", AUTH_PROTO_SPICE, NOW, t);
	REDEEM(a, t, "elsewhere", AUTH_PROTO_SPICE, NOW, AUTH_TICKET_OK);
	CHECK(auth_ticket_issue(a, "carol", "demo", AUTH_PROTO_VNC, NOW, t) < 0,
	      "carol may not reach demo");
	CHECK(auth_ticket_issue(a, "nobody", "demo", AUTH_PROTO_VNC, NOW, t) < 0,
	      "unknown user");
}

static void test_refused(struct auth *a, struct auth *other)
{
	char t[AUTH_TICKET_MAX], bad[AUTH_TICKET_MAX];

	issue(a, "alice", "demo", AUTH_PROTO_VNC, NOW, t);
	REDEEM(a, t, "demo", AUTH_PROTO_VNC, NOW + AUTH_TICKET_TTL_S, AUTH_TICKET_EXPIRED);
	issue(a, "alice", "demo", AUTH_PROTO_VNC, NOW, t);
	REDEEM(other, t, "demo", AUTH_PROTO_VNC, NOW, AUTH_TICKET_BAD_SIGNATURE);
	REDEEM(a, t, "web", AUTH_PROTO_VNC, NOW, AUTH_TICKET_WRONG_VM);
	REDEEM(a, t, "demo", AUTH_PROTO_RDP, NOW, AUTH_TICKET_WRONG_PROTOCOL);
	/* None of those burnt it. */
	REDEEM(a, t, "demo", AUTH_PROTO_VNC, NOW, AUTH_TICKET_OK);

	/* Any one character changed: never accepted. */
	issue(a, "alice", "demo", AUTH_PROTO_VNC, NOW, t);
	for (size_t i = 0; t[i]; i++) {
		static const char subst[] = "AB-_.0";

		for (const char *c = subst; *c; c++) {
			enum auth_ticket_result r;

			if (*c == t[i])
				continue;
			strcpy(bad, t);
			bad[i] = *c;
			r = auth_ticket_redeem(a, bad, "demo", AUTH_PROTO_VNC, NOW, NULL, NULL);
			CHECK(r == AUTH_TICKET_MALFORMED || r == AUTH_TICKET_BAD_SIGNATURE,
			      "byte %zu -> '%c': %s", i, *c, auth_ticket_result_name(r));
		}
	}
	REDEEM(a, t, "demo", AUTH_PROTO_VNC, NOW, AUTH_TICKET_OK);
}

static void test_malformed(struct auth *a)
{
	char t[AUTH_TICKET_MAX], bad[2 * AUTH_TICKET_MAX];
	struct auth_ticket_fields f;
	size_t n;

	issue(a, "alice", "demo", AUTH_PROTO_VNC, NOW, t);
	n = strlen(t);
	REDEEM(a, NULL, "demo", AUTH_PROTO_VNC, NOW, AUTH_TICKET_MALFORMED);
	REDEEM(a, "", "demo", AUTH_PROTO_VNC, NOW, AUTH_TICKET_MALFORMED);
	REDEEM(a, "p1.", "demo", AUTH_PROTO_VNC, NOW, AUTH_TICKET_MALFORMED);
	REDEEM(a, "p1..", "demo", AUTH_PROTO_VNC, NOW, AUTH_TICKET_MALFORMED);
	for (size_t cut = 0; cut < n; cut++) {
		memcpy(bad, t, cut);
		bad[cut] = 0;
		REDEEM(a, bad, "demo", AUTH_PROTO_VNC, NOW, AUTH_TICKET_MALFORMED);
	}
	snprintf(bad, sizeof(bad), "p2%s", t + 2);
	REDEEM(a, bad, "demo", AUTH_PROTO_VNC, NOW, AUTH_TICKET_MALFORMED);
	snprintf(bad, sizeof(bad), "%s=", t);
	REDEEM(a, bad, "demo", AUTH_PROTO_VNC, NOW, AUTH_TICKET_MALFORMED);
	snprintf(bad, sizeof(bad), "%s.AAAA", t);
	REDEEM(a, bad, "demo", AUTH_PROTO_VNC, NOW, AUTH_TICKET_MALFORMED);
	memset(bad, 'A', sizeof(bad) - 1);
	bad[sizeof(bad) - 1] = 0;
	memcpy(bad, "p1.", 3);
	REDEEM(a, bad, "demo", AUTH_PROTO_VNC, NOW, AUTH_TICKET_MALFORMED);
	/* parse takes a length: bytes after it do not count, a NUL inside does. */
	snprintf(bad, sizeof(bad), "%sjunk", t);
	CHECK(auth_ticket_parse(bad, n, &f) == 0, "length-bounded parse");
	CHECK(auth_ticket_parse(t, n + 1, &f) < 0, "NUL inside");
	CHECK(auth_ticket_parse(t, n - 1, &f) < 0, "one byte short");
	REDEEM(a, t, "demo", AUTH_PROTO_VNC, NOW, AUTH_TICKET_OK);
}

static void test_revoked(const char *dir, struct auth *a)
{
	char t[AUTH_TICKET_MAX], t2[AUTH_TICKET_MAX], err[AUTH_ERR_MAX];

	issue(a, "alice", "demo", AUTH_PROTO_VNC, NOW, t);
	issue(a, "bob", "demo", AUTH_PROTO_VNC, NOW, t2);
	ATEST_EDIT(dir, auth_db_vm_allow(db, "demo", "alice", 0, e_, sizeof(e_)) ||
			auth_db_user_del(db, "bob", e_, sizeof(e_)));
	CHECK(auth_refresh(a, err, sizeof(err)) == 1, "refresh: %s", err);
	REDEEM(a, t, "demo", AUTH_PROTO_VNC, NOW, AUTH_TICKET_NOT_ALLOWED);
	REDEEM(a, t2, "demo", AUTH_PROTO_VNC, NOW, AUTH_TICKET_NOT_ALLOWED);
}

/* A user's live tickets are bounded; expired ones make room again. A
 * ticket issued by another process (the CLI) is remembered at redeem. */
static void test_bounds(struct auth *a, struct auth *cli)
{
	char t[AUTH_TICKET_MAX];
	int n = 0;

	while (auth_ticket_issue(a, "root", "demo", AUTH_PROTO_VNC, NOW + 1000, t) == 0)
		CHECK(++n <= 100, "no bound on live tickets");
	CHECK(n == 64, "%d live tickets for one user", n);
	CHECK(auth_ticket_issue(a, "root", "demo", AUTH_PROTO_VNC,
				NOW + 1000 + AUTH_TICKET_TTL_S, t) == 0, "expired ones free room");
	issue(cli, "root", "demo", AUTH_PROTO_VNC, NOW + 2000, t);
	REDEEM(a, t, "demo", AUTH_PROTO_VNC, NOW + 2000, AUTH_TICKET_OK);
	REDEEM(a, t, "demo", AUTH_PROTO_VNC, NOW + 2000, AUTH_TICKET_REPLAYED);
}

static void test_names(void)
{
	enum auth_proto p;

	for (int i = AUTH_PROTO_VNC; i <= AUTH_PROTO_STREAM; i++)
		CHECK(auth_proto_parse(auth_proto_name(i), &p) == 0 && (int)p == i, "proto %d", i);
	CHECK(auth_proto_parse("VNC", &p) < 0 && auth_proto_parse("", &p) < 0, "bad proto");
	CHECK(!strcmp(auth_ticket_result_name(AUTH_TICKET_EXPIRED), "expired") &&
	      !strcmp(auth_ticket_result_name(AUTH_TICKET_NOT_ALLOWED), "not_allowed"),
	      "result names");
}

int main(void)
{
	char *dir = atest_tmpdir("tickets"), *dir2 = atest_tmpdir("tickets2");
	struct auth *a, *other, *cli;

	ATEST_EDIT(dir, auth_db_user_add(db, "alice", "pw-a", e_, sizeof(e_)) ||
			auth_db_user_add(db, "bob", "pw-b", e_, sizeof(e_)) ||
			auth_db_user_add(db, "carol", "pw-c", e_, sizeof(e_)) ||
			auth_db_user_add(db, "root", "pw-r", e_, sizeof(e_)) ||
			auth_db_user_group(db, "bob", "ops", 1, e_, sizeof(e_)) ||
			auth_db_user_group(db, "root", "admin", 1, e_, sizeof(e_)) ||
			auth_db_vm_allow(db, "demo", "alice", 1, e_, sizeof(e_)) ||
			auth_db_vm_allow(db, "demo", "@ops", 1, e_, sizeof(e_)));
	ATEST_EDIT(dir2, auth_db_user_add(db, "alice", "pw-a", e_, sizeof(e_)) ||
			 auth_db_vm_allow(db, "demo", "alice", 1, e_, sizeof(e_)));
	a = open_state(dir);
	cli = open_state(dir);      /* the same key: another process of this host */
	other = open_state(dir2);   /* another host's key */

	test_names();
	test_ok(a);
	test_refused(a, other);
	test_malformed(a);
	test_bounds(a, cli);
	test_revoked(dir, a);
	auth_close(a);
	auth_close(cli);
	auth_close(other);
	atest_rmdir(dir);
	atest_rmdir(dir2);
	printf("auth tickets: ok\n");
	return 0;
}
