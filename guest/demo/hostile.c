// SPDX-License-Identifier: MIT
/*
 * `hostile SEED ROUNDS`: the guest as an attacker of its monitor's virtio
 * devices. Each round resets every device, negotiates random features,
 * configures every queue with odd sizes and ring addresses, fills the
 * rings with malicious descriptor chains (loops, next out of range,
 * addresses outside RAM or in MMIO or the framebuffer, lengths of 0 and
 * 0xffffffff, wrong directions, garbage indirect tables) and available
 * indices far ahead, and notifies. Afterwards every device is reset and
 * set up properly again. All of it follows from SEED.
 *
 * The one rule it keeps is for its own sake: a device-writable buffer is
 * either inside the scratch area, or somewhere no RAM is (far above it,
 * in the unbacked hole below 4 GiB, or straddling the PCI hole with a
 * length of 3 GiB or more), or the framebuffer's last row. A correct
 * device writes nothing but scratch; the guest survives the rest only if
 * the device refuses it, which is the point.
 */
#include "demo.h"

#include "arch.h"
#include "io.h"
#include "layout.h"
#include "serial.h"

#define SCRATCH_DATA	(HOSTILE_SCRATCH / 2)	/* buffers; tables above */
#define HUGE_WRITE	0xc0000000u	/* crosses the PCI hole from low RAM */
#define FAR		(1ULL << 48)	/* above any guest-physical address */
#define QMAX_LAYOUT	1024		/* HOSTILE_RING holds this many */
#define PLANTED		8		/* plausible requests per queue */

struct rng {
	uint64_t s;
};

