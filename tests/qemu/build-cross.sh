#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (or update) a cross kernel with openppe and its KUnit suites built in.
#
# usage: build-cross.sh TARGET        build; stdout: the kernel image
#        build-cross.sh TARGET gate   W=1 and sparse of the two driver
#                                     directories; stdout: kbuild's output
#   TARGET  arm32 (ARMv7, 32-bit) or arm64be (big-endian arm64): cross.sh
#
# The board kernel's source (KVER, default the board's) patched by the
# upstream series (make-patches.sh, apply-patches.sh), in a tree of its own:
# a hard-linked copy of the pristine source in which only the files the
# series has are replaced, and only when their content changed, so kbuild
# recompiles only what the series changed (and relinks). Configured from
# allnoconfig + tests/qemu/cross.config + cross-TARGET.config; every option
# the fragments set must survive olddefconfig. The build directory is cached
# under $OPENPPE_CACHE/cross/KVER-TARGET-<key>, the key hashing the source
# version, the fragments and this script; a new key starts from a copy of the
# newest previous build of the target (kbuild rebuilds only what the config
# change touches). Every run then makes the image, which is incremental.
# The gate recompiles every object of the driver directories with W=1 and
# sparse (C=1: only what compiles is checked), after kbuild's prepare step
# has compiled its own objects (vdso, asm-offsets) with W=1 quietly: the
# gate's output, for the caller to judge, is about the drivers only. The
# next plain run recompiles them without W=1 and relinks. One cross build at
# a time (the cache lock).
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$REPO/tests/qemu/series.sh"
. "$REPO/tests/qemu/cross.sh"

[ $# -ge 1 ] || die "usage: ${0##*/} TARGET [kbuild flags]   (TARGET: $CROSS_TARGETS)"
cross_target "$1"
shift
cache=$OPENPPE_CACHE/cross
tree=$cache/$KVER-src
drivers=(drivers/net/ethernet/openppe/ drivers/net/openppe_sim/)
frags=("$REPO/tests/qemu/cross.config" "$REPO/tests/qemu/cross-$CROSS_TARGET.config")
key=$({
	printf 'src %s %s\n' "$KSRC_PKG" "$KSRC_VERSION"
	cat "${frags[@]}" "$0"
} | sha256 | cut -c1-16)
out=$cache/$KVER-$CROSS_TARGET-$key
kmake() { nice -n 19 make -C "$tree" O="$out" -j"${JOBS_CROSS:-2}" "$@"; }

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

# the patched tree: the series applied under graft-build.sh's lock (its tree
# is rewritten by every graft build), its files synced into ours
sync_tree() {
	local series ksrc graft f
	series=${SERIES:-$("$REPO/tests/qemu/make-patches.sh")}
	ksrc=$("$REPO/tests/qemu/fetch-ksrc.sh")
	if [ "$(cat "$tree/.openppe-version" 2>/dev/null)" != "$KSRC_VERSION" ] ||
	   [ ! -f "$tree/.openppe-series-files" ]; then
		log "new source tree $tree (hard links to $ksrc)"
		rm -rf "$tree"
		cp -al "$ksrc" "$tree.tmp"
		: >"$tree.tmp/.openppe-series-files"
		mv "$tree.tmp" "$tree"
	fi
	exec 8>"$OPENPPE_CACHE/graft/.lock"
	flock 8
	graft=$(OPENPPE_GRAFT_LOCKED=1 "$REPO/tests/qemu/apply-patches.sh" "$series")
	series_git "$OPENPPE_CACHE/graft/$KVER/am" ls-files | LC_ALL=C sort >"$tree/.series.new"
	# a file the series no longer has: back to the pristine one, or gone
	LC_ALL=C comm -23 "$tree/.openppe-series-files" "$tree/.series.new" | while read -r f; do
		rm -f "${tree:?}/$f"
		if [ -f "$ksrc/$f" ]; then ln "$ksrc/$f" "$tree/$f"; fi
	done
	# a new file, never written through: it may be a hard link to the pristine one
	while read -r f; do
		cmp -s "$graft/$f" "$tree/$f" && continue
		rm -f "${tree:?}/$f"
		mkdir -p "$(dirname "$tree/$f")"
		cp -p "$graft/$f" "$tree/$f"
	done <"$tree/.series.new"
	flock -u 8
	mv "$tree/.series.new" "$tree/.openppe-series-files"
	echo "$KSRC_VERSION" >"$tree/.openppe-version"
}

# verify_config: every option of the fragments is in the final .config
verify_config() {
	local sym val bad=0
	while IFS='=' read -r sym val; do
		grep -qx "$sym=$val" "$out/.config" && continue
		log "fragment: $sym=$val not in the final config ($(grep "^$sym=\|^# $sym is" "$out/.config" || echo unset))"
		bad=1
	done < <(grep -h '^CONFIG_' "${frags[@]}")
	return "$bad"
}

# configure: the build directory of a new key, seeded from this target's
# newest build; an unfinished one (interrupted) is resumed, as kbuild
# rebuilds whatever did not complete
configure() {
	local seed
	rm -rf "$out.tmp"
	seed=$(find "$cache" -maxdepth 2 -path "$cache/$KVER-$CROSS_TARGET-*/.openppe-done" \
		-printf '%T@ %h\n' | sort -rn | head -n1 | cut -d' ' -f2-)
	if [ -d "$out" ]; then
		log "resuming the unfinished $CROSS_TARGET build $out"
	elif [ -n "$seed" ]; then
		log "new $CROSS_TARGET kernel key $key: starting from $seed (incremental)"
		cp -a "$seed" "$out.tmp"
		rm -f "$out.tmp/.openppe-done"
		mv "$out.tmp" "$out"
	else
		log "new $CROSS_TARGET kernel key $key: full build"
	fi
	# the build directory's generated Makefile names it: build it in place
	mkdir -p "$out"
	kmake allnoconfig
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}"
	kmake olddefconfig
	verify_config || die "config fragment not applied"
}

