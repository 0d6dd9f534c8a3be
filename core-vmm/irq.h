/* SPDX-License-Identifier: MIT */
/*
 * KVM interrupt routing for MSI(-X): each vector gets a GSI whose route
 * carries the guest's MSI address/data, and an irqfd, so a device thread
 * interrupts the guest by writing an eventfd — no monitor thread in the path.
 * KVM_SET_GSI_ROUTING replaces the whole table, so the default IOAPIC/PIC
 * routes are kept in it too.
 */
#ifndef PORTHOLE_VMM_IRQ_H
#define PORTHOLE_VMM_IRQ_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdint.h>

#define IRQ_MAX_ROUTES 512
#define IRQ_FIRST_MSI_GSI 24

struct irq_router {
	int vm_fd;
	pthread_mutex_t lock;
	uint32_t next_gsi;
	uint32_t nr;
	struct kvm_irq_routing_entry e[IRQ_MAX_ROUTES];
};

/* With an in-kernel irqchip only; installs the default PIC/IOAPIC routes. */
int irq_router_init(struct irq_router *r, int vm_fd);
void irq_router_destroy(struct irq_router *r);

/* A new MSI GSI bound to eventfd `fd` (KVM_IRQFD); the route is masked (no
 * delivery) until irq_msi_set(). Returns the GSI or -1. */
int irq_msi_alloc(struct irq_router *r, int fd);
/* Point gsi at (addr, data); 0 or -errno. */
int irq_msi_set(struct irq_router *r, uint32_t gsi, uint64_t addr,
		uint32_t data);
/* Detach the irqfd and drop the route. */
void irq_msi_free(struct irq_router *r, uint32_t gsi, int fd);

#endif
