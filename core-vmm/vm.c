// SPDX-License-Identifier: MIT
/* Creating and tearing down a VM: KVM, memory slots, devices, vCPUs. */
#include "vmm.h"
#include "layout.h"
#include "loader/loader.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/sysinfo.h>
#include <unistd.h>

enum { SLOT_RAM_LO = 0, SLOT_RAM_HI = 1, SLOT_FB = 2 };

const char *vmm_stop_name(enum vmm_stop why)
{
	switch (why) {
	case VMM_RUNNING:       return "running";
	case VMM_STOP_POWEROFF: return "guest powered off";
	case VMM_STOP_RESET:    return "guest reset";
	case VMM_STOP_SIGNAL:   return "stopped by signal";
	case VMM_STOP_FATAL:    return "fatal vCPU exit";
	}
	return "?";
}

void vmm_request_stop(struct vmm *vm, enum vmm_stop why)
{
	int expected = VMM_RUNNING;
	uint64_t one = 1;

	if (atomic_compare_exchange_strong(&vm->stop, &expected, why))
		(void)!write(vm->stop_fd, &one, sizeof(one));
}

static void power_request(void *opaque, enum power_event ev)
{
	vmm_request_stop(opaque, ev == POWER_OFF ? VMM_STOP_POWEROFF
						 : VMM_STOP_RESET);
}

static void serial_set_irq(void *opaque, int irq, int level)
{
	struct vmm *vm = opaque;
	struct kvm_irq_level line = { .irq = irq, .level = level };

	if (vm->has_irqchip)
		ioctl(vm->vm_fd, KVM_IRQ_LINE, &line);
}

static void serial_tx_ready(void *opaque)
{
	struct vmm *vm = opaque;
	uint64_t one = 1;

	(void)!write(vm->serial_fd, &one, sizeof(one));
}

/* PVM runs guest kernel mode by emulation; see ARCHITECTURE.md. */
static int host_is_pvm(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	int hw = 0;

	if (f) {
		while (!hw && fgets(line, sizeof(line), f))
			if (!strncmp(line, "flags", 5))
				hw = strstr(line, " vmx") || strstr(line, " svm");
		fclose(f);
	}
	return !hw && access("/sys/module/kvm_pvm", F_OK) == 0;
}

static int check_config(const struct vmm_config *cfg, char *err,
			size_t errlen)
{
	struct sysinfo si;
	uint64_t host;

	if (cfg->memory < VMM_MIN_MEMORY) {
		snprintf(err, errlen, "--memory %lluM is too small: a VM needs at least %lluM",
			 (unsigned long long)cfg->memory >> 20,
			 VMM_MIN_MEMORY >> 20);
		return -1;
	}
	if (sysinfo(&si) == 0) {
		host = (uint64_t)si.totalram * si.mem_unit;
		if (cfg->memory > host) {
			snprintf(err, errlen, "--memory %lluM is more than this host has (%lluM): choose less",
				 (unsigned long long)cfg->memory >> 20,
				 (unsigned long long)host >> 20);
			return -1;
		}
	}
	if (cfg->ncpus < 1 || cfg->ncpus > VMM_MAX_CPUS) {
		snprintf(err, errlen, "--cpus %u is out of range: choose 1..%d",
			 cfg->ncpus, VMM_MAX_CPUS);
		return -1;
	}
	return 0;
}

static int open_kvm(struct vmm *vm, char *err, size_t errlen)
{
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		if (errno == ENOENT)
			snprintf(err, errlen, "/dev/kvm does not exist: load the kvm module (kvm_intel, kvm_amd) or run on a host with virtualization");
		else if (errno == EACCES || errno == EPERM)
			snprintf(err, errlen, "no permission to open /dev/kvm: add your user to the 'kvm' group or run as root");
		else
			snprintf(err, errlen, "cannot open /dev/kvm: %s",
				 strerror(errno));
		return -1;
	}
	if (ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		snprintf(err, errlen, "/dev/kvm speaks an unexpected KVM API version");
		return -1;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		snprintf(err, errlen, "KVM_CREATE_VM failed: %s", strerror(errno));
		return -1;
	}
	vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm->pvm = host_is_pvm();
	return 0;
}

