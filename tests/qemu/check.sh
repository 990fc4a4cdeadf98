#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: every gate and test of openppe, one KTAP stream, one summary line.
#
# Order: test kernel; static gates (checkpatch --strict on every kernel, W=1,
# sparse, dtc, dt-schema); builds (out of tree, firmware, guest); then the
# other kernels of kernels.conf are prepared in the background (kernel, W=1
# and sparse, guest) and, with the second lane of guests running, the patch
# series (grafted =m and =y) and packaging;
# the runner's own tests; KUnit in the guest (modules, the =y kernel); every
# tests/selftests/*.sh in its own guest boot, in two lanes of guests (the
# kernel's nft_flowtable.sh starts the second lane and is reported last), the
# other kernels' KUnit and core set and the big-endian kernel's built-in KUnit
# in the same lanes once their kernels are ready.
# The KTAP stream is kept in build/check/results.ktap; results nested under a
# stage (KUnit cases, selftest cases) count individually in the summary.
# Exit status: 0 if nothing failed.
# CHECK_SELFTESTS=GLOB limits the selftests to tests/selftests/GLOB.sh (for
# working on one; a limited run says so in its output).
set -uo pipefail
. "$(dirname "$0")/common.sh"
. "$REPO/tests/qemu/splat.sh"

CHECK=$BUILD/check
# Debian's interpreter, as the Makefile's (python3-matplotlib is installed for it)
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
KTAP=$CHECK/results.ktap
T=0
t_start=$SECONDS
rm -rf "$CHECK"
mkdir -p "$CHECK"
: >"$KTAP"

emit() { printf '%s\n' "$@" | tee -a "$KTAP"; }
diag() { local l; for l in "$@"; do emit "# $l"; done; }
diag_file() {	# diag_file FILE [LINES]: the file's last LINES lines as diagnostics
	[ -s "$1" ] || return 0
	tail -n "${2:-25}" "$1" | sed 's/^/# /' | tee -a "$KTAP"
}
stage() { emit "#"; diag "== $* == (at $((SECONDS - t_start))s)"; }

# skip_declared WHERE TEXT: tests/expected-skips lists this skip
skip_declared() {
	local where text
	while IFS=$'\t' read -r where text; do
		case $where in '' | '#'*) continue ;; esac
		[ "$where" = "$1" ] && [ -n "$text" ] && [[ $2 == *"$text"* ]] && return 0
	done <"$REPO/tests/expected-skips"
	return 1
}

# result pass|fail|skip NAME [REASON]; a skip tests/expected-skips does not
# declare (as "check") is a failure
result() {
	T=$((T + 1))
	case $1 in
	pass) emit "ok $T $2" ;;
	skip)
		if skip_declared check "$2 # SKIP ${3:-}"; then
			emit "ok $T $2 # SKIP ${3:-}"
		else
			emit "not ok $T $2"
			diag "undeclared skip (tests/expected-skips): ${3:-}"
		fi ;;
	*) emit "not ok $T $2"; [ -n "${3:-}" ] && diag "$3" ;;
	esac
	return 0
}

# nested KTAP FILE: a script's output as indented subtests
nested() {
	local f=$1
	[ -f "$f" ] || return 0
	if grep -qE '^(K?TAP version [0-9]+)' "$f"; then
		sed 's/^/    /' "$f" | tee -a "$KTAP"
	else
		sed 's/^/    # /' "$f" | tee -a "$KTAP"
	fi
}

