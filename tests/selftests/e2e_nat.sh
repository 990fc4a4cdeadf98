#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# IPv4 masquerade from lan1 to wan, offloaded, counted packet by packet:
#  tcp_file    a 1 MiB file over one TCP connection (nc): its first 4 KiB set
#              the flow up, the rest is sent once it is bound
#  udp_stream  UDP in two iperf3 runs from one source port: 10 datagrams set
#              the flow up, 2000 follow once it is bound
#  tcp_iperf   8 s of iperf3 TCP (data and control connections)
# Each flow becomes [HW_OFFLOAD] with exactly one bound ipv4_napt entry per
# direction carrying the masquerade translation. Once bound, none of its
# packets reaches the CPU or the forward chain (the count after bind is
# printed, and must be 0); per direction, packets forwarded by the engine +
# packets that reached the CPU = packets that arrived at the far end, in
# packets and bytes; conntrack's counters grow after bind by exactly what
# arrived (and, but for handshake retransmissions, which conntrack does not
# count, equal everything that arrived); engine_hits and the ports' ethtool
# fwd_rx_packets grow by exactly what the engine forwarded; every UDP
# datagram the sender sent arrived; the far end sees the masqueraded address
# and port; the file arrives byte-identical (sha256).
#
# Where things are counted: "arrived" in the receiving host's netdev ingress
# hook (the frames as they came off the wire; the sender's output hook would
# see TCP's GSO super-packets), UDP "sent" in the sender's output hook, the
# engine in the debugfs table entries' packet/byte counters, the CPU in a
# netdev ingress chain on the router's ports (router_cpu_rule), conntrack
# after making nf_flow_table fetch the engine's counters (router_flow_sync).
# vm-timeout: 900

ALL_TESTS="tcp_file udp_stream tcp_iperf"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/router.lib"

require_command nft
require_command conntrack
require_command iperf3
require_command nc
require_command ethtool
router_require

WAN_IP=$(router_ip4 0 h)
LAN_IP=$(router_ip4 1 h)
NAT_IP=$(router_ip4 0 r)

cleanup()
{
	[ -n "${ROUTER_TMP:-}" ] && [ -d "$ROUTER_TMP" ] && touch "$ROUTER_TMP/stop"
	router_accounting_cleanup
}
trap cleanup EXIT

setup()
{
	router_init
	router_accounting_init || exit "$ksft_fail"
	router_host HW wan 0 || exit "$ksft_fail"
	router_host HL lan1 1 || exit "$ksft_fail"
	router_nft_load -m wan -c "wan lan1" || exit "$ksft_fail"
	# resolve the neighbours of the hosts and the router before counting
	ip netns exec "$HL" ping -q -c 1 -W 5 "$WAN_IP" >/dev/null || exit "$ksft_fail"
}

# A TCP connection carrying a file: its first 4 KiB set it up and it gets
# bound; the rest of the file must then pass without a packet reaching the
# CPU or the forward chain.
tcp_file()
{
	local sport=40001 dport=5001 kb=1024 ct="-p tcp --sport 40001 --dport 5001"
	local src out fifo feed_pid nc_pid natport peer

	RET=0
	src=$(router_file "$kb")
	out=$ROUTER_TMP/tcp_file.out
	fifo=$ROUTER_TMP/tcp_file.fifo
	flow_def tcp lan1 wan "$HW wan-wire" "$HL lan1-wire"
	# SYN and SYN/ACK retransmissions (the handshake is slow under TCG)
	# reach the far end, but conntrack does not count them
	FL[tcp.onft]=$(router_host_rx_nft wan-wire syn_tcp_o \
		"ip saddr $NAT_IP tcp dport $dport tcp flags & syn == syn")
	FL[tcp.rnft]=$(router_host_rx_nft lan1-wire syn_tcp_r \
		"ip daddr $LAN_IP tcp sport $dport tcp flags & syn == syn")
	flow_counters tcp "ip saddr $LAN_IP tcp sport $sport tcp dport $dport" \
		"ip saddr $WAN_IP ip daddr $NAT_IP tcp sport $dport" \
		"ip saddr $LAN_IP tcp sport $sport tcp dport $dport" \
		"ip saddr $WAN_IP ip daddr $LAN_IP tcp sport $dport tcp dport $sport" \
		"ip saddr $NAT_IP ip daddr $WAN_IP tcp dport $dport" \
		"ip saddr $WAN_IP ip daddr $LAN_IP tcp sport $dport tcp dport $sport"
	check_err $? "cannot set up the counters"

	router_nc_server "$HW" "$dport" "$out"
	check_err $? "nc server did not start"
	mkfifo "$fifo"
	# both ends open the fifo read-write: neither open blocks, and a
	# stuck nc can only block the feeder, never the test
	router_bg feed_pid router_feed "$src" "$ROUTER_TMP/go" "$ROUTER_TMP/stop" 1<>"$fifo"
	router_bg nc_pid ip netns exec "$HL" nc -p "$sport" "$WAN_IP" "$dport" <>"$fifo"

	# shellcheck disable=SC2086
	router_wait_hw 60000 $ct
	check_err $? "the TCP flow never became [HW_OFFLOAD]"
	busywait 60000 router_file_complete "$out" 4096
	check_err $? "the first 4 KiB did not arrive"
	natport=$(router_ct_field_s reply dport "$ct")
	flow_keys tcp "$LAN_IP:$sport $WAN_IP:$dport" "$WAN_IP:$dport $NAT_IP:$natport"
	check_entries tcp ipv4_napt "$NAT_IP:$natport $WAN_IP:$dport" \
		"$WAN_IP:$dport $LAN_IP:$sport"
	router_tcp_bulk tcp "$ct" "$src" "$out" "$kb" "$ROUTER_TMP/go"
	check_totals_handshake tcp "$ct"
	check_bound_phase tcp slowpath
	# shellcheck disable=SC2086
	router_ct_hw $ct
	check_err $? "the flow is no longer [HW_OFFLOAD] after the transfer"
	peer=$(ip netns exec "$HW" ss -Htn state established "sport = :$dport" | awk '{ print $4 }')
	[ "$peer" = "$NAT_IP:$natport" ]
	check_err $? "the wan host sees peer '$peer', expected $NAT_IP:$natport"
	log_info "the wan host sees $peer for lan host $LAN_IP:$sport"

	touch "$ROUTER_TMP/stop"
	kill "$nc_pid" "$feed_pid" 2>/dev/null
	[ "$RET" -eq 0 ] || router_dump
	log_test "TCP file through masquerade: bound, 0 packets to the CPU after bind," \
		"exact counters, sha256 equal"
}

