#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The DSA board (dts/qemu-virt-openppe-dsa.dtso), as on most OpenWrt routers:
# wan and lan1..lan3 are DSA user ports of a switch whose CPU port, tagged
# with the MediaTek tag, is wired to the engine port eth0 (the conduit).
# IPv4 masquerade from lan1 to wan with a flowtable "flags offload" over the
# user ports; nf_flow_table binds through the conduit and names the user
# ports in its flows (docs/hardware.md section 8):
#  dsa_board   wan and lan1 are DSA user ports of eth0 with the mtk tag, and
#              the driver is found through them
#  cpu_path    before any flowtable binds (eth0 not attached: the engine
#              punts every frame, tag included), a ping and a TCP exchange
#              cross the router through the DSA tagger; the switch forwarded
#              nothing by itself
#  tcp_file    a 1 MiB file over one TCP connection (nc): its first 4 KiB set
#              the flow up, the rest is sent once it is bound
#  udp_stream  UDP in two iperf3 runs from one source port: 10 datagrams set
#              the flow up, 2000 follow once it is bound
#  dsa_entries eth0 is in tag mode; the flows' entries key the source user
#              port and name the destination one (lan1 = 1, wan = 4); no flow
#              was refused; deleting the flowtable takes every entry out
#  switch_unbind  with a UDP flow offloaded, the switch's driver is unbound:
#              the user ports go and their flows leave the engine; bound
#              again, the user ports come back
#  vlan_bridge br-lan with vlan_filtering 1 over lan1..lan3, VLAN 1 the
#              user ports' PVID, egress untagged, the router's address on
#              br-lan.1 (OpenWrt's DSA bridge-vlan configuration): the VLANs
#              are in the switch (its debugfs switch_vlans), which tags the
#              lan frames it sends the CPU with VLAN 1 (hardware.md 8.4);
#              nf_flow_table gives no VLAN for lan1 (DEV_PATH_BR_VLAN_UNTAG_HW)
#              and the lan1 -> wan entries carry KEY_META.SW_VTAG; UDP and
#              TCP both ways as for the flows below; lan1-wire sees no
#              802.1Q frame
# For the flows: [HW_OFFLOAD], one bound ipv4_napt entry per direction with
# the masquerade translation; once bound no packet of the flow reaches the
# CPU (the count after bind is printed and must be 0); per direction,
# engine + CPU = arrived, in packets and bytes; conntrack grows after bind by
# exactly what arrived; engine_hits and the user ports' ethtool
# fwd_rx_packets grow by exactly what the engine forwarded. Counted as in
# e2e_nat.sh: "arrived" in the receiving host's netdev ingress hook, the CPU
# in a netdev ingress chain on the user ports (after the tagger), the engine
# in the debugfs table's entries.
# vm-board: dsa
# vm-timeout: 1200

ALL_TESTS="dsa_board cpu_path tcp_file udp_stream dsa_entries switch_unbind vlan_bridge"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/router.lib"

require_command nft
require_command conntrack
require_command iperf3
require_command nc
require_command ethtool
require_command bridge
router_require

CONDUIT=eth0
WAN_IP=$(router_ip4 0 h)
LAN_IP=$(router_ip4 1 h)
NAT_IP=$(router_ip4 0 r)
RULESET=
BR=br-lan

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
	count_frames_on lan1 wan || exit "$ksft_fail"
}

# the offload ruleset, loaded once, after cpu_path
ruleset()
{
	[ -n "$RULESET" ] && return 0
	router_nft_load -m wan -c "wan lan1" || return 1
	# resolve the neighbours of the hosts and the router before counting
	ip netns exec "$HL" ping -q -c 1 -W 5 "$WAN_IP" >/dev/null || return 1
	RULESET=1
}

# user_port DEV: DEV is a DSA user port of the conduit
user_port()
{
	[ -e "/sys/class/net/$1/lower_$CONDUIT" ] &&
		[ "$(cat "/sys/class/net/$1/iflink")" = "$(cat "/sys/class/net/$CONDUIT/ifindex")" ]
}

