// SPDX-License-Identifier: MIT
#include "elf_pvh.h"
#include "e820.h"
#include "../layout.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define HVM_START_MAGIC          0x336ec578u

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries, reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info v1");
_Static_assert(sizeof(struct hvm_memmap_entry) == 24, "hvm_memmap_table_entry");

/* Fields of Elf32/Elf64 headers, widened, so one walker serves both. */
struct phdr {
	uint32_t type;
	uint64_t offset, paddr, filesz, memsz;
};

static int in_file(size_t len, uint64_t off, uint64_t size)
{
	return off <= len && size <= len - off;
}

static int read_phdr(const uint8_t *buf, size_t len, int is64, uint64_t phoff,
		     unsigned i, struct phdr *ph)
{
	if (is64) {
		Elf64_Phdr p;
		if (!in_file(len, phoff + (uint64_t)i * sizeof(p), sizeof(p)))
			return -1;
		memcpy(&p, buf + phoff + (uint64_t)i * sizeof(p), sizeof(p));
		*ph = (struct phdr){ p.p_type, p.p_offset, p.p_paddr,
				     p.p_filesz, p.p_memsz };
	} else {
		Elf32_Phdr p;
		if (!in_file(len, phoff + (uint64_t)i * sizeof(p), sizeof(p)))
			return -1;
		memcpy(&p, buf + phoff + (uint64_t)i * sizeof(p), sizeof(p));
		*ph = (struct phdr){ p.p_type, p.p_offset, p.p_paddr,
				     p.p_filesz, p.p_memsz };
	}
	return 0;
}

/* Look through one PT_NOTE segment for Xen's PHYS32_ENTRY. */
static int find_pvh_note(const uint8_t *buf, size_t len,
			 const struct phdr *ph, uint64_t *entry)
{
	uint64_t off = ph->offset, end;

	if (!in_file(len, ph->offset, ph->filesz))
		return -1;
	end = ph->offset + ph->filesz;
	while (end - off >= 12) {
		uint32_t namesz, descsz, type;
		uint64_t name_off, desc_off, next;

		memcpy(&namesz, buf + off, 4);
		memcpy(&descsz, buf + off + 4, 4);
		memcpy(&type, buf + off + 8, 4);
		name_off = off + 12;
		desc_off = name_off + (((uint64_t)namesz + 3) & ~3ULL);
		next = desc_off + (((uint64_t)descsz + 3) & ~3ULL);
		if (next > end)
			return -1;
		if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4 &&
		    !memcmp(buf + name_off, "Xen", 4) &&
		    (descsz == 4 || descsz == 8)) {
			uint32_t e32;
			memcpy(&e32, buf + desc_off, 4);
			*entry = e32;
			return 1;
		}
		off = next;
	}
	return 0;
}

int elf_pvh_parse(const uint8_t *buf, size_t len, struct elf_pvh_info *info,
		  char *err, size_t errlen)
{
	uint64_t phoff;
	unsigned phnum, phentsize;
	int is64, found = 0;

	memset(info, 0, sizeof(*info));
	if (len < EI_NIDENT || memcmp(buf, ELFMAG, SELFMAG)) {
		snprintf(err, errlen, "not an ELF file");
		return -1;
	}
	is64 = buf[EI_CLASS] == ELFCLASS64;
	if ((!is64 && buf[EI_CLASS] != ELFCLASS32) || buf[EI_DATA] != ELFDATA2LSB) {
		snprintf(err, errlen, "ELF file is not little-endian 32- or 64-bit");
		return -1;
	}
	if (is64) {
		Elf64_Ehdr eh;
		if (len < sizeof(eh))
			goto truncated;
		memcpy(&eh, buf, sizeof(eh));
		if (eh.e_machine != EM_X86_64 || eh.e_type != ET_EXEC)
			goto wrong_arch;
		phoff = eh.e_phoff; phnum = eh.e_phnum; phentsize = eh.e_phentsize;
		if (phentsize != sizeof(Elf64_Phdr))
			goto truncated;
	} else {
		Elf32_Ehdr eh;
		if (len < sizeof(eh))
			goto truncated;
		memcpy(&eh, buf, sizeof(eh));
		if ((eh.e_machine != EM_386 && eh.e_machine != EM_X86_64) ||
		    eh.e_type != ET_EXEC)
			goto wrong_arch;
		phoff = eh.e_phoff; phnum = eh.e_phnum; phentsize = eh.e_phentsize;
		if (phentsize != sizeof(Elf32_Phdr))
			goto truncated;
	}
	for (unsigned i = 0; i < phnum; i++) {
		struct phdr ph;
		int r;

		if (read_phdr(buf, len, is64, phoff, i, &ph))
			goto truncated;
		if (ph.type == PT_NOTE && !found) {
			r = find_pvh_note(buf, len, &ph, &info->entry);
			if (r < 0)
				goto truncated;
			found = r;
		}
		if (ph.type != PT_LOAD || ph.memsz == 0)
			continue;
		if (!in_file(len, ph.offset, ph.filesz) || ph.filesz > ph.memsz ||
		    ph.paddr + ph.memsz < ph.paddr)
			goto truncated;
		if (info->nseg == ELF_PVH_MAX_SEGMENTS) {
			snprintf(err, errlen, "ELF kernel has more than %d loadable segments",
				 ELF_PVH_MAX_SEGMENTS);
			return -1;
		}
		info->seg[info->nseg++] = (struct elf_pvh_segment){
			ph.offset, ph.paddr, ph.filesz, ph.memsz };
		if (ph.paddr + ph.memsz > info->end)
			info->end = ph.paddr + ph.memsz;
	}
	if (!found) {
		snprintf(err, errlen, "ELF kernel has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): build Linux with CONFIG_PVH=y, or boot its bzImage instead");
		return -1;
	}
	if (!info->nseg) {
		snprintf(err, errlen, "ELF kernel has nothing to load");
		return -1;
	}
	return 0;
truncated:
	snprintf(err, errlen, "ELF kernel is truncated or corrupt (program headers or notes point outside the file)");
	return -1;
wrong_arch:
	snprintf(err, errlen, "ELF file is not an x86 executable kernel");
	return -1;
}

