#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Life-cycle events with offloaded flows in flight, each repeated: deleting
# the flowtable, taking a port down and up, unbinding and rebinding the driver,
# deleting a run-time sim instance, unloading and reloading both modules.
#
# Every round starts a UDP and a TCP stream (iperf3, lan1 -> wan, masqueraded)
# and waits until both are [HW_OFFLOAD]; then the event. Afterwards the
# engine's table is empty (entries_used, flows_offloaded and the debugfs table
# all say so), traffic that can still flow does, through the CPU, and it is
# offloaded again once the event is undone. The runner fails the run on any
# KASAN, lockdep, WARN or kmemleak report.
# Two rounds each (E2E_LIFECYCLE_REPS): the second runs on what the first left
# behind (a leaked entry, reference or counter slot shows there); a third
# added no coverage and ~4 minutes to make check.
# vm-timeout: 2400

ALL_TESTS="flowtable_delete port_down_up driver_rebind sim_delete modules_reload"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sim.lib"
source "$(dirname "$0")/router.lib"

require_command nft
require_command conntrack
require_command iperf3
require_sim
router_require

REPS=${E2E_LIFECYCLE_REPS:-2}
WAN_IP=$(router_ip4 0 h)
STREAMS=0
ROUND_T0=0		# when the round began, ms
OFFLOAD_MS=0		# how long its last streams_start took
UDP_SPORT=
TCP_SPORT=
FT_UDP_TIMEOUT=
FT_TCP_TIMEOUT=

cleanup()
{
	[ -n "$FT_UDP_TIMEOUT" ] &&
		sysctl -qw net.netfilter.nf_flowtable_udp_timeout="$FT_UDP_TIMEOUT"
	[ -n "$FT_TCP_TIMEOUT" ] &&
		sysctl -qw net.netfilter.nf_flowtable_tcp_timeout="$FT_TCP_TIMEOUT"
	router_cleanup
}
trap cleanup EXIT

setup()
{
	router_init
	# finished flows leave the flowtable within seconds, not 30 s
	FT_UDP_TIMEOUT=$(sysctl -n net.netfilter.nf_flowtable_udp_timeout)
	FT_TCP_TIMEOUT=$(sysctl -n net.netfilter.nf_flowtable_tcp_timeout)
	sysctl -qw net.netfilter.nf_flowtable_udp_timeout=4
	sysctl -qw net.netfilter.nf_flowtable_tcp_timeout=4
	router_host HW wan 0 || exit "$ksft_fail"
	router_host HL lan1 1 || exit "$ksft_fail"
	servers_start "$HW" || exit "$ksft_fail"
}

# iperf3 servers (one per stream) that outlive single tests; pids in SRV_PIDS
servers_start()
{
	local ns=$1 pid

	SRV_PIDS=()
	router_bg pid ip netns exec "$ns" iperf3 -s -p 5201 >/dev/null 2>&1
	SRV_PIDS+=("$pid")
	router_bg pid ip netns exec "$ns" iperf3 -s -p 5202 >/dev/null 2>&1
	SRV_PIDS+=("$pid")
	busywait 30000 router_listening "$ns" 5201 &&
		busywait 30000 router_listening "$ns" 5202
}

# the flowtable and its rule only: the masquerade must stay, or established
# connections would lose their translation (and TCP ones be reset)
ft_del()
{
	nft flush chain inet "$ROUTER_NFT" forward &&
		nft delete flowtable inet "$ROUTER_NFT" ft
}

ft_add()
{
	nft add flowtable inet "$ROUTER_NFT" ft \
		'{ hook ingress priority 0; devices = { wan, lan1 }; flags offload; counter; }' &&
		nft add rule inet "$ROUTER_NFT" forward meta l4proto '{ tcp, udp }' \
			counter name slowpath flow add @ft
}

streams_offloaded()
{
	router_ct_hw -p udp --sport "$UDP_SPORT" && router_ct_hw -p tcp --sport "$TCP_SPORT"
}

