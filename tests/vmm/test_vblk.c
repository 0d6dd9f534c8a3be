// SPDX-License-Identifier: MIT
/*
 * virtio-blk through a real split ring in guest memory, on a real image
 * file: reads, writes, flush, GET_ID; malformed requests (short header,
 * beyond capacity, overflow, odd length, no status byte, wrong direction,
 * bad chains) fail with an error status and harm nothing; host I/O errors
 * reach the guest; and vblk_open's refusals, each with its own message.
 */
#include "virtio/blk.h"
#include "vq_driver.h"

#include <fcntl.h>
#include <linux/virtio_blk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define IMG_SECTORS 2048              /* 1 MiB */
#define RING_GPA    0x10000
#define HDR_GPA     0x100000
#define DATA_GPA    0x110000
#define STATUS_GPA  0x200000
#define STATUS_INIT 0xee              /* "not written" */

static struct guest_mem mem;
static char dir[] = "/tmp/porthole-vblk-XXXXXX";

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 7 + off / 512);
}

static void make_image(const char *path, uint64_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	uint8_t *buf = malloc(size);

	CHECK(fd >= 0 && buf, "create %s", path);
	for (uint64_t i = 0; i < size; i++)
		buf[i] = pattern(i);
	CHECK(pwrite(fd, buf, size, 0) == (ssize_t)size, "fill");
	close(fd);
	free(buf);
}

static void put_hdr(uint32_t type, uint64_t sector)
{
	uint8_t *h = tq_ptr(&mem, HDR_GPA, 16);

	memset(h, 0, 16);
	memcpy(h, &type, 4);       /* little-endian host, as the guest */
	memcpy(h + 8, &sector, 8);
}

static uint8_t *status_byte(void)
{
	return tq_ptr(&mem, STATUS_GPA, 1);
}

/* Submit a chain, notify, and return its used length (the test aborts if
 * the device did not complete exactly that chain). */
static uint32_t run(struct vblk *b, struct tq *t, const struct tbuf *bufs,
		    int n)
{
	uint16_t head = tq_add(t, bufs, n), id;
	uint32_t len;

	*status_byte() = STATUS_INIT;
	vblk_ops.notify(b, t->vq);
	CHECK(tq_used(t, &id, &len), "request not completed");
	CHECK(id == head, "completed %u, not %u", id, head);
	CHECK(!tq_used(t, &id, &len), "extra completion");
	return len;
}

/* The usual layout: header, data, status. */
static uint8_t request(struct vblk *b, struct tq *t, uint32_t type,
		       uint64_t sector, uint32_t len, bool data_writable)
{
	struct tbuf bufs[3] = {
		{ HDR_GPA, 16, false },
		{ DATA_GPA, len, data_writable },
		{ STATUS_GPA, 1, true },
	};

	put_hdr(type, sector);
	if (len)
		run(b, t, bufs, 3);
	else
		run(b, t, (struct tbuf[]){ bufs[0], bufs[2] }, 2);
	return *status_byte();
}

