#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# openppe object lifetimes on the board: the driver unbinds under offloaded
# traffic, which falls back to the CPU; the flowtable still bound to the dead
# PPE is deleted cleanly (its flow block and PPE reference released); the
# re-bound driver offloads again through the same ports; an 802.1Q flow is
# forwarded by the engine with the tag the hosts expect. (QinQ is left out:
# nf_flow_table 6.1 does not take such flows here even in software.)
#
# The dead-PPE unbind needs a host driver that forwards FLOW_BLOCK_UNBIND to
# its old handle even when openppe_alive() is false (include/linux/openppe.h).
# OPENPPE_TEST_DEAD_UNBIND=0 deletes the flowtable before the unbind instead.

ALL_TESTS="offload_before flowtable_delete_flushes unbind_under_traffic rebind_offloads"
ALL_TESTS+=" vlan_offload"

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/board.lib"

require_command nft
require_command conntrack
require_command iperf3
require_command ip

PPE_NAME=

cleanup()
{
	board_cleanup
	# a PPE the test left unbound is bound again
	[ -n "$PPE_NAME" ] && [ ! -e "/sys/bus/platform/drivers/openppe/$PPE_NAME" ] &&
		echo "$PPE_NAME" >/sys/bus/platform/drivers/openppe/bind 2>/dev/null
	ip link del "$WAN.100" 2>/dev/null
}
trap cleanup EXIT

board_require
PPE=$(ppe_of_port "$WAN") || board_fail "no openppe device bound for $WAN"
PPE_NAME=$(basename "$PPE")
PPE=/sys/bus/platform/devices/$PPE_NAME

setup()
{
	board_hosts || exit "$ksft_fail"
	board_nft "$WAN" || exit "$ksft_fail"
	# every refusal's reason in the log
	echo 'module openppe +p' >/sys/kernel/debug/dynamic_debug/control 2>/dev/null
}

sw_offloaded()
{
	conntrack -L -p udp --dport 5201 2>/dev/null | grep -q OFFLOAD
}

hw_offloaded()
{
	conntrack -L -p udp --dport 5201 2>/dev/null | grep -q HW_OFFLOAD
}

# stream_forwarded DST: the engine forwards the iperf3 stream itself, a bound
# entry of the stream's client -> server direction (UDP to DST port 5201)
# with packets on its counter (engine_hits alone would count any flow's
# frames, an earlier stream's included)
stream_forwarded()
{
	grep -qE ": bound .* proto 17 [^ ]+ -> ${1//./\\.}:5201 .* packets [1-9]" \
		"/sys/kernel/debug/openppe/$PPE_NAME/table"
}

# start a UDP stream from the lan host to DST for SECS seconds
udp_start()
{
	ip netns exec "$HW" iperf3 -s -D -1 >/dev/null 2>&1
	busywait 30000 iperf_listening || return 1
	ip netns exec "$HL" iperf3 -c "$1" -u -b 10M -t "$2" >/dev/null 2>&1 &
	IPERF_PID=$!
}

udp_wait()
{
	local rc

	wait "$IPERF_PID"
	rc=$?
	IPERF_PID=
	return "$rc"
}

offload_before()
{
	RET=0
	udp_start 192.0.2.2 12
	check_err $? "iperf3 server did not start"
	busywait 30000 hw_offloaded
	check_err $? "UDP flow never [HW_OFFLOAD]"
	busywait 30000 stream_forwarded 192.0.2.2
	check_err $? "engine does not forward the flow"
	log_test "UDP flow offloaded before the unbind"
}

flowtable_delete_flushes()
{
	RET=0
	if [ "${OPENPPE_TEST_DEAD_UNBIND:-1}" = 1 ]; then
		skip_test "the flowtable is deleted after the unbind instead"
	else
		nft delete table inet "$NFT_TABLE"
		check_err $? "cannot delete the flowtable"
		busywait 30000 sh -c "[ \$(cat $PPE/flows_offloaded) -eq 0 ]"
		check_err $? "flows_offloaded is $(cat "$PPE/flows_offloaded") after the" \
			"flowtable was deleted"
		[ "$(cat "$PPE/entries_used")" -eq 0 ]
		check_err $? "entries_used is $(cat "$PPE/entries_used")"
	fi
	log_test "deleting the flowtable flushes its offloaded flows"
}

