#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# openppe_sim: 100 run-time instances created and deleted in a row, with the
# openppe driver binding each PPE when it is loaded; nothing may be left
# behind (netdevs, debugfs) and the runner checks the console for KASAN,
# lockdep and kmemleak reports.

ALL_TESTS="create_delete_100 two_at_once_20"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sim.lib"

require_command ip
require_sim

cleanup()
{
	sim_cleanup_all
}
trap cleanup EXIT

create_delete_100()
{
	local i id left

	RET=0
	for i in $(seq 1 100); do
		sim_new id 2 256 || { check_err 1 "create $i failed"; break; }
		[ -e "/sys/class/net/$(sim_wire "$id" 1)" ]
		check_err $? "cycle $i: no $(sim_wire "$id" 1)"
		sim_del "$id"
		check_err $? "cycle $i: delete failed"
		[ ! -e "$(sim_dfs "$id")" ]
		check_err $? "cycle $i: debugfs directory left behind"
		[ "$RET" -eq 0 ] || break
	done
	left=$(ip -o link show | grep -c ' psim')
	[ "$left" -eq 0 ]
	check_err $? "$left psim netdevs left after the cycles"
	log_test "100 create/delete cycles of a 2-port, 256-entry instance"
}

# two instances alive at once, the first deleted first, 20 times
two_at_once_20()
{
	local i a b

	RET=0
	for i in $(seq 1 20); do
		sim_new a 1 256 && sim_new b 1 256
		check_err $? "cycle $i: cannot create two instances"
		[ -d "$(sim_dfs "$a")" ] && [ -d "$(sim_dfs "$b")" ]
		check_err $? "cycle $i: debugfs of one instance missing"
		sim_del "$a"
		check_err $? "cycle $i: cannot delete $a"
		[ -d "$(sim_dfs "$b")" ]
		check_err $? "cycle $i: deleting $a removed $b's debugfs"
		sim_del "$b"
		check_err $? "cycle $i: cannot delete $b"
		[ "$RET" -eq 0 ] || break
	done
	log_test "20 rounds of two instances at once"
}

run_tests
