// SPDX-License-Identifier: MIT
// What the browser tests share (tests/client/client_test.mjs,
// tests/display/novnc_test.mjs): checks that fail with a message, child
// processes that die with the test, the demo guest's serial console and
// screen, and pixel comparisons against demo_layout.h.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const SKIP = 77;
export const CHROMIUM = '/usr/bin/chromium';

export class CheckError extends Error {}
export function check(cond, msg) {
	if (!cond)
		throw new CheckError(msg);
}

export function skip(why) {
	console.log(`skipped: ${why}`);
	process.exit(SKIP);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function until(what, timeoutMs, fn) {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const v = await fn();
		if (v)
			return v;
		check(Date.now() < end, `${what}: not within ${timeoutMs} ms`);
		await sleep(50);
	}
}

// Skips unless KVM, Debian's chromium, node 20+ and the client's
// node_modules (playwright-core and the given packages) are there.
export function needBrowser(clientDir, modules = []) {
	try {
		fs.accessSync('/dev/kvm', fs.constants.R_OK | fs.constants.W_OK);
	} catch (e) {
		skip(`/dev/kvm is not usable here (${e.code}); the demo VM needs KVM`);
	}
	if (+process.versions.node.split('.')[0] < 20)
		skip(`node ${process.version} is too old for playwright-core (needs 20 or later)`);
	if (!fs.existsSync(CHROMIUM))
		skip(`no ${CHROMIUM}: install Debian's chromium (deploy/install-deps.sh)`);
	for (const m of ['playwright-core', ...modules]) {
		if (!fs.existsSync(path.join(clientDir, 'node_modules', m, 'package.json')))
			skip(`${clientDir}/node_modules/${m} is missing: run npm ci --prefix client ` +
				'(deploy/install-deps.sh)');
	}
}

// --- processes ---

// setpriv(1): the child is killed when this test dies, however it dies.
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));
const children = new Set();

// Starts argv with stdout and stderr appended to the file log.
export function start(what, argv, log) {
	const fd = fs.openSync(log, 'a');
	const cmd = SETPRIV ? [SETPRIV, '--pdeathsig', 'KILL', '--', ...argv] : argv;
	const child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', fd, fd] });
	fs.closeSync(fd);
	child.what = what;
	child.log = log;
	child.status = null;
	child.exited = new Promise((resolve) => child.on('exit', (code, sig) => {
		child.status = sig ? `killed by ${sig}` : `exit status ${code}`;
		children.delete(child);
		resolve(child.status);
	}));
	children.add(child);
	return child;
}

export async function stop(child, sig, want) {
	child.kill(sig);
	const status = await Promise.race([child.exited, sleep(15000).then(() => null)]);
	check(status !== null, `${child.what} did not stop within 15 s of ${sig}`);
	if (want)
		check(status === want, `${child.what}: ${status} after ${sig}, want ${want}`);
}

export function alive(child) {
	check(child.status === null, `${child.what} stopped: ${child.status}`);
}

// Runs a test: exit 0 when main resolves, 1 with the failed check's
// message when it throws. At exit, however the test ends, what it started
// is killed and then cleanup runs.
export function runTest(main, cleanup) {
	process.on('exit', () => {
		for (const c of children)
			c.kill('SIGKILL');
		cleanup();
	});
	for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'])
		process.on(sig, () => process.exit(1));
	main().then(() => process.exit(0), (e) => {
		console.error(e instanceof CheckError ? `check failed: ${e.message}` : e);
		process.exit(1);
	});
}

export function tail(file, bytes = 4000) {
	try {
		return fs.readFileSync(file, 'utf8').slice(-bytes);
	} catch {
		return '';
	}
}

// --- the guest's serial console ---

export class Serial {
	constructor(sock) {
		this.sock = sock;
		this.out = '';
		this.seen = 0;
		this.closed = false;
		sock.setEncoding('latin1');
		sock.on('data', (d) => { this.out += d; });
		sock.on('close', () => { this.closed = true; });
	}

	static async open(path) {
		return until(`serial socket ${path}`, 20000, () => new Promise((resolve) => {
			const s = net.createConnection({ path });
			s.once('connect', () => resolve(new Serial(s)));
			s.once('error', () => resolve(null));
		}));
	}

	// The next line starting with prefix after the last one matched.
	async line(prefix, timeoutMs = 10000) {
		return until(`a line '${prefix}...' from the guest`, timeoutMs, () => {
			check(!this.closed, 'the serial socket closed');
			for (;;) {
				const nl = this.out.indexOf('\n', this.seen);
				if (nl < 0)
					return null;
				const l = this.out.slice(this.seen, nl);
				this.seen = nl + 1;
				if (l.startsWith(prefix))
					return l;
			}
		});
	}

