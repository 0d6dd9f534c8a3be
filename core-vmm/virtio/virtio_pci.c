// SPDX-License-Identifier: MIT
#include "virtio_pci.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define BAR_SIZE        0x8000
#define OFF_COMMON      0x0000
#define OFF_ISR         0x1000
#define OFF_DEVICE      0x2000
#define OFF_NOTIFY      0x3000
#define OFF_MSIX_TABLE  0x4000
#define OFF_MSIX_PBA    0x5000
#define NOTIFY_MULT     4
#define COMMON_SIZE     0x38

#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR    3
#define CAP_DEVICE 4

#define MSIX_CTRL_ENABLE   0x8000
#define MSIX_CTRL_MASKALL  0x4000
#define MSIX_ENTRY_MASKED  1

/* --- MSI-X --------------------------------------------------------- */

static uint16_t msix_control(const struct virtio_pci *vp)
{
	return pci_cfg16(&vp->pci, vp->msix_cap + 2);
}

/* Caller holds vp->lock. */
static void msix_fire_locked(struct virtio_pci *vp, uint16_t v)
{
	uint16_t ctl = msix_control(vp);
	uint64_t one = 1;

	if (v >= vp->nvec)
		return;
	if (!(ctl & MSIX_CTRL_ENABLE))
		return; /* no INTx here: polling drivers read the ISR */
	if ((ctl & MSIX_CTRL_MASKALL) || (vp->msix[v].ctrl & MSIX_ENTRY_MASKED) ||
	    vp->irq_fd[v] < 0) {
		vp->msix_pending |= 1ULL << v;
		return;
	}
	(void)!write(vp->irq_fd[v], &one, sizeof(one));
}

static void msix_fire(struct virtio_pci *vp, uint16_t v, uint8_t isr)
{
	pthread_mutex_lock(&vp->lock);
	vp->isr |= isr;
	msix_fire_locked(vp, v);
	pthread_mutex_unlock(&vp->lock);
}

/* Pending vectors that are now deliverable go out. */
static void msix_unmasked(struct virtio_pci *vp)
{
	for (uint16_t v = 0; v < vp->nvec; v++) {
		if (!(vp->msix_pending & (1ULL << v)))
			continue;
		vp->msix_pending &= ~(1ULL << v);
		msix_fire_locked(vp, v);
	}
}

static void msix_route(struct virtio_pci *vp, uint16_t v)
{
	const struct virtio_msix *e = &vp->msix[v];

	if (vp->gsi[v] >= 0)
		irq_msi_set(vp->env.irq, vp->gsi[v],
			    (uint64_t)e->addr_hi << 32 | e->addr_lo, e->data);
}

static void msix_table_rw(struct virtio_pci *vp, uint64_t off, uint8_t *data,
			  int size, bool is_write)
{
	uint16_t v = off / 16;
	uint32_t field = off % 16;
	uint32_t *regs;

	if (v >= vp->nvec || size != 4 || field % 4) {
		if (!is_write)
			memset(data, 0, size);
		return;
	}
	regs = &vp->msix[v].addr_lo;
	if (!is_write) {
		memcpy(data, &regs[field / 4], 4);
		return;
	}
	memcpy(&regs[field / 4], data, 4);
	if (field == 12)
		msix_unmasked(vp);
	else
		msix_route(vp, v);
}

/* Called by pci.c after the guest wrote our config space. */
static void cfg_written(void *owner, uint32_t off, int size)
{
	struct virtio_pci *vp = owner;

	if (off <= vp->msix_cap + 3u && off + size > vp->msix_cap + 2u) {
		pthread_mutex_lock(&vp->lock);
		msix_unmasked(vp);
		pthread_mutex_unlock(&vp->lock);
	}
}

static void signal_queue(void *opaque, struct virtq *vq)
{
	msix_fire(opaque, vq->msix_vector, 1);
}

void virtio_pci_config_changed(struct virtio_pci *vp)
{
	pthread_mutex_lock(&vp->lock);
	vp->config_gen++;
	vp->isr |= 2;
	msix_fire_locked(vp, vp->msix_config);
	pthread_mutex_unlock(&vp->lock);
}

/* --- notifications ------------------------------------------------- */

static void on_notify(void *arg)
{
	struct virtio_notify_ctx *n = arg;
	struct virtio_pci *vp = n->vp;
	uint64_t cnt;

	(void)!read(vp->notify_fd[n->queue], &cnt, sizeof(cnt));
	vp->ops->notify(vp->dev, &vp->vq[n->queue]);
}

void virtio_pci_kick(struct virtio_pci *vp, uint16_t queue)
{
	uint64_t one = 1;

	if (queue < vp->ops->num_queues)
		(void)!write(vp->notify_fd[queue], &one, sizeof(one));
}

