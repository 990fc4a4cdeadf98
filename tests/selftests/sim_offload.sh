#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# openppe_sim under the openppe driver: an nftables flowtable with
# "flags offload" on two emulated ports moves TCP and UDP flows into the
# engine, routed and with masquerade; the data arrives intact, the engine
# counts the forwarded frames, conntrack marks the flows [HW_OFFLOAD], and the
# ports' interface counters still count every frame. Without a bound PPE
# driver, "flags offload" is refused.

ALL_TESTS="offload_refused_without_driver tcp_routed_offload udp_nat_offload"
ALL_TESTS+=" counters_true_under_offload drop_percent_drops delete_with_flows_bound"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sim.lib"

require_command nft
require_command conntrack
require_command nc.openbsd
require_sim
[ -d /sys/bus/platform/drivers/openppe ] || board_fail "openppe driver not loaded"

cleanup()
{
	ns_cleanup_all
	sim_cleanup_all
	rm -f "/tmp/in.$$" "/tmp/out.$$"
}
trap cleanup EXIT

setup()
{
	local n h

	sim_new SIM 2 || exit "$ksft_fail"
	P0=$(sim_port "$SIM" 0)
	P1=$(sim_port "$SIM" 1)
	ns_create R H0 H1 || exit "$ksft_fail"
	HOSTS=("$H0" "$H1")
	ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1
	for n in 0 1; do
		h=${HOSTS[n]}
		ip link set "$(sim_port "$SIM" "$n")" netns "$R"
		ip link set "$(sim_wire "$SIM" "$n")" netns "$h"
		ip -netns "$R" addr add "10.7.$n.1/24" dev "$(sim_port "$SIM" "$n")"
		ip -netns "$R" link set "$(sim_port "$SIM" "$n")" up
		ip -netns "$h" addr add "10.7.$n.2/24" dev "$(sim_wire "$SIM" "$n")"
		ip -netns "$h" link set "$(sim_wire "$SIM" "$n")" up
		ip -netns "$h" route add default via "10.7.$n.1"
	done
	PPE=$(basename "$(ls -d "$SIM_BUS/devices/openppe_sim$SIM"/openppe.* | head -1)")
	dd if=/dev/urandom of="/tmp/in.$$" bs=1k count=1024 2>/dev/null
}

# an nft ruleset with an offloaded flowtable on both ports (+ masquerade)
nft_load()
{
	local nat=$1

	ip netns exec "$R" nft -f - <<NFT || return 1
flush ruleset
table inet filter {
	flowtable ft {
		hook ingress priority 0
		devices = { $P0, $P1 }
		flags offload
	}
	chain forward {
		type filter hook forward priority 0; policy accept;
		meta l4proto { tcp, udp } flow add @ft
	}
}
NFT
	[ "$nat" = nat ] || return 0
	ip netns exec "$R" nft -f - <<NFT
table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "$P1" masquerade
	}
}
NFT
}

engine_hits()
{
	awk '/CNT_HITS/ { print $3 }' "$(sim_dfs "$SIM")/regs"
}

offload_refused_without_driver()
{
	RET=0
	echo "$PPE" >/sys/bus/platform/drivers/openppe/unbind
	check_err $? "cannot unbind $PPE"
	nft_load route 2>/dev/null
	check_fail $? "flags offload accepted with no PPE driver bound"
	echo "$PPE" >/sys/bus/platform/drivers/openppe/bind
	check_err $? "cannot bind $PPE again"
	ip netns exec "$R" nft flush ruleset
	log_test "flags offload refused while no PPE driver is bound"
}

tcp_transfer()
{
	local pid

	rm -f "/tmp/out.$$"
	ip netns exec "$H1" timeout 60 nc.openbsd -l -p 6000 >"/tmp/out.$$" &
	pid=$!
	busywait 10000 bash -c "ip netns exec $H1 ss -Hltn | grep -q ':6000 '"
	check_err $? "the listener on port 6000 did not come up"
	ip netns exec "$H0" timeout 60 nc.openbsd -N 10.7.1.2 6000 <"/tmp/in.$$"
	wait "$pid"
	cmp -s "/tmp/in.$$" "/tmp/out.$$"
}

