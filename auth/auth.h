/* SPDX-License-Identifier: MIT */
/*
 * auth: who may reach which VM. Users (Argon2id password hashes, optional
 * TOTP, groups), per-VM access lists, log-in sessions for the web client,
 * short-lived signed tickets, lockout after failures. A library: the
 * gateway holds the one `struct auth` of a host; the `porthole` CLI edits
 * the database with the auth_db_* calls. Nothing here does network I/O.
 *
 * The state directory holds (docs/auth.md has the formats):
 *   users.json    users, groups, VM access lists; replaced atomically
 *   users.lock    flock'ed by writers, so two CLIs never lose an edit
 *   ticket.key    32 random bytes, the HMAC key of tickets (mode 0600)
 *
 * struct auth is thread-safe: the gateway calls auth_login from libuv's
 * worker threads (one Argon2id verification is ~50 ms of CPU) and the rest
 * from its loop.
 */
#ifndef PORTHOLE_AUTH_H
#define PORTHOLE_AUTH_H

#include <stddef.h>
#include <stdint.h>

#define AUTH_NAME_MAX       32    /* user, group and VM names: [a-z0-9._-], first a letter or digit */
#define AUTH_PASSWORD_MAX   256   /* longer passwords are refused, not truncated */
#define AUTH_TICKET_MAX     256   /* bytes of a ticket string, NUL included */
#define AUTH_TICKET_TTL_S   60
#define AUTH_SESSION_MAX    64    /* bytes of a session token string, NUL included */
#define AUTH_ERR_MAX        256

/* The default state directory: /var/lib/porthole for root; otherwise
 * $XDG_STATE_HOME/porthole or ~/.local/state/porthole. */
int auth_state_dir_default(char *buf, size_t len);

/* 1 if name is a valid user, group or VM name. */
int auth_name_valid(const char *name);

/* --- The database, as the CLI edits it --- */

struct auth_db;

/* Loads STATE/users.json (an empty database if there is none yet),
 * creating STATE (0700) if needed. With lock != 0 the caller holds
 * users.lock until auth_db_free, for a load-modify-save cycle. NULL with a
 * message in err on failure. */
struct auth_db *auth_db_load(const char *state_dir, int lock, char *err, size_t errlen);
/* Writes users.json atomically: temp file, fsync, rename, fsync of the
 * directory. 0, or -1 and err. */
int auth_db_save(struct auth_db *db, char *err, size_t errlen);
void auth_db_free(struct auth_db *db);

/* Each returns 0, or -1 with a message a person can act on in err
 * ("user 'bob' exists", "name 'Bob!' is not valid: use a-z, 0-9, . _ -"). */
int auth_db_user_add(struct auth_db *db, const char *name, const char *password,
		     char *err, size_t errlen);
int auth_db_user_passwd(struct auth_db *db, const char *name, const char *password,
			char *err, size_t errlen);
int auth_db_user_del(struct auth_db *db, const char *name, char *err, size_t errlen);
/* Enables TOTP with a new random secret, written base32 into secret
 * (>= 33 bytes); or disables it when secret is NULL. */
int auth_db_user_totp(struct auth_db *db, const char *name, char *secret,
		      size_t secretlen, char *err, size_t errlen);
int auth_db_user_group(struct auth_db *db, const char *name, const char *group,
		       int member, char *err, size_t errlen);
/* principal: "USER" or "@GROUP". allow 1 adds, 0 removes. */
int auth_db_vm_allow(struct auth_db *db, const char *vm, const char *principal,
		     int allow, char *err, size_t errlen);

struct auth_user_info {
	const char *name;
	int totp;                   /* TOTP enabled */
	const char *const *groups;  /* NULL-terminated */
};
struct auth_vm_info {
	const char *name;
	const char *const *allow;   /* NULL-terminated: "alice", "@ops" */
};
/* Calls fn for each user / VM, sorted by name; stops early when fn
 * returns non-zero and returns that value. */
int auth_db_each_user(struct auth_db *db, int (*fn)(const struct auth_user_info *, void *), void *arg);
int auth_db_each_vm(struct auth_db *db, int (*fn)(const struct auth_vm_info *, void *), void *arg);

/* --- The gateway's view --- */

struct auth;

/* Opens the state directory: loads users.json and ticket.key (creating the
 * key on first use). NULL and err on failure. */
struct auth *auth_open(const char *state_dir, char *err, size_t errlen);
void auth_close(struct auth *a);
/* Reloads users.json if it changed on disk (the CLI edited it), so that a
 * running gateway sees new users, passwords and access at once. 1
 * reloaded, 0 unchanged, -1 unreadable (the old database stays in use;
 * err says why). Cheap: one stat when nothing changed. */
int auth_refresh(struct auth *a, char *err, size_t errlen);

enum auth_result {
	AUTH_OK,
	AUTH_DENIED,        /* wrong user, password or TOTP code: one answer for all */
	AUTH_TOTP_NEEDED,   /* password right, user has TOTP, no code given */
	AUTH_LOCKED,        /* too many failures for this user or source */
};

