#!/usr/bin/env bash
# `make run`: start the demo guest in porthole-vmm on this terminal.
set -euo pipefail
build=${1:-build}
vmm="$build/core-vmm/porthole-vmm"
if [ "$(id -u)" -eq 0 ]; then base=/run/porthole
elif [ -n "${XDG_RUNTIME_DIR:-}" ]; then base=$XDG_RUNTIME_DIR/porthole
else base=/tmp/porthole-$(id -u); fi
run="$base/demo"

cat <<MSG
Porthole demo VM "demo" (1920x1080 framebuffer, dirty-logged).

  This terminal is its serial console. Type a line and press Enter:
    text hello        shows "hello" in the guest's text area
    fill 100 100 300 200 ff0000   draws a red rectangle
    anim off | anim on, clock off | clock on, ping
    shutdown          powers the VM off (Ctrl-C stops it too)

  Its screen: from another terminal,
    kill -USR1 \$(cat $run/pid)      writes $run/screen.ppm
  The serial console is also a socket: $run/serial.sock
  (remote access through VNC, RDP, SPICE and the browser comes with the
   display and gateway services.)

MSG
exec "$vmm" --demo --console --name demo --run-dir "$base"