# streams_start HOST_NS SERVER_ADDR: a UDP and a TCP stream, both offloaded;
# fresh source ports every time (the last ones may be in TIME_WAIT)
streams_start()
{
	local t0 ret

	t0=$(lib_now_ms)
	STREAMS=$((STREAMS + 1))
	UDP_SPORT=$((40100 + STREAMS))
	TCP_SPORT=$((40200 + STREAMS))
	router_bg UDP_PID ip netns exec "$1" iperf3 -c "$2" -p 5201 -u -b 2M -l 600 \
		-t 600 --cport "$UDP_SPORT" >/dev/null 2>&1
	router_bg TCP_PID ip netns exec "$1" iperf3 -c "$2" -p 5202 -b 4M \
		-t 600 --cport "$TCP_SPORT" >/dev/null 2>&1
	busywait 60000 streams_offloaded
	ret=$?
	OFFLOAD_MS=$(( $(lib_now_ms) - t0 ))
	return $ret
}

streams_stop()
{
	kill -INT "$UDP_PID" "$TCP_PID" 2>/dev/null
	wait "$UDP_PID" "$TCP_PID" 2>/dev/null
	return 0
}

# the PPE's table holds nothing: counters and the debugfs table agree
table_empty()
{
	local ppe=${1:-$ROUTER_PPE}

	[ "$(router_ppe_stat entries_used "$ppe")" -eq 0 ] &&
		[ "$(router_ppe_stat flows_offloaded "$ppe")" -eq 0 ] &&
		[ "$(router_entries "$ppe")" -eq 0 ]
}

table_state()
{
	local ppe=${1:-$ROUTER_PPE}

	echo "entries_used $(router_ppe_stat entries_used "$ppe")" \
		"flows_offloaded $(router_ppe_stat flows_offloaded "$ppe")" \
		"table $(router_entries "$ppe")"

}

# frames the wan host received grow by at least $3 within 20 s
wire_rx_grows()
{
	local ns=$1 dev=$2 min=$3 rx0

	rx0=$(router_dev_stat "$ns" "$dev" rx_packets)
	busywait 20000 rx_above "$ns" "$dev" $((rx0 + min))
}

rx_above()
{
	[ "$(router_dev_stat "$1" "$2" rx_packets)" -ge "$3" ]
}

# round_times [DRAIN_MS]: how long the round's phases took, and the round
round_times()
{
	log_info "round $r: streams offloaded $((OFFLOAD_MS / 1000)) s after they" \
		"started${1:+, table empty $(($1 / 1000)) s after they stopped}," \
		"round $(( ($(lib_now_ms) - ROUND_T0) / 1000 )) s"
}

# ends a round: streams stopped, the table drains (FIN, flowtable timeout)
round_end()
{
	local t0

	t0=$(lib_now_ms)
	streams_stop
	busywait 60000 table_empty "$@"
	check_err $? "round $r: the table did not drain after the streams ended:" \
		"$(table_state "$@")"
	round_times $(( $(lib_now_ms) - t0 ))
}

flowtable_delete()
{
	local r used

	RET=0
	for r in $(seq 1 "$REPS"); do
		ROUND_T0=$(lib_now_ms)
		router_nft_load -m wan || { check_err 1 "cannot load the ruleset"; break; }
		streams_start "$HL" "$WAN_IP"
		check_err $? "round $r: the streams never became [HW_OFFLOAD]"
		used=$(router_ppe_stat entries_used)
		ft_del
		check_err $? "round $r: cannot delete the flowtable"
		busywait 30000 table_empty
		check_err $? "round $r: flowtable deleted, but $(table_state)"
		! router_ct_hw -p udp --sport "$UDP_SPORT"
		check_err $? "round $r: conntrack still says [HW_OFFLOAD] without a flowtable"
		# the flows carry on through the CPU
		wire_rx_grows "$HW" wan-wire 200
		check_err $? "round $r: traffic stopped with the flowtable"
		log_info "round $r: entries_used $used -> 0 on flowtable delete;" \
			"traffic went on through the CPU"
		round_end
		[ "$RET" -eq 0 ] || { router_dump; break; }
	done
	log_test "flowtable deleted under offloaded traffic, $REPS rounds: the table empties"
}

