# SPDX-License-Identifier: GPL-2.0
#
# openppe selftest library: KTAP output, result bookkeeping, namespaces, waits.
# Source it from a tests/selftests/*.sh script, in the style of the kernel's
# tools/testing/selftests/net/forwarding/lib.sh:
#
#	#!/bin/bash
#	# (the SPDX license line, GPL-2.0)
#	# What this test proves, in one line.
#	ALL_TESTS="ping_works flows_offload"
#	source "$(dirname "$0")/lib.sh"
#	require_command nft
#
#	ping_works() {
#		RET=0
#		ip netns exec "$ns1" ping -c1 -W1 192.0.2.2 >/dev/null
#		check_err $? "no reply from the router"
#		log_test "ping through the router"
#	}
#	...
#	cleanup() { ns_cleanup_all; }
#	trap cleanup EXIT
#	ns_create ns1 ns2
#	run_tests
#
# Results (KTAP, read by `make check`):
#   run_tests              print "KTAP version 1" and the plan "1..N" (N = words in
#                          ALL_TESTS), run each test function, exit 0 if none failed,
#                          1 if one did, 4 if every test skipped. Each test function
#                          reports exactly once, through log_test (run_tests reports
#                          a function that forgot, as a failure).
#                          TESTS="a b" in the environment runs only those (each
#                          must be in ALL_TESTS; run.sh passes VM_TESTS as TESTS).
#   RET=0                  start of each test; the first failed check sets it
#   check_err RC MSG       a step that must succeed: RC != 0 fails the test with MSG
#   check_fail RC MSG      a step that must fail: RC == 0 fails the test with MSG
#   check_err_fail XFAIL RC MSG   check_fail if XFAIL is 1, else check_err
#   skip_test REASON       mark the current test skipped (log_test prints # SKIP)
#   log_test NAME          print "ok N NAME" / "not ok N NAME" (+ "# MSG") from RET
#   log_info MSG           print a KTAP diagnostic line "# MSG"
#                          (MSG, NAME and REASON may be split over several words:
#                          they are joined with spaces, like "$*")
#   board_fail MSG         the board/platform is broken (a port, the engine, the
#                          driver's binding is missing): fail the script (exit 1)
#                          with "# board broken: MSG" first; never a skip
#   require_command CMD    skip the whole script (exit 4, with the reason) if CMD
#                          is not installed; call before run_tests
#   require_module MOD     same, for a kernel module (loaded or loadable)
#
# Waiting (never sleep for a fixed time when a condition can be polled):
#   busywait TIMEOUT_MS CMD [ARGS...]   run CMD every 100 ms until it succeeds or
#                          TIMEOUT_MS passed; returns CMD's last status
#   busywait_for_output TIMEOUT_MS EXPECTED CMD [ARGS...]   until CMD prints EXPECTED
#   softnet_drops          frames dropped so far by full per-CPU input backlogs
#                          (any namespace; the emulated wires deliver through
#                          netif_rx): a drop there breaks an exact count, so
#                          failures of one print it
#
# Names (never fixed names: tests may run side by side, and a failed run must not
# break the next one):
#   rand_name [PREFIX]     print PREFIX-xxxxxx (fits a netdev name if PREFIX <= 8)
#   ns_create VAR...       create one network namespace per VAR, with a unique
#                          name, lo up; assign the name to VAR; remember it
#   ns_destroy NAME        delete one namespace created by ns_create
#   ns_cleanup_all         delete every namespace ns_create made (call from cleanup)
#   cleanup                default EXIT handler: ns_cleanup_all; a test that needs
#                          more defines its own cleanup() after sourcing this file
#                          and calls ns_cleanup_all from it. Install with
#                          `trap cleanup EXIT`.
#
# Exit codes follow kselftest: 0 pass, 1 fail, 4 skip. `make check` boots one
# guest per executable tests/selftests/*.sh; a comment line "# vm-timeout: N"
# raises the runner's 600 s limit for that script.
# In the test guest the repository is at /openppe, the kernel's selftests at /ksft.

ksft_pass=0
ksft_fail=1
ksft_skip=4

