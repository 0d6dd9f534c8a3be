// SPDX-License-Identifier: MIT
// noVNC in headless Chromium against a real porthole-display: the demo
// guest in porthole-vmm, porthole-display serving VNC over WebSocket on a
// loopback port, client/web/console.html in Debian's chromium driven by
// playwright-core. Checks that the page shows the guest's desktop (regions
// and colours from demo_layout.h, and the whole frame against the guest's
// own pixels), and that typing in the page reaches the guest as the right
// evdev codes, through QEMU extended key events (scancodes).
//
// usage: node novnc_test.mjs PORTHOLE_VMM PORTHOLE_DISPLAY LAYOUT_JSON CLIENT_DIR
// Exit 0 pass, 1 fail, 77 skipped (the reason is printed).
// PORTHOLE_NOVNC_SHOT=FILE keeps the page's screenshot there.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import {
	CHROMIUM, CheckError, Serial, alive, check, count, dB, expectBox, guestScreen,
	lastRowsEqual, needBrowser, psnr, readKeys, runTest, skip, start, stop, tail, until,
} from '../client/harness.mjs';

const W = 800;
const H = 600;

const [vmmBin, displayBin, layoutBin, clientDir] = process.argv.slice(2);
let base = null;
let failed = true;

// --- pixels ---

// PNG as Chromium writes it: 8-bit RGB or RGBA, not interlaced.
function decodePNG(buf) {
	check(buf.readUInt32BE(0) === 0x89504e47, 'not a PNG');
	let off = 8, w = 0, h = 0, type = 0;
	const idat = [];
	while (off < buf.length) {
		const len = buf.readUInt32BE(off);
		const kind = buf.toString('latin1', off + 4, off + 8);
		const data = buf.subarray(off + 8, off + 8 + len);
		if (kind === 'IHDR') {
			w = data.readUInt32BE(0);
			h = data.readUInt32BE(4);
			type = data[9];
			check(data[8] === 8 && (type === 2 || type === 6) && data[12] === 0,
				`PNG depth ${data[8]}, colour type ${type}, interlace ${data[12]}`);
		} else if (kind === 'IDAT') {
			idat.push(data);
		}
		off += 12 + len;
	}
	const bpp = type === 6 ? 4 : 3, stride = w * bpp;
	const raw = zlib.inflateSync(Buffer.concat(idat));
	const cur = Buffer.alloc(stride), prev = Buffer.alloc(stride);
	const px = new Uint32Array(w * h);
	for (let y = 0; y < h; y++) {
		const f = raw[y * (stride + 1)];
		const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
		for (let i = 0; i < stride; i++) {
			const a = i >= bpp ? cur[i - bpp] : 0, b = prev[i];
			const c = i >= bpp ? prev[i - bpp] : 0;
			let p = line[i];
			if (f === 1) p += a;
			else if (f === 2) p += b;
			else if (f === 3) p += (a + b) >> 1;
			else if (f === 4) {
				const q = a + b - c, pa = Math.abs(q - a), pb = Math.abs(q - b),
					pc = Math.abs(q - c);
				p += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
			}
			cur[i] = p & 255;
		}
		for (let x = 0; x < w; x++)
			px[y * w + x] = (cur[x * bpp] << 16) | (cur[x * bpp + 1] << 8) | cur[x * bpp + 2];
		cur.copy(prev);
	}
	return { w, h, px };
}

// --- the page ---

const MIME = {
	'.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css',
	'.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
};

