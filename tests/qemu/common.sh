# SPDX-License-Identifier: GPL-2.0
# Shared settings for the openppe test platform scripts (sourced, not run).
#
# Everything that lives outside the checkout goes under $OPENPPE_CACHE; everything
# produced from the checkout goes under $REPO/build (ignored by git).

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OPENPPE_CACHE=${OPENPPE_CACHE:-/var/cache/openppe}
BUILD=${OPENPPE_BUILD:-$REPO/build}

# Kernel source: Debian's linux-source-6.1, unpacked once into the cache.
KSRC_PKG=linux-source-6.1
KSRC_TARBALL=/usr/src/linux-source-6.1.tar.xz
KSRC=$OPENPPE_CACHE/src/linux-source-6.1

ARCH=arm64
CROSS_COMPILE=aarch64-linux-gnu-
export ARCH CROSS_COMPILE

# Kernel builds share two cores with everybody else on the machine: never more.
JOBS=${JOBS:-3}

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

ksrc_version() {
	dpkg-query -W -f='${Version}' "$KSRC_PKG" 2>/dev/null ||
		die "$KSRC_PKG is not installed (run: make deps)"
}

# The kernel cache key: source package version + config fragment + the builder
# itself (a changed recipe must not silently reuse an old tree).
kernel_key() {
	{
		printf 'src %s\n' "$(ksrc_version)"
		cat "$REPO/tests/qemu/kernel.config"
		cat "$REPO/tests/qemu/build-kernel.sh"
	} | sha256 | cut -c1-16
}

kdir() { printf '%s/kernel/%s\n' "$OPENPPE_CACHE" "$(kernel_key)"; }
