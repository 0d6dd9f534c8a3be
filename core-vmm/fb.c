// SPDX-License-Identifier: MIT
#include "fb.h"
#include "layout.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

uint32_t fb_stride_for(uint32_t width)
{
	uint32_t bytes = width * 4;

	return (bytes + 4095) & ~4095u;
}

int fb_parse_size(const char *s, uint32_t *w, uint32_t *h, char *err,
		  size_t errlen)
{
	unsigned long ww, hh;
	char *end;

	errno = 0;
	ww = strtoul(s, &end, 10);
	if (errno || end == s || (*end != 'x' && *end != 'X'))
		goto bad;
	s = end + 1;
	hh = strtoul(s, &end, 10);
	if (errno || end == s || *end)
		goto bad;
	if (ww < FB_MIN_WIDTH || hh < FB_MIN_HEIGHT || ww > FB_MAX_DIM ||
	    hh > FB_MAX_DIM) {
		snprintf(err, errlen,
			 "framebuffer %lux%lu is out of range: width and height must be %u..%u and %u..%u",
			 ww, hh, FB_MIN_WIDTH, FB_MAX_DIM, FB_MIN_HEIGHT,
			 FB_MAX_DIM);
		return -1;
	}
	*w = ww;
	*h = hh;
	return 0;
bad:
	snprintf(err, errlen,
		 "framebuffer size '%s' is not WIDTHxHEIGHT (e.g. 1920x1080)", s);
	return -1;
}

int fb_create(struct vmm_fb *fb, int vm_fd, int slot, uint32_t width,
	      uint32_t height, char *err, size_t errlen)
{
	struct kvm_userspace_memory_region region;
	size_t words;

	memset(fb, 0, sizeof(*fb));
	fb->memfd = -1;
	fb->vm_fd = vm_fd;
	fb->slot = slot;
	fb->width = width;
	fb->height = height;
	fb->stride = fb_stride_for(width);
	fb->gpa = LAYOUT_FB_START;
	fb->size = (uint64_t)fb->stride * height;
	if (fb->size > LAYOUT_FB_MAX_SIZE) {
		snprintf(err, errlen, "framebuffer %ux%u needs %llu MiB, more than the %llu MiB window",
			 width, height, (unsigned long long)fb->size >> 20,
			 LAYOUT_FB_MAX_SIZE >> 20);
		return -1;
	}

	fb->memfd = memfd_create("porthole-fb", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fb->memfd < 0 || ftruncate(fb->memfd, fb->size) < 0) {
		snprintf(err, errlen, "cannot create the framebuffer memory: %s",
			 strerror(errno));
		goto fail;
	}
	/* A display that maps this fd can rely on its size. */
	fcntl(fb->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
	fb->pixels = mmap(NULL, fb->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			  fb->memfd, 0);
	if (fb->pixels == MAP_FAILED) {
		fb->pixels = NULL;
		snprintf(err, errlen, "cannot map the framebuffer: %s",
			 strerror(errno));
		goto fail;
	}
	if (damage_init(&fb->damage, width, height, fb->stride)) {
		snprintf(err, errlen, "out of memory for the damage tracker");
		goto fail;
	}
	words = (fb->damage.npages + 63) / 64;
	fb->bitmap = calloc(words, sizeof(uint64_t));
	if (!fb->bitmap) {
		snprintf(err, errlen, "out of memory for the dirty bitmap");
		goto fail;
	}
	region = (struct kvm_userspace_memory_region){
		.slot = slot,
		.flags = KVM_MEM_LOG_DIRTY_PAGES,
		.guest_phys_addr = fb->gpa,
		.memory_size = fb->size,
		.userspace_addr = (uintptr_t)fb->pixels,
	};
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		snprintf(err, errlen, "KVM refused the framebuffer slot: %s",
			 strerror(errno));
		goto fail;
	}
	return 0;
fail:
	fb_destroy(fb);
	return -1;
}

void fb_destroy(struct vmm_fb *fb)
{
	damage_destroy(&fb->damage);
	free(fb->bitmap);
	fb->bitmap = NULL;
	if (fb->pixels)
		munmap(fb->pixels, fb->size);
	fb->pixels = NULL;
	if (fb->memfd >= 0)
		close(fb->memfd);
	fb->memfd = -1;
}

int fb_damage(struct vmm_fb *fb, struct fb_rect *out, int max)
{
	struct kvm_dirty_log log = {
		.slot = fb->slot,
		.dirty_bitmap = fb->bitmap,
	};

	/* KVM fills the whole bitmap and re-protects what was dirty. */
	if (ioctl(fb->vm_fd, KVM_GET_DIRTY_LOG, &log) < 0)
		return -errno;
	return damage_from_bitmap(&fb->damage, fb->bitmap, out, max);
}
