#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Small and padded UDP datagrams through a PPPoE WAN, and iperf3 -u (issue
# 18). A UDP datagram with a 4-byte payload (iperf3's UDP handshake) makes a
# 54-byte PPPoE frame, 58 bytes with an 802.1Q tag, 46 bytes untagged on the
# lan side: below the 60-byte Ethernet minimum, so a real NIC sends it padded.
# The emulated cables do not pad, so the hosts send half of the datagrams as
# crafted frames (socat on a raw socket) padded to 60 bytes with 0xa5, the
# PPPoE length field and the IP total length telling the real length.
#
# A 4-byte ping-pong runs through pppd/pppoe-server (pppoe.lib) on wan, then
# on wan.100: 3 rounds set the flow up, then 8 rounds, in each one the ping,
# the pong, both or neither padded. Each datagram must reach its socket with
# its content, and:
#   offloaded (flowtable "flags offload"): [HW_OFFLOAD] with two bound
#     entries; once bound no frame of the flow, padded or not, reaches the
#     CPU; per direction engine + CPU = sent; entry bytes count 32 (the IP
#     packet) per packet; every frame on the far cable is exactly the IP
#     packet plus the header pushed (PPPoE length field = IP length + 2):
#     the engine strips the padding and never forwards it;
#   not offloaded (software flowtable): every frame goes through the CPU,
#     the engine forwards none; what the far cable got is printed (the
#     kernel's software flowtable forwards a frame's padding as it came).
# iperf3 -u -b 4M -l 1000 from the lan host to the ISP host, offloaded and
# not: the handshake completes and, per direction, datagrams sent = frames on
# the far cable = engine + CPU, none at the CPU once bound. The ISP host has
# an address on its cable besides its end of the session, and the client
# targets that one, as in the report; its server is bound to it (-B): an
# iperf3 server bound to the wildcard answers a UDP stream from the address
# its route to the client gives (the session's, here), which the client's
# connected socket, and before it the router's NAT, do not take as the
# answer, so the client gives up after 30 s with "unable to read from stream
# socket: Resource temporarily unavailable" (esnet/iperf#637) -- whoever
# forwards the datagrams.
# (nf_flow_table's flow timeouts are raised to 600 s meanwhile: a slow guest
# must not lose a flow between two steps.)
# vm-timeout: 1200

ALL_TESTS="pppoe_session small_hw small_sw iperf_hw iperf_sw"
ALL_TESTS+=" pppoe_vlan_session vlan_small_hw vlan_small_sw"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/router.lib"
source "$(dirname "$0")/encap.lib"
source "$(dirname "$0")/pppoe.lib"

require_command nft
require_command conntrack
require_command nc
require_command ethtool
require_command iperf3
require_command socat
require_command pppd
require_command pppoe-server
router_require

SMALL_N1=3	# rounds that set the flow up (neither datagram padded)
# the rounds once the flow is in the flowtable: n neither padded, u the ping
# (lan->wan), d the pong (wan->lan), b both
SMALL_PLAN=nnuuddbb
SMALL_L3=32	# IP length of a datagram: 20 + 8 + 4
ISP_ADDR=198.51.100.2	# the ISP host's address on its cable
ISP_NET=198.51.100.0/24
HOSTDEV=	# the ISP host's device of the current session

cleanup()
{
	pppoe_cleanup
	encap_cleanup
	router_backlog_restore
}
trap cleanup EXIT

setup()
{
	encap_setup
	router_port_addr lan1 1 || exit "$ksft_fail"
	router_host_addr "$HL" lan1-wire 1 || exit "$ksft_fail"
	pppoe_setup || exit "$ksft_fail"
	ip -netns "$HW" addr add "$ISP_ADDR/24" dev wan-wire || exit "$ksft_fail"
	# iperf3 sends in bursts after a stall: hosts' input backlogs hold them
	router_backlog 100000 || exit "$ksft_fail"
	small_scripts
}

# --- frames and the ping-pong ------------------------------------------------

