# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared by the packaging tests (sourced): KTAP results, the test kernel, and
# what a shipped module must look like.
#
# Each test prints KTAP on stdout (check.sh nests it under its stage), its
# commands' output into OUT/*.log, and exits 0 only if every result passed.

. "$(dirname "${BASH_SOURCE[0]}")/../qemu/common.sh"

T=0
FAILED=0
ktap_begin() { echo "KTAP version 1"; }
ktap_end() { echo "1..$T"; exit "$FAILED"; }

# result_ok DESC / result_fail DESC [WHY...]: one KTAP result
result_ok() { T=$((T + 1)); echo "ok $T $1"; }
result_fail() {
	T=$((T + 1))
	FAILED=1
	echo "not ok $T $1"
	shift
	[ $# -eq 0 ] || printf '%s\n' "$@" | sed 's/^/# /'
}

# step DESC LOG CMD...: run CMD into LOG, one result; on failure the end of
# LOG as diagnostics
step() {
	local desc=$1 log=$2
	shift 2
	if "$@" >"$log" 2>&1; then
		result_ok "$desc"
		return 0
	fi
	result_fail "$desc" "failed: $*"
	tail -n 25 "$log" | sed 's/^/# /'
	return 1
}

# user_make ARGS...: make as a user runs it. common.sh exports KVER as a
# kernels.conf line (6.1); to the install targets KVER is a kernel release.
user_make() { env -u KVER make "$@"; }

# the test kernel (board kernel of kernels.conf) and its release
KDIR=${KDIR:-$("$REPO/tests/qemu/build-kernel.sh")}
KREL=$(cat "$KDIR/include/config/kernel.release")

# shipped_modules: the module paths (no .ko) the Makefile's install ships
shipped_modules() { make -s -C "$REPO" print-SHIP_MODULES | tr ' ' '\n' | sed '/^$/d'; }

# ko_problems KO...: prints what is wrong with each module for the test
# kernel (not arm64 ELF, wrong vermagic); nothing when all are right
ko_problems() {
	local ko machine vermagic
	for ko in "$@"; do
		machine=$(readelf -h "$ko" 2>/dev/null | sed -n 's/^ *Machine: *//p')
		[ "$machine" = AArch64 ] || echo "${ko##*/}: machine '$machine', not AArch64"
		vermagic=$(modinfo -F vermagic "$ko" 2>/dev/null)
		[[ $vermagic == "$KREL "* ]] || echo "${ko##*/}: vermagic '$vermagic', not $KREL's"
	done
}