static void test_io(struct vblk *b, struct tq *t, const char *img)
{
	uint8_t *data = tq_ptr(&mem, DATA_GPA, 65536);
	uint8_t file[4096];
	int fd;

	/* Read 4 KiB at sector 3. */
	memset(data, 0, 4096);
	CHECK(request(b, t, VIRTIO_BLK_T_IN, 3, 4096, true) == VIRTIO_BLK_S_OK,
	      "read status");
	for (int i = 0; i < 4096; i++)
		CHECK(data[i] == pattern(3 * 512 + i), "read byte %d", i);

	/* Write 8 KiB at sector 100, then the file has it. */
	for (int i = 0; i < 8192; i++)
		data[i] = (uint8_t)(i ^ 0x5a);
	CHECK(request(b, t, VIRTIO_BLK_T_OUT, 100, 8192, false) == VIRTIO_BLK_S_OK,
	      "write status");
	fd = open(img, O_RDONLY);
	CHECK(pread(fd, file, 4096, 100 * 512 + 4096) == 4096, "pread");
	close(fd);
	for (int i = 0; i < 4096; i++)
		CHECK(file[i] == (uint8_t)((i + 4096) ^ 0x5a), "written byte %d", i);

	/* Flush, GET_ID. */
	CHECK(request(b, t, VIRTIO_BLK_T_FLUSH, 0, 0, false) == VIRTIO_BLK_S_OK,
	      "flush status");
	CHECK(b->nr_flush == 1, "flushes %llu", (unsigned long long)b->nr_flush);
	memset(data, 0xff, 32);
	CHECK(request(b, t, VIRTIO_BLK_T_GET_ID, 0, 20, true) == VIRTIO_BLK_S_OK,
	      "get_id status");
	CHECK(!memcmp(data, "PH", 2) && data[20] == 0xff &&
	      !memcmp(data, b->serial, 18), "serial %.20s", (char *)data);

	/* The last sector reads; the next one does not. */
	CHECK(request(b, t, VIRTIO_BLK_T_IN, IMG_SECTORS - 1, 512, true) ==
	      VIRTIO_BLK_S_OK, "last sector");
	CHECK(request(b, t, VIRTIO_BLK_T_IN, IMG_SECTORS - 1, 1024, true) ==
	      VIRTIO_BLK_S_IOERR, "past the end");
}

/* Header in two pieces, data over several descriptors: the layout is the
 * driver's choice (VERSION_1 implies ANY_LAYOUT). */
static void test_layout(struct vblk *b, struct tq *t)
{
	uint8_t *data = tq_ptr(&mem, DATA_GPA, 65536);
	struct tbuf bufs[] = {
		{ HDR_GPA, 4, false }, { HDR_GPA + 4, 12, false },
		{ DATA_GPA, 512, true }, { DATA_GPA + 512, 0, true },
		{ DATA_GPA + 4096, 1024, true }, { STATUS_GPA, 1, true },
	};

	put_hdr(VIRTIO_BLK_T_IN, 10);
	CHECK(run(b, t, bufs, 6) == 1537, "used length");
	CHECK(*status_byte() == VIRTIO_BLK_S_OK, "split read");
	CHECK(data[0] == pattern(10 * 512) && data[511] == pattern(10 * 512 + 511) &&
	      data[4096] == pattern(11 * 512) &&
	      data[4096 + 1023] == pattern(12 * 512 + 511), "split data");

	/* Status and data share the last writable descriptor. */
	put_hdr(VIRTIO_BLK_T_IN, 0);
	CHECK(run(b, t, (struct tbuf[]){ { HDR_GPA, 16, false },
					 { STATUS_GPA - 512, 513, true } }, 2) == 513,
	      "combined");
	CHECK(*status_byte() == VIRTIO_BLK_S_OK, "combined status");
}

