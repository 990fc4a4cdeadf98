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

# table_case ENGINE ASK EXPECT: an instance whose engine offers ENGINE
# entries and whose PPE node asks for ASK (empty: nothing) binds with a
# table of EXPECT entries
table_case()
{
	local engine=$1 ask=$2 expect=$3 id size

	RET=0
	sim_new id 2 "$engine" "$ask"
	check_err $? "cannot create a $engine-entry instance (node asks '${ask:-nothing}')"
	[ "$RET" -eq 0 ] || return 0
	busywait 20000 ppe_table_size "$id" >/dev/null
	check_err $? "the PPE of a $engine-entry engine did not bind"
	size=$(ppe_table_size "$id")
	log_info "engine offers $engine entries, node asks ${ask:-nothing}," \
		"driver uses ${size:-none}"
	[ "$size" = "$expect" ]
	check_err $? "table_size is '$size', expected $expect"
	sim_del "$id"
	check_err $? "cannot delete the instance"
}

huge_engine_probes()
{
	table_case 1048576 "" 16384
	log_test "1M-entry engine, nothing asked: the default 16384-entry table"
}

# the node asks for 65536 entries ("openppe,max-entries", as make bench's
# instances do): the driver takes that, not its default
node_asks()
{
	table_case 1048576 65536 65536
	log_test "1M-entry engine, node asks for 65536: the driver takes 65536"
}

small_engine_exact()
{
	table_case 256 "" 256
	log_test "engine that fits: the driver uses all of it"
}

run_tests
