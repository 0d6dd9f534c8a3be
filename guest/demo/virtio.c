// SPDX-License-Identifier: MIT
/*
 * The virtio-pci modern transport and split virtqueues (virtio.h). The
 * device is an independent party: everything read back from it (queue
 * sizes, notify offsets, used ids and lengths) is checked before use.
 */
#include "virtio.h"

#include "arch.h"
#include "io.h"

#define CAP_TYPES	5	/* cfg_type 1..4 used; 0 unused */
#define CAP_WALK_MAX	48	/* a capability list longer than this loops */
#define RESET_SPINS	1000
#define CFG_TRIES	10

struct cap {
	bool found;
	uint8_t bar;
	uint64_t off, len;
};

/* Vendor capability at ptr: cfg_type, then bar, offset, length. The BAR
 * kinds are read once per BAR, so a capability naming an I/O BAR (QEMU's
 * optional PIO notify) can be passed over for a later memory one. */
static void read_cap(struct pci_loc l, uint8_t ptr, uint32_t hdr,
		     struct cap caps[CAP_TYPES], uint32_t *mult,
		     int32_t bar_lo[6])
{
	uint8_t type = hdr >> 24, caplen = hdr >> 16;
	uint8_t bar;

	if (type == 0 || type >= CAP_TYPES || caps[type].found || caplen < 16)
		return;
	if (type == VIRTIO_PCI_CAP_NOTIFY && caplen < 20)
		return;
	bar = pci_read32(l, ptr + 4) & 0xff;
	if (bar > 5)
		return;
	if (bar_lo[bar] == -1)
		bar_lo[bar] = pci_read32(l, PCI_BAR0 + 4 * bar) & 0x7fffffff;
	if (bar_lo[bar] & 1)
		return;		/* I/O space: this driver uses MMIO only */
	caps[type].bar = bar;
	caps[type].off = pci_read32(l, ptr + 8);
	caps[type].len = pci_read32(l, ptr + 12);
	if (type == VIRTIO_PCI_CAP_NOTIFY)
		*mult = pci_read32(l, ptr + 16);
	caps[type].found = true;
}

bool virtio_probe(struct vdev *v, struct pci_window *w,
		  const struct pci_fn *fns, int nfns, int i, const char **why)
{
	static const uint8_t needed[] = { VIRTIO_PCI_CAP_COMMON,
		VIRTIO_PCI_CAP_NOTIFY, VIRTIO_PCI_CAP_ISR, VIRTIO_PCI_CAP_DEVICE };
	struct pci_loc l = fns[i].loc;
	struct cap caps[CAP_TYPES] = { 0 };
	int32_t bar_lo[6] = { -1, -1, -1, -1, -1, -1 };
	volatile uint8_t *base[6] = { 0 };
	uint64_t need[6] = { 0 };
	uint8_t ptr;

	memset(v, 0, sizeof(*v));
	v->loc = l;
	if (fns[i].device >= VIRTIO_PCI_MODERN_BASE)
		v->type = fns[i].device - VIRTIO_PCI_MODERN_BASE;
	else
		v->type = pci_read16(l, PCI_SUBSYSTEM_ID);
	if (!(pci_read32(l, PCI_COMMAND) >> 16 & PCI_STATUS_CAP_LIST)) {
		*why = "no capability list (legacy-only device)";
		return false;
	}
	ptr = pci_read8(l, PCI_CAP_PTR) & 0xfc;
	for (int n = 0; ptr >= 0x40 && n < CAP_WALK_MAX; n++) {
		uint32_t hdr = pci_read32(l, ptr);

		if ((hdr & 0xff) == PCI_CAP_VENDOR)
			read_cap(l, ptr, hdr, caps, &v->notify_mult, bar_lo);
		ptr = (hdr >> 8) & 0xfc;
	}
	for (size_t k = 0; k < sizeof(needed); k++) {
		struct cap *c = &caps[needed[k]];

		if (!c->found) {
			*why = "missing a virtio 1.x capability";
			return false;
		}
		if (c->off + c->len > need[c->bar])
			need[c->bar] = c->off + c->len;
	}
	if (caps[VIRTIO_PCI_CAP_COMMON].len < VCC_MIN_LEN ||
	    caps[VIRTIO_PCI_CAP_NOTIFY].len < 2) {
		*why = "common or notify capability too short";
		return false;
	}
	for (int bar = 0; bar < 6; bar++)
		if (need[bar] && !(base[bar] = pci_bar_map(w, fns, nfns, l, bar,
							   need[bar], why)))
			return false;
	v->common = base[caps[VIRTIO_PCI_CAP_COMMON].bar] +
		    caps[VIRTIO_PCI_CAP_COMMON].off;
	v->notify = base[caps[VIRTIO_PCI_CAP_NOTIFY].bar] +
		    caps[VIRTIO_PCI_CAP_NOTIFY].off;
	v->notify_len = caps[VIRTIO_PCI_CAP_NOTIFY].len;
	v->isr = base[caps[VIRTIO_PCI_CAP_ISR].bar] + caps[VIRTIO_PCI_CAP_ISR].off;
	v->cfg = base[caps[VIRTIO_PCI_CAP_DEVICE].bar] +
		 caps[VIRTIO_PCI_CAP_DEVICE].off;
	v->cfg_len = caps[VIRTIO_PCI_CAP_DEVICE].len;
	pci_enable(l);
	return true;
}