summary() {
	emit "1..$T"
	awk '
	/^ *(not ok|ok) [0-9]+/ {
		match($0, /^ */); d = RLENGTH
		line = substr($0, d + 1)
		fail = (line ~ /^not ok/)
		skip = (line ~ /#[ \t]*[Ss][Kk][Ii][Pp]/)
		kids = 0; kfail = 0
		for (k in cnt) if (k + 0 > d) { kids += cnt[k]; kfail += fcnt[k]; delete cnt[k]; delete fcnt[k] }
		if (kids) {
			if (fail && !kfail) nfail++	# failed for its own reason (exit, splat)
		} else if (fail) nfail++
		else if (skip) nskip++
		else npass++
		cnt[d]++; fcnt[d] += fail
	}
	END { printf "%d passed, %d failed, %d skipped\n", npass, nfail, nskip > "/dev/stderr"
	      exit nfail > 0 }' "$KTAP" 2>"$CHECK/summary"
	local rc=$?
	diag "make check took $((SECONDS - t_start))s; KTAP: ${KTAP#"$REPO"/}"
	cat "$CHECK/summary"
	return "$rc"
}

# the kernel C sources: the drivers, the plugin header and the benchmark
# module (tests/bench/kmod, built beside the drivers by build-modules.sh)
driver_sources() {
	local d
	for d in drivers include tests/bench/kmod; do
		[ -d "$REPO/$d" ] && (cd "$REPO" && find "$d" -type f \( -name '*.c' -o -name '*.h' \))
	done | LC_ALL=C sort
}
# the modules the drivers' Makefiles (obj-$(CONFIG_X) += name.o) and the
# benchmark's Kbuild (obj-m += name.o) declare
expected_modules() {
	sed -n 's/^obj-\(\$(CONFIG_[A-Z0-9_]*)\|m\)[[:space:]]*+=[[:space:]]*\([a-z0-9_]*\)\.o$/\2.ko/p' \
		"$REPO"/drivers/net/ethernet/openppe/Makefile "$REPO"/drivers/net/openppe_sim/Makefile \
		"$REPO"/tests/bench/kmod/Kbuild | LC_ALL=C sort
}

# the KUnit suites the *_kunit.c files declare
expected_kunit_suites() {
	grep -h -A3 '^static struct kunit_suite ' "$REPO"/drivers/net/ethernet/openppe/*_kunit.c \
		"$REPO"/drivers/net/openppe_sim/*_kunit.c | sed -n 's/.*\.name = "\(.*\)".*/\1/p'
}

have_drivers() {
	[ -f "$REPO/drivers/net/ethernet/openppe/Makefile" ] ||
		[ -f "$REPO/drivers/net/openppe_sim/Makefile" ]
}

emit "KTAP version 1"

# ---------------------------------------------------------------- kernel
stage "test kernel"
if KDIR=$("$REPO/tests/qemu/build-kernel.sh" 2>"$CHECK/kernel.log"); then
	export KDIR
	result pass "build: test kernel $(cat "$KDIR/include/config/kernel.release")"
else
	result fail "build: test kernel" "see below"
	diag_file "$CHECK/kernel.log" 40
	summary
	exit 1
fi

# ---------------------------------------------------------------- static gates
stage "static gates: checkpatch --strict"
mapfile -t srcs < <(driver_sources)
if [ "${#srcs[@]}" -eq 0 ]; then
	result skip "checkpatch" "no sources under drivers/ or include/ yet"
fi
# one checkpatch run for all files (it is slow to start), one result per file:
# every finding names its file ("#N: FILE: path:line:")
if [ "${#srcs[@]}" -gt 0 ]; then
	(cd "$REPO" && "$KSRC/scripts/checkpatch.pl" --strict --no-tree --file --quiet \
		--show-types --no-summary "${srcs[@]}") >"$CHECK/checkpatch.out" 2>&1
	cp_rc=$?
	attributed=0
	for f in "${srcs[@]}"; do
		awk -v f="FILE: $f:" 'BEGIN { RS = "" } index($0, f) { print; print "" }' \
			"$CHECK/checkpatch.out" >"$CHECK/checkpatch.one"
		if [ -s "$CHECK/checkpatch.one" ]; then
			attributed=1
			result fail "checkpatch: $f"
			diag_file "$CHECK/checkpatch.one" 40
		else
			result pass "checkpatch: $f"
		fi
	done
	if [ "$cp_rc" -ne 0 ] && [ "$attributed" -eq 0 ]; then
		result fail "checkpatch: exit status $cp_rc without a finding in a file"
		diag_file "$CHECK/checkpatch.out" 30
	fi
fi
# The other kernels' checkpatch too (one result each): rules arrive with new
# kernels (const buses in 6.12, kzalloc_obj() in 7.0), and the sources must
# read clean to every kernel they are built for.
mapfile -t other_kvers < <(kernels | awk -v b="$KVER" '$1 != b { print $1 }')
for k in "${other_kvers[@]}"; do
	[ "${#srcs[@]}" -gt 0 ] || break
	name="checkpatch --strict of $k: every source clean"
	if ! ks=$("$REPO/tests/qemu/fetch-ksrc.sh" "$k" 2>"$CHECK/checkpatch-$k.out"); then
		result fail "$name" "no $k source:"
		diag_file "$CHECK/checkpatch-$k.out" 20
		continue
	fi
	if (cd "$REPO" && "$ks/scripts/checkpatch.pl" --strict --no-tree --file --quiet \
		--show-types --no-summary "${srcs[@]}") >"$CHECK/checkpatch-$k.out" 2>&1; then
		result pass "$name"
	else
		result fail "$name"
		diag_file "$CHECK/checkpatch-$k.out" 40
	fi
done

# modules_gate DIR LOG ARGS...: build-modules.sh DIR ARGS into LOG; prints the
# reason and returns 1 when the build failed or warned (warnings, matched
# case-insensitively so modpost's "WARNING:" counts, into LOG.warn)
modules_gate() {
	local dir=$1 log=$2
	shift 2
	build_gate "$log" "$REPO/tests/qemu/build-modules.sh" "$dir" "$@"
}

# build_gate LOG COMMAND...: COMMAND's output into LOG; prints the reason and
# returns 1 when it failed or warned (as modules_gate)
build_gate() {
	local log=$1
	shift
	rm -f "$log.warn"
	if ! "$@" >"$log" 2>&1; then
		echo "build failed:"
		return 1
	fi
	if grep -iE '(warning|error):' "$log" >"$log.warn"; then
		echo "$(wc -l <"$log.warn") warning(s):"
		return 1
	fi
}

# gate_fail NAME WHY LOG: a failed modules_gate as a result, with the warnings
# (or, when the build failed, the end of its log) as diagnostics
gate_fail() {
	result fail "$1" "$2"
	if [ -s "$3.warn" ]; then diag_file "$3.warn" 30; else diag_file "$3" 30; fi
}

stage "static gates: W=1 and sparse (C=2), out of tree"
for gate in "W=1 build|w1|W=1" "sparse|sparse|C=2"; do
	IFS='|' read -r name log pass <<<"$gate"
	name="$name: no warnings"
	if ! have_drivers; then
		result skip "$name" "no driver Makefile yet"
	elif why=$(modules_gate "$CHECK/w1" "$CHECK/$log.log" "$pass"); then
		result pass "$name"
	else
		gate_fail "$name" "$why" "$CHECK/$log.log"
	fi
done

dts_cpp() {	# dts_cpp IN OUT: preprocess like kbuild does for .dts
	cpp -nostdinc -undef -x assembler-with-cpp -D__DTS__ -I "$(dirname "$1")" \
		-I "$REPO/dts" -I "$KSRC/scripts/dtc/include-prefixes" -o "$2" "$1"
}

stage "static gates: dtc (kernel W=1 warning set)"
mapfile -t dtss < <(cd "$REPO" && find dts -path dts/bindings -prune -o -type f \
	\( -name '*.dts' -o -name '*.dtso' \) -print 2>/dev/null | LC_ALL=C sort)
[ "${#dtss[@]}" -gt 0 ] || result skip "dtc" "no .dts/.dtso under dts/"
for f in "${dtss[@]}"; do
	out=$CHECK/dtc/${f//\//_}
	mkdir -p "$CHECK/dtc"
	if dts_cpp "$REPO/$f" "$out.pp" >"$out.log" 2>&1 &&
	   dtc -@ -Wno-interrupt_provider -I dts -O dtb -o "$out.dtb" "$out.pp" >>"$out.log" 2>&1 &&
	   [ ! -s "$out.log" ]; then
		result pass "dtc: $f"
	else
		result fail "dtc: $f"
		diag_file "$out.log" 30
	fi
done

stage "static gates: dt-schema"
mapfile -t bindings < <(cd "$REPO" && find dts/bindings -name '*.yaml' 2>/dev/null | LC_ALL=C sort)
schema=$CHECK/processed-schema.json
if [ "${#bindings[@]}" -eq 0 ]; then
	result skip "dt-schema: bindings" "no dts/bindings/*.yaml yet"
elif ! dt-mk-schema -j -o "$schema" "$REPO/dts/bindings" >"$CHECK/mk-schema.log" 2>&1 ||
     [ -s "$CHECK/mk-schema.log" ]; then
	result fail "dt-schema: process bindings (dt-mk-schema)"
	diag_file "$CHECK/mk-schema.log" 30
	rm -f "$schema"
fi
for f in "${bindings[@]}"; do
	b=$CHECK/bindings/$(basename "$f" .yaml)
	mkdir -p "$CHECK/bindings"
	{
		yamllint -f parsable -c "$KSRC/Documentation/devicetree/bindings/.yamllint" "$REPO/$f"
		dt-doc-validate -u "$REPO/dts/bindings" "$REPO/$f"
	} >"$b.doc.log" 2>&1
	if [ -s "$b.doc.log" ]; then
		result fail "dt-schema: $f (yamllint, dt-doc-validate)"
		diag_file "$b.doc.log" 30
	else
		result pass "dt-schema: $f (yamllint, dt-doc-validate)"
	fi
	if [ ! -f "$schema" ]; then
		result fail "dt-schema: $f example" "no processed schema"
		continue
	fi
	if dt-extract-example "$REPO/$f" >"$b.example.dts" 2>"$b.ex.log" &&
	   dts_cpp "$b.example.dts" "$b.example.pp" >>"$b.ex.log" 2>&1 &&
	   dtc -Wno-avoid_unnecessary_addr_size -Wno-graph_child_address \
		-Wno-interrupt_provider -Wno-unique_unit_address \
		-Wunique_unit_address_if_enabled -I dts -O dtb \
		-o "$b.example.dtb" "$b.example.pp" >>"$b.ex.log" 2>&1 &&
	   dt-validate -s "$schema" "$b.example.dtb" >>"$b.ex.log" 2>&1 &&
	   [ ! -s "$b.ex.log" ]; then
		result pass "dt-schema: $f example validates"
	else
		result fail "dt-schema: $f example validates"
		diag_file "$b.ex.log" 30
	fi
done

# patch_series KVER: the upstream patch series of KVER (make-patches.sh):
# generated, applied with git am to a clean copy of the pristine tree and
# checkpatch --strict clean patch by patch (apply-patches.sh), one result
# each; returns 1 if the series is not there to build
patch_series() {
	local k=$1 n p f bad=0 out=$CHECK/patches-$1
	mkdir -p "$out"
	if ! KVER=$k "$REPO/tests/qemu/make-patches.sh" >/dev/null 2>"$out/make.log"; then
		result fail "patches $k: series generated (make patches KVER=$k)"
		diag_file "$out/make.log" 20
		return 1
	fi
	n=$(find "$BUILD/patches/$k" -name '[0-9]*.patch' ! -name '0000-*' | wc -l)
	result pass "patches $k: series generated ($n patches and a cover letter, build/patches/$k)"
	if ! KVER=$k CHECKPATCH_OUT=$out/checkpatch "$REPO/tests/qemu/apply-patches.sh" \
		"$BUILD/patches/$k" >/dev/null 2>"$out/apply.log"; then
		result fail "patches $k: applies with git am to the pristine tree"
		diag_file "$out/apply.log" 20
		return 1
	fi
	result pass "patches $k: applies with git am to the pristine tree"
	for p in "$BUILD/patches/$k"/[0-9]*.patch; do
		f=$out/checkpatch/$(basename "$p" | cut -c1-4)
		[ "${p##*/}" != 0000-cover-letter.patch ] || continue
		if [ "$(cat "$f.rc" 2>/dev/null)" != 0 ] || [ -s "$f.out" ]; then
			[ "$bad" -gt 0 ] || result fail "patches $k: checkpatch --strict of each patch"
			bad=$((bad + 1))
			diag "${p##*/}:"
			diag_file "$f.out" 20
		fi
	done
	if [ "$bad" -eq 0 ]; then
		result pass "patches $k: checkpatch --strict of each patch: 0 findings in $n"
	fi
	return 0
}

# ---------------------------------------------------------------- builds
stage "builds"
if have_drivers; then
	if "$REPO/tests/qemu/build-modules.sh" >"$CHECK/oot.log" 2>&1; then
		result pass "build: out-of-tree modules (make -C \$KDIR M=...): $(cd "$BUILD/modules" && echo *.ko)"
		missing=$(expected_modules | while read -r m; do [ -f "$BUILD/modules/$m" ] || echo "$m"; done)
		if [ -n "$missing" ]; then
			result fail "build: every module the Makefiles declare" "not built: $(echo $missing)"
		else
			result pass "build: every module the Makefiles declare ($(expected_modules | wc -l))"
		fi
	else
		result fail "build: out-of-tree modules (make -C \$KDIR M=...)"
		diag_file "$CHECK/oot.log" 30
	fi
else
	rm -rf "$BUILD/modules"
	result skip "build: out-of-tree modules" "no driver Makefile yet"
fi

if [ -f "$REPO/firmware/Makefile" ]; then
	if make -C "$REPO/firmware" O="$BUILD/firmware" >"$CHECK/firmware.log" 2>&1; then
		n=$(find "$BUILD/firmware" -name '*.bin' 2>/dev/null | wc -l)
		if [ "$n" -gt 0 ]; then
			result pass "build: firmware images ($n)"
		else
			result fail "build: firmware images" "firmware/Makefile produced no build/firmware/**/*.bin"
		fi
	else
		result fail "build: firmware images"
		diag_file "$CHECK/firmware.log" 30
	fi
else
	result skip "build: firmware images" "no firmware/Makefile yet"
fi

guest_ok=1
if "$REPO/tests/qemu/build-initramfs.sh" >"$CHECK/initramfs.log" 2>&1; then
	result pass "build: guest initramfs"
else
	result fail "build: guest initramfs"
	diag_file "$CHECK/initramfs.log" 30
	guest_ok=0
fi
# both boards: the DSA board (the default) and the plain one (engine ports
# as the router's ports), on which tests/qemu/plain-tests runs
for b in dsa plain; do
	ov=dts/qemu-virt-openppe.dtso
	[ "$b" = dsa ] && ov=dts/qemu-virt-openppe-dsa.dtso
	if BOARD=$b "$REPO/tests/qemu/build-dtb.sh" >"$CHECK/dtb-$b.log" 2>&1; then
		result pass "build: $b board DTB (QEMU virt + $ov)"
	else
		result fail "build: $b board DTB (QEMU virt + $ov)"
		diag_file "$CHECK/dtb-$b.log" 30
		guest_ok=0
	fi
done

# The other kernels of kernels.conf are prepared in the background from here
# on, while the board's guests run: each one's kernel (built first if the
# cache lacks it, 10-20 minutes, at the lowest priority so the guests beside
# it keep their pace), the drivers' W=1 and sparse gates against it (they
# must build warning-free through the compat probes) and its modules and
# guest initramfs (under build/kver/KVER). Its state file says when its
# guests can boot (ready) or never will (failed); the lanes take its jobs
# (KUnit and the core set of tests/qemu/core-tests) from then on. Its
# results are recorded, then reported after the lanes (report_other).
# On a warm cache this takes a few minutes; on a bare machine it moves the
# secondary kernels' builds off the critical path.

# other_rec KVER pass|fail|skip|diag NAME [REASON [LOG]]: one result (or a
# diagnostic line, NAME) of KVER's preparation, and the log whose end shows
# why
other_rec() {
	local k=$1
	shift
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "${3:-}" "${4:-}" >>"$CHECK/other-$k.results"
}

# prepare_other KVER: everything KVER's guests need, then its state file
prepare_other() {
	local k=$1 kd t0 t1 pass log why name="W=1 and sparse on $1: no warnings"
	local guest="build: modules and guest initramfs for $1"

	t0=$SECONDS
	if ! kd=$(KVER=$k nice -n 19 "$REPO/tests/qemu/build-kernel.sh" 2>"$CHECK/kernel-$k.log"); then
		other_rec "$k" fail "$name" "the $k kernel did not build:" "$CHECK/kernel-$k.log"
		other_rec "$k" fail "$guest" "no $k kernel"
		echo failed >"$CHECK/other-$k.state"
		return
	fi
	t1=$SECONDS
	echo "$kd" >"$CHECK/other-$k.kdir"
	for pass in W=1 C=2; do
		log=$CHECK/${pass%=*}-$k.log
		if ! why=$(KVER=$k KDIR=$kd modules_gate "$CHECK/w1-$k" "$log" "$pass"); then
			[ -s "$log.warn" ] && log=$log.warn
			other_rec "$k" fail "$name" "$pass: $why" "$log"
			break
		fi
	done
	if [ -z "${why:-}" ]; then
		other_rec "$k" diag "$k: kernel $((t1 - t0))s, W=1 and sparse $((SECONDS - t1))s"
		# A kernel may refuse the host's sparse (7.x wants one that knows
		# __typeof_unqual__; Debian's 0.6.4 does not): then nothing was checked.
		if ! grep -q '^ *CHECK ' "$CHECK/C-$k.log"; then
			other_rec "$k" skip "$name" "W=1 clean; sparse did not run: $(grep -o 'C=2 specified.*' "$CHECK/C-$k.log" | head -n1)"
		else
			other_rec "$k" pass "$name (kernel $(cat "$kd/include/config/kernel.release"))"
		fi
	fi
	if KVER=$k KDIR=$kd "$REPO/tests/qemu/build-modules.sh" >"$CHECK/guest-$k.log" 2>&1 &&
	   KVER=$k KDIR=$kd "$REPO/tests/qemu/build-initramfs.sh" >>"$CHECK/guest-$k.log" 2>&1; then
		other_rec "$k" pass "$guest"
		echo ready >"$CHECK/other-$k.state"
	else
		other_rec "$k" fail "$guest" "" "$CHECK/guest-$k.log"
		echo failed >"$CHECK/other-$k.state"
	fi
}

# prepare_cross TARGET: the cross kernel with openppe built in
# (build-cross.sh: the board kernel's source and the series, in a series
# written for it alone), W=1 and sparse of the two driver directories for
# that target, then TARGET's state file; its boot with the built-in KUnit
# suites is the lanes' job kunit-TARGET
prepare_cross() {
	local target=$1 image t0 t1 log why name="W=1 and sparse on $1: no warnings"
	local build="build: the $1 kernel, openppe built in" series=$CHECK/series-$1

	t0=$SECONDS
	if ! PATCHES_OUT=$series "$REPO/tests/qemu/make-patches.sh" >/dev/null \
		2>"$CHECK/cross-$target.log" ||
	   ! image=$(SERIES=$series "$REPO/tests/qemu/build-cross.sh" "$target" \
		2>>"$CHECK/cross-$target.log"); then
		other_rec "$target" fail "$build" "build-cross.sh $target:" "$CHECK/cross-$target.log"
		echo failed >"$CHECK/other-$target.state"
		return
	fi
	other_rec "$target" pass "$build ($(sed -n 's/.* kernel \([^ ]*\) up to date .*/\1/p' "$CHECK/cross-$target.log"))"
	echo "$image" >"$CHECK/other-$target.kdir"
	t1=$SECONDS
	log=$CHECK/cross-$target-gate.log
	if ! why=$(build_gate "$log" env SERIES="$series" \
		"$REPO/tests/qemu/build-cross.sh" "$target" gate); then
		[ -s "$log.warn" ] && log=$log.warn
		other_rec "$target" fail "$name" "$why" "$log"
	elif ! grep -q '^ *CHECK ' "$log"; then
		other_rec "$target" fail "$name" "sparse did not run"
	else
		other_rec "$target" pass "$name"
	fi
	other_rec "$target" diag "$target: kernel $((t1 - t0))s, W=1 and sparse $((SECONDS - t1))s"
	echo ready >"$CHECK/other-$target.state"
}

# kernel_state KVER: ready, pending or failed (the board's is ready)
kernel_state() {
	if [ "$1" = "$KVER" ]; then
		echo ready
	else
		cat "$CHECK/other-$1.state" 2>/dev/null || echo pending
	fi
}

# report_other: wait for the preparation, then its results, kernel by kernel
report_other() {
	local k st name reason logf
	[ -z "$other_reported" ] || return 0
	other_reported=1
	[ -z "$other_pid" ] || wait "$other_pid"
	stage "the other kernels: W=1 and sparse, modules and guest initramfs; the cross kernels"
	for k in "${other_kvers[@]}" "${cross_targets[@]}"; do
		while IFS=$'\t' read -r st name reason logf; do
			if [ "$st" = diag ]; then
				diag "$name"
				continue
			fi
			result "$st" "$name" "$reason"
			[ -z "$logf" ] || diag_file "$logf" 30
		done < <(cat "$CHECK/other-$k.results" 2>/dev/null)
	done
}

# The cross kernels (tests/qemu/cross.sh) whose built-in KUnit suites run
# too: big-endian arm64 and 32-bit ARMv7
cross_targets=(arm64be arm32)
other_pid=''
other_reported=''
if [ "${#other_kvers[@]}" -gt 0 ] || [ "${#cross_targets[@]}" -gt 0 ]; then
	if have_drivers; then
		(
			for k in "${other_kvers[@]}"; do prepare_other "$k"; done
			for k in "${cross_targets[@]}"; do prepare_cross "$k"; done
		) >/dev/null 2>&1 &
		other_pid=$!
		diag "the other kernels (${other_kvers[*]} ${cross_targets[*]}) are prepared in the background"
	else
		for k in "${other_kvers[@]}" "${cross_targets[@]}"; do
			other_rec "$k" skip "W=1 and sparse on $k: no warnings" "no driver Makefile yet"
			echo failed >"$CHECK/other-$k.state"
		done
	fi
fi

# ---------------------------------------------------------------- guest runs
# vm_boot NAME SCRIPT [VAR=VALUE...]: one guest boot; its exit status
vm_boot() {
	local name=$1 script=$2
	shift 2
	env "$@" VM_QUIET=1 VM_NAME="$name" "$REPO/tests/qemu/run.sh" "$script" \
		>"$CHECK/$name.run" 2>&1
}

# vm_test NAME SCRIPT [VAR=VALUE...]: one guest boot, output nested, one result
vm_test() {
	local name=$1 script=$2
	shift 2
	vm_boot "$name" "$script" "$@"
	vm_result "$name" $?
}

# undeclared_skips NAME: the skip lines of NAME's output that
# tests/expected-skips does not declare
undeclared_skips() {
	local l
	while IFS= read -r l; do
		# NAME@KVER, a test on another kernel, has its declarations too
		skip_declared "${1%@*}" "$l" || printf '%s\n' "$l"
	done < <(grep -E '(^|[[:space:]])(ok [0-9]+ .*)?# SKIP' "$BUILD/vm-logs/$1/output" 2>/dev/null)
}

# vm_result NAME RC: the boot's output nested, one result; a skip that
# tests/expected-skips does not declare fails it
vm_result() {
	local name=$1 rc=$2 reason skipmsg undeclared
	nested "$BUILD/vm-logs/$name/output"
	diag "$(grep -E "^run.sh: $name: exit status" "$CHECK/$name.run" | sed 's/^run.sh: //')"
	undeclared=$(undeclared_skips "$name")
	if [ -n "$undeclared" ] && { [ "$rc" -eq 0 ] || [ "$rc" -eq 4 ]; }; then
		result fail "$name" "undeclared skip(s) (tests/expected-skips):"
		printf '%s\n' "$undeclared" | head -n 10 | sed 's/^/#   /' | tee -a "$KTAP"
	elif [ "$rc" -eq 0 ]; then
		result pass "$name"
	elif [ "$rc" -eq 4 ]; then
		skipmsg=$(grep -ohE '# SKIP.*' "$BUILD/vm-logs/$name/output" 2>/dev/null | tail -n1)
		emit "ok $((T += 1)) $name # SKIP ${skipmsg#\# SKIP }"
	else
		reason="exit status $rc"
		[ "$rc" -eq 124 ] && reason="guest timed out"
		grep -q 'kernel splat' "$CHECK/$name.run" && reason="kernel splat (exit status $rc)"
		result fail "$name" "$reason; console: build/vm-logs/$name.log"
		grep -E '^run.sh: ' "$CHECK/$name.run" | sed 's/^/# /' | tee -a "$KTAP" >/dev/null
		grep -A40 'kernel splat' "$CHECK/$name.run" | head -n 40 | sed 's/^/# /' | tee -a "$KTAP"
	fi
}

# Selftests run in two lanes of guests. Most of a guest's time is spent
# waiting (for a transfer, a timeout, a poll), and no test asserts on time,
# so two guests on two CPUs get through the list sooner than one. The second
# lane starts here, as soon as the board's guest can boot, beside the other
# kernels' preparation, the patch series' kernel builds, packaging, the
# runner self-tests and KUnit, with the kernel's nft_flowtable.sh (with
# e2e_lifecycle one of the two longest boots; e2e_lifecycle comes early in
# the first lane); both lanes take the remaining jobs from the two ends of
# the list, claiming each one (mkdir is atomic), so every job boots exactly
# once; a job of a kernel still being prepared waits for it. Results are
# reported in list order once both lanes are done. CHECK_PARALLEL=0: one
# lane.
sel=${CHECK_SELFTESTS:-*}
# the kernel's nft_flowtable.sh (one of the longest) is listed last
mapfile -t tests < <(cd "$REPO/tests/selftests" && ls -- $sel.sh 2>/dev/null |
	grep -vx lib.sh | LC_ALL=C sort | awk '$0 == "nft_flowtable.sh" { l = $0; next } { print } END { if (l) print l }')
mkdir -p "$CHECK/claims"

# The boots of the lanes, "NAME KVER SCRIPT [CASE...]": every selftest on the
# board kernel, then for each other kernel its KUnit and the core set
# (tests/qemu/core-tests), named NAME@KVER; nft_flowtable stays last.
jobs=()
for f in "${tests[@]}"; do
	[ "$f" = nft_flowtable.sh ] || jobs+=("${f%.sh} $KVER tests/selftests/$f")
done
# make demo and a short make bench (smoke settings: seconds per part, not
# minutes), their output read back by report.py --check
if [ "$sel" = "*" ]; then
	jobs+=("demo $KVER tests/qemu/demo.sh")
	jobs+=("bench-smoke $KVER tests/bench/bench.sh")
fi
core_tests() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$REPO/tests/qemu/core-tests"; }
# the tests of tests/qemu/plain-tests again on the plain board, as NAME@plain
while read -r t cases; do
	[[ $t.sh == $sel.sh ]] && jobs+=("$t@plain $KVER tests/selftests/$t.sh $cases")
done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$REPO/tests/qemu/plain-tests")
for k in "${other_kvers[@]}"; do
	[ "$sel" = "*" ] && jobs+=("kunit@$k $k tests/qemu/kunit.sh")
	while read -r t cases; do
		[[ $t.sh == $sel.sh ]] && jobs+=("$t@$k $k tests/selftests/$t.sh $cases")
	done < <(core_tests)
done
if [ "$sel" = "*" ]; then
	for k in "${cross_targets[@]}"; do jobs+=("kunit-$k $k tests/qemu/boot-builtin.sh"); done
fi
[[ " ${tests[*]} " == *" nft_flowtable.sh "* ]] && jobs+=("nft_flowtable $KVER tests/selftests/nft_flowtable.sh")

# user_run_args demo|bench-smoke: the arguments of make demo's and make
# bench's guest scripts in make check (output under $CHECK, which the guest
# sees below /openppe when the build directory is the repository's)
user_run_args() {
	local out=/openppe/${CHECK#"$REPO"/}/$1

	case $1 in
	demo) echo "DEMO_OUT=$out" ;;
	bench-smoke)
		echo "BENCH_OUT=$out BENCH_SECONDS=2 BENCH_UDP_FLOWS=4 BENCH_UDP_PACKETS=400" \
			"BENCH_BURST_FLOWS=40 BENCH_CTRL_ENTRIES=4096 BENCH_CTRL_LEVELS=256,1024" \
			"BENCH_CTRL_SAMPLES=40 BENCH_CTRL_REPS=2 BENCH_MT_FLOWS=100" \
			"BENCH_FILL_ENTRIES=1024 BENCH_MEM_FLOWS=256"
		;;
	esac
}

# user_report NAME: make demo's / make bench's host side on the smoke run's
# output, one result: report.py --check fails unless every number its
# table prints was measured
user_report() {
	local dir=$CHECK/$1 what=bench flag=

	[ "$1" = demo ] && { what=demo; flag=--demo; }
	if [ "${CHECK#"$REPO"/}" = "$CHECK" ]; then
		result fail "$1: report.py" "the build directory $BUILD is outside the repository:" \
			"the guest cannot write its output"
		return
	fi
	if "$PYTHON" "$REPO/tests/bench/report.py" --check $flag "$dir" \
		>"$CHECK/$1.report" 2>&1; then
		nested "$CHECK/$1.report"
		result pass "$1: report.py --check: the $what's table is complete and well formed"
	else
		result fail "$1: report.py --check: the $what's table is complete and well formed"
		diag_file "$CHECK/$1.report" 20
	fi
}

# job_boot NAME KVER SCRIPT [CASE...]: one job's guest, on KVER's kernel
# (KDIR is exported as the board's: name each kernel's explicitly)
job_boot() {
	local name=$1 k=$2 script=$3 kd=$KDIR
	local -a args
	shift 3
	[ "$k" = "$KVER" ] || kd=$(cat "$CHECK/other-$k.kdir")
	case $name in
	kunit-*)	# a cross kernel: its image boots with the suites built in
		"$REPO/$script" "$kd" "$name" "$k" >"$CHECK/$name.run" 2>&1 ;;
	kunit@*) vm_boot "$name" "$REPO/$script" KVER="$k" KDIR="$kd" VM_MODULES=none ;;
	*@plain) vm_boot "$name" "$REPO/$script" KVER="$k" KDIR="$kd" VM_BOARD=plain VM_TESTS="$*" ;;
	demo | bench-smoke)	# the guest writes raw.txt to $CHECK/$name, in /openppe
		read -r -a args <<<"$(user_run_args "$name")"
		env KVER="$k" KDIR="$kd" VM_QUIET=1 VM_NAME="$name" "$REPO/tests/qemu/run.sh" \
			"$REPO/$script" "${args[@]}" >"$CHECK/$name.run" 2>&1 ;;
	*) vm_boot "$name" "$REPO/$script" KVER="$k" KDIR="$kd" VM_TESTS="$*" ;;
	esac
}