/* xorshift64*: small, and the same sequence on every machine. */
static uint64_t rnd(struct rng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static bool chance(struct rng *r, unsigned one_in)
{
	return below(r, one_in) == 0;
}

struct attack {
	struct demo *d;
	struct rng r;
	struct vdev *v;
	uint8_t *scratch;
	uint16_t q;		/* the queue being filled */
	uint32_t n;		/* its size as the ring is laid out */
};

/* Addresses no RAM is at: writes there must be refused by the device. */
static uint64_t nowhere(struct attack *a)
{
	static const uint64_t bases[] = {
		FAR, 0x00007ff000000000ULL, 1ULL << 52, 0x0000010000000000ULL,
		0xfffffffffffff000ULL, CRASH_ADDR,
	};

	return bases[below(&a->r, sizeof(bases) / sizeof(bases[0]))] +
	       below(&a->r, 4096);
}

/* Addresses a device may read but should not (MMIO, our own image). */
static uint64_t readable_odd(struct attack *a)
{
	switch (below(&a->r, 5)) {
	case 0:
		return LAYOUT_LAPIC + below(&a->r, 0x1000);
	case 1:
		return LAYOUT_IOAPIC + below(&a->r, 0x100);
	case 2:
		return (uintptr_t)a->v->common + below(&a->r, 0x40);
	case 3:
		return LAYOUT_KERNEL_START + below(&a->r, 0x10000);
	default:
		return 0;
	}
}

/* In the lower half: devices may write there, never on the tables above. */
static void scratch_buf(struct attack *a, uint64_t *addr, uint32_t *len)
{
	uint32_t off = below(&a->r, SCRATCH_DATA);

	*addr = (uintptr_t)a->scratch + off;
	*len = below(&a->r, SCRATCH_DATA - off + 1);
}

/* A buffer for one descriptor, obeying the rule above when writable. */
static void buffer(struct attack *a, bool writable, uint64_t *addr,
		   uint32_t *len)
{
	const struct fb *fb = &a->d->fb;

	switch (below(&a->r, 8)) {
	case 0:
	case 1:
	case 2:
		scratch_buf(a, addr, len);
		return;
	case 3:		/* nothing there */
		*addr = nowhere(a);
		*len = rnd(&a->r);
		return;
	case 4:		/* huge: runs off the end of RAM */
		*addr = (uintptr_t)a->scratch + below(&a->r, 64);
		*len = writable ? HUGE_WRITE + below(&a->r, 1u << 30)
				: (uint32_t[]){ 0xffffffff, 0x80000000,
						0x10000000, 0x1000000 }
				  [below(&a->r, 4)];
		return;
	case 5:		/* the framebuffer: its last row, or anywhere to read */
		if (fb->base && writable) {
			*addr = (uintptr_t)fb->base +
				(uint64_t)(fb->height - 1) * fb->stride;
			*len = below(&a->r, fb->width * 4 + 1);
		} else if (fb->base) {
			*addr = (uintptr_t)fb->base +
				below(&a->r, (uint64_t)fb->height * fb->stride);
			*len = rnd(&a->r);
		} else {
			*addr = writable ? nowhere(a) : LAYOUT_FB_START;
			*len = below(&a->r, 0x10000);
		}
		return;
	case 6:		/* MMIO and other memory that is not the device's */
		*addr = writable ? CRASH_ADDR + below(&a->r, 1 << 20)
				 : readable_odd(a);
		*len = below(&a->r, 0x2000);
		return;
	default:	/* empty */
		*addr = (uintptr_t)a->scratch + below(&a->r, HOSTILE_SCRATCH);
		*len = 0;
		return;
	}
}

static void descriptor(struct attack *a, struct vring_desc *t, uint32_t n,
		       uint32_t i, int depth);

/* An indirect table in the upper scratch: garbage, or chains of its own
 * (nested indirection included), behind an odd length now and then. */
static void indirect(struct attack *a, struct vring_desc *x, int depth)
{
	uint32_t entries = 1 + below(&a->r, 32);
	uint32_t off = SCRATCH_DATA + 16 * below(&a->r, (SCRATCH_DATA / 16) - 32);
	struct vring_desc *t = (struct vring_desc *)(a->scratch + off);
	static const uint32_t odd_len[] = { 0, 1, 15, 17, 0xffffffff, 0x100000 };

	for (uint32_t k = 0; k < entries; k++) {
		if (chance(&a->r, 3)) {
			/* Garbage, but far away when it says "write". */
			t[k].addr = rnd(&a->r) | FAR;
			t[k].len = rnd(&a->r);
			t[k].flags = rnd(&a->r);
			t[k].next = rnd(&a->r);
		} else {
			descriptor(a, t, entries, k, depth + 1);
		}
	}
	x->addr = (uintptr_t)t;
	x->len = chance(&a->r, 4) ? odd_len[below(&a->r, 6)] : entries * 16;
	x->flags = VRING_DESC_F_INDIRECT;
	if (chance(&a->r, 4))
		x->flags |= VRING_DESC_F_NEXT;	/* forbidden with INDIRECT */
	if (chance(&a->r, 4))
		x->flags |= VRING_DESC_F_WRITE;	/* must be ignored */
	x->next = below(&a->r, a->n + 2);
}

static void descriptor(struct attack *a, struct vring_desc *t, uint32_t n,
		       uint32_t i, int depth)
{
	struct vring_desc *x = &t[i];
	uint16_t flags = chance(&a->r, 2) ? VRING_DESC_F_WRITE : 0;
	uint64_t addr;
	uint32_t len;

	switch (below(&a->r, 9)) {
	case 0:		/* ends here */
		x->next = 0;
		break;
	case 1:		/* onward to anywhere: loops happen */
		flags |= VRING_DESC_F_NEXT;
		x->next = below(&a->r, n);
		break;
	case 2:		/* onto itself */
		flags |= VRING_DESC_F_NEXT;
		x->next = i;
		break;
	case 3:		/* out of range */
		flags |= VRING_DESC_F_NEXT;
		x->next = n + below(&a->r, 0x10000 - (n < 0x10000 ? n : 0));
		break;
	case 4:		/* onward to the next: a long chain, a ring of them */
		flags |= VRING_DESC_F_NEXT;
		x->next = (i + 1) % n;
		break;
	case 5:
		if (depth < 2) {
			indirect(a, x, depth);
			return;
		}
		x->next = 0;
		break;
	case 6:		/* garbage flags (WRITE decides the buffer below) */
		flags = rnd(&a->r);
		x->next = rnd(&a->r);
		break;
	default:	/* writable, then readable: the wrong order */
		flags = VRING_DESC_F_WRITE | VRING_DESC_F_NEXT;
		x->next = (i + 1) % n;
		break;
	}
	buffer(a, flags & VRING_DESC_F_WRITE, &addr, &len);
	x->addr = addr;
	x->len = len;
	x->flags = flags;
}

/* Does the device write into this queue's buffers (a receive queue)? */
static bool device_writes(const struct vdev *v, uint16_t q)
{
	if (v->type == VIRTIO_ID_INPUT)
		return q == 0;
	if (v->type == VIRTIO_ID_CONSOLE)
		return q % 2 == 0;
	return false;
}

/* Something close to a real request, so parsing goes past the chain:
 * a block request with odd types and sectors, a console control message
 * with odd ids, or a receive buffer of an odd size. */
static void plant(struct attack *a, struct vring_desc *t)
{
	uint32_t i = below(&a->r, a->n), j = (i + 1) % a->n, k = (i + 2) % a->n;
	uint8_t *msg = a->scratch + below(&a->r, SCRATCH_DATA - 64);
	static const uint32_t types[] = { 0, 1, 4, 8, 11, 13, 0xffffffff };

	if (device_writes(a->v, a->q)) {
		t[i] = (struct vring_desc){ (uintptr_t)msg, below(&a->r, 16),
					    VRING_DESC_F_WRITE, 0 };
		return;
	}
	if (a->v->type == VIRTIO_ID_BLOCK) {
		uint32_t *hdr = (uint32_t *)msg;
		uint64_t sector = chance(&a->r, 2) ? below(&a->r, 1 << 16)
						   : rnd(&a->r);

		hdr[0] = chance(&a->r, 4) ? rnd(&a->r) : types[below(&a->r, 7)];
		hdr[1] = 0;
		memcpy(msg + 8, &sector, 8);
		t[i] = (struct vring_desc){ (uintptr_t)msg,
			chance(&a->r, 4) ? below(&a->r, 16) : 16,
			VRING_DESC_F_NEXT, j };
		scratch_buf(a, &t[j].addr, &t[j].len);
		t[j].len = chance(&a->r, 2) ? 512 * (1 + below(&a->r, 8))
					    : t[j].len;
		if ((uintptr_t)t[j].addr + t[j].len >
		    (uintptr_t)a->scratch + SCRATCH_DATA)
			t[j].len = 1;
		t[j].flags = VRING_DESC_F_NEXT |
			     (chance(&a->r, 2) ? VRING_DESC_F_WRITE : 0);
		t[j].next = k;
		t[k] = (struct vring_desc){ (uintptr_t)msg + 32,
			chance(&a->r, 4) ? 0 : 1,
			chance(&a->r, 8) ? 0 : VRING_DESC_F_WRITE, 0 };
		return;
	}
	/* Console transmit and control, input status: bytes to read. */
	for (int b = 0; b < 64; b++)
		msg[b] = rnd(&a->r);
	if (a->v->type == VIRTIO_ID_CONSOLE && a->q == 3) {
		uint32_t id = below(&a->r, 8);

		memcpy(msg, &id, 4);
		msg[4] = below(&a->r, 9);
		msg[5] = 0;
	}
	t[i] = (struct vring_desc){ (uintptr_t)msg, below(&a->r, 64), 0, 0 };
}

/*
 * Where this round puts a queue's rings, and how big it says it is. Each
 * ring area has fixed places for the three parts (room for 1024 entries),
 * so the used ring a device writes never lands on a descriptor table:
 * every descriptor in the area, whichever queue wrote it, obeys the rule.
 */
#define AREA_AVAIL	(16 * QMAX_LAYOUT)
#define AREA_USED	(AREA_AVAIL + 4096)

struct rings {
	uint64_t desc, avail, used;
	uint32_t size;		/* written to queue_size */
	uint32_t n;		/* entries as laid out in our memory (0: none) */
	uint8_t skew;		/* misaligned by this much */
};

static uint32_t pick_size(struct attack *a, uint16_t max)
{
	uint32_t p = 1;

	switch (below(&a->r, 20)) {
	case 0:
		return 0;
	case 1:
		return max * 2u <= QMAX_LAYOUT ? max * 2u : 0xffff;
	case 2:
		return 1 + below(&a->r, max < 256 ? max : 256);	/* not a power of 2 */
	case 3:
		return max <= QMAX_LAYOUT ? max : QMAX_LAYOUT;
	default:
		while (p * 2 <= max && p * 2 <= 256 && chance(&a->r, 4) == 0)
			p *= 2;
		return p;
	}
}

static void lay_out(struct attack *a, struct rings *g, uint16_t max)
{
	uint8_t *area = a->d->vio.hostile.rings[a->q % HOSTILE_RINGS];
	const struct fb *fb = &a->d->fb;

	g->size = pick_size(a, max);
	g->n = g->size < 1 ? 1 : g->size > QMAX_LAYOUT ? QMAX_LAYOUT : g->size;
	g->desc = (uintptr_t)area;
	g->avail = (uintptr_t)area + AREA_AVAIL;
	g->used = (uintptr_t)area + AREA_USED;
	g->skew = 0;
	switch (below(&a->r, 16)) {
	case 0:		/* the device writes its used ring over what it reads
			 * from the available ring (never over descriptors:
			 * those it would then follow into our memory) */
		g->avail = g->used;
		break;
	case 1:		/* misaligned (filled aligned, then shifted) */
		g->skew = 1 + below(&a->r, 7);
		break;
	case 2:		/* descriptors nowhere */
		g->desc = nowhere(a);
		break;
	case 3:		/* available ring in MMIO */
		g->avail = readable_odd(a);
		break;
	case 4:		/* used ring nowhere, or on the screen's last row */
		g->used = nowhere(a);
		if (fb->base && 8 + 8 * g->n <= fb->width * 4)
			g->used = (uintptr_t)fb->base +
				  (uint64_t)(fb->height - 1) * fb->stride;
		break;
	}
}

static bool ours(uint64_t addr, const struct attack *a)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)addr;
	const uint8_t *lo = a->d->vio.hostile.rings[0];

	return p >= lo && p < lo + sizeof(a->d->vio.hostile.rings);
}

