// SPDX-License-Identifier: MIT
#include "atest.h"

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

void atest_rmdir(char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

char *atest_tmpdir(const char *tag)
{
	const char *base = getenv("TMPDIR");
	char *dir = malloc(PATH_MAX);

	CHECK(dir, "out of memory");
	snprintf(dir, PATH_MAX, "%s/porthole-%s-XXXXXX", base && *base ? base : "/tmp",
		 tag);
	CHECK(mkdtemp(dir), "mkdtemp %s", dir);
	return dir;
}

void atest_write(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	CHECK(f, "cannot write %s", path);
	fputs(text, f);
	CHECK(fclose(f) == 0, "write %s", path);
}

char *atest_read(const char *dir, const char *file)
{
	char path[PATH_MAX], *buf;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	CHECK(buf && fread(buf, 1, (size_t)n, f) == (size_t)n, "read %s", path);
	fclose(f);
	return buf;
}
