// SPDX-License-Identifier: MIT
// The web client end to end, every process real: the demo guest in
// porthole-vmm, porthole-display on it, a user made with the `porthole`
// CLI, porthole-gateway serving the built client (--web-root) over TLS, and
// Debian's headless chromium driven by playwright-core. It logs in, finds
// the demo VM running in "My VMs" with a live thumbnail, opens its console
// (the desktop in the canvas, checked against demo_layout.h and the guest's
// own pixels, scaled to the window), types into the guest (evdev codes on
// the guest's serial, the text on screen), sends Ctrl+Alt+Del (button and
// Ctrl+Alt+End), goes full screen with F11 and back, loses the display
// and reconnects with a new ticket, logs out, and sees a wrong password
// refused with the gateway's message. A second user with TOTP gets the
// code field only once the password is right, a wrong code refused, and
// logs in with the right one.
//
// usage: node client_test.mjs VMM DISPLAY CLI GATEWAY LAYOUT_JSON CLIENT_DIR WEB_DIST
// Exit 0 pass, 1 fail, 77 skipped (the reason is printed). Screenshots
// (login, VM list, console, ...) go to the test's temporary directory, kept
// when the test fails, and to $PORTHOLE_SCREENS when it is set.

import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
	CHROMIUM, CheckError, Serial, check, count, dB, expectBox, guestScreen, lastRowsEqual,
	needBrowser, psnr, readKeys, runTest, skip, start, stop, until,
} from './harness.mjs';

const W = 1024;
const H = 768;
const VIEWPORT = { width: 1366, height: 768 };   // a laptop screen
const USER = 'alice';
const PASSWORD = 'correct horse 42';
const TOTP_USER = 'bob';

const [vmmBin, displayBin, cliBin, gatewayBin, layoutBin, clientDir, dist] = process.argv.slice(2);
let base = null;
let passed = false;

// Starts a program logging into base/NAME.log.
const run = (name, argv) => start(name, argv, path.join(base, `${name}.log`));

async function waitLog(p, re, ms = 30000) {
	return until(`${p.what} printing ${re}`, ms, () => {
		check(p.status === null, `${p.what} stopped (${p.status}):\n${
			fs.readFileSync(p.log, 'utf8').slice(-2000)}`);
		return re.exec(fs.readFileSync(p.log, 'utf8'));
	});
}

// The porthole CLI; input: its stdin.
function cli(args, input) {
	try {
		return execFileSync(cliBin, args, { encoding: 'utf8', input, stdio: 'pipe' });
	} catch (e) {
		throw new CheckError(`porthole ${args.join(' ')}: ${e.status === null ? e.message
			: `exit status ${e.status}`}\n${e.stderr ?? ''}`);
	}
}

// The RFC 6238 code of a base32 secret now (SHA-1, 6 digits, 30 s).
function totpCode(secret) {
	let bits = '';
	for (const ch of secret.replace(/=+$/, ''))
		bits += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.indexOf(ch).toString(2).padStart(5, '0');
	const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
	const step = Buffer.alloc(8);
	step.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000)));
	const h = crypto.createHmac('sha1', key).update(step).digest();
	return String((h.readUInt32BE(h[19] & 15) & 0x7fffffff) % 1e6).padStart(6, '0');
}

// A canvas's own pixels (noVNC's backing store: the VM's resolution,
// whatever the scale it is shown at), or null while it has none.
async function canvasFrame(page, sel) {
	const got = await page.evaluate((s) => {
		const c = document.querySelector(s);
		if (!c || !c.width || !c.height)
			return null;
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let bin = '';
		for (let i = 0; i < d.length; i += 0x8000)
			bin += String.fromCharCode.apply(null, d.subarray(i, i + 0x8000));
		return { w: c.width, h: c.height, rgba: btoa(bin) };
	}, sel);
	if (!got)
		return null;
	const b = Buffer.from(got.rgba, 'base64');
	const px = new Uint32Array(got.w * got.h);
	for (let i = 0; i < px.length; i++)
		px[i] = (b[4 * i] << 16) | (b[4 * i + 1] << 8) | b[4 * i + 2];
	return { w: got.w, h: got.h, px };
}