# lane fwd|rev: boot every unclaimed executable job, from one end of the
# list; a job whose kernel is still being prepared waits (the lane takes
# the others meanwhile), one whose kernel failed is left to the report
lane() {
	local i j name t0 pending n=${#jobs[@]}
	local -a job
	while :; do
		pending=0
		for ((i = 0; i < n; i++)); do
			j=$i
			[ "$1" = rev ] && j=$((n - 1 - i))
			read -r -a job <<<"${jobs[j]}"
			name=${job[0]}
			[ -x "$REPO/${job[2]}" ] && [ ! -e "$CHECK/claims/$name" ] || continue
			case $(kernel_state "${job[1]}") in
			pending) pending=1; continue ;;
			failed) continue ;;
			esac
			mkdir "$CHECK/claims/$name" 2>/dev/null || continue
			t0=$SECONDS
			job_boot "${job[@]}"
			echo "$? $((SECONDS - t0)) $1" >"$CHECK/$name.rc"
			continue 2	# from the top: a kernel may have become ready
		done
		[ "$pending" -eq 1 ] || return 0
		sleep 10
	done
}

lane2_pid=
if [ "$guest_ok" -eq 1 ] && [ "${CHECK_PARALLEL:-1}" != 0 ] && [ "${#jobs[@]}" -gt 1 ]; then
	lane rev >/dev/null 2>&1 &
	lane2_pid=$!
	diag "selftests: a second lane of guests started, from the end of the list (CHECK_PARALLEL=0 runs one lane)"
