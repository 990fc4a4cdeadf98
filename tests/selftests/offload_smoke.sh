#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Flowtable offload through the openppe driver on the board's engine: TCP and
# UDP flows between the wan and lan1 ports become [HW_OFFLOAD] in conntrack and
# are forwarded by the engine, whose hit counter grows; teardown removes them.
#
# The board and its hosts are set up by board.lib: lan1's host reaches the
# wan host through a masquerade, so every offloaded flow is IPv4 NAPT.

ALL_TESTS="ppe_bound flowtable_binds tcp_offload udp_offload parallel_flows observability teardown"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/board.lib"

require_command nft
require_command conntrack
require_command iperf3
require_command ip

ppe_stat()
{
	cat "$PPE/$1"
}

refused_sum()
{
	local f sum=0

	for f in "$PPE"/refused_*; do
		sum=$((sum + $(cat "$f")))
	done
	echo "$sum"
}

cleanup()
{
	nft delete table netdev "$NFT_TABLE" 2>/dev/null
	board_cleanup
}
trap cleanup EXIT
board_require

setup()
{
	board_hosts || exit "$ksft_fail"
	board_nft "$WAN" counter || exit "$ksft_fail"
	count_frames_on "$LAN" "$WAN" || exit "$ksft_fail"
	# the IPv4 frames the router's CPU receives on the two ports, before
	# anything else sees them: what it may forward (classic path or
	# software flowtable alike)
	nft -f - <<-EOF || exit "$ksft_fail"
	table netdev $NFT_TABLE {
		counter cpu_ip { }
		chain lan {
			type filter hook ingress device "$LAN" priority -500; policy accept;
			meta protocol ip counter name cpu_ip
		}
		chain wan {
			type filter hook ingress device "$WAN" priority -500; policy accept;
			meta protocol ip counter name cpu_ip
		}
	}
	EOF
}

ppe_bound()
{
	RET=0
	PPE=$(ppe_of_port "$WAN")
	check_err $? "no openppe device bound for the engine of $WAN"
	if [ "$RET" -eq 0 ]; then
		[ "$(ppe_stat table_size)" -gt 0 ]
		check_err $? "table_size is not positive"
		log_info "PPE $(basename "$PPE"): table_size $(ppe_stat table_size)," \
			"firmware $(ppe_stat fw_version), features $(ppe_stat fw_features)"
	fi
	log_test "PPE bound with running firmware"
}

flowtable_binds()
{
	RET=0
	if [ -z "$PPE" ]; then
		check_err 1 "board broken: no PPE bound for the board ports"
	else
		ip netns exec "$HL" ping -q -c 2 -W 2 192.0.2.2 >/dev/null
		check_err $? "no ping from lan1 host to wan host through the router"
	fi
	log_test "router forwards lan1 -> wan (CPU path)"
}

# snmp_ip NS FIELD: the Ip: counter FIELD of /proc/net/snmp in namespace NS
# ("" for the router's own)
snmp_ip()
{
	${1:+ip netns exec "$1"} awk -v f="$2" '$1 == "Ip:" {
		if (!h) { for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next }
		print $c[f] }' /proc/net/snmp
}

# IPv4 datagrams between the hosts, by who forwarded them: "ENGINE CPU
# HOSTS" -- what the engine forwarded (ethtool -S fwd_rx_packets of lan1
# and wan), what reached the router's CPU on those ports (the netdev
# ingress counter cpu_ip: classic path and software flowtable alike) plus
# what the router sent itself (Ip OutRequests), what the two hosts received
# (their Ip InReceives). Between two quiet moments HOSTS = ENGINE + CPU
# exactly as long as the router forwards every IP frame it receives there
# (none is for the router itself in these tests): the hosts have no other
# link, the engine forwards only IP, ARP is not IP.
ip_frames()
{
	local e=0 d

	for d in "$LAN" "$WAN"; do
		e=$((e + $(ethtool -S "$d" | awk '$1 == "fwd_rx_packets:" { print $2 }')))
	done
	echo "$e" \
	     $(($(nft list counter netdev "$NFT_TABLE" cpu_ip | awk '/packets/ { print $2 }') + \
		$(snmp_ip "" OutRequests))) \
	     $(($(snmp_ip "$HW" InReceives) + $(snmp_ip "$HL" InReceives)))
}