static int setup_platform(struct vmm *vm, char *err, size_t errlen)
{
	uint64_t idmap = 0xfffbc000;

	/* VMX needs these pages for real-mode emulation; harmless elsewhere. */
	ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000UL);
	ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap);

	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) > 0) {
		if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
			snprintf(err, errlen, "KVM_CREATE_IRQCHIP failed: %s",
				 strerror(errno));
			return -1;
		}
		vm->has_irqchip = 1;
		if (irq_router_init(&vm->irq, vm->vm_fd)) {
			snprintf(err, errlen, "KVM_SET_GSI_ROUTING failed: %s",
				 strerror(errno));
			return -1;
		}
	} else {
		fprintf(stderr, "porthole-vmm: warning: KVM offers no in-kernel irqchip; guests that need interrupts will not run\n");
	}
	if (vm->has_irqchip &&
	    ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_PIT2) > 0) {
		struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
		if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
			snprintf(err, errlen, "KVM_CREATE_PIT2 failed: %s",
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int add_slot(struct vmm *vm, int slot, uint64_t gpa, void *host,
		    uint64_t size, char *err, size_t errlen)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		snprintf(err, errlen, "KVM refused %lluM of guest RAM: %s",
			 (unsigned long long)size >> 20, strerror(errno));
		return -1;
	}
	return 0;
}

static int setup_memory(struct vmm *vm, const struct vmm_config *cfg,
			char *err, size_t errlen)
{
	int ret = guest_mem_alloc(&vm->mem, cfg->memory);

	if (ret) {
		snprintf(err, errlen, "cannot reserve %lluM for guest RAM: %s",
			 (unsigned long long)cfg->memory >> 20, strerror(-ret));
		return -1;
	}
	if (add_slot(vm, SLOT_RAM_LO, 0, vm->mem.lo, vm->mem.lo_size, err,
		     errlen))
		return -1;
	if (vm->mem.hi_size &&
	    add_slot(vm, SLOT_RAM_HI, LAYOUT_HIGH_RAM_START, vm->mem.hi,
		     vm->mem.hi_size, err, errlen))
		return -1;
	return fb_create(&vm->fb, vm->vm_fd, SLOT_FB, cfg->fb_width,
			 cfg->fb_height, err, errlen);
}

