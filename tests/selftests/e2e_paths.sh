#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# User paths through the offload that the other end-to-end tests leave out,
# each counted packet by packet:
#  tcp6_file       a 1 MiB file over TCP through IPv6 masquerade (NAT66): the
#                  connection becomes [HW_OFFLOAD] with one bound ipv6_napt
#                  entry per direction carrying the translation; once bound
#                  no packet reaches the CPU or the forward chain; per
#                  direction engine + CPU = arrived (packets and bytes),
#                  conntrack grows by what arrived; sha256 equal; the wan
#                  host sees the router's address and the NAT port
#  snat_udp        an explicit "snat to" an address that is on no interface
#                  (198.51.100.7, routed to the router by the wan host):
#                  ipv4_napt entries translating to it, every datagram on the
#                  wire carries it, the server sees it; exact counts
#  punts           a bound UDP flow (wan MTU 1280) gets datagrams the engine
#                  must not forward: TTL 1 (ICMP time exceeded back, none
#                  forwarded), IP options (forwarded with them), fragments
#                  (reassembled and forwarded), over the egress MTU without
#                  DF (fragmented by the CPU) and with DF (ICMP frag-needed
#                  back, none forwarded): each counted in exactly its
#                  engine punt counter and at the CPU, the bound entry
#                  untouched; the flow's ordinary datagrams meanwhile and
#                  after stay the engine's (CPU +0)
#  punts6          the IPv6 analogue for the hop limit: a bound UDP flow
#                  through IPv6 masquerade gets 3 datagrams with hop limit
#                  1: each punted (punt_ttl), the router answers ICMPv6 time
#                  exceeded, none forwarded, the bound entry untouched; the
#                  flow's other datagrams before and after stay the
#                  engine's (CPU +0)
#  nexthop_mac     the wan host changes its MAC (and announces it by
#                  gratuitous ARP) under a bound UDP flow: the driver
#                  rewrites the lan -> wan entry in place (nexthop_updates
#                  + 1, no new install), every later datagram goes to the
#                  new MAC through the engine (CPU + 0), none to the old one
#  refusal_dyndbg  a flow to a device of no engine is refused (refused_
#                  foreign_port +2, both directions) and delivered by the
#                  CPU; with dynamic debug on for the module the kernel log
#                  names the reason, with it off the same refusal logs nothing
#  engine_error    a register access of the engine fails (the sim's one-shot
#                  inject_reg_error) while a new flow is installed: refused_
#                  engine_error + 1, the engine goes fail-safe and recovers,
#                  the flow is offloaded on a later offer, every datagram
#                  delivered, engine + CPU = arrived
#  cache_reject    the entry cache rejects every command (the sim's sticky
#                  cache_reject) when a new flow is installed: cache_errors
#                  and refused_engine_error count it, the engine is off
#                  (degraded) and the CPU forwards every datagram (engine_
#                  hits + 0); once the cache accepts again the driver
#                  recovers and the flow is offloaded; none lost, engine +
#                  CPU = arrived
#  table_errors    the engine meets an unusable entry (the sim's corrupt_
#                  entry action gives a bound flow's lan -> wan entry an
#                  undefined type) for each of 3 datagrams, sent one at a
#                  time: each is punted (punt_bad_entry + 1), raises TBL_ERR
#                  on the engine's interrupt line, and the driver's handler
#                  counts it (table_errors + 1), logs its warning and
#                  acknowledges it; the CPU forwards the 3; the entry
#                  restored, the flow is the engine's again (CPU + 0); none
#                  lost, engine + CPU = arrived
#  no_memory       the driver's per-flow allocation fails (fail_function on
#                  openppe_flow_alloc, 3 times) for a new flow's first 3
#                  REPLACEs: refused_no_memory + 3; while failures are left
#                  no entry, no install, not [HW_OFFLOAD], every datagram
#                  delivered by the CPU; no back-off (backoff_refusals + 0,
#                  that is for a full table): the next offer installs it,
#                  then the engine forwards the flow; engine + CPU = arrived
# Where things are counted: "arrived" in the receiving host's netdev ingress
# hook (frames off the wire) or, for whole datagrams, its input hook (after
# reassembly); "sent" in the sender's output hook; the CPU in a netdev
# ingress chain on the router's ports; the engine in the debugfs table
# entries and the port's ethtool -S punt_* counters.
# vm-timeout: 900

ALL_TESTS="tcp6_file snat_udp punts punts6 nexthop_mac refusal_dyndbg engine_error cache_reject"
ALL_TESTS+=" table_errors no_memory"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/router.lib"

require_command nft
require_command conntrack
require_command iperf3
require_command nc
require_command socat
require_command ethtool
router_require

WAN_IP=$(router_ip4 0 h)
LAN_IP=$(router_ip4 1 h)
NAT_IP=$(router_ip4 0 r)
WAN6=$(router_ip6 0 h)
LAN6=$(router_ip6 1 h)
NAT6=$(router_ip6 0 r)
SNAT_IP=198.51.100.7
SIMD=$(sim_dfs_of_port wan)
DDC=/sys/kernel/debug/dynamic_debug/control
FF=/sys/kernel/debug/fail_function
ICMP_RL=
ICMP6_RL=

cleanup()
{
	[ -n "${ROUTER_TMP:-}" ] && [ -d "$ROUTER_TMP" ] && touch "$ROUTER_TMP/stop"
	echo 0 2>/dev/null >"$SIMD/inject_reg_error"
	echo 0 2>/dev/null >"$SIMD/cache_reject"
	echo 2>/dev/null >"$FF/inject"
	echo 'module openppe -p' >"$DDC" 2>/dev/null
	[ -n "$ICMP_RL" ] && sysctl -qw "net.ipv4.icmp_ratelimit=$ICMP_RL"
	[ -n "$ICMP6_RL" ] && sysctl -qw "net.ipv6.icmp.ratelimit=$ICMP6_RL"
	ip link set wan mtu 1500 2>/dev/null
	router_accounting_cleanup
}
trap cleanup EXIT

setup()
{
	[ -d "$SIMD" ] || board_fail "no sim debugfs at $SIMD"
	[ -w "$DDC" ] || board_fail "no dynamic debug control at $DDC"
	router_init
	router_accounting_init || exit "$ksft_fail"
	router_host HW wan 0 || exit "$ksft_fail"
	router_host HL lan1 1 || exit "$ksft_fail"
	# resolve the neighbours of the hosts and the router before counting
	ip netns exec "$HL" ping -q -c 1 -W 5 "$WAN_IP" >/dev/null &&
	ip netns exec "$HL" ping -6 -q -c 1 -W 5 "$WAN6" >/dev/null ||
		exit "$ksft_fail"
}