bool virtio_reset(struct vdev *v)
{
	mmio_w8(v->common, VCC_STATUS, 0);
	v->live = false;
	for (int i = 0; i < RESET_SPINS; i++)
		if (mmio_r8(v->common, VCC_STATUS) == 0)
			return true;
	/* A device finishing requests on another thread may take a while. */
	for (int t = 0; t < TIMER_HZ; t++) {
		cpu_idle();
		if (mmio_r8(v->common, VCC_STATUS) == 0)
			return true;
	}
	return false;
}

static void add_status(struct vdev *v, uint8_t bits)
{
	mmio_w8(v->common, VCC_STATUS, mmio_r8(v->common, VCC_STATUS) | bits);
}

bool virtio_begin(struct vdev *v, uint64_t want, const char **why)
{
	uint64_t lo, hi;

	if (!virtio_reset(v)) {
		*why = "device status does not return to 0 after reset";
		return false;
	}
	add_status(v, VIRTIO_ACKNOWLEDGE);
	add_status(v, VIRTIO_DRIVER);
	mmio_w32(v->common, VCC_DFSELECT, 0);
	lo = mmio_r32(v->common, VCC_DF);
	mmio_w32(v->common, VCC_DFSELECT, 1);
	hi = mmio_r32(v->common, VCC_DF);
	v->offered = hi << 32 | lo;
	if (!(v->offered & BIT(VIRTIO_F_VERSION_1))) {
		*why = "device does not offer VIRTIO_F_VERSION_1";
		virtio_fail(v);
		return false;
	}
	v->features = v->offered & (want | BIT(VIRTIO_F_VERSION_1));
	mmio_w32(v->common, VCC_GFSELECT, 0);
	mmio_w32(v->common, VCC_GF, (uint32_t)v->features);
	mmio_w32(v->common, VCC_GFSELECT, 1);
	mmio_w32(v->common, VCC_GF, v->features >> 32);
	add_status(v, VIRTIO_FEATURES_OK);
	if (!(mmio_r8(v->common, VCC_STATUS) & VIRTIO_FEATURES_OK)) {
		*why = "device refused FEATURES_OK";
		virtio_fail(v);
		return false;
	}
	v->num_queues = mmio_r16(v->common, VCC_NUMQ);
	return true;
}

bool virtio_queue(struct vdev *v, struct vq *q, uint16_t index, void *page,
		  uint16_t max, const char **why)
{
	uint8_t *p = page;
	uint16_t devmax, size = 1;
	uint64_t noff;

	memset(q, 0, sizeof(*q));
	if (index >= v->num_queues) {
		*why = "device has too few queues";
		return false;
	}
	mmio_w16(v->common, VCC_Q_SELECT, index);
	devmax = mmio_r16(v->common, VCC_Q_SIZE);
	if (devmax == 0) {
		*why = "queue not available";
		return false;
	}
	if (max > VQ_MAX)
		max = VQ_MAX;
	while (size * 2 <= devmax && size * 2 <= max)
		size *= 2;	/* split rings must be a power of two */
	noff = (uint64_t)mmio_r16(v->common, VCC_Q_NOFF) * v->notify_mult;
	if (noff + 2 > v->notify_len) {
		*why = "queue_notify_off points outside the notify capability";
		return false;
	}
	memset(p, 0, VQ_PAGE);
	q->index = index;
	q->size = size;
	q->desc = (struct vring_desc *)p;
	q->avail = (struct vring_avail *)(p + 16 * size);
	q->used = (struct vring_used *)(p + ((16 * size + 6 + 2 * size + 3) & ~3));
	q->notify = v->notify + noff;
	for (uint16_t i = 0; i < size; i++)
		q->next[i] = i + 1;
	q->num_free = size;
	/* We poll; a device that interrupts anyway finds the line masked. */
	q->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	mmio_w16(v->common, VCC_Q_SIZE, size);
	mmio_w64(v->common, VCC_Q_DESC, (uintptr_t)q->desc);
	mmio_w64(v->common, VCC_Q_AVAIL, (uintptr_t)q->avail);
	mmio_w64(v->common, VCC_Q_USED, (uintptr_t)q->used);
	mmio_w16(v->common, VCC_Q_ENABLE, 1);
	return true;
}

