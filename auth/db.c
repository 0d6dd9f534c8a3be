// SPDX-License-Identifier: MIT
/*
 * users.json: reading, checking and writing it. Readers never lock: the
 * file is only ever replaced whole by rename(2), so a reader sees the old
 * or the new version, never half of one. Writers serialize on users.lock
 * (flock) around load-modify-save so that two CLIs never lose an edit.
 *
 * A file that does not parse is an error naming the file and the place,
 * never an empty database: an empty one would lock everybody out (or, in
 * the CLI, be saved over the user's data).
 */
#include "auth_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define DB_FILE    "users.json"
#define LOCK_FILE  "users.lock"
#define DB_VERSION 1

int auth_name_valid(const char *name)
{
	size_t n = strnlen(name, AUTH_NAME_MAX + 1);

	if (n == 0 || n > AUTH_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return 0;
	}
	return 1;
}

static int cmp_user(const void *a, const void *b)
{
	return strcmp(((const struct auth_user *)a)->name,
		      ((const struct auth_user *)b)->name);
}

static int cmp_vm(const void *a, const void *b)
{
	return strcmp(((const struct auth_vm *)a)->name,
		      ((const struct auth_vm *)b)->name);
}

struct auth_user *auth_db_find_user(const struct auth_db *db, const char *name)
{
	struct auth_user key;

	if (!db->nusers || !auth_name_valid(name))
		return NULL;
	strcpy(key.name, name);
	return bsearch(&key, db->users, db->nusers, sizeof(key), cmp_user);
}

struct auth_vm *auth_db_find_vm(const struct auth_db *db, const char *name)
{
	struct auth_vm key;

	if (!db->nvms || !auth_name_valid(name))
		return NULL;
	strcpy(key.name, name);
	return bsearch(&key, db->vms, db->nvms, sizeof(key), cmp_vm);
}

int auth_user_in_group(const struct auth_user *u, const char *group)
{
	for (size_t i = 0; i < u->ngroups; i++)
		if (!strcmp(u->groups[i], group))
			return 1;
	return 0;
}

static void strv_free_n(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static void user_clear(struct auth_user *u)
{
	free(u->hash);
	free(u->totp);
	strv_free_n(u->groups, u->ngroups);
}

static void db_clear(struct auth_db *db)
{
	for (size_t i = 0; i < db->nusers; i++)
		user_clear(&db->users[i]);
	for (size_t i = 0; i < db->nvms; i++)
		strv_free_n(db->vms[i].allow, db->vms[i].nallow);
	free(db->users);
	free(db->vms);
	db->users = NULL;
	db->vms = NULL;
	db->nusers = db->nvms = db->cap_users = db->cap_vms = 0;
}

void auth_db_free(struct auth_db *db)
{
	if (!db)
		return;
	db_clear(db);
	if (db->lock_fd >= 0)
		close(db->lock_fd); /* releases the flock */
	free(db);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A JSON array of names (each checked by valid(), no repeats) as a sorted
 * NULL-terminated vector. */
static int parse_names(json_t *arr, int (*valid)(const char *), char ***out,
		       size_t *nout, const char *what, char *err, size_t errlen)
{
	size_t n, i;
	json_t *v;
	char **names;

	if (!json_is_array(arr)) {
		auth_errf(err, errlen, "%s must be an array of names", what);
		return -1;
	}
	n = json_array_size(arr);
	names = calloc(n + 1, sizeof(*names));
	if (!names) {
		auth_errf(err, errlen, "out of memory");
		return -1;
	}
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);

		if (!s || !valid(s)) {
			auth_errf(err, errlen, "%s: entry %zu is not a valid name",
				  what, i + 1);
			goto fail;
		}
		if (!(names[i] = strdup(s))) {
			auth_errf(err, errlen, "out of memory");
			goto fail;
		}
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 1; i < n; i++) {
		if (!strcmp(names[i - 1], names[i])) {
			auth_errf(err, errlen, "%s: '%s' is listed twice", what,
				  names[i]);
			goto fail;
		}
	}
	*out = names;
	*nout = n;
	return 0;
fail:
	strv_free_n(names, n);
	return -1;
}

static int principal_valid(const char *p)
{
	return auth_name_valid(p[0] == '@' ? p + 1 : p);
}

/* Unknown keys are errors: a misspelt "allow" must not silently mean
 * "nobody" (or, worse, be dropped by the next save). */