: "${ALL_TESTS:=}"
RET=0
RET_MSG=
LIB_TESTNUM=0
LIB_NFAIL=0
LIB_NSKIP=0
LIB_NETNS=()
LIB_LOGGED=0

log_info()
{
	echo "# $*"
}

check_err()
{
	local rc=$1
	local msg=${*:2}

	if [ "$RET" -eq 0 ] && [ "$rc" -ne 0 ]; then
		RET=1
		RET_MSG=$msg
	fi
}

check_fail()
{
	local rc=$1
	local msg=${*:2}

	if [ "$RET" -eq 0 ] && [ "$rc" -eq 0 ]; then
		RET=1
		RET_MSG=$msg
	fi
}

check_err_fail()
{
	local should_fail=$1
	local rc=$2
	local msg=$3

	if [ "$should_fail" -eq 1 ]; then
		check_fail "$rc" "$msg"
	else
		check_err "$rc" "$msg"
	fi
}

skip_test()
{
	if [ "$RET" -eq 0 ]; then
		RET=$ksft_skip
		RET_MSG=$*
	fi
}

log_test()
{
	local name=$*

	LIB_TESTNUM=$((LIB_TESTNUM + 1))
	LIB_LOGGED=$((LIB_LOGGED + 1))
	if [ "$RET" -eq "$ksft_skip" ]; then
		LIB_NSKIP=$((LIB_NSKIP + 1))
		echo "ok $LIB_TESTNUM $name # SKIP $RET_MSG"
	elif [ "$RET" -ne 0 ]; then
		LIB_NFAIL=$((LIB_NFAIL + 1))
		echo "not ok $LIB_TESTNUM $name"
		[ -n "$RET_MSG" ] && log_info "$RET_MSG"
	else
		echo "ok $LIB_TESTNUM $name"
	fi
	RET=0
	RET_MSG=
	return 0
}

run_tests()
{
	local t n=0 run=${TESTS:-$ALL_TESTS}

	for t in $run; do
		if [[ " $ALL_TESTS " != *" $t "* ]]; then
			echo "# TESTS names $t, which is not one of: $ALL_TESTS" >&2
			exit $ksft_fail
		fi
		n=$((n + 1))
	done
	echo "KTAP version 1"
	echo "1..$n"
	for t in $run; do
		RET=0
		RET_MSG=
		LIB_LOGGED=0
		"$t"
		if [ "$LIB_LOGGED" -eq 0 ]; then
			RET=1
			RET_MSG="$t reported no result (missing log_test)"
			log_test "$t"
		elif [ "$LIB_LOGGED" -gt 1 ]; then
			log_info "$t reported $LIB_LOGGED results;" \
				"one per test keeps the plan right"
			LIB_NFAIL=$((LIB_NFAIL + 1))
		fi
	done
	log_info "$((LIB_TESTNUM - LIB_NFAIL - LIB_NSKIP)) passed, $LIB_NFAIL failed," \
		"$LIB_NSKIP skipped"
	if [ "$LIB_NFAIL" -gt 0 ]; then
		exit $ksft_fail
	elif [ "$n" -gt 0 ] && [ "$LIB_NSKIP" -eq "$n" ]; then
		exit $ksft_skip
	fi
	exit $ksft_pass
}

# board_fail MSG: the board itself is not what the test platform builds (a
# port, the engine, the driver's binding, a kernel facility the test kernel
# has): fail the whole script with MSG as its first diagnostic. A broken
# board must fail a run, never pass as a skip.
board_fail()
{
	echo "KTAP version 1"
	echo "1..0"
	echo "# board broken: $*"
	exit "$ksft_fail"
}