tcp_routed_offload()
{
	local before after

	RET=0
	nft_load route
	check_err $? "cannot load the offloaded flowtable"
	before=$(engine_hits)
	tcp_transfer
	check_err $? "TCP transfer corrupted or incomplete"
	after=$(engine_hits)
	[ "$after" -gt "$before" ]
	check_err $? "the engine forwarded no frame (CNT_HITS $before -> $after)"
	log_info "engine forwarded $((after - before)) frames of the TCP transfer"
	ip netns exec "$R" nft flush ruleset
	log_test "TCP, routed: flow moved into the engine, data intact"
}

udp_nat_offload()
{
	local before after pid got

	RET=0
	ip netns exec "$R" conntrack -F 2>/dev/null
	nft_load nat
	check_err $? "cannot load the offloaded flowtable with masquerade"
	before=$(engine_hits)
	# The server answers once a second, so conntrack sees both directions
	# and the flowtable takes the flow; the client sends from one socket
	# (bash's /dev/udp) until the flow is offloaded, then 200 datagrams.
	(while :; do echo ack; sleep 1; done) |
		ip netns exec "$H1" timeout 60 nc.openbsd -u -l -p 6001 >"/tmp/out.$$" &
	pid=$!
	busywait 10000 bash -c "ip netns exec $H1 ss -Hlun | grep -q ':6001 '"
	check_err $? "the listener on port 6001 did not come up"
	ip netns exec "$H0" bash -c "
		exec 3>/dev/udp/10.7.1.2/6001
		for t in \$(seq 1 100); do
			echo warmup >&3
			ip netns exec $R conntrack -L 2>/dev/null |
				grep -q 'dport=6001.*\[HW_OFFLOAD\]' && break
			sleep 0.2
		done
		for i in \$(seq 1 200); do
			echo \"line \$i\" >&3
			[ \$((i % 20)) -eq 0 ] && sleep 0.1
		done
		sleep 1"
	ip netns exec "$R" conntrack -L 2>/dev/null | grep -q 'dport=6001.*\[HW_OFFLOAD\]'
	check_err $? "conntrack does not show the UDP flow offloaded"
	busywait 5000 bash -c "[ \$(grep -c '^line ' /tmp/out.$$) -ge 200 ]"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	got=$(grep -c '^line ' "/tmp/out.$$")
	[ "$got" -eq 200 ]
	check_err $? "$got of 200 datagrams arrived"
	after=$(engine_hits)
	[ $((after - before)) -ge 200 ]
	check_err $? "the engine forwarded only $((after - before)) frames (CNT_HITS)"
	log_info "engine forwarded $((after - before)) frames (NAPT), $got of 200 datagrams arrived"
	ip netns exec "$R" nft flush ruleset
	log_test "UDP with masquerade: NAPT in the engine, every datagram delivered"
}

counters_true_under_offload()
{
	local n fwd

	RET=0
	fwd=$(awk '/^fwd_rx_packets/ { print $2 }' "$(sim_dfs "$SIM")/ports/0/counters")
	[ "${fwd:-0}" -gt 0 ]
	check_err $? "port 0 shows no engine-forwarded frames"
	for n in 0 1; do
		busywait 10000 sim_counters_agree "$R" "$(sim_port "$SIM" "$n")" \
			"${HOSTS[n]}" "$(sim_wire "$SIM" "$n")"
		check_err $? "port $n: $SIM_COUNTERS"
	done
	log_info "engine: $(grep -E 'CNT_(HITS|DROPS|LOOKUPS)' "$(sim_dfs "$SIM")/regs" |
		awk '{ printf "%s=%s ", $2, $3 }')"
	log_test "interface counters include engine-forwarded frames"
}