fi

# ---------------------------------------------------------------- patches
# the upstream patch series of every kernel; the board's is built
stage "the upstream patch series"
if have_drivers; then
	for k in "$KVER" "${other_kvers[@]}"; do
		patch_series "$k" || continue
		[ "$k" = "$KVER" ] || continue
		for mode in m y; do
			if SERIES=$BUILD/patches/$k "$REPO/tests/qemu/graft-build.sh" "$mode" \
				>"$CHECK/graft-$mode.log" 2>&1; then
				result pass "build: the patch series applied to the kernel tree, =$mode"
				[ "$mode" = m ] ||
					builtin_image=$OPENPPE_CACHE/graft/$k/obj/arch/arm64/boot/Image
			else
				result fail "build: the patch series applied to the kernel tree, =$mode"
				diag_file "$CHECK/graft-$mode.log" 30
			fi
		done
	done
else
	result skip "patches: the upstream patch series" "no driver Makefile yet"
	result skip "build: the patch series applied to the kernel tree, =m" "no driver Makefile yet"
	result skip "build: the patch series applied to the kernel tree, =y" "no driver Makefile yet"
fi

# ---------------------------------------------------------------- packaging
# The routes openppe takes onto a system (docs/usage.md, "Installing openppe
# on your system"), each run for real against the test kernel by its script
# in tests/packaging/ (KTAP, nested here): make install/uninstall into a
# staging root, DKMS in a private tree, the OpenWrt package's own Makefile
# through stand-ins for the SDK (its build directory is kept in
# build/packaging/openwrt, so a rerun is incremental).
stage "packaging: make install, DKMS, OpenWrt build"
for route in "install|make install / make uninstall|$CHECK/packaging/install" \
	     "dkms|DKMS add, build, install, remove|$CHECK/packaging/dkms" \
	     "openwrt-build|OpenWrt package build|$BUILD/packaging/openwrt"; do
	IFS='|' read -r script name out <<<"$route"
	t0=$SECONDS
	"$REPO/tests/packaging/$script.sh" "$out" >"$CHECK/packaging-$script.ktap" \
		2>"$CHECK/packaging-$script.err"
	rc=$?
	nested "$CHECK/packaging-$script.ktap"
	diag "packaging: $script took $((SECONDS - t0))s"
	if [ "$rc" -eq 0 ]; then
		result pass "packaging: $name"
	else
		result fail "packaging: $name" "tests/packaging/$script.sh: exit status $rc"
		diag_file "$CHECK/packaging-$script.err" 15
	fi
