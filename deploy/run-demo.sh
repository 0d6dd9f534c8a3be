#!/usr/bin/env bash
# `make run`: `porthole up` from the build tree — the demo VM, its display
# and the gateway on one port (PORTHOLE_PORT, default 8443). On first run it
# creates the state directory and an admin user whose password it prints
# once. Ctrl+C stops everything.
#   PORTHOLE_STATE_DIR  state directory (default: porthole's own default)
#   PORTHOLE_PORT       the gateway's port
set -euo pipefail
build=${1:-build}
args=(up --port "${PORTHOLE_PORT:-8443}")
[ -n "${PORTHOLE_STATE_DIR:-}" ] && args+=(--state-dir "$PORTHOLE_STATE_DIR")
exec "$build/cli/porthole" "${args[@]}"
