#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A PPPoE session torn down under offloaded flows. The router is a PPPoE
# client (pppd, rp-pppoe plugin) on wan against pppoe-server in the wan
# host; two UDP flows from the lan host are masqueraded out of the ppp device
# and bound (two entries each, the lan->wan ones pushing the session header).
# Then the router's pppd is killed, as when the line drops: the ppp device
# goes, and with it the flows: entries_used and flows_offloaded return to
# what they were before the flows, every entry a DESTROY removed
# (destroy_calls + 4) and no longer [HW_OFFLOAD]. Datagrams the lan host
# sends on the same ports afterwards all reach the router's CPU (which has
# no route for them any more); the engine forwards none and not one PPPoE
# frame reaches the wan wire with the dead session, nothing arrives at the
# far end, and nothing is offloaded again. Before the teardown, per flow,
# the engine forwarded every datagram (CPU + 0) and all arrived.
# (kmemleak, scanned by the runner after the script, finds no leak.)

ALL_TESTS="session_down"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/router.lib"
source "$(dirname "$0")/encap.lib"
source "$(dirname "$0")/pppoe.lib"

require_command nft
require_command conntrack
require_command socat
require_command ethtool
require_command pppd
require_command pppoe-server
router_require

DPORT=5600
SPORTS="41500 41501"

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

# burst SPORT N: N datagrams of 300 bytes from the lan host's port SPORT to
# the wan host (socat reads and sends 300 bytes at a time)
burst()
{
	local pl i

	pl=$(printf '%0300d' 0)
	for ((i = 0; i < $2; i++)); do
		printf '%s' "$pl"
	done | ip netns exec "$HL" socat -b 300 -u STDIN \
		"UDP4-SENDTO:$HOST_WAN:$DPORT,sourceport=$1,reuseaddr"
}

stat_is()
{
	[ "$(router_ppe_stat "$1")" = "$2" ]
}

# pd_read: X = the counters of the test: lan1's fwd_rx_packets and wan's
# fwd_tx_packets (ethtool -S), the router's and the wan host's named
# counters, entries_used, flows_offloaded
declare -A X X0
pd_read()
{
	local k

	X=()
	router_port_get lan1 fwd_rx_packets "X[fwd_rx]"
	router_port_get wan fwd_tx_packets "X[fwd_tx]"
	C=()
	router_counters_read
	router_counters_read "$HW"
	for k in "${!C[@]}"; do
		X[$k]=${C[$k]}
	done
	router_ppe_get entries_used "X[used]"
	router_ppe_get flows_offloaded "X[flows]"
}

pd_mark()
{
	local k

	pd_read
	X0=()
	for k in "${!X[@]}"; do
		X0[$k]=${X[$k]}
	done
}

# pd_grew "NAME=N ...": each grew by exactly N since pd_mark (PD_GOT: by
# how much)
pd_grew()
{
	local kv n bad=

	pd_read
	PD_GOT=
	for kv in $1; do
		n=$((${X[${kv%=*}]:-0} - ${X0[${kv%=*}]:-0}))
		PD_GOT+=" ${kv%=*}+$n"
		[ "$n" -eq "${kv#*=}" ] || bad=1
	done
	[ -z "$bad" ]
}

pd_expect()
{
	busywait 10000 pd_grew "$2"
	check_err $? "$1: expected $2, counted$PD_GOT"
	log_info "$1:$PD_GOT"
}

ppp_gone()
{
	! ip link show "$1" >/dev/null 2>&1
}

session_down()
{
	local s e0 f0 d0 ppp

	RET=0
	pppoe_session_test wan wan-wire
	ppp=$PPP
	{
		echo "add counter netdev $ROUTER_NFT pd_cpu"
		echo "add rule netdev $ROUTER_NFT tocpu iifname \"lan1\"" \
			"ip saddr $HOST_LAN udp dport $DPORT counter name pd_cpu"
	} | nft -f - &&
	{
		# every PPPoE session frame on the wan wire, and whole datagrams
		# at the far end (dropped there: nothing comes back)
		router_host_rx_nft wan-wire pd_wire "ether type 0x8864"
		echo "add table inet $ROUTER_NFT"
		echo "add chain inet $ROUTER_NFT input" \
			"{ type filter hook input priority 0; policy accept; }"
		echo "add counter inet $ROUTER_NFT pd_dg"
		echo "add rule inet $ROUTER_NFT input udp dport $DPORT counter name pd_dg drop"
	} | ip netns exec "$HW" nft -f -
	check_err $? "cannot set up the counters"
	ip netns exec "$HL" ping -q -c 1 -W 5 "$HOST_WAN" >/dev/null
	check_err $? "no ping from the lan host to the PPPoE server through $ppp"

	e0=$(router_ppe_stat entries_used)
	f0=$(router_ppe_stat flows_offloaded)
	d0=$(router_ppe_stat destroy_calls)
	for s in $SPORTS; do
		burst "$s" 5
		router_wait_hw 60000 -p udp --sport "$s" --dport "$DPORT"
		check_err $? "the flow from port $s never became [HW_OFFLOAD]"
	done
	busywait 10000 stat_is entries_used $((e0 + 4))
	check_err $? "entries_used $(router_ppe_stat entries_used), expected $((e0 + 4))"
	log_info "two flows bound through session $SID: entries_used $e0 -> $((e0 + 4))"

	pd_mark
	for s in $SPORTS; do
		burst "$s" 10
	done
	pd_expect "bound, 10 datagrams per flow" \
		"fwd_rx=20 fwd_tx=20 pd_cpu=0 pd_wire=20 pd_dg=20"

	kill "$PPPD_PID"
	wait "$PPPD_PID" 2>/dev/null
	PPPD_PID=
	busywait 30000 ppp_gone "$ppp"
	check_err $? "$ppp still exists after pppd ended"
	busywait 30000 stat_is entries_used "$e0"
	check_err $? "the flows stay in the engine with the session gone:" \
		"entries_used $(router_ppe_stat entries_used), was $e0 before them"
	busywait 10000 stat_is flows_offloaded "$f0"
	check_err $? "flows_offloaded $(router_ppe_stat flows_offloaded), was $f0"
	[ $(($(router_ppe_stat destroy_calls) - d0)) -ge 4 ]
	check_err $? "destroy_calls +$(($(router_ppe_stat destroy_calls) - d0)), expected 4"
	for s in $SPORTS; do
		router_ct_hw -p udp --sport "$s" --dport "$DPORT"
		check_fail $? "the flow from port $s is still [HW_OFFLOAD]"
	done
	log_info "pppd ended: $ppp gone, entries_used back to $(router_ppe_stat entries_used)," \
		"destroy_calls +$(($(router_ppe_stat destroy_calls) - d0))"

	pd_mark
	for s in $SPORTS; do
		burst "$s" 10
	done
	pd_expect "session gone, 10 datagrams per flow" \
		"pd_cpu=20 fwd_rx=0 fwd_tx=0 pd_wire=0 pd_dg=0 used=0 flows=0"
	[ "$RET" -eq 0 ] || router_dump
	log_test "PPPoE session ended under two bound flows: flushed, nothing forwarded" \
		"with the dead session"
}

setup
run_tests
