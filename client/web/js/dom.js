// SPDX-License-Identifier: MIT
// Small DOM helpers: views are <template>s in index.html, cloned here.
import { fillIcons } from './icons.js';

// A fresh copy of template #id's element, its icons drawn.
export function clone(id) {
	const t = document.getElementById(id);
	const el = t.content.firstElementChild.cloneNode(true);
	fillIcons(el);
	return el;
}

// The one element matching sel under root; a template and its code
// disagreeing is a bug worth a loud error, not a silent null.
export function $(root, sel) {
	const el = root.querySelector(sel);
	if (!el)
		throw new Error(`porthole: no ${sel} in the view`);
	return el;
}

// Listeners a view adds outside its own element (window, document), so
// that destroying the view removes every one of them.
export class Listeners {
	constructor() {
		this.list = [];
	}

	on(target, type, fn, opts) {
		target.addEventListener(type, fn, opts);
		this.list.push(() => target.removeEventListener(type, fn, opts));
	}

	clear() {
		for (const off of this.list.splice(0))
			off();
	}
}

export function setTitle(what) {
	document.title = what ? `${what} – Porthole` : 'Porthole';
}
