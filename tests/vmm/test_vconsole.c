// SPDX-License-Identifier: MIT
/*
 * virtio-console: the multiport control handshake as Linux's driver does it
 * (DEVICE_READY -> PORT_ADD; PORT_READY -> CONSOLE_PORT / PORT_NAME /
 * PORT_OPEN), bytes both ways between the agent port and a client on the
 * unix socket, one client at a time, back-pressure while the guest cannot
 * take data, hostile control messages, and reset.
 */
#include "virtio/console.h"
#include "vq_driver.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/virtio_console.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"

#define QSIZE     64
#define CIN_GPA   0x100000   /* control-in buffers, 256 B each */
#define RX_GPA    0x200000   /* rx1 buffers, 4 KiB each */
#define MSG_GPA   0x400000   /* driver -> device messages */
#define NCIN      8

static struct guest_mem mem;
static struct vconsole vc;
static struct virtq vqs[VCONSOLE_QUEUES];
static struct tq tqs[VCONSOLE_QUEUES];
static unsigned msg_slot, rx_slot;
static char dir[] = "/tmp/porthole-vcon-XXXXXX";
static char sock_path[200];

struct ctl {
	uint32_t id;
	uint16_t event, value;
	char data[64];
	uint32_t len;
};

/* Let the iothread's socket work run until cond holds (or give up). */
#define POLL_UNTIL(cond) do {						\
	for (int i_ = 0; i_ < 500 && !(cond); i_++) {			\
		vconsole_poll(&vc);					\
		if (!(cond))						\
			usleep(1000);					\
	}								\
} while (0)

static void notify(int q)
{
	vconsole_ops.notify(&vc, &vqs[q]);
}

/* The driver writes bytes on a driver->device queue. */
static void put(int q, const void *data, uint32_t len)
{
	uint64_t gpa = MSG_GPA + (msg_slot++ % 256) * 0x100;

	CHECK(len <= 0x100, "message too long");
	memcpy(tq_ptr(&mem, gpa, len), data, len);
	tq_add(&tqs[q], (struct tbuf[]){ { gpa, len, false } }, 1);
	notify(q);
}

static void send_ctl(uint32_t id, uint16_t event, uint16_t value)
{
	uint8_t m[8];

	memcpy(m, &id, 4);
	memcpy(m + 4, &event, 2);
	memcpy(m + 6, &value, 2);
	put(VCONSOLE_Q_CTL_OUT, m, 8);
}

/* Control messages the device sent, each buffer given back at once. */
static int get_ctls(struct ctl *out, int max)
{
	uint16_t id;
	uint32_t len;
	int n = 0;

	while (n < max && tq_used(&tqs[VCONSOLE_Q_CTL_IN], &id, &len)) {
		uint64_t gpa = tqs[VCONSOLE_Q_CTL_IN].desc[id].addr;
		const uint8_t *p = tq_ptr(&mem, gpa, 256);

		CHECK(len >= 8 && len <= 8 + 64, "control len %u", len);
		memset(&out[n], 0, sizeof(out[n]));
		memcpy(&out[n].id, p, 4);
		memcpy(&out[n].event, p + 4, 2);
		memcpy(&out[n].value, p + 6, 2);
		out[n].len = len - 8;
		memcpy(out[n].data, p + 8, len - 8);
		n++;
		tq_add(&tqs[VCONSOLE_Q_CTL_IN], (struct tbuf[]){ { gpa, 256, true } }, 1);
	}
	return n;
}

/* Run the socket side until n control messages have come (or give up). */
static int poll_ctls(struct ctl *c, int n)
{
	int got = 0;

	for (int i = 0; i < 500 && got < n; i++) {
		vconsole_poll(&vc);
		got += get_ctls(c + got, n - got);
		if (got < n)
			usleep(1000);
	}
	return got;
}

static void expect_ctl(const struct ctl *c, uint32_t id, uint16_t event,
		       uint16_t value)
{
	CHECK(c->id == id && c->event == event && c->value == value,
	      "control (%u, %u, %u), expected (%u, %u, %u)", c->id, c->event,
	      c->value, id, event, value);
}

