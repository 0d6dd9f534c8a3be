/* SPDX-License-Identifier: MIT */
/* Inside the VNC server: shared by vnc.c, vnc_listen.c and vnc_input.c. */
#ifndef PORTHOLE_DISPLAY_VNC_PRIV_H
#define PORTHOLE_DISPLAY_VNC_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#include <rfb/rfb.h>
#include <rfb/rfbregion.h>

#include "keymap.h"
#include "rfbmsg.h"
#include "surface/proto.h"
#include "vnc.h"

#define VNC_MAX_HANDSHAKES 16       /* connections not yet past ServerInit */
#define VNC_HANDSHAKE_MS   15000    /* to finish the RFB handshake */
#define VNC_FD_LIMIT       (FD_SETSIZE - 64) /* libvncserver select()s */

struct vnc_listener {
	struct vnc_server *v;
	int fd;
	int is_unix;
	char path[108];
	dev_t dev;                  /* of the socket file we bound */
	ino_t ino;
	struct dloop_watch watch;
};

struct vnc_server {
	rfbScreenInfoPtr screen;
	struct dloop *loop;
	struct inputq *q;
	char name[SURFACE_NAME_MAX + 1];
	uint8_t *fb;
	size_t fb_cap;

	struct vnc_listener unix_l, tcp_l;
	struct dloop_timer recheck;  /* the unix socket is still ours */
	int accepting;               /* vnc_accept() was called */
	char tcp_addr[80];

	pthread_mutex_t lock;        /* the counters and lists below */
	pthread_cond_t cond;
	int clients;                 /* client structs alive */
	int handshakes;              /* handshake threads alive */
	int pending_fd[VNC_MAX_HANDSHAKES];
	atomic_int normal;           /* clients past the handshake */
	atomic_int stopping;

	/* Cursor: fixed storage, never freed while clients run; a reader on
	 * an output thread may see a shape mid-update and gets the new one
	 * right after (cursorWasChanged is set once it is complete). */
	atomic_int cursor_visible;   /* a shape was given (CURSOR_SHAPE w > 0) */
	atomic_int cursor_shown;     /* CURSOR_POS says visible */
	rfbCursor cursor;
	uint8_t cursor_rich[SURFACE_CURSOR_MAX * SURFACE_CURSOR_MAX * 4];
	uint8_t cursor_src[(SURFACE_CURSOR_MAX / 8) * SURFACE_CURSOR_MAX];
	uint8_t cursor_mask[(SURFACE_CURSOR_MAX / 8) * SURFACE_CURSOR_MAX];

	rfbProtocolExtension qemu_ext;
	int qemu_encodings[2];
};

/* One VNC client (cl->clientData): touched by its own threads only. */
struct vnc_client {
	struct vnc_server *v;
	struct keymap_state kbd;
	struct rfb_pointer ptr;
	int counted;                 /* in v->normal */
	atomic_int qemu_ack;         /* their announcement is due */
};

/* vnc_listen.c */
int vnc_listen_start(struct vnc_server *v, const char *unix_path,
		     const char *tcp, char *err, size_t errlen);
void vnc_listen_stop(struct vnc_server *v);

/* vnc_input.c */
void vnc_input_setup(struct vnc_server *v);
void vnc_input_teardown(struct vnc_server *v);
enum rfbNewClientAction vnc_new_client(rfbClientPtr cl);

#endif