dsa_board()
{
	local p tag

	RET=0
	for p in wan lan1 lan2 lan3; do
		user_port "$p"
		check_err $? "$p is not a DSA user port of $CONDUIT"
	done
	tag=$(cat "/sys/class/net/$CONDUIT/dsa/tagging" 2>/dev/null)
	[ "$tag" = mtk ]
	check_err $? "$CONDUIT's DSA tagging is '$tag', expected mtk"
	[ ! -e "/sys/class/net/$CONDUIT-wire" ]
	check_err $? "the conduit has a wire peer"
	[ "$(ppe_of_port lan1)" = "$ROUTER_PPE" ]
	check_err $? "lan1 and wan do not lead to the same PPE"
	log_info "wan, lan1..lan3 on conduit $CONDUIT (tagging $tag);" \
		"PPE $(basename "$ROUTER_PPE"), firmware features $(router_ppe_stat fw_features)"
	log_test "DSA board: user ports on a tagged conduit, PPE found through them"
}

# a file over TCP (nc), without any flowtable
tcp_exchange()
{
	local src out=$ROUTER_TMP/cpu_path.out

	src=$(router_file 64) || return 1
	router_nc_server "$HW" 5009 "$out" || return 1
	ip netns exec "$HL" timeout 60 nc -N "$WAN_IP" 5009 <"$src" || return 1
	busywait 30000 router_file_complete "$out" $((64 * 1024)) || return 1
	[ "$(router_sha "$src")" = "$(router_sha "$out")" ]
}

cpu_path()
{
	local rx0 rx1 punt0 punt1 fwd

	RET=0
	rx0=$(router_dev_stat "" lan1 rx_packets)
	punt0=$(router_port_punts "$CONDUIT")
	ip netns exec "$HL" ping -q -c 3 -W 5 "$WAN_IP" >/dev/null
	check_err $? "no ping from the lan host to the wan host through the tagger"
	tcp_exchange
	check_err $? "TCP through the CPU path failed"
	rx1=$(router_dev_stat "" lan1 rx_packets)
	punt1=$(router_port_punts "$CONDUIT")
	router_port_get lan1 fwd_rx_packets fwd
	[ $((rx1 - rx0)) -ge 3 ]
	check_err $? "lan1 received $((rx1 - rx0)) frames from the tagger"
	[ $((punt1 - punt0)) -ge $((rx1 - rx0)) ]
	check_err $? "the engine punted $((punt1 - punt0)) frames on $CONDUIT," \
		"lan1 received $((rx1 - rx0))"
	[ "${fwd:-x}" = 0 ]
	check_err $? "the engine forwarded '$fwd' frames of lan1 with no flow bound"
	log_info "before binding: lan1 received $((rx1 - rx0)) frames, the engine punted" \
		"$((punt1 - punt0)) on $CONDUIT" \
		"(port_disabled $(router_port_stat "$CONDUIT" punt_port_disabled)), forwarded $fwd"
	log_test "CPU path through the DSA tagger before any flowtable binds"
}

