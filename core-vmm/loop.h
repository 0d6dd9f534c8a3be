/* SPDX-License-Identifier: MIT */
/*
 * The monitor's main thread once the vCPUs run: signals, the serial console
 * (log file, stdout/stdin, a unix socket in the run directory), screenshots.
 * It never touches guest state the vCPUs own, and never blocks them.
 */
#ifndef PORTHOLE_VMM_LOOP_H
#define PORTHOLE_VMM_LOOP_H

#include "surface_server.h"
#include "vmm.h"

struct loop_options {
	int log_fd;                 /* serial log, or -1 */
	int console;                /* serial on stdout, stdin to the guest */
	const char *console_socket; /* path of the serial socket, or NULL */
	const char *screenshot;     /* where SIGUSR1 writes a PPM, or NULL */
	const char *surface_socket; /* the display's socket, or NULL */
	const char *name;           /* the VM's name, told to the display */
	const char *agent_socket;   /* bridged to the display's AGENT messages */
};

/* Runs until the VM stops; returns why (enum vmm_stop) or -1 with err set. */
int loop_run(struct vmm *vm, const struct loop_options *o, char *err,
	     size_t errlen);

/* Write the framebuffer as a binary PPM, atomically (temp file + rename). */
int loop_write_screenshot(const struct vmm_fb *fb, const char *path);

#endif