unbind_under_traffic()
{
	RET=0
	echo "$PPE_NAME" >/sys/bus/platform/drivers/openppe/unbind
	check_err $? "unbind failed"
	[ ! -e "/sys/bus/platform/drivers/openppe/$PPE_NAME" ]
	check_err $? "still bound"
	# the stream goes on through the CPU, and completes
	udp_wait
	check_err $? "the UDP stream failed after the unbind"
	if [ "${OPENPPE_TEST_DEAD_UNBIND:-1}" = 1 ]; then
		nft delete table inet "$NFT_TABLE"
		check_err $? "cannot delete the flowtable bound to the unbound PPE"
	fi
	log_test "unbind under traffic: it falls back to the CPU"
}

rebind_offloads()
{
	RET=0
	echo "$PPE_NAME" >/sys/bus/platform/drivers/openppe/bind
	check_err $? "bind failed"
	busywait 30000 test -e "/sys/bus/platform/drivers/openppe/$PPE_NAME"
	check_err $? "not bound again"
	board_nft "$WAN"
	check_err $? "cannot load the flowtable on the re-bound PPE"
	udp_start 192.0.2.2 12
	check_err $? "iperf3 server did not start"
	busywait 30000 hw_offloaded
	check_err $? "UDP flow never [HW_OFFLOAD] after the rebind"
	busywait 30000 stream_forwarded 192.0.2.2
	check_err $? "the re-bound engine does not forward"
	udp_wait
	check_err $? "UDP stream failed"
	log_test "re-bound driver offloads through the same ports"
}

# a tagged wan: router WAN_DEV over wan, the host's matching device on wan-wire
encap_test()
{
	local name=$1 wandev=$2 hostdev=$3 hits ref0

	RET=0
	ip addr flush dev "$WAN"
	ip addr add 198.51.100.1/24 dev "$wandev"
	ip link set "$wandev" up
	ip -netns "$HW" addr add 198.51.100.2/24 dev "$hostdev"
	ip -netns "$HW" link set "$hostdev" up
	board_nft "$wandev"
	check_err $? "cannot load the flowtable"
	hits=$(cat "$PPE/engine_hits")
	ref0=$(cat "$PPE/refused_unsupported")
	udp_start 198.51.100.2 6
	check_err $? "iperf3 server did not start"
	if ! busywait 30000 sw_offloaded; then
		udp_wait
		ip addr flush dev "$wandev"
		skip_test "nf_flow_table does not take the $name flow even in software"
		log_test "$name flow offloaded and forwarded by the engine"
		return
	fi
	busywait 30000 hw_offloaded
	check_err $? "UDP flow over $name never [HW_OFFLOAD]"
	busywait 30000 stream_forwarded 198.51.100.2
	check_err $? "engine does not forward the $name flow"
	udp_wait
	check_err $? "UDP stream over $name failed"
	[ "$(cat "$PPE/refused_unsupported")" -eq "$ref0" ]
	check_err $? "flows were refused as unsupported"
	[ "$(cat "$PPE/engine_punt_bad_entry")" -eq 0 ]
	check_err $? "the engine met unusable entries"
	log_info "$name: engine_hits $hits -> $(cat "$PPE/engine_hits")," \
		"refused_unsupported $(cat "$PPE/refused_unsupported")"
	dmesg | grep 'flow refused' | sort | uniq -c | sed 's/^/# /'
	[ "$RET" -eq 0 ] || {
		conntrack -L 2>/dev/null | sed 's/^/# /'
		sed 's/^/# /' "/sys/kernel/debug/openppe/$PPE_NAME/table"
	}
	ip addr flush dev "$wandev"
	log_test "$name flow offloaded and forwarded by the engine"
}

vlan_offload()
{
	ip link add link "$WAN" name "$WAN.100" type vlan id 100
	ip -netns "$HW" link add link "$WAN-wire" name w.100 type vlan id 100
	encap_test "802.1Q" "$WAN.100" w.100
}

setup
run_tests