static void test_bad(struct vblk *b, struct tq *t)
{
	uint64_t before = b->nr_write;
	uint16_t id;
	uint32_t len;

	/* Short header. */
	put_hdr(VIRTIO_BLK_T_IN, 0);
	run(b, t, (struct tbuf[]){ { HDR_GPA, 8, false }, { STATUS_GPA, 1, true } }, 2);
	CHECK(*status_byte() == VIRTIO_BLK_S_IOERR, "short header");
	/* Beyond capacity, and a sector that would wrap the sum. */
	CHECK(request(b, t, VIRTIO_BLK_T_IN, IMG_SECTORS, 512, true) ==
	      VIRTIO_BLK_S_IOERR, "beyond");
	CHECK(request(b, t, VIRTIO_BLK_T_OUT, UINT64_MAX, 512, false) ==
	      VIRTIO_BLK_S_IOERR, "wrap");
	CHECK(request(b, t, VIRTIO_BLK_T_IN, UINT64_MAX / 512, 4096, true) ==
	      VIRTIO_BLK_S_IOERR, "wrap in bytes");
	/* Length not a multiple of 512. */
	CHECK(request(b, t, VIRTIO_BLK_T_IN, 0, 100, true) == VIRTIO_BLK_S_IOERR,
	      "odd length");
	CHECK(request(b, t, VIRTIO_BLK_T_OUT, 0, 513, false) == VIRTIO_BLK_S_IOERR,
	      "odd write");
	/* Data in the wrong direction. */
	CHECK(request(b, t, VIRTIO_BLK_T_IN, 0, 512, false) == VIRTIO_BLK_S_IOERR,
	      "read into readable");
	CHECK(request(b, t, VIRTIO_BLK_T_OUT, 0, 512, true) == VIRTIO_BLK_S_IOERR,
	      "write from writable");
	/* Unknown and unsupported types. */
	CHECK(request(b, t, 0x1234, 0, 0, false) == VIRTIO_BLK_S_UNSUPP, "unknown");
	CHECK(request(b, t, VIRTIO_BLK_T_DISCARD, 0, 16, false) ==
	      VIRTIO_BLK_S_UNSUPP, "discard");
	/* No status byte: completed with nothing written, nothing done. */
	put_hdr(VIRTIO_BLK_T_OUT, 0);
	CHECK(run(b, t, (struct tbuf[]){ { HDR_GPA, 16, false },
					 { DATA_GPA, 512, false } }, 2) == 0,
	      "no status");
	CHECK(*status_byte() == STATUS_INIT, "status untouched");
	CHECK(b->nr_write == before, "a bad request wrote");

	/* A chain the walker refuses (a buffer outside RAM after a writable
	 * one): IOERR in the last writable byte it checked. */
	put_hdr(VIRTIO_BLK_T_IN, 0);
	run(b, t, (struct tbuf[]){ { HDR_GPA, 16, false }, { STATUS_GPA, 1, true },
				   { 1ULL << 40, 512, true } }, 3);
	CHECK(*status_byte() == VIRTIO_BLK_S_IOERR, "bad chain");
	/* A loop: completed, length 0, and the queue keeps working. */
	t->desc[0] = (struct vring_desc){ HDR_GPA, 16, VRING_DESC_F_NEXT, 1 };
	t->desc[1] = (struct vring_desc){ STATUS_GPA, 1,
					  VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 0 };
	tq_add_head(t, 0);
	vblk_ops.notify(b, t->vq);
	CHECK(tq_used(t, &id, &len) && id == 0, "loop completed");
	t->next_desc = 2;
	CHECK(request(b, t, VIRTIO_BLK_T_IN, 0, 512, true) == VIRTIO_BLK_S_OK,
	      "queue works after bad chains");
	CHECK(b->nr_bad == 2, "bad chains %llu", (unsigned long long)b->nr_bad);
}

/* Several requests in one notify complete in order. */
static void test_batch(struct vblk *b, struct tq *t)
{
	uint16_t heads[3], id;
	uint32_t len;

	put_hdr(VIRTIO_BLK_T_FLUSH, 0);
	for (int i = 0; i < 3; i++)
		heads[i] = tq_add(t, (struct tbuf[]){ { HDR_GPA, 16, false },
				   { STATUS_GPA + 1 + i, 1, true } }, 2);
	vblk_ops.notify(b, t->vq);
	for (int i = 0; i < 3; i++) {
		CHECK(tq_used(t, &id, &len) && id == heads[i] && len == 1,
		      "batch %d", i);
		CHECK(*(uint8_t *)tq_ptr(&mem, STATUS_GPA + 1 + i, 1) ==
		      VIRTIO_BLK_S_OK, "batch status %d", i);
	}
}

/* The host's errors are the guest's: a write that fails is IOERR; a read
 * past the end of a file that shrank reads zeros. */
