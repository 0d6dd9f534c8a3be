// SPDX-License-Identifier: MIT
// The log-in form. The TOTP field appears only once the gateway says the
// password was right and a code is needed (totp_required), so a user
// without TOTP never sees it.
import { api } from './api.js';
import { $, clone, setTitle } from './dom.js';

export class LoginView {
	constructor(app, message, kind) {
		this.app = app;
		this.busy = false;
		this.el = clone('t-login');
		this.form = $(this.el, 'form');
		this.msg = $(this.el, '.msg');
		this.user = this.form.elements.user;
		this.password = this.form.elements.password;
		this.totp = this.form.elements.totp;
		this.totpField = $(this.el, '.totp');
		this.submitBtn = $(this.el, 'button[type=submit]');
		this.form.addEventListener('submit', (e) => {
			e.preventDefault();
			this.submit();
		});
		this.say(message, kind);
		setTitle('Log in');
	}

	mounted() {
		(this.user.value ? this.password : this.user).focus();
	}

	destroy() {}

	// kind: 'info' or 'error' (styles the message).
	say(text, kind = 'error') {
		this.msg.textContent = text ?? '';
		this.msg.dataset.kind = kind;
		this.msg.hidden = !text;
	}

	setBusy(busy) {
		this.busy = busy;
		this.form.setAttribute('aria-busy', String(busy));
		this.submitBtn.disabled = busy;
		this.submitBtn.textContent = busy ? 'Logging in…' : 'Log in';
	}

	async submit() {
		if (this.busy)
			return;
		const user = this.user.value.trim();
		const password = this.password.value;
		const totp = this.totpField.hidden ? '' : this.totp.value.replace(/\s+/g, '');
		if (!user || !password) {
			this.say('Enter your user name and password.');
			(user ? this.password : this.user).focus();
			return;
		}
		if (!this.totpField.hidden && !totp) {
			this.say('Enter the code from your authenticator app.');
			this.totp.focus();
			return;
		}
		this.setBusy(true);
		let me;
		try {
			me = await api.login(user, password, totp);
		} catch (e) {
			this.setBusy(false);
			this.refused(e, totp);
			return;
		}
		this.app.loggedIn(me);
	}

	refused(e, totpSent) {
		if (e.body?.totp_required) {
			// The password was right: ask for the code (again, if one
			// was sent and was wrong), keeping the password typed.
			this.totpField.hidden = false;
			this.totp.value = '';
			this.say(e.message, totpSent ? 'error' : 'info');
			this.totp.focus();
			return;
		}
		this.say(e.message, 'error');
		if (e.status === 401) {
			this.password.value = '';
			this.password.focus();
		}
	}
}
