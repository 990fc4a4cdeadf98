#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build a test board's DTB: QEMU virt's own DTB + the board's overlay.
#
# usage: [BOARD=dsa|plain] build-dtb.sh [OUT]   (default build/vm/board-BOARD.dtb)
# BOARD selects the overlay (common.sh, BOARD_DEFAULT: dsa):
#   dsa    dts/qemu-virt-openppe-dsa.dtso: a DSA switch behind one engine port
#   plain  dts/qemu-virt-openppe.dtso: the engine ports are the router's ports
# QEMU generates the virt DTB from the machine, CPU count and memory size, so this
# uses exactly the runner's board parameters (common.sh). The overlay goes through
# the C preprocessor like in-tree .dts files (so <dt-bindings/...> includes work),
# is compiled with `dtc -@` and applied with fdtoverlay.
set -euo pipefail
. "$(dirname "$0")/common.sh"

board=${BOARD:-$BOARD_DEFAULT}
case $board in
dsa) overlay=$REPO/dts/qemu-virt-openppe-dsa.dtso ;;
plain) overlay=$REPO/dts/qemu-virt-openppe.dtso ;;
*) die "BOARD=$BOARD: unknown board (known: dsa, plain)" ;;
esac
out=${1:-$BUILD/vm/board-$board.dtb}
[ -f "$overlay" ] || die "$overlay missing"
[ -d "$KSRC/scripts/dtc/include-prefixes" ] || die "kernel source not unpacked (run: make kernel)"
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

qemu-system-aarch64 -M "$QEMU_MACHINE,dumpdtb=$tmp/virt.dtb" -cpu "$QEMU_CPU" \
	-smp "$QEMU_SMP" -m "$QEMU_MEM" -nodefaults -display none >/dev/null 2>"$tmp/qemu.err" ||
	{ cat "$tmp/qemu.err" >&2; die "qemu could not dump the virt DTB"; }

cpp -nostdinc -undef -x assembler-with-cpp -D__DTS__ \
	-I "$REPO/dts" -I "$KSRC/scripts/dtc/include-prefixes" \
	-o "$tmp/overlay.dts" "$overlay" || die "preprocessing $overlay failed"
dtc -q -@ -I dts -O dtb -o "$tmp/overlay.dtbo" "$tmp/overlay.dts" ||
	die "dtc failed on $overlay"
fdtoverlay -i "$tmp/virt.dtb" -o "$tmp/board.dtb" "$tmp/overlay.dtbo" ||
	die "fdtoverlay could not apply $overlay to the virt DTB"
# atomic even across file systems: make check boots two guests at once
cp "$tmp/board.dtb" "$out.$$"
mv "$out.$$" "$out"
log "board DTB: $out"
