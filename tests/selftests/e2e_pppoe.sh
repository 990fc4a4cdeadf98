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

require_command nft
require_command conntrack
require_command nc
require_command ethtool
require_command pppd
require_command pppoe-server
router_require

PPP_LOCAL=$(router_ip4 0 r)	# the router's end of the session
SID_OFFSET=4659	# pppoe-server -o: the first session gets id 4660 (0x1234)
PPP=		# the router's ppp device
PPPD_PID=
SID=		# the session id pppd reported

cleanup()
{
	pppoe_down
	[ -n "$HW" ] && rm -rf "/etc/netns/$HW"
	encap_cleanup
}
trap cleanup EXIT

setup()
{
	encap_setup
	router_port_addr lan1 1 || exit "$ksft_fail"
	router_host_addr "$HL" lan1-wire 1 || exit "$ksft_fail"

	# the server's pppd authenticates the client with PAP; ip netns exec
	# mounts /etc/netns/$HW/ppp over /etc/ppp for the server only
	mkdir -p "/etc/netns/$HW/ppp" || exit "$ksft_fail"
	: >"/etc/netns/$HW/ppp/options"
	echo '"openppe" * "s3cret" *' >"/etc/netns/$HW/ppp/pap-secrets"
	chmod 600 "/etc/netns/$HW/ppp/pap-secrets"
	cat >"$ROUTER_TMP/pppoe-server-options" <<-EOF2
	require-pap
	lcp-echo-interval 0
	noipv6
	noccp
	novj
	nodeflate
	nobsdcomp
	mtu 1492
	mru 1492
	EOF2
}

ppp_up()
{
	ip -4 addr show dev "$PPP" 2>/dev/null | grep -q "inet $PPP_LOCAL peer $HOST_WAN/32"
}

# pppoe_up DEV HOSTDEV: pppoe-server on HOSTDEV in the wan host, pppd on DEV
# creating device PPP; waits for the session and sets SID, WAN_MTU
pppoe_up()
{
	local dev=$1 hostdev=$2 srv

	SID=
	router_bg srv ip netns exec "$HW" pppoe-server -F -I "$hostdev" -L "$HOST_WAN" \
		-R "$PPP_LOCAL" -N 1 -o "$SID_OFFSET" -O "$ROUTER_TMP/pppoe-server-options"
	: >"$ROUTER_TMP/pppd.log"
	router_bg PPPD_PID pppd plugin rp-pppoe.so "nic-$dev" ifname "$PPP" \
		user openppe password s3cret noauth nodefaultroute nodetach \
		persist maxfail 5 holdoff 1 lcp-echo-interval 0 noipv6 noccp novj \
		nodeflate nobsdcomp mtu 1492 mru 1492 ip-up-script /bin/true \
		ip-down-script /bin/true logfile "$ROUTER_TMP/pppd.log"
	busywait 120000 ppp_up || return 1
	SID=$(sed -n 's/.*PPP session is \([0-9]*\).*/\1/p' "$ROUTER_TMP/pppd.log" | tail -n 1)
	WAN_MTU=$(cat "/sys/class/net/$PPP/mtu")
}

# stop pppd and everything running in the wan host (the server, its pppd
# and pppoe children, the test's servers)
pppoe_down()
{
	local p

	if [ -n "$PPPD_PID" ]; then
		kill "$PPPD_PID" 2>/dev/null
		wait "$PPPD_PID" 2>/dev/null
		PPPD_PID=
	fi
	if [ -n "$HW" ]; then
		for p in $(ip netns pids "$HW" 2>/dev/null); do
			kill "$p" 2>/dev/null
		done
		busywait 10000 test -z "$(ip netns pids "$HW" 2>/dev/null)"
	fi
	PPP=
	return 0
}