port_down_up()
{
	local r used

	RET=0
	router_nft_load -m wan || check_err 1 "cannot load the ruleset"
	for r in $(seq 1 "$REPS"); do
		ROUND_T0=$(lib_now_ms)
		[ "$RET" -eq 0 ] || break
		streams_start "$HL" "$WAN_IP"
		check_err $? "round $r: the streams never became [HW_OFFLOAD]"
		used=$(router_ppe_stat entries_used)
		ip link set lan1 down
		busywait 30000 table_empty
		check_err $? "round $r: lan1 down, but $(table_state)"
		ip link set lan1 up
		# both streams come back, and back into the engine
		busywait 60000 streams_offloaded
		check_err $? "round $r: the streams were not offloaded again after lan1 up"
		wire_rx_grows "$HW" wan-wire 200
		check_err $? "round $r: no traffic after lan1 up"
		log_info "round $r: entries_used $used -> 0 on lan1 down ->" \
			"$(router_ppe_stat entries_used) after lan1 up"
		round_end
		[ "$RET" -eq 0 ] || router_dump
	done
	router_nft_del
	log_test "port down and up under offloaded traffic, $REPS rounds: flows leave and return"
}

driver_rebind()
{
	local r used name drv=/sys/bus/platform/drivers/openppe

	RET=0
	name=$(basename "$ROUTER_PPE")
	for r in $(seq 1 "$REPS"); do
		ROUND_T0=$(lib_now_ms)
		router_nft_load -m wan || { check_err 1 "cannot load the ruleset"; break; }
		streams_start "$HL" "$WAN_IP"
		check_err $? "round $r: the streams never became [HW_OFFLOAD]"
		used=$(router_ppe_stat entries_used)
		echo "$name" >"$drv/unbind"
		check_err $? "round $r: unbind failed"
		# the engine is off: everything goes through the CPU
		wire_rx_grows "$HW" wan-wire 200
		check_err $? "round $r: traffic stopped with the driver unbound"
		# the flowtable still bound to the unbound PPE goes cleanly
		ft_del
		check_err $? "round $r: cannot delete the flowtable of the unbound PPE"
		echo "$name" >"$drv/bind"
		check_err $? "round $r: bind failed"
		busywait 10000 test -e "$ROUTER_PPE/entries_used"
		check_err $? "round $r: the PPE did not come back"
		table_empty
		check_err $? "round $r: the rebound PPE starts with $(table_state)"
		ft_add
		check_err $? "round $r: cannot add the flowtable again"
		busywait 60000 streams_offloaded
		check_err $? "round $r: the streams were not offloaded by the rebound driver"
		log_info "round $r: entries_used $used -> unbind -> bind 0 ->" \
			"$(router_ppe_stat entries_used) offloaded again"
		round_end
		router_nft_del
		[ "$RET" -eq 0 ] || { router_dump; break; }
	done
	log_test "driver unbound and rebound under offloaded traffic, $REPS rounds"
}

