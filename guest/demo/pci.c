// SPDX-License-Identifier: MIT
/*
 * PCI configuration mechanism #1 and memory BARs (pci.h). The monitor and
 * QEMU's firmware assign BARs before the guest starts; assigning here is
 * the fallback for a bus nobody set up, so that path favours being right
 * over being cheap.
 */
#include "pci.h"

#include "io.h"
#include "layout.h"

#define CONFIG_ADDRESS	0xcf8
#define CONFIG_DATA	0xcfc
#define CONFIG_ENABLE	0x80000000u

#define BAR_IO		0x1
#define BAR_TYPE_MASK	0x6
#define BAR_TYPE_64	0x4
#define BAR_ADDR_MASK	(~(uint64_t)0xf)

#define HEADER_MULTI	0x80
#define HEADER_LAYOUT	0x7f

/* porthole.pci=reassign-high places 64-bit BARs from here (inside QEMU's
 * 64-bit PCI hole for small guests, far above any test VM's RAM). */
#define HIGH_WINDOW_START	0x800000000ULL
#define HIGH_WINDOW_END		0x1000000000ULL

static uint32_t address(struct pci_loc l, uint8_t off)
{
	return CONFIG_ENABLE | (uint32_t)l.bus << 16 | (uint32_t)l.slot << 11 |
	       (uint32_t)l.func << 8 | (off & 0xfc);
}

uint32_t pci_read32(struct pci_loc l, uint8_t off)
{
	outl(CONFIG_ADDRESS, address(l, off));
	return inl(CONFIG_DATA);
}

/* Narrow reads take the same two port I/Os as a dword: read the dword. */
uint16_t pci_read16(struct pci_loc l, uint8_t off)
{
	return pci_read32(l, off) >> (8 * (off & 2));
}

uint8_t pci_read8(struct pci_loc l, uint8_t off)
{
	return pci_read32(l, off) >> (8 * (off & 3));
}

void pci_write32(struct pci_loc l, uint8_t off, uint32_t v)
{
	outl(CONFIG_ADDRESS, address(l, off));
	outl(CONFIG_DATA, v);
}

/* A real word write: a dword write at 0x04 would also hit the status
 * register, whose error bits are write-one-to-clear. */
void pci_write16(struct pci_loc l, uint8_t off, uint16_t v)
{
	outl(CONFIG_ADDRESS, address(l, off));
	outw(CONFIG_DATA + (off & 2), v);
}

/*
 * One vendor-ID read per slot; the header type only where something
 * answered. An empty bus (porthole-vmm without PCI) costs 32 reads.
 */
int pci_scan_bus0(struct pci_fn *out, int max)
{
	int n = 0;

	for (uint8_t slot = 0; slot < 32; slot++) {
		int funcs = 1;

		for (uint8_t fn = 0; fn < funcs; fn++) {
			struct pci_loc l = { 0, slot, fn };
			uint32_t id = pci_read32(l, PCI_VENDOR_ID);

			if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0) {
				if (fn == 0)
					break;
				continue;
			}
			if (fn == 0 && pci_read8(l, PCI_HEADER_TYPE) & HEADER_MULTI)
				funcs = 8;
			if (n < max)
				out[n++] = (struct pci_fn){ l, id & 0xffff, id >> 16 };
		}
	}
	return n;
}

void pci_loc_str(struct line *l, struct pci_loc loc)
{
	static const char hex[] = "0123456789abcdef";
	char s[7] = { hex[loc.bus >> 4], hex[loc.bus & 15], ':',
		      hex[loc.slot >> 4], hex[loc.slot & 15], '.',
		      hex[loc.func & 7] };

	line_mem(l, s, sizeof(s));
}

void pci_window_init(struct pci_window *w, bool reassign, bool high)
{
	memset(w, 0, sizeof(*w));
	w->next = LAYOUT_PCI_MMIO_START;
	w->end = LAYOUT_FB_START;
	if (high) {
		w->next64 = HIGH_WINDOW_START;
		w->end64 = HIGH_WINDOW_END;
	}
	w->reassign = reassign || high;
}

/* The BAR's size by the all-ones probe, with decoding off meanwhile so the
 * device never answers at the probe address; 0 if not implemented. */
