/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM as seen from the monitor. RAM is at most two host mappings: the
 * part below LAYOUT_LOW_RAM_MAX at GPA 0, and the rest at 4 GiB. Every access
 * to guest memory from host code goes through guest_mem_ptr(), which checks
 * that the whole range lies in RAM, because addresses come from the guest or
 * from files and are hostile.
 */
#ifndef PORTHOLE_VMM_GUEST_MEM_H
#define PORTHOLE_VMM_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

struct guest_mem {
	uint8_t *lo;       /* host address of GPA 0 */
	uint64_t lo_size;  /* bytes at GPA 0 */
	uint8_t *hi;       /* host address of GPA 4 GiB, or NULL */
	uint64_t hi_size;  /* bytes at GPA 4 GiB */
};

/* Host pointer for [gpa, gpa+len) if it lies entirely in one RAM region. */
void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len);

/* Total RAM in bytes. */
static inline uint64_t guest_mem_total(const struct guest_mem *m)
{
	return m->lo_size + m->hi_size;
}

/* Allocate RAM of `size` bytes split per layout.h; 0 or -errno. */
int guest_mem_alloc(struct guest_mem *m, uint64_t size);
void guest_mem_free(struct guest_mem *m);

#endif