udp_stream()
{
	RET=0
	udp_flow udp ipv4_napt "$HL lan1-wire lan1" "$HW wan-wire wan" \
		"$LAN_IP 40003" "$WAN_IP 5201" "$WAN_IP 5201" "$NAT_IP"
	log_test "UDP through masquerade: bound, 0 datagrams to the CPU after bind," \
		"exact counters, none lost"
}

# sets hits1 cpu rx (tcp_iperf's locals)
iperf_settled()
{
	C=()
	router_ppe_get engine_hits hits1
	router_counters_read
	router_counters_read "$HW"
	router_counters_read "$HL"
	cpu=${C[cpu_iperf]:-}
	rx=$((C[rx_iperf_o] + C[rx_iperf_r]))
	[ -n "${C[rx_iperf_o]:-}" ] && [ -n "${C[rx_iperf_r]:-}" ] && [ -n "$cpu" ] &&
		[ $((hits1 - $1 + cpu)) -eq "$rx" ]
}

installs_reached()
{
	local n

	router_ppe_get installs n
	[ "$n" -ge "$1" ]
}

# iperf3 bulk TCP (control and data connections on port 5202): the data
# connection is bound as ipv4_napt both ways, and engine_hits grows by exactly
# the packets that arrived minus those that reached the CPU
tcp_iperf()
{
	local dport=5202 cport=40005 hits0 hits1 cpu rx log=$ROUTER_TMP/iperf-tcp.log
	local pid natport inst0 ct="-p tcp --sport 40005 --dport 5202"

	RET=0
	{
		echo "add counter netdev $ROUTER_NFT cpu_iperf"
		echo "add rule netdev $ROUTER_NFT tocpu iifname \"lan1\" ip saddr $LAN_IP" \
			"tcp dport $dport counter name cpu_iperf"
		echo "add rule netdev $ROUTER_NFT tocpu iifname \"wan\" ip saddr $WAN_IP" \
			"tcp sport $dport counter name cpu_iperf"
	} | nft -f - &&
	router_host_rx_counter "$HW" wan-wire rx_iperf_o ip saddr "$NAT_IP" tcp dport "$dport" &&
	router_host_rx_counter "$HL" lan1-wire rx_iperf_r ip saddr "$WAN_IP" tcp sport "$dport"
	check_err $? "cannot set up the counters"
	router_iperf_server "$HW" "$WAN_IP" "$dport" "$log"
	check_err $? "iperf3 server did not start"
	router_ppe_get engine_hits hits0
	router_ppe_get installs inst0
	router_bg pid ip netns exec "$HL" iperf3 -c "$WAN_IP" -p "$dport" -t 8 --cport "$cport" \
		>"$log.client" 2>&1
	# The run lasts 8 s, and on a loaded machine conntrack and the table
	# take seconds each to read: once the control and data connections
	# are installed (4 entries, seen in one sysfs file), the client is
	# stopped until they have been checked. Its connections wait, bound.
	busywait 60000 installs_reached $((inst0 + 4))
	check_err $? "the control and data connections were not installed:" \
		"installs $inst0 -> $(router_ppe_stat installs)"
	kill -STOP "$pid"
	# shellcheck disable=SC2086
	router_wait_hw 60000 $ct
	check_err $? "the iperf3 data connection never became [HW_OFFLOAD]"
	natport=$(router_ct_field_s reply dport "$ct")
	flow_keys iperf "$LAN_IP:$cport $WAN_IP:$dport" "$WAN_IP:$dport $NAT_IP:$natport"
	check_entries iperf ipv4_napt "$NAT_IP:$natport $WAN_IP:$dport" \
		"$WAN_IP:$dport $LAN_IP:$cport"

	kill -CONT "$pid"
	wait "$pid"
	check_err $? "iperf3 TCP failed: $(tail -n 1 "$log.client")"
	busywait 30000 router_tcp_idle "$HW" "$dport"
	check_err $? "the iperf3 connections did not close: $(router_tcp_states "$HW" "$dport")"
	busywait 10000 iperf_settled "$hits0"
	check_err $? "engine_hits grew by $((hits1 - hits0)), the CPU saw $cpu," \
		"$rx packets arrived; softnet drops $(softnet_drops)"
	grep -q "connected to $NAT_IP port $natport" "$log"
	check_err $? "the iperf3 server did not see $NAT_IP port $natport"
	log_info "iperf3 8 s: $rx packets arrived (both directions," \
		"both connections) = engine_hits +$((hits1 - hits0)) + CPU $cpu"
	log_info "server:" \
		"$(grep -m1 "connected to $NAT_IP port $natport" "$log" | sed 's/^.*local/local/')"
	[ "$RET" -eq 0 ] || router_dump
	log_test "iperf3 TCP through masquerade: bound, engine_hits + CPU = packets arrived"
}

setup
run_tests