# no IP datagram reached either host for 0.5 s
hosts_quiet()
{
	local a b

	a=$(($(snmp_ip "$HW" InReceives) + $(snmp_ip "$HL" InReceives)))
	sleep 0.5
	b=$(($(snmp_ip "$HW" InReceives) + $(snmp_ip "$HL" InReceives)))
	[ "$a" = "$b" ]
}

# wait for a conntrack entry of PROTO to port 5201 marked [HW_OFFLOAD]
hw_offloaded()
{
	conntrack -L -p "$1" --dport 5201 2>/dev/null | grep -q HW_OFFLOAD
}

offload_test()
{
	local proto=$1 hits0 hits1 inst0 flows e0 c0 w0 e1 c1 w1
	local -a opt=("${@:2}")

	RET=0
	if [ -z "$PPE" ]; then
		check_err 1 "board broken: no PPE bound for the board ports"
		log_test "$proto flow offloaded"
		return
	fi
	hits0=$(ppe_stat engine_hits)
	inst0=$(ppe_stat installs)
	ip netns exec "$HW" iperf3 -s -D -1 >/dev/null 2>&1
	busywait 30000 iperf_listening
	check_err $? "iperf3 server did not start"
	ip netns exec "$HL" iperf3 -c 192.0.2.2 "${opt[@]}" -t 12 >/dev/null 2>&1 &
	IPERF_PID=$!

	# a TCP flow leaves the engine at its FIN, and on a loaded machine
	# conntrack -L alone can take seconds: once the control and data
	# connections are installed (4 entries), hold the client until the
	# flow has been seen offloaded
	busywait 60000 sh -c "[ \$(cat $PPE/installs) -ge $((inst0 + 4)) ]"
	check_err $? "the control and data connections were not installed:" \
		"installs $inst0 -> $(ppe_stat installs)"
	kill -STOP "$IPERF_PID"
	busywait 30000 hw_offloaded "$proto"
	check_err $? "conntrack never showed the $proto flow as [HW_OFFLOAD]"
	flows=$(ppe_stat flows_offloaded)
	[ "$flows" -ge 1 ]
	check_err $? "flows_offloaded is $flows"
	# from here on the flow is bound, both directions: what reaches the
	# hosts comes from the engine; the router's stack forwards at most the
	# connections' ends (FIN, the last ACKs after nf_flow_table's teardown)
	busywait 30000 hosts_quiet
	read -r e0 c0 w0 < <(ip_frames)
	kill -CONT "$IPERF_PID"
	wait "$IPERF_PID"
	check_err $? "iperf3 $proto transfer failed"
	IPERF_PID=
	busywait 30000 hosts_quiet
	read -r e1 c1 w1 < <(ip_frames)
	hits1=$(ppe_stat engine_hits)
	[ $((w1 - w0)) -eq $((e1 - e0 + c1 - c0)) ]
	check_err $? "the hosts received $((w1 - w0)) IP datagrams, the engine forwarded" \
		"$((e1 - e0)) and the router's stack $((c1 - c0)); softnet drops $(softnet_drops)"
	[ $((e1 - e0)) -ge 100 ] && [ $((c1 - c0)) -le 16 ]
	check_err $? "after binding the engine forwarded $((e1 - e0)) datagrams, the" \
		"router's stack $((c1 - c0)) (at most 16: the ends of the connections)"
	log_info "$proto after binding: the hosts received $((w1 - w0)) IP datagrams =" \
		"engine $((e1 - e0)) + router stack $((c1 - c0)); engine_hits $hits0 -> $hits1"
	log_info "$proto: installs $inst0 -> $(ppe_stat installs)," \
		"flows_offloaded $flows, replace_calls $(ppe_stat replace_calls)," \
		"stats_calls $(ppe_stat stats_calls)"
	[ "$RET" -eq 0 ] || {
		conntrack -L 2>/dev/null | sed 's/^/# /'
		sed 's/^/# /' "/sys/kernel/debug/openppe/$(basename "$PPE")/table" 2>/dev/null
	}
	log_test "$proto flow offloaded: [HW_OFFLOAD] and forwarded by the engine"
}