// The web client as a directory: client/web/, noVNC's package at /novnc/.
// A WebSocket upgrade on /vnc is relayed byte for byte, handshake included,
// to the display's unix endpoint, as the gateway will relay browsers: the
// display must speak WebSocket there too.
function serveClient(vncSock) {
	const roots = [
		['/novnc/', path.join(clientDir, 'node_modules/@novnc/novnc')],
		['/', path.join(clientDir, 'web')],
	];
	const server = http.createServer((req, res) => {
		const url = new URL(req.url, 'http://x');
		const [prefix, dir] = roots.find(([p]) => url.pathname.startsWith(p));
		const file = path.join(dir, path.normalize(decodeURIComponent(
			url.pathname.slice(prefix.length))).replace(/^(\.\.[/\\])+/, ''));
		if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
			res.writeHead(404).end();
			return;
		}
		res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream' });
		fs.createReadStream(file).pipe(res);
	});
	server.on('upgrade', (req, sock, head) => {
		if (new URL(req.url, 'http://x').pathname !== '/vnc') {
			sock.destroy();
			return;
		}
		const up = net.createConnection({ path: vncSock });
		let hs = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
		for (let i = 0; i < req.rawHeaders.length; i += 2)
			hs += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
		up.write(`${hs}\r\n`);
		up.write(head);
		up.pipe(sock).pipe(up);
		up.on('error', () => sock.destroy());
		sock.on('error', () => up.destroy());
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.once('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

function connects(port) {
	return new Promise((resolve) => {
		const s = net.createConnection({ host: '127.0.0.1', port });
		s.once('connect', () => { s.destroy(); resolve(true); });
		s.once('error', () => resolve(false));
	});
}

// --- the test ---

async function main() {
	if (process.argv.length !== 6)
		throw new CheckError('usage: novnc_test.mjs PORTHOLE_VMM PORTHOLE_DISPLAY LAYOUT_JSON CLIENT_DIR');
	needBrowser(clientDir, ['@novnc/novnc']);
	if (!displayBin || !fs.existsSync(displayBin))
		skip(`porthole-display is not built (${displayBin || 'no such target'})`);
	const pw = path.join(clientDir, 'node_modules/playwright-core/index.mjs');
	const { chromium } = await import(pathToFileURL(pw));
	const L = JSON.parse(execFileSync(layoutBin, [String(W), String(H)], { encoding: 'utf8' }));
	const C = L.colors;

	base = fs.mkdtempSync(path.join(os.tmpdir(), 'porthole-novnc-'));
	const run = path.join(base, 'vm');
	const vmm = start('porthole-vmm', [vmmBin, '--demo', '--name', 'vm', '--run-dir', base,
		'--memory', '64M', '--fb', `${W}x${H}`], path.join(base, 'vmm.log'));
	const serial = await Serial.open(path.join(run, 'serial.sock'));
	await serial.cmd('ping');
	await serial.cmd('anim off');
	await serial.cmd('clock off');

	const screenshot = () => guestScreen(vmm, serial, run);
	const guest = await screenshot();
	check(guest.w === W && guest.h === H, `guest screen ${guest.w}x${guest.h}`);

	const vncPort = await freePort();
	const display = start('porthole-display', [displayBin, '--name', 'vm', '--run-dir', base,
		'--vnc-listen', `127.0.0.1:${vncPort}`], path.join(base, 'display.log'));
	await until(`porthole-display listening on 127.0.0.1:${vncPort}`, 20000, async () => {
		alive(display);
		return connects(vncPort);
	});

	const web = await serveClient(path.join(run, 'vnc.sock'));
	const userData = fs.mkdtempSync(path.join(base, 'chromium-'));
	const browser = await chromium.launchPersistentContext(userData, {
		executablePath: CHROMIUM,
		headless: true,
		viewport: { width: W, height: H },
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	try {
		const page = browser.pages()[0] ?? await browser.newPage();
		const logs = [];
		page.on('console', (m) => logs.push(`console.${m.type()}: ${m.text()}`));
		page.on('pageerror', (e) => logs.push(`page error: ${e.message}`));
		page.on('requestfailed', (r) => logs.push(`request failed: ${r.url()}`));
		const url = `http://127.0.0.1:${web.address().port}/console.html` +
			`?url=${encodeURIComponent(`ws://127.0.0.1:${vncPort}/`)}`;
		try {
			await page.goto(url);
			await page.waitForFunction(() => document.body.dataset.state === 'connected',
				null, { timeout: 20000 });
		} catch (e) {
			throw new CheckError(`the console did not connect (${e.message.split('\n')[0]}); ` +
				`state '${await page.evaluate(() => document.body.dataset.state)}'; page said:\n` +
				logs.join('\n'));
		}

		// Where noVNC put the remote screen, and a screenshot of just that.
		// A display still waiting for the VM may show a desktop of another
		// size first: the VM's own frame is the one of the VM's size.
		const canvas = () => page.evaluate(() => {
			const c = document.querySelector('#screen canvas');
			const r = c.getBoundingClientRect();
			return { x: r.x, y: r.y, width: c.width, height: c.height, cssw: r.width };
		});
		let box = null;
		const shoot = async () => decodePNG(await page.screenshot({
			clip: { x: box.x, y: box.y, width: W, height: H } }));
		// Wait for the desktop: the whole frame arrived when it equals the
		// guest's, or at least stopped changing.
		let img = null;
		await until(`a ${W}x${H} desktop in the page`, 20000, async () => {
			box = await canvas();
			if (box.width !== W || box.height !== H)
				return false;
			const prev = img;
			img = await shoot();
			return psnr(img, guest) === Infinity ||
				(prev && psnr(img, prev) === Infinity && count(img, L.title, C.title) > 0);
		});
		check(box.cssw === W, `noVNC's canvas is shown ${box.cssw} pixels wide, want ${W}: not 1:1`);
		if (process.env.PORTHOLE_NOVNC_SHOT)
			fs.writeFileSync(process.env.PORTHOLE_NOVNC_SHOT, await page.screenshot());

		// Regions of demo_layout.h: strips clear of the title text and clock.
		const t = L.title, tx = L.title_text;
		expectBox(img, 'title bar above its text', { x: 0, y: 0, w: W, h: tx.y }, C.title);
		expectBox(img, 'title bar below its text', { x: 0, y: tx.y + 16 * tx.scale,
			w: W, h: t.h - tx.y - 16 * tx.scale }, C.title);
		check(count(img, { x: tx.x, y: tx.y, w: tx.text.length * 8 * tx.scale, h: 16 * tx.scale },
			C.title_fg) > 50, 'no title text in the title bar');
		expectBox(img, 'desktop under the title bar', { x: 0, y: t.h, w: W, h: L.text.y - t.h },
			C.desktop);
		expectBox(img, 'desktop left of the text area', { x: 0, y: L.text.y, w: L.text.x,
			h: L.text.h }, C.desktop);
		expectBox(img, 'text area margin', { x: L.text.x, y: L.text.y, w: L.text.w,
			h: L.text_pad }, C.text_bg);
		check(count(img, L.text, C.text_fg) > 100, 'no text in the text area');
		const sprite = count(img, L.anim, C.sprite);
		check(sprite === L.sprite_size ** 2, `the animation region shows ${sprite} sprite pixels, ` +
			`want ${L.sprite_size ** 2}`);
		check(count(img, L.anim, C.anim_bg) === L.anim.w * L.anim.h - sprite,
			'the animation region is not black around the sprite');
		const p = psnr(img, guest);
		let same = 0;
		for (let i = 0; i < img.px.length; i++)
			same += img.px[i] === guest.px[i];
		check(p >= 30, `the page's frame vs the guest's: PSNR ${p.toFixed(1)} dB, want >= 30`);
		console.log(`desktop in the page: title bar, desktop, text area and animation region ` +
			`as demo_layout.h says; ${same} of ${W * H} pixels exactly the guest's ` +
			`(PSNR ${dB(p)} dB)`);

		// Typing. noVNC sends QEMU extended key events (scancodes from
		// KeyboardEvent.code) when the server offers them.
		await page.evaluate(() => window.porthole.rfb.focus());
		await page.keyboard.type('hello world 42');
		await page.keyboard.press('Shift+KeyA');
		await page.keyboard.press('Enter');
		const want = [35, 18, 38, 38, 24, 57, 17, 24, 19, 38, 32, 57, 5, 3, 42, 30, 28];
		const got = await readKeys(serial, want.length);
		check(JSON.stringify(got) === JSON.stringify(want),
			`evdev key presses ${got.join(' ')}, want ${want.join(' ')}`);
		console.log(`typed 'hello world 42', Shift+A, Enter: ${got.length} key presses with the right evdev codes`);

		// The typed row and the same text drawn by `text` look the same in the page.
		await serial.cmd('text hello world 42A');
		await until('the typed text in the page', 10000, async () => {
			img = await shoot();
			return lastRowsEqual(img, L);
		});
		console.log('the page shows the typed row, the same as `text hello world 42A`');
		if (process.env.PORTHOLE_NOVNC_SHOT)
			fs.writeFileSync(process.env.PORTHOLE_NOVNC_SHOT.replace(/(\.png)?$/, '-typed.png'),
				await page.screenshot());

		// An AZERTY keyboard's A key: key 'q', code KeyA. Only the scancode
		// (QEMU extended key event) says it is KEY_A; the keysym says Q.
		const cdp = await page.context().newCDPSession(page);
		for (const type of ['keyDown', 'keyUp'])
			await cdp.send('Input.dispatchKeyEvent', { type, key: 'q', code: 'KeyA', text: type === 'keyDown' ? 'q' : undefined,
				windowsVirtualKeyCode: 81, nativeVirtualKeyCode: 81 });
		const [azerty] = await readKeys(serial, 1);
		check(azerty === 30, `AZERTY 'q' on the A key arrived as evdev ${azerty}, want 30 (KEY_A): ` +
			'noVNC is not using QEMU extended key events, or the display ignores the scancode');
		console.log('QEMU extended key event: the A key typing q arrives as KEY_A');

		// The same console through the unix endpoint (WebSocket relayed
		// as is): the whole frame, as the guest has it now.
		const now = await screenshot();
		const page2 = await browser.newPage();
		await page2.goto(`http://127.0.0.1:${web.address().port}/console.html` +
			`?url=${encodeURIComponent(`ws://127.0.0.1:${web.address().port}/vnc`)}`);
		await page2.waitForFunction(() => document.body.dataset.state === 'connected',
			null, { timeout: 20000 });
		let img2 = null;
		await until('the desktop through the unix endpoint', 20000, async () => {
			const b = await page2.evaluate(() => {
				const c = document.querySelector('#screen canvas');
				const r = c.getBoundingClientRect();
				return { x: r.x, y: r.y, width: c.width, height: c.height };
			});
			if (b.width !== W || b.height !== H)
				return false;
			img2 = decodePNG(await page2.screenshot({
				clip: { x: b.x, y: b.y, width: W, height: H } }));
			return psnr(img2, now) >= 30;
		});
		console.log(`noVNC over the display's unix endpoint (WebSocket): the desktop, ` +
			`PSNR ${dB(psnr(img2, now))} dB ` +
			`against the guest's`);
		await page2.close();
		web.close();
	} finally {
		await browser.close();
	}

	await stop(display, 'SIGTERM', 'exit status 0');
	alive(vmm);
	await serial.cmd('ping');
	await stop(vmm, 'SIGTERM', 'exit status 0');
	failed = false;
	console.log('novnc: ok');
}

function cleanup() {
	if (failed && base) {
		for (const f of ['vmm.log', 'display.log'])
			console.error(`---- ${f} ----\n${tail(path.join(base, f))}`);
	}
	if (base)
		fs.rmSync(base, { recursive: true, force: true });
}

runTest(main, cleanup);