# tcp_flow F SPORT DPORT: a 1 MiB file from the lan1 host to the wan host
# over one TCP connection, offloaded once its first 4 KiB are through
tcp_flow()
{
	local f=$1 sport=$2 dport=$3 kb=1024 ct="-p tcp --sport $2 --dport $3"
	local src out fifo feed_pid nc_pid natport

	src=$(router_file "$kb")
	out=$ROUTER_TMP/$f.out
	fifo=$ROUTER_TMP/$f.fifo
	flow_def "$f" lan1 wan "$HW wan-wire" "$HL lan1-wire"
	flow_counters "$f" "ip saddr $LAN_IP tcp sport $sport tcp dport $dport" \
		"ip saddr $WAN_IP ip daddr $NAT_IP tcp sport $dport" \
		"ip saddr $LAN_IP tcp sport $sport tcp dport $dport" \
		"ip saddr $WAN_IP ip daddr $LAN_IP tcp sport $dport tcp dport $sport" \
		"ip saddr $NAT_IP ip daddr $WAN_IP tcp dport $dport" \
		"ip saddr $WAN_IP ip daddr $LAN_IP tcp sport $dport tcp dport $sport"
	check_err $? "cannot set up the counters"

	router_nc_server "$HW" "$dport" "$out"
	check_err $? "nc server did not start"
	mkfifo "$fifo"
	router_bg feed_pid router_feed "$src" "$ROUTER_TMP/go" "$ROUTER_TMP/stop" 1<>"$fifo"
	router_bg nc_pid ip netns exec "$HL" nc -p "$sport" "$WAN_IP" "$dport" <>"$fifo"

	# shellcheck disable=SC2086
	router_wait_hw 60000 $ct
	check_err $? "the TCP flow never became [HW_OFFLOAD]" \
		"(refused_dsa_port $(router_ppe_stat refused_dsa_port)," \
		"refused_foreign_port $(router_ppe_stat refused_foreign_port))"
	busywait 60000 router_file_complete "$out" 4096
	check_err $? "the first 4 KiB did not arrive"
	natport=$(router_ct_field_s reply dport "$ct")
	flow_keys "$f" "$LAN_IP:$sport $WAN_IP:$dport" "$WAN_IP:$dport $NAT_IP:$natport"
	check_entries "$f" ipv4_napt "$NAT_IP:$natport $WAN_IP:$dport" \
		"$WAN_IP:$dport $LAN_IP:$sport"
	router_tcp_bulk "$f" "$ct" "$src" "$out" "$kb" "$ROUTER_TMP/go"

	check_totals "$f" "$ct"
	check_bound_phase "$f" slowpath
	# shellcheck disable=SC2086
	router_ct_hw $ct
	check_err $? "the flow is no longer [HW_OFFLOAD] after the transfer"

	touch "$ROUTER_TMP/stop"
	kill "$nc_pid" "$feed_pid" 2>/dev/null
	rm -f "$ROUTER_TMP/stop" "$ROUTER_TMP/go"
}

tcp_file()
{
	RET=0
	ruleset
	check_err $? "cannot load the offload ruleset"
	tcp_flow tcp 40001 5001
	[ "$RET" -eq 0 ] || router_dump
	log_test "TCP file lan1 -> wan (DSA user ports), masquerade: bound," \
		"0 packets to the CPU after bind, exact counters, sha256 equal"
}

udp_stream()
{
	RET=0
	ruleset
	check_err $? "cannot load the offload ruleset"
	udp_flow udp ipv4_napt "$HL lan1-wire lan1" "$HW wan-wire wan" \
		"$LAN_IP 40003" "$WAN_IP 5201" "$WAN_IP 5201" "$NAT_IP"
	log_test "UDP lan1 -> wan (DSA user ports), masquerade: bound," \
		"0 datagrams to the CPU after bind, exact counters, none lost"
}

entries_gone()
{
	[ "$(router_entries)" -eq 0 ]
}

dsa_entries()
{
	local regs n_out n_in refused

	RET=0
	ruleset
	check_err $? "cannot load the offload ruleset"
	regs=$(router_ppe_dfs)/regs
	grep -Eq "PORT0 +CTRL 0x1 .* TAG 1$" "$regs"
	check_err $? "$CONDUIT (engine port 0) is not enabled in tag mode:" \
		"$(grep -E 'PORT0 ' "$regs")"
	# the UDP flow stays (flow timeouts are 600 s): lan1 -> wan keys
	# user port 1 and names 4, its reply the other way round
	n_out=$(grep -c ' sw_in 1 sw_out 4 ' "$(router_ppe_dfs)/table")
	n_in=$(grep -c ' sw_in 4 sw_out 1 ' "$(router_ppe_dfs)/table")
	[ "$n_out" -ge 1 ] && [ "$n_in" -ge 1 ]
	check_err $? "entries lan1 -> wan: $n_out, wan -> lan1: $n_in (expected at least one each)"
	refused=$(router_ppe_stat refused_dsa_port)
	[ "$refused" = 0 ] && [ "$(router_ppe_stat refused_foreign_port)" = 0 ]
	check_err $? "flows refused: dsa_port $refused," \
		"foreign_port $(router_ppe_stat refused_foreign_port)"
	log_info "$CONDUIT in tag mode; entries lan1 -> wan (sw_in 1 sw_out 4): $n_out," \
		"wan -> lan1 (sw_in 4 sw_out 1): $n_in;" \
		"lan1 fwd_rx $(router_port_stat lan1 fwd_rx_packets)" \
		"fwd_tx $(router_port_stat lan1 fwd_tx_packets)," \
		"wan fwd_rx $(router_port_stat wan fwd_rx_packets)" \
		"fwd_tx $(router_port_stat wan fwd_tx_packets)"

	router_nft_del
	RULESET=
	busywait 30000 entries_gone
	check_err $? "$(router_entries) entries left after the flowtable was deleted"
	[ "$RET" -eq 0 ] || router_dump
	log_test "DSA entries: conduit in tag mode, source and destination user ports" \
		"in the entries, none refused, flushed at unbind"
}

