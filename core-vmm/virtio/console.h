/* SPDX-License-Identifier: MIT */
/*
 * virtio-console (virtio 1.x, 5.3) with VIRTIO_CONSOLE_F_MULTIPORT and two
 * ports: port 0, a plain console whose output is discarded, and port 1,
 * named "org.porthole.agent", the channel to the guest agent.
 *
 * Queues: 0 rx0, 1 tx0, 2 control in (device->driver), 3 control out
 * (driver->device), 4 rx1, 5 tx1.
 *
 * The host end of port 1 is a unix stream socket; one client at a time (a
 * second is closed at once). Bytes from the client reach the guest only
 * while the guest has the port open (it sent PORT_OPEN 1: Linux discards
 * data for a closed port) and has rx buffers; until then the socket is not
 * read, so the client feels the back-pressure and nothing grows. Bytes from
 * the guest go to the client through a bounded buffer; with no client, or
 * one that does not keep up, they are dropped and counted: the guest never
 * waits for the host.
 *
 * Threads: all state belongs to the device's iothread (queue notifications
 * and the socket). reset only raises a flag that the iothread acts on first.
 */
#ifndef PORTHOLE_VMM_VIRTIO_CONSOLE_H
#define PORTHOLE_VMM_VIRTIO_CONSOLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio_pci.h"

#define VCONSOLE_AGENT_NAME  "org.porthole.agent"
#define VCONSOLE_PORTS       2
#define VCONSOLE_AGENT_PORT  1
#define VCONSOLE_QUEUES      6
#define VCONSOLE_QUEUE_SIZE  64
#define VCONSOLE_RX_BUF      4096    /* host -> guest, staged */
#define VCONSOLE_TX_BUF      65536   /* guest -> host, waiting for the client */
#define VCONSOLE_CTL_MAX     16      /* control messages waiting for buffers */
#define VCONSOLE_CONFIG_SIZE 12      /* cols, rows, max_nr_ports, emerg_wr */

enum {
	VCONSOLE_Q_RX0, VCONSOLE_Q_TX0, VCONSOLE_Q_CTL_IN, VCONSOLE_Q_CTL_OUT,
	VCONSOLE_Q_RX1, VCONSOLE_Q_TX1,
};

struct vconsole_ctl {
	uint32_t id;
	uint16_t event, value;
};

struct vconsole {
	struct virtio_pci vp;
	bool attached;
	struct virtq *vqs;           /* vp.vq, or a test's own six */
	atomic_int reset_pending;
	/* Host side. */
	int epfd, listen_fd, client_fd;
	uint32_t client_events;      /* registered in epfd for; 0 = not in it */
	bool peer_closed;            /* client hung up with bytes still unread */
	char path[108];              /* the socket we created, "" if none */
	/* Driver side. */
	bool dev_ready;
	bool port_ready[VCONSOLE_PORTS], guest_open[VCONSOLE_PORTS];
	struct vconsole_ctl ctl[VCONSOLE_CTL_MAX];
	unsigned ctl_head, ctl_count;
	uint32_t rx_off, rx_len;
	uint8_t rx[VCONSOLE_RX_BUF];
	uint32_t tx_len;
	uint8_t tx[VCONSOLE_TX_BUF];
	/* Counters. */
	uint64_t rx_bytes, tx_bytes, tx_dropped, console_bytes;
	uint64_t ctl_bad, ctl_dropped, clients_refused;
};

/* The device without a transport (tests, fuzzing): listens on
 * agent_socket_path unless it is NULL. A stale socket there is replaced
 * (the run directory's lock says it is ours). -1 with err. */
int vconsole_init(struct vconsole *vc, const char *agent_socket_path,
		  char *err, size_t errlen);
/* vconsole_init() and the PCI function; queues and socket are served on
 * env->io. -1 with err; nothing is left behind. */
int vconsole_attach(struct vconsole *vc, const struct virtio_env *env,
		    const char *agent_socket_path, char *err, size_t errlen);
/* After env->io has stopped: closes the sockets, removes the socket file. */
void vconsole_destroy(struct vconsole *vc);

/* The socket's work, as the iothread runs it when vc->epfd is readable. */
void vconsole_poll(void *vc);

extern const struct virtio_device_ops vconsole_ops;

#endif
