// SPDX-License-Identifier: MIT
// noVNC set up the way both the console and the thumbnails use it. The
// gateway relays binary WebSocket messages to the VM's display and echoes
// the "binary" subprotocol; the ticket in the URL was the authentication,
// so the display offers security None and noVNC asks for nothing.
import RFB from '@novnc/novnc';

// target: the element noVNC fills; url: from consoleUrl(), used once.
export function openScreen(target, url, { viewOnly = false, quality = 6, compression = 2 } = {}) {
	const rfb = new RFB(target, url, { wsProtocols: ['binary'], shared: true });
	rfb.viewOnly = viewOnly;
	rfb.focusOnClick = !viewOnly;
	rfb.scaleViewport = true;
	rfb.resizeSession = false;
	rfb.qualityLevel = quality;
	rfb.compressionLevel = compression;
	rfb.background = 'transparent';
	return rfb;
}

// Retry delays after a failure: 1 s doubling to 30 s.
export function backoff(failures) {
	return Math.min(30000, 1000 * 2 ** Math.min(failures, 5));
}