static int setup_devices(struct vmm *vm, char *err, size_t errlen)
{
	struct power_ops power = { power_request, vm };
	struct serial_ops sops = { serial_set_irq, serial_tx_ready, vm };

	serial_init(&vm->com1, SERIAL_COM1_IRQ, &sops);
	i8042_init(&vm->kbc, &power);
	pm_init(&vm->pm, &power);
	rtc_init(&vm->rtc);
	if (serial_attach(&vm->com1, &vm->pio, SERIAL_COM1_BASE) ||
	    i8042_attach(&vm->kbc, &vm->pio) || pm_attach(&vm->pm, &vm->pio) ||
	    rtc_attach(&vm->rtc, &vm->pio)) {
		snprintf(err, errlen, "internal error: overlapping I/O ports");
		return -1;
	}
	/* 64-bit BARs go above RAM, on a 1 GiB boundary. */
	if (pci_bus_init(&vm->pci, &vm->mmio, &vm->pio,
			 (LAYOUT_HIGH_RAM_START + vm->mem.hi_size + (1ULL << 30) - 1) &
			 ~((1ULL << 30) - 1))) {
		snprintf(err, errlen, "internal error: PCI ports taken");
		return -1;
	}
	vm->pci_ready = 1;
	if (iothread_init(&vm->io, "vmm-io")) {
		snprintf(err, errlen, "cannot create the device I/O thread: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* Images are opened and locked before anything else, so a disk that is
 * missing, read-only or in use by another VM stops us before KVM is touched. */
static int open_disks(struct vmm *vm, const struct vmm_config *cfg,
		      char *err, size_t errlen)
{
	for (int i = 0; i < cfg->ndisks; i++) {
		if (vblk_open(&vm->disks[i], cfg->disks[i].path,
			      cfg->disks[i].readonly, err, errlen))
			return -1;
		vm->ndisks_open++;
	}
	return 0;
}

static int attach_virtio(struct vmm *vm, const struct vmm_config *cfg,
			 char *err, size_t errlen)
{
	struct virtio_env env = {
		.vm_fd = vm->vm_fd, .mem = &vm->mem, .bus = &vm->pci,
		.irq = vm->has_irqchip ? &vm->irq : NULL, .io = &vm->io,
	};

	if (!cfg->no_input) {
		if (vmm_input_attach(&vm->input, &env, err, errlen))
			return -1;
		vm->has_input = 1;
	}
	if (vconsole_attach(&vm->console, &env, cfg->agent_socket, err, errlen))
		return -1;
	vm->has_console = 1;
	for (int i = 0; i < vm->ndisks_open; i++) {
		char name[16];

		snprintf(name, sizeof(name), "vmm-disk%u", (unsigned)i % 10);
		if (iothread_init(&vm->disk_io[i], name)) {
			snprintf(err, errlen, "cannot create a disk I/O thread: %s",
				 strerror(errno));
			return -1;
		}
		env.io = &vm->disk_io[i];
		if (vblk_attach(&vm->disks[i], &env, err, errlen)) {
			iothread_destroy(&vm->disk_io[i]);
			return -1;
		}
		vm->ndisks++;
	}
	return 0;
}

static int load_guest(struct vmm *vm, const struct vmm_config *cfg,
		      struct boot_entry *entry, char *err, size_t errlen)
{
	struct boot_spec spec = {
		.kernel = cfg->demo_path ? cfg->demo_path : cfg->kernel,
		.initrd = cfg->initrd,
		.cmdline = cfg->cmdline,
		.ncpus = cfg->ncpus,
		.fb = {
			.base = vm->fb.gpa, .size = vm->fb.size,
			.width = vm->fb.width, .height = vm->fb.height,
			.stride = vm->fb.stride,
		},
	};

	if (loader_load(&vm->mem, &spec, entry, err, errlen))
		return -1;
	if (!cfg->demo_path && vm->pvm)
		fprintf(stderr, "porthole-vmm: warning: /dev/kvm on this host is PVM (no VT-x/AMD-V): a stock Linux kernel needs hardware virtualization or a PVM guest kernel, and will not get far here\n");
	return 0;
}

int vmm_create(struct vmm *vm, const struct vmm_config *cfg, char *err,
	       size_t errlen)
{
	struct boot_entry entry;

	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = vm->vm_fd = vm->stop_fd = vm->serial_fd = -1;
	vm->io.epfd = vm->io.stop_fd = -1;
	mmio_init(&vm->mmio);
	vm->fb.memfd = -1;
	atomic_init(&vm->stop, VMM_RUNNING);

	if (check_config(cfg, err, errlen))
		goto fail;
	vm->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vm->serial_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->stop_fd < 0 || vm->serial_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto fail;
	}
	if (open_disks(vm, cfg, err, errlen) ||
	    open_kvm(vm, err, errlen) || setup_platform(vm, err, errlen) ||
	    setup_memory(vm, cfg, err, errlen) ||
	    setup_devices(vm, err, errlen) ||
	    attach_virtio(vm, cfg, err, errlen) ||
	    load_guest(vm, cfg, &entry, err, errlen))
		goto fail;

	vm->vcpus = calloc(cfg->ncpus, sizeof(*vm->vcpus));
	if (!vm->vcpus) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (unsigned i = 0; i < cfg->ncpus; i++) {
		if (vcpu_create(vm, &vm->vcpus[i], i, err, errlen))
			goto fail;
		vm->ncpus++;
	}
	if (vcpu_setup_boot(&vm->vcpus[0], &entry)) {
		snprintf(err, errlen, "cannot set the boot CPU's registers: %s",
			 strerror(errno));
		goto fail;
	}
	return 0;
fail:
	vmm_destroy(vm);
	return -1;
}

/* vCPU threads are woken out of KVM_RUN with this signal; its handler does
 * nothing, the point is the EINTR. */
static void kick_handler(int sig)
{
	(void)sig;
}

int vmm_start(struct vmm *vm, char *err, size_t errlen)
{
	struct sigaction sa = { .sa_handler = kick_handler };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	if (iothread_start(&vm->io)) {
		snprintf(err, errlen, "cannot start the device I/O thread");
		return -1;
	}
	for (int i = 0; i < vm->ndisks; i++) {
		if (iothread_start(&vm->disk_io[i])) {
			snprintf(err, errlen, "cannot start a disk I/O thread");
			return -1;
		}
	}
	for (unsigned i = 0; i < vm->ncpus; i++) {
		int ret = pthread_create(&vm->vcpus[i].thread, NULL,
					 vcpu_thread, &vm->vcpus[i]);
		if (ret) {
			snprintf(err, errlen, "cannot start vCPU %u: %s", i,
				 strerror(ret));
			vmm_request_stop(vm, VMM_STOP_FATAL);
			return -1;
		}
		vm->vcpus[i].started = 1;
	}
	return 0;
}

void vmm_join(struct vmm *vm)
{
	vmm_request_stop(vm, VMM_STOP_SIGNAL); /* no-op if already stopping */
	for (unsigned i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (!v->started)
			continue;
		/* immediate_exit covers a kick that lands before KVM_RUN. */
		v->run->immediate_exit = 1;
		pthread_kill(v->thread, SIGUSR2);
	}
	for (unsigned i = 0; i < vm->ncpus; i++) {
		if (vm->vcpus[i].started)
			pthread_join(vm->vcpus[i].thread, NULL);
		vm->vcpus[i].started = 0;
	}
	/* No vCPU can notify a device now; let the devices finish. */
	iothread_stop(&vm->io);
	for (int i = 0; i < vm->ndisks; i++)
		iothread_stop(&vm->disk_io[i]);
}

void vmm_destroy(struct vmm *vm)
{
	for (unsigned i = 0; i < vm->ncpus; i++)
		vcpu_destroy(&vm->vcpus[i]);
	free(vm->vcpus);
	vm->vcpus = NULL;
	vm->ncpus = 0;
	if (vm->com1.ops.opaque) {
		serial_destroy(&vm->com1);
		i8042_destroy(&vm->kbc);
		pm_destroy(&vm->pm);
		rtc_destroy(&vm->rtc);
		vm->com1.ops.opaque = NULL;
	}
	/* Devices after their threads, before the bus and routes they use. */
	iothread_stop(&vm->io);
	for (int i = 0; i < vm->ndisks; i++)
		iothread_stop(&vm->disk_io[i]);
	if (vm->has_input)
		vmm_input_destroy(&vm->input);
	vm->has_input = 0;
	if (vm->has_console)
		vconsole_destroy(&vm->console);
	vm->has_console = 0;
	for (int i = 0; i < vm->ndisks_open; i++)
		vblk_destroy(&vm->disks[i]);
	for (int i = 0; i < vm->ndisks; i++)
		iothread_destroy(&vm->disk_io[i]);
	vm->ndisks = vm->ndisks_open = 0;
	iothread_destroy(&vm->io);
	if (vm->pci_ready)
		pci_bus_destroy(&vm->pci);
	vm->pci_ready = 0;
	if (vm->has_irqchip)
		irq_router_destroy(&vm->irq);
	vm->has_irqchip = 0;
	mmio_destroy(&vm->mmio);
	fb_destroy(&vm->fb);
	guest_mem_free(&vm->mem);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->stop_fd >= 0)
		close(vm->stop_fd);
	if (vm->serial_fd >= 0)
		close(vm->serial_fd);
	vm->vm_fd = vm->kvm_fd = vm->stop_fd = vm->serial_fd = -1;
}