// The regions of demo_layout.h that are one colour (the sprite and the
// clock are off, so nothing moves).
function desktopBoxes(L) {
	const C = L.colors, t = L.title, tx = L.title_text;
	return [
		['title bar above its text', { x: 0, y: 0, w: W, h: tx.y }, C.title],
		['desktop under the title bar', { x: 0, y: t.h, w: W, h: L.text.y - t.h }, C.desktop],
		['desktop left of the text area', { x: 0, y: L.text.y, w: L.text.x, h: L.text.h }, C.desktop],
		['text area margin', { x: L.text.x, y: L.text.y, w: L.text.w, h: L.text_pad }, C.text_bg],
	];
}

// --- the test ---

function prerequisites() {
	if (process.argv.length !== 9)
		throw new CheckError('usage: client_test.mjs VMM DISPLAY CLI GATEWAY LAYOUT_JSON CLIENT_DIR WEB_DIST');
	needBrowser(clientDir);
	for (const [name, bin] of [['porthole-vmm', vmmBin], ['porthole-display', displayBin],
		['porthole (the CLI)', cliBin], ['porthole-gateway', gatewayBin]]) {
		if (!bin || !fs.existsSync(bin))
			skip(`${name} is not built (${bin || 'no such target'})`);
	}
	if (!dist || !fs.existsSync(path.join(dist, 'index.html')))
		skip(`no web client in ${dist || '(no porthole-web target)'}: build the porthole-web ` +
			'target (it needs client/node_modules: npm ci --prefix client)');
}

