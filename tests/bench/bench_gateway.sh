#!/usr/bin/env bash
# porthole-gateway's relay beside HAProxy on the same certificate and the same
# backend (tests/bench/bench_gateway.c says what is measured).
# usage: tests/bench/bench_gateway.sh BUILD_DIR [SECONDS]
set -euo pipefail
build=${1:?usage: bench_gateway.sh BUILD_DIR [SECONDS]}
gw="$build/gateway/porthole-gateway"
cli="$build/cli/porthole"
haproxy=$(command -v haproxy || true)
[ -n "$haproxy" ] || haproxy=/usr/sbin/haproxy
[ -x "$haproxy" ] || haproxy=none
for f in "$gw" "$cli" "$build/tests/bench/bench_gateway"; do
	[ -x "$f" ] || { echo "bench_gateway: $f is not built"; exit 0; }
done
exec "$build/tests/bench/bench_gateway" "$gw" "$cli" --seconds "${2:-2}" \
	--haproxy "$haproxy"
