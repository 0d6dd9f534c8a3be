#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Boots Debian's stock kernel in porthole-vmm with 2 vCPUs and the test
# initrd, and checks that it came up: the kernel banner, the initrd's marker
# line with 2 online CPUs, and an ACPI power-off (the VM exits 0).
#
# Usage: boot-linux.sh PORTHOLE_VMM CACHE_DIR [vmlinuz|vmlinux]
#   vmlinuz boots through the bzImage loader, vmlinux through its PVH note.
# Exit 77 (skip) where this host cannot run it, saying why.

set -u

vmm=${1:?usage: boot-linux.sh PORTHOLE_VMM CACHE_DIR [vmlinuz|vmlinux]}
cache=${2:?usage: boot-linux.sh PORTHOLE_VMM CACHE_DIR [vmlinuz|vmlinux]}
image=${3:-vmlinuz}
marker=PORTHOLE-INITRD-OK
boot_timeout=120

skip() {
	echo "skipped: $*"
	exit 77
}

[ -e /dev/kvm ] || skip "no /dev/kvm here; a stock Linux kernel needs KVM with hardware virtualization"
grep -qwE 'vmx|svm' /proc/cpuinfo ||
	skip "/dev/kvm here has no VT-x/AMD-V (PVM); a stock Linux kernel needs hardware virtualization"
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	skip "no access to /dev/kvm (add this user to group kvm)"
fi
[ -x "$vmm" ] || { echo "FAIL: $vmm is not an executable"; exit 1; }
[ -f "$cache/$image" ] ||
	skip "no $image in $cache (tests/linux/fetch-kernel.sh could not fetch it; its output says why)"
grep -q "$marker" "$cache/initrd.cpio" 2>/dev/null ||
	skip "the test initrd has no busybox /init: install busybox-static, delete $cache/initrd.cpio and rerun"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/porthole-boot-linux.XXXXXX") || exit 1
log=$tmp/serial.log
: >"$log"
pid=

# shellcheck disable=SC2317 # called through trap
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*"
	echo "---- last lines of the guest's serial console ----"
	tail -n 40 "$log"
	exit 1
}

grep -q "PORTHOLE-VIRTIO" "$cache/initrd.cpio" 2>/dev/null ||
	skip "the test initrd predates the virtio check: delete $cache/initrd.cpio and rerun"
truncate -s 8M "$tmp/disk.img"
"$vmm" --kernel "$cache/$image" --initrd "$cache/initrd.cpio" \
	--cmdline "console=ttyS0 earlyprintk=ttyS0 panic=-1 reboot=k" \
	--memory 512M --cpus 2 --serial "$log" --disk "$tmp/disk.img" \
	--name "linux-boot-$$" --run-dir "$tmp/run" >"$tmp/vmm.out" 2>&1 &
pid=$!

# Wait for the marker line, or for the VM to end early.
t=0
while ! grep -q "^$marker" "$log"; do
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid"
		rc=$?
		pid=
		cat "$tmp/vmm.out"
		fail "porthole-vmm exited ($rc) before the initrd ran"
	fi
	[ $t -ge $((boot_timeout * 4)) ] && fail "no '$marker' within ${boot_timeout}s"
	sleep 0.25
	t=$((t + 1))
done

# /init powers off right after the marker: ACPI S5 through PM1a_CNT.
t=0
while kill -0 "$pid" 2>/dev/null && [ $t -lt 80 ]; do
	sleep 0.25
	t=$((t + 1))
done
if kill -0 "$pid" 2>/dev/null; then
	fail "the guest did not power off within 20 s of its marker (ACPI S5?)"
fi
wait "$pid"
rc=$?
pid=

grep -q "Linux version" "$log" || fail "no 'Linux version' banner"
line=$(grep "^$marker" "$log" | head -n 1 | tr -d '\r')
echo "initrd: $line"
case $line in
*"nproc=2 "*) ;;
*) fail "the initrd saw other than 2 CPUs: $line" ;;
esac
grep -q "Brought up 1 node, 2 CPUs" "$log" || fail "the kernel did not bring up 2 CPUs"
# virtio_pci is built into Debian's kernel: it must find all five functions
# (block 0x0002, console 0x0003, three input 0x0012).
virtio=$(grep "^PORTHOLE-VIRTIO" "$log" | head -n 1 | tr -d '\r')
echo "virtio: $virtio"
[ "$virtio" = "PORTHOLE-VIRTIO 0x0002 0x0003 0x0012 0x0012 0x0012 " ] ||
	fail "Linux's virtio_pci did not find the devices: $virtio"
[ "$rc" -eq 0 ] || fail "porthole-vmm exited $rc after power-off (want 0)"
echo "PASS: $image booted with 2 CPUs and powered off"
exit 0
