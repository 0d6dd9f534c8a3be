#!/usr/bin/env bash
# The encoder (encoder/, x264 backend), libx264 alone and x264's own command
# line on the same synthetic desktop frames, drawn ahead of timing (about
# 11 MB a 1080p frame in memory). usage: bench_encoder.sh BUILD_DIR [FRAMES]
set -euo pipefail
echo
build=${1:?usage: bench_encoder.sh BUILD_DIR [FRAMES]}
frames=${2:-240}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

peer=()
if x264=$(command -v x264); then
	peer=(--x264 "$x264" --tmp "$tmp")
else
	echo "x264 (the command line, Debian package x264) not installed: no peer figures"
fi
"$build/tests/bench/bench_encoder" --frames "$frames" "${peer[@]}"
