#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The OpenWrt package (packaging/openwrt/openppe/Makefile), run as the SDK
# would run it, against the test kernel: its own Build/Prepare, Build/Compile
# and package installs, through stand-ins for the SDK's rules.mk, kernel.mk
# and package.mk (tests/packaging/openwrt-sdk/: KERNEL_MAKE with the
# variables OpenWrt passes to kbuild). The SDK itself cannot be fetched here.
# Checks every module the KernelPackages' FILES name comes out, arm64 and for
# the test kernel, that AUTOLOAD names only those, and what the firmware
# package installs.
#
# usage: openwrt-build.sh [OUT]   (default build/packaging/openwrt); KTAP on stdout
# The package build directory (OUT/build_dir) is kept: a rebuild is incremental.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:-$BUILD/packaging/openwrt}
stage=$out/stage
rm -rf "$stage"
mkdir -p "$out"
sdk() {
	user_make -C "$REPO/packaging/openwrt/openppe" \
		TOPDIR="$REPO/tests/packaging/openwrt-sdk" LINUX_DIR="$KDIR" \
		LINUX_KARCH="$ARCH" KERNEL_CROSS="$CROSS_COMPILE" \
		BUILD_DIR="$out/build_dir" PKG_STAGE="$stage" "$@"
}

ktap_begin
step "the package's metadata reads (KernelPackage, BuildPackage)" "$out/show.log" \
	sdk -s sdk-show || ktap_end
sed 's/^/# /' "$out/show.log"
step "Build/Prepare, Build/Compile, package installs (\$(KERNEL_MAKE) against the test kernel)" \
	"$out/build.log" sdk -j"$JOBS" sdk-build || ktap_end

# every kmod: its FILES, installed into lib/modules/<release>/
while read -r pkg files autoload _; do
	[[ $pkg == kmod-* ]] || continue
	files=${files#FILES=}
	autoload=${autoload#AUTOLOAD=}
	kos=()
	miss=()
	for f in $files; do
		k=$stage/$pkg/lib/modules/$KREL/${f##*/}
		if [ -f "$k" ]; then kos+=("$k"); else miss+=("${f##*/}"); fi
	done
	if [ "${#kos[@]}" -eq 0 ] || [ "${#miss[@]}" -gt 0 ]; then
		result_fail "$pkg: FILES built and installed" "missing: ${miss[*]:-no FILES}"
		continue
	fi
	problems=$(ko_problems "${kos[@]}")
	if [ -n "$problems" ]; then
		result_fail "$pkg: FILES arm64 and $KREL's" "$problems"
		continue
	fi
	# AutoProbe/AutoLoad name modules of this package
	bad=$(for m in $(echo "${autoload#*:}" | sed 's/^[0-9]*://; s/:.*//' | tr ',' ' '); do
		[ -f "$stage/$pkg/lib/modules/$KREL/$m.ko" ] || echo "$m"
	done)
	if [ -n "$bad" ] || [ -z "$autoload" ]; then
		result_fail "$pkg: AUTOLOAD names its modules" "'$autoload': not in the package: $bad"
		continue
	fi
	result_ok "$pkg: $(cd "$stage/$pkg" && find . -name '*.ko' | sed 's|^\./||' | xargs) ($autoload)"
done <"$out/show.log"

# together the kmods ship what make install and dkms.conf ship
want=$(shipped_modules | sed 's|.*/||; s|$|.ko|' | LC_ALL=C sort | xargs)
got=$(find "$stage" -path '*/lib/modules/*' -name '*.ko' -printf '%f\n' | LC_ALL=C sort | xargs)
if [ "$got" = "$want" ]; then
	result_ok "the kmods ship what make install ships: $got"
else
	result_fail "the kmods ship what make install ships" "want: $want" "got: $got"
fi

fw_want=$(for f in $(make -s -C "$REPO/firmware" print-SHIPPED); do echo "lib/firmware/openppe/$f.bin"; done | xargs)
fw_got=$(cd "$stage/openppe-firmware" 2>/dev/null && find . -type f | sed 's|^\./||' | LC_ALL=C sort | xargs)
if [ -n "$fw_got" ] && [ "$fw_got" = "$fw_want" ]; then
	result_ok "openppe-firmware: $fw_got"
else
	result_fail "openppe-firmware installs the shipped images" "want: $fw_want" "got: $fw_got"
fi
ktap_end