# drop_percent=100: every frame of an offloaded flow is dropped by the engine,
# counted in CNT_DROPS and as rx_dropped of the ingress CPU-side port
drop_percent_drops()
{
	local pid d drops0 drops1 rxd

	RET=0
	d=$(sim_dfs "$SIM")
	ip netns exec "$R" conntrack -F 2>/dev/null
	nft_load route
	check_err $? "cannot load the offloaded flowtable"
	(while :; do echo ack; sleep 1; done) |
		ip netns exec "$H1" timeout 60 nc.openbsd -u -l -p 6002 >"/tmp/out.$$" &
	pid=$!
	busywait 10000 bash -c "ip netns exec $H1 ss -Hlun | grep -q ':6002 '"
	check_err $? "the listener on port 6002 did not come up"
	drops0=$(awk '/CNT_DROPS/ { print $3 }' "$d/regs")
	# debugfs is not visible inside "ip netns exec": the client signals
	# through files in /tmp when the knob must be set and cleared
	rm -f "/tmp/ready.$$" "/tmp/go.$$" "/tmp/done.$$"
	ip netns exec "$H0" bash -c "
		exec 3>/dev/udp/10.7.1.2/6002
		for t in \$(seq 1 100); do
			echo warmup >&3
			ip netns exec $R conntrack -L 2>/dev/null |
				grep -q 'dport=6002.*\[HW_OFFLOAD\]' && break
			sleep 0.2
		done
		sleep 0.5
		touch /tmp/ready.$$
		for t in \$(seq 1 100); do [ -e /tmp/go.$$ ] && break; sleep 0.1; done
		for i in \$(seq 1 50); do echo \"drop \$i\" >&3; done
		touch /tmp/done.$$" &
	local cpid=$!
	busywait 30000 test -e "/tmp/ready.$$"
	ip netns exec "$R" conntrack -L 2>/dev/null | grep -q 'dport=6002.*\[HW_OFFLOAD\]'
	check_err $? "the client's flow is not [HW_OFFLOAD]"
	echo 100 >"$d/drop_percent"
	touch "/tmp/go.$$"
	busywait 10000 test -e "/tmp/done.$$"
	echo 0 >"$d/drop_percent"
	wait "$cpid"
	rm -f "/tmp/ready.$$" "/tmp/go.$$" "/tmp/done.$$"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	drops1=$(awk '/CNT_DROPS/ { print $3 }' "$d/regs")
	# the 50 datagrams, plus the server's acks sent in the same window
	[ $((drops1 - drops0)) -ge 50 ] && [ $((drops1 - drops0)) -le 60 ]
	check_err $? "CNT_DROPS grew by $((drops1 - drops0)), not 50 (+ a few acks)"
	! grep -q '^drop ' "/tmp/out.$$"
	check_err $? "$(grep -c '^drop ' "/tmp/out.$$") dropped datagrams arrived"
	rxd=$(sim_stat "$R" "$P0" rx_dropped)
	[ "$rxd" -ge 50 ]
	check_err $? "$P0 rx_dropped is $rxd"
	ip netns exec "$R" nft flush ruleset
	log_test "drop_percent: engine drops counted in CNT_DROPS and rx_dropped"
}

# Delete the instance while an offloaded TCP stream runs through it: the PPE
# device goes first (the driver flushes its flows), then the ports, whose
# unregistration unbinds the flowtable through the stale plugin handle.
delete_with_flows_bound()
{
	local spid cpid

	RET=0
	ip netns exec "$R" conntrack -F 2>/dev/null
	nft_load route
	check_err $? "cannot load the offloaded flowtable"
	ip netns exec "$H1" timeout 60 nc.openbsd -l -p 6003 >/dev/null &
	spid=$!
	busywait 10000 bash -c "ip netns exec $H1 ss -Hltn | grep -q ':6003 '"
	check_err $? "the listener on port 6003 did not come up"
	ip netns exec "$H0" timeout 60 nc.openbsd 10.7.1.2 6003 </dev/zero &
	cpid=$!
	busywait 30000 bash -c \
		"ip netns exec $R conntrack -L 2>/dev/null | grep -q 'dport=6003.*\[HW_OFFLOAD\]'"

	check_err $? "the TCP stream was never offloaded"
	sim_del "$SIM"
	check_err $? "cannot delete the instance with flows bound"
	kill "$spid" "$cpid" 2>/dev/null
	wait "$spid" "$cpid" 2>/dev/null
	ip netns exec "$R" nft flush ruleset
	check_err $? "cannot flush the ruleset after the ports went away"
	log_test "delete the instance with offloaded flows bound and traffic running"
}

declare -a HOSTS
setup
run_tests
