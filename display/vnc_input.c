// SPDX-License-Identifier: MIT
/*
 * Input from VNC clients, on each client's own input thread: keysyms and
 * QEMU extended key events through the client's keymap state, pointer
 * events through rfbmsg.c, all into the display's inputq. A client that
 * goes away releases what it held.
 */
#include "vnc_priv.h"

#include <stdlib.h>
#include <string.h>

static void emit_key(void *opaque, uint16_t code, int down, uint32_t keysym,
		     uint32_t xt)
{
	struct vnc_server *v = opaque;
	struct input_event ev = { .kind = INPUT_KEY };

	ev.u.key = (struct source_key){ code, (uint8_t)!!down, keysym, xt };
	inputq_push(v->q, &ev);
}

static void push_buttons(struct vnc_server *v, uint32_t buttons)
{
	struct input_event ev = { .kind = INPUT_BUTTONS, .u.buttons = buttons };

	inputq_push(v->q, &ev);
}

static void kbd_event(rfbBool down, rfbKeySym keysym, rfbClientPtr cl)
{
	struct vnc_client *vc = cl->clientData;

	if (vc)
		keymap_keysym(&vc->kbd, keysym, down, emit_key, vc->v);
}

static void ptr_event(int mask, int x, int y, rfbClientPtr cl)
{
	struct vnc_client *vc = cl->clientData;
	struct rfb_pointer_out o;
	struct input_event ev;

	if (!vc || x < 0 || y < 0)
		return;
	rfb_pointer_event(&vc->ptr, (uint8_t)mask, (uint16_t)x, (uint16_t)y, &o);
	if (o.moved) {
		ev = (struct input_event){ .kind = INPUT_POINTER };
		ev.u.ptr.x = o.x;
		ev.u.ptr.y = o.y;
		inputq_push(vc->v->q, &ev);
	}
	if (o.buttons_changed)
		push_buttons(vc->v, o.buttons);
	if (o.wheel_v || o.wheel_h) {
		ev = (struct input_event){ .kind = INPUT_WHEEL };
		ev.u.wheel.v = o.wheel_v;
		ev.u.wheel.h = o.wheel_h;
		inputq_push(vc->v->q, &ev);
	}
}

static void client_gone(rfbClientPtr cl)
{
	struct vnc_client *vc = cl->clientData;
	struct vnc_server *v;

	if (!vc)
		return;
	v = vc->v;
	keymap_release_all(&vc->kbd, emit_key, v);
	if (rfb_pointer_held(&vc->ptr))
		push_buttons(v, 0);
	if (vc->counted)
		atomic_fetch_sub(&v->normal, 1);
	/* libvncserver 0.9.14 never frees the list rfbEnableExtension built, */
	while (cl->extensions) {
		rfbExtensionData *e = cl->extensions;

		cl->extensions = e->next;
		free(e);
	}
	/* Nor the WebSocket state (nothing reads it after this hook). */
	free(cl->wsctx);
	cl->wsctx = NULL;
	cl->clientData = NULL;
	free(vc);
	inputq_wake(v->q);
	pthread_mutex_lock(&v->lock);
	v->clients--;
	pthread_cond_broadcast(&v->cond);
	pthread_mutex_unlock(&v->lock);
}

/* On the client's input thread, before the request joins its region. */
static void update_request(rfbClientPtr cl, rfbFramebufferUpdateRequestMsg *m)
{
	rfb_fur_sanitize(&m->incremental, &m->x, &m->y, &m->w, &m->h,
			 cl->screen->width, cl->screen->height);
}

/* newClientHook: runs inside rfbNewClient, on the handshake thread. */
enum rfbNewClientAction vnc_new_client(rfbClientPtr cl)
{
	struct vnc_server *v = cl->screen->screenData;
	struct vnc_client *vc;