	async cmd(line) {
		this.sock.write(`${line}\n`);
		return this.line(`ok ${line.split(' ')[0]}`, 20000);
	}
}

// Key presses the guest reports, in order, until every key is up again.
export async function readKeys(serial, want) {
	const down = new Set();
	const presses = [];
	while (presses.length < want || down.size) {
		const l = await serial.line('input kbd 1 ', 10000);
		const [code, value] = l.split(' ').slice(3).map(Number);
		if (value === 1) {
			check(!down.has(code), `key ${code} pressed twice`);
			check(presses.length < want, `unexpected key press ${code}`);
			presses.push(code);
			down.add(code);
		} else {
			check(value === 0 && down.has(code), `'${l}' without a press`);
			down.delete(code);
		}
	}
	return presses;
}

// --- pixels: images are { w, h, px: Uint32Array of 0xRRGGBB } ---

export function readPPM(file) {
	const buf = fs.readFileSync(file);
	const m = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(buf.toString('latin1', 0, 32));
	check(m, `${file}: not a binary PPM`);
	const w = +m[1], h = +m[2];
	const px = new Uint32Array(w * h);
	for (let i = 0, o = m[0].length; i < w * h; i++, o += 3)
		px[i] = (buf[o] << 16) | (buf[o + 1] << 8) | buf[o + 2];
	return { w, h, px };
}

// The guest's framebuffer as porthole-vmm writes it on SIGUSR1 (into
// RUN/NAME/screen.ppm). Asked only of an idle guest (a ping answered
// first): the copy is not atomic.
export async function guestScreen(vmm, serial, runDir) {
	await serial.cmd('ping');
	const file = path.join(runDir, 'screen.ppm');
	fs.rmSync(file, { force: true });
	alive(vmm);
	vmm.kill('SIGUSR1');
	await until('screen.ppm after SIGUSR1', 10000, () => fs.existsSync(file));
	return readPPM(file);
}

export const hex = (c) => `0x${c.toString(16).padStart(6, '0')}`;

// Pixels of a box that are not colour c (first few named).
export function offColour(img, box, c) {
	const bad = [];
	for (let y = box.y; y < box.y + box.h; y++)
		for (let x = box.x; x < box.x + box.w; x++)
			if (img.px[y * img.w + x] !== c)
				bad.push(`(${x},${y})=${hex(img.px[y * img.w + x])}`);
	return bad;
}

export function expectBox(img, what, box, c) {
	const bad = offColour(img, box, c);
	check(!bad.length, `${what} ${JSON.stringify(box)} should be ${hex(c)} everywhere: ` +
		`${bad.length} pixels are not, e.g. ${bad.slice(0, 4).join(' ')}`);
}

// Pixels of a box within tol of colour c in each channel (lossy encodings).
export function count(img, box, c, tol = 0) {
	let n = 0;
	for (let y = box.y; y < box.y + box.h; y++)
		for (let x = box.x; x < box.x + box.w; x++) {
			const p = img.px[y * img.w + x];
			n += p === c || (tol > 0 && [16, 8, 0].every((s) =>
				Math.abs(((p >> s) & 255) - ((c >> s) & 255)) <= tol));
		}
	return n;
}

export function psnr(a, b) {
	let se = 0;
	for (let i = 0; i < a.px.length; i++)
		for (let s = 0; s < 24; s += 8) {
			const d = ((a.px[i] >> s) & 255) - ((b.px[i] >> s) & 255);
			se += d * d;
		}
	return se ? 10 * Math.log10(255 * 255 / (se / (a.px.length * 3))) : Infinity;
}

export const dB = (v) => (v === Infinity ? 'inf' : v.toFixed(1));

// Row r of the demo guest's text area (L: layout_json's output).
export function textRow(L, r) {
	return {
		x: L.text.x + L.text_pad,
		y: L.text.y + L.text_pad + r * L.font.h,
		w: L.text.w - 2 * L.text_pad,
		h: L.font.h,
	};
}

export function rowsEqual(img, a, b) {
	for (let y = 0; y < a.h; y++)
		for (let x = 0; x < a.w; x++)
			if (img.px[(a.y + y) * img.w + a.x + x] !== img.px[(b.y + y) * img.w + b.x + x])
				return false;
	return true;
}

// The last two rows of the text area holding text look the same: the
// line typed, and the same line drawn by the guest's `text` command.
export function lastRowsEqual(img, L) {
	let last = Math.floor((L.text.h - 2 * L.text_pad) / L.font.h) - 1;
	while (last > 0 && !count(img, textRow(L, last), L.colors.text_fg))
		last--;
	return last > 0 && rowsEqual(img, textRow(L, last - 1), textRow(L, last));
}
