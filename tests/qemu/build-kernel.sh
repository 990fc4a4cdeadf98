#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (or reuse) the arm64 test kernel; print its build directory (KDIR).
#
# Recipe: arm64 allnoconfig + tests/qemu/kernel.config, then Image and modules
# (which includes modules_prepare and Module.symvers, so out-of-tree modules build
# with `make -C $KDIR M=...`). The result is cached under
# $OPENPPE_CACHE/kernel/<key>, the key hashing the source package version, the
# fragment and this script. A new key starts from a copy of the newest previous
# build: kbuild tracks every object's config dependencies, so only what the change
# touches recompiles.
#
# stdout: the KDIR, nothing else. Progress and logs go to stderr / the cache.
set -euo pipefail
. "$(dirname "$0")/common.sh"

FRAG=$REPO/tests/qemu/kernel.config
[ -f "$KSRC_TARBALL" ] || die "$KSRC_TARBALL missing (run: make deps)"
mkdir -p "$OPENPPE_CACHE/src" "$OPENPPE_CACHE/kernel"

exec 9>"$OPENPPE_CACHE/kernel/.lock"
flock 9

unpack_source() {
	local ver upstream
	ver=$(ksrc_version)
	if [ -f "$KSRC/.openppe-version" ] &&
	   [ "$(cat "$KSRC/.openppe-version")" = "$ver" ]; then
		return 0
	fi
	upstream=${ver%%-*}
	# An unpacked tree without our marker is adopted if it is the same release.
	if [ -f "$KSRC/Makefile" ] &&
	   [ "$(make -s -C "$KSRC" kernelversion 2>/dev/null)" = "$upstream" ]; then
		echo "$ver" >"$KSRC/.openppe-version"
		return 0
	fi
	log "unpacking $KSRC_TARBALL"
	rm -rf "$KSRC" "$KSRC.tmp"
	mkdir -p "$KSRC.tmp"
	tar -xf "$KSRC_TARBALL" -C "$KSRC.tmp" --strip-components=1
	echo "$ver" >"$KSRC.tmp/.openppe-version"
	mv "$KSRC.tmp" "$KSRC"
}

# Every option the fragment sets must survive olddefconfig: a silently dropped
# KASAN or lockdep would make every run meaningless.
verify_config() {
	local cfg=$1 bad=0 line sym val
	while IFS= read -r line; do
		line=${line#"${line%%[![:space:]]*}"}
		case $line in
		CONFIG_*=*) sym=${line%%=*}; val=${line#*=} ;;
		"# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *}; val=n ;;
		*) continue ;;
		esac
		if [ "$val" = n ]; then
			if grep -q "^$sym=" "$cfg"; then
				log "fragment: $sym=n but the kernel has $(grep "^$sym=" "$cfg")"
				bad=1
			fi
		elif ! grep -qx "$sym=$val" "$cfg"; then
			log "fragment: $sym=$val not in the final config ($(grep "^$sym=\|^# $sym is" "$cfg" || echo unset))"
			bad=1
		fi
	done <"$FRAG"
	return "$bad"
}

build() {
	local out=$1
	make -C "$KSRC" O="$out" allnoconfig
	"$KSRC/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$FRAG"
	make -C "$KSRC" O="$out" olddefconfig
	verify_config "$out/.config" || { log "config fragment not applied"; return 1; }
	make -C "$KSRC" O="$out" -j"$JOBS" Image modules
}

newest_build() {
	local d
	# shellcheck disable=SC2012
	for d in $(ls -td "$OPENPPE_CACHE"/kernel/*/ 2>/dev/null); do
		[ -f "$d/.openppe-done" ] && { echo "${d%/}"; return 0; }
	done
	# The project's one-off trial build of the same recipe, if still around.
	[ -f "$OPENPPE_CACHE/trial/arch/arm64/boot/Image" ] && echo "$OPENPPE_CACHE/trial"
	return 0
}

unpack_source
key=$(kernel_key)
out=$OPENPPE_CACHE/kernel/$key
if [ -f "$out/.openppe-done" ]; then
	echo "$out"
	exit 0
fi

# leftovers of interrupted builds (we hold the lock, nobody is using them)
rm -rf "$OPENPPE_CACHE"/kernel/*.tmp
seed=$(newest_build)
if [ -n "$seed" ]; then
	log "new kernel key $key: starting from $seed (incremental)"
	cp -a "$seed" "$out.tmp"
else
	log "new kernel key $key: full build (about 5-10 minutes)"
	mkdir -p "$out.tmp"
fi

logf=$OPENPPE_CACHE/kernel/$key.log
start=$SECONDS
if ! build "$out.tmp" >"$logf" 2>&1; then
	tail -n 40 "$logf" >&2
	die "kernel build failed; full log: $logf"
fi
echo "$key" >"$out.tmp/.openppe-done"
mv "$out.tmp" "$out"
log "kernel built in $((SECONDS - start))s: $out"

# Keep the two newest builds (someone may still be using the previous KDIR).
# shellcheck disable=SC2012
ls -td "$OPENPPE_CACHE"/kernel/*/ | tail -n +3 | while read -r old; do
	log "pruning old kernel build $old"
	rm -rf "$old"
done
echo "$out"