static void set_ioeventfds(struct virtio_pci *vp, uint64_t base, int assign)
{
	for (uint16_t q = 0; q < vp->ops->num_queues; q++) {
		struct kvm_ioeventfd io = {
			.addr = base + OFF_NOTIFY + q * NOTIFY_MULT,
			.len = 2, /* drivers write the queue index as le16 */
			.fd = vp->notify_fd[q],
			.flags = assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN,
		};
		ioctl(vp->env.vm_fd, KVM_IOEVENTFD, &io);
	}
}

static void bar_moved(void *owner, int bar, uint64_t old, uint64_t now)
{
	struct virtio_pci *vp = owner;

	if (bar != 0)
		return;
	if (old)
		set_ioeventfds(vp, old, 0);
	if (now)
		set_ioeventfds(vp, now, 1);
	vp->ioeventfd_base = now;
}

/* --- common configuration ------------------------------------------ */

static void reset_locked(struct virtio_pci *vp)
{
	for (uint16_t q = 0; q < vp->ops->num_queues; q++)
		vq_reset(&vp->vq[q]);
	vp->ops->reset(vp->dev);
	vp->status = 0;
	vp->driver_features = 0;
	vp->dfselect = vp->gfselect = 0;
	vp->queue_select = 0;
	vp->msix_config = VIRTIO_NO_VECTOR;
	vp->isr = 0;
}

static uint64_t offered(const struct virtio_pci *vp)
{
	return vp->ops->features | VIRTIO_F_VERSION_1;
}

static void write_status(struct virtio_pci *vp, uint8_t v)
{
	if (v == 0) {
		reset_locked(vp);
		return;
	}
	if ((v & VIRTIO_STATUS_FEATURES_OK) &&
	    !(vp->status & VIRTIO_STATUS_FEATURES_OK)) {
		/* Refuse features we did not offer, and legacy drivers. */
		if ((vp->driver_features & ~offered(vp)) ||
		    !(vp->driver_features & VIRTIO_F_VERSION_1))
			v &= ~VIRTIO_STATUS_FEATURES_OK;
	}
	if ((v & VIRTIO_STATUS_DRIVER_OK) &&
	    !(vp->status & VIRTIO_STATUS_DRIVER_OK)) {
		vp->status = v;
		vp->ops->start(vp->dev, vp->driver_features);
		return;
	}
	vp->status = v;
}

static struct virtq *selected(struct virtio_pci *vp)
{
	return vp->queue_select < vp->ops->num_queues ?
	       &vp->vq[vp->queue_select] : NULL;
}

static uint64_t read_common(struct virtio_pci *vp, uint32_t off)
{
	struct virtq *q = selected(vp);

	switch (off) {
	case 0x00: return vp->dfselect;
	case 0x04: return vp->dfselect < 2 ? offered(vp) >> (32 * vp->dfselect) : 0;
	case 0x08: return vp->gfselect;
	case 0x0c: return vp->gfselect < 2 ? (uint32_t)(vp->driver_features >> (32 * vp->gfselect)) : 0;
	case 0x10: return vp->msix_config;
	case 0x12: return vp->ops->num_queues;
	case 0x14: return vp->status;
	case 0x15: return vp->config_gen;
	case 0x16: return vp->queue_select;
	case 0x18: return q ? q->size : 0;
	case 0x1a: return q ? q->msix_vector : VIRTIO_NO_VECTOR;
	case 0x1c: return q ? q->enabled : 0;
	case 0x1e: return q ? vp->queue_select : 0;
	case 0x20: return q ? (uint32_t)q->desc_gpa : 0;
	case 0x24: return q ? q->desc_gpa >> 32 : 0;
	case 0x28: return q ? (uint32_t)q->avail_gpa : 0;
	case 0x2c: return q ? q->avail_gpa >> 32 : 0;
	case 0x30: return q ? (uint32_t)q->used_gpa : 0;
	case 0x34: return q ? q->used_gpa >> 32 : 0;
	}
	return 0;
}

static void set_half(uint64_t *v, int hi, uint32_t val)
{
	*v = hi ? (*v & 0xffffffffULL) | (uint64_t)val << 32
		: (*v & ~0xffffffffULL) | val;
}

static void write_queue(struct virtio_pci *vp, struct virtq *q, uint32_t off,
			uint32_t val)
{
	if (off == 0x1a) {
		q->msix_vector = val < vp->nvec ? val : VIRTIO_NO_VECTOR;
		return;
	}
	if (q->enabled)
		return; /* the rest is fixed once the queue runs */
	switch (off) {
	case 0x18: q->size = val; break;
	case 0x1c:
		if (val == 1 && vq_enable(q)) {
			/* Rings outside RAM: tell the driver to start over. */
			vp->status |= VIRTIO_STATUS_NEEDS_RESET;
			vp->config_gen++;
		}
		break;
	case 0x20: case 0x24: set_half(&q->desc_gpa, off == 0x24, val); break;
	case 0x28: case 0x2c: set_half(&q->avail_gpa, off == 0x2c, val); break;
	case 0x30: case 0x34: set_half(&q->used_gpa, off == 0x34, val); break;
	}
}