done

stage "dt-schema: the board DTBs against our bindings"
# board_dtb_check NAME DTB: one result, DTB's openppe nodes valid
board_dtb_check() {
	local name=$1 board=$2 dts=$CHECK/$1.dts log=$CHECK/$1.log

	# the source in a file, not a pipe: grep -q would leave at the first
	# match, dtc then dies of SIGPIPE and pipefail would call the match a miss
	rm -f "$dts"
	[ -f "$board" ] && dtc -I dtb -O dts -o "$dts" "$board" 2>/dev/null
	if [ ! -f "$board" ]; then
		result fail "dt-schema: $name DTB" "no $name DTB"
	elif ! grep -q '"openppe,' "$dts" 2>/dev/null; then
		result fail "dt-schema: $name DTB" "no openppe node in the $name DTB (is its overlay applied?)"
	elif [ ! -f "$schema" ]; then
		result fail "dt-schema: $name DTB" "the board has openppe nodes but there are no usable bindings"
	else
		# Only our schemas (-l openppe: binding files are named
		# openppe,*.yaml) judge the board: QEMU's own nodes are not ours to
		# fix. Separately, every openppe compatible must be matched by a
		# schema.
		dt-validate -l openppe -s "$schema" "$board" >"$log" 2>&1
		dt-validate -m -s "$schema" "$board" 2>&1 | grep -i 'openppe' |
			grep -i 'failed to match' >>"$log"
		if [ -s "$log" ]; then
			result fail "dt-schema: $name DTB openppe nodes"
			diag_file "$log" 30
		else
			result pass "dt-schema: $name DTB openppe nodes"
		fi
	fi
}
board_dtb_check board-dsa "$BUILD/vm/board-dsa.dtb"
board_dtb_check board-plain "$BUILD/vm/board-plain.dtb"

