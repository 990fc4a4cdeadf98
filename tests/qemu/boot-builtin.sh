#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a kernel with openppe built in and let its built-in KUnit suites run.
#
# usage: boot-builtin.sh IMAGE NAME [TARGET]
#   IMAGE  arch/arm64/boot/Image of a kernel with CONFIG_OPENPPE*=y and
#          CONFIG_*_KUNIT_TEST=y (graft-build.sh y), or a cross kernel's
#          image (build-cross.sh TARGET)
#   NAME   the run's name: console in build/vm-logs/NAME.log, the KTAP the
#          kernel printed (timestamps stripped) in build/vm-logs/NAME/output
#   TARGET a cross target of cross.sh (arm32, arm64be): boot on its QEMU
#          board; default the test board (arm64)
#
# No initramfs and no board: the KUnit executor runs the built-in suites
# before the kernel looks for a root file system, and kunit_shutdown=poweroff
# ends the boot there. What a module build cannot show is shown here: the
# suites register and pass when linked into vmlinux, and the built-in
# drivers' initcalls run on a debug kernel without a splat.
# Exit status: 0 every suite ok, no splat; 1 otherwise; 124 timed out.
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$REPO/tests/qemu/splat.sh"

image=${1:-}
name=${2:-}
[ -f "$image" ] && [ -n "$name" ] || die "usage: ${0##*/} IMAGE NAME [TARGET]"
QEMU_SYSTEM=qemu-system-aarch64
if [ -n "${3:-}" ]; then
	. "$REPO/tests/qemu/cross.sh"
	cross_target "$3"
fi
console=$BUILD/vm-logs/$name.log
out=$BUILD/vm-logs/$name/output
timeout_s=${VM_TIMEOUT:-300}
mkdir -p "$BUILD/vm-logs/$name"
rm -f "$console" "$out"

log "booting $image (timeout ${timeout_s}s, log ${console#"$REPO"/})"
start=$SECONDS
set +e
timeout -k 10 "$timeout_s" "$QEMU_SYSTEM" -M "$QEMU_MACHINE" -cpu "$QEMU_CPU" \
	-smp "$QEMU_SMP" -m "$QEMU_MEM" -nodefaults -display none -no-reboot \
	-serial stdio -kernel "$image" \
	-append "console=ttyAMA0 panic=-1 kunit_shutdown=poweroff" \
	</dev/null >"$console" 2>&1
qrc=$?
set -e

# the KTAP document: from the executor's header on, timestamps and the
# serial console's carriage returns stripped
tr -d '\r' <"$console" | sed -n -E 's/^\[ *[0-9]+\.[0-9]+\] ?//; /^KTAP version/,$p' |
	grep -E '^ *(KTAP version|[0-9]+\.\.[0-9]+|(not )?ok [0-9]|#)' >"$out" || true

rc=0
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	log "FAIL: $name: no power-off within ${timeout_s}s; killed"
	rc=124
elif ! grep -qE '^1\.\.[1-9]' "$out"; then
	log "FAIL: $name: the kernel ran no KUnit suite (are the tests built in?)"
	rc=1
elif grep -qE '^not ok ' "$out"; then
	log "FAIL: $name: $(grep -cE '^not ok ' "$out") suite(s) failed"
	rc=1
fi
if splats=$(splat_scan "$console"); then
	log "FAIL: $name: kernel splat in the console log:"
	printf '%s\n' "$splats" | sed 's/^/    /' >&2
	rc=1
fi
log "$name: exit status $rc after $((SECONDS - start))s"
exit "$rc"