static uint64_t bar_size(struct pci_loc l, uint8_t off, bool is64)
{
	uint16_t cmd = pci_read16(l, PCI_COMMAND);
	uint32_t lo = pci_read32(l, off), hi = 0, mlo, mhi = 0xffffffff;
	uint64_t mask;

	pci_write16(l, PCI_COMMAND, cmd & ~(PCI_COMMAND_MEMORY | PCI_COMMAND_IO));
	pci_write32(l, off, 0xffffffff);
	mlo = pci_read32(l, off);
	pci_write32(l, off, lo);
	if (is64) {
		hi = pci_read32(l, off + 4);
		pci_write32(l, off + 4, 0xffffffff);
		mhi = pci_read32(l, off + 4);
		pci_write32(l, off + 4, hi);
	}
	pci_write16(l, PCI_COMMAND, cmd);
	mask = (uint64_t)mhi << 32 | (mlo & BAR_ADDR_MASK);
	if (!(mlo & BAR_ADDR_MASK) && !(is64 && mhi))
		return 0;
	return ~mask + 1;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * Before the first assignment: move the window starts past every memory
 * BAR already decoded inside them, on every function of the bus (bridges
 * have two BARs, other headers six).
 */
static void skip_assigned(struct pci_window *w, const struct pci_fn *fns,
			  int nfns)
{
	for (int i = 0; i < nfns; i++) {
		struct pci_loc l = fns[i].loc;
		uint8_t layout = pci_read8(l, PCI_HEADER_TYPE) & HEADER_LAYOUT;
		int nbars = layout == 0 ? 6 : layout == 1 ? 2 : 0;

		for (int bar = 0; bar < nbars; bar++) {
			uint8_t off = PCI_BAR0 + 4 * bar;
			uint32_t lo = pci_read32(l, off);
			bool is64 = (lo & BAR_TYPE_MASK) == BAR_TYPE_64;
			uint64_t addr = lo & BAR_ADDR_MASK, size;

			if (lo & BAR_IO)
				continue;
			if (is64)
				addr |= (uint64_t)pci_read32(l, off + 4) << 32;
			if (addr && (size = bar_size(l, off, is64))) {
				if (overlaps(addr, size, w->next, w->end - w->next))
					w->next = addr + size;
				if (w->next64 && overlaps(addr, size, w->next64,
							  w->end64 - w->next64))
					w->next64 = addr + size;
			}
			bar += is64;
		}
	}
	w->scanned = true;
}

/* BARs are naturally aligned to their (power-of-two) size. */
static uint64_t take(uint64_t *next, uint64_t end, uint64_t size)
{
	uint64_t base = (*next + size - 1) & ~(size - 1);

	if (base < *next || base > end || end - base < size)
		return 0;
	*next = base + size;
	return base;
}

static uint64_t assign(struct pci_window *w, const struct pci_fn *fns,
		       int nfns, struct pci_loc l, uint8_t off, bool is64,
		       const char **why)
{
	uint64_t size = bar_size(l, off, is64), base = 0;

	if (!size || (size & (size - 1))) {
		*why = "BAR not implemented";
		return 0;
	}
	if (!w->scanned)
		skip_assigned(w, fns, nfns);
	if (is64 && w->next64)
		base = take(&w->next64, w->end64, size);
	else
		base = take(&w->next, w->end, size);
	if (!base) {
		*why = "no room for the BAR in the PCI window";
		return 0;
	}
	pci_write32(l, off, (uint32_t)base);
	if (is64)
		pci_write32(l, off + 4, base >> 32);
	return base;
}

volatile uint8_t *pci_bar_map(struct pci_window *w, const struct pci_fn *fns,
			      int nfns, struct pci_loc l, int bar,
			      uint64_t need, const char **why)
{
	uint8_t off = PCI_BAR0 + 4 * bar;
	uint32_t lo;
	bool is64;
	uint64_t addr;

	if (bar < 0 || bar > 5) {
		*why = "capability names no BAR";
		return NULL;
	}
	lo = pci_read32(l, off);
	if (lo & BAR_IO) {
		*why = "I/O BAR";
		return NULL;
	}
	is64 = (lo & BAR_TYPE_MASK) == BAR_TYPE_64;
	if (is64 && bar == 5) {
		*why = "64-bit BAR in the last slot";
		return NULL;
	}
	addr = lo & BAR_ADDR_MASK;
	if (is64)
		addr |= (uint64_t)pci_read32(l, off + 4) << 32;
	if (!addr || w->reassign) {
		addr = assign(w, fns, nfns, l, off, is64, why);
		if (!addr)
			return NULL;
	}
	if (!map_identity(addr, need)) {
		*why = "BAR above 512 GiB or out of page tables";
		return NULL;
	}
	return (volatile uint8_t *)(uintptr_t)addr;
}

void pci_enable(struct pci_loc l)
{
	uint16_t cmd = pci_read16(l, PCI_COMMAND);
	uint16_t want = cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			PCI_COMMAND_INTX_OFF;	/* we poll: no line interrupts */

	if (want != cmd)
		pci_write16(l, PCI_COMMAND, want);
}

/*
 * boot.S maps the low 4 GiB. Above that, one page directory of 2 MiB
 * pages per GiB touched, linked into boot.S's PDPT (which covers 512 GiB).
 * 2 MiB pages work on every x86-64 CPU, unlike 1 GiB ones. The PDPT
 * entries were not present, so no TLB can hold them: no flush is needed.
 * The pool is static because the page tables it extends are the CPU's,
 * not any one part's.
 */
#define PTE_P	0x01
#define PTE_RW	0x02
#define PTE_US	0x04
#define PTE_PWT	0x08
#define PTE_PCD	0x10
#define PTE_PS	0x80
#define GIB	(1ULL << 30)
#define PD_POOL	4

extern uint64_t boot_pdpt[512];

static uint64_t pd_pool[PD_POOL][512] __attribute__((aligned(4096)));
static int pd_used;

bool map_identity(uint64_t addr, uint64_t len)
{
	uint64_t first = addr / GIB, last;

	if (len == 0)
		len = 1;
	if (addr + len < addr || addr + len > 512 * GIB)
		return false;
	last = (addr + len - 1) / GIB;
	for (uint64_t g = first; g <= last; g++) {
		uint64_t *pd;

		if (boot_pdpt[g] & PTE_P)
			continue;
		if (pd_used == PD_POOL)
			return false;
		pd = pd_pool[pd_used++];
		for (uint64_t i = 0; i < 512; i++)
			pd[i] = (g * GIB + i * (2ULL << 20)) | PTE_P | PTE_RW |
				PTE_US | PTE_PS | PTE_PWT | PTE_PCD;
		__asm__ volatile("" : : : "memory");	/* entries before the link */
		*(volatile uint64_t *)&boot_pdpt[g] =
			(uintptr_t)pd | PTE_P | PTE_RW | PTE_US;
	}
	return true;
}