# frame.sh: build IPv4/UDP frames in hex and send them, padded to the
# Ethernet minimum, on a host's cable; the ping-pong's two ends
small_scripts()
{
	cat >"$ROUTER_TMP/frame.sh" <<-'EOF'
	# 16-bit ones' complement checksum of a hex string
	csum16()
	{
		local h=$1 s=0 i

		(( ${#h} % 4 )) && h+=00
		for ((i = 0; i < ${#h}; i += 4)); do
			s=$((s + 16#${h:i:4}))
		done
		while ((s >> 16)); do
			s=$(((s & 0xffff) + (s >> 16)))
		done
		printf '%04x' $((~s & 0xffff))
	}
	ip2hex()
	{
		local IFS=.

		# shellcheck disable=SC2086
		set -- $1
		printf '%02x%02x%02x%02x' "$@"
	}
	str2hex()
	{
		local s=$1 h= i

		for ((i = 0; i < ${#s}; i++)); do
			printf -v h '%s%02x' "$h" "'${s:i:1}"
		done
		echo "$h"
	}
	# udp4 SRC DST SPORT DPORT PAYLOAD: an IPv4/UDP packet (TTL 64, DF),
	# both checksums right
	udp4()
	{
		local s d sp dp pl ulen ck ip

		s=$(ip2hex "$1")
		d=$(ip2hex "$2")
		pl=$(str2hex "$5")
		ulen=$((8 + ${#pl} / 2))
		printf -v sp %04x "$3"
		printf -v dp %04x "$4"
		printf -v ulen %04x "$ulen"
		ck=$(csum16 "$s${d}0011$ulen$sp$dp${ulen}0000$pl")
		[ "$ck" = 0000 ] && ck=ffff
		printf -v ip '4500%04x%04x40004011%s' $((0x$ulen + 20)) $RANDOM "0000$s$d"
		echo "${ip:0:20}$(csum16 "$ip")${ip:24}$sp$dp$ulen$ck$pl"
	}
	# frame_send DEV HEX: pad to 60 bytes with 0xa5, send on DEV
	frame_send()
	{
		local hex=$2 esc= i f rc

		while ((${#hex} < 120)); do
			hex+=a5
		done
		for ((i = 0; i < ${#hex}; i += 2)); do
			esc+="\\x${hex:i:2}"
		done
		f=$(mktemp) || return 1
		# shellcheck disable=SC2059
		printf "$esc" >"$f"
		socat -u "OPEN:$f" "INTERFACE:$1"
		rc=$?
		rm -f "$f"
		return "$rc"
	}
	# frame_udp DEV DMAC SMAC SRC DST SPORT DPORT PAYLOAD: untagged IPv4
	frame_udp()
	{
		frame_send "$1" "${2//:/}${3//:/}0800$(udp4 "$4" "$5" "$6" "$7" "$8")"
	}
	# frame_pppoe DEV DMAC SMAC VID SID SRC DST SPORT DPORT PAYLOAD: a
	# PPPoE session frame (802.1Q tag VID first unless VID is 0)
	frame_pppoe()
	{
		local pkt tag=

		pkt=$(udp4 "$6" "$7" "$8" "$9" "${10}")
		[ "$4" -ne 0 ] && printf -v tag '8100%04x' "$4"
		frame_send "$1" "$(printf '%s%s%s88641100%04x%04x0021%s' "${2//:/}" \
			"${3//:/}" "$tag" "$5" $((${#pkt} / 2 + 2)) "$pkt")"
	}
	EOF
	# small_server PORT PLAN RESULT DEV DMAC SMAC VID SID SRC DST DPORTFILE:
	# answer the PLAN's pings (4 digits, round number) with the same 4
	# bytes, through nc or, for d and b rounds, as a padded PPPoE frame
	# from SRC:PORT to DST:(the port in DPORTFILE) on DEV; RESULT gets
	# "ok N" or why it stopped
	cat >"$ROUTER_TMP/small_server" <<-'EOF'
	source "$(dirname "$0")/frame.sh"
	port=$1 plan=$2 result=$3 dev=$4 dmac=$5 smac=$6 vid=$7 sid=$8 src=$9 dst=${10} dportf=${11}
	coproc NC { exec nc -u -l "$port"; }
	ncpid=$NC_PID
	trap 'kill $ncpid 2>/dev/null' EXIT
	trap 'exit 1' TERM INT
	for ((i = 0; i < ${#plan}; i++)); do
		if ! read -r -N 4 -t 300 ping <&"${NC[0]}"; then
			echo "no ping $i" >"$result"
			exit 1
		fi
		printf -v want %04d "$i"
		if [ "$ping" != "$want" ]; then
			echo "ping $i was '$ping'" >"$result"
			exit 1
		fi
		case ${plan:i:1} in
		d | b)
			read -r dport <"$dportf"
			if ! frame_pppoe "$dev" "$dmac" "$smac" "$vid" "$sid" "$src" "$dst" \
					"$port" "$dport" "$ping"; then
				echo "cannot send pong $i" >"$result"
				exit 1
			fi ;;
		*)
			printf '%s' "$ping" >&"${NC[1]}" ;;
		esac
	done
	echo "ok $i" >"$result"
	# nc sends the last pong some time after the write: keep it until
	# the test stops the server
	wait "$ncpid"
	EOF
	# small_client PORT SPORT PLAN FROM TO DEV DMAC SMAC SRC DST: the
	# PLAN's rounds FROM..TO-1 from SRC:SPORT to DST:PORT; the ping through
	# nc or, for u and b rounds, as a padded frame on DEV; each pong must
	# be the ping
	cat >"$ROUTER_TMP/small_client" <<-'EOF'
	source "$(dirname "$0")/frame.sh"
	port=$1 sport=$2 plan=$3 from=$4 to=$5 dev=$6 dmac=$7 smac=$8 src=$9 dst=${10}
	coproc NC { exec nc -u -p "$sport" "$dst" "$port"; }
	ncpid=$NC_PID
	trap 'kill $ncpid 2>/dev/null; wait $ncpid 2>/dev/null' EXIT
	for ((i = from; i < to; i++)); do
		printf -v ping %04d "$i"
		case ${plan:i:1} in
		u | b)
			if ! frame_udp "$dev" "$dmac" "$smac" "$src" "$dst" "$sport" "$port" \
				"$ping"; then

				echo "cannot send ping $i"
				exit 1
			fi ;;
		*)
			printf '%s' "$ping" >&"${NC[1]}" ;;
		esac
		if ! read -r -N 4 -t 20 pong <&"${NC[0]}"; then
			echo "no answer to ping $i (${plan:i:1})"
			exit 1
		fi
		if [ "$pong" != "$ping" ]; then
			echo "ping $i (${plan:i:1}) answered by '$pong'"
			exit 1
		fi
	done
	EOF
}

mac_of()
{
	local -a pre=()

	[ -n "${2:-}" ] && pre=(ip netns exec "$2")
	"${pre[@]}" cat "/sys/class/net/$1/address"
}

# the rounds of the plan with one of the letters in $2
plan_count()
{
	local p=${1//[!$2]/}

	echo "${#p}"
}

# small_flow SPEC VID hw|sw PORT: the ping-pong through the current session,
# the wan cable described by SPEC (pppoe or pppoevlan:VID), VID 0 if untagged
small_flow()
{
	local spec=$1 vid=$2 expect=$3 port=$4 sport=$(($4 + 1))
	local plan n n_up n_dn ct=(-p udp --dport "$4") o='' srv rc res dport
	local up="proto 17 $HOST_LAN:$sport -> $HOST_WAN:$port " dn="proto 17 $HOST_WAN:$port -> "
	local lu_up wu_dn wu_up lu_dn wl c0_up='' c0_dn='' ref0 ref1
	local rx_up rx_dn rxx_up rxx_dn cpu_up cpu_dn

	plan=$(printf 'n%.0s' $(seq "$SMALL_N1"))$SMALL_PLAN
	n=${#plan}
	n_up=$(plan_count "$SMALL_PLAN" ub)
	n_dn=$(plan_count "$SMALL_PLAN" db)
	if [ -z "$PPP" ] || [ -z "$SID" ]; then
		check_err 1 "no PPPoE session"
		return
	fi
	encap_dmesg_mark
	encap_set WAN "$spec:$SID"
	encap_set LAN none
	[ "$expect" = sw ] && o=-o
	router_nft_load $o -d "$PPPOE_FT_DEVS" -m "$PPP" -c "wan lan1"
	check_err $? "cannot load the ruleset"
	encap_match lu_up LAN 17 dport "$port"
	encap_match wu_dn WAN 17 sport "$port"
	encap_match wu_up WAN 17 dport "$port"
	encap_match lu_dn LAN 17 sport "$port"
	# on the far cables: every frame of the flow, and those that are
	# exactly the IP packet plus the header (skb->len at ingress: the tag
	# is out already), with the PPPoE length field of the IP packet
	wl="meta length $((SMALL_L3 + 8)) @nh,32,16 $((SMALL_L3 + 2))"
	router_cpu_counters "cpu_up iifname lan1 $lu_up" "cpu_dn iifname wan $wu_dn" &&
		router_host_rx_counters "$HW" wan-wire "rx_up $wu_up" "rxx_up $wu_up $wl" &&
		router_host_rx_counters "$HL" lan1-wire "rx_dn $lu_dn" \
			"rxx_dn $lu_dn meta length $SMALL_L3"
	check_err $? "cannot install the counting rules"
	[ "$RET" -eq 0 ] || return

	log_info "$WAN_DESC on the wan cable," \
		"flowtable $([ "$expect" = hw ] && echo "offloaded" || echo "in software");" \
		"rounds: $SMALL_N1 to set up, then $SMALL_PLAN (u: ping padded, d: pong padded," \
		"b: both)"
	: >"$ROUTER_TMP/dport.$port"
	: >"$ROUTER_TMP/result.$port"
	router_bg srv ip netns exec "$HW" bash "$ROUTER_TMP/small_server" "$port" "$plan" \
		"$ROUTER_TMP/result.$port" wan-wire "$(mac_of wan)" "$(mac_of "$HOSTDEV" "$HW")" \
		"$vid" "$SID" "$HOST_WAN" "$PPP_LOCAL" "$ROUTER_TMP/dport.$port"
	busywait 60000 router_listening "$HW" "$port" u
	check_err $? "the UDP server did not start"
	ref0=$(router_refused_sum)
	encap_port_snap P0
	ip netns exec "$HL" bash "$ROUTER_TMP/small_client" "$port" "$sport" "$plan" 0 "$SMALL_N1" \
		lan1-wire "$(mac_of lan1)" "$(mac_of lan1-wire "$HL")" "$HOST_LAN" "$HOST_WAN"
	rc=$?
	check_err "$rc" "the ping-pong failed while the flow was set up"
	if [ "$rc" -eq 0 ]; then
		if [ "$expect" = hw ]; then
			busywait 30000 encap_bound "$up" "$dn" "${ct[@]}"
			check_err $? "the flow did not become [HW_OFFLOAD] with two bound" \
				"entries: $UP_N lan->wan, $DN_N wan->lan; driver refusals:" \
				"$(encap_refusals)"
		else
			busywait 30000 router_ct_sw "${ct[@]}"
			check_err $? "the flow never entered the flowtable"
		fi
	fi
	if [ "$RET" -eq 0 ]; then
		# the port masquerade gave the flow: the server's padded pongs
		# are addressed to it
		dport=$(router_ct_field reply dport "${ct[@]}")
		echo "$dport" >"$ROUTER_TMP/dport.$port"
		router_counters_read
		c0_up=${C[cpu_up]}
		c0_dn=${C[cpu_dn]}
		ip netns exec "$HL" bash "$ROUTER_TMP/small_client" "$port" "$sport" "$plan" \
			"$SMALL_N1" "$n" lan1-wire "$(mac_of lan1)" "$(mac_of lan1-wire "$HL")" \
			"$HOST_LAN" "$HOST_WAN"
		check_err $? "the ping-pong failed once the flow was in the flowtable"
	fi
	# the server writes its result after its last pong, which may be a
	# frame the client got before socat returned
	busywait 30000 test -s "$ROUTER_TMP/result.$port"
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
	res=$(cat "$ROUTER_TMP/result.$port")
	[ "$res" = "ok $n" ]
	check_err $? "the server: ${res:-no result}"

	encap_port_snap P1
	encap_port_delta
	encap_counters
	encap_entries "$up" "$dn"
	ref1=$(router_refused_sum)
	rx_up=${C[rx_up]} rxx_up=${C[rxx_up]} cpu_up=${C[cpu_up]}
	rx_dn=${C[rx_dn]} rxx_dn=${C[rxx_dn]} cpu_dn=${C[cpu_dn]}
	log_info "lan->wan: $n sent ($n_up of them padded frames, masqueraded to port $dport)," \
		"the wan host's cable got $rx_up with $WAN_DESC," \
		"$rxx_up of them exactly the IP packet + PPPoE header" \
		"(PPPoE length $((SMALL_L3 + 2)), nothing after it); engine $UP_P," \
		"CPU $cpu_up (once in the flowtable $(encap_after_bind "$cpu_up" "$c0_up"))"
	log_info "wan->lan: $n sent ($n_dn of them padded frames)," \
		"the lan host's cable got $rx_dn," \
		"$rxx_dn of them exactly the IP packet (nothing after it); engine $DN_P," \
		"CPU $cpu_dn (once in the flowtable $(encap_after_bind "$cpu_dn" "$c0_dn"))"
	log_info "engine ports: lan1 fwd_rx +${D[lan1.fwd_rx_packets]}" \
		"(${D[lan1.fwd_rx_bytes]} bytes)," \
		"wan fwd_tx +${D[wan.fwd_tx_packets]} (${D[wan.fwd_tx_bytes]} bytes)," \
		"wan fwd_rx +${D[wan.fwd_rx_packets]} (${D[wan.fwd_rx_bytes]} bytes)," \
		"lan1 fwd_tx +${D[lan1.fwd_tx_packets]} (${D[lan1.fwd_tx_bytes]} bytes); punted:" \
		"wan$(encap_punts wan), lan1$(encap_punts lan1); $(encap_elapsed) s"

	[ "$rx_up" -eq "$n" ] && [ "$rx_dn" -eq "$n" ]
	check_err $? "the far cables got $rx_up / $rx_dn of the $n datagrams each way with the" \
		"expected encapsulation"
	if [ "$expect" = hw ]; then
		encap_check_entries
		[ $((UP_P + cpu_up)) -eq "$n" ] && [ $((DN_P + cpu_dn)) -eq "$n" ]
		check_err $? "engine + CPU != sent: lan->wan $UP_P + $cpu_up," \
			"wan->lan $DN_P + $cpu_dn, $n sent each way"
		[ "$cpu_up" -eq "${c0_up:--1}" ] && [ "$cpu_dn" -eq "${c0_dn:--1}" ]
		check_err $? "frames of the bound flow reached the CPU:" \
			"$(encap_after_bind "$cpu_up" "$c0_up") lan->wan," \
			"$(encap_after_bind "$cpu_dn" "$c0_dn") wan->lan"
		[ "$UP_B" -eq $((UP_P * SMALL_L3)) ] && [ "$DN_B" -eq $((DN_P * SMALL_L3)) ]
		check_err $? "entry bytes $UP_B / $DN_B for $UP_P / $DN_P packets are not" \
			"$SMALL_L3 per packet"
		[ "$rxx_up" -eq "$n" ] && [ "$rxx_dn" -eq "$n" ]
		check_err $? "frames on the far cables not exactly IP packet + header:" \
			"$((rx_up - rxx_up)) lan->wan, $((rx_dn - rxx_dn)) wan->lan"
		[ "$ref1" -eq "$ref0" ]
		check_err $? "the driver refused flows:" \
			"refused_* $ref0 -> $ref1 ($(encap_refusals))"
	else
		[ "$cpu_up" -eq "$n" ] && [ "$cpu_dn" -eq "$n" ]
		check_err $? "the CPU got $cpu_up / $cpu_dn of the $n datagrams each way"
		[ "${D[lan1.fwd_rx_packets]}" -eq 0 ] && [ "${D[wan.fwd_rx_packets]}" -eq 0 ]
		check_err $? "the engine forwarded frames of a software flow:" \
			"lan1 ${D[lan1.fwd_rx_packets]}, wan ${D[wan.fwd_rx_packets]}"
		log_info "software flowtable:" \
			"$((rx_up - rxx_up)) lan->wan and $((rx_dn - rxx_dn)) wan->lan frames" \
			"left the router with the padding they came with"
	fi
	[ "$RET" -eq 0 ] || router_dump
	router_nft_del
	encap_wire_del
}

# --- iperf3 ------------------------------------------------------------------

# sets the iperf_flow locals from the counters (C) and the table
iperf_read()
{
	encap_counters
	encap_entries "$up" "$dn"
	sent_up=${C[tx_iperf_up]:-0} sent_dn=${C[tx_iperf_dn]:-0}
	rx_up=${C[rx_up]:-0} rx_dn=${C[rx_dn]:-0}
	cpu_up=${C[cpu_up]:-0} cpu_dn=${C[cpu_dn]:-0}
}

# every datagram sent has reached the far cable
iperf_settled()
{
	iperf_read
	[ "$rx_up" -eq "$sent_up" ] && [ "$rx_dn" -eq "$sent_dn" ]
}

installs_reached()
{
	local n

	router_ppe_get installs n
	[ "$n" -ge "$1" ]
}

# iperf_flow hw|sw PORT: iperf3 -u -b 4M -l 1000 from the lan host to the ISP
# host's address ISP_ADDR (routed through the session) for 5 s
iperf_flow()
{
	local expect=$1 port=$2 cport=$(($2 + 1)) log=$ROUTER_TMP/iperf.$2 o='' pid rc inst0
	local up="proto 17 $HOST_LAN:$cport -> $ISP_ADDR:$port " dn="proto 17 $ISP_ADDR:$port -> "
	local ct=(-p udp --dport "$2") lu_up wu_dn wu_up lu_dn c0_up='' c0_dn='' ref0 ref1
	local sent_up sent_dn rx_up rx_dn cpu_up cpu_dn

	if [ -z "$PPP" ] || [ -z "$SID" ]; then
		check_err 1 "no PPPoE session"
		return
	fi
	encap_dmesg_mark
	encap_set WAN "pppoe:$SID"
	encap_set LAN none
	[ "$expect" = sw ] && o=-o
	router_nft_load $o -d "$PPPOE_FT_DEVS" -m "$PPP" -c "wan lan1"
	check_err $? "cannot load the ruleset"
	ip route replace "$ISP_NET" dev "$PPP"
	check_err $? "cannot route $ISP_NET through $PPP"
	encap_match lu_up LAN 17 dport "$port"
	encap_match wu_dn WAN 17 sport "$port"
	encap_match wu_up WAN 17 dport "$port"
	encap_match lu_dn LAN 17 sport "$port"
	router_cpu_counters "cpu_up iifname lan1 $lu_up" "cpu_dn iifname wan $wu_dn" &&
		router_host_rx_counters "$HW" wan-wire "rx_up $wu_up" &&
		router_host_rx_counters "$HL" lan1-wire "rx_dn $lu_dn" &&
		router_host_counter "$HL" tx_iperf_up udp dport "$port" &&
		router_host_counter "$HW" tx_iperf_dn udp sport "$port"
	check_err $? "cannot install the counting rules"
	router_iperf_server "$HW" "$ISP_ADDR" "$port" "$log"
	check_err $? "the iperf3 server did not start"
	[ "$RET" -eq 0 ] || return

	ref0=$(router_refused_sum)
	router_ppe_get installs inst0
	encap_port_snap P0
	router_bg pid ip netns exec "$HL" iperf3 -u -b 4M -l 1000 -t 5 -c "$ISP_ADDR" \
		-p "$port" --cport "$cport" >"$log.client" 2>&1
	if [ "$expect" = hw ]; then
		# the control connection and the UDP stream installed (4
		# entries, one sysfs read): the client waits, stopped, while the
		# stream is checked
		busywait 60000 installs_reached $((inst0 + 4))
		check_err $? "the control connection and the stream were not installed:" \
			"installs $inst0 -> $(router_ppe_stat installs); client:" \
			"$(tail -n 1 "$log.client")"
		kill -STOP "$pid" 2>/dev/null
		busywait 60000 encap_bound "$up" "$dn" "${ct[@]}"
		check_err $? "the UDP stream did not become [HW_OFFLOAD] with two bound entries:" \
			"$UP_N lan->wan, $DN_N wan->lan; driver refusals: $(encap_refusals)"
		router_counters_read
		c0_up=${C[cpu_up]}
		c0_dn=${C[cpu_dn]}
		kill -CONT "$pid" 2>/dev/null
	fi
	wait "$pid"
	rc=$?
	check_err "$rc" "iperf3 -u failed: $(grep -m1 error "$log.client")"
	busywait 30000 iperf_settled
	check_err $? "datagrams sent != arrived on the far cables: lan->wan $sent_up sent," \
		"$rx_up arrived; wan->lan $sent_dn sent, $rx_dn arrived"
	encap_port_snap P1
	encap_port_delta
	ref1=$(router_refused_sum)
	log_info "client: $(grep -m1 'connected to' "$log.client" | sed 's/^.*local/local/');" \
		"$(grep -m1 ' sender$' "$log.client" | sed 's/^.*sec *//')"
	log_info "server (ISP host, behind its userspace pppoe relay):" \
		"$(grep -m1 ' receiver$' "$log" | sed 's/^.*sec *//')"
	log_info "lan->wan: $sent_up datagrams sent, the wan host's cable got $rx_up;" \
		"engine $UP_P, CPU $cpu_up (after bind $(encap_after_bind "$cpu_up" "$c0_up"))"
	log_info "wan->lan: $sent_dn datagrams sent, the lan host's cable got $rx_dn;" \
		"engine $DN_P, CPU $cpu_dn (after bind $(encap_after_bind "$cpu_dn" "$c0_dn"));" \
		"$(encap_elapsed) s"
	if [ "$expect" = hw ]; then
		encap_check_entries
		[ $((UP_P + cpu_up)) -eq "$rx_up" ] && [ $((DN_P + cpu_dn)) -eq "$rx_dn" ]
		check_err $? "engine + CPU != arrived: lan->wan $UP_P + $cpu_up vs $rx_up," \
			"wan->lan $DN_P + $cpu_dn vs $rx_dn"
		[ "$cpu_up" -eq "${c0_up:--1}" ] && [ "$cpu_dn" -eq "${c0_dn:--1}" ]
		check_err $? "datagrams of the bound stream reached the CPU:" \
			"$(encap_after_bind "$cpu_up" "$c0_up") lan->wan," \
			"$(encap_after_bind "$cpu_dn" "$c0_dn") wan->lan"
		[ "$UP_P" -gt 0 ]
		check_err $? "the engine forwarded no datagram of the stream"
		[ "$ref1" -eq "$ref0" ]
		check_err $? "the driver refused flows:" \
			"refused_* $ref0 -> $ref1 ($(encap_refusals))"
	else
		[ "$cpu_up" -eq "$rx_up" ] && [ "$cpu_dn" -eq "$rx_dn" ]
		check_err $? "CPU != arrived: lan->wan $cpu_up vs $rx_up," \
			"wan->lan $cpu_dn vs $rx_dn"
		router_ct_sw "${ct[@]}"
		check_err $? "the UDP stream is not in the software flowtable"
		[ "${D[lan1.fwd_rx_packets]}" -eq 0 ] && [ "${D[wan.fwd_rx_packets]}" -eq 0 ]
		check_err $? "the engine forwarded frames of software flows:" \
			"lan1 ${D[lan1.fwd_rx_packets]}, wan ${D[wan.fwd_rx_packets]}"
	fi
	[ "$RET" -eq 0 ] || { router_dump; sed 's/^/# client: /' "$log.client" | tail -n 5; }
	router_nft_del
	encap_wire_del
	ip netns exec "$HL" nft delete table inet "$ROUTER_NFT" 2>/dev/null
	ip netns exec "$HW" nft delete table inet "$ROUTER_NFT" 2>/dev/null
}

# --- the sub-tests ---------------------------------------------------------

pppoe_session()
{
	RET=0
	HOSTDEV=wan-wire
	pppoe_session_test wan wan-wire
	log_test "PPPoE session on wan up"
}

small_hw()
{
	RET=0
	small_flow pppoe 0 hw 5600
	log_test "PPPoE, offloaded: 4-byte datagrams, padded and not, both ways;" \
		"padding stripped, none at the CPU once bound"
}

small_sw()
{
	RET=0
	small_flow pppoe 0 sw 5610
	log_test "PPPoE, software flowtable: 4-byte datagrams, padded and not, both ways"
}

iperf_hw()
{
	RET=0
	iperf_flow hw 5620
	log_test "PPPoE, offloaded: iperf3 -u -b 4M -l 1000, sent = engine + CPU," \
		"none at the CPU once bound"
}

iperf_sw()
{
	RET=0
	iperf_flow sw 5630
	log_test "PPPoE, software flowtable: iperf3 -u -b 4M -l 1000, sent = CPU"
}

pppoe_vlan_session()
{
	RET=0
	pppoe_down
	encap_link_add wan.100 link wan type vlan id 100 &&
		encap_host_link_add "$HW" hv100 link wan-wire type vlan id 100
	check_err $? "cannot create wan.100 / the wan host's VLAN 100"
	HOSTDEV=hv100
	[ "$RET" -eq 0 ] && pppoe_session_test wan.100 hv100
	log_test "PPPoE session over wan.100 up"
}

vlan_small_hw()
{
	RET=0
	small_flow pppoevlan:100 100 hw 5640
	log_test "PPPoE over wan.100, offloaded: 4-byte datagrams, padded and not, both ways;" \
		"padding stripped, none at the CPU once bound"
}

vlan_small_sw()
{
	RET=0
	small_flow pppoevlan:100 100 sw 5650
	log_test "PPPoE over wan.100, software flowtable: 4-byte datagrams, padded and not," \
		"both ways"
}

setup
run_tests
