#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The driver sizes its table from the engine's geometry and what the device
# asks for: an engine offering 1M entries (160 MiB of table and counters)
# probes with the default 16384-entry table when its node asks for nothing
# (by default the run-time PPE node does not), or the size the node asks
# for, and no page-allocator warning (the runner fails the run on any
# WARNING); a small engine gets all of its table.
#
# vm-timeout: 300

ALL_TESTS="huge_engine_probes node_asks small_engine_exact"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sim.lib"

require_sim

cleanup()
{
	sim_cleanup_all
	ns_cleanup_all
}
trap cleanup EXIT

# print the table_size of instance $1's PPE once it is bound
ppe_table_size()
{
	local f

	for f in "$SIM_BUS"/devices/openppe_sim"$1"/openppe.*/table_size; do
		[ -r "$f" ] && cat "$f" && return 0
	done
	return 1
}

huge_engine_probes()
{
	local id size

	RET=0
	sim_new id 2 1048576
	check_err $? "cannot create a 1048576-entry instance"
	if [ "$RET" -eq 0 ]; then
		busywait 20000 ppe_table_size "$id" >/dev/null
		check_err $? "the PPE of a 1048576-entry engine did not bind"
		size=$(ppe_table_size "$id")
		log_info "engine offers 1048576 entries, driver uses ${size:-none}"
		[ "$size" = 16384 ]
		check_err $? "table_size is '$size', expected the default 16384"
		sim_del "$id"
		check_err $? "cannot delete the instance"
	fi
	log_test "1M-entry engine, nothing asked: the default 16384-entry table"
}

# the run-time PPE node asks for 65536 entries ("openppe,max-entries", as
# make bench's instances do): the driver takes that, not its default
node_asks()
{
	local id size

	RET=0
	sim_new id 2 1048576 65536
	check_err $? "cannot create a 1048576-entry instance asking for 65536"
	if [ "$RET" -eq 0 ]; then
		busywait 20000 ppe_table_size "$id" >/dev/null
		check_err $? "the PPE of a 1048576-entry engine did not bind"
		size=$(ppe_table_size "$id")
		log_info "engine offers 1048576 entries, node asks 65536, driver uses ${size:-none}"
		[ "$size" = 65536 ]
		check_err $? "table_size is '$size', expected the 65536 the node asks for"
		sim_del "$id"
		check_err $? "cannot delete the instance"
	fi
	log_test "1M-entry engine, node asks for 65536: the driver takes 65536"
}

small_engine_exact()
{
	local id size

	RET=0
	sim_new id 2 256
	check_err $? "cannot create a 256-entry instance"
	if [ "$RET" -eq 0 ]; then
		busywait 20000 ppe_table_size "$id" >/dev/null
		check_err $? "the PPE of a 256-entry engine did not bind"
		size=$(ppe_table_size "$id")
		[ "$size" = 256 ]
		check_err $? "table_size is '$size', expected the engine's 256"
		sim_del "$id"
		check_err $? "cannot delete the instance"
	fi
	log_test "engine that fits: the driver uses all of it"
}

run_tests
