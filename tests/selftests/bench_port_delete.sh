#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark module of `make bench` (tests/bench/kmod) lets go of its
# ports: deleting an openppe_sim instance whose ports it is bound to, while
# idle or in the middle of a command, moving a bound port to another
# namespace, and unloading it while bound all finish, and the bench is
# unbound afterwards. A deletion that waits for a reference the bench still
# holds never returns (unregister_netdevice() waits for it): every wait here
# is bounded and fails the test instead of hanging the guest.
# Not in the upstream series (make-patches.sh): the module is test code of
# this repository, not of the kernel.

ALL_TESTS="delete_bound delete_during_install netns_move unload_bound"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sim.lib"
source "$(dirname "$0")/router.lib"

BENCH_DFS=/sys/kernel/debug/openppe_bench
# a deletion takes a few seconds in a loaded TCG guest; a hang is forever
WAIT_MS=90000
TMPD=$(mktemp -d)

require_command ip
require_sim
modprobe openppe_bench 2>/dev/null && [ -w "$BENCH_DFS/run" ] ||
	board_fail "the openppe_bench module (tests/bench/kmod) does not load"

# bench CMD...: one command to the bench module; its exit status
bench()
{
	echo "$*" 2>/dev/null >"$BENCH_DFS/run"
}

# sim_forget ID: an instance deleted here, not through sim_del
sim_forget()
{
	local i

	for i in "${!SIM_IDS[@]}"; do
		[ "${SIM_IDS[$i]}" = "$1" ] && unset 'SIM_IDS[i]'
	done
}

# bg_start NAME CMD...: run CMD in the background, its status to $TMPD/NAME
bg_start()
{
	local name=$1

	shift
	rm -f "$TMPD/$name"
	( "$@"; echo $? >"$TMPD/$name" ) &
}

# bg_wait NAME: wait (bounded) for it; return its status, 124 if still running
bg_wait()
{
	busywait "$WAIT_MS" test -s "$TMPD/$1" || return 124
	return "$(cat "$TMPD/$1")"
}

sim_del_write()
{
	echo "$1" >"$SIM_BUS/del_device"
}

# del_bounded ID: delete instance ID; 0 if it returned in time and
# succeeded, 124 if it did not return. The sim bus is locked while the
# deletion waits: then unbind the bench by hand, which lets it finish, so
# that the next steps can create instances again.
del_bounded()
{
	local rc

	bg_start "del-$1" sim_del_write "$1"
	bg_wait "del-$1"
	rc=$?
	if [ "$rc" -eq 124 ]; then
		log_info "del_device $1 hangs; unbinding the bench by hand"
		bench unbind
		bg_wait "del-$1"
	fi
	sim_forget "$1"
	return "$rc"
}

# new_bound VAR ENTRIES: a 2-port instance, the bench bound on its ports
new_bound()
{
	local -n _nb_id=$1

	sim_new "$1" 2 "$2" || return 1
	PPE=$(ppe_of_port "$(sim_port "$_nb_id" 0)") || return 1
	bench bind "$(sim_port "$_nb_id" 0)" "$(sim_port "$_nb_id" 1)"
}

flows_at_least()
{
	[ "$(cat "$PPE/flows_offloaded" 2>/dev/null || echo 0)" -ge "$1" ]
}

unbound()	# the bench says it is not bound
{
	! bench install 1 && ! bench flush
}

# the bench can bind again, on a new instance, and unbind
bench_usable()
{
	local id rc

	new_bound id 256 && bench install 10 && bench unbind
	rc=$?
	[ -n "${id:-}" ] && { del_bounded "$id" || rc=1; }
	return "$rc"
}

