#!/usr/bin/env bash
# Benchmarks for porthole-vmm, side by side with QEMU on the same demo guest.
# usage: tests/bench/run.sh BUILD_DIR [RUNS]
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [RUNS]}
runs=${2:-10}
vmm="$build/core-vmm/porthole-vmm"
demo="$build/guest/demo/porthole-demo.elf"
mem_mib=64
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# bench NAME MARKER FB_KIB -- cmd...: prints medians of first byte, ready, overhead
bench() {
	local name=$1 marker=$2 fb_kib=$3; shift 4
	: >"$tmp/$name"
	for i in $(seq "$runs"); do
		"$build/tests/bench/bench_boot" "$marker" $((mem_mib * 1024)) "$fb_kib" -- \
			"${@//@I@/$i}" >>"$tmp/$name" 2>"$tmp/$name.err" || {
			echo "$name: failed: $(tail -n 3 "$tmp/$name.err")"; return 1; }
	done
	first=$(cut -d' ' -f1 "$tmp/$name" | median)
	ready=$(cut -d' ' -f2 "$tmp/$name" | median)
	rss=$(cut -d' ' -f3 "$tmp/$name" | median)
	over=$(cut -d' ' -f4 "$tmp/$name" | median)
	printf '%-34s first serial byte %8.1f ms   ready %8.1f ms   RSS %7.0f KiB   monitor overhead %7.0f KiB\n' \
		"$name" "$first" "$ready" "$rss" "$over"
	echo "$first $ready $over" >"$tmp/$name.median"
}

echo "== boot: process start to the demo guest's first serial byte (median of $runs) =="
fb_kib=$((8192 * 1080 / 1024))
bench "porthole-vmm (1080p fb)" "porthole-demo: ready" "$fb_kib" -- \
	"$vmm" --demo --console --memory ${mem_mib}M --name bench-@I@ --run-dir "$tmp/run"
bench "porthole-vmm (640x480 fb)" "porthole-demo: ready" $((4096 * 480 / 1024)) -- \
	"$vmm" --demo --console --memory ${mem_mib}M --fb 640x480 --name bench-@I@ --run-dir "$tmp/run"

qemu_ok=0
if command -v qemu-system-x86_64 >/dev/null; then
	# microvm + qboot is QEMU's fastest way to a PVH kernel. PVM refuses
	# QEMU's write of IA32_ARCH_CAPABILITIES, hence -arch-capabilities.
	if bench "qemu -accel kvm -M microvm" "porthole-demo: ready" 0 -- \
		qemu-system-x86_64 -accel kvm -M microvm -cpu host,-arch-capabilities -m ${mem_mib} \
		-nodefaults -no-user-config -display none -serial stdio \
		-kernel "$demo" -append ""; then
		qemu_ok=1
	fi
else
	echo "qemu-system-x86_64 not installed: no peer figures"
fi
if [ $qemu_ok = 1 ]; then
	read -r pf pr po <"$tmp/porthole-vmm (1080p fb).median"
	read -r qf qr qo <"$tmp/qemu -accel kvm -M microvm.median"
	awk -v pf="$pf" -v qf="$qf" -v po="$po" -v qo="$qo" 'BEGIN {
		printf "ratio porthole/qemu: first byte %.2fx, monitor overhead %.2fx\n", pf / qf, po / qo }'
fi
echo "(overhead = RSS minus the guest RAM and framebuffer mappings)"

echo
echo "== input: host API call to the guest reporting the event =="
"$build/tests/bench/bench_input"

echo
"$(dirname "$0")/bench_disk.sh" "$build"

echo
echo "== damage query on a 1080p framebuffer =="
"$build/tests/bench/bench_damage"

echo
"$build/tests/bench/bench_narrow"

echo
# Porthole (demo guest + porthole-display), Xvnc and QEMU's VNC, one client.
"$build/tests/bench/bench_display" --display "$build/display/porthole-display"

echo
# porthole-gateway's TLS relay beside HAProxy (same certificate, same backend).
"$(dirname "$0")/bench_gateway.sh" "$build"
"$(dirname "$0")/bench_encoder.sh" "$build" # encoder beside x264's CLI
"$build/tests/bench/bench_rdp" "$build/core-vmm/porthole-vmm" "$build/display/porthole-display" "$build/gateway/porthole-gateway" "$build/cli/porthole" # RDP beside FreeRDP shadow