static void give_rx(int n)
{
	for (int i = 0; i < n; i++) {
		uint64_t gpa = RX_GPA + (rx_slot++ % 32) * 0x1000;
		tq_add(&tqs[VCONSOLE_Q_RX1], (struct tbuf[]){ { gpa, 4096, true } }, 1);
	}
}

/* What the guest received on port 1 so far, appended to buf. */
static size_t get_rx(uint8_t *buf, size_t cap)
{
	uint16_t id;
	uint32_t len;
	size_t n = 0;

	while (tq_used(&tqs[VCONSOLE_Q_RX1], &id, &len)) {
		uint64_t gpa = tqs[VCONSOLE_Q_RX1].desc[id].addr;

		CHECK(len > 0 && len <= 4096 && n + len <= cap, "rx len %u", len);
		memcpy(buf + n, tq_ptr(&mem, gpa, len), len);
		n += len;
	}
	return n;
}

static int connect_client(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, sock_path);
	CHECK(fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0,
	      "connect: %s", strerror(errno));
	return fd;
}

/* Read exactly len bytes from the client end, with a deadline. */
static void client_read(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		CHECK(poll(&p, 1, 2000) == 1, "client: no data (%zu/%zu)", got, len);
		n = read(fd, (uint8_t *)buf + got, len - got);
		CHECK(n > 0, "client read: %zd", n);
		got += n;
	}
}

static void test_handshake(void)
{
	struct ctl c[8];
	int n;

	send_ctl(VIRTIO_CONSOLE_BAD_ID, VIRTIO_CONSOLE_DEVICE_READY, 1);
	n = get_ctls(c, 8);
	CHECK(n == 2, "%d messages after DEVICE_READY", n);
	expect_ctl(&c[0], 0, VIRTIO_CONSOLE_PORT_ADD, 1);
	expect_ctl(&c[1], 1, VIRTIO_CONSOLE_PORT_ADD, 1);

	send_ctl(0, VIRTIO_CONSOLE_PORT_READY, 1);
	send_ctl(1, VIRTIO_CONSOLE_PORT_READY, 1);
	n = get_ctls(c, 8);
	CHECK(n == 3, "%d messages after PORT_READY", n);
	expect_ctl(&c[0], 0, VIRTIO_CONSOLE_CONSOLE_PORT, 1);
	expect_ctl(&c[1], 0, VIRTIO_CONSOLE_PORT_OPEN, 1);
	expect_ctl(&c[2], 1, VIRTIO_CONSOLE_PORT_NAME, 1);
	CHECK(c[2].len == strlen("org.porthole.agent") &&
	      !memcmp(c[2].data, "org.porthole.agent", c[2].len),
	      "name %.*s", (int)c[2].len, c[2].data);
	CHECK(vc.ctl_bad == 0, "bad %llu", (unsigned long long)vc.ctl_bad);
}

static int test_echo(void)
{
	struct ctl c[8];
	uint8_t buf[20000], big[10000];
	int fd, fd2, n;
	size_t got = 0;

	fd = connect_client();
	CHECK(poll_ctls(c, 1) == 1, "no PORT_OPEN for the client");
	expect_ctl(&c[0], 1, VIRTIO_CONSOLE_PORT_OPEN, 1);

	/* The guest has not opened the port: the client's bytes wait. */
	give_rx(4);
	CHECK(write(fd, "hello", 5) == 5, "client write");
	for (int i = 0; i < 20; i++)
		vconsole_poll(&vc);
	notify(VCONSOLE_Q_RX1);
	CHECK(get_rx(buf, sizeof(buf)) == 0, "data for a closed port");
	CHECK(vc.rx_len == 0, "read while the port is closed");

	send_ctl(1, VIRTIO_CONSOLE_PORT_OPEN, 1);
	POLL_UNTIL((got += get_rx(buf + got, sizeof(buf) - got)) >= 5);
	CHECK(got == 5 && !memcmp(buf, "hello", 5), "rx %zu", got);

	/* Guest to client. */
	put(VCONSOLE_Q_TX1, "world", 5);
	client_read(fd, buf, 5);
	CHECK(!memcmp(buf, "world", 5), "tx");

	/* A larger message through 4 KiB buffers, given as the guest
	 * consumes them. */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 13);
	CHECK(write(fd, big, sizeof(big)) == (ssize_t)sizeof(big), "client write");
	got = 0;
	for (int i = 0; i < 500 && got < sizeof(big); i++) {
		size_t k;

		vconsole_poll(&vc);
		k = get_rx(buf + got, sizeof(buf) - got);
		got += k;
		if (k) {
			give_rx(k / 4096 + 1);
			notify(VCONSOLE_Q_RX1);
		}
		usleep(500);
	}
	CHECK(got == sizeof(big) && !memcmp(buf, big, sizeof(big)), "big rx %zu", got);

	/* A second client is turned away. */
	fd2 = connect_client();
	POLL_UNTIL(vc.clients_refused == 1);
	CHECK(vc.clients_refused == 1, "second client accepted");
	CHECK(read(fd2, buf, 1) == 0, "second client not closed");
	close(fd2);

	/* Console port output is taken and dropped. */
	put(VCONSOLE_Q_TX0, "boot log", 8);
	CHECK(vc.console_bytes == 8, "console bytes");
	n = get_ctls(c, 8);
	CHECK(n == 0, "%d unexpected control messages", n);
	return fd;
}

