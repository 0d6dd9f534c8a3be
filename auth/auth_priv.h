/* SPDX-License-Identifier: MIT */
/* auth/ internals shared by its files; nothing outside auth/ includes this. */
#ifndef PORTHOLE_AUTH_PRIV_H
#define PORTHOLE_AUTH_PRIV_H

#include "auth.h"

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/types.h>

/* A user as loaded from users.json. */
struct auth_user {
	char name[AUTH_NAME_MAX + 1];
	char *hash;                 /* Argon2id encoded string */
	char *totp;                 /* base32 secret, or NULL */
	char **groups;              /* sorted, ngroups entries + NULL */
	size_t ngroups;
	/* Sessions remember this: a new password ends the old sessions. */
	uint8_t pw_tag[16];
	/* The last TOTP time step accepted (memory only; -1 none): a code
	 * is good once. Carried across auth_refresh by name. */
	int64_t totp_last_step;
};

struct auth_vm {
	char name[AUTH_NAME_MAX + 1];
	char **allow;               /* sorted, nallow entries + NULL */
	size_t nallow;
};

/* What identifies one version of users.json on disk (auth_refresh). */
struct auth_file_id {
	int exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

struct auth_db {
	char dir[PATH_MAX];
	int lock_fd;                /* users.lock while held, else -1 */
	struct auth_user *users;    /* sorted by name */
	size_t nusers, cap_users;
	struct auth_vm *vms;        /* sorted by name */
	size_t nvms, cap_vms;
	struct auth_file_id id;
};

/* Bounds of the in-memory tables (docs/auth.md says why these sizes). */
#define AUTH_FAIL_NAMES      4096
#define AUTH_FAIL_SOURCES    4096
#define AUTH_SOURCE_KEY_MAX  64
#define AUTH_SESSIONS        4096
#define AUTH_SESSIONS_PER_USER 32
#define AUTH_REPLAY_MAX      8192
#define AUTH_REPLAY_PER_USER 64
#define AUTH_KEY_LEN         32
#define AUTH_HASH_MAX        160    /* an encoded Argon2id hash, NUL included */
#define AUTH_TOTP_SECRET_LEN 20     /* bytes: RFC 4226's recommended 160 bits */

struct auth_fail {
	char key[AUTH_SOURCE_KEY_MAX + 1];
	unsigned count;
	uint64_t first_ms, last_ms;
	uint64_t locked_until_ms;   /* 0: not locked */
};

struct auth_session {
	uint8_t id[32];             /* SHA-256 of the token */
	char user[AUTH_NAME_MAX + 1];
	uint8_t pw_tag[16];
	uint64_t created_ms, used_ms;
	int used;
};

struct auth_replay {
	uint8_t nonce[16];
	char user[AUTH_NAME_MAX + 1];
	uint64_t expires_s;
	int state;                  /* 0 free, 1 issued here, 2 redeemed */
};

struct auth {
	pthread_mutex_t lock;
	char dir[PATH_MAX];
	struct auth_db *db;
	uint8_t key[AUTH_KEY_LEN];
	char dummy_hash[AUTH_HASH_MAX];
	struct auth_fail *names;     /* AUTH_FAIL_NAMES */
	struct auth_fail *sources;   /* AUTH_FAIL_SOURCES */
	struct auth_session *sessions; /* AUTH_SESSIONS */
	struct auth_replay *replay;  /* AUTH_REPLAY_MAX */
};

/* util.c */
void auth_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int auth_random(void *buf, size_t len);
int auth_mkdir_private(const char *dir, char *err, size_t errlen);
int auth_path(char *out, size_t len, const char *dir, const char *file);
/* strict base64url without padding; b64url_decode: -1 unless canonical */
size_t auth_b64url_len(size_t n);
void auth_b64url_encode(const uint8_t *in, size_t n, char *out);
int auth_b64url_decode(const char *in, size_t n, uint8_t *out, size_t outmax,
		       size_t *outlen);

/* password.c */
int auth_password_check(const char *password, char *err, size_t errlen);
int auth_password_hash(const char *password, char *out, size_t outlen,
		       char *err, size_t errlen);
int auth_password_hash_valid(const char *hash);
/* 1 match, 0 mismatch or unusable hash */
int auth_password_verify(const char *hash, const char *password);
void auth_password_tag(const char *hash, uint8_t tag[16]);

/* db.c */
struct auth_db *auth_db_read(const char *dir, char *err, size_t errlen);
struct auth_user *auth_db_find_user(const struct auth_db *db, const char *name);
struct auth_vm *auth_db_find_vm(const struct auth_db *db, const char *name);
int auth_user_in_group(const struct auth_user *u, const char *group);
int auth_db_file_id(const char *dir, struct auth_file_id *id);

/* access.c: with a->lock held */
int auth_access_locked(const struct auth_db *db, const char *user, const char *vm);

/* totp.c: the time step of code if it is valid for secret at unix_s
 * (±1 step), else -1. */
int64_t auth_totp_check(const char *secret_b32, const char *code, int64_t unix_s);
int auth_totp_secret_valid(const char *secret_b32);
int auth_totp_new(char *secret, size_t len, char *err, size_t errlen);

/* login.c */
void auth_fail_source_key(const char *source, char key[AUTH_SOURCE_KEY_MAX + 1]);

#endif
