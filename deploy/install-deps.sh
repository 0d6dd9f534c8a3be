#!/usr/bin/env bash
# Installs what Porthole needs to build, test, fuzz and benchmark on Debian 12.
# Idempotent and non-interactive: it only calls apt-get when something is missing.
set -euo pipefail

packages=(
	build-essential cmake pkg-config            # build
	clang libclang-rt-14-dev                    # libFuzzer, sanitizers for clang
	console-setup-linux                         # Terminus console fonts for the demo guest
	qemu-system-x86                             # benchmark peer, cross-checks
	dpkg-dev                                    # dpkg-deb: unpack Debian's kernel for tests
	xz-utils zstd cpio busybox-static           # its payload, and the test initrd
	procps                                      # ps/pgrep in tests
	libvncserver-dev libgnutls28-dev            # VNC: the display's server, the tests' libvncclient (and its TLS)
	chromium                                    # browser tests: noVNC, driven by playwright-core
	libx11-dev tigervnc-standalone-server       # display benchmark: Xlib, and Xvnc as a peer
	libuv1-dev libssl-dev                       # gateway: event loop, TLS
	libhttp-parser-dev libwslay-dev             # gateway: HTTP/1.1 requests, WebSocket framing
	libjansson-dev                              # gateway JSON API, auth's users database
	libargon2-dev liboath-dev                   # auth: Argon2id hashes, TOTP (RFC 6238)
	haproxy                                     # gateway benchmark peer
	libyuv-dev libx264-dev x264                 # encoder: pixel conversion, H.264; x264's CLI as a peer
	libavcodec-dev libavutil-dev libva-dev      # encoder: hardware H.264 (VA-API, NVENC), tests' H.264 decoder
	freerdp2-dev libfreerdp-server2-2           # RDP: the display's server, the tests' client library
	freerdp2-x11 freerdp2-shadow-x11 xvfb       # RDP: xfreerdp under Xvfb in tests, the shadow server as a peer
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
# Node.js and npm for the web client and its tests: Debian's only where
# there is none (the machines come with a newer Node.js and its npm).
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if [ ${#missing[@]} -ne 0 ]; then
	echo "install-deps: installing ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		SUDO=sudo
	else
		SUDO=
	fi
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The web client's packages (noVNC; playwright-core for the browser tests,
# which drives Debian's chromium and downloads no browser), exactly as
# client/package-lock.json says, and again only when that changes.
client=$(cd "$(dirname "$0")/../client" && pwd)
if ! cmp -s "$client/package-lock.json" "$client/node_modules/.porthole-lock"; then
	echo "install-deps: npm ci --prefix client"
	npm ci --prefix "$client" --no-audit --no-fund
	cp "$client/package-lock.json" "$client/node_modules/.porthole-lock"
fi
