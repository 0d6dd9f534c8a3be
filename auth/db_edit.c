// SPDX-License-Identifier: MIT
/* The CLI's edits of a loaded database (saved by auth_db_save). */
#include "auth_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_RULE "use a-z, 0-9, '.', '_' or '-', starting with a letter or digit, at most 32"

static int check_name(const char *what, const char *name, char *err, size_t errlen)
{
	if (auth_name_valid(name))
		return 0;
	auth_errf(err, errlen, "%s name '%.40s' is not valid: " NAME_RULE, what, name);
	return -1;
}

/* Sorted NULL-terminated vectors of names. */
static int strv_insert(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(char *));
	size_t i;

	if (!nv)
		return -1;
	*v = nv;
	for (i = 0; i < *n && strcmp(nv[i], s) < 0; i++)
		;
	memmove(&nv[i + 1], &nv[i], (*n - i + 1) * sizeof(char *));
	if (!(nv[i] = strdup(s))) {
		memmove(&nv[i], &nv[i + 1], (*n - i + 1) * sizeof(char *));
		return -1;
	}
	(*n)++;
	return 0;
}

static int strv_remove(char **v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++) {
		if (strcmp(v[i], s))
			continue;
		free(v[i]);
		memmove(&v[i], &v[i + 1], (*n - i) * sizeof(char *));
		(*n)--;
		return 0;
	}
	return -1;
}

