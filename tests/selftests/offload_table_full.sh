#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A flow table too small for the traffic: on a run-time engine with the
# smallest table (256 entries, 64 buckets of 4), 128 parallel UDP streams ask
# for more entries than exist. The driver fills the table (relocating entries
# between their two buckets), refuses the rest with table_full while they go
# on in software, every stream completes, and the engine never meets an
# unusable entry. Then everything is torn down cleanly.

ALL_TESTS="fill_table teardown_table"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sim.lib"

require_command nft
require_command iperf3
require_command ip
require_sim

STREAMS=128
ENTRIES=256
PPE=
NFT_TABLE=

cleanup()
{
	ns_cleanup_all
	sim_cleanup_all
}
trap cleanup EXIT

ppe_of_port()
{
	local parent c

	parent=$(readlink -f "/sys/class/net/$1/device") || return 1
	for c in "$parent"/*/; do
		[ "$(basename "$(readlink -f "$c/driver" 2>/dev/null)")" = openppe ] &&
			{ echo "${c%/}"; return 0; }
	done
	return 1
}

ppe_stat()
{
	cat "$PPE/$1"
}

setup()
{
	local p0 p1

	sim_new SIM 2 "$ENTRIES" || exit "$ksft_fail"
	p0=$(sim_port "$SIM" 0)
	p1=$(sim_port "$SIM" 1)
	busywait 5000 ppe_of_port "$p0" >/dev/null
	PPE=$(ppe_of_port "$p0") || {
		echo "KTAP version 1"
		echo "1..0 # SKIP the openppe driver did not bind the new engine"
		exit "$ksft_skip"
	}
	ns_create R H0 H1 || exit "$ksft_fail"
	ip link set "$p0" netns "$R"
	ip link set "$p1" netns "$R"
	ip link set "$(sim_wire "$SIM" 0)" netns "$H0"
	ip link set "$(sim_wire "$SIM" 1)" netns "$H1"
	ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1
	ip -netns "$R" addr add 10.88.0.1/24 dev "$p0"
	ip -netns "$R" addr add 10.88.1.1/24 dev "$p1"
	ip -netns "$R" link set "$p0" up
	ip -netns "$R" link set "$p1" up
	ip -netns "$H0" addr add 10.88.0.2/24 dev "$(sim_wire "$SIM" 0)"
	ip -netns "$H0" link set "$(sim_wire "$SIM" 0)" up
	ip -netns "$H0" route add default via 10.88.0.1
	ip -netns "$H1" addr add 10.88.1.2/24 dev "$(sim_wire "$SIM" 1)"
	ip -netns "$H1" link set "$(sim_wire "$SIM" 1)" up
	ip -netns "$H1" route add default via 10.88.1.1

	NFT_TABLE=$(rand_name ppe | tr - _)
	ip netns exec "$R" nft -f - <<-EOF || exit "$ksft_fail"
	table inet $NFT_TABLE {
		flowtable ft {
			hook ingress priority 0
			devices = { $p0, $p1 }
			flags offload
		}
		chain forward {
			type filter hook forward priority 0; policy accept;
			meta l4proto { tcp, udp } flow add @ft
		}
	}
	EOF
}

iperf_listening()
{
	ip netns exec "$H1" ss -ltn 2>/dev/null | grep -q ':5201 '
}

entries_full()
{
	[ "$(ppe_stat entries_used)" -ge $((ENTRIES * 9 / 10)) ]
}

fill_table()
{
	local pid hits0

	RET=0
	[ "$(ppe_stat table_size)" -eq "$ENTRIES" ]
	check_err $? "table_size is $(ppe_stat table_size), expected $ENTRIES"
	hits0=$(ppe_stat engine_hits)
	ip netns exec "$H1" iperf3 -s -D -1 >/dev/null 2>&1
	busywait 5000 iperf_listening
	check_err $? "iperf3 server did not start"
	ip netns exec "$H0" iperf3 -c 10.88.1.2 -u -b 40K -P "$STREAMS" -t 20 \
		>/dev/null 2>&1 &
	pid=$!
	busywait 20000 entries_full
	check_err $? "entries_used reached only $(ppe_stat entries_used) of $ENTRIES"
	busywait 10000 sh -c "[ \$(cat $PPE/refused_table_full) -gt 0 ]"
	check_err $? "no flow was refused for a full table"
	wait "$pid"
	check_err $? "iperf3 with $STREAMS UDP streams failed"
	[ "$(ppe_stat engine_hits)" -gt "$hits0" ]
	check_err $? "the engine forwarded nothing"
	[ "$(ppe_stat engine_punt_bad_entry)" -eq 0 ]
	check_err $? "the engine met unusable entries"
	[ "$(ppe_stat degraded)" -eq 0 ]
	check_err $? "the engine went into the fail-safe state"
	log_info "entries_used $(ppe_stat entries_used)/$ENTRIES, relocations $(ppe_stat relocations), refused_table_full $(ppe_stat refused_table_full), installs $(ppe_stat installs), engine_hits $(ppe_stat engine_hits)"
	log_test "$STREAMS UDP streams on a $ENTRIES-entry table: full, relocated, refused, no loss"
}

teardown_table()
{
	RET=0
	ip netns exec "$R" nft delete table inet "$NFT_TABLE"
	check_err $? "cannot delete the flowtable"
	busywait 10000 sh -c "[ \$(cat $PPE/entries_used) -eq 0 ]"
	check_err $? "entries_used is $(ppe_stat entries_used) after the flowtable was deleted"
	[ "$(ppe_stat flows_offloaded)" -eq 0 ]
	check_err $? "flows_offloaded is $(ppe_stat flows_offloaded)"
	sim_del "$SIM"
	check_err $? "cannot delete the engine instance"
	log_test "flowtable and engine deleted with a full table"
}

setup
run_tests
