// SPDX-License-Identifier: MIT
// The Porthole web client: which view shows, and the session around them.
// Routes live in the URL's fragment (the gateway serves files, not routes):
//   #/          My VMs
//   #/vm/NAME   NAME's console
// Logged out, every route shows the log-in form first and then itself.
// <body data-view> says which view is up (login, vms, console), for the
// stylesheet and for tests.
import { api } from './api.js';
import { ConsoleView } from './console-view.js';
import { LoginView } from './login.js';
import { VmsView } from './vms.js';

class App {
	constructor(root) {
		this.root = root;
		this.view = null;
		this.user = null;  // {user, admin} from the gateway
	}

	async start() {
		window.addEventListener('hashchange', () => this.route());
		try {
			this.user = await api.me();
		} catch (e) {
			this.showLogin(e.status === 401 ? '' : e.message, 'error');
			return;
		}
		this.route();
	}

	show(view, name) {
		this.view?.destroy();
		this.view = view;
		document.body.dataset.view = name;
		this.root.replaceChildren(view.el);
		view.mounted?.();
	}

	route() {
		if (!this.user) {
			if (!(this.view instanceof LoginView))
				this.showLogin();
			return;
		}
		const m = /^#\/vm\/([^/]+)$/.exec(window.location.hash);
		if (m)
			this.show(new ConsoleView(this, decodeURIComponent(m[1])), 'console');
		else
			this.show(new VmsView(this), 'vms');
	}

	go(hash) {
		if (window.location.hash === hash)
			this.route();
		else
			window.location.hash = hash;
	}

	open(vm) {
		this.go(`#/vm/${encodeURIComponent(vm)}`);
	}

	showLogin(message = '', kind = 'info') {
		this.user = null;
		this.show(new LoginView(this, message, kind), 'login');
	}

	loggedIn(user) {
		this.user = user;
		this.route();
	}

	// Any API call answered 401 outside the log-in form.
	sessionEnded() {
		this.showLogin('Your session has ended. Log in again.', 'info');
	}

	async logout() {
		// Thumbnails and consoles close before the session they use.
		this.view?.destroy();
		this.view = null;
		try {
			await api.logout();
		} catch {
			// Logged out either way: the cookie is gone or no longer valid.
		}
		if (window.location.hash)
			window.history.replaceState(null, '', window.location.pathname);
		this.showLogin('You have logged out.', 'info');
	}
}

const app = new App(document.getElementById('app'));
app.start();
