// SPDX-License-Identifier: MIT
/* struct auth: the gateway's handle on a state directory. */
#include "auth_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <liboath/oath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_FILE "ticket.key"

int auth_state_dir_default(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	int n;

	if (geteuid() == 0)
		n = snprintf(buf, len, "/var/lib/porthole");
	else if (xdg && xdg[0] == '/') /* the XDG spec ignores relative paths */
		n = snprintf(buf, len, "%s/porthole", xdg);
	else if (home && home[0] == '/')
		n = snprintf(buf, len, "%s/.local/state/porthole", home);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int read_key(const char *path, uint8_t key[AUTH_KEY_LEN], char *err,
		    size_t errlen)
{
	uint8_t buf[AUTH_KEY_LEN + 1];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		auth_errf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		auth_errf(err, errlen, "%s must be a regular file that only its owner can read (chmod 600 %s)",
			  path, path);
		close(fd);
		return -1;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n != AUTH_KEY_LEN) {
		auth_errf(err, errlen, "%s must hold exactly %d bytes (delete it to make a new key; outstanding tickets die)",
			  path, AUTH_KEY_LEN);
		return -1;
	}
	memcpy(key, buf, AUTH_KEY_LEN);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

/* The key is written whole into a private temp file and then link(2)ed
 * into place: link fails with EEXIST if another process got there first
 * (then we use its key), and nobody ever reads a half-written key. */
static int load_or_create_key(const char *dir, uint8_t key[AUTH_KEY_LEN],
			      char *err, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int fd, rc = -1;

	if (auth_path(path, sizeof(path), dir, KEY_FILE) ||
	    auth_path(tmp, sizeof(tmp), dir, KEY_FILE ".XXXXXX")) {
		auth_errf(err, errlen, "state directory path is too long: %s", dir);
		return -1;
	}
	if (access(path, F_OK) == 0)
		return read_key(path, key, err, errlen);
	if (auth_random(key, AUTH_KEY_LEN)) {
		auth_errf(err, errlen, "no random bytes from the kernel (getrandom)");
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC); /* O_EXCL, mode 0600 */
	if (fd < 0) {
		auth_errf(err, errlen, "cannot create a file in %s: %s", dir,
			  strerror(errno));
		return -1;
	}
	if (write(fd, key, AUTH_KEY_LEN) != AUTH_KEY_LEN || fsync(fd) < 0) {
		auth_errf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (link(tmp, path) == 0)
		rc = 0;
	else if (errno == EEXIST)
		rc = read_key(path, key, err, errlen);
	else
		auth_errf(err, errlen, "cannot create %s: %s", path, strerror(errno));
out:
	close(fd);
	unlink(tmp);
	return rc;
}

struct auth *auth_open(const char *state_dir, char *err, size_t errlen)
{
	uint8_t pw[24];
	char dummy[sizeof(pw) * 2];
	struct auth *a = calloc(1, sizeof(*a));

	if (!a) {
		auth_errf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&a->lock, NULL);
	if (snprintf(a->dir, sizeof(a->dir), "%s", state_dir) >= (int)sizeof(a->dir)) {
		auth_errf(err, errlen, "state directory path is too long: %s", state_dir);
		goto fail;
	}
	if (oath_init() != OATH_OK) {
		auth_errf(err, errlen, "liboath failed to initialize");
		goto fail;
	}
	a->names = calloc(AUTH_FAIL_NAMES, sizeof(*a->names));
	a->sources = calloc(AUTH_FAIL_SOURCES, sizeof(*a->sources));
	a->sessions = calloc(AUTH_SESSIONS, sizeof(*a->sessions));
	a->replay = calloc(AUTH_REPLAY_MAX, sizeof(*a->replay));
	if (!a->names || !a->sources || !a->sessions || !a->replay) {
		auth_errf(err, errlen, "out of memory");
		goto fail;
	}
	if (auth_mkdir_private(state_dir, err, errlen) ||
	    load_or_create_key(state_dir, a->key, err, errlen))
		goto fail;
	a->db = auth_db_read(state_dir, err, errlen);
	if (!a->db)
		goto fail;
	/* The hash an unknown user's password is checked against, so that
	 * "no such user" costs what "wrong password" costs. Its password is
	 * random and forgotten: nothing verifies against it. */
	if (auth_random(pw, sizeof(pw))) {
		auth_errf(err, errlen, "no random bytes from the kernel (getrandom)");
		goto fail;
	}
	for (size_t i = 0; i < sizeof(pw); i++)
		dummy[i] = (char)('a' + pw[i] % 26);
	dummy[sizeof(pw)] = 0;
	explicit_bzero(pw, sizeof(pw));
	if (auth_password_hash(dummy, a->dummy_hash, sizeof(a->dummy_hash), err, errlen))
		goto fail;
	explicit_bzero(dummy, sizeof(dummy));
	return a;
fail:
	auth_close(a);
	return NULL;
}

void auth_close(struct auth *a)
{
	if (!a)
		return;
	auth_db_free(a->db);
	explicit_bzero(a->key, sizeof(a->key));
	free(a->names);
	free(a->sources);
	if (a->sessions)
		explicit_bzero(a->sessions, AUTH_SESSIONS * sizeof(*a->sessions));
	free(a->sessions);
	free(a->replay);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

static int same_file(const struct auth_file_id *x, const struct auth_file_id *y)
{
	if (x->exists != y->exists)
		return 0;
	return !x->exists ||
	       (x->dev == y->dev && x->ino == y->ino && x->size == y->size &&
		x->mtime.tv_sec == y->mtime.tv_sec &&
		x->mtime.tv_nsec == y->mtime.tv_nsec);
}

/* Parsing happens outside the lock (the database is small, but logins
 * should not wait on disk); only the swap is under it. The TOTP steps
 * already used carry over by user name, or a reload would let a used
 * code in again. */
int auth_refresh(struct auth *a, char *err, size_t errlen)
{
	struct auth_file_id id, cur;
	struct auth_db *db, *old;

	if (auth_db_file_id(a->dir, &id)) {
		auth_errf(err, errlen, "cannot stat %s/users.json: %s", a->dir,
			  strerror(errno));
		return -1;
	}
	pthread_mutex_lock(&a->lock);
	cur = a->db->id;
	pthread_mutex_unlock(&a->lock);
	if (same_file(&id, &cur))
		return 0;
	db = auth_db_read(a->dir, err, errlen);
	if (!db)
		return -1;
	pthread_mutex_lock(&a->lock);
	old = a->db;
	for (size_t i = 0; i < db->nusers; i++) {
		const struct auth_user *u = auth_db_find_user(old, db->users[i].name);

		if (u && u->totp && db->users[i].totp &&
		    !strcmp(u->totp, db->users[i].totp))
			db->users[i].totp_last_step = u->totp_last_step;
	}
	a->db = db;
	pthread_mutex_unlock(&a->lock);
	auth_db_free(old);
	return 1;
}

static const char *const proto_names[] = {
	[AUTH_PROTO_VNC] = "vnc",
	[AUTH_PROTO_RDP] = "rdp",
	[AUTH_PROTO_SPICE] = "spice",
	[AUTH_PROTO_STREAM] = "stream",
};

const char *auth_proto_name(enum auth_proto p)
{
	return (unsigned)p < sizeof(proto_names) / sizeof(proto_names[0]) ?
	       proto_names[p] : "unknown";
}

int auth_proto_parse(const char *name, enum auth_proto *p)
{
	for (size_t i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++) {
		if (!strcmp(name, proto_names[i])) {
			*p = (enum auth_proto)i;
			return 0;
		}
	}
	return -1;
}
