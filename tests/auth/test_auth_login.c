// SPDX-License-Identifier: MIT
/*
 * auth_login: passwords, unknown users, TOTP (RFC 6238's vectors and a
 * live code), reused codes, lockout per name and per source and its
 * expiry, parallel guesses, and auth_refresh. Times are the now_ms
 * argument: each phase starts an hour after the last, so that it starts
 * with forgotten counters.
 */
#include "atest.h"

#include <jansson.h>
#include <liboath/oath.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOUR_MS   (3600 * 1000ULL)
#define RFC_KEY   "12345678901234567890"
#define RFC_B32   "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
#define THREADS   8

static struct auth_verdict login(struct auth *a, const char *user, const char *pw,
				 const char *totp, const char *src, uint64_t now)
{
	struct auth_verdict v;

	auth_login_at(a, user, pw, totp, src, now, 1000000000, &v);
	return v;
}

#define EXPECT(v, res, why, delay) do {						\
	struct auth_verdict v_ = (v);						\
	CHECK(v_.result == (res) && !strcmp(v_.reason, why) &&			\
	      v_.delay_ms == (delay), "got result %d reason %s delay %u",	\
	      v_.result, v_.reason, v_.delay_ms);				\
} while (0)

static void set_totp(const char *dir, const char *user, const char *b32)
{
	char *text = atest_read(dir, "users.json");
	json_error_t jerr;
	json_t *root = json_loads(text, 0, &jerr);
	char *out;

	CHECK(root, "users.json: %s", jerr.text);
	json_object_set_new(json_object_get(json_object_get(root, "users"), user),
			    "totp", json_string(b32));
	out = json_dumps(root, 0);
	atest_write(dir, "users.json", out);
	free(out);
	free(text);
	json_decref(root);
}

static void test_basic(struct auth *a, uint64_t t)
{
	char big[AUTH_PASSWORD_MAX + 2];

	EXPECT(login(a, "alice", "correct horse", NULL, "10.0.0.1", t), AUTH_OK, "ok", 0);
	EXPECT(login(a, "alice", "wrong", NULL, "10.0.0.2", t), AUTH_DENIED,
	       "bad_password", 250);
	/* An unknown user: the same answer and the same wait. */
	EXPECT(login(a, "nobody", "wrong", NULL, "10.0.0.3", t), AUTH_DENIED,
	       "unknown_user", 250);
	EXPECT(login(a, "Not A Name!", "wrong", NULL, "10.0.0.4", t), AUTH_DENIED,
	       "unknown_user", 250);
	EXPECT(login(a, "alice", "correct horse", "", NULL, t), AUTH_OK, "ok", 0);
	EXPECT(login(a, "alice", NULL, NULL, "10.0.0.5", t), AUTH_DENIED, "bad_password", 250);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	EXPECT(login(a, "carol", big, NULL, "10.0.0.6", t), AUTH_DENIED, "bad_password", 250);
}

static void test_user_lockout(struct auth *a, uint64_t t)
{
	static const char *const names[] = { "alice", "ghost" };
	static const unsigned delays[] = { 250, 500, 1000, 2000, 4000 };
	char src[32];

	/* A user that exists and one that does not lock alike. */
	for (int n = 0; n < 2; n++) {
		for (int i = 0; i < 5; i++) {
			snprintf(src, sizeof(src), "10.1.%d.%d", n, i);
			EXPECT(login(a, names[n], "wrong", NULL, src, t), AUTH_DENIED,
			       n ? "unknown_user" : "bad_password", delays[i]);
		}
		EXPECT(login(a, names[n], "correct horse", NULL, "10.1.9.9", t + 1000),
		       AUTH_LOCKED, "locked_user", 4000);
		EXPECT(login(a, names[n], "correct horse", NULL, "10.1.9.9",
			     t + 5 * 60 * 1000 - 1), AUTH_LOCKED, "locked_user", 4000);
	}
	EXPECT(login(a, "alice", "correct horse", NULL, "10.1.9.9", t + 5 * 60 * 1000),
	       AUTH_OK, "ok", 0);
	/* Other names were never locked. */
	EXPECT(login(a, "carol", "carol's pw", NULL, "10.1.9.8", t + 1000), AUTH_OK, "ok", 0);

	/* A success resets the name's count. */
	t += HOUR_MS;
	for (int i = 0; i < 4; i++)
		login(a, "carol", "wrong", NULL, "10.2.0.1", t);
	EXPECT(login(a, "carol", "carol's pw", NULL, "10.2.0.2", t), AUTH_OK, "ok", 0);
	EXPECT(login(a, "carol", "wrong", NULL, "10.2.0.3", t), AUTH_DENIED, "bad_password",
	       250);
}

