/* SPDX-License-Identifier: MIT */
/* Helpers of the auth tests: scratch state directories, whole files. */
#ifndef PORTHOLE_ATEST_H
#define PORTHOLE_ATEST_H

#include "auth.h"
#include "check.h"

#include <stddef.h>

/* A new empty directory under $TMPDIR (or /tmp); atest_rmdir removes it
 * (a failing test leaves it, to look at). */
char *atest_tmpdir(const char *tag);
void atest_rmdir(char *dir);
void atest_write(const char *dir, const char *file, const char *text);
/* The file's contents (malloc'ed, NUL-terminated), or NULL. */
char *atest_read(const char *dir, const char *file);
/* Loads dir's database with its lock, runs the edit, saves. The edit is an
 * expression of auth_db_* calls (0 on success) that sees the database as
 * `db` and an error buffer as `e_`. */
#define ATEST_EDIT(dir, call) do {					\
	char e_[AUTH_ERR_MAX];						\
	struct auth_db *db = auth_db_load((dir), 1, e_, sizeof(e_));	\
	CHECK(db, "%s", e_);						\
	{ int rc_ = (call); CHECK(rc_ == 0, "%s: %s", #call, e_); }	\
	CHECK(auth_db_save(db, e_, sizeof(e_)) == 0, "%s", e_);		\
	auth_db_free(db);						\
} while (0)

#endif