struct auth_verdict {
	enum auth_result result;
	/* The caller answers no sooner than this (failures slow down); it
	 * waits on a timer, never by blocking a thread. */
	unsigned delay_ms;
	/* For logs and metrics only, never for the peer: "ok",
	 * "bad_password", "unknown_user", "bad_totp", "totp_needed",
	 * "locked_user", "locked_source". */
	const char *reason;
};

/* One log-in attempt. Costs one Argon2id verification whether or not the
 * user exists (no user enumeration by timing); compares in constant time;
 * counts failures per user and per source address (source: the peer's
 * numeric address, "[v6]" allowed; NULL or "": no per-source count).
 * totp may be NULL or "". now_ms: CLOCK_MONOTONIC. Lockout policy and
 * delays: docs/auth.md. */
void auth_login(struct auth *a, const char *user, const char *password,
		const char *totp, const char *source, uint64_t now_ms,
		struct auth_verdict *v);
/* auth_login with the wall clock that TOTP codes are checked against given
 * (Unix seconds) instead of read: for tests and for callers that already
 * have it. */
void auth_login_at(struct auth *a, const char *user, const char *password,
		   const char *totp, const char *source, uint64_t now_ms,
		   int64_t unix_s, struct auth_verdict *v);

/* Whether user may reach vm: listed by name or through one of its groups.
 * Members of group "admin" may reach every VM. */
int auth_vm_allowed(struct auth *a, const char *user, const char *vm);
int auth_user_is_admin(struct auth *a, const char *user);
/* The names of the VMs that have an access list naming user (directly or
 * by group), sorted; for an admin, every VM in the database. Returns a
 * malloc'ed NULL-terminated array of malloc'ed strings (free with
 * auth_strv_free), NULL on allocation failure. */
char **auth_user_vms(struct auth *a, const char *user);
void auth_strv_free(char **v);

/* --- Web log-in sessions (the gateway's cookie) --- */

/* A new random session token for user (43 base64url characters), valid
 * for 12 hours after its last use and 7 days at most. 0, or -1 if user is
 * unknown or the table is full (a user's 33rd session ends its oldest). */
int auth_session_new(struct auth *a, const char *user, uint64_t now_ms,
		     char token[AUTH_SESSION_MAX]);
/* The user of a live session (copied into user, AUTH_NAME_MAX + 1 bytes),
 * refreshing its idle timer: 0, or -1 when unknown or expired. A user
 * deleted since the log-in has no session any more. */
int auth_session_user(struct auth *a, const char *token, uint64_t now_ms, char *user);
void auth_session_end(struct auth *a, const char *token);

/* --- Tickets --- */

enum auth_proto { AUTH_PROTO_VNC, AUTH_PROTO_RDP, AUTH_PROTO_SPICE, AUTH_PROTO_STREAM };
const char *auth_proto_name(enum auth_proto p);   /* "vnc", "rdp", "spice", "stream" */
int auth_proto_parse(const char *name, enum auth_proto *p);

enum auth_ticket_result {
	AUTH_TICKET_OK,
	AUTH_TICKET_MALFORMED,
	AUTH_TICKET_BAD_SIGNATURE,   /* tampered, or another host's key */
	AUTH_TICKET_EXPIRED,
	AUTH_TICKET_REPLAYED,
	AUTH_TICKET_WRONG_VM,
	AUTH_TICKET_WRONG_PROTOCOL,
	AUTH_TICKET_NOT_ALLOWED,     /* the user lost access since issue */
};
const char *auth_ticket_result_name(enum auth_ticket_result r); /* "expired", ... */

/* A ticket for user to reach vm by protocol p, valid AUTH_TICKET_TTL_S
 * seconds from now_s (CLOCK_REALTIME seconds: tickets may cross processes
 * and the CLI writes them into files). URL-safe characters only. 0, or -1
 * if user may not reach vm, or too many of this process's tickets are
 * still live (its replay cache is full: 8192, 64 per user). */
int auth_ticket_issue(struct auth *a, const char *user, const char *vm,
		      enum auth_proto p, uint64_t now_s, char out[AUTH_TICKET_MAX]);
/* Checks signature, expiry, VM (vm NULL: any; its name is then copied to
 * vm_out), protocol and access, then burns the ticket (single use: a
 * replay cache holds it until it expires). user_out and vm_out:
 * AUTH_NAME_MAX + 1 bytes, or NULL. */
enum auth_ticket_result auth_ticket_redeem(struct auth *a, const char *ticket,
					   const char *vm, enum auth_proto p, uint64_t now_s,
					   char *user_out, char *vm_out);

/* The ticket's fields without checking anything: the parser that faces
 * the network, exposed for its fuzz target. 0, or -1 if malformed. */
struct auth_ticket_fields {
	char user[AUTH_NAME_MAX + 1], vm[AUTH_NAME_MAX + 1];
	enum auth_proto proto;
	uint64_t expires_s;
	uint8_t nonce[16];
	uint8_t mac[32];
	size_t signed_len;          /* bytes of the string that the MAC covers */
};
int auth_ticket_parse(const char *ticket, size_t len, struct auth_ticket_fields *f);

#endif