stat_is()
{
	[ "$(router_ppe_stat "$1")" = "$2" ]
}

stat_above()
{
	[ "$(router_ppe_stat "$1")" -gt "$2" ]
}

# udp_burst NS DST DPORT SPORT N SIZE [SOCAT_OPTS]: N datagrams of SIZE bytes
# from NS's port SPORT to DST:DPORT, one socket (unconnected: ICMP errors do
# not end it); SOCAT_OPTS (",ttl=1", ...) are socket options of socat's
# address. socat reads SIZE bytes at a time from a pipe written SIZE bytes
# at a time (atomically, SIZE <= PIPE_BUF): one datagram each.
udp_burst()
{
	local ns=$1 dst=$2 dport=$3 sport=$4 n=$5 size=$6 opts=${7:-} addr pl i

	addr="UDP4-SENDTO:$dst:$dport"
	case $dst in *:*) addr="UDP6-SENDTO:[$dst]:$dport" ;; esac
	pl=$(printf "%0${size}d" 0)
	for ((i = 0; i < n; i++)); do
		printf '%s' "$pl"
	done | ip netns exec "$ns" socat -b "$size" -u STDIN \
		"$addr,sourceport=$sport,reuseaddr$opts"
}

# ---------------------------------------------------------------------------

tcp6_file()
{
	local sport=40011 dport=5011 kb=1024 ct="-f ipv6 -p tcp --sport 40011 --dport 5011"
	local src out fifo feed_pid nc_pid srv_pid natport peer

	RET=0
	router_nft_load -M wan -c "wan lan1"
	check_err $? "cannot load the ruleset"
	src=$(router_file "$kb")
	out=$ROUTER_TMP/tcp6.out
	fifo=$ROUTER_TMP/tcp6.fifo
	flow_def tcp6 lan1 wan "$HW wan-wire" "$HL lan1-wire"
	# handshake retransmissions reach the far end; conntrack does not
	# count them (e2e_nat tcp_file)
	FL[tcp6.onft]=$(router_host_rx_nft wan-wire syn_tcp6_o \
		"ip6 saddr $NAT6 tcp dport $dport tcp flags & syn == syn")
	FL[tcp6.rnft]=$(router_host_rx_nft lan1-wire syn_tcp6_r \
		"ip6 daddr $LAN6 tcp sport $dport tcp flags & syn == syn")
	flow_counters tcp6 "ip6 saddr $LAN6 tcp sport $sport tcp dport $dport" \
		"ip6 saddr $WAN6 ip6 daddr $NAT6 tcp sport $dport" \
		"ip6 saddr $LAN6 tcp sport $sport tcp dport $dport" \
		"ip6 saddr $WAN6 ip6 daddr $LAN6 tcp sport $dport tcp dport $sport" \
		"ip6 saddr $NAT6 ip6 daddr $WAN6 tcp dport $dport" \
		"ip6 saddr $WAN6 ip6 daddr $LAN6 tcp sport $dport tcp dport $sport"
	check_err $? "cannot set up the counters"

	router_bg srv_pid ip netns exec "$HW" nc -6 -l "$dport" >"$out"
	router_nc_wait "$dport" "$HW"
	check_err $? "nc server did not start"
	mkfifo "$fifo"
	router_bg feed_pid router_feed "$src" "$ROUTER_TMP/go6" "$ROUTER_TMP/stop" 1<>"$fifo"
	router_bg nc_pid ip netns exec "$HL" nc -6 -p "$sport" "$WAN6" "$dport" <>"$fifo"

	# shellcheck disable=SC2086
	router_wait_hw 60000 $ct
	check_err $? "the TCP flow never became [HW_OFFLOAD]"
	busywait 60000 router_file_complete "$out" 4096
	check_err $? "the first 4 KiB did not arrive"
	natport=$(router_ct_field_s reply dport "$ct")
	flow_keys tcp6 "[$LAN6]:$sport [$WAN6]:$dport" "[$WAN6]:$dport [$NAT6]:$natport"
	check_entries tcp6 ipv6_napt "[$NAT6]:$natport [$WAN6]:$dport" \
		"[$WAN6]:$dport [$LAN6]:$sport"
	router_tcp_bulk tcp6 "$ct" "$src" "$out" "$kb" "$ROUTER_TMP/go6" " over IPv6"
	check_totals_handshake tcp6 "$ct"
	check_bound_phase tcp6 slowpath
	# shellcheck disable=SC2086
	router_ct_hw $ct
	check_err $? "the flow is no longer [HW_OFFLOAD] after the transfer"
	peer=$(ip netns exec "$HW" ss -Htn state established "sport = :$dport" |
		awk '{ print $4 }')
	[ "$peer" = "[$NAT6]:$natport" ]
	check_err $? "the wan host sees peer '$peer', expected [$NAT6]:$natport"
	log_info "the wan host sees $peer for lan host [$LAN6]:$sport"

	touch "$ROUTER_TMP/stop"
	kill "$nc_pid" "$feed_pid" "$srv_pid" 2>/dev/null
	[ "$RET" -eq 0 ] || router_dump
	log_test "TCP file through IPv6 masquerade: ipv6_napt, 0 packets to the CPU" \
		"after bind, exact counters, sha256 equal"
}

snat_udp()
{
	RET=0
	ip -netns "$HW" route replace "$SNAT_IP/32" via "$NAT_IP"
	check_err $? "cannot route $SNAT_IP to the router in the wan host"
	router_nft_load -c "wan lan1" -s wan "$SNAT_IP"
	check_err $? "cannot load the ruleset"
	udp_flow snat ipv4_napt "$HL lan1-wire lan1" "$HW wan-wire wan" \
		"$LAN_IP 40021" "$WAN_IP 5202" "$WAN_IP 5202" "$SNAT_IP"
	log_test "UDP through snat to $SNAT_IP: ipv4_napt to it, 0 to the CPU after bind," \
		"exact counters"
}

# ---------------------------------------------------------------------------
# punts

PT_SPORT=41100
PT_DPORT=5400
PT_KEY=
declare -A Q Q0