static int strv_has(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

static struct auth_user *need_user(struct auth_db *db, const char *name,
				   char *err, size_t errlen)
{
	struct auth_user *u;

	if (check_name("user", name, err, errlen))
		return NULL;
	u = auth_db_find_user(db, name);
	if (!u)
		auth_errf(err, errlen, "no user '%s' (see: porthole user list)", name);
	return u;
}

int auth_db_user_add(struct auth_db *db, const char *name, const char *password,
		     char *err, size_t errlen)
{
	char hash[AUTH_HASH_MAX];
	struct auth_user *u;
	size_t i;

	if (check_name("user", name, err, errlen))
		return -1;
	if (auth_db_find_user(db, name)) {
		auth_errf(err, errlen, "user '%s' exists", name);
		return -1;
	}
	if (auth_password_hash(password, hash, sizeof(hash), err, errlen))
		return -1;
	if (db->nusers == db->cap_users) {
		size_t cap = db->cap_users ? 2 * db->cap_users : 8;
		struct auth_user *nu = realloc(db->users, (cap + 1) * sizeof(*nu));

		if (!nu)
			goto oom;
		db->users = nu;
		db->cap_users = cap;
	}
	for (i = 0; i < db->nusers && strcmp(db->users[i].name, name) < 0; i++)
		;
	u = &db->users[i];
	memmove(u + 1, u, (db->nusers - i) * sizeof(*u));
	memset(u, 0, sizeof(*u));
	strcpy(u->name, name);
	u->totp_last_step = -1;
	u->hash = strdup(hash);
	u->groups = calloc(1, sizeof(char *));
	db->nusers++;
	if (!u->hash || !u->groups)
		goto oom;
	auth_password_tag(u->hash, u->pw_tag);
	return 0;
oom:
	auth_errf(err, errlen, "out of memory");
	return -1;
}

int auth_db_user_passwd(struct auth_db *db, const char *name, const char *password,
			char *err, size_t errlen)
{
	struct auth_user *u = need_user(db, name, err, errlen);
	char hash[AUTH_HASH_MAX], *h;

	if (!u || auth_password_hash(password, hash, sizeof(hash), err, errlen))
		return -1;
	if (!(h = strdup(hash))) {
		auth_errf(err, errlen, "out of memory");
		return -1;
	}
	free(u->hash);
	u->hash = h;
	auth_password_tag(h, u->pw_tag);
	return 0;
}

static void vm_remove(struct auth_db *db, size_t i)
{
	struct auth_vm *vm = &db->vms[i];

	free(vm->allow);
	memmove(vm, vm + 1, (db->nvms - i - 1) * sizeof(*vm));
	db->nvms--;
}

/* The user leaves every access list too: a new user of the same name must
 * not inherit the old one's access. */
int auth_db_user_del(struct auth_db *db, const char *name, char *err, size_t errlen)
{
	struct auth_user *u = need_user(db, name, err, errlen);
	size_t i;

	if (!u)
		return -1;
	for (i = db->nvms; i-- > 0;) {
		struct auth_vm *vm = &db->vms[i];

		if (strv_remove(vm->allow, &vm->nallow, name) == 0 && !vm->nallow)
			vm_remove(db, i);
	}
	i = (size_t)(u - db->users);
	free(u->hash);
	free(u->totp);
	for (size_t g = 0; g < u->ngroups; g++)
		free(u->groups[g]);
	free(u->groups);
	memmove(u, u + 1, (db->nusers - i - 1) * sizeof(*u));
	db->nusers--;
	return 0;
}

int auth_db_user_totp(struct auth_db *db, const char *name, char *secret,
		      size_t secretlen, char *err, size_t errlen)
{
	struct auth_user *u = need_user(db, name, err, errlen);
	char *s = NULL;

	if (!u)
		return -1;
	if (secret) {
		if (auth_totp_new(secret, secretlen, err, errlen))
			return -1;
		if (!(s = strdup(secret))) {
			auth_errf(err, errlen, "out of memory");
			return -1;
		}
	}
	if (u->totp)
		explicit_bzero(u->totp, strlen(u->totp));
	free(u->totp);
	u->totp = s;
	u->totp_last_step = -1;
	return 0;
}

int auth_db_user_group(struct auth_db *db, const char *name, const char *group,
		       int member, char *err, size_t errlen)
{
	struct auth_user *u = need_user(db, name, err, errlen);

	if (!u || check_name("group", group, err, errlen))
		return -1;
	if (!member) {
		if (strv_remove(u->groups, &u->ngroups, group) == 0)
			return 0;
		auth_errf(err, errlen, "user '%s' is not in group '%s'", name, group);
		return -1;
	}
	if (auth_user_in_group(u, group)) {
		auth_errf(err, errlen, "user '%s' is already in group '%s'", name, group);
		return -1;
	}
	if (strv_insert(&u->groups, &u->ngroups, group)) {
		auth_errf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static struct auth_vm *vm_add(struct auth_db *db, const char *name)
{
	struct auth_vm *vm;
	size_t i;

	if (db->nvms == db->cap_vms) {
		size_t cap = db->cap_vms ? 2 * db->cap_vms : 8;
		struct auth_vm *nv = realloc(db->vms, (cap + 1) * sizeof(*nv));

		if (!nv)
			return NULL;
		db->vms = nv;
		db->cap_vms = cap;
	}
	for (i = 0; i < db->nvms && strcmp(db->vms[i].name, name) < 0; i++)
		;
	vm = &db->vms[i];
	memmove(vm + 1, vm, (db->nvms - i) * sizeof(*vm));
	memset(vm, 0, sizeof(*vm));
	strcpy(vm->name, name);
	if (!(vm->allow = calloc(1, sizeof(char *)))) {
		memmove(vm, vm + 1, (db->nvms - i) * sizeof(*vm));
		return NULL;
	}
	db->nvms++;
	return vm;
}

/* A VM is in the database while its access list names someone. */
int auth_db_vm_allow(struct auth_db *db, const char *vm, const char *principal,
		     int allow, char *err, size_t errlen)
{
	int group = principal[0] == '@';
	const char *who = group ? principal + 1 : principal;
	struct auth_vm *v;

	if (check_name("VM", vm, err, errlen) ||
	    check_name(group ? "group" : "user", who, err, errlen))
		return -1;
	v = auth_db_find_vm(db, vm);
	if (!allow) {
		if (v && strv_remove(v->allow, &v->nallow, principal) == 0) {
			if (!v->nallow)
				vm_remove(db, (size_t)(v - db->vms));
			return 0;
		}
		auth_errf(err, errlen, "'%s' is not on the access list of VM '%s'",
			  principal, vm);
		return -1;
	}
	if (!group && !auth_db_find_user(db, who)) {
		auth_errf(err, errlen, "no user '%s' (see: porthole user list)", who);
		return -1;
	}
	if (v && strv_has(v->allow, v->nallow, principal)) {
		auth_errf(err, errlen, "'%s' is already on the access list of VM '%s'",
			  principal, vm);
		return -1;
	}
	if ((!v && !(v = vm_add(db, vm))) || strv_insert(&v->allow, &v->nallow, principal)) {
		auth_errf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}
