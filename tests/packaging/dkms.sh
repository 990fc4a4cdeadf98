#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dkms.conf, for real: make dkms-source, then dkms add / build / install /
# remove against the test kernel, in a private DKMS tree under OUT -- the
# host's /var/lib/dkms, /usr/src and /lib/modules are not touched.
#
# The test kernel is arm64 and this host is not: DKMS cross-builds with
# ARCH and CROSS_COMPILE in its environment (kbuild reads both from there)
# and -k RELEASE/aarch64; its "strip -g" of each module is the host's strip,
# which cannot read arm64 objects, so ${CROSS_COMPILE}strip stands in for it
# on PATH.
#
# usage: dkms.sh [OUT]   (default build/packaging/dkms); KTAP on stdout
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:-$BUILD/packaging/dkms}
rm -rf "$out"
mkdir -p "$out/bin" "$out/tmp" "$out/var/lib/dkms" "$out/lib/modules/$KREL"
ln -s "$(command -v "${CROSS_COMPILE}strip")" "$out/bin/strip"

version=$(make -s -C "$REPO" print-VERSION)
pkg=openppe/$version
dkms_trees=(--dkmstree "$out/var/lib/dkms" --sourcetree "$out/usr/src"
	    --installtree "$out/lib/modules")
dkms_args=("${dkms_trees[@]}" -k "$KREL/aarch64")
# no module signing: dkms would otherwise make a key in /var/lib/dkms
export TMPDIR=$out/tmp sign_file=$out/no-sign-file \
	mok_signing_key=$out/no-key mok_certificate=$out/no-cert
run_dkms() {
	PATH=$out/bin:$PATH ARCH=$ARCH CROSS_COMPILE=$CROSS_COMPILE dkms "$@"
}
host_state() {
	ls -d /var/lib/dkms/openppe /usr/src/openppe-* /lib/modules/"$KREL" 2>/dev/null || true
}
host_before=$(host_state)

ktap_begin
step "make dkms-source DESTDIR=<private root>" "$out/source.log" \
	user_make -C "$REPO" dkms-source DESTDIR="$out" || ktap_end
src=$out/usr/src/openppe-$version
got=$(find "$src" -mindepth 1 -maxdepth 1 -printf '%f\n' | LC_ALL=C sort | xargs)
if [ "$got" = "Kbuild Kconfig dkms.conf drivers include" ] &&
   [ -z "$(find "$src" -name '*.o' -o -name '*.ko' -o -name '.*.cmd')" ]; then
	result_ok "the DKMS source tree holds the sources and dkms.conf only"
else
	result_fail "the DKMS source tree holds the sources and dkms.conf only" "got: $got"
fi

# BUILD_EXCLUSIVE_KERNEL: every kernel of kernels.conf and the usual
# distribution spellings in, what the compat layer does not know out
bad=$(
	set +u	# dkms.conf refers to dkms's own variables
	# shellcheck disable=SC1091
	. "$REPO/dkms.conf"
	for r in $(kernels | awk '{ sub(/-.*/, "", $3); print $3 }') "$KREL" \
		6.1.0-28-arm64 6.12.57+deb13-arm64 6.6.73 7.0-rc1; do
		[[ $r =~ $BUILD_EXCLUSIVE_KERNEL ]] || echo "refuses $r"
	done
	for r in 5.15.0 6.0.19 8.0.1 16.1.0; do
		if [[ $r =~ $BUILD_EXCLUSIVE_KERNEL ]]; then echo "accepts $r"; fi
	done
)
if [ -z "$bad" ]; then
	result_ok "BUILD_EXCLUSIVE_KERNEL: 6.1 to 7.x, kernels.conf's releases in"
else
	result_fail "BUILD_EXCLUSIVE_KERNEL: 6.1 to 7.x" "$bad"
fi

step "dkms add $pkg" "$out/add.log" run_dkms add "$pkg" "${dkms_args[@]}" || ktap_end
step "dkms build $pkg -k $KREL/aarch64 (ARCH=$ARCH CROSS_COMPILE=$CROSS_COMPILE)" \
	"$out/build.log" run_dkms build "$pkg" "${dkms_args[@]}" --kernelsourcedir "$KDIR" -j "$JOBS" ||
	{ diag=$(find "$out/var/lib/dkms" -name make.log | head -n1); [ -n "$diag" ] && tail -n 20 "$diag" | sed 's/^/# /'; ktap_end; }

built=$out/var/lib/dkms/openppe/$version/$KREL/aarch64/module
want=$(shipped_modules | sed 's|.*/||; s|$|.ko|' | LC_ALL=C sort | xargs)
got=$(find "$built" -name '*.ko' -printf '%f\n' | LC_ALL=C sort | xargs)
if [ "$got" = "$want" ]; then
	result_ok "dkms built the modules make install ships: $got"
else
	result_fail "dkms built the modules make install ships" "want: $want" "got: $got"
fi
problems=$(ko_problems "$built"/*.ko)
if [ -z "$problems" ]; then
	result_ok "dkms modules are arm64 and $KREL's (vermagic)"
else
	result_fail "dkms modules are arm64 and $KREL's (vermagic)" "$problems"
fi

step "dkms install --installtree <private> --no-depmod" "$out/install.log" \
	run_dkms install "$pkg" "${dkms_args[@]}" --kernelsourcedir "$KDIR" --no-depmod
inst=$(cd "$out/lib/modules/$KREL" && find . -name '*.ko' | sed 's|^\./||' | LC_ALL=C sort | xargs)
if [ -n "$inst" ] && [ "$inst" = "$(for m in $want; do echo "updates/dkms/$m"; done | xargs)" ] &&
   run_dkms status "$pkg" "${dkms_args[@]}" 2>&1 | grep -q ": installed$"; then
	result_ok "dkms status: installed ($inst)"
else
	result_fail "dkms install" "installed: $inst" "$(run_dkms status "${dkms_trees[@]}" 2>&1)"
fi

step "dkms remove $pkg --all" "$out/remove.log" \
	run_dkms remove "$pkg" "${dkms_trees[@]}" --all --no-depmod
left=$(find "$out/lib/modules" "$out/var/lib/dkms" \( -name '*.ko' -o -name openppe \) -printf '%p ' 2>/dev/null)
if [ -z "$left" ]; then
	result_ok "dkms remove left no module behind"
else
	result_fail "dkms remove left no module behind" "left: $left"
fi

if [ "$(host_state)" = "$host_before" ]; then
	result_ok "the host's /var/lib/dkms, /usr/src, /lib/modules untouched"
else
	result_fail "the host's DKMS state untouched" "before: $host_before" "after: $(host_state)"
fi
ktap_end