# session_test DEV HOSTDEV: bring the session up through the engine, with
# the ruleset (flowtable on wan and lan1, masquerade out of the ppp device)
# loaded, so that the engine is on while it comes up
session_test()
{
	local dev=$1 hostdev=$2 n

	encap_dmesg_mark
	PPP=$(rand_name ppo)
	router_nft_load -m "$PPP" -c "wan lan1"
	check_err $? "cannot load the ruleset"
	encap_port_snap P0
	pppoe_up "$dev" "$hostdev"
	check_err $? "no PPPoE session on $dev: $(tail -n 5 "$ROUTER_TMP/pppd.log" | tr '\n' ' ')"
	encap_port_snap P1
	encap_port_delta
	[ "$SID" = $((SID_OFFSET + 1)) ]
	check_err $? "pppd reports session id '$SID', pppoe-server -o $SID_OFFSET gives $((SID_OFFSET + 1))"
	[ "$WAN_MTU" = 1492 ]
	check_err $? "$PPP has MTU $WAN_MTU, not 1492"
	n=$(awk -v d="$dev" '$1 ~ /^[0-9A-F]+$/ && $3 == d { n++ } END { print n + 0 }' /proc/net/pppoe)
	[ "$n" -eq 1 ]
	check_err $? "/proc/net/pppoe lists $n sessions on $dev"
	# PADI/PADO/PADR/PADS (0x8863) and LCP/PAP/IPCP session frames are not
	# IP: the engine hands them to the CPU and forwards nothing
	[ "${D[wan.punt_unsupported]}" -gt 0 ] && [ "${D[wan.fwd_rx_packets]}" -eq 0 ] &&
		[ "${D[wan.fwd_tx_packets]}" -eq 0 ]
	check_err $? "wan punt_unsupported +${D[wan.punt_unsupported]}, engine forwarded rx +${D[wan.fwd_rx_packets]} tx +${D[wan.fwd_tx_packets]}"
	log_info "session $SID on $dev ($PPP $PPP_LOCAL peer $HOST_WAN, mtu $WAN_MTU); wan punts while it came up:$(encap_punts wan); engine forwarded ${D[wan.fwd_rx_packets]} rx, ${D[wan.fwd_tx_packets]} tx; $(encap_elapsed) s"
}

flows_test()
{
	local spec=$1 port=$2

	if [ -z "$PPP" ] || [ -z "$SID" ]; then
		check_err 1 "no PPPoE session"
		return
	fi
	encap_dmesg_mark
	encap_set WAN "$spec:$SID"
	encap_set LAN none
	ip netns exec "$HL" ping -q -c 1 -W 5 "$HOST_WAN" >/dev/null
	check_err $? "no ping from the lan host to the PPPoE server through $PPP"
	log_info "masquerade out of $PPP; $WAN_DESC on the wan wire; entries_used before $(router_ppe_stat entries_used)"
	[ "$RET" -eq 0 ] && encap_flows "$port" hw
	log_info "entries_used after: $(router_ppe_stat entries_used); $(encap_elapsed) s"
	router_nft_del
	encap_wire_del
}

# --- the sub-tests ---------------------------------------------------------

pppoe_session()
{
	RET=0
	session_test wan wan-wire
	log_test "PPPoE session on wan up through the engine (control frames punted to the CPU)"
}

pppoe_flows()
{
	RET=0
	flows_test pppoe 5500
	log_test "PPPoE on wan: flows offloaded, the engine pushes and strips the session header"
}

pppoe_vlan_session()
{
	RET=0
	pppoe_down
	encap_link_add wan.100 link wan type vlan id 100 &&
		encap_host_link_add "$HW" hv100 link wan-wire type vlan id 100
	check_err $? "cannot create wan.100 / the wan host's VLAN 100"
	[ "$RET" -eq 0 ] && session_test wan.100 hv100
	log_test "PPPoE session over wan.100 up through the engine"
}

# The lan->wan direction's actions come from the reply tuple's
# encapsulations, which flow_offload_fill_route() (nf_flow_table_core.c)
# stores outermost first: VLAN_PUSH 100, then PPPOE_PUSH; the engine puts the
# session header inside the tag whatever the order.
pppoe_vlan_flows()
{
	RET=0
	flows_test pppoevlan:100 5510
	log_test "PPPoE over wan.100: flows offloaded, the engine pushes and strips tag 100 + session header"
}

setup
run_tests
