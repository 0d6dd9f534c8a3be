#!/bin/bash
# SPDX-License-Identifier: MIT
#
# qemu_crosscheck.sh DEMO_ELF QEMU_SOCK
#
# The demo guest's virtio driver against an independent implementation:
# QEMU's virtio-pci devices (modern only: disable-legacy=on). If our driver
# and porthole-vmm's devices agreed on a misreading of the virtio spec,
# this is where it shows. Checks: every device found, an injected key /
# tablet / mouse sequence echoed exactly, disk write + flush + read-back
# (and the image's bytes against the contract's pattern), read-only
# refusal, agent-port echo, and recovery after a short `hostile` run.
#
# QEMU_SOCK is tests/vmm/qemu_sock (a unix-socket client: QMP and the
# agent's chardev). QEMU runs with -accel kvm if /dev/kvm is usable
# (-cpu host,-arch-capabilities, which PVM hosts need), else -accel tcg.
# Exit 77 (skip, with the reason) when QEMU or its devices are missing.
set -u

ELF=${1:?usage: qemu_crosscheck.sh DEMO_ELF QEMU_SOCK}
SOCK=${2:?usage: qemu_crosscheck.sh DEMO_ELF QEMU_SOCK}
QEMU=${QEMU:-qemu-system-x86_64}
BOOT_TIMEOUT=90		# KVM on PVM runs SeaBIOS in emulated ring 0: seconds
CMD_TIMEOUT=60

skip() { echo "SKIP: $*"; exit 77; }
fail() {
	echo "FAIL: $*"
	if [ -n "${DIR:-}" ] && [ -f "$DIR/serial.log" ]; then
		echo "--- guest serial output:"; cat "$DIR/serial.log"
		echo "--- QEMU stderr (last lines):"; tail -n 20 "$DIR/qemu.err"
	fi
	exit 1
}
note() { echo "crosscheck: $*"; }

command -v "$QEMU" >/dev/null 2>&1 || skip "$QEMU is not installed"
[ -r "$ELF" ] || fail "no demo guest at $ELF"
[ -x "$SOCK" ] || fail "no qemu_sock helper at $SOCK"
DEVICES=$("$QEMU" -M q35 -device help 2>/dev/null)
for dev in virtio-keyboard-pci virtio-tablet-pci virtio-mouse-pci \
	   virtio-blk-pci virtio-serial-pci virtserialport; do
	grep -q "\"$dev\"" <<<"$DEVICES" || skip "$QEMU has no $dev device"
done

DIR=$(mktemp -d "${TMPDIR:-/tmp}/porthole-xcheck.XXXXXX") || fail "mktemp"
QPID=
stop_qemu() {
	exec 3>&-
	if [ -n "$QPID" ]; then
		kill "$QPID" 2>/dev/null
		wait "$QPID" 2>/dev/null
		QPID=
	fi
}
trap 'stop_qemu; rm -rf "$DIR"' EXIT

DISK=$DIR/disk.img
truncate -s 16M "$DISK" || fail "cannot create $DISK"
DISK_SECTORS=32768

# start_qemu ACCEL_ARGS DRIVE_SUFFIX: boots the guest, COM1 on a FIFO (fd 3)
# for commands and serial.log for its output.
start_qemu() {
	rm -f "$DIR/serial.in" "$DIR/qmp.sock" "$DIR/agent.sock"
	mkfifo "$DIR/serial.in" || fail "mkfifo"
	: >"$DIR/serial.log"
	# shellcheck disable=SC2086  # $1 is a list of arguments
	"$QEMU" -M q35 -m 128 $1 -no-reboot -nodefaults -display none \
		-kernel "$ELF" -append "" \
		-device virtio-keyboard-pci,disable-legacy=on \
		-device virtio-tablet-pci,disable-legacy=on \
		-device virtio-mouse-pci,disable-legacy=on \
		-drive "file=$DISK,if=none,id=d0,format=raw$2" \
		-device virtio-blk-pci,drive=d0,disable-legacy=on \
		-device virtio-serial-pci,disable-legacy=on \
		-chardev "socket,id=agent,path=$DIR/agent.sock,server=on,wait=off" \
		-device virtserialport,chardev=agent,name=org.porthole.agent \
		-qmp "unix:$DIR/qmp.sock,server=on,wait=off" \
		-serial stdio <"$DIR/serial.in" >"$DIR/serial.log" \
		2>>"$DIR/qemu.err" &
	QPID=$!
	exec 3>"$DIR/serial.in"
	SEEN=0
}

