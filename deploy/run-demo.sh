#!/usr/bin/env bash
# `make run`: the demo guest in porthole-vmm on this terminal, and its
# porthole-display serving VNC (unix socket, and 127.0.0.1:5900 for local
# viewers). Ctrl-C or `shutdown` stops both.
set -euo pipefail
build=${1:-build}
vmm="$build/core-vmm/porthole-vmm"
display="$build/display/porthole-display"
port=${PORTHOLE_VNC_PORT:-5900}
if [ "$(id -u)" -eq 0 ]; then base=/run/porthole
elif [ -n "${XDG_RUNTIME_DIR:-}" ]; then base=$XDG_RUNTIME_DIR/porthole
else base=/tmp/porthole-$(id -u); fi
run="$base/demo"

cat <<MSG
Porthole demo VM "demo" (1920x1080 framebuffer, dirty-logged).

  Its screen, over VNC:
    any VNC viewer:  vncviewer 127.0.0.1:$port      (no password: loopback only)
    the gateway's socket:  $run/vnc.sock           (also WebSocket, for noVNC)
  (log-in, TLS and the browser client come with porthole-gateway.)

  This terminal is its serial console. Type a line and press Enter:
    text hello        shows "hello" in the guest's text area
    fill 100 100 300 200 ff0000   draws a red rectangle
    anim off | anim on, clock off | clock on, ping
    shutdown          powers the VM off (Ctrl-C stops it too)

MSG
"$display" --name demo --run-dir "$base" --vnc-listen "127.0.0.1:$port" &
display_pid=$!
trap 'kill "$display_pid" 2>/dev/null; wait "$display_pid" 2>/dev/null' EXIT
"$vmm" --demo --console --name demo --run-dir "$base"
