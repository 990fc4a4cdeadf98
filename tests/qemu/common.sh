# SPDX-License-Identifier: GPL-2.0
# Shared settings for the openppe test platform scripts (sourced, not run).
#
# Everything that lives outside the checkout goes under $OPENPPE_CACHE; everything
# produced from the checkout goes under $REPO/build (ignored by git).

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OPENPPE_CACHE=${OPENPPE_CACHE:-/var/cache/openppe}
BUILD=${OPENPPE_BUILD:-$REPO/build}

# The kernels: tests/qemu/kernels.conf, one line each (KVER PKG VER SUITE ROLE).
# KVER selects one (KVER=6.12 make kernel); the default is the board kernel.
# Its source, Debian's linux-source-X at the pinned version, is unpacked once
# into the cache by fetch-ksrc.sh.
kernels() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$REPO/tests/qemu/kernels.conf"; }
KVER=${KVER:-$(kernels | awk '$5 == "board" { print $1; exit }')}
export KVER
read -r _ KSRC_PKG KSRC_VERSION KSRC_SUITE KSRC_ROLE < <(kernels | awk -v k="$KVER" '$1 == k') || {
	printf '%s: error: KVER=%s is not in tests/qemu/kernels.conf (known: %s)\n' \
		"${0##*/}" "$KVER" "$(kernels | awk '{ print $1 }' | xargs)" >&2
	exit 1
}
KSRC=$OPENPPE_CACHE/src/$KSRC_PKG
# KVARIANT: which build of KVER. "test" (the default) is the test kernel every
# test runs on (kernel.config: KASAN, lockdep, kmemleak, ...); "prod" is the
# same source and options without the debugging ones (kernel-prod.config
# merged last), for make bench's costs. Its build, modules and initramfs are
# kept apart from the test kernel's.
KVARIANT=${KVARIANT:-test}
case $KVARIANT in
test | prod) ;;
*) printf '%s: error: KVARIANT=%s: test or prod\n' "${0##*/}" "$KVARIANT" >&2; exit 1 ;;
esac
export KVARIANT
# What is built against one kernel -- the modules, the initramfs that carries
# them -- goes under KOUT: build/ itself for the board kernel, build/kver/KVER/
# for another one, so runs on different kernels never overwrite each other.
# Kernel-independent outputs (firmware, DTB, logs) stay in build/.
if [ "$KVARIANT" = prod ]; then
	KOUT=$BUILD/kver/$KVER-prod
elif [ "$KSRC_ROLE" = board ]; then
	KOUT=$BUILD
else
	KOUT=$BUILD/kver/$KVER
fi

ARCH=arm64
CROSS_COMPILE=aarch64-linux-gnu-
export ARCH CROSS_COMPILE

# Kernel builds share two cores with everybody else on the machine: never more.
JOBS=${JOBS:-3}

# The test boards (build-dtb.sh BOARD=, run.sh VM_BOARD=): dsa, the default --
# wan and lan1..lan3 are DSA user ports of a switch (MediaTek tag) behind the
# engine port eth0, as on most OpenWrt routers; plain -- the same names are
# engine ports of their own.
BOARD_DEFAULT=dsa

# One board definition for the DTB builder and the runner: QEMU derives the DTB
# from the machine, CPU count and memory size, so they must match.
QEMU_MACHINE=virt
QEMU_CPU=cortex-a72
QEMU_SMP=${VM_SMP:-2}
QEMU_MEM=${VM_MEM:-2G}

log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# sha256 of stdin, hex only
sha256() { sha256sum | cut -d' ' -f1; }

# The kernel cache key: source package and pinned version + config fragment +
# the builder itself (a changed recipe must not silently reuse an old tree).
# Build directories are named KVER-KEY, so each kernel's builds are told apart.
kernel_key() {
	local f

	{
		printf 'src %s %s\n' "$KSRC_PKG" "$KSRC_VERSION"
		for f in $(kernel_fragments); do cat "$f"; done
		cat "$REPO/tests/qemu/build-kernel.sh"
	} | sha256 | cut -c1-16
}

# kernel_fragments: the config fragments of KVER's test kernel, in merge order
# (the secondary kernels' lighter settings last)
kernel_fragments() {
	echo "$REPO/tests/qemu/kernel.config"
	[ "$KSRC_ROLE" = board ] || echo "$REPO/tests/qemu/kernel-secondary.config"
	[ "$KVARIANT" = test ] || echo "$REPO/tests/qemu/kernel-prod.config"
}

# the build directory: KVER-KEY for the test kernel, KVER-prod-KEY for the other
kdir() {
	local v=

	[ "$KVARIANT" = test ] || v=-$KVARIANT
	printf '%s/kernel/%s%s-%s\n' "$OPENPPE_CACHE" "$KVER" "$v" "$(kernel_key)"
}