# wait_line TIMEOUT PATTERN...: the first complete line after the last
# match that contains one of the patterns, into LINE.
wait_line() {
	local end=$((SECONDS + $1)) total n
	shift
	local args=()
	for p in "$@"; do args+=(-e "$p"); done
	while :; do
		total=$(wc -l <"$DIR/serial.log")
		if [ "$total" -gt "$SEEN" ]; then
			n=$(sed -n "$((SEEN + 1)),${total}p" "$DIR/serial.log" |
			    grep -n -m1 -F "${args[@]}" | cut -d: -f1)
			if [ -n "$n" ]; then
				SEEN=$((SEEN + n))
				LINE=$(sed -n "${SEEN}p" "$DIR/serial.log")
				return 0
			fi
		fi
		kill -0 "$QPID" 2>/dev/null || return 2
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.05
	done
}

# command LINE EXPECTED: send one command, the reply must be EXPECTED.
command_is() {
	local word=${1%% *}
	echo "$1" >&3
	wait_line "$CMD_TIMEOUT" "ok $word" "err $word" ||
		fail "no answer to '$1'"
	[ "$LINE" = "$2" ] || fail "'$1' answered '$LINE', expected '$2'"
	note "$1 -> $LINE"
}

# Boot with the given accelerator; false if QEMU died or never got ready.
boot() {
	start_qemu "$1" "$2"
	if wait_line "$BOOT_TIMEOUT" "porthole-demo: ready"; then
		return 0
	fi
	stop_qemu
	return 1
}

boot_any() {
	if [ -z "${ACCEL:-}" ] && [ -w /dev/kvm ] &&
	   boot "-accel kvm -cpu host,-arch-capabilities" "$1"; then
		ACCEL="-accel kvm -cpu host,-arch-capabilities"
	elif [ -n "${ACCEL:-}" ] && boot "$ACCEL" "$1"; then
		:
	elif boot "-accel tcg" "$1"; then
		ACCEL="-accel tcg"
	else
		fail "QEMU did not boot the demo guest"
	fi
	note "booted with $ACCEL${1:+ (drive$1)}"
}