# pt_read: the punt tests' counters into Q: the lan1 port's punt_* and
# fwd_rx_packets (ethtool -S), every named counter of the router and the
# hosts, and the packets of the flow's lan -> wan entry, key PT_KEY (eng)
pt_read()
{
	local k v

	Q=()
	while read -r k v; do
		case $k in
		punt_*: | fwd_rx_packets:) Q[${k%:}]=$v ;;
		esac
	done < <(ethtool -S lan1)
	C=()
	router_counters_read
	router_counters_read "$HW"
	router_counters_read "$HL"
	for k in "${!C[@]}"; do
		Q[$k]=${C[$k]}
	done
	Q[eng]=$(router_entry_packets "$PT_KEY")
}

pt_mark()
{
	local k

	pt_read
	Q0=()
	for k in "${!Q[@]}"; do
		Q0[$k]=${Q[$k]}
	done
}

# pt_grew "NAME=N ...": every counter NAME grew by exactly N since pt_mark
# (PT_GOT says by how much)
pt_grew()
{
	local kv n

	pt_read
	PT_GOT=
	PT_BAD=
	for kv in $1; do
		n=$((${Q[${kv%=*}]:-0} - ${Q0[${kv%=*}]:-0}))
		PT_GOT+=" ${kv%=*}+$n"
		[ "$n" -eq "${kv#*=}" ] || PT_BAD=1
	done
	[ -z "${PT_BAD:-}" ]
}

# pt_expect WHAT "NAME=N ...": pt_grew, polled (frames and ICMP errors are
# still on their way for a moment)
pt_expect()
{
	local what=$1 want=$2

	busywait 10000 pt_grew "$want"
	check_err $? "$what: expected $want, counted$PT_GOT"
	log_info "$what:$PT_GOT"
}

# pt_bind DST DPORT SPORT CT_ARGS...: 5 datagrams from the lan host make the
# flow [HW_OFFLOAD] (conntrack -L CT_ARGS) with its lan -> wan entry PT_KEY
pt_bind()
{
	local dst=$1 dport=$2 sport=$3

	shift 3
	udp_burst "$HL" "$dst" "$dport" "$sport" 5 400
	check_err $? "the set-up datagrams were not sent"
	router_wait_hw 60000 "$@"
	check_err $? "the UDP flow never became [HW_OFFLOAD]"
	busywait 10000 router_entry "$PT_KEY" >/dev/null
	check_err $? "no bound entry for the flow"
}

punts()
{
	local ms="ip saddr $NAT_IP ip daddr $WAN_IP"
	local -a ct=(-p udp --sport "$PT_SPORT" --dport "$PT_DPORT")
	local zero="punt_ttl=0 punt_frag=0 punt_ip_options=0 punt_mtu=0"

	RET=0
	PT_KEY="$LAN_IP:$PT_SPORT -> $WAN_IP:$PT_DPORT"
	ICMP_RL=$(sysctl -n net.ipv4.icmp_ratelimit)
	# every ICMP error the router owes is sent, not rate limited
	sysctl -qw net.ipv4.icmp_ratelimit=0
	# before the flow exists: nf_flow_table keeps the route's MTU with it
	ip link set wan mtu 1280
	check_err $? "cannot set wan's MTU to 1280"
	router_nft_load -m wan -c "wan lan1"
	check_err $? "cannot load the ruleset"
	{
		echo "add counter netdev $ROUTER_NFT pt_cpu"
		echo "add rule netdev $ROUTER_NFT tocpu iifname \"lan1\"" \
			"ip saddr $LAN_IP ip daddr $WAN_IP counter name pt_cpu"
	} | nft -f - &&
	{
		router_host_tx_nft pt_tx "ip daddr $WAN_IP udp dport $PT_DPORT"
		router_host_rx_nft lan1-wire pt_te "icmp type time-exceeded"
		echo "add counter netdev $ROUTER_NFT pt_fn"
		echo "add rule netdev $ROUTER_NFT rx_lan1_wire icmp type destination-unreachable" \
			"icmp code frag-needed counter name pt_fn"
	} | ip netns exec "$HL" nft -f - &&
	{
		router_host_rx_nft wan-wire pt_rxf "$ms"
		echo "add counter netdev $ROUTER_NFT pt_opt"
		echo "add rule netdev $ROUTER_NFT rx_wan_wire $ms ip hdrlength 6" \
			"udp dport $PT_DPORT counter name pt_opt"
		# whole datagrams, after reassembly; dropped: no ICMP back
		echo "add table inet $ROUTER_NFT"
		echo "add chain inet $ROUTER_NFT input" \
			"{ type filter hook input priority 0; policy accept; }"
		echo "add counter inet $ROUTER_NFT pt_dg"
		echo "add rule inet $ROUTER_NFT input udp dport $PT_DPORT counter name pt_dg drop"
	} | ip netns exec "$HW" nft -f -
	check_err $? "cannot set up the counters"

	pt_bind "$WAN_IP" "$PT_DPORT" "$PT_SPORT" "${ct[@]}"

	pt_mark
	udp_burst "$HL" "$WAN_IP" "$PT_DPORT" "$PT_SPORT" 20 400
	pt_expect "bound, 20 datagrams" "pt_tx=20 eng=20 pt_cpu=0 pt_dg=20 fwd_rx_packets=20 $zero"

	pt_mark
	udp_burst "$HL" "$WAN_IP" "$PT_DPORT" "$PT_SPORT" 3 400 ",ttl=1"
	pt_expect "TTL 1, 3 datagrams" \
		"pt_tx=3 punt_ttl=3 pt_cpu=3 pt_te=3 pt_dg=0 pt_rxf=0 eng=0"

	pt_mark
	udp_burst "$HL" "$WAN_IP" "$PT_DPORT" "$PT_SPORT" 3 400 ",ip-options=x01010100"
	pt_expect "IP options, 3 datagrams" \
		"pt_tx=3 punt_ip_options=3 pt_cpu=3 pt_dg=3 pt_opt=3 eng=0"

	pt_mark
	udp_burst "$HL" "$WAN_IP" "$PT_DPORT" "$PT_SPORT" 3 2000
	pt_expect "fragments (3 datagrams of 2000 bytes, 2 fragments each on lan1)" \
		"pt_tx=3 punt_frag=6 pt_cpu=6 pt_dg=3 eng=0"

	pt_mark
	udp_burst "$HL" "$WAN_IP" "$PT_DPORT" "$PT_SPORT" 2 1400 ",mtudiscover=0"
	pt_expect "1428-byte packets without DF, egress MTU 1280 (2 fragments each on wan)" \
		"pt_tx=2 punt_mtu=2 pt_cpu=2 pt_dg=2 pt_rxf=4 eng=0"

	pt_mark
	udp_burst "$HL" "$WAN_IP" "$PT_DPORT" "$PT_SPORT" 1 1400 ",mtudiscover=2"
	pt_expect "a 1428-byte packet with DF, egress MTU 1280" \
		"pt_tx=1 punt_mtu=1 pt_cpu=1 pt_fn=1 pt_dg=0 pt_rxf=0 eng=0"

	pt_mark
	udp_burst "$HL" "$WAN_IP" "$PT_DPORT" "$PT_SPORT" 20 400
	pt_expect "bound after the punts, 20 datagrams" \
		"pt_tx=20 eng=20 pt_cpu=0 pt_dg=20 fwd_rx_packets=20 $zero"
	router_ct_hw "${ct[@]}"
	check_err $? "the flow is no longer [HW_OFFLOAD]"

	ip link set wan mtu 1500
	sysctl -qw "net.ipv4.icmp_ratelimit=$ICMP_RL"
	ICMP_RL=
	[ "$RET" -eq 0 ] || router_dump
	log_test "punts of a bound flow: TTL 1, IP options, fragments, MTU with and" \
		"without DF handled by the CPU, the rest offloaded"
}

