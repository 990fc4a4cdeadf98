#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build openppe's modules out of tree against the test kernel; collect them.
#
# usage: build-modules.sh [DIR [make args...]]
#   DIR   scratch copy to build in (default build/kbuild, or build/kver/KVER/kbuild
#         for a kernel other than the board's); objects stay there so
#         rebuilds are incremental
#   args  extra kbuild arguments, e.g. W=1 or C=2
# The sources (Kbuild, drivers/, include/) are mirrored into DIR so the shared
# working tree stays free of objects. The benchmark module of `make bench`
# (tests/bench/kmod/, test code with its own Kbuild) is mirrored to
# DIR/tests/bench/kmod and built there as a second external module, against
# the same kernel and with the same args. Without extra args, the .ko files
# are collected into build/modules/ (build/kver/KVER/modules/).
set -euo pipefail
. "$(dirname "$0")/common.sh"

dir=${1:-$KOUT/kbuild}
shift || true
case $dir in
*=*) die "the first argument is the scratch DIR, then kbuild arguments: ${0##*/} DIR $dir" ;;
esac
KDIR=${KDIR:-$("$REPO/tests/qemu/build-kernel.sh")}
[ -f "$KDIR/Module.symvers" ] || die "KDIR $KDIR has no Module.symvers (run: make kernel)"

mkdir -p "$dir"
# one build per scratch directory at a time (held until exit): two builds,
# make check's and a developer's make modules say, race on its objects
exec {lock}>"$dir.lock"
flock "$lock"
gen=(--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c'
     --exclude='*.a' --exclude='.*.cmd' --exclude='.*.d' --exclude='modules.order'
     --exclude='Module.symvers' --exclude='*.dwo' --exclude='.tmp_*')
srcs=(Kbuild Kconfig)
for d in drivers include; do
	[ -d "$REPO/$d" ] && srcs+=("$d")
done
(cd "$REPO" && rsync -a --delete "${gen[@]}" "${srcs[@]}" "$dir/")
bench=tests/bench/kmod
mkdir -p "$dir/$bench"
rsync -a --delete "${gen[@]}" "$REPO/$bench/" "$dir/$bench/"

# the production-like kernel (KVARIANT=prod) has no KUnit: no test modules
variant=()
[ "$KVARIANT" = test ] || variant=(OPENPPE_TEST_MODULES=n)
make -C "$KDIR" M="$dir" -j"$JOBS" "${variant[@]}" "$@" modules
# it uses no symbol of the drivers (see its Kbuild): no KBUILD_EXTRA_SYMBOLS
make -C "$KDIR" M="$dir/$bench" -j"$JOBS" "$@" modules

if [ $# -eq 0 ]; then
	rm -rf "$KOUT/modules"
	mkdir -p "$KOUT/modules"
	# what each build's modules.order lists, not every .ko in DIR: a module
	# that moved (openppe_bench left drivers/) leaves its old objects behind,
	# which the mirror protects from deletion. The paths there are relative
	# to the module directory or absolute (6.12), naming the .o or the .ko.
	for m in "$dir" "$dir/$bench"; do
		while read -r ko; do
			[[ $ko == /* ]] || ko=$m/$ko
			cp "${ko%.*}.ko" "$KOUT/modules/"
		done <"$m/modules.order"
	done
	n=$(find "$KOUT/modules" -name '*.ko' | wc -l)
	log "$n module(s) in $KOUT/modules"
fi
