#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Offload beyond IPv4 masquerade, counted packet by packet:
#  dnat_port_forward  wan host -> router wan:8080, forwarded to lan1 host:5201
#  ipv4_route         lan1 host -> lan2 host, no NAT
#  ipv6_route         lan1 host -> wan host, no NAT
#  ipv6_masquerade    lan1 host -> wan host, masqueraded to the router's address
# Each is a UDP flow sent by iperf3 in two runs from one source port: the
# first (10 datagrams) gets it [HW_OFFLOAD] with exactly one bound entry per
# direction of the expected type (ipv4_napt, ipv4_route, ipv6_route,
# ipv6_napt) and translation; the second (2000 datagrams) must then pass
# without a packet reaching the CPU or the forward chain, engine_hits and the
# ports' fwd_rx_packets growing by exactly what the engine forwarded (its own
# entries plus the iperf3 control connection, counted separately). Over the
# flow's life, per direction, packets forwarded by the engine + packets that
# reached the CPU = packets that arrived at the receiving host (packets and
# bytes) = conntrack's counters; every datagram sent arrived; the server sees
# the expected peer address and port.
#
# Where things are counted: "arrived" in the receiving host's netdev ingress
# hook (frames as they came off the wire), "sent" in the sender's output
# hook, the engine in the debugfs table entries, the CPU in a netdev ingress
# chain on the router's ports (router_cpu_rule), conntrack after making
# nf_flow_table fetch the engine's counters (router_flow_sync).
# vm-timeout: 900

ALL_TESTS="dnat_port_forward ipv4_route ipv6_route ipv6_masquerade"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/router.lib"

require_command nft
require_command conntrack
require_command iperf3
require_command ethtool
router_require

trap router_accounting_cleanup EXIT

setup()
{
	router_init
	router_accounting_init || exit "$ksft_fail"
	router_host HW wan 0 || exit "$ksft_fail"
	router_host HL lan1 1 || exit "$ksft_fail"
	router_host HL2 lan2 2 || exit "$ksft_fail"
	# resolve every neighbour the flows need before counting
	ip netns exec "$HL" ping -q -c 1 -W 5 "$(router_ip4 0 h)" >/dev/null &&
	ip netns exec "$HL" ping -q -c 1 -W 5 "$(router_ip4 2 h)" >/dev/null &&
	ip netns exec "$HL" ping -6 -q -c 1 -W 5 "$(router_ip6 0 h)" >/dev/null ||
		exit "$ksft_fail"
}

# a port forward: the wan host reaches the lan1 host's port 5201 at the
# router's wan address, port 8080 (UDP for the flow, TCP for iperf3's control)
dnat_port_forward()
{
	RET=0
	router_nft_load -d "wan lan1" -c "wan lan1" \
		-D wan udp 8080 "$(router_ip4 1 h):5201" \
		-D wan tcp 8080 "$(router_ip4 1 h):5201"
	check_err $? "cannot load the ruleset"
	udp_flow dnat ipv4_napt "$HW wan-wire wan" "$HL lan1-wire lan1" \
		"$(router_ip4 0 h) 41001" "$(router_ip4 0 r) 8080" \
		"$(router_ip4 1 h) 5201" "$(router_ip4 0 h)"
	log_test "DNAT wan:8080 -> lan1 host:5201: ipv4_napt, 0 to the CPU after bind," \
		"exact counters"
}

ipv4_route()
{
	RET=0
	router_nft_load -d "lan1 lan2" -c "lan1 lan2"
	check_err $? "cannot load the ruleset"
	udp_flow route4 ipv4_route "$HL lan1-wire lan1" "$HL2 lan2-wire lan2" \
		"$(router_ip4 1 h) 41002" "$(router_ip4 2 h) 5201" \
		"$(router_ip4 2 h) 5201" "$(router_ip4 1 h)"
	log_test "IPv4 routing lan1 -> lan2: ipv4_route, 0 to the CPU after bind, exact counters"
}

ipv6_route()
{
	RET=0
	router_nft_load -d "wan lan1" -c "wan lan1"
	check_err $? "cannot load the ruleset"
	udp_flow route6 ipv6_route "$HL lan1-wire lan1" "$HW wan-wire wan" \
		"$(router_ip6 1 h) 41003" "$(router_ip6 0 h) 5201" \
		"$(router_ip6 0 h) 5201" "$(router_ip6 1 h)"
	log_test "IPv6 routing lan1 -> wan: ipv6_route, 0 to the CPU after bind, exact counters"
}

ipv6_masquerade()
{
	RET=0
	router_nft_load -d "wan lan1" -c "wan lan1" -M wan
	check_err $? "cannot load the ruleset"
	udp_flow nat6 ipv6_napt "$HL lan1-wire lan1" "$HW wan-wire wan" \
		"$(router_ip6 1 h) 41004" "$(router_ip6 0 h) 5201" \
		"$(router_ip6 0 h) 5201" "$(router_ip6 0 r)"
	log_test "IPv6 masquerade lan1 -> wan: ipv6_napt, 0 to the CPU after bind, exact counters"
}

setup
run_tests
