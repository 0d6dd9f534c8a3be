// SPDX-License-Identifier: MIT
// The client's icons: 24x24 stroked SVG, drawn here so the page needs no
// icon font and makes no request for them. <span data-icon="NAME"> in a
// template becomes that icon.

const ICONS = {
	logo: '<circle cx="12" cy="12" r="10"/><circle cx="12" cy="12" r="5.5" ' +
		'fill="currentColor" fill-opacity=".25"/><path d="M12 2v2M12 20v2M2 12h2M20 12h2"/>',
	user: '<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4 3.6-6 8-6s8 2 8 6"/>',
	monitor: '<rect x="2" y="3" width="20" height="14" rx="2"/><path d="M8 21h8M12 17v4"/>',
	power: '<path d="M12 2v9"/><path d="M18.4 6.6a9 9 0 1 1-12.8 0"/>',
	back: '<path d="M15 18l-6-6 6-6"/>',
	keyboard: '<rect x="2" y="5" width="20" height="14" rx="2"/>' +
		'<path d="M6 9h.01M10 9h.01M14 9h.01M18 9h.01M6 13h.01M10 13h.01M14 13h.01' +
		'M18 13h.01M8 16h8"/>',
	expand: '<path d="M8 3H3v5M16 3h5v5M21 16v5h-5M3 16v5h5"/>',
	compress: '<path d="M3 8h5V3M21 8h-5V3M16 21v-5h5M8 21v-5H3"/>',
	help: '<circle cx="12" cy="12" r="10"/><path d="M9.1 9a3 3 0 0 1 5.8 1c0 2-3 3-3 3"/>' +
		'<path d="M12 17h.01"/>',
	alert: '<circle cx="12" cy="12" r="10"/><path d="M12 7v6M12 17h.01"/>',
	download: '<path d="M12 3v12M7 10l5 5 5-5M4 21h16"/>',
};

export function icon(name) {
	const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
	svg.setAttribute('viewBox', '0 0 24 24');
	svg.setAttribute('aria-hidden', 'true');
	svg.setAttribute('class', `icon icon-${name}`);
	svg.innerHTML = ICONS[name] ?? '';
	return svg;
}

// Fills every [data-icon] placeholder under root.
export function fillIcons(root) {
	for (const el of root.querySelectorAll('[data-icon]'))
		el.replaceChildren(icon(el.dataset.icon));
}

// Swaps the icon inside a placeholder (full screen on/off).
export function setIcon(el, name) {
	el.dataset.icon = name;
	el.replaceChildren(icon(name));
}
