#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the test board, run one script in it as root, judge the run.
#
# usage: run.sh SCRIPT [ARGS...]      (make vm-run SCRIPT=... [ARGS=...])
#
# The guest (tests/qemu/init + guest.sh) mounts proc/sys/dev/debugfs/tmpfs, mounts
# this repository at /openppe (9p, read-write) and the kernel's
# tools/testing/selftests at /ksft (read-only), loads the project's modules, runs
# SCRIPT with bash from its own directory, forces a kmemleak scan and powers off.
#
# Exit status: the script's, unless the run itself failed:
#   124  the guest did not finish within VM_TIMEOUT seconds (it is killed)
#   1    a kernel splat (KASAN, lockdep, WARN, BUG, Oops, panic, RCU stall,
#        hung task, kmemleak report, ...) is in the console log although the
#        script passed or skipped, or the guest died without reporting a status
#
# Environment:
#   KVER=6.1             boot another kernel of tests/qemu/kernels.conf (default
#                        the board's); its modules and initramfs come from
#                        build/kver/KVER/ (make vm-run KVER=... builds them)
#   VM_TESTS="a b"       run only these test functions of a lib.sh selftest
#                        (exported to the script as TESTS)
#   VM_TIMEOUT=600       seconds before the guest is killed (default: the
#                        script's "# vm-timeout: N" line if it has one, else 600)
#   VM_MODULES=auto      auto: modprobe openppe, then openppe_sim, each if built;
#                        none: load nothing; "a,b": exactly these (missing fails)
#   VM_APPEND=...        extra kernel command line
#   VM_DTB=file.dtb      boot another DTB instead of the board's
#   VM_BOARD=dsa|plain   the board (build-dtb.sh BOARD=): default the script's
#                        "# vm-board: NAME" line if it has one, else
#                        BOARD_DEFAULT (common.sh: dsa); ignored with VM_DTB
#   VM_NAME=name         log name (default: the script's name without .sh)
#   VM_SMP=2 VM_MEM=2G   guest CPUs and memory (the board DTB is rebuilt to match)
#   VM_QUIET=1           don't copy the console to stdout (it is still logged)
# Files: build/vm-logs/NAME.log (full console), build/vm-logs/NAME/output (the
# script's stdout+stderr only), build/vm-logs/NAME/rc.
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$REPO/tests/qemu/splat.sh"

[ $# -ge 1 ] || die "usage: ${0##*/} SCRIPT [ARGS...]"
script=$(realpath -e "$1") || die "no such script: $1"
shift

# a script may declare its own limit in a "# vm-timeout: SECONDS" comment line
timeout_s=${VM_TIMEOUT:-$(sed -n 's/^# vm-timeout: *\([0-9]\+\) *$/\1/p' "$script" | head -n1)}
timeout_s=${timeout_s:-600}
# ... and the board it needs in a "# vm-board: NAME" line (build-dtb.sh BOARD)
board=${VM_BOARD:-$(sed -n 's/^# vm-board: *\([a-z0-9]\+\) *$/\1/p' "$script" | head -n1)}
board=${board:-$BOARD_DEFAULT}
name=${VM_NAME:-$(basename "$script" .sh)}
logs=$REPO/build/vm-logs
rundir=$logs/$name
console=$logs/$name.log
KDIR=${KDIR:-$("$REPO/tests/qemu/build-kernel.sh")}
kernel=$KDIR/arch/arm64/boot/Image
initrd=$KOUT/vm/initramfs.cpio
[ -f "$kernel" ] || die "no kernel image $kernel (run: make kernel)"
release=$(cat "$KDIR/include/config/kernel.release" 2>/dev/null) || die "no kernel release in $KDIR"
# the initramfs is KVER's (its modules): the kernel must be KVER's too
[[ $release == "$KVER".* ]] || die "KDIR $KDIR is a $release kernel, not KVER=$KVER's"
[ -f "$initrd" ] || die "no initramfs $initrd (run: make initramfs KVER=$KVER)"

if [ -n "${VM_DTB:-}" ]; then
	dtb=$(realpath -e "$VM_DTB") || die "no such DTB: $VM_DTB"
else
	# cheap, and keeps the board in step with the overlay and VM_SMP/VM_MEM
	dtb=$REPO/build/vm/board-$board-$QEMU_SMP-$QEMU_MEM.dtb
	BOARD=$board "$REPO/tests/qemu/build-dtb.sh" "$dtb" 2>/dev/null ||
		BOARD=$board "$REPO/tests/qemu/build-dtb.sh" "$dtb"
fi

rm -rf "$rundir" "$console"
mkdir -p "$rundir"
case $script in
"$REPO"/*) guest_script=/openppe/${script#"$REPO"/} ;;
*)
	# outside the share: ship a copy in the run directory
	cp "$script" "$rundir/script.sh"
	guest_script=/openppe/build/vm-logs/$name/script.sh ;;
esac
{
	printf 'VM_SCRIPT=%q\n' "$guest_script"
	printf 'VM_MODULES=%q\n' "${VM_MODULES:-auto}"
	[ -n "${VM_TESTS:-}" ] && printf 'export TESTS=%q\n' "$VM_TESTS"
	printf 'VM_ARGS=('
	[ $# -gt 0 ] && printf '%q ' "$@"
	printf ')\n'
} >"$rundir/env"

append="console=ttyAMA0 panic=-1 openppe_vm.run=build/vm-logs/$name ${VM_APPEND:-}"
qemu=(qemu-system-aarch64 -M "$QEMU_MACHINE" -cpu "$QEMU_CPU" -smp "$QEMU_SMP"
      -m "$QEMU_MEM" -nodefaults -display none -no-reboot -serial stdio
      -kernel "$kernel" -initrd "$initrd" -dtb "$dtb" -append "$append"
      -device virtio-rng-device
      -fsdev "local,id=repo,path=$REPO,security_model=none"
      -device virtio-9p-device,fsdev=repo,mount_tag=openppe
      -fsdev "local,id=ksft,path=$KSRC/tools/testing/selftests,security_model=none,readonly=on"
      -device virtio-9p-device,fsdev=ksft,mount_tag=ksft)

log "booting $name (timeout ${timeout_s}s, log ${console#"$REPO"/})"
start=$SECONDS
set +e
if [ "${VM_QUIET:-0}" = 1 ]; then
	timeout -k 10 "$timeout_s" "${qemu[@]}" </dev/null >"$console" 2>&1
	qrc=$?
else
	timeout -k 10 "$timeout_s" "${qemu[@]}" </dev/null 2>&1 | tee "$console"
	qrc=${PIPESTATUS[0]}
fi
set -e
elapsed=$((SECONDS - start))

rc=
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	log "FAIL: $name: guest did not finish within ${timeout_s}s; killed"
	rc=124
elif [ ! -f "$rundir/rc" ]; then
	log "FAIL: $name: guest stopped without reporting the script's status (qemu exit $qrc)"
	rc=1
else
	rc=$(cat "$rundir/rc")
fi

if splats=$(splat_scan "$console"); then
	log "FAIL: $name: kernel splat in the console log:"
	printf '%s\n' "$splats" | sed 's/^/    /' >&2
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 4 ]; then
		rc=1
	fi
fi
log "$name: exit status $rc after ${elapsed}s"
exit "$rc"
