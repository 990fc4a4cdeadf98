#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (or reuse) the arm64 test kernel; print its build directory (KDIR).
#
# usage: [KVER=6.12] build-kernel.sh    (KVER: a kernel of tests/qemu/kernels.conf,
#                                        default the board kernel)
# Recipe: arm64 allnoconfig + tests/qemu/kernel.config (+ kernel-secondary.config
# for a secondary kernel), then Image and modules
# (which includes modules_prepare and Module.symvers, so out-of-tree modules build
# with `make -C $KDIR M=...`). The result is cached under
# $OPENPPE_CACHE/kernel/<KVER>-<key>, the key hashing the source package and its
# pinned version, the fragments and this script. A new key starts from a copy of
# the newest previous build of the same KVER: kbuild tracks every object's config
# dependencies, so only what the change touches recompiles. A build of another
# kernel is never a seed (every object would rebuild, after a long copy) and
# never pruned: each KVER keeps its own two newest builds.
# One kernel build at a time, whatever the KVER (the cache lock).
#
# stdout: the KDIR, nothing else. Progress and logs go to stderr / the cache.
set -euo pipefail
. "$(dirname "$0")/common.sh"

mapfile -t FRAGS < <(kernel_fragments)
key=$(kernel_key)
out=$(kdir)

source_ready() {
	[ -f "$KSRC/.openppe-version" ] && [ "$(cat "$KSRC/.openppe-version")" = "$KSRC_VERSION" ]
}

# Done already: no lock, so a finished kernel is not kept waiting on another
# KVER's build.
if [ -f "$out/.openppe-done" ] && source_ready; then
	echo "$out"
	exit 0
fi

mkdir -p "$OPENPPE_CACHE/src" "$OPENPPE_CACHE/kernel"
exec 9>"$OPENPPE_CACHE/kernel/.lock"
flock 9

# Every option the fragments set must survive olddefconfig: a silently
# dropped KASAN or lockdep would make every run meaningless. One fragment
# serves every kernel of kernels.conf (kernel-secondary.config, merged after
# it on the secondary kernels, overrides some of its values: the last value
# of an option is the one checked); an option that some of them do not have
# (renamed, or merged into another) is preceded by a line "# if-defined:
# WHY", and only then may it be missing, and only from a kernel whose Kconfig
# does not define the symbol at all. A rename is two options, each marked.
verify_config() {
	local cfg=$1 bad=0 line sym val why= frag
	local -A want=() marked=()
	local -a order=()
	for frag in "${FRAGS[@]}"; do
		while IFS= read -r line; do
			line=${line#"${line%%[![:space:]]*}"}
			case $line in
			"# if-defined:"*) why=${line#"# if-defined:"}; continue ;;
			CONFIG_*=*) sym=${line%%=*}; val=${line#*=} ;;
			"# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *}; val=n ;;
			*) why=; continue ;;
			esac
			[ -n "${want[$sym]+set}" ] || order+=("$sym")
			want[$sym]=$val
			marked[$sym]=$why
			why=
		done <"$frag"
	done
	for sym in "${order[@]}"; do
		val=${want[$sym]} why=${marked[$sym]}
		if [ -n "$why" ] && ! kconfig_defines "${sym#CONFIG_}"; then
			log "fragment: $sym: not in this kernel's Kconfig, as marked:$why"
		elif [ "$val" = n ]; then
			if grep -q "^$sym=" "$cfg"; then
				log "fragment: $sym=n but the kernel has $(grep "^$sym=" "$cfg")"
				bad=1
			fi
		elif ! grep -qx "$sym=$val" "$cfg"; then
			log "fragment: $sym=$val not in the final config ($(grep "^$sym=\|^# $sym is" "$cfg" || echo unset))"
			bad=1
		fi
	done
	return "$bad"
}

# kconfig_defines SYM: some Kconfig file of the source defines SYM
kconfig_defines() {
	grep -rqE "^[[:space:]]*(menu)?config $1\$" --include='Kconfig*' "$KSRC"
}

build() {
	local out=$1
	make -C "$KSRC" O="$out" allnoconfig
	"$KSRC/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${FRAGS[@]}"
	make -C "$KSRC" O="$out" olddefconfig
	verify_config "$out/.config" || { log "config fragment not applied"; return 1; }
	make -C "$KSRC" O="$out" -j"$JOBS" Image modules
}

# build_kver DIR: the KVER a build directory holds ("6.12"), from the release it
# configured (also right for builds made before directories were named KVER-KEY)
build_kver() {
	local major minor
	IFS=.- read -r major minor _ 2>/dev/null <"$1/include/config/kernel.release" || return 0
	echo "$major.$minor"
}

# builds_of_kver: this KVER's finished builds, newest first
builds_of_kver() {
	local d
	# shellcheck disable=SC2012
	for d in $(ls -td "$OPENPPE_CACHE"/kernel/*/ 2>/dev/null); do
		d=${d%/}
		[ -f "$d/.openppe-done" ] && [ "$(build_kver "$d")" = "$KVER" ] && echo "$d"
	done
	return 0
}

newest_build() {
	local d
	d=$(builds_of_kver | head -n1)
	[ -n "$d" ] && { echo "$d"; return 0; }
	# The project's one-off trial build of the same recipe, if still around.
	[ -f "$OPENPPE_CACHE/trial/arch/arm64/boot/Image" ] &&
		[ "$(build_kver "$OPENPPE_CACHE/trial")" = "$KVER" ] && echo "$OPENPPE_CACHE/trial"
	return 0
}

"$REPO/tests/qemu/fetch-ksrc.sh" >/dev/null
source_ready || die "$KSRC is not $KSRC_PKG $KSRC_VERSION after fetch-ksrc.sh"
if [ -f "$out/.openppe-done" ]; then
	echo "$out"
	exit 0
fi

# leftovers of interrupted builds (we hold the lock, nobody is using them),
# including a build moved into place but not yet marked done
rm -rf "$OPENPPE_CACHE"/kernel/*.tmp "$out"
seed=$(newest_build)
if [ -n "$seed" ]; then
	log "new $KVER kernel key $key: starting from $seed (incremental)"
	cp -a "$seed" "$out.tmp"
else
	log "new $KVER kernel key $key: full build (about 10-15 minutes)"
	mkdir -p "$out.tmp"
fi

logf=$out.log
start=$SECONDS
if ! build "$out.tmp" >"$logf" 2>&1; then
	tail -n 40 "$logf" >&2
	die "kernel build failed; full log: $logf"
fi
mv "$out.tmp" "$out"
# The build directory's generated Makefile may name the directory it was built
# in (7.x exports KBUILD_OUTPUT=<absolute path>): make it name its final place,
# or `make -C $KDIR M=...` looks for the .tmp directory.
make -s -C "$KSRC" O="$out" outputmakefile >>"$logf" 2>&1 ||
	die "could not regenerate $out/Makefile; full log: $logf"
echo "$key" >"$out/.openppe-done"
log "kernel built in $((SECONDS - start))s: $out"

# Keep this KVER's two newest builds (someone may still be using the previous
# KDIR); other kernels' builds are theirs to prune.
builds_of_kver | tail -n +3 | while read -r old; do
	log "pruning old $KVER kernel build $old"
	rm -rf "$old" "$old.log"
done
echo "$out"
