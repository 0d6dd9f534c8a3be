// SPDX-License-Identifier: MIT
/* One thread per vCPU: KVM_RUN and the exits the monitor handles. */
#include "vmm.h"
#include "loader/loader.h"

#include <errno.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define CPUID_MAX_ENTRIES 256
#define MAX_MMIO_WARNINGS 8

/* Per-vCPU CPUID: what KVM supports, with this vCPU's APIC ID filled in
 * (Linux matches it against the MADT) and the hypervisor bit set. */
static int setup_cpuid(struct vmm *vm, struct vcpu *v)
{
	struct kvm_cpuid2 *c;
	int ret = -1;

	c = calloc(1, sizeof(*c) + CPUID_MAX_ENTRIES * sizeof(c->entries[0]));
	if (!c)
		return -1;
	c->nent = CPUID_MAX_ENTRIES;
	if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0)
		goto out;
	for (unsigned i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			e->ebx = (e->ebx & 0x00ffffff) | (v->id << 24);
			e->ecx |= 1u << 31;
			break;
		case 0xb:
		case 0x1f:
			e->edx = v->id;
			break;
		}
	}
	ret = ioctl(v->fd, KVM_SET_CPUID2, c);
out:
	free(c);
	return ret;
}

int vcpu_create(struct vmm *vm, struct vcpu *v, unsigned id, char *err,
		size_t errlen)
{
	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->id = id;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0) {
		snprintf(err, errlen, "cannot create vCPU %u: %s", id,
			 strerror(errno));
		return -1;
	}
	v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		snprintf(err, errlen, "cannot map vCPU %u: %s", id,
			 strerror(errno));
		goto fail;
	}
	if (setup_cpuid(vm, v)) {
		snprintf(err, errlen, "cannot set CPUID of vCPU %u: %s", id,
			 strerror(errno));
		goto fail;
	}
	return 0;
fail:
	vcpu_destroy(v);
	return -1;
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, v->vm->run_size);
	if (v->fd > 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}

static struct kvm_segment flat_segment(uint16_t sel, uint8_t type)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
	};
}

/* 32-bit flat protected mode, paging off: what both the Linux 32-bit boot
 * protocol and PVH expect, with the GDT the loader wrote. */
int vcpu_setup_boot(struct vcpu *v, const struct boot_entry *entry)
{
	struct kvm_sregs s;
	struct kvm_regs r = { 0 };
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };

	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return -1;
	s.cs = flat_segment(0x10, 0xb);
	s.ds = s.es = s.fs = s.gs = s.ss = flat_segment(0x18, 0x3);
	s.gdt.base = entry->gdt_base;
	s.gdt.limit = entry->gdt_limit;
	/* PVH asks for a 32-bit TSS in TR; Linux's protocol does not care. */
	s.tr = (struct kvm_segment){ .limit = 0x67, .type = 0xb, .present = 1 };
	s.cr0 = 0x11; /* PE | ET */
	s.cr4 = 0;
	s.efer = 0;
	if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0)
		return -1;
	r.rip = entry->rip;
	r.rsi = entry->rsi;
	r.rbx = entry->rbx;
	r.rflags = 0x2;
	if (ioctl(v->fd, KVM_SET_REGS, &r) < 0)
		return -1;
	return ioctl(v->fd, KVM_SET_FPU, &fpu);
}

static const char *exit_name(uint32_t reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN", [KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO", [KVM_EXIT_HYPERCALL] = "HYPERCALL",
		[KVM_EXIT_DEBUG] = "DEBUG", [KVM_EXIT_HLT] = "HLT",
		[KVM_EXIT_MMIO] = "MMIO", [KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN", [KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KVM_EXIT_INTR] = "INTR", [KVM_EXIT_SET_TPR] = "SET_TPR",
		[KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS", [KVM_EXIT_NMI] = "NMI",
		[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
		[KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
	};

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "unhandled";
}

static void dump_segment(FILE *out, const char *name,
			 const struct kvm_segment *s)
{
	fprintf(out, "  %-3s sel=%04x base=%016llx limit=%08x type=%x dpl=%d p=%d l=%d db=%d\n",
		name, s->selector, (unsigned long long)s->base, s->limit,
		s->type, s->dpl, s->present, s->l, s->db);
}

void vcpu_dump(const struct vcpu *v, FILE *out)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &s) < 0) {
		fprintf(out, "  (registers unavailable: %s)\n", strerror(errno));
		return;
	}
	fprintf(out,
		"  rip=%016llx rflags=%016llx\n"
		"  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n"
		"  rsi=%016llx rdi=%016llx rsp=%016llx rbp=%016llx\n"
		"  r8 =%016llx r9 =%016llx r10=%016llx r11=%016llx\n"
		"  r12=%016llx r13=%016llx r14=%016llx r15=%016llx\n"
		"  cr0=%016llx cr2=%016llx cr3=%016llx cr4=%016llx efer=%016llx\n",
		r.rip, r.rflags, r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi,
		r.rsp, r.rbp, r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14,
		r.r15, s.cr0, s.cr2, s.cr3, s.cr4, s.efer);
	dump_segment(out, "cs", &s.cs);
	dump_segment(out, "ss", &s.ss);
	dump_segment(out, "ds", &s.ds);
	dump_segment(out, "tr", &s.tr);
	fprintf(out, "  gdt=%016llx/%04x idt=%016llx/%04x\n",
		(unsigned long long)s.gdt.base, s.gdt.limit,
		(unsigned long long)s.idt.base, s.idt.limit);
}

