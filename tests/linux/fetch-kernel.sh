#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Fetches Debian's stock amd64 kernel for the Linux boot tests, unpacked
# (never installed), and builds a tiny initrd. Idempotent: a complete cache
# is left alone. Usage: fetch-kernel.sh [CACHE_DIR]   (default ./linux)
#
# The cache ends up with:
#   boot/vmlinuz-VER, boot/config-VER   from the .deb, as Debian ships them
#   vmlinuz, config                     links to those
#   vmlinux                             the ELF inside vmlinuz's payload
#                                       (for the PVH loader), when extractable
#   initrd.cpio                         busybox /init that prints a marker
#                                       line and powers off (or a small file
#                                       when busybox-static is not installed)
#
# It exits 0 even when nothing can be downloaded (no network, no apt), and
# says so: the tests that need the kernel then skip and repeat why.

set -u

cache=${1:-linux}
marker=PORTHOLE-INITRD-OK

say() { printf 'fetch-kernel: %s\n' "$*"; }

skip() {
	say "skipped: $*"
	say "the Linux boot tests will skip; with network access and apt, run: $0 $cache"
	exit 0
}

mkdir -p "$cache" || skip "cannot create $cache"
cache=$(cd "$cache" && pwd) || skip "cannot enter $cache"

# ---- kernel -----------------------------------------------------------

# linux-image-amd64 is a metapackage; the kernel is what it depends on.
resolve_package() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[^ ]*-amd64\)$/\1/p' | head -n 1
}

