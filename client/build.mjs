// SPDX-License-Identifier: MIT
// Builds the web client into one self-contained directory for the
// gateway's --web-root: index.html, app-HASH.js (the client and noVNC,
// bundled by esbuild), app-HASH.css, the icon, and the licences of what
// the bundle holds. Nothing is fetched from elsewhere at run time.
//
// usage: node client/build.mjs OUTDIR
// The directory is built beside OUTDIR and then swapped in, so a gateway
// serving OUTDIR never sees half a build.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const web = path.join(here, 'web');
const novnc = path.join(here, 'node_modules/@novnc/novnc');

function die(msg) {
	console.error(`porthole-web: ${msg}`);
	process.exit(1);
}

async function loadEsbuild() {
	try {
		return await import('esbuild');
	} catch {
		die(`esbuild is not installed: run npm ci --prefix ${here} (deploy/install-deps.sh)`);
	}
	return null;
}

// index.html with the unbundled-module block swapped for the bundle.
function page(js, css) {
	const src = fs.readFileSync(path.join(web, 'index.html'), 'utf8');
	const dev = /<!-- dev:begin[^>]*-->[\s\S]*?<!-- dev:end -->/;
	if (!dev.test(src) || !src.includes('href="app.css"'))
		die('web/index.html lost its dev:begin/dev:end block or its app.css link');
	return src.replace(dev, `<script type="module" src="${js}"></script>`)
		.replace('href="app.css"', `href="${css}"`);
}

async function build(out) {
	const esbuild = await loadEsbuild();
	if (!fs.existsSync(path.join(novnc, 'core/rfb.js')))
		die(`${novnc} is missing: run npm ci --prefix ${here}`);
	const result = await esbuild.build({
		entryPoints: [
			{ in: path.join(web, 'js/main.js'), out: 'app' },
			{ in: path.join(web, 'app.css'), out: 'app' },
		],
		outdir: out,
		entryNames: '[name]-[hash]',
		bundle: true,
		format: 'esm',
		// noVNC uses top-level await (WebCodecs probing): browsers from 2021 on.
		target: ['chrome100', 'firefox100', 'safari15.4', 'edge100'],
		minify: true,
		sourcemap: 'linked',
		legalComments: 'linked',
		charset: 'utf8',
		metafile: true,
		logLevel: 'warning',
	});
	const outputs = Object.keys(result.metafile.outputs).map((f) => path.basename(f));
	const js = outputs.find((f) => /^app-\w+\.js$/.test(f));
	const css = outputs.find((f) => /^app-\w+\.css$/.test(f));
	if (!js || !css)
		die(`esbuild wrote ${outputs.join(', ')}: no app-HASH.js and .css`);

	fs.writeFileSync(path.join(out, 'index.html'), page(js, css));
	fs.copyFileSync(path.join(web, 'favicon.svg'), path.join(out, 'favicon.svg'));
	fs.mkdirSync(path.join(out, 'licenses'));
	fs.copyFileSync(path.join(novnc, 'LICENSE.txt'), path.join(out, 'licenses/noVNC.txt'));
	return { js, css };
}

async function main() {
	const arg = process.argv[2];
	if (!arg || process.argv.length > 3)
		die('usage: node client/build.mjs OUTDIR');
	const out = path.resolve(arg);
	const tmp = `${out}.new`;
	const old = `${out}.old`;
	fs.rmSync(tmp, { recursive: true, force: true });
	fs.mkdirSync(tmp, { recursive: true });
	const { js, css } = await build(tmp);
	fs.rmSync(old, { recursive: true, force: true });
	if (fs.existsSync(out))
		fs.renameSync(out, old);
	fs.renameSync(tmp, out);
	fs.rmSync(old, { recursive: true, force: true });
	const kib = (f) => `${Math.round(fs.statSync(path.join(out, f)).size / 1024)} KiB`;
	console.log(`porthole-web: ${out}: index.html, ${js} (${kib(js)}), ${css} (${kib(css)})`);
}

main().catch((e) => die(e.message));
