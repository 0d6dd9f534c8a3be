// SPDX-License-Identifier: MIT
#include "irq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

static int commit(struct irq_router *r)
{
	struct kvm_irq_routing *t;
	int ret;

	t = malloc(sizeof(*t) + r->nr * sizeof(t->entries[0]));
	if (!t)
		return -ENOMEM;
	t->nr = r->nr;
	t->flags = 0;
	memcpy(t->entries, r->e, r->nr * sizeof(t->entries[0]));
	ret = ioctl(r->vm_fd, KVM_SET_GSI_ROUTING, t) < 0 ? -errno : 0;
	free(t);
	return ret;
}

static void add_chip(struct irq_router *r, uint32_t gsi, uint32_t chip,
		     uint32_t pin)
{
	r->e[r->nr++] = (struct kvm_irq_routing_entry){
		.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
		.u.irqchip = { .irqchip = chip, .pin = pin },
	};
}

int irq_router_init(struct irq_router *r, int vm_fd)
{
	memset(r, 0, sizeof(*r));
	r->vm_fd = vm_fd;
	r->next_gsi = IRQ_FIRST_MSI_GSI;
	pthread_mutex_init(&r->lock, NULL);
	/* ISA IRQs on both PICs; IOAPIC pins 1:1, except that IRQ 0 (the
	 * PIT) arrives on pin 2, as the MADT's interrupt source override says. */
	for (uint32_t i = 0; i < 16; i++)
		if (i != 2)
			add_chip(r, i, i < 8 ? KVM_IRQCHIP_PIC_MASTER :
					       KVM_IRQCHIP_PIC_SLAVE, i % 8);
	for (uint32_t i = 0; i < 24; i++)
		if (i != 2)
			add_chip(r, i, KVM_IRQCHIP_IOAPIC, i == 0 ? 2 : i);
	return commit(r);
}

void irq_router_destroy(struct irq_router *r)
{
	pthread_mutex_destroy(&r->lock);
}

static int find(struct irq_router *r, uint32_t gsi)
{
	for (uint32_t i = 0; i < r->nr; i++)
		if (r->e[i].gsi == gsi && r->e[i].type == KVM_IRQ_ROUTING_MSI)
			return i;
	return -1;
}

int irq_msi_alloc(struct irq_router *r, int fd)
{
	struct kvm_irqfd irqfd = { .fd = fd };
	uint32_t gsi;
	int ret = -1;

	pthread_mutex_lock(&r->lock);
	if (r->nr == IRQ_MAX_ROUTES)
		goto out;
	gsi = r->next_gsi++;
	/* An MSI to address 0 goes nowhere useful; KVM needs a route to
	 * exist before the irqfd can bind to the GSI. */
	r->e[r->nr++] = (struct kvm_irq_routing_entry){
		.gsi = gsi, .type = KVM_IRQ_ROUTING_MSI,
		.u.msi = { .address_lo = 0xfee00000, .data = 0 },
	};
	if (commit(r)) {
		r->nr--;
		goto out;
	}
	irqfd.gsi = gsi;
	if (ioctl(r->vm_fd, KVM_IRQFD, &irqfd) < 0)
		goto out;
	ret = gsi;
out:
	pthread_mutex_unlock(&r->lock);
	return ret;
}

int irq_msi_set(struct irq_router *r, uint32_t gsi, uint64_t addr,
		uint32_t data)
{
	int i, ret = -EINVAL;

	pthread_mutex_lock(&r->lock);
	i = find(r, gsi);
	if (i >= 0) {
		r->e[i].u.msi.address_lo = (uint32_t)addr;
		r->e[i].u.msi.address_hi = addr >> 32;
		r->e[i].u.msi.data = data;
		ret = commit(r);
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

void irq_msi_free(struct irq_router *r, uint32_t gsi, int fd)
{
	struct kvm_irqfd irqfd = { .fd = fd, .gsi = gsi,
				   .flags = KVM_IRQFD_FLAG_DEASSIGN };
	int i;

	pthread_mutex_lock(&r->lock);
	ioctl(r->vm_fd, KVM_IRQFD, &irqfd);
	i = find(r, gsi);
	if (i >= 0) {
		r->e[i] = r->e[--r->nr];
		commit(r);
	}
	pthread_mutex_unlock(&r->lock);
}