tcp_offload()
{
	offload_test tcp
}

udp_offload()
{
	offload_test udp -u -b 20M
}

# many TCP flows set up at once: REPLACEs run concurrently from the
# flowtable's unbound workqueue (lockdep watches), each direction a NAPT entry.
#
# iperf3's client writes up to 10 blocks per stream before it looks at its
# timers again, and in a TCG guest each write carries the whole forwarding
# path in softirq: with 16 streams of 128 KB blocks that is 20 MB between two
# looks, measured 26 s at load 5 and over 50 s in a loaded make check -- past
# iperf3 3.12's server deadline (duration + 40 s), whose close resets the
# streams ("unable to write to stream socket"). A rate (-b, 2 Mbit/s per
# stream, about what the guest forwards in all) makes it write one block per
# stream per look, and 16 KB blocks (-l) keep a look to 256 KB: measured at
# load 5, one look a second and the run ends at 11 s.
parallel_flows()
{
	local streams=16 max=0 n refused0 refused1

	RET=0
	if [ -z "$PPE" ]; then
		check_err 1 "board broken: no PPE bound for the board ports"
		log_test "$streams parallel TCP flows offloaded"
		return
	fi
	refused0=$(refused_sum)
	ip netns exec "$HW" iperf3 -s -D -1 --logfile "/tmp/iperf-S.$$" >/dev/null 2>&1
	busywait 30000 iperf_listening
	check_err $? "iperf3 server did not start"
	ip netns exec "$HL" iperf3 -c 192.0.2.2 -P "$streams" -t 10 -b 2M -l 16K \
		>"/tmp/iperf-P.$$" 2>&1 &
	IPERF_PID=$!
	# the peak while the streams last (not a fixed window: on a loaded host
	# the 16 connections can take seconds to be offloaded)
	while kill -0 "$IPERF_PID" 2>/dev/null; do
		n=$(ppe_stat flows_offloaded)
		[ "$n" -gt "$max" ] && max=$n
		[ "$max" -ge $((2 * streams)) ] && break
		sleep 0.1
	done
	[ "$max" -ge $((2 * streams)) ]
	check_err $? "at most $max flow directions offloaded, expected $((2 * streams))"
	wait "$IPERF_PID"
	check_err $? "iperf3 with $streams streams failed:" \
		"$(grep -i 'error' "/tmp/iperf-P.$$" | head -n 2)"
	[ "$RET" -eq 0 ] || grep -E 'error|SUM.*receiver' "/tmp/iperf-S.$$" | sed 's/^/# server: /'
	IPERF_PID=
	rm -f "/tmp/iperf-P.$$" "/tmp/iperf-S.$$"
	refused1=$(refused_sum)
	[ "$refused1" = "$refused0" ]
	check_err $? "flows were refused: $refused0 -> $refused1"
	[ "$(ppe_stat engine_punt_bad_entry)" -eq 0 ]
	check_err $? "the engine met unusable entries"
	log_info "max flows_offloaded $max, relocations $(ppe_stat relocations)," \
		"engine_hits $(ppe_stat engine_hits)"
	log_test "$streams parallel TCP flows offloaded"
}