lan1_back()
{
	[ -e /sys/class/net/lan1 ] && [ -e /sys/class/net/lan1-wire ]
}

switch_unbind()
{
	local drv=/sys/bus/platform/drivers/openppe_sim_switch sw n
	local ct="-p udp --sport 40007 --dport 5302"

	RET=0
	sw=$(basename "$(readlink -f /sys/class/net/lan1/device)")
	ruleset
	check_err $? "cannot load the offload ruleset"
	router_iperf_server "$HW" "$WAN_IP" 5302
	check_err $? "iperf3 server did not start"
	ip netns exec "$HL" iperf3 -c "$WAN_IP" -p 5302 -u -b 1M -l 1200 -k 50 \
		--cport 40007 >"$ROUTER_TMP/unbind.log" 2>&1
	check_err $? "iperf3 UDP failed: $(tail -n 1 "$ROUTER_TMP/unbind.log")"
	# shellcheck disable=SC2086
	router_wait_hw 60000 $ct
	check_err $? "the UDP flow never became [HW_OFFLOAD]"
	n=$(router_entries)
	[ "$n" -ge 2 ]
	check_err $? "$n entries bound before the unbind"

	echo "$sw" >"$drv/unbind"
	check_err $? "cannot unbind switch $sw"
	[ ! -e /sys/class/net/lan1 ] && [ ! -e /sys/class/net/wan ]
	check_err $? "the user ports are still there"
	busywait 30000 entries_gone
	check_err $? "$(router_entries) entries left after the switch went"
	log_info "switch $sw unbound with $n entries bound: $(router_entries) left"
	RULESET=

	echo "$sw" >"$drv/bind"
	check_err $? "cannot bind switch $sw again"
	busywait 30000 lan1_back
	check_err $? "lan1 and its wire did not come back"
	[ "$RET" -eq 0 ] || router_dump
	log_test "switch unbound with flows offloaded: their entries leave the engine; bound again"
}

# wire_home NS PORT IDX: PORT's wire in host namespace NS with the host's
# addresses, PORT's own addresses gone (the switch_unbind case made both
# anew in the root namespace, with GRO on: router_nft_load -c turns it off
# again on the counted ports)
wire_home()
{
	if [ -e "/sys/class/net/$2-wire" ]; then
		ip link set "$2-wire" netns "$1" || return 1
		router_host_addr "$1" "$2-wire" "$3" || return 1
	fi
	ip addr flush dev "$2" && ip link set "$2" up
}

# sw_vlans PORT: PORT's line of the switch's VLAN table (emulator debugfs)
sw_vlans()
{
	grep "^$1-wire " "$(sim_dfs_of_port wan)/switch_vlans"
}

# the lan1 host's frames with an 802.1Q tag, and all of them; first the
# hosts' netdev counting chains of the earlier cases go: they hook wires that
# switch_unbind replaced, and adding a chain of that name for the new wire
# fails (EEXIST)
vlan_wire_counters()
{
	local ns

	for ns in "$HL" "$HW"; do
		ip netns exec "$ns" nft delete table netdev "$ROUTER_NFT" 2>/dev/null
	done
	router_host_rx_counters "$HL" lan1-wire "lan_tagged ether type 8021q" \
		"lan_all meta l4proto { tcp, udp }"
}