static void test_source_lockout(struct auth *a, uint64_t t)
{
	char name[16], src[48];
	struct auth_verdict v;

	/* One /64 is one source. */
	for (int i = 0; i < 30; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		snprintf(src, sizeof(src), "2001:db8:0:7::%x", i + 1);
		v = login(a, name, "wrong", NULL, src, t);
		CHECK(v.result == AUTH_DENIED && v.delay_ms == (i < 4 ? 250u << i : 4000u),
		      "failure %d: result %d delay %u", i, v.result, v.delay_ms);
	}
	EXPECT(login(a, "alice", "correct horse", NULL, "2001:db8:0:7::ffff", t + 1),
	       AUTH_LOCKED, "locked_source", 4000);
	EXPECT(login(a, "alice", "correct horse", NULL, "[2001:db8:0:7::1]", t + 1),
	       AUTH_LOCKED, "locked_source", 4000);
	EXPECT(login(a, "alice", "correct horse", NULL, "2001:db8:0:8::1", t + 1),
	       AUTH_OK, "ok", 0);
	EXPECT(login(a, "alice", "correct horse", NULL, "2001:db8:0:7::1",
		     t + 10 * 60 * 1000 - 1), AUTH_LOCKED, "locked_source", 4000);
	EXPECT(login(a, "alice", "correct horse", NULL, "2001:db8:0:7::1",
		     t + 10 * 60 * 1000), AUTH_OK, "ok", 0);
}

static void test_rfc6238(void)
{
	static const struct { time_t t; const char *code; } v[] = {
		{ 59, "94287082" }, { 1111111109, "07081804" },
		{ 1111111111, "14050471" }, { 1234567890, "89005924" },
		{ 2000000000, "69279037" }, { 20000000000, "65353130" },
	};
	char out[16], *key;
	size_t len;

	CHECK(oath_init() == OATH_OK, "oath_init");
	CHECK(oath_base32_decode(RFC_B32, strlen(RFC_B32), &key, &len) == OATH_OK &&
	      len == 20 && !memcmp(key, RFC_KEY, 20), "base32 of the RFC key");
	free(key);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CHECK(oath_totp_generate(RFC_KEY, 20, v[i].t, 30, 0, 8, out) == OATH_OK &&
		      !strcmp(out, v[i].code), "T=%lld: %s, want %s",
		      (long long)v[i].t, out, v[i].code);
	}
}

static struct auth_verdict totp_login(struct auth *a, const char *pw, const char *code,
				      int64_t unix_s, uint64_t t)
{
	struct auth_verdict v;

	auth_login_at(a, "bob", pw, code, "10.3.0.1", t, unix_s, &v);
	return v;
}

static void test_totp(struct auth *a, uint64_t t)
{
	/* RFC 6238's SHA-1 codes, last six digits. */
	EXPECT(totp_login(a, "bob's pw", NULL, 59, t), AUTH_TOTP_NEEDED, "totp_needed", 0);
	EXPECT(totp_login(a, "bob's pw", "", 59, t), AUTH_TOTP_NEEDED, "totp_needed", 0);
	CHECK(totp_login(a, "wrong", "287082", 59, t).result == AUTH_DENIED, "bad pw");
	EXPECT(totp_login(a, "bob's pw", "287082", 59, t), AUTH_OK, "ok", 0);
	EXPECT(totp_login(a, "bob's pw", "287082", 59, t), AUTH_DENIED, "bad_totp", 500);
	EXPECT(totp_login(a, "bob's pw", "081804", 1111111109, t), AUTH_OK, "ok", 0);
	EXPECT(totp_login(a, "bob's pw", "050471", 1111111111, t), AUTH_OK, "ok", 0);
	/* One step either side is accepted, two are not. */
	EXPECT(totp_login(a, "bob's pw", "005924", 1234567890 - 30, t), AUTH_OK, "ok", 0);
	CHECK(totp_login(a, "bob's pw", "279037", 2000000000 + 60, t).result ==
	      AUTH_DENIED, "a code two steps old");
	EXPECT(totp_login(a, "bob's pw", "279037", 2000000000 + 30, t), AUTH_OK, "ok", 0);
	CHECK(totp_login(a, "bob's pw", "12345", 20000000000, t).result == AUTH_DENIED, "5 digits");
	CHECK(totp_login(a, "bob's pw", "35313a", 20000000000, t).result == AUTH_DENIED, "letter");
	EXPECT(totp_login(a, "bob's pw", "353130", 20000000000, t), AUTH_OK, "ok", 0);
	/* An older step than the last one used is refused too. */
	CHECK(totp_login(a, "bob's pw", "279037", 2000000000, t).result == AUTH_DENIED,
	      "an older step");
}