static int check_keys(json_t *obj, const char *const *known, const char *what,
		      char *err, size_t errlen)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		size_t i;

		for (i = 0; known[i] && strcmp(known[i], key); i++)
			;
		if (!known[i]) {
			auth_errf(err, errlen, "%s: unknown key '%s'", what, key);
			return -1;
		}
	}
	return 0;
}

static int parse_user(const char *name, json_t *obj, struct auth_user *u,
		      char *err, size_t errlen)
{
	static const char *const keys[] = { "password", "totp", "groups", NULL };
	char what[AUTH_NAME_MAX + 32];
	json_t *pw, *totp, *groups;

	snprintf(what, sizeof(what), "user '%s'", name);
	memset(u, 0, sizeof(*u));
	u->totp_last_step = -1;
	if (!auth_name_valid(name)) {
		auth_errf(err, errlen, "user name '%.40s' is not valid", name);
		return -1;
	}
	strcpy(u->name, name);
	if (!json_is_object(obj)) {
		auth_errf(err, errlen, "%s must be an object", what);
		return -1;
	}
	if (check_keys(obj, keys, what, err, errlen))
		return -1;
	pw = json_object_get(obj, "password");
	if (!json_is_string(pw) || !auth_password_hash_valid(json_string_value(pw))) {
		auth_errf(err, errlen, "%s: \"password\" must be an Argon2id hash string with sane parameters",
			  what);
		return -1;
	}
	totp = json_object_get(obj, "totp");
	if (totp && (!json_is_string(totp) ||
		     !auth_totp_secret_valid(json_string_value(totp)))) {
		auth_errf(err, errlen, "%s: \"totp\" must be a base32 secret", what);
		return -1;
	}
	groups = json_object_get(obj, "groups");
	if (groups) {
		snprintf(what, sizeof(what), "user '%s': groups", name);
		if (parse_names(groups, auth_name_valid, &u->groups, &u->ngroups,
				what, err, errlen))
			return -1;
	} else if (!(u->groups = calloc(1, sizeof(char *)))) {
		auth_errf(err, errlen, "out of memory");
		return -1;
	}
	u->hash = strdup(json_string_value(pw));
	u->totp = totp ? strdup(json_string_value(totp)) : NULL;
	if (!u->hash || (totp && !u->totp)) {
		auth_errf(err, errlen, "out of memory");
		return -1;
	}
	auth_password_tag(u->hash, u->pw_tag);
	return 0;
}

