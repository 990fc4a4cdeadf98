#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The OpenWrt default LAN offloaded end to end: br-lan, a bridge over lan1,
# lan2 and lan3 whose MAC address is none of its ports' (as with several
# ports, or with "option macaddr" on br-lan), holds the router's LAN address;
# lan hosts are masqueraded out of wan, then out of a PPPoE session on wan.
# LAN hosts address their frames to the bridge's MAC, so the engine must take
# it as the router's on lan1..lan3: the driver puts it in the engine's router
# MAC table (docs/hardware.md 2.10), and keeps it there when it changes.
# A UDP ping-pong and a TCP file cross the router (encap.lib): each flow
# becomes [HW_OFFLOAD] with two bound entries; per direction, packets
# forwarded by the engine + packets that reached the CPU = packets that
# arrived; once bound, no packet of either direction reaches the CPU; the
# file arrives sha256-identical. The bridge's MAC is changed while a UDP flow
# is offloaded (the lan host is told the new address, as ARP would): the
# flow's later packets are still forwarded by the engine, and the table
# holds the new MAC and not the old one.
# (nf_flow_table's flow timeouts are raised to 600 s meanwhile: a slow guest
# must not lose a flow between two steps.)
# vm-timeout: 900

ALL_TESTS="bridge_router_mac bridge_flows bridge_mac_change bridge_pppoe_session bridge_pppoe_flows"
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

BR=$(rand_name brl)
BR_MAC=
LAN_PORTS="lan1 lan2 lan3"
LAN_MASK=0	# the LAN ports' bits, as RMAC_CTRL.PORTS

cleanup()
{
	pppoe_cleanup
	encap_cleanup
}
trap cleanup EXIT

# a locally administered unicast address that no port has
rand_mac()
{
	printf '02:0b:%02x:%02x:%02x:%02x\n' $((RANDOM % 256)) $((RANDOM % 256)) \
		$((RANDOM % 256)) $((RANDOM % 256))
}

# rmac_has MAC MASK: the driver's view of the engine's router MAC table
# (debugfs regs) holds MAC for exactly the ports in MASK
rmac_has()
{
	local mac=${1//:/}

	grep -q " RMAC.* MAC $mac PORTS $(printf '%#x' "$2")\$" "$(router_ppe_dfs)/regs"
}

rmac_lines()
{
	grep ' RMAC' "$(router_ppe_dfs)/regs" | tr '\n' ';'
}

setup()
{
	local p

	encap_setup
	pppoe_setup || exit "$ksft_fail"
	for p in $LAN_PORTS; do
		ip link set "$p" up || exit "$ksft_fail"
		LAN_MASK=$((LAN_MASK | 1 << $(cat "/sys/class/net/$p/dev_port")))
	done
	BR_MAC=$(rand_mac)
	encap_link_add "$BR" type bridge || exit "$ksft_fail"
	for p in $LAN_PORTS; do
		ip link set "$p" master "$BR" || exit "$ksft_fail"
	done
	ip link set "$BR" address "$BR_MAC" || exit "$ksft_fail"
	router_port_addr "$BR" 1 || exit "$ksft_fail"
	router_host_addr "$HL" lan1-wire 1 || exit "$ksft_fail"
	router_port_addr wan 0 || exit "$ksft_fail"
	router_host_addr "$HW" wan-wire 0 || exit "$ksft_fail"
}

# --- the sub-tests ---------------------------------------------------------

# the port's host driver (openppe_sim) attaches its ports to the engine when
# a flowtable first binds on them
bridge_router_mac()
{
	local p mac

	RET=0
	router_nft_load -d "wan $LAN_PORTS" -m wan -c "wan lan1"
	check_err $? "cannot load the ruleset"
	for p in $LAN_PORTS; do
		mac=$(cat "/sys/class/net/$p/address")
		[ "$mac" != "$BR_MAC" ]
		check_err $? "$BR has $p's MAC $mac: the test needs one that is none of its ports'"
	done
	rmac_has "$BR_MAC" "$LAN_MASK"
	check_err $? "the router MAC table lacks $BR_MAC on ports $(printf '%#x' "$LAN_MASK"):" \
		"$(rmac_lines)"
	[ "$(router_ppe_stat router_macs)" -eq 1 ]
	check_err $? "router_macs is $(router_ppe_stat router_macs), one MAC expected:" \
		"$(rmac_lines)"
	log_info "$BR ($BR_MAC) over $LAN_PORTS; router MAC table: $(rmac_lines)"
	log_test "bridge MAC in the engine's router MAC table for every bridged port"
}

# untagged both sides, the flowtable on wan and the bridged ports,
# masquerade out of wan
plain_wan_setup()
{
	encap_dmesg_mark
	encap_set WAN none
	encap_set LAN none
	router_nft_load -d "wan $LAN_PORTS" -m wan -c "wan lan1"
	check_err $? "cannot load the ruleset"
}

bridge_flows()
{
	RET=0
	plain_wan_setup
	ip netns exec "$HL" ping -q -c 1 -W 5 "$HOST_WAN" >/dev/null
	check_err $? "no ping from the lan host to the wan host"
	[ "$RET" -eq 0 ] && encap_flows 5600 hw
	log_info "lan1 punted as not addressed to the router:" \
		"${D[lan1.punt_not_router]} (ARP and other broadcasts)"
	router_nft_del
	encap_wire_del
	log_test "br-lan over lan1..lan3 with its own MAC, masquerade out of wan:" \
		"flows offloaded both ways"
}

# midway through the UDP flow's bound phase: a new bridge MAC, told to the
# lan host
mac_change()
{
	local old=$BR_MAC

	BR_MAC=$(rand_mac)
	ip link set "$BR" address "$BR_MAC" &&
		ip -netns "$HL" neigh replace "$(router_ip4 1 r)" lladdr "$BR_MAC" \
			dev lan1-wire nud permanent
	check_err $? "cannot change $BR's MAC to $BR_MAC"
	busywait 10000 rmac_has "$BR_MAC" "$LAN_MASK"
	check_err $? "the router MAC table did not follow $old -> $BR_MAC: $(rmac_lines)"
	! rmac_has "$old" "$LAN_MASK"
	check_err $? "the router MAC table still holds the old MAC $old: $(rmac_lines)"
	log_info "$BR: $old -> $BR_MAC with the UDP flow offloaded; router MAC table: $(rmac_lines)"
	[ "$RET" -eq 0 ]
}

bridge_mac_change()
{
	RET=0
	plain_wan_setup
	ENCAP_UDP_MIDWAY=mac_change
	[ "$RET" -eq 0 ] && encap_flows 5610 hw
	ENCAP_UDP_MIDWAY=
	router_nft_del
	encap_wire_del
	log_test "br-lan's MAC changed while flows are offloaded: the engine follows," \
		"no packet to the CPU"
}

bridge_pppoe_session()
{
	RET=0
	# the wan port carries the session only
	ip addr flush dev wan
	ip -netns "$HW" addr flush dev wan-wire
	PPPOE_FT_DEVS="wan $LAN_PORTS"
	pppoe_session_test wan wan-wire
	log_test "PPPoE session on wan with br-lan over lan1..lan3"
}

bridge_pppoe_flows()
{
	RET=0
	pppoe_flows_test pppoe 5620
	log_test "br-lan with its own MAC, masquerade out of PPPoE on wan:" \
		"flows offloaded both ways"
}

setup
run_tests