# hosts_nft_reset: the hosts' counter tables of an earlier test go, so that
# its rules neither count nor drop what the next test sends
hosts_nft_reset()
{
	local ns fam

	for ns in "$HL" "$HW"; do
		for fam in inet netdev; do
			ip netns exec "$ns" nft delete table "$fam" "$ROUTER_NFT" 2>/dev/null
		done
	done
	return 0
}

punts6()
{
	local sport=41110 dport=5410
	local ms="ip6 saddr $NAT6 ip6 daddr $WAN6 udp dport $dport"
	local -a ct=(-f ipv6 -p udp --sport "$sport" --dport "$dport")
	local zero="punt_ttl=0 punt_frag=0 punt_ip_options=0 punt_mtu=0"

	RET=0
	PT_KEY="[$LAN6]:$sport -> [$WAN6]:$dport"
	ICMP6_RL=$(sysctl -n net.ipv6.icmp.ratelimit)
	# every ICMPv6 error the router owes is sent, not rate limited
	sysctl -qw net.ipv6.icmp.ratelimit=0
	router_nft_load -M wan -c "wan lan1"
	check_err $? "cannot load the ruleset"
	hosts_nft_reset
	{
		echo "add counter netdev $ROUTER_NFT p6_cpu"
		echo "add rule netdev $ROUTER_NFT tocpu iifname \"lan1\"" \
			"ip6 saddr $LAN6 ip6 daddr $WAN6 udp dport $dport counter name p6_cpu"
	} | nft -f - &&
	{
		router_host_tx_nft p6_tx "ip6 daddr $WAN6 udp dport $dport"
		router_host_rx_nft lan1-wire p6_te "icmpv6 type time-exceeded"
	} | ip netns exec "$HL" nft -f - &&
	{
		router_host_rx_nft wan-wire p6_rxf "$ms"
		echo "add table inet $ROUTER_NFT"
		echo "add chain inet $ROUTER_NFT input" \
			"{ type filter hook input priority 0; policy accept; }"
		echo "add counter inet $ROUTER_NFT p6_dg"
		echo "add rule inet $ROUTER_NFT input udp dport $dport counter name p6_dg drop"
	} | ip netns exec "$HW" nft -f -
	check_err $? "cannot set up the counters"

	pt_bind "$WAN6" "$dport" "$sport" "${ct[@]}"

	pt_mark
	udp_burst "$HL" "$WAN6" "$dport" "$sport" 20 400
	pt_expect "bound, 20 datagrams" \
		"p6_tx=20 eng=20 p6_cpu=0 p6_dg=20 p6_rxf=20 fwd_rx_packets=20 $zero"

	pt_mark
	udp_burst "$HL" "$WAN6" "$dport" "$sport" 3 400 ",ipv6-unicast-hops=1"
	pt_expect "hop limit 1, 3 datagrams" \
		"p6_tx=3 punt_ttl=3 p6_cpu=3 p6_te=3 p6_dg=0 p6_rxf=0 eng=0 fwd_rx_packets=0"

	pt_mark
	udp_burst "$HL" "$WAN6" "$dport" "$sport" 20 400
	pt_expect "bound after the punts, 20 datagrams" \
		"p6_tx=20 eng=20 p6_cpu=0 p6_dg=20 p6_rxf=20 fwd_rx_packets=20 $zero"
	router_ct_hw "${ct[@]}"
	check_err $? "the flow is no longer [HW_OFFLOAD]"

	sysctl -qw "net.ipv6.icmp.ratelimit=$ICMP6_RL"
	ICMP6_RL=
	[ "$RET" -eq 0 ] || router_dump
	log_test "hop limit 1 on a bound IPv6 flow: punted, ICMPv6 time exceeded from" \
		"the CPU, none forwarded, the rest offloaded"
}

# ---------------------------------------------------------------------------

NH_NEW=02:00:5e:10:00:01

nh_neigh_new()
{
	ip neigh show "$WAN_IP" dev wan | grep -qi "lladdr $NH_NEW"
}

# nh_read: NH = "to_old to_new accepted cpu engine" of the flow
nh_read()
{
	C=()
	router_counters_read
	router_counters_read "$HW"
	NH="${C[nh_old]:-} ${C[nh_new]:-} ${C[nh_dg]:-} ${C[nh_cpu]:-}"
	NH+=" $(router_entry_packets "$LAN_IP:41400 -> $WAN_IP:5440")"
}

nh_accepted()
{
	local d

	nh_read
	read -r _ _ d _ <<<"$NH"
	[ "$d" -eq "$1" ]
}

