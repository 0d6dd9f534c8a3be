/* SPDX-License-Identifier: MIT */
/*
 * A VM's run directory, BASE/NAME: its pid, its lock, the serial console
 * socket and, in later issues, the surface socket. An exclusive lock on
 * BASE/NAME/lock says the VM is running; leftovers of a monitor that was
 * killed are cleaned when the next one takes the lock. What the monitor
 * created is removed when it stops, and the directory with it unless
 * another process of the VM (porthole-display) still has a socket there.
 */
#ifndef PORTHOLE_VMM_RUNDIR_H
#define PORTHOLE_VMM_RUNDIR_H

#include <limits.h>
#include <stddef.h>

struct rundir {
	char path[PATH_MAX - 32];
	int lock_fd;
};

/* The default base: /run/porthole for root, else $XDG_RUNTIME_DIR/porthole
 * or /tmp/porthole-UID. */
void rundir_default_base(char *out, size_t outlen);

/* 0 if name is 1..64 of [A-Za-z0-9._-] not starting with '.'. */
int rundir_check_name(const char *name);

int rundir_create(struct rundir *rd, const char *base, const char *name,
		  char *err, size_t errlen);
/* Path of a file inside the run directory. */
int rundir_file(const struct rundir *rd, const char *file, char *out,
		size_t outlen);
void rundir_remove(struct rundir *rd);

#endif