static void test_live_totp(const char *dir, struct auth *a, uint64_t t)
{
	char secret[64], code[8], err[AUTH_ERR_MAX], *key;
	struct auth_verdict v;
	size_t len;

	ATEST_EDIT(dir, auth_db_user_totp(db, "carol", secret, sizeof(secret), e_, sizeof(e_)));
	CHECK(auth_refresh(a, err, sizeof(err)) == 1, "refresh: %s", err);
	CHECK(oath_base32_decode(secret, strlen(secret), &key, &len) == OATH_OK, "base32");
	CHECK(oath_totp_generate(key, len, time(NULL), 30, 0, 6, code) == OATH_OK, "totp");
	free(key);
	auth_login(a, "carol", "carol's pw", code, "10.4.0.1", t, &v);
	EXPECT(v, AUTH_OK, "ok", 0);
	auth_login(a, "carol", "carol's pw", code, "10.4.0.1", t, &v);
	CHECK(v.result == AUTH_DENIED && !strcmp(v.reason, "bad_totp"), "reused live code");
	ATEST_EDIT(dir, auth_db_user_totp(db, "carol", NULL, 0, e_, sizeof(e_)));
	CHECK(auth_refresh(a, err, sizeof(err)) == 1, "refresh: %s", err);
}

static void test_refresh(const char *dir, struct auth *a, uint64_t t)
{
	char err[AUTH_ERR_MAX];

	CHECK(auth_refresh(a, err, sizeof(err)) == 0, "nothing changed");
	EXPECT(login(a, "erin", "erin's pw", NULL, "10.5.0.1", t), AUTH_DENIED,
	       "unknown_user", 250);
	ATEST_EDIT(dir, auth_db_user_add(db, "erin", "erin's pw", e_, sizeof(e_)));
	CHECK(auth_refresh(a, err, sizeof(err)) == 1, "refresh: %s", err);
	CHECK(auth_refresh(a, err, sizeof(err)) == 0, "refresh twice");
	EXPECT(login(a, "erin", "erin's pw", NULL, "10.5.0.2", t), AUTH_OK, "ok", 0);
	/* The TOTP step bob used survives the reload. */
	CHECK(totp_login(a, "bob's pw", "353130", 20000000000, t).result == AUTH_DENIED,
	      "reload forgot the used step");

	atest_write(dir, "users.json", "{\"version\": 1, \"users\": ");
	CHECK(auth_refresh(a, err, sizeof(err)) == -1 && strstr(err, "users.json"),
	      "corrupt: %s", err);
	EXPECT(login(a, "erin", "erin's pw", NULL, "10.5.0.3", t), AUTH_OK, "ok", 0);
}

struct racer {
	struct auth *a;
	uint64_t t;
	int i;
	struct auth_verdict v;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	char src[32];

	snprintf(src, sizeof(src), "10.6.0.%d", r->i);
	auth_login_at(r->a, "zara", "guess", NULL, src, r->t, 1000000000, &r->v);
	return NULL;
}

/* Parallel guesses at one name: attempts count from their start, so no
 * more than the limit are ever verified. */
static void test_parallel(struct auth *a, uint64_t t)
{
	struct racer r[THREADS];
	pthread_t th[THREADS];
	int denied = 0, locked = 0;

	for (int i = 0; i < THREADS; i++) {
		r[i] = (struct racer){ .a = a, .t = t, .i = i };
		CHECK(pthread_create(&th[i], NULL, race, &r[i]) == 0, "thread");
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		denied += r[i].v.result == AUTH_DENIED;
		locked += r[i].v.result == AUTH_LOCKED;
	}
	CHECK(denied <= 5 && denied + locked == THREADS, "%d denied, %d locked",
	      denied, locked);
}

int main(void)
{
	char *dir = atest_tmpdir("login"), err[AUTH_ERR_MAX];
	uint64_t t = 1000 * HOUR_MS;
	struct auth *a;

	ATEST_EDIT(dir, auth_db_user_add(db, "alice", "correct horse", e_, sizeof(e_)) ||
			auth_db_user_add(db, "bob", "bob's pw", e_, sizeof(e_)) ||
			auth_db_user_add(db, "carol", "carol's pw", e_, sizeof(e_)));
	set_totp(dir, "bob", RFC_B32);
	a = auth_open(dir, err, sizeof(err));
	CHECK(a, "%s", err);

	test_basic(a, t += HOUR_MS);
	test_user_lockout(a, t += HOUR_MS);
	test_source_lockout(a, t += 2 * HOUR_MS);
	test_rfc6238();
	test_totp(a, t += HOUR_MS);
	test_live_totp(dir, a, t += HOUR_MS);
	test_refresh(dir, a, t += HOUR_MS);
	test_parallel(a, t += HOUR_MS);
	auth_close(a);
	atest_rmdir(dir);
	printf("auth login: ok\n");
	return 0;
}