/* Move a filled part up by the skew (bytes: no misaligned typed stores). */
static void skew(uint64_t *part, size_t size, uint8_t by)
{
	memmove((uint8_t *)(uintptr_t)*part + by, (void *)(uintptr_t)*part,
		size);
	*part += by;
}

static void fill_queue(struct attack *a, struct rings *g)
{
	struct vring_desc *t = (struct vring_desc *)(uintptr_t)g->desc;
	struct vring_avail *av = (struct vring_avail *)(uintptr_t)g->avail;
	uint8_t *u = (uint8_t *)(uintptr_t)g->used;
	size_t used_size = 8 + 8 * g->n, avail_size = 6 + 2 * g->n;

	a->n = g->n;
	if (ours(g->desc, a)) {
		for (uint32_t i = 0; i < g->n; i++)
			descriptor(a, t, g->n, i, 0);
		for (int k = 0; k < PLANTED; k++)
			plant(a, t);
	}
	if (ours(g->used, a))
		for (size_t i = 0; i < used_size; i++)
			u[i] = rnd(&a->r);	/* devices must not read it */
	if (ours(g->avail, a)) {
		av->flags = chance(&a->r, 2) ? VRING_AVAIL_F_NO_INTERRUPT
					     : rnd(&a->r);
		for (uint32_t i = 0; i <= g->n; i++)	/* ring + used_event */
			av->ring[i] = chance(&a->r, 4) ? rnd(&a->r)
						       : below(&a->r, g->n);
		av->idx = 1 + below(&a->r, g->n);
	}
	if (g->skew) {
		skew(&g->desc, 16 * g->n, g->skew);
		skew(&g->avail, avail_size, g->skew);
		skew(&g->used, used_size, g->skew);
	}
	virtio_wmb();
}

