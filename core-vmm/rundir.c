// SPDX-License-Identifier: MIT
#include "rundir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

void rundir_default_base(char *out, size_t outlen)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (geteuid() == 0)
		snprintf(out, outlen, "/run/porthole");
	else if (xdg && *xdg)
		snprintf(out, outlen, "%s/porthole", xdg);
	else
		snprintf(out, outlen, "/tmp/porthole-%u", (unsigned)geteuid());
}

int rundir_check_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64 || name[0] == '.')
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return -1;
	}
	return 0;
}

static int mkdir_p(char *path, mode_t mode)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(path, mode) < 0 && errno != EEXIST ? -1 : 0;
}

int rundir_file(const struct rundir *rd, const char *file, char *out,
		size_t outlen)
{
	int n = snprintf(out, outlen, "%s/%s", rd->path, file);

	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* What the monitor puts in its run directory. Other processes of the VM
 * (porthole-display's vnc.sock) own their own entries. */
static const char *const owned[] = {
	"pid", "serial.sock", "agent.sock", "surface.sock", "screen.ppm",
	"screen.ppm.tmp",
};

static void clean_entries(struct rundir *rd)
{
	char file[PATH_MAX];

	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		if (rundir_file(rd, owned[i], file, sizeof(file)) == 0)
			unlink(file);
}

int rundir_create(struct rundir *rd, const char *base, const char *name,
		  char *err, size_t errlen)
{
	char file[PATH_MAX];
	int n;

	rd->lock_fd = -1;
	if (rundir_check_name(name)) {
		snprintf(err, errlen, "--name '%s' is not valid: use 1-64 letters, digits, '.', '_' or '-', not starting with '.'",
			 name);
		return -1;
	}
	n = snprintf(rd->path, sizeof(rd->path), "%s/%s", base, name);
	if (n < 0 || (size_t)n >= sizeof(rd->path)) {
		snprintf(err, errlen, "run directory path is too long: %s/%s",
			 base, name);
		return -1;
	}
	if (mkdir_p(rd->path, 0700) < 0) {
		snprintf(err, errlen, "cannot create run directory %s: %s (choose another with --run-dir)",
			 rd->path, strerror(errno));
		return -1;
	}
	rundir_file(rd, "lock", file, sizeof(file));
	rd->lock_fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (rd->lock_fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", file,
			 strerror(errno));
		return -1;
	}
	if (flock(rd->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		snprintf(err, errlen, "a VM named '%s' is already running (%s is locked): stop it or choose another --name",
			 name, rd->path);
		close(rd->lock_fd);
		rd->lock_fd = -1;
		return -1;
	}
	clean_entries(rd); /* a killed monitor's sockets */
	rundir_file(rd, "pid", file, sizeof(file));
	FILE *f = fopen(file, "we");
	if (f) {
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}
	return 0;
}

void rundir_remove(struct rundir *rd)
{
	char file[PATH_MAX];

	if (rd->lock_fd < 0)
		return;
	clean_entries(rd);
	rundir_file(rd, "lock", file, sizeof(file));
	unlink(file);
	/* Fails while a display still has its socket here; the last one out
	 * removes the directory. */
	rmdir(rd->path);
	close(rd->lock_fd);
	rd->lock_fd = -1;
}
