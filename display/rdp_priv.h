/* SPDX-License-Identifier: MIT */
/*
 * Inside the RDP server: shared by rdp*.c.
 *
 * Threads. The display's main thread owns the listeners and fans out
 * damage, size and cursor changes: it only ever takes short locks and sets
 * a peer's wake event, never waits for a client. Each client has one peer
 * thread (FreeRDP's model): TLS, the connection sequence, input, encoding
 * and sending, all blocking on that client's socket only. FreeRDP runs the
 * rdpgfx and disp channels' receive sides on threads of their own; their
 * callbacks only store what they got (atomics) and wake the peer thread.
 */
#ifndef PORTHOLE_DISPLAY_RDP_PRIV_H
#define PORTHOLE_DISPLAY_RDP_PRIV_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#include <freerdp/codec/planar.h>
#include <freerdp/freerdp.h>
#include <freerdp/listener.h>
#include <freerdp/peer.h>
#include <freerdp/server/disp.h>
#include <freerdp/server/rdpgfx.h>
#include <winpr/synch.h>

#include "enc.h"
#include "keymap.h"
#include "rdp.h"
#include "surface/proto.h"

#define RDP_TAG "porthole-display: rdp: "

/* A client that has not finished the connection sequence and logged on in
 * this long is dropped (a silent or slow peer holds a thread), and only so
 * many may be at it at once: they cannot crowd out those logged on. */
#define RDP_LOGON_MS       15000
#define RDP_MAX_LOGONS     16
/* Pointer shapes: RDP's standard pointers go up to 96x96 (larger ones need
 * the client's large-pointer capability; the surface's are <= 128). */
#define RDP_POINTER_STD    96
#define RDP_POINTER_LARGE  384
#define RDP_BITMAP_BATCH   256      /* tiles per bitmap update at most */
#define RDP_HIST_BUCKETS   500      /* 0.1 ms each; the last: 50 ms or more */

struct rdp_listener {
	struct rdp_server *r;
	int fd;
	char path[108];             /* unix: the socket file we bound */
	dev_t dev;
	ino_t ino;
	struct dloop_watch watch;
};

/* The cursor as the source gave it (premultiplied ARGB), for the peers to
 * convert when they see a new serial. */
struct rdp_cursor {
	uint64_t serial;            /* shape changes */
	uint32_t w, h, hot_x, hot_y;
	uint32_t argb[SURFACE_CURSOR_MAX * SURFACE_CURSOR_MAX];
	uint64_t pos_serial;
	int32_t x, y;
	int visible;
};

struct rdp_peer;

struct rdp_server {
	struct dloop *loop;
	struct inputq *q;
	const uint8_t *fb;
	char name[SURFACE_NAME_MAX + 1];
	char run_base[PATH_MAX];
	char cert[PATH_MAX], key[PATH_MAX];

	struct rdp_listener unix_l, tcp_l;
	struct dloop_timer recheck;  /* the unix socket is still ours */
	int accepting;
	char tcp_addr[96];

	pthread_mutex_t lock;        /* everything below */
	pthread_cond_t cond;
	struct rdp_peer *peers;
	int npeers;
	int logons;                  /* peers not logged on yet */
	uint32_t width, height;      /* the framebuffer now */
	uint64_t geometry;           /* bumped by each resize */
	struct rdp_cursor cursor;
	/* The guest's lock keys as RDP clients left them (1 Scroll, 2 Num,
	 * 4 Caps, as KBD_SYNC_*): the synchronize event's reference. */
	uint32_t lock_keys;

	atomic_int authed;           /* clients past logon */
	atomic_int stopping;
};

enum rdp_path {
	RDP_PATH_NONE,              /* not active yet, or waiting for rdpgfx */
	RDP_PATH_AVC,               /* RDPGFX, AVC420 from our encoder */
	RDP_PATH_GFX_PLANAR,        /* RDPGFX without H.264: planar */
	RDP_PATH_BITMAP,            /* no RDPGFX: planar bitmap updates */
};

/* What a pointer device's state is on this client, for releasing it. */
struct rdp_mouse {
	uint32_t buttons;           /* SOURCE_BTN_* held */
	int32_t wheel_v, wheel_h;   /* rotation not yet a whole step */
	uint32_t x, y;
	uint64_t moved_ms;          /* last motion from the client */
};