async function main() {
	prerequisites();
	const pw = path.join(clientDir, 'node_modules/playwright-core/index.mjs');
	const { chromium } = await import(pathToFileURL(pw));
	const L = JSON.parse(execFileSync(layoutBin, [String(W), String(H)], { encoding: 'utf8' }));

	base = fs.mkdtempSync(path.join(os.tmpdir(), 'porthole-client-'));
	const runDir = path.join(base, 'run');
	const vmDir = path.join(runDir, 'demo');
	const state = path.join(base, 'state');
	const shots = [base, process.env.PORTHOLE_SCREENS].filter(Boolean);
	for (const d of shots)
		fs.mkdirSync(d, { recursive: true });

	const vmm = run('porthole-vmm', [vmmBin, '--demo', '--name', 'demo', '--run-dir', runDir,
		'--memory', '64M', '--fb', `${W}x${H}`]);
	const serial = await Serial.open(path.join(vmDir, 'serial.sock'));
	await serial.cmd('ping');
	await serial.cmd('anim off');   // nothing moves: frames compare exactly
	await serial.cmd('clock off');
	const displayArgv = [displayBin, '--name', 'demo', '--run-dir', runDir];
	let display = run('porthole-display', displayArgv);
	await waitLog(display, /VNC on unix:/);

	cli(['user', 'add', USER, '--password-stdin', '--state-dir', state], `${PASSWORD}\n`);
	cli(['vm', 'allow', 'demo', USER, '--state-dir', state]);
	const added = cli(['user', 'add', TOTP_USER, '--password-stdin', '--totp', '--state-dir', state],
		`${PASSWORD}\n`);
	const secret = /TOTP secret for \S+: ([A-Z2-7]+=*)/.exec(added)?.[1];
	check(secret, `porthole user add --totp printed no secret:\n${added}`);
	cli(['vm', 'allow', 'demo', TOTP_USER, '--state-dir', state]);
	const gateway = run('porthole-gateway', [gatewayBin, '--state-dir', state, '--run-dir', runDir,
		'--listen', '127.0.0.1:0', '--web-root', dist]);
	const [, port] = await waitLog(gateway, /porthole-gateway: listening on 127\.0\.0\.1:(\d+)/);
	const origin = `https://127.0.0.1:${port}`;

	const browser = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(base, 'chromium-')), {
		executablePath: CHROMIUM,
		headless: true,
		viewport: VIEWPORT,
		ignoreHTTPSErrors: true,   // the gateway's self-signed certificate
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--ignore-certificate-errors', '--disable-background-networking',
			'--disable-component-update', '--disable-sync'],
	});
	const page = browser.pages()[0] ?? await browser.newPage();
	const said = [];
	page.on('console', (m) => said.push(`console.${m.type()}: ${m.text()}`));
	page.on('pageerror', (e) => said.push(`page error: ${e.message}`));
	const shot = async (name) => {
		const png = await page.screenshot({ animations: 'disabled' });
		for (const d of shots)
			fs.writeFileSync(path.join(d, `${name}.png`), png);
	};
	const view = async (name, what) => {
		try {
			await page.waitForSelector(`body[data-view="${name}"]`, { timeout: 20000 });
		} catch {
			throw new CheckError(`${what}: the page shows '${await page.evaluate(
				() => document.body.dataset.view)}', not '${name}'; the page said:\n${said.join('\n')}`);
		}
	};
	const text = (sel) => page.locator(sel).innerText();

	try {
		// Log in.
		await page.goto(`${origin}/`);
		await view('login', 'a new visitor');
		check(await page.locator('.totp').isHidden(), 'the TOTP field shows before the gateway asked for it');
		await shot('login');
		await page.fill('input[name=user]', USER);
		await page.fill('input[name=password]', PASSWORD);
		await page.click('button[type=submit]');
		await view('vms', 'after logging in');
		console.log(`logged in as ${USER} through ${origin}`);

		// My VMs: demo, running, with a live thumbnail of its desktop.
		const card = '.vm-card[data-vm="demo"]';
		await page.waitForSelector(`${card}[data-state="running"][data-thumb="live"]`, { timeout: 30000 });
		check((await text(`${card} .state-text`)) === 'Running', 'the card does not say Running');
		const thumbSel = `${card} .thumb-screen canvas`;
		// Low JPEG quality: the title bar's colour, nearly.
		const [, bar, barColour] = desktopBoxes(L)[0];
		const thumb = await until('the desktop in the thumbnail', 20000, async () => {
			const f = await canvasFrame(page, thumbSel);
			return f?.w === W && f.h === H && count(f, bar, barColour, 24) > 0.95 * bar.w * bar.h
				? f : null;
		});
		const tw = await page.locator(thumbSel).evaluate((c) => c.getBoundingClientRect().width);
		check(tw < W / 2, `the thumbnail is ${tw} pixels wide: not scaled down`);
		console.log(`My VMs: demo running, thumbnail ${thumb.w}x${thumb.h} shown ${Math.round(tw)} ` +
			`pixels wide, title bar in place`);
		await shot('vms');

		// The console.
		await page.click(`${card} .open`);
		await view('console', 'after Open');
		await page.waitForSelector('.console[data-state="connected"]', { timeout: 20000 });
		const screenSel = '.console .screen > div:not(.stale) canvas';
		const want = await guestScreen(vmm, serial, vmDir);
		let img = null;
		await until('the guest\'s desktop in the console', 20000, async () => {
			img = await canvasFrame(page, screenSel);
			return img?.w === W && img.h === H && psnr(img, want) >= 30;
		});
		for (const [what, box, c] of desktopBoxes(L))
			expectBox(img, what, box, c);
		const fit = await page.evaluate((s) => {
			const c = document.querySelector(s).getBoundingClientRect();
			const a = document.querySelector('.console .screen').getBoundingClientRect();
			return { cw: c.width, ch: c.height, aw: a.width, ah: a.height };
		}, screenSel);
		check(fit.cw <= fit.aw + 0.5 && fit.ch <= fit.ah + 0.5 &&
			(Math.abs(fit.cw - fit.aw) < 1 || Math.abs(fit.ch - fit.ah) < 1),
		`the ${W}x${H} screen is shown ${fit.cw}x${fit.ch} in a ${fit.aw}x${fit.ah} area: not scaled to it`);
		console.log(`console: the desktop as demo_layout.h says, PSNR ${dB(psnr(img, want))} dB ` +
			`against the guest's frame, scaled to ${Math.round(fit.cw)}x${Math.round(fit.ch)}`);
		await shot('console');

		// Typing: the canvas has the focus, keys arrive as evdev codes.
		check(await page.evaluate((s) => document.activeElement === document.querySelector(s), screenSel),
			'the console\'s screen does not have the keyboard focus after connecting');
		await page.keyboard.type('hello 42');
		await page.keyboard.press('Enter');
		const typed = await readKeys(serial, 9);
		check(typed.join(' ') === '35 18 38 38 24 57 5 3 28',
			`typing 'hello 42' Enter reached the guest as evdev ${typed.join(' ')}`);
		await serial.cmd('text hello 42');
		await until('the typed line on the console', 10000, async () =>
			lastRowsEqual(await canvasFrame(page, screenSel), L));
		console.log('typed \'hello 42\': the right evdev codes, and the line on the screen');
		await shot('console-typed');

		// Ctrl+Alt+Del: the toolbar button, and Ctrl+Alt+End.
		await page.click('.console .cad');
		let keys = await readKeys(serial, 3);
		check(keys.join(' ') === '29 56 111', `the Ctrl+Alt+Del button sent ${keys.join(' ')}`);
		await page.keyboard.press('Control+Alt+End');
		keys = await readKeys(serial, 3);
		check(keys.join(' ') === '29 56 111', `Ctrl+Alt+End sent ${keys.join(' ')}, want 29 56 111`);
		console.log('Ctrl+Alt+Del reaches the guest from the button and from Ctrl+Alt+End');

		// The help popover.
		await page.click('.console .help');
		const help = await text('.help-pop');
		check(help.includes('F11') && help.includes('End'), `the help popover lists no shortcuts: ${help}`);
		await shot('console-help');
		await page.keyboard.press('Escape');
		check(await page.locator('.help-pop').isHidden(), 'Escape does not close the help popover');

		// F11: full screen, the toolbar out of the way, the screen scaled
		// to all of it; F11 again: back.
		await page.keyboard.press('F11');
		await page.waitForSelector('.console.fs', { timeout: 10000 });
		await until('the screen scaled to the full screen', 10000, () => page.evaluate((s) => {
			const r = document.querySelector(s).getBoundingClientRect();
			return Math.abs(r.height - window.innerHeight) < 1 || Math.abs(r.width - window.innerWidth) < 1;
		}, screenSel));
		await shot('console-fullscreen');
		await page.keyboard.press('F11');
		await page.waitForSelector('.console:not(.fs)', { timeout: 10000 });
		console.log('F11 toggles full screen, the screen scaled to it');

		// The display goes away: a message and Reconnect; back, a new ticket.
		await stop(display, 'SIGTERM', 'exit status 0');
		await page.waitForSelector('.console[data-state="disconnected"] .overlay:not([hidden])',
			{ timeout: 20000 });
		const why = await text('.overlay-card');
		check(/reconnect/i.test(why), `the disconnect message offers no Reconnect: ${why}`);
		await shot('console-disconnected');
		display = run('porthole-display-again', displayArgv);
		await waitLog(display, /VNC on unix:/);
		await page.click('.overlay .reconnect');
		await page.waitForSelector('.console[data-state="connected"]', { timeout: 20000 });
		await until('the desktop after reconnecting', 20000, async () => {
			const f = await canvasFrame(page, screenSel);
			return f?.w === W && psnr(f, want) >= 25;
		});
		console.log(`disconnect said '${why.split('\n')[0]}'; Reconnect brought the desktop back`);

		// A VM this user may not reach (or that does not exist): said so,
		// with no Reconnect to offer.
		await page.goto(`${origin}/#/vm/nosuch`);
		await page.waitForSelector('.console .overlay:not([hidden])', { timeout: 20000 });
		const nosuch = await text('.overlay-msg');
		check(nosuch.includes('nosuch') && await page.locator('.overlay .reconnect').isHidden(),
			`a VM that is not there: '${nosuch}', Reconnect ${await page.locator(
				'.overlay .reconnect').isHidden() ? 'hidden' : 'offered'}`);
		await page.click('.overlay .back');
		await view('vms', 'after Back to My VMs');
		console.log(`a VM that is not there: '${nosuch}'`);

		// Back to the list, log out: the session is gone.
		await page.click(`${card} .open`);
		await page.waitForSelector('.console[data-state="connected"]', { timeout: 20000 });
		await page.click('.toolbar .back');
		await view('vms', 'after My VMs');
		await page.click('.logout');
		await view('login', 'after Log out');
		const me = await page.evaluate(async () => (await fetch('/api/me')).status);
		check(me === 401, `GET /api/me answers ${me} after logging out, want 401`);
		console.log('logged out: /api/me is 401');

		// A wrong password: the gateway's message on the form.
		await page.fill('input[name=user]', USER);
		await page.fill('input[name=password]', 'not the password');
		await page.click('button[type=submit]');
		await page.waitForSelector('.msg[data-kind="error"]:not([hidden])', { timeout: 20000 });
		const msg = await text('.msg');
		check(msg === 'Invalid user name or password.', `a wrong password shows '${msg}'`);
		check(await page.evaluate(() => document.body.dataset.view) === 'login',
			'a wrong password left the log-in form');
		await shot('login-error');
		console.log(`wrong password: '${msg}'`);

		// TOTP: the code field appears once the password was right.
		await page.fill('input[name=user]', TOTP_USER);
		await page.fill('input[name=password]', PASSWORD);
		await page.click('button[type=submit]');
		await page.waitForSelector('.totp:not([hidden])', { timeout: 20000 });
		const ask = await text('.msg');
		check(ask.length > 0, 'the TOTP field appeared without a message');
		await shot('login-totp');
		await page.fill('input[name=totp]', totpCode(secret) === '000000' ? '111111' : '000000');
		await page.click('button[type=submit]');
		await until('the wrong code refused', 20000, async () =>
			(await page.locator('form').getAttribute('aria-busy')) === 'false' &&
			(await page.locator('.msg').getAttribute('data-kind')) === 'error');
		const refused = await text('.msg');
		check(await page.locator('.totp').isVisible(), 'the TOTP field went away after a wrong code');
		await page.fill('input[name=totp]', totpCode(secret));
		await page.click('button[type=submit]');
		await view('vms', `${TOTP_USER} after the right TOTP code`);
		await page.waitForSelector(card, { timeout: 20000 });
		console.log(`TOTP: '${ask}' asked for the code, a wrong one said '${refused}', ` +
			'the right one logged in');

		// The gateway's Content-Security-Policy let everything run.
		const csp = said.filter((l) => /Content.Security.Policy/i.test(l));
		check(!csp.length, `the page broke the gateway's Content-Security-Policy:\n${csp.join('\n')}`);
	} catch (e) {
		await shot('failure').catch(() => {});
		if (said.length)
			console.error(`the page said:\n${said.join('\n')}`);
		throw e;
	} finally {
		await browser.close();
	}

	await stop(gateway, 'SIGTERM', 'exit status 0');
	await stop(display, 'SIGTERM', 'exit status 0');
	await serial.cmd('ping');
	await stop(vmm, 'SIGTERM', 'exit status 0');
	passed = true;
	console.log('client_gateway_browser: ok');
}

function cleanup() {
	if (!base)
		return;
	if (passed) {
		fs.rmSync(base, { recursive: true, force: true });
		return;
	}
	for (const f of fs.readdirSync(base).filter((n) => n.endsWith('.log')))
		console.error(`---- ${f} ----\n${fs.readFileSync(path.join(base, f), 'utf8').slice(-3000)}`);
	console.error(`kept ${base} (logs, screenshots)`);
}

runTest(main, cleanup);