static void test_host_errors(struct vblk *b, struct tq *t, const char *img)
{
	uint8_t *data = tq_ptr(&mem, DATA_GPA, 65536);
	int rw_fd = b->fd;

	b->fd = open(img, O_RDONLY);   /* pwritev now fails with EBADF */
	CHECK(request(b, t, VIRTIO_BLK_T_OUT, 0, 512, false) == VIRTIO_BLK_S_IOERR,
	      "failed write");
	CHECK(request(b, t, VIRTIO_BLK_T_FLUSH, 0, 0, false) == VIRTIO_BLK_S_OK,
	      "flush of a read-only fd");
	close(b->fd);
	b->fd = rw_fd;

	CHECK(ftruncate(b->fd, 4096) == 0, "truncate");
	memset(data, 0xaa, 1024);
	CHECK(request(b, t, VIRTIO_BLK_T_IN, 7, 1024, true) == VIRTIO_BLK_S_OK,
	      "read across EOF");
	CHECK(data[0] == pattern(7 * 512) && data[511] == pattern(7 * 512 + 511) &&
	      data[512] == 0 && data[1023] == 0, "zeros past EOF");
}

/* A request larger than seg_max * size_max fails without any I/O, even
 * on a disk big enough for it. */
static void test_huge(struct tq *t)
{
	struct tbuf bufs[66];
	struct vblk b;
	char img[256], err[256];
	int fd;

	path_of(img, sizeof(img), "sparse.img");
	fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && ftruncate(fd, 1ULL << 30) == 0, "sparse image");
	close(fd);
	CHECK(vblk_open(&b, img, false, err, sizeof(err)) == 0, "open: %s", err);
	bufs[0] = (struct tbuf){ HDR_GPA, 16, false };
	for (int i = 1; i <= 64; i++)   /* 64 x 4 MiB, all of RAM each */
		bufs[i] = (struct tbuf){ 0, 4 << 20, true };
	bufs[65] = (struct tbuf){ STATUS_GPA, 1, true };
	put_hdr(VIRTIO_BLK_T_IN, 0);
	run(&b, t, bufs, 66);
	CHECK(*status_byte() == VIRTIO_BLK_S_IOERR, "huge request");
	CHECK(b.nr_read == 0, "huge request was read");
	vblk_destroy(&b);
	unlink(img);
}

static void test_readonly(struct tq *t, const char *img)
{
	struct vblk ro, ro2, rw;
	char err[256];
	uint8_t cfg[24], before[512], after[512];
	int fd = open(img, O_RDONLY);

	CHECK(pread(fd, before, 512, 0) == 512, "pread");
	CHECK(vblk_open(&ro, img, true, err, sizeof(err)) == 0, "ro: %s", err);
	CHECK(vblk_open(&ro2, img, true, err, sizeof(err)) == 0,
	      "readers share: %s", err);
	CHECK(vblk_open(&rw, img, false, err, sizeof(err)) == -1 &&
	      strstr(err, "in use by another VM (locked)"), "writer vs readers: %s",
	      err);
	CHECK(vblk_ro_ops.features & (1ULL << VIRTIO_BLK_F_RO), "F_RO");
	CHECK(!(vblk_ops.features & (1ULL << VIRTIO_BLK_F_RO)), "no F_RO");
	CHECK(request(&ro, t, VIRTIO_BLK_T_OUT, 0, 512, false) == VIRTIO_BLK_S_IOERR,
	      "write to ro");
	CHECK(pread(fd, after, 512, 0) == 512 && !memcmp(before, after, 512),
	      "ro disk changed");
	CHECK(request(&ro, t, VIRTIO_BLK_T_IN, 0, 512, true) == VIRTIO_BLK_S_OK,
	      "read from ro");

	vblk_ro_ops.config_rw(&ro, 0, cfg, 8, false);
	vblk_ro_ops.config_rw(&ro, 8, cfg + 8, 4, false);
	vblk_ro_ops.config_rw(&ro, 12, cfg + 12, 4, false);
	vblk_ro_ops.config_rw(&ro, 20, cfg + 20, 4, false);
	CHECK(cfg[0] == (IMG_SECTORS & 0xff) && cfg[1] == IMG_SECTORS >> 8 &&
	      cfg[2] == 0, "capacity");
	CHECK(cfg[12] == 254 && cfg[20] == 0 && cfg[21] == 2, "seg_max, blk_size");
	CHECK(cfg[8] == 0 && cfg[9] == 0 && cfg[10] == 0x10, "size_max");
	vblk_destroy(&ro2);
	vblk_destroy(&ro);
	close(fd);
}

