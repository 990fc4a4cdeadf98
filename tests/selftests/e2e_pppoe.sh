#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# PPPoE offloaded end to end. The router is a PPPoE client (pppd with the
# rp-pppoe plugin) on wan against pppoe-server in the wan host's namespace,
# which terminates the session; lan1 hosts are masqueraded out of the ppp
# device. The session comes up through the engine (discovery and LCP/IPCP
# frames are punted to the CPU, nothing is forwarded). A TCP file (sha256
# compared; its data frames as big as the 1492-byte PPPoE MTU allows) and a
# UDP ping-pong with exact counts cross the router: each flow becomes
# [HW_OFFLOAD] with two bound entries, the lan->wan one pushing the session
# id; the wan host's wire sees every frame with the PPPoE session header and
# that id; per direction, packets forwarded by the engine + packets that
# reached the CPU = packets sent, the engine's port counters (ethtool -S
# fwd_*) grew by the same packets and by exactly the 8 PPPoE bytes per frame
# pushed or popped; once bound, no packet of a flow reaches the CPU. The
# same with PPPoE over the 802.1Q sub-interface wan.100. (nf_flow_table's
# flow timeouts are raised to 600 s meanwhile: a slow guest must not lose a
# flow between two steps.)
# vm-timeout: 900

ALL_TESTS="pppoe_session pppoe_flows pppoe_vlan_session pppoe_vlan_flows"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/router.lib"
source "$(dirname "$0")/encap.lib"
source "$(dirname "$0")/pppoe.lib"

require_command nft
require_command conntrack
require_command nc
require_command ethtool
require_command pppd
require_command pppoe-server
router_require

cleanup()
{
	pppoe_cleanup
	encap_cleanup
}
trap cleanup EXIT

setup()
{
	encap_setup
	router_port_addr lan1 1 || exit "$ksft_fail"
	router_host_addr "$HL" lan1-wire 1 || exit "$ksft_fail"
	pppoe_setup || exit "$ksft_fail"
}

# --- the sub-tests ---------------------------------------------------------

pppoe_session()
{
	RET=0
	pppoe_session_test wan wan-wire
	log_test "PPPoE session on wan up through the engine (control frames punted to the CPU)"
}

pppoe_flows()
{
	RET=0
	pppoe_flows_test pppoe 5500
	log_test "PPPoE on wan: flows offloaded, the engine pushes and strips the session header"
}

pppoe_vlan_session()
{
	RET=0
	pppoe_down
	encap_link_add wan.100 link wan type vlan id 100 &&
		encap_host_link_add "$HW" hv100 link wan-wire type vlan id 100
	check_err $? "cannot create wan.100 / the wan host's VLAN 100"
	[ "$RET" -eq 0 ] && pppoe_session_test wan.100 hv100
	log_test "PPPoE session over wan.100 up through the engine"
}

# The lan->wan direction's actions come from the reply tuple's
# encapsulations, which flow_offload_fill_route() (nf_flow_table_core.c)
# stores outermost first: VLAN_PUSH 100, then PPPOE_PUSH; the engine puts the
# session header inside the tag whatever the order.
pppoe_vlan_flows()
{
	RET=0
	pppoe_flows_test pppoevlan:100 5510
	log_test "PPPoE over wan.100: flows offloaded," \
		"the engine pushes and strips tag 100 + session header"
}

setup
run_tests