sync_tree
logf=$out.log
case ${1:-} in
'') ;;
gate)
	[ -f "$out/.openppe-done" ] || die "no $CROSS_TARGET kernel yet: run ${0##*/} $CROSS_TARGET"
	kmake W=1 prepare >/dev/null
	for d in "${drivers[@]}"; do
		find "$out/$d" -name '*.o' -delete
	done
	kmake W=1 C=1 "${drivers[@]}"
	exit 0
	;;
*)
	die "usage: ${0##*/} TARGET [gate]"
	;;
esac
start=$SECONDS
if [ ! -f "$out/.openppe-done" ]; then
	configure >"$logf" 2>&1 || { tail -n 40 "$logf" >&2; die "configuring failed; log: $logf"; }
fi
if ! kmake "${CROSS_IMAGE#arch/*/boot/}" >>"$logf" 2>&1; then
	tail -n 40 "$logf" >&2
	die "$CROSS_TARGET kernel build failed; full log: $logf"
fi
grep -q ' openppe' "$out/System.map" || die "no openppe symbol in $CROSS_TARGET vmlinux"
if [ ! -f "$out/.openppe-done" ]; then
	echo "$key" >"$out/.openppe-done"
	# keep this target's two newest builds
	find "$cache" -maxdepth 2 -path "$cache/$KVER-$CROSS_TARGET-*/.openppe-done" \
		-printf '%T@ %h\n' | sort -rn | tail -n +3 | cut -d' ' -f2- | while read -r old; do
		log "pruning old $CROSS_TARGET kernel build $old"
		rm -rf "$old" "$old.log"
	done
fi
log "$CROSS_TARGET kernel $(cat "$out/include/config/kernel.release") up to date in $((SECONDS - start))s"
echo "$out/$CROSS_IMAGE"