static void write_common(struct virtio_pci *vp, uint32_t off, uint32_t val)
{
	struct virtq *q = selected(vp);

	switch (off) {
	case 0x00: vp->dfselect = val; break;
	case 0x08: vp->gfselect = val; break;
	case 0x0c:
		if (vp->gfselect < 2 &&
		    !(vp->status & VIRTIO_STATUS_FEATURES_OK)) {
			uint64_t f = vp->driver_features;
			set_half(&f, vp->gfselect, val);
			vp->driver_features = f;
		}
		break;
	case 0x10: vp->msix_config = val < vp->nvec ? val : VIRTIO_NO_VECTOR; break;
	case 0x14: write_status(vp, val); break;
	case 0x16: vp->queue_select = val; break;
	default:
		if (q && off >= 0x18)
			write_queue(vp, q, off, val);
		break;
	}
}

/* Fields are 1, 2 or 4 bytes wide; 64-bit ones are accessed in halves. */
static int field_size(uint32_t off)
{
	if (off == 0x14 || off == 0x15)
		return 1;
	if (off >= 0x10 && off < 0x20)
		return 2;
	return 4;
}

static void common_rw(struct virtio_pci *vp, uint32_t off, uint8_t *data,
		      int size, bool is_write)
{
	uint32_t val = 0;

	if (off >= COMMON_SIZE || size != field_size(off) || off % size) {
		if (!is_write)
			memset(data, 0, size);
		return; /* not a register access a driver makes */
	}
	if (is_write) {
		memcpy(&val, data, size);
		write_common(vp, off, val);
	} else {
		val = read_common(vp, off);
		memcpy(data, &val, size);
	}
}

static void bar_rw(void *dev, int id, uint64_t off, uint8_t *data, int size,
		   bool is_write)
{
	struct virtio_pci *vp = dev;

	if (id != 0)
		return;
	if (off >= OFF_NOTIFY &&
	    off < OFF_NOTIFY + NOTIFY_MULT * (uint64_t)vp->ops->num_queues) {
		/* Only when no ioeventfd caught it (e.g. another width). */
		if (is_write)
			virtio_pci_kick(vp, (off - OFF_NOTIFY) / NOTIFY_MULT);
		else
			memset(data, 0, size);
		return;
	}
	pthread_mutex_lock(&vp->lock);
	if (off < OFF_ISR) {
		common_rw(vp, off, data, size, is_write);
	} else if (off < OFF_DEVICE) {
		if (!is_write) {
			memset(data, 0, size);
			if (off == OFF_ISR) {
				data[0] = vp->isr; /* read clears */
				vp->isr = 0;
			}
		}
	} else if (off < OFF_NOTIFY) {
		uint32_t o = off - OFF_DEVICE;
		if (o + size <= vp->ops->config_size)
			vp->ops->config_rw(vp->dev, o, data, size, is_write);
		else if (!is_write)
			memset(data, 0, size);
	} else if (off >= OFF_MSIX_TABLE && off < OFF_MSIX_PBA) {
		msix_table_rw(vp, off - OFF_MSIX_TABLE, data, size, is_write);
	} else if (!is_write) {
		uint64_t pba = off >= OFF_MSIX_PBA && off < OFF_MSIX_PBA + 8 ?
			       vp->msix_pending >> (8 * (off - OFF_MSIX_PBA)) : 0;
		memset(data, 0, size);
		memcpy(data, &pba, size < 8 ? size : 8);
	}
	pthread_mutex_unlock(&vp->lock);
}

/* --- setup ---------------------------------------------------------- */

static void add_vcap(struct virtio_pci *vp, uint8_t type, uint32_t off,
		     uint32_t len, int notify)
{
	uint8_t body[18] = { 0 };
	uint32_t mult = NOTIFY_MULT;

	body[0] = notify ? 20 : 16;    /* cap_len */
	body[1] = type;
	body[2] = 0;                   /* BAR 0 */
	memcpy(body + 6, &off, 4);
	memcpy(body + 10, &len, 4);
	if (notify)
		memcpy(body + 14, &mult, 4);
	pci_add_cap(&vp->pci, PCI_CAP_ID_VENDOR, body, notify ? 18 : 14, NULL);
}