static void fatal_exit(struct vcpu *v, const char *why)
{
	struct kvm_run *run = v->run;

	fprintf(stderr, "porthole-vmm: vCPU %u: fatal exit %s (%u)%s%s\n",
		v->id, exit_name(run->exit_reason), run->exit_reason,
		why ? ": " : "", why ? why : "");
	if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
		fprintf(stderr, "  suberror %u%s\n", run->internal.suberror,
			run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ?
			" (KVM could not emulate an instruction; e.g. code run from unbacked memory)" : "");
	if (run->exit_reason == KVM_EXIT_FAIL_ENTRY)
		fprintf(stderr, "  hardware entry failure reason 0x%llx\n",
			(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
	vcpu_dump(v, stderr);
	vmm_request_stop(v->vm, VMM_STOP_FATAL);
}

static void handle_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	int out = run->io.direction == KVM_EXIT_IO_OUT;

	/* String I/O (rep outsb) arrives as `count` accesses in a row. */
	for (uint32_t i = 0; i < run->io.count; i++) {
		pio_dispatch(&v->vm->pio, run->io.port, data, run->io.size, out);
		data += run->io.size;
	}
}

static void handle_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	if (run->mmio.len > sizeof(run->mmio.data) ||
	    mmio_dispatch(&v->vm->mmio, run->mmio.phys_addr, run->mmio.data,
			  run->mmio.len, run->mmio.is_write))
		return;
	/* Nothing is mapped here: reads float high, writes vanish. */
	if (v->mmio_warnings < MAX_MMIO_WARNINGS) {
		v->mmio_warnings++;
		fprintf(stderr, "porthole-vmm: vCPU %u: %s of unmapped MMIO at 0x%llx ignored%s\n",
			v->id, run->mmio.is_write ? "write" : "read",
			(unsigned long long)run->mmio.phys_addr,
			v->mmio_warnings == MAX_MMIO_WARNINGS ? " (further ones not shown)" : "");
	}
}

/* Returns 0 to keep running, 1 to stop this thread. */
static int handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(v);
		return 0;
	case KVM_EXIT_MMIO:
		handle_mmio(v);
		return 0;
	case KVM_EXIT_INTR:
		return 0;
	case KVM_EXIT_SHUTDOWN:
		/* A triple fault resets a PC; the monitor stops instead. */
		fprintf(stderr, "porthole-vmm: vCPU %u: triple fault, the guest resets\n",
			v->id);
		vmm_request_stop(v->vm, VMM_STOP_RESET);
		return 1;
	case KVM_EXIT_SYSTEM_EVENT:
		vmm_request_stop(v->vm,
				 run->system_event.type == KVM_SYSTEM_EVENT_RESET ?
				 VMM_STOP_RESET : VMM_STOP_POWEROFF);
		return 1;
	case KVM_EXIT_HLT:
		if (!v->vm->has_irqchip) {
			/* Nothing could ever wake it. */
			fprintf(stderr, "porthole-vmm: vCPU %u halted with no interrupt controller; stopping\n",
				v->id);
			vmm_request_stop(v->vm, VMM_STOP_POWEROFF);
			return 1;
		}
		return 0;
	default:
		fatal_exit(v, NULL);
		return 1;
	}
}

void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vmm *vm = v->vm;
	sigset_t set;

	/* Only the main thread takes process signals; SIGUSR2 kicks us. */
	sigfillset(&set);
	sigdelset(&set, SIGUSR2);
	pthread_sigmask(SIG_SETMASK, &set, NULL);

	while (atomic_load(&vm->stop) == VMM_RUNNING) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fprintf(stderr, "porthole-vmm: vCPU %u: KVM_RUN failed: %s\n",
				v->id, strerror(errno));
			vcpu_dump(v, stderr);
			vmm_request_stop(vm, VMM_STOP_FATAL);
			break;
		}
		if (handle_exit(v))
			break;
	}
	return NULL;
}
