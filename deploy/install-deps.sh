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
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