delete_bound()
{
	local id rc

	RET=0
	new_bound id 4096
	check_err $? "cannot bind the bench on a new instance"
	bench install 1000
	check_err $? "install of 1000 flows failed"
	if [ "$RET" -eq 0 ]; then
		del_bounded "$id"
		rc=$?
		[ "$rc" -ne 124 ]
		check_err $? "deleting the bound instance did not finish in $((WAIT_MS / 1000)) s"
		[ "$rc" -eq 124 ] || check_err "$rc" "del_device failed"
		[ ! -e "/sys/class/net/$(sim_port "$id" 0)" ]
		check_err $? "port $(sim_port "$id" 0) still exists"
		unbound
		check_err $? "the bench still accepts commands on the deleted ports"
		bench_usable
		check_err $? "the bench cannot bind again after the deletion"
	fi
	log_test "instance deleted while the bench is bound (1000 flows)"
}

delete_during_install()
{
	local id rc n

	RET=0
	new_bound id 16384
	check_err $? "cannot bind the bench on a new instance"
	if [ "$RET" -eq 0 ]; then
		# three quarters of the table the driver took (16384 entries
		# unless a device node asks for more): every insert finds a
		# place, and the install takes seconds here (each REPLACE is
		# ~0.2 ms on the debug kernel)
		n=$(($(cat "$PPE/table_size") * 3 / 4))
		bg_start install bench install "$n"
		busywait "$WAIT_MS" flows_at_least 1000
		check_err $? "the install did not get to 1000 flows"
		del_bounded "$id"
		rc=$?
		[ "$rc" -ne 124 ]
		check_err $? "deleting the instance during an install did not finish"
		bg_wait install
		rc=$?
		[ "$rc" -ne 124 ]
		check_err $? "the install command did not return after the deletion"
		if [ "$rc" -eq 0 ]; then
			log_info "the install of $n flows finished before the deletion"
		else
			log_info "the install stopped with an error, as it should"
		fi
		unbound
		check_err $? "the bench still accepts commands on the deleted ports"
	fi
	log_test "instance deleted while the bench fills 3/4 of the table"
}

netns_move()
{
	local id ns rc

	RET=0
	ns_create ns
	new_bound id 4096
	check_err $? "cannot bind the bench on a new instance"
	bench install 100
	check_err $? "install of 100 flows failed"
	if [ "$RET" -eq 0 ]; then
		bg_start move ip link set "$(sim_port "$id" 1)" netns "$ns"
		bg_wait move
		check_err $? "moving a bound port to another namespace failed or hung"
		unbound
		check_err $? "the bench is still bound after its port left the namespace"
		busywait 10000 lib_output_is 0 cat "$PPE/flows_offloaded"
		check_err $? "$(cat "$PPE/flows_offloaded") flows still offloaded after the unbind"
		del_bounded "$id"
		check_err $? "deleting the instance afterwards failed or hung"
	fi
	log_test "a bound port moved to another namespace"
}

unload_bound()
{
	local id

	RET=0
	new_bound id 4096
	check_err $? "cannot bind the bench on a new instance"
	bench install 100
	check_err $? "install of 100 flows failed"
	if [ "$RET" -eq 0 ]; then
		bg_start rmmod rmmod openppe_bench
		bg_wait rmmod
		check_err $? "rmmod of the bound bench failed or hung"
		busywait 10000 lib_output_is 0 cat "$PPE/flows_offloaded"
		check_err $? "flows left in the driver after the bench unloaded"
		del_bounded "$id"
		check_err $? "deleting the instance after the unload failed or hung"
		modprobe openppe_bench
		check_err $? "openppe_bench does not load again"
	fi
	log_test "the bench unloaded while bound"
}

cleanup()
{
	# the module first: unloading it unbinds, which lets a deletion that
	# waits for its references finish (the deletions below wait for the
	# sim bus until it has)
	bench unbind
	[ -d /sys/module/openppe_bench ] && rmmod openppe_bench
	sim_cleanup_all
	ns_cleanup_all
	rm -rf "$TMPD" "$ROUTER_TMP"
}
trap cleanup EXIT

run_tests