static void test_bad_control(void)
{
	uint64_t bad = vc.ctl_bad;
	uint8_t m[16] = { 0 };
	struct ctl c[4];

	put(VCONSOLE_Q_CTL_OUT, m, 4);                          /* short */
	send_ctl(7, VIRTIO_CONSOLE_PORT_READY, 1);              /* no such port */
	send_ctl(1, 99, 1);                                     /* no such event */
	send_ctl(1, VIRTIO_CONSOLE_PORT_OPEN, 5);               /* bad value */
	send_ctl(0, VIRTIO_CONSOLE_PORT_ADD, 1);                /* device's message */
	send_ctl(VIRTIO_CONSOLE_BAD_ID, VIRTIO_CONSOLE_PORT_OPEN, 1);
	/* A chain the walker refuses. */
	tq_add(&tqs[VCONSOLE_Q_CTL_OUT], (struct tbuf[]){ { 1ULL << 40, 8, false } }, 1);
	notify(VCONSOLE_Q_CTL_OUT);
	CHECK(vc.ctl_bad == bad + 7, "bad messages %llu",
	      (unsigned long long)(vc.ctl_bad - bad));
	CHECK(get_ctls(c, 4) == 0, "answered a bad message");
	CHECK(vc.guest_open[1], "port state changed");
}

static void test_disconnect(int fd)
{
	struct ctl c[4];
	uint64_t dropped = vc.tx_dropped;

	close(fd);
	POLL_UNTIL(vc.client_fd < 0);
	CHECK(get_ctls(c, 4) == 1, "no PORT_OPEN 0");
	expect_ctl(&c[0], 1, VIRTIO_CONSOLE_PORT_OPEN, 0);
	/* Nobody listening: dropped, counted, and the guest goes on. */
	put(VCONSOLE_Q_TX1, "lost", 4);
	CHECK(vc.tx_dropped == dropped + 4, "dropped %llu",
	      (unsigned long long)vc.tx_dropped);
}

/* With no rx buffers the socket is not read past one staging buffer; a
 * client that hangs up with bytes unread makes room for the next one. */
