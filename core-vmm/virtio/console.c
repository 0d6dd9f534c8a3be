// SPDX-License-Identifier: MIT
#include "console.h"

#include <errno.h>
#include <linux/virtio_console.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define CTL_SIZE   8         /* le32 id, le16 event, le16 value */
#define TAG_LISTEN 1
#define TAG_CLIENT 2

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, v);
	put_le16(p + 2, v >> 16);
}

static void kick(struct vconsole *vc, uint16_t q)
{
	if (vc->attached)
		virtio_pci_kick(&vc->vp, q);
}

/* --- reset ---------------------------------------------------------------- */

static void update_interest(struct vconsole *vc);

/* The transport reset the device (on a vCPU thread, which only raised the
 * flag): forget the driver's state before doing anything else. */
static void apply_reset(struct vconsole *vc)
{
	if (!atomic_exchange(&vc->reset_pending, 0))
		return;
	vc->dev_ready = false;
	memset(vc->port_ready, 0, sizeof(vc->port_ready));
	memset(vc->guest_open, 0, sizeof(vc->guest_open));
	vc->ctl_head = vc->ctl_count = 0;
	/* Staged client bytes were for the agent that is gone. */
	vc->rx_off = vc->rx_len = 0;
	update_interest(vc);
}

/*
 * Take the next chain from queue q. A chain taken before a reset that has
 * happened since is stale: the reset is applied first, and the chain
 * skipped (its completion would be dropped anyway).
 */
static enum vq_pop_result pop(struct vconsole *vc, uint16_t q,
			      struct vq_chain *c, bool *stale)
{
	struct virtq *vq = &vc->vqs[q];
	enum vq_pop_result res = vq_pop(vq, c);

	apply_reset(vc);
	*stale = res != VQ_EMPTY &&
		 c->gen != __atomic_load_n(&vq->gen, __ATOMIC_ACQUIRE);
	return res;
}

/* --- control messages, device -> driver --------------------------------- */

static void ctl_queue(struct vconsole *vc, uint32_t id, uint16_t event,
		      uint16_t value)
{
	if (vc->ctl_count == VCONSOLE_CTL_MAX) {
		vc->ctl_dropped++;  /* only a driver repeating itself gets here */
		return;
	}
	vc->ctl[(vc->ctl_head + vc->ctl_count++) % VCONSOLE_CTL_MAX] =
		(struct vconsole_ctl){ id, event, value };
}

static size_t ctl_encode(const struct vconsole_ctl *m, uint8_t *buf)
{
	size_t n = CTL_SIZE;

	put_le32(buf, m->id);
	put_le16(buf + 4, m->event);
	put_le16(buf + 6, m->value);
	if (m->event == VIRTIO_CONSOLE_PORT_NAME) {
		/* The name follows the header, without a NUL (5.3.6.2). */
		memcpy(buf + n, VCONSOLE_AGENT_NAME, strlen(VCONSOLE_AGENT_NAME));
		n += strlen(VCONSOLE_AGENT_NAME);
	}
	return n;
}

static void ctl_flush(struct vconsole *vc)
{
	struct vq_chain c;
	uint8_t buf[CTL_SIZE + sizeof(VCONSOLE_AGENT_NAME)];

	/* Only take a buffer with a message to put in it. (A reset landing
	 * between this check and the pop can still cost the new driver one
	 * empty buffer; only a guest resetting itself can cause that.) */
	apply_reset(vc);
	for (unsigned i = 0; i < VCONSOLE_QUEUE_SIZE && vc->ctl_count; i++) {
		bool stale;
		enum vq_pop_result res = pop(vc, VCONSOLE_Q_CTL_IN, &c, &stale);
		uint32_t written = 0;

		if (res == VQ_EMPTY)
			return;
		if (stale)
			continue;
		/* A buffer too small goes back empty; the message waits. */
		if (res == VQ_OK && vc->ctl_count) {
			size_t n = ctl_encode(&vc->ctl[vc->ctl_head], buf);

			if (c.in_bytes >= n) {
				written = vq_write(&c, 0, buf, n);
				vc->ctl_head = (vc->ctl_head + 1) % VCONSOLE_CTL_MAX;
				vc->ctl_count--;
			}
		}
		vq_push(&vc->vqs[VCONSOLE_Q_CTL_IN], &c, written);
	}
	if (vc->ctl_count)
		kick(vc, VCONSOLE_Q_CTL_IN);
}