/* Later in the round: the index leaps far ahead of the ring. */
static void leap(struct attack *a, const struct rings *g)
{
	struct vring_avail *av = (struct vring_avail *)(uintptr_t)g->avail;
	static const uint16_t far[] = { 0x8000, 0xffff, 0x7fff };

	uint16_t idx;

	if (!ours(g->avail, a))
		return;
	memcpy(&idx, (uint8_t *)av + 2, 2);	/* may be misaligned */
	idx = chance(&a->r, 2) ? idx + g->n + 1 + below(&a->r, 0x1000)
			       : far[below(&a->r, 3)];
	memcpy((uint8_t *)av + 2, &idx, 2);
}

static void notify(struct vdev *v, uint16_t q)
{
	uint64_t off;

	mmio_w16(v->common, VCC_Q_SELECT, q);
	off = (uint64_t)mmio_r16(v->common, VCC_Q_NOFF) * v->notify_mult;
	if (off + 2 <= v->notify_len)
		mmio_w16(v->notify, off, q);
}

/* Registers abused directly: queues that do not exist, odd selectors,
 * stray device-config writes. */
static void abuse_transport(struct attack *a)
{
	struct vdev *v = a->v;
	uint16_t q = chance(&a->r, 2) ? v->num_queues + below(&a->r, 64) : 0xffff;

	mmio_w16(v->common, VCC_Q_SELECT, q);
	mmio_w16(v->common, VCC_Q_SIZE, rnd(&a->r));
	mmio_w64(v->common, VCC_Q_DESC, nowhere(a));
	mmio_w16(v->common, VCC_Q_ENABLE, 1);
	mmio_w16(v->notify, 0, q);
	mmio_w32(v->common, VCC_DFSELECT, rnd(&a->r));
	(void)mmio_r32(v->common, VCC_DF);
	mmio_w32(v->common, VCC_GFSELECT, rnd(&a->r));
	mmio_w32(v->common, VCC_GF, rnd(&a->r));
	for (int i = 0; i < 4 && v->cfg_len; i++)
		mmio_w8(v->cfg, below(&a->r, v->cfg_len), rnd(&a->r));
}

