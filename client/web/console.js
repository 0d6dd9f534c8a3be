// SPDX-License-Identifier: MIT
// The Porthole console: opens an RFB connection (noVNC) to the ws:// URL in
// the page's `url` query parameter and shows the VM's screen at 1:1, or
// scaled to the window with `scale=1`. State is on <body data-state>:
// loading, connecting, connected, disconnected, failed.
import RFB from './novnc/core/rfb.js';

const params = new URLSearchParams(window.location.search);
const status = document.getElementById('status');

function setState(state, text) {
	document.body.dataset.state = state;
	status.textContent = text;
}

function connect(url) {
	const rfb = new RFB(document.getElementById('screen'), url, {
		wsProtocols: ['binary'],
	});

	rfb.scaleViewport = params.get('scale') === '1';
	rfb.focusOnClick = true;
	rfb.addEventListener('connect', () => setState('connected', 'Connected'));
	rfb.addEventListener('disconnect', (e) => {
		setState(e.detail.clean ? 'disconnected' : 'failed',
			e.detail.clean ? 'Disconnected' : 'Connection failed');
	});
	rfb.addEventListener('securityfailure', (e) => {
		setState('failed', `Refused: ${e.detail.reason ?? 'security failure'}`);
	});
	rfb.addEventListener('desktopname', (e) => {
		document.title = `${e.detail.name} – Porthole`;
	});
	return rfb;
}

const url = params.get('url');
if (!url || !/^wss?:\/\//.test(url)) {
	setState('failed', 'No VNC endpoint: open this page with ?url=ws://HOST:PORT/');
} else {
	setState('connecting', `Connecting to ${url}…`);
	// For tests and the browser console: the live RFB object.
	window.porthole = { rfb: connect(url) };
}