/* Tell the driver whether the host end of the agent port is open. */
static void announce_host(struct vconsole *vc)
{
	if (vc->port_ready[VCONSOLE_AGENT_PORT])
		ctl_queue(vc, VCONSOLE_AGENT_PORT, VIRTIO_CONSOLE_PORT_OPEN,
			  vc->client_fd >= 0);
}

/* --- host -> guest -------------------------------------------------------- */

static void deliver_rx(struct vconsole *vc)
{
	struct vq_chain c;
	unsigned i;

	for (i = 0; i < VCONSOLE_QUEUE_SIZE; i++) {
		bool stale;
		enum vq_pop_result res;
		uint32_t written = 0;

		if (vc->rx_off == vc->rx_len ||
		    !vc->guest_open[VCONSOLE_AGENT_PORT])
			break;
		res = pop(vc, VCONSOLE_Q_RX1, &c, &stale);
		if (res == VQ_EMPTY)
			break;
		if (stale)
			continue;
		if (res == VQ_OK && vc->rx_off < vc->rx_len) {
			written = vq_write(&c, 0, vc->rx + vc->rx_off,
					   vc->rx_len - vc->rx_off);
			vc->rx_off += written;
			vc->rx_bytes += written;
		}
		vq_push(&vc->vqs[VCONSOLE_Q_RX1], &c, written);
	}
	if (vc->rx_off == vc->rx_len)
		vc->rx_off = vc->rx_len = 0;
	else if (i == VCONSOLE_QUEUE_SIZE)
		kick(vc, VCONSOLE_Q_RX1);  /* a queue's worth done; more later */
	update_interest(vc);
}

/* --- the client ----------------------------------------------------------- */

static bool reading(const struct vconsole *vc)
{
	return vc->rx_len == 0 && vc->guest_open[VCONSOLE_AGENT_PORT];
}

/* Level-triggered interest that matches what we can do now: read only
 * with room to stage, write only with bytes waiting, watch for hang-up
 * otherwise. With nothing to watch the fd leaves the set, so that a hang-up
 * we cannot act on yet does not wake us over and over. */
static void update_interest(struct vconsole *vc)
{
	struct epoll_event ev = { .data.u32 = TAG_CLIENT };
	uint32_t want = 0;

	if (vc->client_fd < 0)
		return;
	if (reading(vc))
		want |= EPOLLIN;
	if (vc->tx_len)
		want |= EPOLLOUT;
	if (!vc->peer_closed)
		want |= EPOLLRDHUP;
	if (want == vc->client_events)
		return;
	ev.events = want;
	if (!want)
		epoll_ctl(vc->epfd, EPOLL_CTL_DEL, vc->client_fd, NULL);
	else if (!vc->client_events)
		epoll_ctl(vc->epfd, EPOLL_CTL_ADD, vc->client_fd, &ev);
	else
		epoll_ctl(vc->epfd, EPOLL_CTL_MOD, vc->client_fd, &ev);
	vc->client_events = want;
}

static void disconnect(struct vconsole *vc)
{
	if (vc->client_fd < 0)
		return;
	if (vc->client_events)
		epoll_ctl(vc->epfd, EPOLL_CTL_DEL, vc->client_fd, NULL);
	close(vc->client_fd);
	vc->client_fd = -1;
	vc->client_events = 0;
	vc->peer_closed = false;
	vc->rx_off = vc->rx_len = 0;
	vc->tx_dropped += vc->tx_len;
	vc->tx_len = 0;
	announce_host(vc);
	ctl_flush(vc);
}

