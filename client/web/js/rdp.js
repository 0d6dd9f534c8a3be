// SPDX-License-Identifier: MIT
// "Download .rdp": a file that opens the VM in mstsc or xfreerdp through
// the gateway. It carries a ticket that lives 60 s and opens one
// connection, so it is fetched when the button is pressed, never before.
import { api } from './api.js';

export const RDP_TITLE = 'Download a .rdp file to open this VM in Remote Desktop ' +
	'(mstsc, xfreerdp); open it within a minute';

// Whether the gateway says vm (an /api/vms entry) can be reached by RDP.
export function servesRdp(vm) {
	return vm?.state === 'running' && (vm.protocols ?? []).includes('rdp');
}

// Fetches NAME.rdp and hands it to the browser as a download. Throws the
// API's error (its message is for people).
export async function downloadRdp(name) {
	const blob = await api.rdpFile(name);
	const url = URL.createObjectURL(blob);
	const a = document.createElement('a');
	a.href = url;
	a.download = `${name}.rdp`;
	a.hidden = true;
	document.body.append(a);
	a.click();
	a.remove();
	// The download has started from the object URL; let it finish first.
	setTimeout(() => URL.revokeObjectURL(url), 60000);
}