fetch_kernel() {
	if [ -f "$cache/vmlinuz" ] && [ -f "$cache/config" ]; then
		say "kernel present: $(readlink "$cache/vmlinuz")"
		return 0
	fi
	if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
		skip "apt-get or dpkg-deb missing (install apt and dpkg)"
	fi
	pkg=$(resolve_package)
	[ -n "$pkg" ] ||
		skip "apt-cache cannot resolve linux-image-amd64 (run apt-get update?)"
	tmp=$(mktemp -d "$cache/.fetch.XXXXXX") || skip "cannot create a temp dir"
	say "downloading $pkg"
	if ! (cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>"$tmp/apt.log"); then
		sed 's/^/  /' "$tmp/apt.log" | tail -n 3
		rm -rf "$tmp"
		skip "apt-get download $pkg failed (no network?)"
	fi
	# Only boot/ is needed: extracting the modules would cost ~400 MB.
	if ! dpkg-deb --fsys-tarfile "$tmp"/*.deb |
	     tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' './boot/config-*'; then
		rm -rf "$tmp"
		skip "cannot unpack the $pkg package"
	fi
	mkdir -p "$cache/boot"
	mv "$tmp"/boot/vmlinuz-* "$tmp"/boot/config-* "$cache/boot/"
	rm -rf "$tmp"
	ver=${pkg#linux-image-}
	ln -sf "boot/vmlinuz-$ver" "$cache/vmlinuz"
	ln -sf "boot/config-$ver" "$cache/config"
	say "kernel unpacked: $cache/boot/vmlinuz-$ver"
}

# ---- vmlinux from the bzImage payload ----------------------------------

# le32 FILE OFFSET: a little-endian 32-bit field of the file.
le32() {
	od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '
}

u8() {
	od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '
}

# The decompressor for the payload's magic, or nothing.
decompressor() {
	magic=$(od -An -tx1 -N6 "$1" | tr -d ' ')
	case $magic in
	1f8b*)		echo "gzip -dc" ;;
	fd377a585a00)	echo "xz -dc --single-stream" ;;
	28b52ffd*)	echo "zstd -dcq" ;;
	425a68*)	echo "bzip2 -dc" ;;
	5d0000*)	echo "xz -dc --format=lzma" ;;
	02214c18*)	echo "lz4 -dc" ;;
	894c5a4f*)	echo "lzop -dc" ;;
	esac
}

is_elf() {
	[ "$(od -An -tx1 -N4 "$1" 2>/dev/null | tr -d ' ')" = 7f454c46 ]
}

extract_vmlinux() {
	z="$cache/vmlinuz"
	out="$cache/vmlinux"
	if is_elf "$out"; then
		say "vmlinux present"
		return 0
	fi
	sects=$(u8 "$z" $((0x1f1)))
	[ "$sects" -eq 0 ] && sects=4
	off=$(le32 "$z" $((0x248)))
	len=$(le32 "$z" $((0x24c)))
	start=$(( (sects + 1) * 512 + off ))
	if [ "$len" -le 4 ] || [ $((start + len)) -gt "$(wc -c <"$z")" ]; then
		say "cannot extract vmlinux: no payload in the setup header (PVH test will skip)"
		return 0
	fi
	tmp="$cache/.payload.$$"
	tail -c +$((start + 1)) "$z" | head -c "$len" >"$tmp"
	cmd=$(decompressor "$tmp")
	tool=${cmd%% *}
	if [ -z "$cmd" ] || ! command -v "$tool" >/dev/null; then
		rm -f "$tmp"
		say "cannot extract vmlinux: unknown payload format or '$tool' missing (PVH test will skip)"
		return 0
	fi
	# The kernel build appends the decompressed size (4 bytes) to the
	# stream; most tools call that trailing garbage, so drop it first.
	head -c $((len - 4)) "$tmp" | $cmd >"$out.tmp" 2>/dev/null
	is_elf "$out.tmp" || $cmd <"$tmp" >"$out.tmp" 2>/dev/null
	rm -f "$tmp"
	if is_elf "$out.tmp"; then
		mv "$out.tmp" "$out"
		say "vmlinux extracted ($tool)"
	else
		rm -f "$out.tmp"
		say "cannot extract vmlinux: the payload did not decompress to an ELF"
	fi
}

# ---- initrd -----------------------------------------------------------

have_static_busybox() {
	dpkg-query -W -f='${Status}' busybox-static 2>/dev/null |
		grep -q "install ok installed" && [ -x /bin/busybox ]
}

write_init() {
	cat >"$1" <<EOF
#!/bin/busybox sh
# Porthole boot test: prove the initrd ran and count the CPUs, then stop.
/bin/busybox mkdir -p /proc /sys /dev
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
echo "$marker nproc=\$(/bin/busybox nproc) online=\$(/bin/busybox cat /sys/devices/system/cpu/online)"
# Porthole's virtio-pci devices as Linux's built-in virtio_pci found them.
echo "PORTHOLE-VIRTIO \$(/bin/busybox cat /sys/bus/virtio/devices/*/device 2>/dev/null | /bin/busybox sort | /bin/busybox tr '\\n' ' ')"
/bin/busybox sync
/bin/busybox poweroff -f
EOF
	chmod 755 "$1"
}

make_cpio() {
	if command -v cpio >/dev/null; then
		(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$2"
	elif command -v busybox >/dev/null; then
		(cd "$1" && find . | LC_ALL=C sort | busybox cpio -o -H newc) >"$2"
	else
		return 1
	fi
}

build_initrd() {
	if [ -s "$cache/initrd.cpio" ]; then
		say "initrd present"
		return 0
	fi
	root=$(mktemp -d "$cache/.initrd.XXXXXX") || return 0
	chmod 755 "$root"
	mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
	if have_static_busybox; then
		cp /bin/busybox "$root/bin/busybox"
		write_init "$root/init"
		kind="busybox /init"
	else
		# Still a valid cpio, just with nothing to run: enough for the
		# placement tests; the boot test needs busybox-static.
		echo "porthole initrd placement test" >"$root/README"
		kind="placeholder (install busybox-static for the boot test)"
	fi
	if make_cpio "$root" "$cache/initrd.cpio.tmp"; then
		mv "$cache/initrd.cpio.tmp" "$cache/initrd.cpio"
	else
		# No cpio tool: any small file serves the placement tests.
		head -c 65536 /dev/urandom >"$cache/initrd.cpio"
		kind="random bytes (no cpio tool)"
	fi
	rm -rf "$root"
	say "initrd built: $kind"
}

build_initrd
fetch_kernel
extract_vmlinux
say "ready: $cache"
exit 0
