# SPDX-License-Identifier: GPL-2.0
# The cross targets: a 32-bit and a big-endian kernel the KUnit suites boot on
# (sourced after common.sh, not run; build-cross.sh builds them, boot-builtin.sh
# boots them). Each has its config fragment, tests/qemu/cross-TARGET.config.
#
# TARGET   ARCH   CROSS_COMPILE          image      QEMU                 CPU
cross_targets() {
	cat <<-'TARGETS'
	arm32    arm    arm-linux-gnueabihf-   zImage     qemu-system-arm      cortex-a15
	arm64be  arm64  aarch64-linux-gnu-     Image      qemu-system-aarch64  cortex-a72
	TARGETS
}
CROSS_TARGETS=$(cross_targets | awk '{ print $1 }' | xargs)

# cross_target TARGET: set ARCH, CROSS_COMPILE, CROSS_IMAGE (the image, under
# the build directory) and the QEMU board (QEMU_SYSTEM, QEMU_CPU, QEMU_MEM)
cross_target() {
	local image
	read -r CROSS_TARGET ARCH CROSS_COMPILE image QEMU_SYSTEM QEMU_CPU \
		< <(cross_targets | awk -v t="$1" '$1 == t') ||
		die "unknown cross target '$1' (known: $CROSS_TARGETS)"
	CROSS_IMAGE=arch/$ARCH/boot/$image
	# a router's RAM; on arm32 all of it lowmem (the config has no HIGHMEM)
	QEMU_MEM=512M
	export ARCH CROSS_COMPILE
}