static void accept_client(struct vconsole *vc)
{
	int fd = accept4(vc->listen_fd, NULL, NULL,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	/* One client at a time; one that has gone makes room. */
	if (vc->client_fd >= 0 && vc->peer_closed)
		disconnect(vc);
	if (vc->client_fd >= 0) {
		vc->clients_refused++;
		close(fd);
		return;
	}
	vc->client_fd = fd;
	update_interest(vc);
	announce_host(vc);
	ctl_flush(vc);
}

/* 0, or -1 when the client is gone. */
static int flush_tx(struct vconsole *vc)
{
	while (vc->tx_len) {
		ssize_t n = send(vc->client_fd, vc->tx, vc->tx_len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		vc->tx_bytes += n;
		vc->tx_len -= n;
		memmove(vc->tx, vc->tx + n, vc->tx_len);
	}
	return 0;
}

static void read_client(struct vconsole *vc)
{
	ssize_t n = read(vc->client_fd, vc->rx, sizeof(vc->rx));

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		disconnect(vc);
		return;
	}
	vc->rx_off = 0;
	vc->rx_len = n;
	deliver_rx(vc);
}

/* The client hung up while we are not reading it: go now if it left
 * nothing unread, else read the rest when the guest can take it. */
static void client_hangup(struct vconsole *vc)
{
	int pending = 0;

	if (ioctl(vc->client_fd, FIONREAD, &pending) < 0 || pending <= 0)
		disconnect(vc);
	else
		vc->peer_closed = true;
}

static void client_io(struct vconsole *vc, uint32_t events)
{
	if (vc->client_fd < 0)
		return;
	if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && vc->tx_len &&
	    flush_tx(vc)) {
		disconnect(vc);
		return;
	}
	if (reading(vc) && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
		read_client(vc);
	else if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		client_hangup(vc);
	update_interest(vc);
}

void vconsole_poll(void *arg)
{
	struct vconsole *vc = arg;
	struct epoll_event ev[4];
	int n;

	apply_reset(vc);
	n = epoll_wait(vc->epfd, ev, 4, 0);
	for (int i = 0; i < n; i++) {
		if (ev[i].data.u32 == TAG_LISTEN)
			accept_client(vc);
		else
			client_io(vc, ev[i].events);
	}
}

/* --- guest -> host -------------------------------------------------------- */

static void port_tx(struct vconsole *vc, uint16_t q)
{
	struct vq_chain c;
	unsigned i;

	for (i = 0; i < VCONSOLE_QUEUE_SIZE; i++) {
		bool stale;
		enum vq_pop_result res = pop(vc, q, &c, &stale);

		if (res == VQ_EMPTY)
			break;
		if (stale)
			continue;
		if (res == VQ_OK && q == VCONSOLE_Q_TX0) {
			vc->console_bytes += c.out_bytes;
		} else if (res == VQ_OK && vc->client_fd >= 0 &&
			   !vc->peer_closed &&
			   c.out_bytes <= VCONSOLE_TX_BUF - vc->tx_len) {
			vc->tx_len += vq_read(&c, 0, vc->tx + vc->tx_len,
					      c.out_bytes);
		} else if (res == VQ_OK) {
			vc->tx_dropped += c.out_bytes;
		}
		vq_push(&vc->vqs[q], &c, 0);
	}
	if (vc->client_fd >= 0 && vc->tx_len && flush_tx(vc))
		disconnect(vc);
	update_interest(vc);
	/* A guest that keeps the queue full: let the iothread breathe. */
	if (i == VCONSOLE_QUEUE_SIZE)
		kick(vc, q);
}

/* --- control messages, driver -> device --------------------------------- */

static void port_ready(struct vconsole *vc, uint32_t id, uint16_t value)
{
	vc->port_ready[id] = value == 1;
	if (value != 1)
		return;
	if (id == 0) {
		ctl_queue(vc, 0, VIRTIO_CONSOLE_CONSOLE_PORT, 1);
		ctl_queue(vc, 0, VIRTIO_CONSOLE_PORT_OPEN, 1);
		return;
	}
	ctl_queue(vc, id, VIRTIO_CONSOLE_PORT_NAME, 1);
	if (vc->client_fd >= 0)
		ctl_queue(vc, id, VIRTIO_CONSOLE_PORT_OPEN, 1);
}

/* One message; false if it makes no sense (counted, otherwise ignored). */
static bool control(struct vconsole *vc, uint32_t id, uint16_t event,
		    uint16_t value)
{
	switch (event) {
	case VIRTIO_CONSOLE_DEVICE_READY:
		if (value != 1)
			return value == 0;  /* the driver failed; nothing to do */
		vc->dev_ready = true;
		for (uint32_t p = 0; p < VCONSOLE_PORTS; p++)
			ctl_queue(vc, p, VIRTIO_CONSOLE_PORT_ADD, 1);
		return true;
	case VIRTIO_CONSOLE_PORT_READY:
		if (!vc->dev_ready || id >= VCONSOLE_PORTS || value > 1)
			return false;
		port_ready(vc, id, value);
		return true;
	case VIRTIO_CONSOLE_PORT_OPEN:
		if (id >= VCONSOLE_PORTS || !vc->port_ready[id] || value > 1)
			return false;
		vc->guest_open[id] = value;
		return true;
	default:
		return false;
	}
}

static void control_out(struct vconsole *vc)
{
	struct vq_chain c;
	unsigned i;

	for (i = 0; i < VCONSOLE_QUEUE_SIZE; i++) {
		bool stale;
		enum vq_pop_result res = pop(vc, VCONSOLE_Q_CTL_OUT, &c, &stale);
		uint8_t m[CTL_SIZE];

		if (res == VQ_EMPTY)
			break;
		if (stale)
			continue;
		if (res != VQ_OK || c.out_bytes < CTL_SIZE ||
		    vq_read(&c, 0, m, CTL_SIZE) != CTL_SIZE ||
		    !control(vc, m[0] | m[1] << 8 | m[2] << 16 |
				 (uint32_t)m[3] << 24,
			     m[4] | m[5] << 8, m[6] | m[7] << 8))
			vc->ctl_bad++;
		vq_push(&vc->vqs[VCONSOLE_Q_CTL_OUT], &c, 0);
	}
	ctl_flush(vc);
	deliver_rx(vc);   /* the agent port may have opened */
	if (i == VCONSOLE_QUEUE_SIZE)
		kick(vc, VCONSOLE_Q_CTL_OUT);
}

/* --- the device ----------------------------------------------------------- */

static void vconsole_notify(void *dev, struct virtq *vq)
{
	struct vconsole *vc = dev;

	apply_reset(vc);
	switch (vq->index) {
	case VCONSOLE_Q_TX0:
	case VCONSOLE_Q_TX1:
		port_tx(vc, vq->index);
		break;
	case VCONSOLE_Q_CTL_IN:
		ctl_flush(vc);
		break;
	case VCONSOLE_Q_CTL_OUT:
		control_out(vc);
		break;
	case VCONSOLE_Q_RX1:
		deliver_rx(vc);
		break;
	default:
		break;  /* rx0: the console never has input */
	}
}

static void vconsole_config_rw(void *dev, uint32_t off, uint8_t *data, int size,
			       bool is_write)
{
	uint8_t cfg[VCONSOLE_CONFIG_SIZE] = { 0 };

	if (is_write)
		return; /* emerg_wr only with F_EMERG_WRITE, not offered */
	put_le32(cfg + 4, VCONSOLE_PORTS);
	for (int i = 0; i < size; i++)
		data[i] = (uint64_t)off + i < sizeof(cfg) ? cfg[off + i] : 0;
}

static void vconsole_start(void *dev, uint64_t features)
{
}

static void vconsole_reset(void *dev)
{
	struct vconsole *vc = dev;

	/* The iothread owns the state; it acts on this before anything
	 * the next driver does can reach it. */
	atomic_store(&vc->reset_pending, 1);
	kick(vc, VCONSOLE_Q_CTL_IN);
}

const struct virtio_device_ops vconsole_ops = {
	.name = "console",
	.device_id = 3,
	.pci_class = 0x078000,   /* communication controller, other */
	.features = 1ULL << VIRTIO_CONSOLE_F_MULTIPORT,
	.num_queues = VCONSOLE_QUEUES,
	.queue_size = VCONSOLE_QUEUE_SIZE,
	.config_size = VCONSOLE_CONFIG_SIZE,
	.config_rw = vconsole_config_rw,
	.notify = vconsole_notify,
	.start = vconsole_start,
	.reset = vconsole_reset,
};

/* --- setup ---------------------------------------------------------------- */

static int listen_on(struct vconsole *vc, const char *path, char *err,
		     size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = TAG_LISTEN };
	struct stat st;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "agent socket path %s is too long", path);
		return -1;
	}
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "agent socket %s: exists and is not a socket",
			 path);
		return -1;
	}
	unlink(path);
	strcpy(sa.sun_path, path);
	vc->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
				       SOCK_CLOEXEC, 0);
	if (vc->listen_fd < 0 ||
	    bind(vc->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	strcpy(vc->path, path);
	if (chmod(path, 0600) < 0 || listen(vc->listen_fd, 4) < 0 ||
	    epoll_ctl(vc->epfd, EPOLL_CTL_ADD, vc->listen_fd, &ev) < 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "agent socket %s: %s", path, strerror(errno));
	return -1;
}

int vconsole_init(struct vconsole *vc, const char *agent_socket_path,
		  char *err, size_t errlen)
{
	memset(vc, 0, sizeof(*vc));
	vc->listen_fd = vc->client_fd = -1;
	atomic_init(&vc->reset_pending, 0);
	vc->vqs = vc->vp.vq;
	vc->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (vc->epfd < 0) {
		snprintf(err, errlen, "virtio console: epoll: %s",
			 strerror(errno));
		return -1;
	}
	if (agent_socket_path && listen_on(vc, agent_socket_path, err, errlen)) {
		vconsole_destroy(vc);
		return -1;
	}
	return 0;
}

int vconsole_attach(struct vconsole *vc, const struct virtio_env *env,
		    const char *agent_socket_path, char *err, size_t errlen)
{
	if (vconsole_init(vc, agent_socket_path, err, errlen))
		return -1;
	/* The socket first: it can fail without leaving anything on the bus. */
	if (iothread_add(env->io, vc->epfd, vconsole_poll, vc)) {
		snprintf(err, errlen, "virtio console: no room on its iothread");
		goto fail;
	}
	if (virtio_pci_init(&vc->vp, &vconsole_ops, vc, env, err, errlen))
		goto fail;
	vc->attached = true;
	return 0;
fail:
	vconsole_destroy(vc);
	return -1;
}

void vconsole_destroy(struct vconsole *vc)
{
	if (vc->attached)
		virtio_pci_destroy(&vc->vp);
	vc->attached = false;
	if (vc->client_fd >= 0)
		close(vc->client_fd);
	if (vc->listen_fd >= 0)
		close(vc->listen_fd);
	if (vc->epfd >= 0)
		close(vc->epfd);
	vc->client_fd = vc->listen_fd = vc->epfd = -1;
	if (vc->path[0])
		unlink(vc->path);
	vc->path[0] = 0;
}