static void expect_open_error(const char *path, bool ro, const char *msg)
{
	struct vblk b;
	char err[512] = "";

	CHECK(vblk_open(&b, path, ro, err, sizeof(err)) == -1, "%s opened", path);
	CHECK(strstr(err, msg), "%s: expected \"%s\", got \"%s\"", path, msg, err);
	CHECK(!strchr(err, '\n'), "one line: %s", err);
}

static void check_not_writable(const char *path)
{
	struct vblk b;
	char err[256];

	expect_open_error(path, false, "is not writable");
	expect_open_error(path, false, "add ,ro");
	CHECK(vblk_open(&b, path, true, err, sizeof(err)) == 0,
	      "ro of a read-only file: %s", err);
	vblk_destroy(&b);
}

static void test_open_errors(const char *img)
{
	char path[256];
	struct vblk b;
	char err[256];

	path_of(path, sizeof(path), "missing.img");
	expect_open_error(path, false, "does not exist");
	expect_open_error(path, true, "does not exist");

	CHECK(vblk_open(&b, img, false, err, sizeof(err)) == 0, "open: %s", err);
	expect_open_error(img, false, "is in use by another VM (locked)");
	expect_open_error(img, true, "is in use by another VM (locked)");
	vblk_destroy(&b);
	CHECK(vblk_open(&b, img, false, err, sizeof(err)) == 0,
	      "the lock goes with destroy: %s", err);
	vblk_destroy(&b);

	path_of(path, sizeof(path), "odd.img");
	make_image(path, 1000);
	expect_open_error(path, false, "not a multiple of 512");
	path_of(path, sizeof(path), "empty.img");
	make_image(path, 0);
	expect_open_error(path, false, "is empty");
	expect_open_error(dir, true, "not a regular file or block device");
	expect_open_error(dir, false, "not a regular file or block device");
	expect_open_error("/dev/null", false, "not a regular file or block device");

	path_of(path, sizeof(path), "readonly.img");
	make_image(path, 4096);
	CHECK(chmod(path, 0444) == 0, "chmod");
	if (geteuid() == 0) {
		/* Root writes anything: check as nobody, in a child. */
		pid_t pid;
		int st;

		CHECK(chmod(dir, 0755) == 0, "chmod dir");
		pid = fork();
		CHECK(pid >= 0, "fork");
		if (pid == 0) {
			if (setgid(65534) || setuid(65534))
				_exit(77);
			check_not_writable(path);
			_exit(0);
		}
		CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st), "child");
		if (WEXITSTATUS(st) == 77)
			printf("skip: not-writable check (cannot become nobody)\n");
		else
			CHECK(WEXITSTATUS(st) == 0, "not-writable check failed");
		CHECK(chmod(dir, 0700) == 0, "chmod dir");
	} else {
		check_not_writable(path);
	}
}

int main(void)
{
	struct vblk b;
	struct virtq vq;
	struct tq t;
	char img[256], err[256], cmd[300];

	CHECK(mkdtemp(dir), "mkdtemp");
	CHECK(guest_mem_alloc(&mem, 4 << 20) == 0, "guest_mem_alloc");
	path_of(img, sizeof(img), "disk.img");
	make_image(img, IMG_SECTORS * 512);

	CHECK(vblk_open(&b, img, false, err, sizeof(err)) == 0, "open: %s", err);
	CHECK(b.capacity == IMG_SECTORS, "capacity %llu",
	      (unsigned long long)b.capacity);
	tq_setup(&t, &vq, &mem, 0, 256, RING_GPA);
	test_io(&b, &t, img);
	test_layout(&b, &t);
	test_bad(&b, &t);
	test_batch(&b, &t);
	test_huge(&t);
	vblk_destroy(&b);
	test_readonly(&t, img);

	CHECK(vblk_open(&b, img, false, err, sizeof(err)) == 0, "open: %s", err);
	test_host_errors(&b, &t, img);
	vblk_destroy(&b);

	test_open_errors(img);

	vq_destroy(&vq);
	guest_mem_free(&mem);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0, "cleanup");
	printf("vblk: ok\n");
	return 0;
}
