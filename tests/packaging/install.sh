#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make install / make uninstall into a staging root, against the test kernel
# the way a user cross-building for a router would run them (KDIR, ARCH,
# CROSS_COMPILE, INSTALL_MOD_PATH); checks the exact file list both ways.
#
# usage: install.sh [OUT]   (default build/packaging/install); KTAP on stdout
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:-$BUILD/packaging/install}
root=$out/root
rm -rf "$out"
mkdir -p "$out"

ship_make() {
	user_make -C "$REPO" -j"$JOBS" KDIR="$KDIR" ARCH="$ARCH" \
		CROSS_COMPILE="$CROSS_COMPILE" INSTALL_MOD_PATH="$root" "$@"
}
# our_files: the staging root's files but depmod's indexes, sorted
our_files() {
	(cd "$root" && find . -type f ! -path "./lib/modules/$KREL/modules.*" | sed 's|^\./||' | LC_ALL=C sort)
}

ktap_begin
if ! step "make install KDIR=<test kernel> INSTALL_MOD_PATH=<staging root>" \
	"$out/install.log" ship_make install; then
	ktap_end
fi

mapfile -t mods < <(shipped_modules)
expected=$(
	for m in "${mods[@]}"; do echo "lib/modules/$KREL/extra/$m.ko"; done
	for f in $(make -s -C "$REPO/firmware" print-SHIPPED); do
		echo "lib/firmware/openppe/$f.bin"
	done
)
expected=$(echo "$expected" | LC_ALL=C sort)
got=$(our_files)
if [ "$got" = "$expected" ]; then
	result_ok "installed exactly: ${got//$'\n'/ }"
else
	result_fail "installed files" "expected:" "$expected" "got:" "$got"
fi

mapfile -t kos < <(for m in "${mods[@]}"; do echo "$root/lib/modules/$KREL/extra/$m.ko"; done)
problems=$(ko_problems "${kos[@]}")
if [ -z "$problems" ]; then
	result_ok "modules are arm64 and $KREL's (vermagic)"
else
	result_fail "modules are arm64 and $KREL's (vermagic)" "$problems"
fi

# the firmware the driver asks for (MODULE_FIRMWARE) is what got installed
missing=$(for f in $(modinfo -F firmware "$root/lib/modules/$KREL/extra/${mods[0]}.ko"); do
	[ -f "$root/lib/firmware/$f" ] || echo "$f"
done)
if [ -z "$missing" ]; then
	result_ok "the driver's MODULE_FIRMWARE is installed"
else
	result_fail "the driver's MODULE_FIRMWARE is installed" "missing: $missing"
fi

# depmod ran on the staging root (the test kernel has a System.map)
if grep -q "^extra/${mods[1]}.ko: extra/${mods[0]}.ko" "$root/lib/modules/$KREL/modules.dep" 2>/dev/null; then
	result_ok "depmod -b <staging root>: modules.dep knows ${mods[1]##*/} needs ${mods[0]##*/}"
else
	result_fail "depmod -b <staging root>" "modules.dep:" "$(cat "$root/lib/modules/$KREL/modules.dep" 2>&1)"
fi

if step "make uninstall" "$out/uninstall.log" ship_make uninstall; then
	left=$(our_files)
	dirs=$(cd "$root" && { find lib/modules/"$KREL"/extra lib/firmware/openppe 2>/dev/null || true; })
	if [ -z "$left" ] && [ -z "$dirs" ] && ! grep -q openppe "$root/lib/modules/$KREL/modules.dep"; then
		result_ok "uninstall left none of ours (only depmod's indexes, without openppe)"
	else
		result_fail "uninstall left none of ours" "left:" "$left" "$dirs"
	fi
fi
ktap_end