# qmp N JSON...: run commands over QMP, each must return.
qmp() {
	local out
	out=$(printf '%s\n' '{"execute":"qmp_capabilities"}' "$@" |
	      "$SOCK" "$DIR/qmp.sock" 10000 '"return"' $(($# + 1))) ||
		fail "QMP: $out"
	grep -q '"error"' <<<"$out" && fail "QMP error: $out"
	return 0
}

key() {	# qcode down(true|false)
	echo "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"key\",\"data\":{\"down\":$2,\"key\":{\"type\":\"qcode\",\"data\":\"$1\"}}}]}}"
}
motion() { # type axis value [type axis value]
	local ev="{\"type\":\"$1\",\"data\":{\"axis\":\"$2\",\"value\":$3}}"
	[ $# -gt 3 ] && ev="$ev,{\"type\":\"$4\",\"data\":{\"axis\":\"$5\",\"value\":$6}}"
	echo "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[$ev]}}"
}

# expect_input LINE...: exactly these "input" lines come next, in order.
expect_input() {
	local want=("$@") got=() start=$SEEN end=$((SECONDS + CMD_TIMEOUT)) total
	while [ "${#got[@]}" -lt "${#want[@]}" ] && [ "$SECONDS" -lt "$end" ]; do
		sleep 0.05
		total=$(wc -l <"$DIR/serial.log")	# complete lines only
		[ "$total" -gt "$start" ] || continue
		mapfile -t got < <(sed -n "$((start + 1)),${total}p" \
				   "$DIR/serial.log" | grep '^input ' |
				   head -n "${#want[@]}")
	done
	[ "${want[*]}" = "${got[*]}" ] ||
		fail "input events: expected [${want[*]}], got [${got[*]}]"
	wait_line 1 "${want[-1]}"	# move past them
	SEEN=$(wc -l <"$DIR/serial.log")
	note "${#want[@]} input events echoed exactly"
}

agent_echo() {
	local out
	out=$(printf 'hello from the host\nline two\r\n' |
	      "$SOCK" "$DIR/agent.sock" 10000 "demo-agent: line two"$'\n') ||
		fail "agent port: got '$out'"
	[ "$out" = $'demo-agent: hello from the host\ndemo-agent: line two' ] ||
		fail "agent port answered '$out'"
	note "agent port echoes"
}

hex_at() { od -v -An -tx1 -j "$1" -N "$2" "$DISK" | tr -d ' \n'; }

# --- run 1: a writable disk ---
boot_any ""
for dev in kbd tablet mouse blk console; do
	grep -q "^virtio: $dev at 00:..\.0$" "$DIR/serial.log" ||
		fail "virtio $dev not found"
done
grep -q "failed:" "$DIR/serial.log" && fail "a device failed to set up"
grep -q "^virtio: agent port open$" "$DIR/serial.log" || fail "no agent port"
grep -q "^virtio: ready$" "$DIR/serial.log" || fail "no 'virtio: ready'"
note "all five devices found"

qmp "$(key shift true)" "$(key h true)" "$(key h false)" "$(key shift false)" \
    "$(key i true)" "$(key i false)" "$(motion abs x 16384 abs y 8192)" \
    "$(motion rel x -5 rel y 7)"
expect_input "input kbd 1 42 1" "input kbd 0 0 0" "input kbd 1 35 1" \
	"input kbd 0 0 0" "input kbd 1 35 0" "input kbd 0 0 0" \
	"input kbd 1 42 0" "input kbd 0 0 0" "input kbd 1 23 1" \
	"input kbd 0 0 0" "input kbd 1 23 0" "input kbd 0 0 0" \
	"input tablet 3 0 16384" "input tablet 3 1 8192" "input tablet 0 0 0" \
	"input mouse 2 0 -5" "input mouse 2 1 7" "input mouse 0 0 0"

command_is "disk info" "ok disk $DISK_SECTORS rw"
command_is "disk write 100 300 42" "ok disk write"
command_is "disk flush" "ok disk flush"
command_is "disk read 100 300 42" "ok disk match"
command_is "disk read 100 300 43" "err disk: mismatch at LBA 100"
command_is "disk read $((DISK_SECTORS - 1)) 2 42" "err disk: status 1"
# The bytes on the image, against demo_disk_sector() computed elsewhere.
[ "$(hex_at $((100 * 512)) 16)" = 2b68b0a17f5aa436362b4503fb8db7f6 ] ||
	fail "sector 100 on the image is not the contract's pattern"
[ "$(hex_at $((400 * 512 - 16)) 16)" = 3ed6121e870bc69eefe5904402b55fe6 ] ||
	fail "sector 399 on the image is not the contract's pattern"
[ "$(hex_at $((99 * 512)) 512 | tr -d 0)" = "" ] ||
	fail "sector 99 was written"
note "disk image holds the pattern, and only where written"

agent_echo

# A short hostile run must leave every device working again.
command_is "hostile 1 3" "ok hostile"
qmp "$(key a true)" "$(key a false)"
expect_input "input kbd 1 30 1" "input kbd 0 0 0" "input kbd 1 30 0" \
	"input kbd 0 0 0"
command_is "disk read 100 300 42" "ok disk match"
agent_echo

echo shutdown >&3
for _ in $(seq 100); do kill -0 "$QPID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$QPID" 2>/dev/null && fail "QEMU still runs after shutdown"
stop_qemu

# --- run 2: the same image, read-only ---
boot_any ",readonly=on"
command_is "disk info" "ok disk $DISK_SECTORS ro"
echo "disk write 0 1 1" >&3
wait_line "$CMD_TIMEOUT" "ok disk" "err disk" || fail "no answer to a write"
case $LINE in
"err disk: status "[1-9]*) note "read-only write refused: $LINE" ;;
*) fail "a write to a read-only disk answered '$LINE'" ;;
esac
command_is "disk read 100 300 42" "ok disk match"
[ "$(hex_at 0 512 | tr -d 0)" = "" ] || fail "the read-only disk was written"
stop_qemu

echo "PASS: the demo guest's virtio driver works against QEMU's devices"
