// SPDX-License-Identifier: MIT
// A VM's live thumbnail: a view-only noVNC connection, scaled down, at
// low JPEG quality. Each connection costs a ticket. It is open only while
// it is wanted: the VM runs, its card is on screen and the tab is visible
// (the list sets `wanted`); a lost one comes back with backoff.
import { consoleUrl } from './api.js';
import { backoff, openScreen } from './vnc.js';

export class Thumbnail {
	// screen: the element noVNC fills; onState(state): 'off', 'connecting',
	// 'live' or 'failed', for the card; onAuth(): the session ended.
	constructor(vm, screen, onState, onAuth) {
		this.vm = vm;
		this.screen = screen;
		this.onState = onState;
		this.onAuth = onAuth;
		this.rfb = null;
		this.gen = 0;          // bumped on every stop: stale awaits give up
		this.failures = 0;
		this.timer = null;
		this.want = false;
		this.onState('off');
	}

	set wanted(want) {
		if (want === this.want)
			return;
		this.want = want;
		if (want) {
			this.failures = 0;
			this.connect();
		} else {
			this.stop();
			this.onState('off');
		}
	}

	async connect() {
		const gen = ++this.gen;
		this.onState('connecting');
		let url;
		try {
			url = await consoleUrl(this.vm);
		} catch (e) {
			if (gen !== this.gen)
				return;
			if (e.status === 401) {
				this.onAuth();
				return;
			}
			this.retry();
			return;
		}
		if (gen !== this.gen)
			return;
		const rfb = openScreen(this.screen, url, { viewOnly: true, quality: 1, compression: 9 });
		this.rfb = rfb;
		rfb.addEventListener('connect', () => {
			this.failures = 0;
			this.onState('live');
		});
		rfb.addEventListener('disconnect', () => {
			if (this.rfb !== rfb)
				return;    // stopped on purpose
			this.rfb = null;
			this.retry();
		});
	}

	retry() {
		this.onState('failed');
		clearTimeout(this.timer);
		this.timer = setTimeout(() => {
			if (this.want)
				this.connect();
		}, backoff(this.failures++));
	}

	stop() {
		this.gen++;
		clearTimeout(this.timer);
		const rfb = this.rfb;
		this.rfb = null;
		rfb?.disconnect();
	}
}