static int put_initrd(struct guest_mem *mem, const struct boot_spec *spec,
		      uint64_t kernel_end, struct hvm_modlist_entry *mod,
		      char *err, size_t errlen)
{
	uint8_t *data, *dst;
	size_t size;
	uint64_t top = mem->lo_size, addr;

	if (loader_read_file(spec->initrd, mem->lo_size, &data, &size, err,
			     errlen))
		return -1;
	addr = size <= top ? (top - size) & ~0xfffULL : 0;
	if (size > top || addr < kernel_end ||
	    !(dst = guest_mem_ptr(mem, addr, size))) {
		snprintf(err, errlen, "initrd %s (%zu KiB) does not fit in guest RAM above the kernel: give the VM more --memory",
			 spec->initrd, size >> 10);
		free(data);
		return -1;
	}
	memcpy(dst, data, size);
	free(data);
	*mod = (struct hvm_modlist_entry){ .paddr = addr, .size = size };
	return 0;
}

static int put_start_info(struct guest_mem *mem, uint32_t nr_modules,
			  uint64_t rsdp_gpa, char *err, size_t errlen)
{
	struct e820_range map[16];
	int n = e820_build(mem, map, 16);
	struct hvm_start_info *si;
	struct hvm_memmap_entry *mm;
	uint64_t mm_gpa = LAYOUT_PVH_START_INFO + sizeof(*si) +
			  sizeof(struct hvm_modlist_entry);

	si = guest_mem_ptr(mem, LAYOUT_PVH_START_INFO, sizeof(*si));
	mm = guest_mem_ptr(mem, mm_gpa, n * sizeof(*mm));
	if (!si || !mm) {
		snprintf(err, errlen, "guest RAM too small for the boot tables");
		return -1;
	}
	for (int i = 0; i < n; i++)
		mm[i] = (struct hvm_memmap_entry){ map[i].addr, map[i].size,
						   map[i].type, 0 };
	*si = (struct hvm_start_info){
		.magic = HVM_START_MAGIC, .version = 1,
		.nr_modules = nr_modules,
		.modlist_paddr = nr_modules ? LAYOUT_PVH_START_INFO + sizeof(*si) : 0,
		.cmdline_paddr = LAYOUT_CMDLINE, .rsdp_paddr = rsdp_gpa,
		.memmap_paddr = mm_gpa, .memmap_entries = n,
	};
	return 0;
}

int elf_pvh_load(struct guest_mem *mem, const struct boot_spec *spec,
		 const uint8_t *img, size_t len, const struct elf_pvh_info *info,
		 uint64_t rsdp_gpa, struct boot_entry *entry,
		 char *err, size_t errlen)
{
	const char *cmdline = spec->cmdline ? spec->cmdline : "";
	size_t cmdlen = strlen(cmdline) + 1;
	struct hvm_modlist_entry mod;
	uint32_t nr_modules = 0;
	char *cmd;

	for (int i = 0; i < info->nseg; i++) {
		const struct elf_pvh_segment *s = &info->seg[i];
		uint8_t *dst = guest_mem_ptr(mem, s->paddr, s->memsz);

		/* Segments must not cover the boot tables below 1 MiB. */
		if (!dst || s->paddr < LAYOUT_KERNEL_START) {
			snprintf(err, errlen, "ELF segment at 0x%llx+0x%llx is outside guest RAM above 1 MiB: give the VM more --memory",
				 (unsigned long long)s->paddr,
				 (unsigned long long)s->memsz);
			return -1;
		}
		memcpy(dst, img + s->offset, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
	if (spec->initrd) {
		if (put_initrd(mem, spec, info->end, &mod, err, errlen))
			return -1;
		memcpy(guest_mem_ptr(mem, LAYOUT_PVH_START_INFO +
				     sizeof(struct hvm_start_info), sizeof(mod)),
		       &mod, sizeof(mod));
		nr_modules = 1;
	}
	cmd = guest_mem_ptr(mem, LAYOUT_CMDLINE, cmdlen);
	if (!cmd || cmdlen > LAYOUT_CMDLINE_MAX) {
		snprintf(err, errlen, "command line is longer than %llu bytes",
			 LAYOUT_CMDLINE_MAX - 1);
		return -1;
	}
	memcpy(cmd, cmdline, cmdlen);
	if (put_start_info(mem, nr_modules, rsdp_gpa, err, errlen))
		return -1;

	memset(entry, 0, sizeof(*entry));
	entry->rip = info->entry;
	entry->rbx = LAYOUT_PVH_START_INFO;
	entry->pvh = 1;
	return loader_write_gdt(mem, entry);
}