static void test_backpressure(void)
{
	static uint8_t junk[1 << 20];
	struct ctl c[4];
	ssize_t sent = 0;
	int fd, fd2;

	fd = connect_client();
	CHECK(poll_ctls(c, 1) == 1, "no PORT_OPEN for the client");
	expect_ctl(&c[0], 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
	/* Drain whatever rx buffers are still out there first. */
	for (int i = 0; i < 20; i++) {
		CHECK(write(fd, "x", 1) == 1, "write");
		vconsole_poll(&vc);
		notify(VCONSOLE_Q_RX1);
		get_rx(junk, sizeof(junk));
	}
	CHECK(tqs[VCONSOLE_Q_RX1].avail_idx == tqs[VCONSOLE_Q_RX1].used_seen,
	      "rx buffers left");
	for (;;) {
		ssize_t n = send(fd, junk, sizeof(junk), MSG_DONTWAIT);

		if (n <= 0)
			break;
		sent += n;
		vconsole_poll(&vc);
	}
	CHECK(sent > 4096, "sent %zd", sent);
	CHECK(vc.rx_len <= VCONSOLE_RX_BUF && !(vc.client_events & EPOLLIN),
	      "still reading with %u staged", vc.rx_len);

	close(fd);
	for (int i = 0; i < 20; i++)
		vconsole_poll(&vc);
	CHECK(vc.client_fd >= 0 && vc.peer_closed, "unread bytes dropped early");
	fd2 = connect_client();
	CHECK(poll_ctls(c, 2) == 2, "no PORT_OPEN 0, 1");
	expect_ctl(&c[0], 1, VIRTIO_CONSOLE_PORT_OPEN, 0);
	expect_ctl(&c[1], 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
	CHECK(vc.rx_len == 0 && !vc.peer_closed, "new client inherits");
	close(fd2);
	CHECK(poll_ctls(c, 1) == 1 && vc.client_fd < 0, "no hang-up");
	expect_ctl(&c[0], 1, VIRTIO_CONSOLE_PORT_OPEN, 0);
}

static void test_reset(void)
{
	struct ctl c[8];
	uint64_t bad = vc.ctl_bad;

	vconsole_ops.reset(&vc);
	send_ctl(1, VIRTIO_CONSOLE_PORT_READY, 1);   /* before DEVICE_READY */
	CHECK(vc.ctl_bad == bad + 1, "port ready accepted before device ready");
	CHECK(!vc.guest_open[1] && !vc.port_ready[0], "state survived reset");
	send_ctl(VIRTIO_CONSOLE_BAD_ID, VIRTIO_CONSOLE_DEVICE_READY, 1);
	CHECK(get_ctls(c, 8) == 2, "handshake after reset");
	expect_ctl(&c[0], 0, VIRTIO_CONSOLE_PORT_ADD, 1);
	expect_ctl(&c[1], 1, VIRTIO_CONSOLE_PORT_ADD, 1);
	/* The driver repeating itself is bounded by the control queue. */
	for (int i = 0; i < 100; i++)
		send_ctl(VIRTIO_CONSOLE_BAD_ID, VIRTIO_CONSOLE_DEVICE_READY, 1);
	CHECK(vc.ctl_count <= VCONSOLE_CTL_MAX, "control queue grew");
}

int main(void)
{
	struct stat st;
	char err[256];
	int fd;

	CHECK(mkdtemp(dir), "mkdtemp");
	snprintf(sock_path, sizeof(sock_path), "%s/agent.sock", dir);
	CHECK(guest_mem_alloc(&mem, 8 << 20) == 0, "guest_mem_alloc");
	CHECK(vconsole_init(&vc, sock_path, err, sizeof(err)) == 0, "init: %s", err);
	CHECK(stat(sock_path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	      (st.st_mode & 0777) == 0600, "socket file");
	vc.vqs = vqs;
	for (int q = 0; q < VCONSOLE_QUEUES; q++)
		tq_setup(&tqs[q], &vqs[q], &mem, q, QSIZE, 0x10000 + q * 0x4000);
	for (int i = 0; i < NCIN; i++)
		tq_add(&tqs[VCONSOLE_Q_CTL_IN],
		       (struct tbuf[]){ { CIN_GPA + i * 256, 256, true } }, 1);

	test_handshake();
	fd = test_echo();
	test_bad_control();
	test_disconnect(fd);
	test_backpressure();
	test_reset();

	vconsole_destroy(&vc);
	CHECK(stat(sock_path, &st) == -1 && errno == ENOENT, "socket left behind");
	/* A non-socket in the way is not removed. */
	fd = open(sock_path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	CHECK(vconsole_init(&vc, sock_path, err, sizeof(err)) == -1 &&
	      strstr(err, "not a socket"), "init over a file: %s", err);
	unlink(sock_path);
	rmdir(dir);
	for (int q = 0; q < VCONSOLE_QUEUES; q++)
		vq_destroy(&vqs[q]);
	guest_mem_free(&mem);
	printf("vconsole: ok\n");
	return 0;
}