# board_dev_of PORT DRIVER: the device bound to DRIVER that PORT belongs to,
# itself or a sibling of it (/sys/devices/...): on the plain board the
# engine ports are the openppe_sim device's and the PPE is its child; on the
# DSA board a user port is the switch's, the switch a child of openppe_sim
board_dev_of()
{
	local d c

	d=$(readlink -f "/sys/class/net/$1/device") || return 1
	for d in "$d" "$(dirname "$d")"; do
		for c in "$d" "$d"/*/; do
			c=${c%/}
			[ "$(basename "$(readlink -f "$c/driver" 2>/dev/null)")" = "$2" ] &&
				{ echo "$c"; return 0; }
		done
	done
	return 1
}

# ppe_of_port PORT: sysfs directory of the PPE bound for board port PORT
# (/sys/bus/platform/devices/<dev>)
ppe_of_port()
{
	local d

	d=$(board_dev_of "$1" openppe) || return 1
	echo "/sys/bus/platform/devices/$(basename "$d")"
}

# sim_dfs_of_port PORT: debugfs directory of the openppe_sim instance
# behind board port PORT
sim_dfs_of_port()
{
	local d

	d=$(board_dev_of "$1" openppe_sim) || return 1
	echo "/sys/kernel/debug/openppe_sim/$(basename "$d")"
}

require_command()
{
	local cmd=$1

	if ! command -v "$cmd" >/dev/null 2>&1; then
		echo "KTAP version 1"
		echo "1..0 # SKIP $cmd not installed"
		exit $ksft_skip
	fi
}

require_module()
{
	local mod=$1

	if [ -d "/sys/module/$mod" ] || modinfo "$mod" >/dev/null 2>&1; then
		return 0
	fi
	echo "KTAP version 1"
	echo "1..0 # SKIP module $mod not available"
	exit $ksft_skip
}

# busywait TIMEOUT_MS CMD [ARGS...]
busywait()
{
	local timeout_ms=$1
	shift
	local start now rc

	start=$(lib_now_ms)
	while true; do
		"$@"
		rc=$?
		[ "$rc" -eq 0 ] && return 0
		now=$(lib_now_ms)
		if [ $((now - start)) -ge "$timeout_ms" ]; then
			return "$rc"
		fi
		sleep 0.1
	done
}

# busywait_for_output TIMEOUT_MS EXPECTED CMD [ARGS...]
busywait_for_output()
{
	local timeout_ms=$1
	local expected=$2
	shift 2

	busywait "$timeout_ms" lib_output_is "$expected" "$@"
}

lib_output_is()
{
	local expected=$1
	shift

	[ "$("$@")" = "$expected" ]
}

softnet_drops()
{
	local _cpu drops s=0

	while read -r _cpu drops _; do
		s=$((s + 16#$drops))
	done </proc/net/softnet_stat
	echo "$s"
}

# count_frames_on DEV...: make a netdev ingress hook on each DEV see one
# skb per frame. The router's CPU is counted there (nft netdev ingress) while
# the engine and the hosts count frames; DSA user ports receive through GRO
# (gro_cells), which may merge two punted segments of a TCP flow into one
# skb, and the CPU then counts one packet, one header's bytes short (seen on
# the DSA board: e2e_nat before the bulk, CPU 4 packets 4312 B of 5 frames
# 4364 B). The emulated engine ports never use GRO; a port without the
# feature is left alone.
count_frames_on()
{
	local dev

	for dev in "$@"; do
		ethtool -k "$dev" 2>/dev/null | grep -q '^generic-receive-offload: on' ||
			continue
		ethtool -K "$dev" gro off || return 1
	done
}

lib_now_ms()
{
	local t=${EPOCHREALTIME/[.,]/}

	echo $((t / 1000))
}

rand_name()
{
	local prefix=${1:-t}
	local sfx

	sfx=$(tr -dc 'a-z0-9' </dev/urandom | head -c 6)
	echo "$prefix-$sfx"
}

ns_create()
{
	local var name

	for var in "$@"; do
		name=$(rand_name "$var")
		if ! ip netns add "$name"; then
			log_info "cannot create network namespace $name"
			return 1
		fi
		LIB_NETNS+=("$name")
		ip -netns "$name" link set lo up
		printf -v "$var" '%s' "$name"
	done
}

ns_destroy()
{
	local name=$1
	local i

	ip netns del "$name" 2>/dev/null
	for i in "${!LIB_NETNS[@]}"; do
		[ "${LIB_NETNS[$i]}" = "$name" ] && unset 'LIB_NETNS[i]'
	done
	return 0
}

ns_cleanup_all()
{
	local name

	for name in "${LIB_NETNS[@]}"; do
		ip netns del "$name" 2>/dev/null
	done
	LIB_NETNS=()
}

cleanup()
{
	ns_cleanup_all
}