static void add_msix_cap(struct virtio_pci *vp)
{
	uint8_t body[10] = { 0 }, wmask[10] = { 0 };
	uint16_t ctl = vp->nvec - 1;
	uint32_t table = OFF_MSIX_TABLE, pba = OFF_MSIX_PBA;

	memcpy(body, &ctl, 2);
	memcpy(body + 2, &table, 4);
	memcpy(body + 6, &pba, 4);
	wmask[1] = 0xc0; /* enable, function mask */
	vp->msix_cap = pci_add_cap(&vp->pci, PCI_CAP_ID_MSIX, body, 10, wmask);
}

int virtio_pci_init(struct virtio_pci *vp, const struct virtio_device_ops *ops,
		    void *dev, const struct virtio_env *env, char *err,
		    size_t errlen)
{
	uint16_t nq = ops->num_queues;

	memset(vp, 0, sizeof(*vp));
	for (int i = 0; i < VIRTIO_MAX_QUEUES; i++)
		vp->notify_fd[i] = -1;
	for (int i = 0; i < VIRTIO_MSIX_MAX; i++) {
		vp->irq_fd[i] = -1;
		vp->gsi[i] = -1;
	}
	if (nq == 0 || nq > VIRTIO_MAX_QUEUES) {
		snprintf(err, errlen, "virtio %s: %u queues is out of range",
			 ops->name, nq);
		return -1;
	}
	vp->ops = ops;
	vp->dev = dev;
	vp->env = *env;
	vp->nvec = nq + 1;
	vp->msix_config = VIRTIO_NO_VECTOR;
	pthread_mutex_init(&vp->lock, NULL);

	for (uint16_t q = 0; q < nq; q++) {
		vq_init(&vp->vq[q], env->mem, q, ops->queue_size, signal_queue, vp);
		vp->notify_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		vp->nctx[q] = (struct virtio_notify_ctx){ vp, q };
		if (vp->notify_fd[q] < 0 ||
		    iothread_add(env->io, vp->notify_fd[q], on_notify, &vp->nctx[q]))
			goto fail;
	}
	for (uint16_t v = 0; v < vp->nvec; v++) {
		vp->msix[v].ctrl = MSIX_ENTRY_MASKED;
		vp->irq_fd[v] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vp->irq_fd[v] < 0)
			goto fail;
		if (env->irq) {
			vp->gsi[v] = irq_msi_alloc(env->irq, vp->irq_fd[v]);
			if (vp->gsi[v] < 0)
				goto fail;
		}
	}

	pci_device_init(&vp->pci, 0x1af4, 0x1040 + ops->device_id,
			ops->pci_class, 0x1af4, 0x1100, 1);
	vp->pci.owner = vp;
	vp->pci.bar_fn = bar_rw;
	vp->pci.cfg_written = cfg_written;
	vp->pci.bar_moved = bar_moved;
	pci_add_bar(&vp->pci, 0, BAR_SIZE, 0);
	add_vcap(vp, CAP_COMMON, OFF_COMMON, COMMON_SIZE, 0);
	add_vcap(vp, CAP_ISR, OFF_ISR, 1, 0);
	if (ops->config_size)
		add_vcap(vp, CAP_DEVICE, OFF_DEVICE, ops->config_size, 0);
	add_vcap(vp, CAP_NOTIFY, OFF_NOTIFY, NOTIFY_MULT * nq, 1);
	add_msix_cap(vp);
	if (pci_register(env->bus, &vp->pci, err, errlen))
		goto fail_quiet;
	return 0;
fail:
	snprintf(err, errlen, "virtio %s: cannot set up eventfds or interrupt routes: %s",
		 ops->name, strerror(errno));
fail_quiet:
	virtio_pci_destroy(vp);
	return -1;
}

void virtio_pci_destroy(struct virtio_pci *vp)
{
	if (!vp->ops)
		return;
	if (vp->ioeventfd_base)
		set_ioeventfds(vp, vp->ioeventfd_base, 0);
	for (uint16_t v = 0; v < vp->nvec; v++) {
		if (vp->gsi[v] >= 0)
			irq_msi_free(vp->env.irq, vp->gsi[v], vp->irq_fd[v]);
		if (vp->irq_fd[v] >= 0)
			close(vp->irq_fd[v]);
	}
	for (uint16_t q = 0; q < vp->ops->num_queues; q++) {
		vq_destroy(&vp->vq[q]);
		if (vp->notify_fd[q] >= 0)
			close(vp->notify_fd[q]);
	}
	pthread_mutex_destroy(&vp->lock);
	vp->ops = NULL;
}

uint64_t virtio_pci_features(struct virtio_pci *vp)
{
	uint64_t f;

	pthread_mutex_lock(&vp->lock);
	f = vp->status & VIRTIO_STATUS_FEATURES_OK ? vp->driver_features : 0;
	pthread_mutex_unlock(&vp->lock);
	return f;
}
