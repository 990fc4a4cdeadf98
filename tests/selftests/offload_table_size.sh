#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The driver sizes its table from the engine's geometry and the memory it can
# get: an engine offering 1M entries (128 MiB of table) must still probe, with
# the largest table the platform's contiguous DMA memory can hold, and no
# page-allocator warning (the runner fails the run on any WARNING).
#
# vm-timeout: 300

ALL_TESTS="huge_engine_probes small_engine_exact"
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
		[ -n "$size" ] && [ "$size" -ge 8 ] && [ "$size" -le 1048576 ] &&
			[ $((size & (size - 1))) -eq 0 ]
		check_err $? "table_size '$size' is not a power of 2 within the engine's limit"
		dmesg | grep -q "no contiguous DMA memory for 1048576 entries, using $size" ||
			[ "$size" -eq 1048576 ]
		check_err $? "a smaller table was used without saying so"
		sim_del "$id"
		check_err $? "cannot delete the instance"
	fi
	log_test "engine larger than DMA memory: probe with a smaller table"
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
