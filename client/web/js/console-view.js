// SPDX-License-Identifier: MIT
// A VM's console: noVNC scaled to the window under a toolbar (back, state,
// Ctrl+Alt+Del, full screen, shortcuts). Every connection, reconnects
// included, uses a ticket fetched just before it (tickets are single-use
// and live 60 s). A lost connection keeps its last frame, dimmed, under a
// message that says what happened, with Reconnect.
//
// <div class="console" data-state>: connecting, connected, disconnected.
import { api, consoleUrl } from './api.js';
import { $, Listeners, clone, setTitle } from './dom.js';
import { setIcon } from './icons.js';
import { RDP_TITLE, downloadRdp, servesRdp } from './rdp.js';
import { openScreen } from './vnc.js';

const REVEAL_PX = 6;        // full screen: the pointer this near the top shows the toolbar
const HIDE_DELAY_MS = 800;
const XK_DELETE = 0xffff;

export class ConsoleView {
	constructor(app, vm) {
		this.app = app;
		this.vm = vm;
		this.rfb = null;
		this.endIsDelete = false; // Ctrl+Alt+End pressed: Delete is down on the VM
		this.frame = null;       // noVNC's screen element while connected
		this.lastFrame = null;   // the same, kept after a disconnect
		this.destroyed = false;
		this.listeners = new Listeners();
		this.el = clone('t-console');
		this.screen = $(this.el, '.screen');
		this.connText = $(this.el, '.conn-text');
		this.overlay = $(this.el, '.overlay');
		this.helpBtn = $(this.el, '.help');
		this.helpPop = $(this.el, '.help-pop');
		this.fsBtn = $(this.el, '.fullscreen');
		$(this.el, '.tb-title .vm-name').textContent = vm;
		setTitle(vm);

		for (const b of this.el.querySelectorAll('.back'))
			b.addEventListener('click', () => app.go('#/'));
		$(this.el, '.reconnect').addEventListener('click', () => this.connect());
		$(this.el, '.cad').addEventListener('click', () => this.ctrlAltDel());
		this.fsBtn.addEventListener('click', () => this.toggleFullscreen());
		this.helpBtn.addEventListener('click', () => this.showHelp(this.helpPop.hidden));
		this.bindRdp();
		this.bindFullscreen();
		// Capture phase: before noVNC's handlers on its canvas, so these
		// keys work the client and never reach the VM.
		const keys = (e) => this.shortcut(e);
		this.listeners.on(window, 'keydown', keys, true);
		this.listeners.on(window, 'keyup', keys, true);
		this.listeners.on(window, 'blur', () => {
			if (this.endIsDelete)
				this.sendDelete(false);
		});
		this.listeners.on(document, 'pointerdown', (e) => {
			if (!this.helpPop.hidden && !this.helpPop.contains(e.target) &&
			    !this.helpBtn.contains(e.target))
				this.showHelp(false);
		});
		this.connect();
	}

	// "Download .rdp", shown when the gateway says the VM serves RDP.
	bindRdp() {
		const btn = $(this.el, '.tb.rdp');
		const toast = $(this.el, '.toast');
		btn.title = RDP_TITLE;
		btn.addEventListener('click', async () => {
			try {
				await downloadRdp(this.vm);
			} catch (e) {
				if (e.status === 401) {
					this.app.sessionEnded();
					return;
				}
				toast.textContent = `Could not make a .rdp file. ${e.message}`;
				toast.hidden = false;
				clearTimeout(this.toastTimer);
				this.toastTimer = setTimeout(() => { toast.hidden = true; }, 6000);
			}
		});
		api.vms().then((vms) => {
			if (!this.destroyed)
				btn.hidden = !servesRdp(vms.find((v) => v.name === this.vm));
		}, () => {});
	}

	setState(state, text) {
		this.el.dataset.state = state;
		this.connText.textContent = text;
	}

	async connect() {
		this.close();
		this.overlay.hidden = true;
		this.setState('connecting', 'Connecting…');
		const gen = this.gen;
		let url;
		try {
			url = await consoleUrl(this.vm);
		} catch (e) {
			if (this.destroyed || gen !== this.gen)
				return;
			if (e.status === 401) {
				this.app.sessionEnded();
				return;
			}
			this.failed('Could not connect', e.status === 404
				? `There is no VM called “${this.vm}” that you may reach.` : e.message,
				e.status !== 404);
			return;
		}
		if (this.destroyed || gen !== this.gen)
			return;

		const rfb = openScreen(this.screen, url);
		this.rfb = rfb;
		let connected = false;
		let refusal = null;
		rfb.addEventListener('connect', () => {
			connected = true;
			this.dropLastFrame();
			this.frame = this.screen.lastElementChild;   // noVNC's
			this.setState('connected', 'Connected');
			rfb.focus();
		});
		rfb.addEventListener('securityfailure', (e) => {
			refusal = e.detail.reason || 'no reason given';
		});
		rfb.addEventListener('disconnect', (e) => {
			if (this.rfb !== rfb)
				return;    // closed on purpose
			this.rfb = null;
			this.lost(connected, e.detail.clean, refusal);
		});
	}

	// Ends the current connection, if any, without reporting it.
	close() {
		this.gen = (this.gen ?? 0) + 1;
		const rfb = this.rfb;
		this.rfb = null;
		this.frame = null;
		rfb?.disconnect();
	}

