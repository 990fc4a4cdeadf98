#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# openppe_sim ports over the CPU path: every port pair, both directions, with
# the CPU-side and wire netdev counters agreeing frame for frame.
#
# A run-time instance with four ports; its CPU-side ports live in a router
# namespace (routed, one /24 per port), each wire peer in its own host
# namespace. No PPE binding is needed: every frame reaches the router's stack.

ALL_TESTS="ports_exist ping_all_pairs udp_all_pairs counters_agree ethtool_stats port_config"
ALL_TESTS+=" link_follows_both_ends dt_instance"
NPORTS=4
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sim.lib"

require_command ip
require_command ping
require_command nc.openbsd
require_command ethtool
require_sim

cleanup()
{
	ns_cleanup_all
	sim_cleanup_all
}
trap cleanup EXIT

setup()
{
	local n

	sim_new SIM "$NPORTS" || exit "$ksft_fail"
	ns_create R || exit "$ksft_fail"
	ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$R" sysctl -qw net.ipv6.conf.all.forwarding=1
	for n in $(seq 0 $((NPORTS - 1))); do
		ns_create "H$n" || exit "$ksft_fail"
		local h=H$n
		h=${!h}
		HOSTS[n]=$h
		ip link set "$(sim_port "$SIM" "$n")" netns "$R"
		ip link set "$(sim_wire "$SIM" "$n")" netns "$h"
		ip -netns "$R" addr add "10.9.$n.1/24" dev "$(sim_port "$SIM" "$n")"
		ip -netns "$R" addr add "2001:db8:9:$n::1/64" dev "$(sim_port "$SIM" "$n")" nodad
		ip -netns "$R" link set "$(sim_port "$SIM" "$n")" up
		ip -netns "$h" addr add "10.9.$n.2/24" dev "$(sim_wire "$SIM" "$n")"
		ip -netns "$h" addr add "2001:db8:9:$n::2/64" dev "$(sim_wire "$SIM" "$n")" nodad
		ip -netns "$h" link set "$(sim_wire "$SIM" "$n")" up
		ip -netns "$h" route add default via "10.9.$n.1"
		ip -netns "$h" -6 route add default via "2001:db8:9:$n::1"
	done
}

ports_exist()
{
	local n

	RET=0
	for n in $(seq 0 $((NPORTS - 1))); do
		ip -netns "$R" link show "$(sim_port "$SIM" "$n")" >/dev/null
		check_err $? "no CPU-side port $n"
		ip -netns "${HOSTS[n]}" link show "$(sim_wire "$SIM" "$n")" >/dev/null
		check_err $? "no wire peer of port $n"
	done
	[ -d "$(sim_dfs "$SIM")" ]
	check_err $? "no debugfs directory $(sim_dfs "$SIM")"
	log_test "instance $SIM: $NPORTS port pairs and debugfs"
}

ping_all_pairs()
{
	local a b

	RET=0
	for a in $(seq 0 $((NPORTS - 1))); do
		for b in $(seq 0 $((NPORTS - 1))); do
			[ "$a" = "$b" ] && continue
			ip netns exec "${HOSTS[a]}" ping -q -c 1 -W 5 "10.9.$b.2" >/dev/null
			check_err $? "IPv4 ping from port $a to port $b failed"
			ip netns exec "${HOSTS[a]}" ping -6 -q -c 1 -W 5 "2001:db8:9:$b::2" \
				>/dev/null
			check_err $? "IPv6 ping from port $a to port $b failed"
		done
	done
	log_test "ping (IPv4, IPv6) between every port pair, both directions"
}

udp_all_pairs()
{
	local a b got

	RET=0
	for a in $(seq 0 $((NPORTS - 1))); do
		for b in $(seq 0 $((NPORTS - 1))); do
			[ "$a" = "$b" ] && continue
			rm -f "/tmp/udp.$SIM"
			ip netns exec "${HOSTS[b]}" timeout 30 nc.openbsd -u -l -W 1 -p 5001 \
				>"/tmp/udp.$SIM" &
			local pid=$! try
			busywait 10000 bash -c \
				"ip netns exec ${HOSTS[b]} ss -Hlun | grep -q ':5001 '"
			# UDP may be lost (e.g. while ARP resolves): send until it arrives
			for try in 1 2 3 4 5; do
				ip netns exec "${HOSTS[a]}" \
					bash -c "echo from-$a-to-$b >/dev/udp/10.9.$b.2/5001" \
					2>/dev/null


				busywait 2000 test -s "/tmp/udp.$SIM" && break
			done
			wait "$pid"
			got=$(cat "/tmp/udp.$SIM")
			[ "$got" = "from-$a-to-$b" ]
			check_err $? "UDP datagram from port $a to port $b: got '$got'"
		done
	done
	rm -f "/tmp/udp.$SIM"
	log_test "UDP between every port pair, both directions"
}