sim_delete()
{
	local r id p0 p1 hw hl ppe dfs used srv_ip
	# the instance's own servers; the board's stay in the global SRV_PIDS
	local -a SRV_PIDS

	RET=0
	for r in $(seq 1 "$REPS"); do
		ROUND_T0=$(lib_now_ms)
		sim_new id 2 || { check_err 1 "cannot create an instance"; break; }
		p0=$(sim_port "$id" 0)
		p1=$(sim_port "$id" 1)
		busywait 10000 ppe_of_port "$p0" >/dev/null
		ppe=$(ppe_of_port "$p0")
		check_err $? "round $r: no PPE bound for $p0"
		dfs=$(router_ppe_dfs "$ppe")
		# the board's wan and lan1 keep their addresses: use lan2's and
		# lan3's address plan (those board ports stay unaddressed)
		router_host hw "$p0" 2 && router_host hl "$p1" 3 && servers_start "$hw"
		check_err $? "round $r: cannot set up the hosts"
		srv_ip=$(router_ip4 2 h)
		router_nft_load -d "$p0 $p1" -m "$p0"
		streams_start "$hl" "$srv_ip"
		check_err $? "round $r: the streams never became [HW_OFFLOAD]"
		used=$(router_ppe_stat entries_used "$ppe")
		sim_del "$id"
		check_err $? "round $r: cannot delete the instance with flows bound"
		[ ! -e "$ppe" ] && [ ! -e "$dfs" ] && [ ! -e "/sys/class/net/$p0" ]
		check_err $? "round $r: the PPE, its debugfs or the ports outlived the instance"
		busywait 30000 bash -c "! conntrack -L 2>/dev/null | grep -q HW_OFFLOAD"
		check_err $? "round $r: conntrack still has [HW_OFFLOAD] flows of the deleted" \
			"engine"
		log_info "round $r: instance $id deleted with $used entries bound;" \
			"flows back in software"
		streams_stop
		kill "${SRV_PIDS[@]}" 2>/dev/null
		wait "${SRV_PIDS[@]}" 2>/dev/null
		router_nft_del
		ns_destroy "$hw"
		ns_destroy "$hl"
		round_times
		[ "$RET" -eq 0 ] || { router_dump; break; }
	done
	log_test "sim instance deleted under offloaded traffic, $REPS rounds"
}

board_back()
{
	ip link show wan >/dev/null 2>&1 && ip link show lan1 >/dev/null 2>&1 &&
		ppe_of_port wan >/dev/null
}

modules_reload()
{
	local r used

	RET=0
	for r in $(seq 1 "$REPS"); do
		ROUND_T0=$(lib_now_ms)
		router_nft_load -m wan || { check_err 1 "cannot load the ruleset"; break; }
		streams_start "$HL" "$WAN_IP"
		check_err $? "round $r: the streams never became [HW_OFFLOAD]"
		used=$(router_ppe_stat entries_used)
		modprobe -r openppe_sim
		check_err $? "round $r: cannot unload openppe_sim with flows offloaded"
		# modprobe -r took the driver too if nothing else uses it
		if [ -d /sys/module/openppe ]; then
			modprobe -r openppe
			check_err $? "round $r: cannot unload openppe"
		fi
		[ ! -d /sys/module/openppe ] && [ ! -d /sys/module/openppe_sim ]
		check_err $? "round $r: a module is still loaded"
		streams_stop
		router_nft_del
		# the driver comes back as the emulator's dependency
		modprobe openppe_sim
		check_err $? "round $r: cannot load openppe_sim"
		busywait 20000 board_back
		check_err $? "round $r: the board's ports and PPE did not come back"
		ROUTER_PPE=$(ppe_of_port wan)
		table_empty
		check_err $? "round $r: the reloaded PPE starts with $(table_state)"
		ip link set wan-wire netns "$HW" && ip link set lan1-wire netns "$HL" &&
			router_port_addr wan 0 && router_port_addr lan1 1 &&
			router_host_addr "$HW" wan-wire 0 && router_host_addr "$HL" lan1-wire 1
		check_err $? "round $r: cannot re-address the new ports"
		router_nft_load -m wan
		# the servers may still wait on a test whose client lost its
		# network mid-run: start fresh ones
		kill "${SRV_PIDS[@]}" 2>/dev/null
		wait "${SRV_PIDS[@]}" 2>/dev/null
		servers_start "$HW"
		check_err $? "round $r: the iperf3 servers did not come back"
		# the new ports' carrier and the hosts' neighbours come up in
		# their own time; a client started before gives up at once
		busywait 20000 ip netns exec "$HL" ping -c 1 -W 1 "$WAN_IP" >/dev/null
		check_err $? "round $r: lan1's host cannot reach the wan host through the new ports"
		streams_start "$HL" "$WAN_IP"
		check_err $? "round $r: the streams were not offloaded after the reload"
		log_info "round $r: unloaded with $used entries bound; reloaded," \
			"offloaded again ($(table_state))"
		round_end
		router_nft_del
		[ "$RET" -eq 0 ] || { router_dump; break; }
	done
	log_test "openppe_sim and openppe unloaded and reloaded under offloaded traffic," \
		"$REPS rounds"
}

setup
run_tests
