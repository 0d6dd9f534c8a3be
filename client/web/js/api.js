// SPDX-License-Identifier: MIT
// The gateway's JSON API (docs/gateway.md): the session is an HttpOnly
// cookie the browser keeps, so nothing here stores a secret.

export class ApiError extends Error {
	constructor(status, message, body) {
		super(message);
		this.status = status;      // 0: the gateway could not be reached
		this.body = body ?? {};
	}
}

// What to say when the answer has no "error" of its own.
function fallbackMessage(status) {
	if (status === 401)
		return 'Your session has ended. Log in again.';
	if (status === 404)
		return 'Not found.';
	if (status === 429)
		return 'Too many attempts. Try again later.';
	if (status >= 500)
		return `The gateway could not answer (HTTP ${status}).`;
	return `The gateway refused the request (HTTP ${status}).`;
}

// as: 'json' (the answer parsed) or 'blob' (a file, when the answer is 2xx).
async function request(method, path, body, as = 'json') {
	const init = { method, credentials: 'same-origin', cache: 'no-store', headers: {} };
	if (body !== undefined) {
		// The gateway takes state changes only as JSON POSTs (its CSRF rule).
		init.headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(body);
	}
	let res;
	try {
		res = await fetch(path, init);
	} catch {
		throw new ApiError(0, 'Cannot reach the Porthole gateway: check your network ' +
			'connection.');
	}
	if (res.ok && as === 'blob')
		return res.blob();
	let data = null;
	if (res.status !== 204) {
		try {
			data = await res.json();
		} catch {
			data = null;
		}
	}
	if (!res.ok) {
		const msg = typeof data?.error === 'string' && data.error ? data.error
			: fallbackMessage(res.status);
		throw new ApiError(res.status, msg, data);
	}
	return data;
}

const vmPath = (name) => `/api/vms/${encodeURIComponent(name)}`;

export const api = {
	me: () => request('GET', '/api/me'),
	login: (user, password, totp) => request('POST', '/api/login',
		totp ? { user, password, totp } : { user, password }),
	logout: () => request('POST', '/api/logout', {}),
	vms: async () => (await request('GET', '/api/vms'))?.vms ?? [],
	ticket: (name) => request('POST', `${vmPath(name)}/ticket`, { protocol: 'vnc' }),
	// A .rdp file with a fresh RDP ticket (docs/gateway.md, "The .rdp file").
	rdpFile: (name) => request('GET', `${vmPath(name)}/rdp`, undefined, 'blob'),
};

// The WebSocket address of a VM's console for a fresh ticket: the API
// answers a path on this origin ("/vnc/NAME?ticket=..."), wss:// on https.
export async function consoleUrl(name) {
	const t = await api.ticket(name);
	const path = t?.url ?? `/vnc/${encodeURIComponent(name)}?ticket=${encodeURIComponent(t.ticket)}`;
	const url = new URL(path, window.location.href);
	url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
	return url.href;
}