	// noVNC takes its screen element out of ours when it disconnects; put
	// it back, inert and dimmed, so the user still sees where they were.
	keepLastFrame() {
		this.dropLastFrame();
		if (!this.frame)
			return;
		this.lastFrame = this.frame;
		this.frame = null;
		this.lastFrame.classList.add('stale');
		this.screen.prepend(this.lastFrame);
	}

	dropLastFrame() {
		this.lastFrame?.remove();
		this.lastFrame = null;
	}

	async lost(wasConnected, clean, refusal) {
		if (wasConnected)
			this.keepLastFrame();
		let title, msg;
		if (refusal) {
			title = 'Connection refused';
			msg = `The VM's display refused the connection: ${refusal}.`;
		} else if (!wasConnected) {
			title = 'Could not connect';
			msg = 'The gateway could not open the VM\'s screen.';
		} else if (clean) {
			title = 'Disconnected';
			msg = 'The connection to the VM\'s screen was closed.';
		} else {
			title = 'Connection lost';
			msg = 'The connection to the VM was interrupted. Check your network ' +
				'connection, then reconnect.';
		}
		this.setState('disconnected', 'Disconnected');
		// Say whether the VM itself is the reason.
		const gen = this.gen;
		let vm, gone = false;
		try {
			vm = (await api.vms()).find((v) => v.name === this.vm);
			gone = !vm;
		} catch (e) {
			if (e.status === 401 && !this.destroyed) {
				this.app.sessionEnded();
				return;
			}
		}
		if (this.destroyed || gen !== this.gen)
			return;
		if (gone)
			this.failed(title, 'You may no longer reach this VM.', false);
		else if (vm?.state === 'stopped')
			this.failed(title, `${msg} The VM is not running now; reconnect once it is.`, true);
		else
			this.failed(title, `${msg}${wasConnected ? '' : ' The VM may still be starting; try again in a moment.'}`, true);
	}

	failed(title, msg, canRetry) {
		this.setState('disconnected', 'Disconnected');
		$(this.overlay, '.overlay-title').textContent = title;
		$(this.overlay, '.overlay-msg').textContent = msg;
		const again = $(this.overlay, '.reconnect');
		again.hidden = !canRetry;
		this.overlay.hidden = false;
		(canRetry ? again : $(this.overlay, '.back')).focus();
	}

	ctrlAltDel() {
		if (!this.rfb)
			return;
		this.rfb.sendCtrlAltDel();
		this.rfb.focus();
	}

	// --- keyboard shortcuts (listed in the help popover) ---

	shortcut(e) {
		const down = e.type === 'keydown';
		const mods = e.ctrlKey || e.altKey || e.shiftKey || e.metaKey;
		if (e.code === 'F11' && !mods) {
			if (down && !e.repeat)
				this.toggleFullscreen();
		} else if (e.code === 'End' && ((e.ctrlKey && e.altKey) || this.endIsDelete)) {
			// Ctrl and Alt already went to the VM as the user holds
			// them; End becomes Delete, released with End whatever
			// the modifiers are by then.
			if (!e.repeat && (down || this.endIsDelete))
				this.sendDelete(down);
		} else if (e.key === 'Escape' && !this.helpPop.hidden) {
			if (down)
				this.showHelp(false);
		} else {
			return;
		}
		// Both the press and the release are the client's: the VM sees
		// neither (noVNC drops a release it never saw pressed).
		e.preventDefault();
		e.stopImmediatePropagation();
	}

	sendDelete(down) {
		this.endIsDelete = down;
		this.rfb?.sendKey(XK_DELETE, 'Delete', down);
	}

	showHelp(show) {
		this.helpPop.hidden = !show;
		this.helpBtn.setAttribute('aria-expanded', String(show));
		if (!show)
			this.rfb?.focus();
	}

	// --- full screen ---

	bindFullscreen() {
		let hideTimer = null;
		const toolbar = $(this.el, '.toolbar');
		this.listeners.on(document, 'fullscreenchange', () => {
			const on = document.fullscreenElement === this.el;
			this.el.classList.toggle('fs', on);
			this.el.classList.remove('reveal');
			setIcon(this.fsBtn.querySelector('[data-icon]'), on ? 'compress' : 'expand');
			this.fsBtn.title = on ? 'Leave full screen (F11)' : 'Full screen (F11)';
			// Chromium: keys such as Esc, Alt+Tab and Ctrl+W go to the VM
			// while in full screen; holding Esc leaves it.
			if (on)
				navigator.keyboard?.lock?.().catch(() => {});
			else
				navigator.keyboard?.unlock?.();
			this.rfb?.focus();
		});
		this.el.addEventListener('pointermove', (e) => {
			if (!this.el.classList.contains('fs'))
				return;
			if (e.clientY <= REVEAL_PX || toolbar.contains(e.target)) {
				clearTimeout(hideTimer);
				this.el.classList.add('reveal');
			} else if (this.el.classList.contains('reveal') && this.helpPop.hidden) {
				clearTimeout(hideTimer);
				hideTimer = setTimeout(() => this.el.classList.remove('reveal'), HIDE_DELAY_MS);
			}
		});
	}

	toggleFullscreen() {
		if (document.fullscreenElement)
			document.exitFullscreen().catch(() => {});
		else
			this.el.requestFullscreen({ navigationUI: 'hide' }).catch(() => {});
	}

	destroy() {
		this.destroyed = true;
		clearTimeout(this.toastTimer);
		this.close();
		this.listeners.clear();
		if (document.fullscreenElement === this.el)
			document.exitFullscreen().catch(() => {});
	}
}
