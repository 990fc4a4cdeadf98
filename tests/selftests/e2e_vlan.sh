#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# VLAN encapsulations offloaded end to end. lan1 hosts are masqueraded out of
# an 802.1Q sub-interface of wan (wan.100) whose far end, the wan host,
# terminates the VLAN. A TCP file (sha256 compared) and a UDP ping-pong with
# exact counts cross the router: each flow becomes [HW_OFFLOAD] with two bound
# entries whose key and push fields carry the tags; the hosts' wires see every
# frame of the flows with exactly the expected tags; per direction, packets
# forwarded by the engine + packets that reached the CPU = packets sent, the
# engine's port counters (ethtool -S fwd_*) grew by the same packets and by
# exactly the tag bytes pushed or popped; once bound, no packet of a flow
# reaches the CPU. The same with lan1 in a VLAN-filtering bridge (VLAN 10
# untagged on lan1, router on the bridge's VLAN device; VLAN 20 tagged on
# lan1) and with two 802.1Q tags (wan.100.200). 802.1ad (S-tag) + 802.1Q
# cannot be expressed by nf_flow_table 6.1's flow_rule (qinq_8021ad): the
# test tries it, checks that the driver refused it and the CPU delivered
# every datagram, and reports it skipped with the refusal it saw.
# (nf_flow_table's flow timeouts are raised to 600 s meanwhile: a slow guest
# must not lose a flow between two steps.)
# vm-timeout: 900

ALL_TESTS="vlan_wan vlan_bridge_untagged vlan_bridge_tagged qinq_8021q qinq_8021ad"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/router.lib"
source "$(dirname "$0")/encap.lib"

require_command nft
require_command conntrack
require_command nc
require_command ethtool
require_command bridge
router_require

BR=
WAN_DEV=

cleanup()
{
	encap_cleanup
}
trap cleanup EXIT

# wan_setup SPEC: router and wan host for WAN encapsulation SPEC; sets
# WAN_DEV, the router's L3 device on the wan side
wan_setup()
{
	case $1 in
	vlan)
		encap_link_add wan.100 link wan type vlan id 100 &&
			encap_host_link_add "$HW" hv100 link wan-wire type vlan id 100 &&
			router_port_addr wan.100 0 && router_host_addr "$HW" hv100 0 &&
			encap_set WAN vlan:100 && WAN_DEV=wan.100 ;;
	qinq)
		encap_link_add wan.100 link wan type vlan id 100 &&
			encap_link_add wan.100.200 link wan.100 type vlan id 200 &&
			encap_host_link_add "$HW" hv100 link wan-wire type vlan id 100 &&
			encap_host_link_add "$HW" hv100.200 link hv100 type vlan id 200 &&
			router_port_addr wan.100.200 0 && router_host_addr "$HW" hv100.200 0 &&
			encap_set WAN qinq:0x8100:100:200 && WAN_DEV=wan.100.200 &&
			WAN_SWAPPED="@ll,96,16 0x8100 @ll,116,12 200 @ll,128,16 0x8100" &&
			WAN_SWAPPED+=" @nh,4,12 100 @nh,16,16 0x0800 @nh,104,8 17" ;;
	qinq_ad)
		encap_link_add wan.300 link wan type vlan proto 802.1ad id 300 &&
			encap_link_add wan.300.100 link wan.300 type vlan id 100 &&
			encap_host_link_add "$HW" hs300 link wan-wire \
				type vlan proto 802.1ad id 300 &&

			encap_host_link_add "$HW" hs300.100 link hs300 type vlan id 100 &&
			router_port_addr wan.300.100 0 && router_host_addr "$HW" hs300.100 0 &&
			encap_set WAN qinq:0x88a8:300:100 && WAN_DEV=wan.300.100 ;;
	esac
}

# lan_setup SPEC: router and lan host for the lan side
lan_setup()
{
	case $1 in
	plain)
		router_port_addr lan1 1 && router_host_addr "$HL" lan1-wire 1 &&
			encap_set LAN none ;;
	br_untagged)
		# VLAN 10 untagged (pvid) on lan1, the router's address on the
		# bridge's VLAN 10 device
		BR=$(rand_name brv)
		encap_link_add "$BR" type bridge vlan_filtering 1 &&
			ip link set lan1 master "$BR" &&
			bridge vlan add dev lan1 vid 10 pvid untagged &&
			bridge vlan del dev lan1 vid 1 &&
			bridge vlan add dev "$BR" vid 10 self &&
			encap_link_add "$BR.10" link "$BR" type vlan id 10 &&
			router_port_addr "$BR.10" 1 && router_host_addr "$HL" lan1-wire 1 &&
			encap_set LAN none || return 1
		# a switch that filters the bridge's VLANs (DSA board) sends
		# lan1's frames to the CPU with the PVID's tag
		if grep -q '^lan1-wire filtering 1 ' \
			"$(sim_dfs_of_port lan1)/switch_vlans" 2>/dev/null; then
			encap_cpu_tagged LAN 10
		fi ;;
	br_tagged)
		# VLAN 20 tagged on lan1, the router on the bridge's VLAN 20
		BR=$(rand_name brv)
		encap_link_add "$BR" type bridge vlan_filtering 1 &&
			ip link set lan1 master "$BR" &&
			bridge vlan add dev lan1 vid 20 &&
			bridge vlan del dev lan1 vid 1 &&
			bridge vlan add dev "$BR" vid 20 self &&
			encap_link_add "$BR.20" link "$BR" type vlan id 20 &&
			encap_host_link_add "$HL" hl20 link lan1-wire type vlan id 20 &&
			router_port_addr "$BR.20" 1 && router_host_addr "$HL" hl20 1 &&
			encap_set LAN vlan:20 ;;
	esac
}

