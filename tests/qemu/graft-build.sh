#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build openppe grafted into a copy of the kernel tree, enabled through Kconfig.
#
# usage: [KVER=6.12] graft-build.sh m|y    (KVER: see kernels.conf)
#
# Proves the upstream patch series builds: the series (make-patches.sh) is
# applied with git am and laid over a hard-linked copy of the kernel source
# (apply-patches.sh): the drivers sourced from drivers/net/Kconfig and
# drivers/net/ethernet/Kconfig and added to the Makefiles there, as the series
# does; they are enabled as modules (m) or built in (y), and the kernel is built.
# To be fast, the build directory is a copy of the cached test-kernel build,
# and the graft tree is bind-mounted over the original source path in a private
# mount namespace, so every path kbuild recorded stays the same and only the
# openppe objects compile (and vmlinux relinks).
set -euo pipefail
. "$(dirname "$0")/common.sh"

mode=${1:-}
case $mode in
m|y) ;;
*) die "usage: ${0##*/} m|y" ;;
esac
[ "$(id -u)" -eq 0 ] || die "must run as root (mount namespace)"
KDIR=${KDIR:-$("$REPO/tests/qemu/build-kernel.sh")}
key=$(kernel_key)
work=$OPENPPE_CACHE/graft
# per kernel: switching KVER must not recopy a whole build directory
tree=$work/$KVER/src
obj=$work/$KVER/obj

mkdir -p "$work/$KVER"
exec 9>"$work/.lock"
flock 9
# the layout before KVER (one src/ and obj/), gone with it
rm -rf "${work:?}/src" "${work:?}/obj"

# the graft tree: the pristine tree patched by the upstream series, recreated
# each time (hard links, a few seconds): the series make-patches.sh writes
# (or SERIES=DIR, one already written), applied by apply-patches.sh under
# this script's lock
series=${SERIES:-$("$REPO/tests/qemu/make-patches.sh")}
OPENPPE_GRAFT_LOCKED=1 "$REPO/tests/qemu/apply-patches.sh" "$series" >/dev/null
grafted=()
for d in drivers/net/ethernet/openppe drivers/net/openppe_sim; do
	if [ -f "$tree/$d/Makefile" ]; then
		grafted+=("$d")
	fi
done
[ "${#grafted[@]}" -gt 0 ] || die "no driver directories in the patched tree"
grep -q openppe "$tree/drivers/net/Kconfig" "$tree/drivers/net/ethernet/Kconfig" ||
	die "could not hook the Kconfig files"

# the build directory: a copy of the test kernel's, refreshed when the kernel changes
if [ ! -f "$obj/.openppe-graft-key" ] || [ "$(cat "$obj/.openppe-graft-key")" != "$key" ]; then
	log "copying the test kernel build $KDIR"
	rm -rf "$obj"
	cp -a "$KDIR" "$obj"
	echo "$key" >"$obj/.openppe-graft-key"
fi

# the symbols the grafted Kconfig files define
syms=()
kconfigs=$(for d in "${grafted[@]}"; do cat "$tree/$d/Kconfig"; done 2>/dev/null || true)
for s in OPENPPE OPENPPE_SIM OPENPPE_KUNIT_TEST OPENPPE_SIM_KUNIT_TEST; do
	if grep -q "^config $s\$" <<<"$kconfigs"; then
		syms+=("$s")
	fi
done
[ "${#syms[@]}" -gt 0 ] || die "the grafted Kconfig files define no OPENPPE symbols"

inner=$(cat <<'INNER'
set -euo pipefail
mount --bind "$TREE" "$KSRC"
cd "$OBJ"
make -C "$KSRC" O="$OBJ" -s syncconfig >/dev/null
for s in $SYMS; do
	if [ "$MODE" = y ]; then
		"$KSRC/scripts/config" --file .config --enable "$s"
	else
		"$KSRC/scripts/config" --file .config --module "$s"
	fi
done
make -C "$KSRC" O="$OBJ" olddefconfig
for s in $SYMS; do
	if ! grep -qx "CONFIG_$s=$MODE" .config; then
		echo "graft: CONFIG_$s=$MODE did not stick: $(grep "CONFIG_$s[= ]" .config || echo unset)" >&2
		exit 1
	fi
done
# vmlinux is relinked for =m too: a previous =y build left our objects in it
make -C "$KSRC" O="$OBJ" -j"$JOBS" vmlinux Image modules
INNER
)
log "building with ${syms[*]} =$mode"
TREE=$tree KSRC=$KSRC OBJ=$obj SYMS="${syms[*]}" MODE=$mode JOBS=$JOBS \
	unshare --mount --propagation private bash -c "$inner"

# what must have come out of it
if [ "$mode" = m ]; then
	for d in "${grafted[@]}"; do
		n=$(find "$obj/$d" -name '*.ko' | wc -l)
		[ "$n" -gt 0 ] || die "=m build produced no module in $d"
		log "=m: $n module(s) in $d"
	done
else
	for d in "${grafted[@]}"; do
		[ -s "$obj/$d/built-in.a" ] || die "=y build has no $d/built-in.a"
		[ -z "$(find "$obj/$d" -name '*.ko' -newer "$obj/.config")" ] ||
			die "=y build still produced modules in $d"
	done
	grep -q ' openppe' "$obj/System.map" || die "=y: no openppe symbol in vmlinux"
	log "=y: vmlinux links the openppe objects"
fi