#define MAX_ATTACKED_QUEUES 128

static void round_for(struct attack *a, struct rings *g)
{
	struct vdev *v = a->v;
	uint64_t want = rnd(&a->r);
	uint16_t nq;

	if (!virtio_reset(v))
		return;
	mmio_w8(v->common, VCC_STATUS, VIRTIO_ACKNOWLEDGE | VIRTIO_DRIVER);
	mmio_w32(v->common, VCC_DFSELECT, 0);
	v->offered = mmio_r32(v->common, VCC_DF);
	mmio_w32(v->common, VCC_DFSELECT, 1);
	v->offered |= (uint64_t)mmio_r32(v->common, VCC_DF) << 32;
	if (!chance(&a->r, 8))
		want |= BIT(VIRTIO_F_VERSION_1);
	want &= v->offered;
	mmio_w32(v->common, VCC_GFSELECT, 0);
	mmio_w32(v->common, VCC_GF, (uint32_t)want);
	mmio_w32(v->common, VCC_GFSELECT, 1);
	mmio_w32(v->common, VCC_GF, want >> 32);
	mmio_w8(v->common, VCC_STATUS,
		VIRTIO_ACKNOWLEDGE | VIRTIO_DRIVER | VIRTIO_FEATURES_OK);
	nq = mmio_r16(v->common, VCC_NUMQ);
	if (nq > MAX_ATTACKED_QUEUES)
		nq = MAX_ATTACKED_QUEUES;
	for (uint16_t q = 0; q < nq; q++) {
		uint16_t max;

		g[q].n = 0;
		mmio_w16(v->common, VCC_Q_SELECT, q);
		max = mmio_r16(v->common, VCC_Q_SIZE);
		if (!max)
			continue;
		a->q = q;
		lay_out(a, &g[q], max);
		fill_queue(a, &g[q]);
		mmio_w16(v->common, VCC_Q_SELECT, q);
		mmio_w16(v->common, VCC_Q_SIZE, g[q].size);
		mmio_w64(v->common, VCC_Q_DESC, g[q].desc);
		mmio_w64(v->common, VCC_Q_AVAIL, g[q].avail);
		mmio_w64(v->common, VCC_Q_USED, g[q].used);
		if (!chance(&a->r, 10))
			mmio_w16(v->common, VCC_Q_ENABLE, 1);
	}
	if (!chance(&a->r, 10))
		mmio_w8(v->common, VCC_STATUS, mmio_r8(v->common, VCC_STATUS) |
			VIRTIO_DRIVER_OK);
	for (uint16_t q = 0; q < nq; q++) {
		if (!g[q].n)
			continue;
		a->q = q;
		notify(v, q);
		if (chance(&a->r, 3)) {
			leap(a, &g[q]);
			notify(v, q);
		}
	}
	if (chance(&a->r, 4))
		abuse_transport(a);
}