nexthop_mac()
{
	local sport=41400 dport=5440 old o0 n0 d0 c0 e0 o n d c e u0 i0 r0
	local -a ct=(-p udp --sport 41400 --dport 5440)

	RET=0
	router_nft_load -m wan -c "wan lan1"
	check_err $? "cannot load the ruleset"
	old=$(ip -netns "$HW" link show wan-wire | awk '/link\/ether/ { print $2 }')
	{
		echo "add counter netdev $ROUTER_NFT nh_cpu"
		echo "add rule netdev $ROUTER_NFT tocpu iifname \"lan1\"" \
			"ip saddr $LAN_IP udp sport $sport counter name nh_cpu"
	} | nft -f - &&
	{
		router_host_rx_nft wan-wire nh_old "ether daddr $old udp dport $dport"
		echo "add counter netdev $ROUTER_NFT nh_new"
		echo "add rule netdev $ROUTER_NFT rx_wan_wire ether daddr $NH_NEW" \
			"udp dport $dport counter name nh_new"
		# what the wan host's stack accepts (addressed to its MAC)
		echo "add table inet $ROUTER_NFT"
		echo "add chain inet $ROUTER_NFT input" \
			"{ type filter hook input priority 0; policy accept; }"
		echo "add counter inet $ROUTER_NFT nh_dg"
		echo "add rule inet $ROUTER_NFT input udp dport $dport counter name nh_dg drop"
	} | ip netns exec "$HW" nft -f -
	check_err $? "cannot set up the counters"
	# the wan host announces a new MAC (gratuitous ARP), as hosts that
	# change it or take over an address do
	ip netns exec "$HW" sysctl -qw net.ipv4.conf.wan-wire.arp_notify=1
	check_err $? "cannot set arp_notify in the wan host"

	udp_burst "$HL" "$WAN_IP" "$dport" "$sport" 5 300
	router_wait_hw 60000 "${ct[@]}"
	check_err $? "the UDP flow never became [HW_OFFLOAD]"
	busywait 10000 stat_is flows_offloaded 2
	check_err $? "the flow's two directions are not installed"
	udp_burst "$HL" "$WAN_IP" "$dport" "$sport" 10 300
	busywait 10000 nh_accepted 15
	check_err $? "the wan host accepted $(read -r _ _ d _ <<<"$NH"; echo "$d") of 15"
	read -r o0 n0 d0 c0 e0 <<<"$NH"
	u0=$(router_ppe_stat nexthop_updates)
	i0=$(router_ppe_stat installs)
	r0=$(router_ppe_stat replace_calls)
	log_info "bound: to $old $o0, accepted $d0, CPU $c0, engine $e0"

	ip -netns "$HW" link set wan-wire address "$NH_NEW"
	check_err $? "cannot change the wan host's MAC"
	busywait 10000 nh_neigh_new
	check_err $? "the router did not learn $NH_NEW: $(ip neigh show "$WAN_IP" dev wan)"
	busywait 10000 stat_above nexthop_updates "$u0"
	check_err $? "the driver did not rewrite the entry (nexthop_updates $u0)"
	udp_burst "$HL" "$WAN_IP" "$dport" "$sport" 20 300
	busywait 10000 nh_accepted $((d0 + 20))
	read -r o n d c e <<<"$NH"
	log_info "$old -> $NH_NEW; 20 datagrams: to the old MAC +$((o - o0))," \
		"new +$((n - n0)), accepted +$((d - d0)), CPU +$((c - c0))," \
		"engine +$((e - e0)); nexthop_updates" \
		"+$(($(router_ppe_stat nexthop_updates) - u0)), installs" \
		"+$(($(router_ppe_stat installs) - i0)), replace_calls" \
		"+$(($(router_ppe_stat replace_calls) - r0))"
	[ $((d - d0)) -eq 20 ] && [ $((n - n0)) -eq 20 ] && [ $((o - o0)) -eq 0 ]
	check_err $? "20 datagrams after the MAC change: $((n - n0)) to the new MAC," \
		"$((o - o0)) to the old one, $((d - d0)) accepted"
	[ $((e - e0)) -eq 20 ] && [ "$c" -eq "$c0" ]
	check_err $? "not the engine's after the change: engine +$((e - e0)), CPU +$((c - c0))"
	[ "$(router_ppe_stat nexthop_updates)" -eq $((u0 + 1)) ] &&
		[ "$(router_ppe_stat installs)" -eq "$i0" ]
	check_err $? "nexthop_updates +$(($(router_ppe_stat nexthop_updates) - u0))" \
		"(expected 1: the lan -> wan entry), installs" \
		"+$(($(router_ppe_stat installs) - i0)) (expected 0: rewritten in place)"
	[ "$RET" -eq 0 ] || router_dump
	log_test "the wan host's MAC changes under a bound flow: the entry follows it" \
		"in place, every frame to the new MAC, CPU + 0"
}

# ---------------------------------------------------------------------------

# the driver's refusal messages naming a foreign port in the kernel log
refusals_logged()
{
	dmesg | grep -c 'flow refused: openppe: .* device is not a port of this engine'
}

# refusal_settled R0 M0 none|all: refused_foreign_port grew by RF_N >= 2
# since R0 and the log by RF_M messages since M0: none, or one per refusal
refusal_settled()
{
	local want=0

	RF_N=$(($(router_ppe_stat refused_foreign_port) - $1))
	RF_M=$(($(refusals_logged) - $2))
	[ "$3" = all ] && want=$RF_N
	[ "$RF_N" -ge 2 ] && [ "$RF_M" -eq "$want" ]
}

# refusal_flow SPORT LOGGED: 10 datagrams from the lan host to the veth
# host from port SPORT; wait until the flow's refusals (each direction at
# least once: nf_flow_table offers it again while its packets pass the CPU,
# at most once a second) were counted and logged: none or all of them
refusal_flow()
{
	local r0 m0

	r0=$(router_ppe_stat refused_foreign_port)
	m0=$(refusals_logged)
	udp_burst "$HL" 10.0.9.2 5420 "$1" 10 200
	# REPLACE runs from nf_flow_table's work queue, after the packets
	busywait 30000 refusal_settled "$r0" "$m0" "$2"
}