struct rdp_peer {
	struct rdp_server *r;
	struct rdp_peer *next;
	freerdp_peer *client;
	int fd;
	char addr[80];              /* "127.0.0.1:40000", "@porthole-gw/PID/ID",
				     * "unix": logs, and the auth source */
	uint64_t started_ms;

	HANDLE wake;                /* main thread, channel threads -> us */
	HANDLE vcm;
	RdpgfxServerContext *gfx;
	DispServerContext *disp;
	int channels;               /* the dynamic channels were opened */
	int disp_id;            /* the disp channel's id */
	uint64_t activated_ms, gfx_open_ms;
	int suppressed;             /* the client asked for no updates */

	/* Set by the main thread under r->lock. */
	struct enc_damage pending;  /* damage since the peer last looked */

	/* From FreeRDP's channel threads. */
	atomic_int gfx_caps;        /* 0 not yet, 1 AVC420, 2 no H.264, -1 refused */
	atomic_uint_fast64_t acked; /* last frame acknowledged */
	atomic_int acks_suspended;

	/* The peer thread's own. */
	int authed, activated;
	int reactivating;           /* a Deactivate All went out */
	int counted;                /* in r->authed */
	int said;                   /* a log line said why it ends */
	char user[64];
	enum rdp_path path;
	uint32_t width, height;     /* what the client was told */
	uint64_t geometry;
	uint16_t surface_id;
	int surface;                /* the GFX surface exists */
	struct enc *enc;
	struct enc_damage damage;   /* planar paths: what to send next */
	uint64_t frame_id;          /* last RDPGFX frame sent */
	uint64_t frame_base;        /* frame_id when the encoder was opened */
	BITMAP_PLANAR_CONTEXT *planar;
	uint64_t cursor_serial, pos_serial;
	int cursor_hidden;          /* sent SYSPTR_NULL */
	uint64_t frames, bytes;
	/* Time to make a frame (encode, or compress), 0.1 ms buckets: the
	 * client's last log line gives its p50 and p99. */
	uint32_t make_hist[RDP_HIST_BUCKETS];

	struct keymap_state kbd;
	struct rdp_mouse mouse;
	int pause_pending;          /* Pause's second half is due */
	uint16_t uni_shift;         /* the Unicode letter we added Shift for */
};

/* rdp.c */
void rdp_peer_done(struct rdp_server *r, struct rdp_peer *p);
uint64_t rdp_now_us(void);
/* A frame took since_us to make: counted, for the figures at the end. */
void rdp_frame_made(struct rdp_peer *p, uint64_t since_us, size_t bytes);
void rdp_log(struct rdp_peer *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* rdp_listen.c */
int rdp_listen_start(struct rdp_server *r, const char *unix_path,
		     const char *tcp, char *err, size_t errlen);
void rdp_listen_stop(struct rdp_server *r);

/* rdp_peer.c: a new connection (fd owned by the call). */
void rdp_peer_start(struct rdp_server *r, int fd, const char *addr);

/* rdp_auth.c: the Client Info PDU's credentials against the gateway's
 * auth service; on refusal the client gets a logon error. 0 or -1. */
int rdp_auth_check(struct rdp_peer *p);

/* rdp_gfx.c */
int rdp_gfx_open(struct rdp_peer *p);
void rdp_gfx_close(struct rdp_peer *p);
/* The client's caps are in: create the surface (and the encoder). */
int rdp_gfx_start(struct rdp_peer *p);
/* Send what changed, as far as the client's acknowledgements allow. */
int rdp_gfx_send(struct rdp_peer *p);

/* rdp_bitmap.c: clients without RDPGFX. */
int rdp_bitmap_send(struct rdp_peer *p);
/* r of the framebuffer as planar data (malloc'ed), rows top-down for
 * RDPGFX or bottom-up for bitmap updates. */
BYTE *rdp_planar(struct rdp_peer *p, const struct enc_rect *r, int topdown,
		 UINT32 *len);
void rdp_bitmap_free(struct rdp_peer *p);

/* rdp_input.c */
void rdp_input_register(struct rdp_peer *p);
void rdp_input_release(struct rdp_peer *p);

/* rdp_cursor.c: a new shape or position for this client, if any. */
int rdp_cursor_send(struct rdp_peer *p);

#endif