if [ "$guest_ok" -eq 0 ]; then
	report_other
	result fail "guest runs" "no initramfs or DTB; nothing could boot"
	summary
	exit 1
fi

stage "runner self-tests (tests/qemu/runner-tests)"
for t in "$REPO"/tests/qemu/runner-tests/*.sh; do
	name=runner-$(basename "$t" .sh)
	exp_rc=$(sed -n 's/^# expect-exit: *//p' "$t")
	exp_out=$(sed -n 's/^# expect-output: *//p' "$t")
	tmo=$(sed -n 's/^# vm-timeout: *//p' "$t")
	VM_QUIET=1 VM_MODULES=none VM_NAME=$name VM_TIMEOUT=${tmo:-300} \
		"$REPO/tests/qemu/run.sh" "$t" >"$CHECK/$name.run" 2>&1
	rc=$?
	if [ "$rc" = "$exp_rc" ] && grep -q -- "$exp_out" "$CHECK/$name.run"; then
		result pass "$name: exit $rc, \"$exp_out\""
	else
		result fail "$name" "expected exit $exp_rc and \"$exp_out\", got exit $rc:"
		diag_file "$CHECK/$name.run" 20
	fi
done

# kunit_suites_ran NAME: one result, every suite the sources declare reported
# a result in boot NAME's output
kunit_suites_ran() {
	local missing
	missing=$(expected_kunit_suites | while read -r s; do
		grep -qE "^(not )?ok [0-9]+ $s\$" "$BUILD/vm-logs/$1/output" 2>/dev/null || echo "$s"
	done)
	if [ -n "$missing" ]; then
		result fail "$1: every declared suite ran" "no result from: $(echo $missing)"
	else
		result pass "$1: every declared suite ran ($(expected_kunit_suites | wc -l))"
	fi
}