refusal_dyndbg()
{
	local hf rx msgs

	RET=0
	router_nft_load -m wan -c "wan lan1"
	check_err $? "cannot load the ruleset"
	# a router port of no engine: one end of a veth pair, the other in a host
	ns_create hf
	ip link add name pvx type veth peer name pvx-h netns "$hf" &&
		router_link_track pvx &&
		ip addr add 10.0.9.1/24 dev pvx && ip link set pvx up &&
		ip -netns "$hf" addr add 10.0.9.2/24 dev pvx-h &&
		ip -netns "$hf" link set pvx-h up &&
		ip -netns "$hf" route add default via 10.0.9.1
	check_err $? "cannot set up the veth host"
	router_host_rx_counter "$hf" pvx-h rf_rx udp dport 5420
	check_err $? "cannot set up the counters"
	ip netns exec "$HL" ping -q -c 1 -W 5 10.0.9.2 >/dev/null
	check_err $? "the veth host does not answer"

	echo 'module openppe -p' >"$DDC"
	refusal_flow 41201 none
	check_err $? "dynamic debug off: refused_foreign_port +$RF_N (expected 2 or more)," \
		"$RF_M refusal messages logged (expected none)"
	log_info "dynamic debug off: refused_foreign_port +$RF_N, $RF_M messages"

	echo 'module openppe +p' >"$DDC"
	check_err $? "cannot enable dynamic debug for the module"
	refusal_flow 41202 all
	check_err $? "dynamic debug on: refused_foreign_port +$RF_N (expected 2 or more)," \
		"$RF_M refusal messages logged (expected as many)"
	echo 'module openppe -p' >"$DDC"
	msgs=$(dmesg | grep 'flow refused: openppe:' | tail -n "$RF_M")
	echo "$msgs" | grep -q 'ingress device is not a port of this engine' &&
		echo "$msgs" | grep -q 'egress device is not a port of this engine'
	check_err $? "the messages do not name both directions' reason: $msgs"
	log_info "dynamic debug on: refused_foreign_port +$RF_N, $RF_M messages:"
	echo "$msgs" | sort -u -k2 | sed 's/^\[[^]]*\] /#   /'

	busywait 10000 lib_output_is 20 router_counter rf_rx "$hf"
	rx=$(router_counter rf_rx "$hf")
	[ "$rx" -eq 20 ]
	check_err $? "the refused flows delivered $rx of 20 datagrams"
	router_ct_hw -p udp --dport 5420
	check_fail $? "a refused flow shows [HW_OFFLOAD]"
	log_info "delivered by the CPU: $rx of 20 datagrams"
	ip link del pvx
	log_test "a refused flow: counted, the reason in dynamic debug only when enabled," \
		"every datagram by the CPU"
}

# ---------------------------------------------------------------------------

# ef_setup SPORT DPORT: the fault tests' flow from the lan host's SPORT to
# the wan host's DPORT, alone in the engine (nothing else touches its
# registers, STATS of another flow say), counted in ef_cpu (at the CPU),
# ef_tx (sent) and ef_rx (arrived: the wan host drops it, nothing comes
# back); EF_KEY: its lan -> wan entry's key
ef_setup()
{
	EF_KEY="$LAN_IP:$1 -> $WAN_IP:$2"
	router_nft_load -m wan -c "wan lan1" || return 1
	# the counters start from 0
	hosts_nft_reset
	busywait 20000 stat_is flows_offloaded 0 || return 1
	{
		echo "add counter netdev $ROUTER_NFT ef_cpu"
		echo "add rule netdev $ROUTER_NFT tocpu iifname \"lan1\"" \
			"ip saddr $LAN_IP udp sport $1 counter name ef_cpu"
	} | nft -f - &&
	router_host_tx_nft ef_tx "ip daddr $WAN_IP udp dport $2" |
		ip netns exec "$HL" nft -f - &&
	{
		router_host_rx_nft wan-wire ef_rx "ip saddr $NAT_IP udp dport $2"
		echo "add rule netdev $ROUTER_NFT rx_wan_wire udp dport $2 drop"
	} | ip netns exec "$HW" nft -f -
}

# ef_read: EF = "sent arrived cpu engine"
ef_read()
{
	C=()
	router_counters_read
	router_counters_read "$HW"
	router_counters_read "$HL"
	EF="${C[ef_tx]:-0} ${C[ef_rx]:-0} ${C[ef_cpu]:-0} $(router_entry_packets "$EF_KEY")"
}

ef_arrived()
{
	local tx rx

	ef_read
	read -r tx rx _ <<<"$EF"
	[ "$tx" -eq "$rx" ]
}

# ef_offered SPORT DPORT: 5 more datagrams; true once both directions of
# the flow are installed
ef_offered()
{
	udp_burst "$HL" "$WAN_IP" "$2" "$1" 5 300
	stat_is flows_offloaded 2
}

# ef_finish SPORT DPORT: once the engine is back, the flow is offloaded on
# a later offer (nf_flow_table offers it again while its packets reach the
# CPU, at most once a second); 30 datagrams more; then every datagram sent
# arrived, engine + CPU = arrived
ef_finish()
{
	local tx rx cpu eng

	busywait 60000 ef_offered "$1" "$2"
	check_err $? "the flow was not offloaded after the engine recovered" \
		"(flows_offloaded $(router_ppe_stat flows_offloaded))"
	router_ct_hw -p udp --sport "$1" --dport "$2"
	check_err $? "the flow is not [HW_OFFLOAD]"
	udp_burst "$HL" "$WAN_IP" "$2" "$1" 30 300
	busywait 10000 ef_arrived
	read -r tx rx cpu eng <<<"$EF"
	[ "$tx" -eq "$rx" ] && [ $((eng + cpu)) -eq "$rx" ] && [ "$eng" -ge 30 ]
	check_err $? "sent $tx, arrived $rx, engine $eng + CPU $cpu"
	log_info "whole flow: sent $tx datagrams, arrived $rx = engine $eng + CPU $cpu"
}

engine_error()
{
	local sport=41300 dport=5430 e0 rec0 inst0 n

	RET=0
	ef_setup "$sport" "$dport"
	check_err $? "cannot set up the flow's ruleset and counters"
	e0=$(router_ppe_stat refused_engine_error)
	rec0=$(router_ppe_stat recoveries)
	inst0=$(router_ppe_stat installs)
	echo 5 >"$SIMD/inject_reg_error"
	check_err $? "cannot arm inject_reg_error"
	udp_burst "$HL" "$WAN_IP" "$dport" "$sport" 5 300
	busywait 30000 stat_above refused_engine_error "$e0"
	check_err $? "refused_engine_error did not count the failed install" \
		"(inject_reg_error now $(cat "$SIMD/inject_reg_error"))"
	[ "$(cat "$SIMD/inject_reg_error")" = 0 ]
	check_err $? "the injected error was not consumed"
	busywait 20000 stat_is degraded 0
	check_err $? "the engine did not recover (degraded $(router_ppe_stat degraded))"
	n=$(($(router_ppe_stat refused_engine_error) - e0))
	[ "$n" -eq 1 ] && [ "$(router_ppe_stat recoveries)" -gt "$rec0" ]
	check_err $? "refused_engine_error +$n (expected 1), recoveries" \
		"$rec0 -> $(router_ppe_stat recoveries)"
	log_info "failed install: refused_engine_error +$n, installs" \
		"+$(($(router_ppe_stat installs) - inst0)), recoveries" \
		"+$(($(router_ppe_stat recoveries) - rec0))"
	ef_finish "$sport" "$dport"
	[ "$RET" -eq 0 ] || router_dump
	log_test "engine error while installing: refused_engine_error + 1, fail-safe," \
		"recovered, offloaded later, none lost"
}

