#!/usr/bin/env bash
# ctest's entry to novnc_test.mjs: skips (77, saying why) where the browser
# side is missing, runs the test otherwise.
# usage: novnc_test.sh PORTHOLE_VMM PORTHOLE_DISPLAY LAYOUT_JSON CLIENT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
client=${4:?usage: novnc_test.sh PORTHOLE_VMM PORTHOLE_DISPLAY LAYOUT_JSON CLIENT_DIR}

if ! command -v node >/dev/null; then
	echo "skipped: no node: install nodejs (deploy/install-deps.sh)"
	exit 77
fi
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
	echo "skipped: node $(node --version) is too old for playwright-core (needs 20 or later)"
	exit 77
fi
if [ ! -x /usr/bin/chromium ]; then
	echo "skipped: no /usr/bin/chromium: install Debian's chromium (deploy/install-deps.sh)"
	exit 77
fi
for m in playwright-core @novnc/novnc; do
	if [ ! -f "$client/node_modules/$m/package.json" ]; then
		echo "skipped: $client/node_modules/$m is missing: run npm ci --prefix client (deploy/install-deps.sh)"
		exit 77
	fi
done
exec node "$here/novnc_test.mjs" "$@"
