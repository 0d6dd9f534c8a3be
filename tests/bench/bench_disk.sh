#!/usr/bin/env bash
# virtio-blk throughput of the demo guest's driver (one request in flight),
# porthole-vmm and QEMU side by side on the same image file:
# 4 KiB random read/write IOPS and sequential MB/s.
# usage: bench_disk.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: bench_disk.sh BUILD_DIR}
vmm="$build/core-vmm/porthole-vmm"
demo="$build/guest/demo/porthole-demo.elf"
sock="$build/tests/vmm/qemu_sock"
tmp=$(mktemp -d)
img=$tmp/disk.img
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
truncate -s 256M "$img"

RAND_N=${RAND_N:-3000}
SEQ_MIB=${SEQ_MIB:-128}

now_ns() { date +%s%N; }

# send SOCKET LINE EXPECT TIMEOUT_MS
send() { printf '%s\n' "$2" | "$sock" "$1" "$4" "$3" >/dev/null; }

# workloads SOCKET NAME: prints one line of figures, records them
workloads() {
	local s=$1 name=$2 out="" t0 t1
	# Until it answers: bytes sent while firmware runs may be lost.
	local tries=0
	until send "$s" ping "ok ping" 2000 2>/dev/null; do
		tries=$((tries + 1))
		[ $tries -lt 60 ] || { echo "$name: the guest did not answer"; return 1; }
	done
	for w in "randread $RAND_N" "randwrite $RAND_N" "seqread $SEQ_MIB" "seqwrite $SEQ_MIB"; do
		t0=$(now_ns)
		send "$s" "disk bench $w" "ok disk bench" 600000 || { echo "$name: 'disk bench $w' failed"; return 1; }
		t1=$(now_ns)
		set -- $w
		case $1 in
		rand*) out+=$(awk -v n="$2" -v ns=$((t1 - t0)) 'BEGIN { printf "%s %.0f ", "x", n / (ns / 1e9) }' | cut -d' ' -f2)" " ;;
		seq*)  out+=$(awk -v m="$2" -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", m * 1.048576 / (ns / 1e9) }')" " ;;
		esac
	done
	set -- $out
	printf '%-28s randread %7s IOPS  randwrite %7s IOPS  seqread %7s MB/s  seqwrite %7s MB/s\n' \
		"$name" "$1" "$2" "$3" "$4"
	echo "$out" >"$tmp/$name.fig"
}

echo "== virtio-blk, demo guest driver, queue depth 1, 256 MiB raw image on this machine's disk =="
"$vmm" --demo --disk "$img" --fb 640x480 --memory 128M --name bench-disk \
	--run-dir "$tmp/run" 2>"$tmp/vmm.err" &
pids+=($!)
workloads "$tmp/run/bench-disk/serial.sock" porthole-vmm
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true

qemu_ok=0
if command -v qemu-system-x86_64 >/dev/null; then
	for accel in "kvm -cpu host,-arch-capabilities" tcg; do
		qemu-system-x86_64 -accel $accel -M q35 -m 128 -nodefaults -display none \
			-kernel "$demo" -append "" \
			-drive file="$img",if=none,id=d0,format=raw \
			-device virtio-blk-pci,drive=d0,disable-legacy=on \
			-chardev socket,id=s0,path="$tmp/q.sock",server=on,wait=off \
			-serial chardev:s0 2>"$tmp/qemu.err" &
		pids+=($!)
		if workloads "$tmp/q.sock" "qemu -accel ${accel%% *} (q35)"; then
			qemu_ok=1
			qname="qemu -accel ${accel%% *} (q35)"
			break
		fi
		kill "${pids[-1]}" 2>/dev/null || true
	done
fi
if [ $qemu_ok = 1 ]; then
	read -r a b c d <"$tmp/porthole-vmm.fig"
	read -r e f g h <"$tmp/$qname.fig"
	awk -v a="$a" -v b="$b" -v c="$c" -v d="$d" -v e="$e" -v f="$f" -v g="$g" -v h="$h" 'BEGIN {
		printf "ratio porthole/qemu: randread %.2fx  randwrite %.2fx  seqread %.2fx  seqwrite %.2fx\n",
			a / e, b / f, c / g, d / h }'
else
	echo "qemu: not run (not installed, or the demo guest did not come up under it)"
fi