	if (atomic_load(&v->stopping))
		return RFB_CLIENT_REFUSE;
	vc = calloc(1, sizeof(*vc));
	if (!vc)
		return RFB_CLIENT_REFUSE;
	vc->v = v;
	keymap_init(&vc->kbd);
	cl->clientData = vc;
	cl->clientGoneHook = client_gone;
	cl->clientFramebufferUpdateRequestHook = update_request;
	pthread_mutex_lock(&v->lock);
	v->clients++;
	pthread_mutex_unlock(&v->lock);
	return RFB_CLIENT_ACCEPT;
}

/*
 * QEMU extended key events. A client lists pseudo-encoding -258; the server
 * answers with a rectangle of that encoding (that is how noVNC and
 * libvncclient learn they may send them), then messages 255/0 carry XT
 * scancodes. The answer goes out after the next update, on the output
 * thread: libvncserver's SupportedMessages rectangle (first update after
 * SetEncodings) would otherwise make libvncclient forget it again.
 */
static rfbBool qemu_enable(rfbClientPtr cl, void **data, int encoding)
{
	struct vnc_client *vc = cl->clientData;

	if (encoding != RFB_ENCODING_QEMU_EXT_KEY)
		return FALSE;
	if (vc)
		atomic_store(&vc->qemu_ack, 1);
	return TRUE;
}

/* displayFinishedHook: on the output thread, which holds sendMutex. */
static void update_sent(rfbClientPtr cl, int result)
{
	/* FramebufferUpdate, 1 rectangle: the screen (as QEMU does;
	 * libvncclient skips empty ones), encoding -258. */
	uint8_t ack[16] = { 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
			    0xff, 0xff, 0xfe, 0xfe };
	struct vnc_client *vc = cl->clientData;
	int w = cl->screen->width, h = cl->screen->height;

	if (!vc || !result || cl->enableSupportedMessages ||
	    !atomic_exchange(&vc->qemu_ack, 0))
		return;
	ack[8] = (uint8_t)(w >> 8);
	ack[9] = (uint8_t)w;
	ack[10] = (uint8_t)(h >> 8);
	ack[11] = (uint8_t)h;
	if (rfbWriteExact(cl, (const char *)ack, sizeof(ack)) < 0)
		rfbCloseClient(cl);
}

static rfbBool qemu_message(rfbClientPtr cl, void *data,
			    const rfbClientToServerMsg *msg)
{
	struct vnc_client *vc = cl->clientData;
	uint8_t sub, buf[RFB_QEMU_EXT_KEY_LEN];
	struct rfb_qemu_key k;
	int len;

	if (msg->type != RFB_MSG_QEMU)
		return FALSE;
	if (rfbReadExact(cl, (char *)&sub, 1) <= 0)
		goto drop;
	len = rfb_qemu_msg_len(sub);
	if (len < 0 || (size_t)len > sizeof(buf)) {
		rfbLog("QEMU client message %u is not supported\n", sub);
		goto drop;
	}
	if (rfbReadExact(cl, (char *)buf, len) <= 0 ||
	    rfb_parse_qemu_key(buf, (size_t)len, &k) < 0)
		goto drop;
	if (vc)
		keymap_xt(&vc->kbd, k.keycode, k.keysym, k.down, emit_key, vc->v);
	return TRUE;
drop:
	rfbCloseClient(cl);
	return TRUE;
}

void vnc_input_setup(struct vnc_server *v)
{
	rfbScreenInfoPtr s = v->screen;

	s->kbdAddEvent = kbd_event;
	s->ptrAddEvent = ptr_event;
	s->displayFinishedHook = update_sent;
	v->qemu_encodings[0] = RFB_ENCODING_QEMU_EXT_KEY;
	v->qemu_encodings[1] = 0;
	v->qemu_ext.pseudoEncodings = v->qemu_encodings;
	v->qemu_ext.enablePseudoEncoding = qemu_enable;
	v->qemu_ext.handleMessage = qemu_message;
	v->qemu_ext.next = NULL;
	rfbRegisterProtocolExtension(&v->qemu_ext);
}

void vnc_input_teardown(struct vnc_server *v)
{
	rfbUnregisterProtocolExtension(&v->qemu_ext);
}