cache_reject()
{
	local sport=41310 dport=5431 e0 c0 rec0 h0 tx0 rx0 cpu0 tx rx cpu

	RET=0
	ef_setup "$sport" "$dport"
	check_err $? "cannot set up the flow's ruleset and counters"
	e0=$(router_ppe_stat refused_engine_error)
	c0=$(router_ppe_stat cache_errors)
	rec0=$(router_ppe_stat recoveries)
	echo 1 >"$SIMD/cache_reject"
	check_err $? "cannot set cache_reject"
	udp_burst "$HL" "$WAN_IP" "$dport" "$sport" 5 300
	busywait 30000 stat_above refused_engine_error "$e0"
	check_err $? "refused_engine_error did not count the rejected install"
	[ "$(router_ppe_stat cache_errors)" -gt "$c0" ] && stat_is degraded 1
	check_err $? "cache_errors $c0 -> $(router_ppe_stat cache_errors)," \
		"degraded $(router_ppe_stat degraded) while the cache rejects commands"
	# the engine is off: the CPU forwards everything
	ef_read
	read -r tx0 rx0 cpu0 _ <<<"$EF"
	h0=$(router_ppe_stat engine_hits)
	udp_burst "$HL" "$WAN_IP" "$dport" "$sport" 20 300
	busywait 10000 ef_arrived
	read -r tx rx cpu _ <<<"$EF"
	[ $((tx - tx0)) -eq 20 ] && [ $((rx - rx0)) -eq 20 ] && [ $((cpu - cpu0)) -eq 20 ] &&
		[ "$(router_ppe_stat engine_hits)" -eq "$h0" ]
	check_err $? "degraded: sent +$((tx - tx0)), arrived +$((rx - rx0)), CPU" \
		"+$((cpu - cpu0)), engine_hits +$(($(router_ppe_stat engine_hits) - h0))"
	log_info "cache rejecting: refused_engine_error" \
		"+$(($(router_ppe_stat refused_engine_error) - e0)), cache_errors" \
		"+$(($(router_ppe_stat cache_errors) - c0)), degraded" \
		"$(router_ppe_stat degraded); 20 datagrams: arrived +$((rx - rx0))," \
		"CPU +$((cpu - cpu0))"
	echo 0 >"$SIMD/cache_reject"
	busywait 20000 stat_is degraded 0
	check_err $? "the engine did not recover (degraded $(router_ppe_stat degraded))"
	[ "$(router_ppe_stat recoveries)" -gt "$rec0" ]
	check_err $? "recoveries did not count it"
	ef_finish "$sport" "$dport"
	[ "$RET" -eq 0 ] || router_dump
	log_test "entry cache rejecting commands: cache_errors and refused_engine_error" \
		"count, the CPU forwards, recovered, offloaded later, none lost"
}

# the driver's warning for each TBL_ERR interrupt it counts
te_logged()
{
	dmesg | grep -c 'engine met an unusable table entry, frame punted'
}

# te_irq REG BIT: the sim's decoded register REG (IRQ_STATUS, IRQ_MASK)
# shows BIT=1
# te_bad IDX: the driver's table shows entry IDX of an undefined type
te_bad()
{
	grep -q "^$1: bound bad-type " "$(router_ppe_dfs)/table"
}

# te_restored IDX: entry IDX is usable (flipped back if it is not); true once
# the table shows it so
te_restored()
{
	te_bad "$1" && echo "$1" >"$SIMD/corrupt_entry"
	! te_bad "$1"
}

te_irq()
{
	grep -q "^0x[0-9a-f]* $1 .* $2=1" "$SIMD/regs"
}