# set up WAN and LAN, load the ruleset (masquerade out of the wan-side L3
# device), check the path; fails with a message in RET
subtest_setup()
{
	WAN_DEV=
	WAN_SWAPPED=
	WAN_MTU=1500
	encap_dmesg_mark
	wan_setup "$1"
	check_err $? "cannot set up the wan side ($1)"
	lan_setup "$2"
	check_err $? "cannot set up the lan side ($2)"
	router_nft_load -m "$WAN_DEV" -c "wan lan1"
	check_err $? "cannot load the ruleset"
	ip netns exec "$HL" ping -q -c 1 -W 5 "$HOST_WAN" >/dev/null
	check_err $? "no ping from the lan host to the wan host through $WAN_DEV"
	log_info "wan: $WAN_DEV ($WAN_DESC on the wire), lan:" \
		"${BR:+$BR VLAN-filtering bridge, }$LAN_DESC on lan1;" \
		"entries_used before $(router_ppe_stat entries_used)"
}

subtest_teardown()
{
	log_info "entries_used after: $(router_ppe_stat entries_used); $(encap_elapsed) s"
	router_nft_del
	encap_wire_del
	encap_links_del
	BR=
	ip addr flush dev wan 2>/dev/null
	ip addr flush dev lan1 2>/dev/null
	ip link set lan1 up 2>/dev/null
	ip -netns "$HW" addr flush dev wan-wire 2>/dev/null
	ip -netns "$HL" addr flush dev lan1-wire 2>/dev/null
	return 0
}

# --- the sub-tests ---------------------------------------------------------

vlan_wan()
{
	RET=0
	subtest_setup vlan plain
	[ "$RET" -eq 0 ] && encap_flows 5400 hw
	subtest_teardown
	log_test "802.1Q wan (wan.100): flows offloaded, the engine pushes and pops tag 100"
}

vlan_bridge_untagged()
{
	RET=0
	subtest_setup vlan br_untagged
	[ "$RET" -eq 0 ] && encap_flows 5410 hw
	subtest_teardown
	log_test "lan1 untagged in a VLAN-filtering bridge (pvid 10," \
		"router on the bridge's VLAN 10): offloaded"
}

vlan_bridge_tagged()
{
	RET=0
	subtest_setup vlan br_tagged
	[ "$RET" -eq 0 ] && encap_flows 5420 hw
	subtest_teardown
	log_test "lan1 tagged 20 in a VLAN-filtering bridge: offloaded," \
		"the engine swaps tag 20 and tag 100"
}

# Two 802.1Q tags: nf_flow_table offers them (VLAN + CVLAN match, two pops,
# two pushes); the engine takes two tags, VID0 the outer one (hardware.md).
# dev_fill_forward_path() walks wan.100.200 -> wan.100 -> wan (inner tag
# first) and flow_offload_fill_route() (nf_flow_table_core.c) reverses that
# list, so a tuple's encapsulations are outermost first: the VLAN key and the
# first VLAN_PUSH are tag 100, CVLAN and the second push tag 200. Frames the
# engine sends the wan host with the tags swapped are counted
# (rx_udp_swapped).
qinq_8021q()
{
	RET=0
	subtest_setup qinq plain
	[ "$RET" -eq 0 ] && encap_flows 5430 hw
	subtest_teardown
	log_test "802.1Q in 802.1Q wan (wan.100.200): offloaded with the tags in wire order"
}

# 802.1ad outside 802.1Q. nf_flow_table 6.1 cannot describe the S-tag to a
# driver: nf_flow_rule_match() (nf_flow_table_offload.c) adds a VLAN/CVLAN
# key only for encapsulations with proto ETH_P_8021Q, and
# nf_flow_rule_route_common() pops only ETH_P_8021Q and, for the push side,
# fills in only ETH_P_8021Q and ETH_P_PPP_SES entries: the 802.1ad tag leaves
# an action entry zeroed (id 0, FLOW_ACTION_ACCEPT), which the driver refuses
# ("action not supported"). The reverse direction is offered matching only
# the C-tag, which no double-tagged frame has. So the flow stays with the CPU:
# checked (refused, the engine forwards nothing, the CPU every datagram),
# then reported skipped with the refusals seen.
qinq_8021ad()
{
	local why

	RET=0
	subtest_setup qinq_ad plain
	[ "$RET" -eq 0 ] && encap_flows 5440 sw
	why=$(encap_refusals)
	subtest_teardown
	skip_test "802.1ad S-tag not offloadable by nf_flow_table (6.1 to 7.3):" \
		"the driver refused the flow (${why% })," \
		"nf_flow_rule_match()/nf_flow_rule_route_common() express only 802.1Q and PPPoE" \
		"encapsulations (the S-tag becomes a zeroed action and no key);" \
		"all $((UDP_N1 + UDP_N2)) datagrams each way went through the CPU"
	log_test "802.1ad + 802.1Q wan (wan.300.100): offloaded"
}

encap_setup
run_tests