observability()
{
	local f v dfs

	RET=0
	if [ -z "$PPE" ]; then
		check_err 1 "board broken: no PPE bound for the board ports"
		log_test "sysfs, debugfs and tracepoints"
		return
	fi
	for f in "$PPE"/{table_size,entries_used,flows_offloaded,degraded,replace_calls} \
		"$PPE"/{destroy_calls,stats_calls,installs,updates,relocations,cache_timeouts} \
		"$PPE"/{cache_errors,recoveries,table_errors,refused_*,engine_*}; do
		v=$(cat "$f")
		[[ "$v" =~ ^[0-9]+$ ]]
		check_err $? "$(basename "$f") reads '$v', not a number"
	done
	[[ "$(ppe_stat fw_version)" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]
	check_err $? "fw_version reads '$(ppe_stat fw_version)'"
	[[ "$(ppe_stat fw_features)" =~ ^0x[0-9a-f]{8}$ ]]
	check_err $? "fw_features reads '$(ppe_stat fw_features)'"
	[ "$(ppe_stat degraded)" -eq 0 ]
	check_err $? "the engine is in the fail-safe state"

	dfs=/sys/kernel/debug/openppe/$(basename "$PPE")
	grep -q 'PPE_ID.*0x4f505045' "$dfs/regs"
	check_err $? "debugfs regs does not show PPE_ID"
	[ "$(stat -c %a "$dfs/table")" = 400 ]
	check_err $? "debugfs table is not 0400"

	# one more flow, seen in the table and by the tracepoints
	if [ -d /sys/kernel/debug/tracing/events/openppe ]; then
		echo 1 >/sys/kernel/debug/tracing/events/openppe/enable
		echo >/sys/kernel/debug/tracing/trace
	fi
	ip netns exec "$HW" iperf3 -s -D -1 >/dev/null 2>&1
	busywait 30000 iperf_listening
	check_err $? "iperf3 server did not start"
	ip netns exec "$HL" iperf3 -c 192.0.2.2 -u -b 5M -t 6 >/dev/null 2>&1 &
	IPERF_PID=$!
	busywait 30000 sh -c "grep -q 'bound ipv4_napt.*proto 17' $dfs/table"
	check_err $? "debugfs table shows no bound UDP NAPT entry"
	grep 'bound' "$dfs/table" | head -n 2 | sed 's/^/# /'
	wait "$IPERF_PID"
	IPERF_PID=
	if [ -d /sys/kernel/debug/tracing/events/openppe ]; then
		grep -q 'openppe_replace:.*result=0' /sys/kernel/debug/tracing/trace
		check_err $? "no openppe_replace trace event"
		echo 0 >/sys/kernel/debug/tracing/events/openppe/enable
	else
		log_info "no tracing events directory; tracepoints not checked"
	fi
	log_test "sysfs, debugfs and tracepoints"
}

teardown()
{
	local d0

	RET=0
	if [ -z "$PPE" ]; then
		check_err 1 "board broken: no PPE bound for the board ports"
	else
		d0=$(ppe_stat destroy_calls)
		# the TCP flow ended with FIN (punted to the CPU); the flowtable's
		# garbage collection then sends DESTROY for both directions
		busywait 20000 sh -c \
			"! conntrack -L -p tcp --dport 5201 2>/dev/null | grep -q HW_OFFLOAD"

		check_err $? "the TCP flow is still [HW_OFFLOAD] after it ended"
		log_info "destroy_calls $(ppe_stat destroy_calls) (was $d0)," \
			"flows_offloaded $(ppe_stat flows_offloaded)," \
			"entries_used $(ppe_stat entries_used)"
		nft delete table inet "$NFT_TABLE"
		check_err $? "cannot delete the flowtable"
		busywait 30000 sh -c "[ \$(cat $PPE/flows_offloaded) -eq 0 ]"
		check_err $? "flows_offloaded is $(ppe_stat flows_offloaded) after the flowtable" \
			"was deleted"
		[ "$(ppe_stat entries_used)" -eq 0 ]
		check_err $? "entries_used is $(ppe_stat entries_used) after the flowtable was" \
			"deleted"
	fi
	log_test "teardown: ended flows and a deleted flowtable leave the table empty"
}

setup
run_tests