table_errors()
{
	local sport=41320 dport=5432 n=3 idx tx0 rx0 cpu0 e0 t0 p0 m0
	local tx rx cpu eng t p m sent bad

	RET=0
	ef_setup "$sport" "$dport"
	check_err $? "cannot set up the flow's ruleset and counters"
	te_irq IRQ_MASK TBL_ERR
	check_err $? "the driver did not enable TBL_ERR: $(grep IRQ_MASK "$SIMD/regs")"
	busywait 60000 ef_offered "$sport" "$dport"
	check_err $? "the flow was not offloaded"
	busywait 10000 ef_arrived
	idx=$(router_entry_id "$EF_KEY")
	idx=${idx%/*}
	[ -n "$idx" ]
	check_err $? "no entry for $EF_KEY"
	ef_read
	read -r tx0 rx0 cpu0 e0 <<<"$EF"
	t0=$(router_ppe_stat table_errors)
	p0=$(router_port_stat lan1 punt_bad_entry)
	m0=$(te_logged)

	# One datagram at a time, the entry made unusable before each (the
	# driver counts interrupts, not frames). A punted datagram reaches
	# nf_flow_table, which may offer the flow again (at most once a
	# second); that REPLACE finds the slot differing from the entry and
	# rewrites it, so a datagram may meet the repaired entry instead: each
	# is counted as one or the other, and the case goes on until n met a
	# bad one. Only a good entry is corrupted: nothing but the driver
	# writes it meanwhile, and only to repair it.
	sent=0 bad=0
	while [ "$bad" -lt "$n" ] && [ "$sent" -lt $((4 * n)) ]; do
		if ! te_bad "$idx"; then
			echo "$idx" >"$SIMD/corrupt_entry"
			check_err $? "cannot corrupt entry $idx"
		fi
		udp_burst "$HL" "$WAN_IP" "$dport" "$sport" 1 300
		sent=$((sent + 1))
		busywait 10000 ef_arrived
		check_err $? "datagram $sent did not arrive"
		# the engine counts the punt before the frame reaches the CPU
		bad=$(($(router_port_stat lan1 punt_bad_entry) - p0))
		busywait 10000 stat_is table_errors $((t0 + bad))
		check_err $? "datagram $sent: table_errors" \
			"+$(($(router_ppe_stat table_errors) - t0)), punt_bad_entry +$bad"
	done
	[ "$bad" -eq "$n" ]
	check_err $? "$sent datagrams met a bad entry $bad times (wanted $n)"
	busywait 10000 te_restored "$idx"
	check_err $? "entry $idx is not usable again"
	read -r tx rx cpu eng <<<"$EF"
	t=$(($(router_ppe_stat table_errors) - t0))
	p=$(($(router_port_stat lan1 punt_bad_entry) - p0))
	m=$(($(te_logged) - m0))
	[ "$t" -eq "$n" ] && [ "$p" -eq "$n" ] && [ "$m" -eq "$n" ]
	check_err $? "$n datagrams on a bad entry: table_errors +$t, punt_bad_entry +$p," \
		"warnings +$m (expected $n each)"
	! te_irq IRQ_STATUS TBL_ERR
	check_err $? "TBL_ERR not acknowledged: $(grep IRQ_STATUS "$SIMD/regs")"
	# the bad ones through the CPU, the others (a repaired entry) the engine's
	[ $((tx - tx0)) -eq "$sent" ] && [ $((rx - rx0)) -eq "$sent" ] &&
		[ $((cpu - cpu0)) -eq "$n" ] && [ $((eng - e0)) -eq $((sent - n)) ]
	check_err $? "the datagrams: sent +$((tx - tx0)), arrived +$((rx - rx0))," \
		"CPU +$((cpu - cpu0)), engine +$((eng - e0)) (expected $sent, $sent, $n," \
		"$((sent - n)))"
	log_info "bad entry $idx: $sent datagrams, $n on the bad entry: table_errors +$t," \
		"punt_bad_entry +$p, warnings +$m, CPU +$((cpu - cpu0)), engine +$((eng - e0))," \
		"arrived +$((rx - rx0))"

	read -r tx0 rx0 cpu0 e0 <<<"$EF"
	udp_burst "$HL" "$WAN_IP" "$dport" "$sport" 20 300
	busywait 10000 ef_arrived
	read -r tx rx cpu eng <<<"$EF"
	[ $((rx - rx0)) -eq 20 ] && [ $((eng - e0)) -eq 20 ] && [ "$cpu" -eq "$cpu0" ] &&
		stat_is table_errors $((t0 + n))
	check_err $? "restored, 20 datagrams: arrived +$((rx - rx0)), engine +$((eng - e0))," \
		"CPU +$((cpu - cpu0)), table_errors +$(($(router_ppe_stat table_errors) - t0))"
	[ "$tx" -eq "$rx" ] && [ $((eng + cpu)) -eq "$rx" ]
	check_err $? "whole flow: sent $tx, arrived $rx, engine $eng + CPU $cpu"
	log_info "whole flow: sent $tx datagrams, arrived $rx = engine $eng + CPU $cpu"
	[ "$RET" -eq 0 ] || router_dump
	log_test "an unusable entry met $n times: TBL_ERR interrupts, table_errors + $n," \
		"warned and acknowledged, the CPU forwards, none lost"
}

# nm_refused SPORT DPORT N: 1 more datagram of the flow; true once
# refused_no_memory reached N (nf_flow_table offers the flow again while its
# packets reach the CPU, at most once a second; an offer is a REPLACE per
# direction)
nm_refused()
{
	udp_burst "$HL" "$WAN_IP" "$2" "$1" 1 300
	[ "$(router_ppe_stat refused_no_memory)" -ge "$3" ]
}

no_memory()
{
	local sport=41330 dport=5433 n=3 fn=openppe_flow_alloc r0 b0 i0 i left hw
	local tx rx cpu eng inst

	RET=0
	[ -d "$FF" ] || board_fail "no $FF: the kernel lacks CONFIG_FAIL_FUNCTION"
	ef_setup "$sport" "$dport"
	check_err $? "cannot set up the flow's ruleset and counters"
	r0=$(router_ppe_stat refused_no_memory)
	b0=$(router_ppe_stat backoff_refusals)
	i0=$(router_ppe_stat installs)
	# every call fails while failures are left (times), silently: a stack
	# dump would be a splat
	echo "$fn" >"$FF/inject" && echo 100 >"$FF/probability" &&
		echo 1 >"$FF/interval" && echo 0 >"$FF/space" &&
		echo 0 >"$FF/verbose" && echo "$n" >"$FF/times"
	check_err $? "cannot inject failures into $fn: $(cat "$FF/inject" 2>&1)"
	for ((i = 1; i <= n; i++)); do
		busywait 60000 nm_refused "$sport" "$dport" $((r0 + i))
		check_err $? "refused_no_memory +$(($(router_ppe_stat refused_no_memory) - r0))," \
			"expected $i (failures left to inject: $(cat "$FF/times"))"
		busywait 10000 ef_arrived
		read -r tx rx cpu eng <<<"$EF"
		inst=$(($(router_ppe_stat installs) - i0))
		hw=0
		router_ct_hw -p udp --sport "$sport" --dport "$dport" && hw=1
		# read last: failures still left now means every allocation so
		# far failed, so nothing of the flow can be in the engine (no
		# entry: no packet count)
		left=$(cat "$FF/times")
		[ "$left" -gt 0 ] || continue
		[ "$inst" -eq 0 ] && [ -z "$eng" ] && [ "$hw" -eq 0 ] &&
			[ "$cpu" -eq "$rx" ] && [ "$tx" -eq "$rx" ]
		check_err $? "refused +$i or more, $left to go: installs +$inst," \
			"[HW_OFFLOAD] $hw, sent $tx, arrived $rx, CPU $cpu, entry's packets" \
			"'$eng' (expected +0, 0, all by the CPU, no entry)"
		log_info "refused +$i or more, $left to go: no entry, not [HW_OFFLOAD];" \
			"sent $tx, arrived $rx, CPU $cpu"
	done
	log_info "refused_no_memory +$(($(router_ppe_stat refused_no_memory) - r0))," \
		"failures left to inject: $(cat "$FF/times")"
	ef_finish "$sport" "$dport"
	[ "$(router_ppe_stat refused_no_memory)" -eq $((r0 + n)) ] &&
		[ "$(router_ppe_stat backoff_refusals)" -eq "$b0" ]
	check_err $? "refused_no_memory +$(($(router_ppe_stat refused_no_memory) - r0))" \
		"(expected $n), backoff_refusals +$(($(router_ppe_stat backoff_refusals) - b0))" \
		"(expected 0: no back-off for memory)"
	echo >"$FF/inject"
	[ "$RET" -eq 0 ] || router_dump
	log_test "allocation failure on REPLACE: refused_no_memory + $n, the CPU forwards," \
		"offloaded once memory is back, none lost"
}

setup
run_tests