# Over the CPU path every frame sent into a wire is received by its CPU-side
# port and every frame the CPU-side port sends is received by the wire peer.
counters_agree()
{
	local n a

	RET=0
	for n in $(seq 0 $((NPORTS - 1))); do
		busywait 10000 sim_counters_agree "$R" "$(sim_port "$SIM" "$n")" \
			"${HOSTS[n]}" "$(sim_wire "$SIM" "$n")"
		check_err $? "port $n: $SIM_COUNTERS"
		a=$(sim_stat "$R" "$(sim_port "$SIM" "$n")" rx_packets)
		[ "$a" -ge $((2 * (NPORTS - 1))) ]
		check_err $? "port $n: only $a frames received"
	done
	log_test "CPU-side and wire counters agree on every port"
}

ethtool_stats()
{
	local p out

	RET=0
	p=$(sim_port "$SIM" 0)
	out=$(ip netns exec "$R" ethtool -S "$p")
	check_err $? "ethtool -S $p failed"
	for s in fwd_rx_packets fwd_tx_packets fwd_drops punt_miss punt_not_router; do
		echo "$out" | grep -q "$s:"
		check_err $? "ethtool -S $p has no $s"
	done
	ip netns exec "$R" ethtool -i "$p" | grep -q "driver: openppe_sim"
	check_err $? "ethtool -i $p does not name openppe_sim"
	log_test "ethtool -S shows the engine's per-port counters"
}

port_config()
{
	local p mac

	RET=0
	p=$(sim_port "$SIM" 1)
	ip -netns "$R" link set "$p" address 02:11:22:33:44:55
	check_err $? "cannot change the MAC of $p"
	mac=$(ip netns exec "$R" cat "/sys/class/net/$p/address")
	[ "$mac" = "02:11:22:33:44:55" ]
	check_err $? "MAC of $p is $mac"
	ip -netns "$R" link set "$p" mtu 1400
	check_err $? "cannot change the MTU of $p"
	ip -netns "$R" link set "$p" mtu 9001 2>/dev/null
	check_fail $? "MTU 9001 accepted on $p"
	ip -netns "$R" neigh flush dev "$p"
	ip netns exec "${HOSTS[0]}" ping -q -c 2 -i 0.2 -W 2 10.9.1.2 >/dev/null
	check_err $? "no ping through $p after the MAC/MTU change"
	ip -netns "$R" link set "$p" mtu 1500
	log_test "CPU-side port: change MAC and MTU"
}

link_follows_both_ends()
{
	local p w h

	RET=0
	p=$(sim_port "$SIM" 2)
	w=$(sim_wire "$SIM" 2)
	h=${HOSTS[2]}
	ip -netns "$h" link set "$w" down
	busywait 2000 bash -c "ip netns exec $R cat /sys/class/net/$p/carrier | grep -qx 0"
	check_err $? "$p carrier stayed up with the wire end down"
	ip -netns "$h" link set "$w" up
	busywait 2000 bash -c "ip netns exec $R cat /sys/class/net/$p/carrier | grep -qx 1"
	check_err $? "$p carrier did not come back"
	busywait 2000 bash -c "ip netns exec $h cat /sys/class/net/$w/carrier | grep -qx 1"
	check_err $? "$w carrier did not come back"
	log_test "link is up only while both ends are up"
}

dt_instance()
{
	local n

	RET=0
	if ! ls /sys/bus/platform/drivers/openppe_sim/ 2>/dev/null | grep -q openppe-sim; then
		check_err 1 "board broken:" \
			"no DT instance (board without dts/qemu-virt-openppe.dtso)"
		log_test "DT instance: wan, lan1..lan3 and wire peers"
		return
	fi
	for n in wan lan1 lan2 lan3; do
		ip link show "$n" >/dev/null 2>&1
		check_err $? "no netdev $n"
		ip link show "$n-wire" >/dev/null 2>&1
		check_err $? "no netdev $n-wire"
	done
	[ -d "$SIM_DEBUGFS/openppe-sim" ]
	check_err $? "no debugfs directory for the DT instance"
	log_test "DT instance: wan, lan1..lan3 and wire peers"
}

declare -a HOSTS
setup
run_tests