static int parse_vm(const char *name, json_t *obj, struct auth_vm *vm,
		    char *err, size_t errlen)
{
	static const char *const keys[] = { "allow", NULL };
	char what[AUTH_NAME_MAX + 32];
	json_t *allow;

	memset(vm, 0, sizeof(*vm));
	if (!auth_name_valid(name)) {
		auth_errf(err, errlen, "VM name '%.40s' is not valid", name);
		return -1;
	}
	strcpy(vm->name, name);
	snprintf(what, sizeof(what), "VM '%s'", name);
	if (!json_is_object(obj)) {
		auth_errf(err, errlen, "%s must be an object", what);
		return -1;
	}
	if (check_keys(obj, keys, what, err, errlen))
		return -1;
	allow = json_object_get(obj, "allow");
	snprintf(what, sizeof(what), "VM '%s': allow", name);
	if (allow)
		return parse_names(allow, principal_valid, &vm->allow, &vm->nallow,
				   what, err, errlen);
	if (!(vm->allow = calloc(1, sizeof(char *)))) {
		auth_errf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int parse_root(struct auth_db *db, json_t *root, char *err, size_t errlen)
{
	static const char *const keys[] = { "version", "users", "vms", NULL };
	json_t *users, *vms, *v;
	const char *name;

	if (!json_is_object(root)) {
		auth_errf(err, errlen, "the top level must be an object");
		return -1;
	}
	if (check_keys(root, keys, "the top level", err, errlen))
		return -1;
	v = json_object_get(root, "version");
	if (!json_is_integer(v) || json_integer_value(v) != DB_VERSION) {
		auth_errf(err, errlen, "\"version\" must be %d (a newer porthole wrote this file?)",
			  DB_VERSION);
		return -1;
	}
	users = json_object_get(root, "users");
	vms = json_object_get(root, "vms");
	if ((users && !json_is_object(users)) || (vms && !json_is_object(vms))) {
		auth_errf(err, errlen, "\"users\" and \"vms\" must be objects");
		return -1;
	}
	db->cap_users = users ? json_object_size(users) : 0;
	db->cap_vms = vms ? json_object_size(vms) : 0;
	db->users = calloc(db->cap_users + 1, sizeof(*db->users));
	db->vms = calloc(db->cap_vms + 1, sizeof(*db->vms));
	if (!db->users || !db->vms) {
		auth_errf(err, errlen, "out of memory");
		return -1;
	}
	json_object_foreach(users, name, v) {
		if (parse_user(name, v, &db->users[db->nusers], err, errlen)) {
			user_clear(&db->users[db->nusers]);
			return -1;
		}
		db->nusers++;
	}
	json_object_foreach(vms, name, v) {
		if (parse_vm(name, v, &db->vms[db->nvms], err, errlen)) {
			strv_free_n(db->vms[db->nvms].allow, db->vms[db->nvms].nallow);
			return -1;
		}
		db->nvms++;
	}
	qsort(db->users, db->nusers, sizeof(*db->users), cmp_user);
	qsort(db->vms, db->nvms, sizeof(*db->vms), cmp_vm);
	return 0;
}

static void file_id_from(struct auth_file_id *id, const struct stat *st)
{
	id->exists = 1;
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = st->st_size;
	id->mtime = st->st_mtim;
}

int auth_db_file_id(const char *dir, struct auth_file_id *id)
{
	char path[PATH_MAX];
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (auth_path(path, sizeof(path), dir, DB_FILE))
		return -1;
	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	file_id_from(id, &st);
	return 0;
}

/* Fills db from DIR/users.json; no file is an empty database. */
static int db_parse_file(struct auth_db *db, char *err, size_t errlen)
{
	char path[PATH_MAX], why[AUTH_ERR_MAX];
	json_error_t jerr;
	struct stat st;
	json_t *root;
	FILE *f;
	int rc;

	if (auth_path(path, sizeof(path), db->dir, DB_FILE)) {
		auth_errf(err, errlen, "state directory path is too long: %s", db->dir);
		return -1;
	}
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		auth_errf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	/* The identity of what we read, not of what stat says later. */
	if (fstat(fileno(f), &st) == 0)
		file_id_from(&db->id, &st);
	root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	fclose(f);
	if (!root) {
		auth_errf(err, errlen, "%s: line %d, column %d: %s (fix the file or restore a backup)",
			  path, jerr.line, jerr.column, jerr.text);
		return -1;
	}
	rc = parse_root(db, root, why, sizeof(why));
	json_decref(root);
	if (rc)
		auth_errf(err, errlen, "%s: %s", path, why);
	return rc;
}

static struct auth_db *db_new(const char *dir, char *err, size_t errlen)
{
	struct auth_db *db = calloc(1, sizeof(*db));

	if (!db) {
		auth_errf(err, errlen, "out of memory");
		return NULL;
	}
	db->lock_fd = -1;
	if (snprintf(db->dir, sizeof(db->dir), "%s", dir) >= (int)sizeof(db->dir)) {
		auth_errf(err, errlen, "state directory path is too long: %s", dir);
		free(db);
		return NULL;
	}
	return db;
}

struct auth_db *auth_db_read(const char *dir, char *err, size_t errlen)
{
	struct auth_db *db = db_new(dir, err, errlen);

	if (db && db_parse_file(db, err, errlen)) {
		auth_db_free(db);
		return NULL;
	}
	return db;
}

struct auth_db *auth_db_load(const char *state_dir, int lock, char *err,
			     size_t errlen)
{
	char path[PATH_MAX];
	struct auth_db *db;

	if (auth_mkdir_private(state_dir, err, errlen))
		return NULL;
	db = db_new(state_dir, err, errlen);
	if (!db)
		return NULL;
	if (lock) {
		if (auth_path(path, sizeof(path), state_dir, LOCK_FILE)) {
			auth_errf(err, errlen, "state directory path is too long: %s",
				  state_dir);
			goto fail;
		}
		db->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (db->lock_fd < 0) {
			auth_errf(err, errlen, "cannot open %s: %s", path,
				  strerror(errno));
			goto fail;
		}
		while (flock(db->lock_fd, LOCK_EX) < 0) {
			if (errno != EINTR) {
				auth_errf(err, errlen, "cannot lock %s: %s", path,
					  strerror(errno));
				goto fail;
			}
		}
	}
	if (db_parse_file(db, err, errlen))
		goto fail;
	return db;
fail:
	auth_db_free(db);
	return NULL;
}

static json_t *strv_json(char **v, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < n; i++) {
		if (json_array_append_new(arr, json_string(v[i]))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *db_json(const struct auth_db *db)
{
	json_t *root = json_object(), *users = json_object(), *vms = json_object();
	int bad = !root || !users || !vms;

	for (size_t i = 0; !bad && i < db->nusers; i++) {
		const struct auth_user *u = &db->users[i];
		json_t *o = json_object();

		bad |= !o || json_object_set_new(users, u->name, o);
		bad |= bad || json_object_set_new(o, "password", json_string(u->hash));
		if (!bad && u->totp)
			bad |= json_object_set_new(o, "totp", json_string(u->totp));
		if (!bad && u->ngroups)
			bad |= json_object_set_new(o, "groups",
						   strv_json(u->groups, u->ngroups));
	}
	for (size_t i = 0; !bad && i < db->nvms; i++) {
		const struct auth_vm *vm = &db->vms[i];
		json_t *o = json_object();

		bad |= !o || json_object_set_new(vms, vm->name, o);
		bad |= bad || json_object_set_new(o, "allow",
						  strv_json(vm->allow, vm->nallow));
	}
	if (!bad)
		bad |= json_object_set_new(root, "version", json_integer(DB_VERSION));
	if (!bad) {
		bad |= json_object_set(root, "users", users);
		bad |= json_object_set(root, "vms", vms);
	}
	json_decref(users);
	json_decref(vms);
	if (bad) {
		json_decref(root);
		return NULL;
	}
	return root;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Temp file in the same directory (rename is atomic only within one file
 * system), its data on disk before the rename, and the directory entry on
 * disk after it: a crash leaves the old file or the new one. */
int auth_db_save(struct auth_db *db, char *err, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	json_t *root;
	char *text = NULL;
	int fd = -1, dfd;

	if (db->lock_fd < 0) {
		auth_errf(err, errlen, "internal: auth_db_save needs a database loaded with its lock");
		return -1;
	}
	if (auth_path(path, sizeof(path), db->dir, DB_FILE) ||
	    auth_path(tmp, sizeof(tmp), db->dir, DB_FILE ".XXXXXX")) {
		auth_errf(err, errlen, "state directory path is too long: %s", db->dir);
		return -1;
	}
	root = db_json(db);
	if (root)
		text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(root);
	if (!text) {
		auth_errf(err, errlen, "out of memory");
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
	if (fd < 0) {
		auth_errf(err, errlen, "cannot create a file in %s: %s", db->dir,
			  strerror(errno));
		goto fail;
	}
	if (fchmod(fd, 0600) < 0 || write_all(fd, text, strlen(text)) < 0 ||
	    write_all(fd, "\n", 1) < 0 || fsync(fd) < 0) {
		auth_errf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto fail;
	}
	close(fd);
	fd = -1;
	if (rename(tmp, path) < 0) {
		auth_errf(err, errlen, "cannot rename %s to %s: %s", tmp, path,
			  strerror(errno));
		goto fail;
	}
	tmp[0] = 0;
	dfd = open(db->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0) {
		auth_errf(err, errlen, "cannot sync %s: %s", db->dir, strerror(errno));
		if (dfd >= 0)
			close(dfd);
		goto fail;
	}
	close(dfd);
	free(text);
	auth_db_file_id(db->dir, &db->id);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	if (tmp[0])
		unlink(tmp);
	free(text);
	return -1;
}

int auth_db_each_user(struct auth_db *db,
		      int (*fn)(const struct auth_user_info *, void *), void *arg)
{
	for (size_t i = 0; i < db->nusers; i++) {
		struct auth_user_info info = {
			.name = db->users[i].name,
			.totp = db->users[i].totp != NULL,
			.groups = (const char *const *)db->users[i].groups,
		};
		int rc = fn(&info, arg);

		if (rc)
			return rc;
	}
	return 0;
}

int auth_db_each_vm(struct auth_db *db,
		    int (*fn)(const struct auth_vm_info *, void *), void *arg)
{
	for (size_t i = 0; i < db->nvms; i++) {
		struct auth_vm_info info = {
			.name = db->vms[i].name,
			.allow = (const char *const *)db->vms[i].allow,
		};
		int rc = fn(&info, arg);

		if (rc)
			return rc;
	}
	return 0;
}