stage "KUnit (in the guest)"
if compgen -G "$BUILD/modules/*_kunit.ko" >/dev/null; then
	vm_test kunit "$REPO/tests/qemu/kunit.sh" VM_MODULES=none
	kunit_suites_ran kunit
else
	result skip "kunit" "no *_kunit.ko built yet"
fi
# the =y kernel boots: its built-in suites run at boot (boot-builtin.sh)
if [ -n "${builtin_image:-}" ]; then
	if "$REPO/tests/qemu/boot-builtin.sh" "$builtin_image" kunit-builtin \
		>"$CHECK/kunit-builtin.run" 2>&1; then
		nested "$BUILD/vm-logs/kunit-builtin/output"
		result pass "kunit-builtin: the =y kernel boots, its KUnit suites pass"
	else
		nested "$BUILD/vm-logs/kunit-builtin/output"
		result fail "kunit-builtin: the =y kernel boots, its KUnit suites pass" \
			"console: build/vm-logs/kunit-builtin.log"
		diag_file "$CHECK/kunit-builtin.run" 30
	fi
	kunit_suites_ran kunit-builtin
else
	result fail "kunit-builtin: the =y kernel boots" "no =y kernel was built"
fi
stage "selftests (tests/selftests, one guest boot each, ${lane2_pid:+two lanes, }reported in list order)"
[ "$sel" = "*" ] || diag "limited to tests/selftests/$sel.sh (CHECK_SELFTESTS)"
lane fwd
[ -n "$lane2_pid" ] && wait "$lane2_pid"
diag "selftests: both lanes done at $((SECONDS - t_start))s"
report_other
stage "selftests: the results, in list order"
cur=$KVER
for j in "${jobs[@]}"; do
	read -r -a job <<<"$j"
	name=${job[0]}
	if [ "${job[1]}" != "$cur" ]; then
		cur=${job[1]}
		if [[ $name == kunit-* ]]; then
			stage "the $cur kernel: built-in KUnit"
		elif [ "$cur" = "$KVER" ]; then
			stage "kernel $cur (the board's): the selftests listed last"
		else
			stage "kernel $cur: KUnit and the core set (tests/qemu/core-tests)"
		fi
	fi
	if [ ! -x "$REPO/${job[2]}" ]; then
		result fail "$name" "${job[2]} is not executable (helpers are *.lib): it did not run"
		continue
	fi
	if [ "$(kernel_state "${job[1]}")" = failed ]; then
		result fail "$name" "no guest for ${job[1]} (see its build results): not booted"
		continue
	fi
	if ! read -r rc secs lane_of 2>/dev/null <"$CHECK/$name.rc"; then
		result fail "$name" "no exit status recorded: the test was never booted"
		continue
	fi
	diag "$name: ${secs}s in the $lane_of lane${job[3]:+ (cases: ${job[*]:3})}"
	if [[ $name == kunit-* ]]; then
		nested "$BUILD/vm-logs/$name/output"
		if [ "$rc" -eq 0 ]; then
			result pass "$name: the ${job[1]} kernel boots, its KUnit suites pass"
		else
			result fail "$name: the ${job[1]} kernel boots, its KUnit suites pass" \
				"console: build/vm-logs/$name.log"
			diag_file "$CHECK/$name.run" 30
		fi
		kunit_suites_ran "$name"
		continue
	fi
	vm_result "$name" "$rc"
	[[ $name == kunit@* ]] && kunit_suites_ran "$name"
	case $name in demo | bench-smoke) user_report "$name" ;; esac
done
[ "${#jobs[@]}" -gt 0 ] || result skip "selftests" "no tests/selftests/$sel.sh"

summary