vlan_bridge_setup()
{
	local p

	wire_home "$HW" wan 0 && wire_home "$HL" lan1 1 || return 1
	ip addr show dev wan | grep -q "inet $NAT_IP/" || router_port_addr wan 0 || return 1
	ip link add "$BR" type bridge vlan_filtering 1 vlan_default_pvid 1 || return 1
	router_link_track "$BR"
	for p in lan1 lan2 lan3; do
		ip link set "$p" master "$BR" || return 1
	done
	# OpenWrt's bridge-vlan: the bridge a tagged member, br-lan.1 on top
	bridge vlan del dev "$BR" vid 1 self &&
		bridge vlan add dev "$BR" vid 1 self || return 1
	ip link add link "$BR" name "$BR.1" type vlan id 1 || return 1
	ip link set "$BR" up && router_port_addr "$BR.1" 1
}

vlan_bridge()
{
	local p line n_vt n_plain

	RET=0
	router_nft_del
	RULESET=
	vlan_bridge_setup
	check_err $? "cannot set up $BR"
	for p in lan1 lan2 lan3; do
		line=$(sw_vlans "$p")
		[ "$line" = "$p-wire filtering 1 pvid 1 vlans 1u" ]
		check_err $? "$p in the switch: '$line'"
	done
	log_info "switch: $(sw_vlans lan1); bridge: $(bridge vlan show dev lan1 | tr -s ' \n' ' ')"
	router_nft_load -d "wan lan1 lan2 lan3" -m wan -c "wan lan1"
	check_err $? "cannot load the offload ruleset"
	vlan_wire_counters
	check_err $? "cannot count on lan1-wire"
	ip netns exec "$HL" ping -q -c 2 -W 5 "$WAN_IP" >/dev/null
	check_err $? "no ping from the lan host through $BR.1"

	udp_flow vudp ipv4_napt "$HL lan1-wire lan1" "$HW wan-wire wan" \
		"$LAN_IP 40011" "$WAN_IP 5211" "$WAN_IP 5211" "$NAT_IP"
	tcp_flow vtcp 40012 5012

	# the UDP flow stays: lan1 -> wan keyed without the switch's tag,
	# wan -> lan1 without one to skip; nothing keys a VLAN
	n_vt=$(grep -c ' sw_in 1 sw_out 4 sw_vtag ' "$(router_ppe_dfs)/table")
	n_plain=$(grep -c ' vlan 0 .* sw_in 4 sw_out 1 dmac' "$(router_ppe_dfs)/table")
	[ "$n_vt" -ge 1 ] && [ "$n_plain" -ge 1 ] &&
		! grep -q ' bound .* sw_in 1 sw_out 4 dmac' "$(router_ppe_dfs)/table"
	check_err $? "entries lan1 -> wan with sw_vtag: $n_vt, wan -> lan1: $n_plain" \
		"(expected at least 1 each, and no lan1 -> wan entry without sw_vtag)"
	[ "$(router_counter lan_tagged "$HL")" = 0 ] &&
		[ "$(router_counter lan_all "$HL")" -gt 0 ]
	check_err $? "lan1-wire got $(router_counter lan_tagged "$HL") tagged frames" \
		"of $(router_counter lan_all "$HL")"
	log_info "entries lan1 -> wan (sw_vtag): $n_vt, wan -> lan1: $n_plain;" \
		"lan1-wire: $(router_counter lan_all "$HL") TCP/UDP frames," \
		"$(router_counter lan_tagged "$HL") tagged"
	[ "$RET" -eq 0 ] || router_dump
	log_test "VLAN-filtering $BR over lan1..lan3, VLANs in the switch: UDP and TCP" \
		"offloaded, the switch's tag not in the key, lan1-wire untagged"
}

setup
run_tests
