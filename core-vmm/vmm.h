/* SPDX-License-Identifier: MIT */
/*
 * One virtual machine: KVM handles, guest RAM, the framebuffer slot, the
 * legacy devices and one thread per vCPU. The main loop (loop.c) and the
 * tests drive it through this API; only main() decides to exit.
 */
#ifndef PORTHOLE_VMM_H
#define PORTHOLE_VMM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fb.h"
#include "guest_mem.h"
#include "i8042.h"
#include "input.h"
#include "iothread.h"
#include "irq.h"
#include "mmio.h"
#include "pci/pci.h"
#include "pio.h"
#include "pm.h"
#include "rtc.h"
#include "serial.h"
#include "virtio/blk.h"
#include "virtio/console.h"

#define VMM_MIN_MEMORY (16ULL << 20)
#define VMM_MAX_CPUS   64
#define VMM_MAX_DISKS  4

struct vmm_disk_config {
	const char *path;
	int readonly;
};

struct vmm_config {
	const char *name;
	const char *kernel, *initrd, *cmdline;
	const char *demo_path;  /* the demo guest ELF when --demo */
	uint64_t memory;
	unsigned ncpus;
	uint32_t fb_width, fb_height;
	struct vmm_disk_config disks[VMM_MAX_DISKS];
	int ndisks;
	int no_input;           /* no virtio keyboard/tablet/mouse */
	const char *agent_socket; /* host end of the agent port, or NULL */
};

/* Why the VM stopped; the first reason recorded wins. */
enum vmm_stop {
	VMM_RUNNING = 0,
	VMM_STOP_POWEROFF,  /* guest powered off (ACPI S5) */
	VMM_STOP_RESET,     /* guest reset (i8042, triple fault) */
	VMM_STOP_SIGNAL,    /* host asked (SIGTERM/SIGINT) */
	VMM_STOP_FATAL,     /* a vCPU exit the monitor cannot handle */
};

struct vmm;

struct vcpu {
	struct vmm *vm;
	unsigned id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	int started;
	unsigned mmio_warnings;
};

struct vmm {
	int kvm_fd, vm_fd;
	size_t run_size;
	int has_irqchip;
	int pci_ready;
	int pvm;               /* /dev/kvm is PVM (no VT-x/AMD-V) */
	struct guest_mem mem;
	struct vmm_fb fb;
	struct pio_bus pio;
	struct mmio_bus mmio;
	struct pci_bus pci;
	struct irq_router irq;
	struct iothread io;    /* light devices: input, console */
	struct vmm_input input;
	int has_input;
	struct vconsole console;
	int has_console;
	struct vblk disks[VMM_MAX_DISKS];
	struct iothread disk_io[VMM_MAX_DISKS]; /* one each: fsync is slow */
	int ndisks_open, ndisks;
	struct serial com1;
	struct i8042 kbc;
	struct pm pm;
	struct rtc rtc;
	unsigned ncpus;
	struct vcpu *vcpus;
	int stop_fd;           /* eventfd: readable once the VM must stop */
	int serial_fd;         /* eventfd: COM1 has output */
	atomic_int stop;       /* enum vmm_stop */
};

/* Create the VM, its memory, framebuffer, devices and vCPUs, and load the
 * guest. -1 with one actionable line in err; nothing is left behind. */
int vmm_create(struct vmm *vm, const struct vmm_config *cfg, char *err,
	       size_t errlen);

/* Start one thread per vCPU. */
int vmm_start(struct vmm *vm, char *err, size_t errlen);

/* Record why the VM stops (first caller wins) and wake the main loop. */
void vmm_request_stop(struct vmm *vm, enum vmm_stop why);

/* Stop and join the vCPU threads (after a stop was requested or not). */
void vmm_join(struct vmm *vm);

void vmm_destroy(struct vmm *vm);

const char *vmm_stop_name(enum vmm_stop why);

/* vcpu.c */
struct boot_entry;
int vcpu_setup_boot(struct vcpu *v, const struct boot_entry *entry);
int vcpu_create(struct vmm *vm, struct vcpu *v, unsigned id, char *err,
		size_t errlen);
void vcpu_destroy(struct vcpu *v);
void *vcpu_thread(void *arg);
void vcpu_dump(const struct vcpu *v, FILE *out);

#endif
