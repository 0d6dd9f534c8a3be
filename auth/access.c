// SPDX-License-Identifier: MIT
/* Who may reach which VM: access lists of users and @groups; "admin" all. */
#include "auth_priv.h"

#include <stdlib.h>
#include <string.h>

#define ADMIN_GROUP "admin"

static int listed(const struct auth_vm *vm, const struct auth_user *u)
{
	for (size_t i = 0; i < vm->nallow; i++) {
		const char *p = vm->allow[i];

		if (p[0] == '@' ? auth_user_in_group(u, p + 1) : !strcmp(p, u->name))
			return 1;
	}
	return 0;
}

/* An admin may reach VMs that no access list names yet: the VM need not
 * be in the database. */
int auth_access_locked(const struct auth_db *db, const char *user, const char *vm)
{
	const struct auth_user *u = auth_db_find_user(db, user);
	const struct auth_vm *v;

	if (!u || !auth_name_valid(vm))
		return 0;
	if (auth_user_in_group(u, ADMIN_GROUP))
		return 1;
	v = auth_db_find_vm(db, vm);
	return v && listed(v, u);
}

int auth_vm_allowed(struct auth *a, const char *user, const char *vm)
{
	int ok;

	pthread_mutex_lock(&a->lock);
	ok = auth_access_locked(a->db, user, vm);
	pthread_mutex_unlock(&a->lock);
	return ok;
}

int auth_user_is_admin(struct auth *a, const char *user)
{
	const struct auth_user *u;
	int ok;

	pthread_mutex_lock(&a->lock);
	u = auth_db_find_user(a->db, user);
	ok = u && auth_user_in_group(u, ADMIN_GROUP);
	pthread_mutex_unlock(&a->lock);
	return ok;
}

void auth_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

char **auth_user_vms(struct auth *a, const char *user)
{
	const struct auth_user *u;
	char **out = NULL;
	size_t n = 0;

	pthread_mutex_lock(&a->lock);
	out = calloc(a->db->nvms + 1, sizeof(char *));
	u = auth_db_find_user(a->db, user);
	for (size_t i = 0; out && u && i < a->db->nvms; i++) {
		const struct auth_vm *vm = &a->db->vms[i];

		if (!auth_user_in_group(u, ADMIN_GROUP) && !listed(vm, u))
			continue;
		if (!(out[n++] = strdup(vm->name))) {
			auth_strv_free(out);
			out = NULL;
		}
	}
	pthread_mutex_unlock(&a->lock);
	return out; /* the db's VMs are sorted, so is this */
}
