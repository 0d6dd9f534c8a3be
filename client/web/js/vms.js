// SPDX-License-Identifier: MIT
// "My VMs": the VMs the gateway says this user may reach, with their state
// and a live thumbnail for each running one. The list is asked again every
// few seconds so that VMs starting and stopping show without a reload;
// cards are kept (and their thumbnails stay connected) across refreshes.
import { api } from './api.js';
import { $, Listeners, clone, setTitle } from './dom.js';
import { RDP_TITLE, downloadRdp, servesRdp } from './rdp.js';
import { Thumbnail } from './thumb.js';

const REFRESH_MS = 5000;

// What a running VM's thumbnail says while it has no picture.
const THUMB_TEXT = {
	off: '',
	connecting: 'Connecting…',
	live: '',
	failed: 'No picture yet',
};

class VmCard {
	constructor(view, vm) {
		this.view = view;
		this.name = vm.name;
		this.visible = false;
		this.el = clone('t-vm-card');
		this.el.dataset.vm = vm.name;
		$(this.el, '.vm-name').textContent = vm.name;
		this.stateText = $(this.el, '.state-text');
		this.thumbText = $(this.el, '.thumb-text');
		this.openBtn = $(this.el, '.open');
		this.openBtn.setAttribute('aria-label', `Open ${vm.name}`);
		const thumbBtn = $(this.el, '.thumb');
		thumbBtn.setAttribute('aria-label', `Open ${vm.name}`);
		for (const b of [this.openBtn, thumbBtn])
			b.addEventListener('click', () => view.app.open(this.name));
		this.rdpBtn = $(this.el, '.rdp');
		this.rdpBtn.title = RDP_TITLE;
		this.rdpBtn.setAttribute('aria-label', `Download a .rdp file for ${vm.name}`);
		this.rdpBtn.addEventListener('click', () => view.download(this.name));
		this.thumb = new Thumbnail(vm.name, $(this.el, '.thumb-screen'), (s) => {
			this.el.dataset.thumb = s;
			this.thumbText.textContent = this.running ? THUMB_TEXT[s] : 'Stopped';
		}, () => view.app.sessionEnded());
		this.update(vm);
	}

	update(vm) {
		this.running = vm.state === 'running';
		this.el.dataset.state = this.running ? 'running' : 'stopped';
		this.stateText.textContent = this.running ? 'Running' : 'Stopped';
		this.openBtn.disabled = !this.running;
		this.openBtn.title = this.running ? '' : 'This VM is stopped';
		this.rdpBtn.hidden = !servesRdp(vm);
		$(this.el, '.thumb').disabled = !this.running;
		this.sync();
	}

	sync() {
		this.thumb.wanted = this.running && this.visible && !document.hidden;
		if (!this.running)
			this.thumbText.textContent = 'Stopped';
	}

	destroy() {
		this.thumb.wanted = false;
	}
}

export class VmsView {
	constructor(app) {
		this.app = app;
		this.cards = new Map();
		this.timer = null;
		this.destroyed = false;
		this.listeners = new Listeners();
		this.el = clone('t-vms');
		this.grid = $(this.el, '.vm-grid');
		this.count = $(this.el, '.count');
		this.notice = $(this.el, '.notice');
		this.empty = $(this.el, '.empty');
		$(this.el, '.user-name').textContent = app.user?.user ?? '';
		$(this.el, '.logout').addEventListener('click', () => app.logout());
		this.count.textContent = 'Loading…';
		// Thumbnails connect only for cards on screen.
		this.observer = new IntersectionObserver((entries) => {
			for (const e of entries) {
				const card = this.cards.get(e.target.dataset.vm);
				if (card) {
					card.visible = e.isIntersecting;
					card.sync();
				}
			}
		});
		this.listeners.on(document, 'visibilitychange', () => {
			for (const card of this.cards.values())
				card.sync();
		});
		setTitle('My VMs');
		this.refresh();
	}

	async refresh() {
		clearTimeout(this.timer);
		try {
			const vms = await api.vms();
			if (this.destroyed)
				return;
			this.render(vms);
			this.notice.hidden = true;
		} catch (e) {
			if (this.destroyed)
				return;
			if (e.status === 401) {
				this.app.sessionEnded();
				return;
			}
			this.notice.textContent = `Could not load your VMs. ${e.message} ` +
				'Trying again every few seconds.';
			this.notice.hidden = false;
			if (!this.cards.size)
				this.count.textContent = '';
		}
		this.timer = setTimeout(() => this.refresh(), REFRESH_MS);
	}

	async download(name) {
		try {
			await downloadRdp(name);
		} catch (e) {
			if (e.status === 401) {
				this.app.sessionEnded();
				return;
			}
			this.notice.textContent = `Could not make a .rdp file for ${name}. ${e.message}`;
			this.notice.hidden = false;
		}
	}

	render(vms) {
		const names = new Set();
		const sorted = [...vms].sort((a, b) => a.name.localeCompare(b.name));
		for (const [i, vm] of sorted.entries()) {
			names.add(vm.name);
			let card = this.cards.get(vm.name);
			if (card) {
				card.update(vm);
			} else {
				card = new VmCard(this, vm);
				this.cards.set(vm.name, card);
				this.observer.observe(card.el);
			}
			const at = this.grid.children[i] ?? null;
			if (at !== card.el)
				this.grid.insertBefore(card.el, at);   // into sorted place
		}
		for (const [name, card] of this.cards) {
			if (!names.has(name)) {
				this.observer.unobserve(card.el);
				card.destroy();
				card.el.remove();
				this.cards.delete(name);
			}
		}
		const running = sorted.filter((vm) => vm.state === 'running').length;
		this.count.textContent = sorted.length
			? `${sorted.length} ${sorted.length === 1 ? 'VM' : 'VMs'} · ${running} running` : '';
		this.empty.hidden = sorted.length > 0;
	}

	destroy() {
		this.destroyed = true;
		clearTimeout(this.timer);
		this.observer.disconnect();
		this.listeners.clear();
		for (const card of this.cards.values())
			card.destroy();
	}
}
