// SPDX-License-Identifier: MIT
#include "guest_mem.h"
#include "layout.h"

#include <errno.h>
#include <sys/mman.h>

void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	if (gpa <= m->lo_size && len <= m->lo_size - gpa)
		return m->lo + gpa;
	if (m->hi && gpa >= LAYOUT_HIGH_RAM_START) {
		uint64_t off = gpa - LAYOUT_HIGH_RAM_START;
		if (off <= m->hi_size && len <= m->hi_size - off)
			return m->hi + off;
	}
	return NULL;
}

static void *map_anon(uint64_t size)
{
	/* NORESERVE: guest RAM is touched lazily; untouched pages cost nothing. */
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* Transparent huge pages cut KVM's page-table work for big guests. */
	madvise(p, size, MADV_HUGEPAGE);
	return p;
}

int guest_mem_alloc(struct guest_mem *m, uint64_t size)
{
	*m = (struct guest_mem){0};
	m->lo_size = size < LAYOUT_LOW_RAM_MAX ? size : LAYOUT_LOW_RAM_MAX;
	m->hi_size = size - m->lo_size;
	m->lo = map_anon(m->lo_size);
	if (!m->lo)
		return -errno;
	if (m->hi_size) {
		m->hi = map_anon(m->hi_size);
		if (!m->hi) {
			int err = -errno;
			munmap(m->lo, m->lo_size);
			*m = (struct guest_mem){0};
			return err;
		}
	}
	return 0;
}

void guest_mem_free(struct guest_mem *m)
{
	if (m->lo)
		munmap(m->lo, m->lo_size);
	if (m->hi)
		munmap(m->hi, m->hi_size);
	*m = (struct guest_mem){0};
}
