#!/usr/bin/env bash
# ctest's entry to client_test.mjs, which skips (77, saying why) where the
# browser side or a program is missing.
# usage: client_test.sh VMM DISPLAY CLI GATEWAY LAYOUT_JSON CLIENT_DIR WEB_DIST
set -euo pipefail
if ! command -v node >/dev/null; then
	echo "skipped: no node: install nodejs (deploy/install-deps.sh)"
	exit 77
fi
exec node "$(dirname "$0")/client_test.mjs" "$@"