void virtio_driver_ok(struct vdev *v)
{
	add_status(v, VIRTIO_DRIVER_OK);
	v->live = true;
}

void virtio_fail(struct vdev *v)
{
	add_status(v, VIRTIO_FAILED);
	v->live = false;
}

uint8_t virtio_cfg8(struct vdev *v, uint32_t off)
{
	return off < v->cfg_len ? mmio_r8(v->cfg, off) : 0;
}

void virtio_cfg_w8(struct vdev *v, uint32_t off, uint8_t val)
{
	if (off < v->cfg_len)
		mmio_w8(v->cfg, off, val);
}

/* Multi-access reads are retried while config_generation moves (4.1.4.3). */
uint32_t virtio_cfg32(struct vdev *v, uint32_t off)
{
	uint32_t val = 0;

	if (off + 4 > v->cfg_len)
		return 0;
	for (int i = 0; i < CFG_TRIES; i++) {
		uint8_t gen = mmio_r8(v->common, VCC_CFGGEN);

		val = mmio_r32(v->cfg, off);
		if (mmio_r8(v->common, VCC_CFGGEN) == gen)
			break;
	}
	return val;
}

uint64_t virtio_cfg64(struct vdev *v, uint32_t off)
{
	uint64_t val = 0;

	if (off + 8 > v->cfg_len)
		return 0;
	for (int i = 0; i < CFG_TRIES; i++) {
		uint8_t gen = mmio_r8(v->common, VCC_CFGGEN);

		val = mmio_r32(v->cfg, off) |
		      (uint64_t)mmio_r32(v->cfg, off + 4) << 32;
		if (mmio_r8(v->common, VCC_CFGGEN) == gen)
			break;
	}
	return val;
}

bool vq_add(struct vq *q, const struct vbuf *out, int nout,
	    const struct vbuf *in, int nin, void *cookie)
{
	int n = nout + nin;
	uint16_t head = q->free_head, i = head;

	if (!q->size || q->broken || n == 0 || n > q->num_free)
		return false;
	for (int k = 0; k < n; k++) {
		const struct vbuf *b = k < nout ? &out[k] : &in[k - nout];

		q->desc[i].addr = (uintptr_t)b->addr;
		q->desc[i].len = b->len;
		q->desc[i].flags = (k >= nout ? VRING_DESC_F_WRITE : 0) |
				   (k < n - 1 ? VRING_DESC_F_NEXT : 0);
		q->desc[i].next = k < n - 1 ? q->next[i] : 0;
		i = q->next[i];
	}
	q->free_head = i;
	q->num_free -= n;
	q->count[head] = n;
	q->cookie[head] = cookie;
	q->avail->ring[q->avail_idx & (q->size - 1)] = head;
	virtio_wmb();	/* the descriptors and the ring slot before the index */
	q->avail_idx++;
	*(volatile uint16_t *)&q->avail->idx = q->avail_idx;
	return true;
}

void vq_kick(struct vq *q)
{
	if (q->size)
		mmio_w16(q->notify, 0, q->index);
}

void *vq_get(struct vq *q, uint32_t *len)
{
	uint16_t idx, id, last;
	volatile struct vring_used_elem *e;
	uint32_t raw;
	void *cookie;

	if (!q->size || q->broken)
		return NULL;
	idx = *(volatile uint16_t *)&q->used->idx;
	if (idx == q->last_used)
		return NULL;
	if ((uint16_t)(idx - q->last_used) > q->size) {
		q->broken = true;	/* more completions than buffers */
		return NULL;
	}
	virtio_rmb();	/* the index before the entry it covers */
	e = &q->used->ring[q->last_used & (q->size - 1)];
	raw = e->id;
	id = raw < q->size ? raw : q->size;
	if (len)
		*len = e->len;
	if (id == q->size || q->count[id] == 0) {
		q->broken = true;	/* not a chain we gave it */
		return NULL;
	}
	q->last_used++;
	last = id;
	for (int k = 1; k < q->count[id]; k++)
		last = q->next[last];
	q->next[last] = q->free_head;
	q->free_head = id;
	q->num_free += q->count[id];
	q->count[id] = 0;
	cookie = q->cookie[id];
	q->cookie[id] = NULL;
	return cookie;
}