/* Every device back to working order, as at boot. */
static void recover(struct demo *d)
{
	struct vio *v = &d->vio;
	const char *why = NULL;

	for (int i = 0; i < v->nin; i++)
		if (!vinput_setup(d, &v->in[i], &why))
			vio_report(v->in[i].dev, why);
	if (v->blk.dev && !vblk_setup(d, &v->blk, &why))
		vio_report(v->blk.dev, why);
	if (v->con.dev) {
		if (vcon_setup(d, &v->con, &why))
			vcon_wait_agent(d);
		else
			vio_report(v->con.dev, why);
	}
	/* What devices may have written on the screen's last row. */
	if (d->fb.base)
		fb_fill(&d->fb, (struct rect){ 0, d->fb.height - 1,
					       d->fb.width, 1 },
			DEMO_COLOR_DESKTOP);
}

const char *hostile_command(struct demo *d, const char *args, size_t n,
			    struct line *msg)
{
	struct rings g[MAX_ATTACKED_QUEUES];
	const char *p = args, *end = args + n, *w;
	struct attack a = { .d = d };
	uint64_t seed, rounds;
	size_t len;

	len = next_word(&p, end, &w);
	if (!parse_u64(w, len, 10, &seed))
		return "usage: hostile SEED ROUNDS";
	len = next_word(&p, end, &w);
	if (!parse_u64(w, len, 10, &rounds) || next_word(&p, end, &w) ||
	    rounds < 1 || rounds > DEMO_HOSTILE_MAX_ROUNDS)
		return "usage: hostile SEED ROUNDS (1..1000)";
	if (!d->vio.ndev)
		return "no virtio device";
	a.r.s = seed ^ 0x9e3779b97f4a7c15ULL;	/* never the stuck state 0 */
	a.scratch = d->vio.hostile.scratch;
	for (uint64_t r = 0; r < rounds; r++) {
		for (int i = 0; i < d->vio.ndev; i++) {
			a.v = &d->vio.dev[i];
			round_for(&a, g);
		}
		cpu_idle();	/* the devices' threads get a tick to choke */
	}
	for (int i = 0; i < d->vio.ndev; i++)
		virtio_reset(&d->vio.dev[i]);
	recover(d);
	line_init(msg);
	return NULL;
}
