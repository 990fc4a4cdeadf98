#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Offload beyond IPv4 masquerade, counted packet by packet:
#  dnat_port_forward  wan host -> router wan:8080, forwarded to lan1 host:5201
#  ipv4_route         lan1 host -> lan2 host, no NAT
#  ipv6_route         lan1 host -> wan host, no NAT
#  ipv6_masquerade    lan1 host -> wan host, masqueraded to the router's address
# Each is a UDP flow sent by iperf3 in two runs from one source port: the
# first (10 datagrams) gets it [HW_OFFLOAD] with exactly one bound entry per
# direction of the expected type (ipv4_napt, ipv4_route, ipv6_route,
# ipv6_napt) and translation; the second (2000 datagrams) must then pass
# without a packet reaching the CPU or the forward chain, engine_hits and the
# ports' fwd_rx_packets growing by exactly what the engine forwarded (its own
# entries plus the iperf3 control connection, counted separately). Over the
# flow's life, per direction, packets forwarded by the engine + packets that
# reached the CPU = packets that arrived at the receiving host (packets and
# bytes) = conntrack's counters; every datagram sent arrived; the server sees
# the expected peer address and port.
#
# Where things are counted: "arrived" in the receiving host's netdev ingress
# hook (frames as they came off the wire), "sent" in the sender's output
# hook, the engine in the debugfs table entries, the CPU in a netdev ingress
# chain on the router's ports (router_cpu_rule), conntrack after making
# nf_flow_table fetch the engine's counters (router_flow_sync).
# vm-timeout: 900

ALL_TESTS="dnat_port_forward ipv4_route ipv6_route ipv6_masquerade"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/router.lib"

require_command nft
require_command conntrack
require_command iperf3
require_command ethtool
router_require

cleanup()
{
	router_flow_timeouts_restore
	router_backlog_restore
	router_cleanup
}
trap cleanup EXIT

# ---- generic helpers (candidates for router.lib; kept identical in
# e2e_nat.sh and e2e_dnat_route.sh). Under TCG every process costs a good
# fraction of a second, so the readers below parse in bash. ----

# router_host_rx_nft DEV NAME MATCH: nft commands (for "nft -f -" in a host
# namespace) that count the frames matching MATCH arriving on DEV in counter
# NAME: a netdev ingress chain, i.e. the frames as they came off the wire,
# before any stack processing (skb->len there is the L3 length)
router_host_rx_nft()
{
	local chain=rx_${1//[-.]/_}

	echo "add table netdev $ROUTER_NFT"
	echo "add chain netdev $ROUTER_NFT $chain { type filter hook ingress device \"$1\" priority 0; policy accept; }"
	echo "add counter netdev $ROUTER_NFT $2"
	echo "add rule netdev $ROUTER_NFT $chain $3 counter name $2"
}

# router_host_tx_nft NAME MATCH: the same for the packets the namespace sends
# (output hook; router_host_counter's table and chain)
router_host_tx_nft()
{
	echo "add table inet $ROUTER_NFT"
	echo "add chain inet $ROUTER_NFT output { type filter hook output priority 0; policy accept; }"
	echo "add counter inet $ROUTER_NFT $1"
	echo "add rule inet $ROUTER_NFT output $2 counter name $1"
}

# router_host_rx_counter NS DEV NAME MATCH...: router_host_rx_nft, applied
router_host_rx_counter()
{
	local ns=$1 dev=$2 name=$3

	shift 3
	router_host_rx_nft "$dev" "$name" "$*" | ip netns exec "$ns" nft -f -
}

# router_counters_read [NS]: C[name] = packets, C[name.b] = bytes of every
# named counter in the router (or in host namespace NS), from one nft call;
# counter names are unique across the script's tables
declare -A C
router_counters_read()
{
	local w1 w2 w4 n=
	local -a pre=()

	[ -n "${1:-}" ] && pre=(ip netns exec "$1")
	while read -r w1 w2 _ w4 _; do
		case $w1 in
		counter) n=$w2 ;;
		packets) C[$n]=$w2 C[$n.b]=$w4 ;;
		esac
	done < <("${pre[@]}" nft list counters 2>/dev/null)
}

# router_ppe_get NAME VAR: the PPE's sysfs value NAME into VAR
router_ppe_get()
{
	read -r "$2" <"$ROUTER_PPE/$1"
}

# router_port_get DEV NAME VAR: the engine's counter NAME for port DEV
# (ethtool -S) into VAR
router_port_get()
{
	local k v

	while read -r k v; do
		[ "$k" = "$2:" ] && printf -v "$3" '%s' "$v"
	done < <(ethtool -S "$1")
}

# router_ep ADDR PORT: an endpoint as the debugfs table prints it
router_ep()
{
	case $1 in
	*:*) echo "[$1]:$2" ;;
	*) echo "$1:$2" ;;
	esac
}

# router_table_read: parse the debugfs table (one read): TE["SRC DST"] =
# "type packets bytes nat_src nat_dst iport eport" of the entry keyed
# SRC -> DST (router_ep form; nat_* "-" for route types), TN["SRC DST"] = how
# many entries carry that key, TE_BOUND = bound entries in all
declare -A TE TN
TE_BOUND=0
router_table_read()
{
	local -a w
	local i k ns nd p b ep

	TE=()
	TN=()
	TE_BOUND=0
	while read -r -a w; do
		[ "${w[1]:-}" = bound ] || continue
		TE_BOUND=$((TE_BOUND + 1))
		k="${w[9]} ${w[11]}"
		ns=- nd=- p='' b='' ep=''
		for ((i = 12; i < ${#w[@]} - 1; i++)); do
			case ${w[i]} in
			nat) ns=${w[i + 1]} nd=${w[i + 3]} ;;
			eport) ep=${w[i + 1]} ;;
			packets) p=${w[i + 1]} ;;
			bytes) b=${w[i + 1]} ;;
			esac
		done
		TE[$k]="${w[2]} $p $b $ns $nd ${w[6]} $ep"
		TN[$k]=$((${TN[$k]:-0} + 1))
	done <"${ROUTER_TABLE_FILE:=$(router_ppe_dfs)/table}"
}

# router_ct_counts "CTARGS": "orig_packets orig_bytes reply_packets
# reply_bytes" of the first conntrack entry matching CTARGS
router_ct_counts()
{
	local line w
	local -a a v=()

	read -ra a <<<"$1"
	line=$(conntrack -L "${a[@]}" 2>/dev/null)
	for w in ${line%%$'\n'*}; do
		case $w in
		packets=* | bytes=*) v+=("${w#*=}") ;;
		esac
	done
	echo "${v[*]}"
}

# router_ct_field_s DIR FIELD "CTARGS": router_ct_field with the conntrack
# arguments in one string
router_ct_field_s()
{
	local a

	read -ra a <<<"$3"
	router_ct_field "$1" "$2" "${a[@]}"
}

# router_tcp_idle NS PORT: no TCP connection on local port PORT in NS but
# TIME-WAIT ones (wait for it on the server's side: once its end is closed,
# every packet of the connections on PORT has arrived)
router_tcp_idle()
{
	local st l

	while read -r st _ _ l _; do
		case $st in
		LISTEN | TIME-WAIT) ;;
		*) [ "${l##*:}" = "$2" ] && return 1 ;;
		esac
	done < <(ip netns exec "$1" ss -Htan)
	return 0
}

# router_softnet_drops: frames dropped by full per-CPU input backlogs (any
# namespace); a drop there breaks an exact count, so failures print it
router_softnet_drops()
{
	local _cpu drops s=0

	while read -r _cpu drops _; do
		s=$((s + 16#$drops))
	done </proc/net/softnet_stat
	echo "$s"
}

# router_backlog N: let each CPU's input backlog (netif_rx, which is how the
# emulated wires deliver frames) hold N frames (net.core.netdev_max_backlog,
# 1000 by default): under TCG a receiving host can fall behind a burst the
# engine forwards and drop it there, outside the router. The first call saves
# the old value for router_backlog_restore.
ROUTER_BACKLOG_SAVED=
router_backlog()
{
	[ -n "$ROUTER_BACKLOG_SAVED" ] ||
		ROUTER_BACKLOG_SAVED=$(sysctl -n net.core.netdev_max_backlog) || return 1
	sysctl -qw "net.core.netdev_max_backlog=$1"
}

router_backlog_restore()
{
	[ -n "$ROUTER_BACKLOG_SAVED" ] &&
		sysctl -qw "net.core.netdev_max_backlog=$ROUTER_BACKLOG_SAVED"
	ROUTER_BACKLOG_SAVED=
}

# router_flow_timeouts SECONDS: how long an offloaded TCP/UDP flow without
# hits stays in the flowtable (nf_flowtable_{tcp,udp}_timeout, 30 s by
# default); the first call saves the old values for
# router_flow_timeouts_restore
ROUTER_FT_SAVED=
ROUTER_FT_TIMEOUT=
router_flow_timeouts()
{
	local p

	for p in tcp udp; do
		[ -n "$ROUTER_FT_TIMEOUT" ] ||
			ROUTER_FT_SAVED+="$p=$(sysctl -n "net.netfilter.nf_flowtable_${p}_timeout") "
		sysctl -qw "net.netfilter.nf_flowtable_${p}_timeout=$1" || return 1
	done
	ROUTER_FT_TIMEOUT=$1
}

router_flow_timeouts_restore()
{
	local kv

	for kv in $ROUTER_FT_SAVED; do
		sysctl -qw "net.netfilter.nf_flowtable_${kv%%=*}_timeout=${kv#*=}"
	done
	ROUTER_FT_SAVED=
	ROUTER_FT_TIMEOUT=
}

# router_flow_sync: have nf_flow_table fetch the engine's counters of every
# offloaded flow (FLOW_CLS_STATS, which adds them to conntrack's counters) at
# its next garbage-collection pass, and wait until it asked. nf_flow_table
# asks only once a tenth of the flow timeout has passed since the flow's last
# refresh; a timeout larger than any flow's remaining time makes every flow
# eligible at once (a flow that had hits is then refreshed to that timeout,
# so each call doubles it). Call with the traffic stopped; the test's timeout
# is put back for the flows to come.
ROUTER_FT_SYNC=1000
router_flow_sync()
{
	local p s0 n rc

	router_ppe_get stats_calls s0
	router_ppe_get flows_offloaded n
	ROUTER_FT_SYNC=$((ROUTER_FT_SYNC * 2))
	# beyond 2^31 jiffies a flow's timeout reads as expired
	[ "$ROUTER_FT_SYNC" -le 8000000 ] || return 1
	for p in tcp udp; do
		sysctl -qw "net.netfilter.nf_flowtable_${p}_timeout=$ROUTER_FT_SYNC" || return 1
	done
	# every offloaded direction asked once since the traffic stopped
	busywait 30000 router_stats_calls_reach $((s0 + n))
	rc=$?
	router_flow_timeouts "$ROUTER_FT_TIMEOUT"
	return "$rc"
}

router_stats_calls_reach()
{
	local n

	router_ppe_get stats_calls n
	[ "$n" -ge "$1" ]
}

# ---- flow accounting ----
#
# A flow F has an orig direction (o: its client sends, it enters the router
# on port IIF) and a reply direction (r: enters on OIF). Per direction:
#   S[cpu_D]  its frames that reached the router's CPU (router_cpu_rule)
#   S[fwd_D]  its packets in the router's forward chain, ahead of flow add
#   S[rx_D]   its frames that arrived at the receiving host, counted in that
#             host's netdev ingress hook: what came off the wire
#   S[eng_D]  packets of its bound entry in the engine (debugfs table)
#   (and the same in bytes: S[cpub_D], S[rxb_D], S[engb_D], all L3 bytes)
#   S[tx_D]   what the sending host sent (when counted: UDP)
# plus the engine-wide S[hits] (engine_hits) and S[fwdrx_D] (ethtool -S
# fwd_rx_packets of IIF / OIF). A flow may name a companion connection (the
# iperf3 control connection) whose engine-forwarded packets also show in
# engine_hits and fwd_rx_packets: S[xcpu_D], S[xrx_D].
declare -A FL S P

# flow_def F IIF OIF "ONS ODEV" "RNS RDEV": ports, and the receiving host
# (namespace, device) of each direction
flow_def()
{
	local ns dev

	FL[$1.iif]=$2
	FL[$1.oif]=$3
	read -r ns dev <<<"$4"
	FL[$1.ons]=$ns
	FL[$1.odev]=$dev
	read -r ns dev <<<"$5"
	FL[$1.rns]=$ns
	FL[$1.rdev]=$dev
}

# flow_counters F O_CPU R_CPU O_FWD R_FWD O_RX R_RX [XO_CPU XR_CPU XO_RX XR_RX]
# The counting rules, each MATCH one string of nft match words: frames that
# reach the CPU (a rule in the router's netdev chain "tocpu", router_nft_load
# -c), packets in the forward chain (inserted ahead of "flow add"), frames
# arriving at the receiving hosts; optionally the same for a companion
# connection. FL[F.onft] / FL[F.rnft] may hold more nft commands for the
# orig / reply receiver's namespace. One nft call per namespace.
flow_counters()
{
	local f=$1 t=$ROUTER_NFT iif=${FL[$1.iif]} oif=${FL[$1.oif]}

	{
		echo "add counter netdev $t cpu_${f}_o"
		echo "add counter netdev $t cpu_${f}_r"
		echo "add rule netdev $t tocpu iifname \"$iif\" $2 counter name cpu_${f}_o"
		echo "add rule netdev $t tocpu iifname \"$oif\" $3 counter name cpu_${f}_r"
		echo "add counter inet $t fwd_${f}_o"
		echo "add counter inet $t fwd_${f}_r"
		echo "insert rule inet $t forward $4 counter name fwd_${f}_o"
		echo "insert rule inet $t forward $5 counter name fwd_${f}_r"
		if [ $# -gt 7 ]; then
			echo "add counter netdev $t xcpu_${f}_o"
			echo "add counter netdev $t xcpu_${f}_r"
			echo "add rule netdev $t tocpu iifname \"$iif\" $8 counter name xcpu_${f}_o"
			echo "add rule netdev $t tocpu iifname \"$oif\" $9 counter name xcpu_${f}_r"
		fi
	} | nft -f - || return 1
	{
		router_host_rx_nft "${FL[$f.odev]}" "rx_${f}_o" "$6"
		[ $# -gt 7 ] && router_host_rx_nft "${FL[$f.odev]}" "xrx_${f}_o" "${10}"
		echo "${FL[$f.onft]:-}"
	} | ip netns exec "${FL[$f.ons]}" nft -f - || return 1
	{
		router_host_rx_nft "${FL[$f.rdev]}" "rx_${f}_r" "$7"
		[ $# -gt 7 ] && router_host_rx_nft "${FL[$f.rdev]}" "xrx_${f}_r" "${11}"
		echo "${FL[$f.rnft]:-}"
	} | ip netns exec "${FL[$f.rns]}" nft -f -
}

# flow_keys F ORIG_KEY REPLY_KEY: the entries' keys ("SRC DST", router_ep)
flow_keys()
{
	FL[$1.okey]=$2
	FL[$1.rkey]=$3
}

# flow_read F: read every counter of F into S (C holds all named counters)
flow_read()
{
	local f=$1 d port

	S=()
	C=()
	router_ppe_get engine_hits "S[hits]"
	router_table_read
	router_counters_read
	router_counters_read "${FL[$f.ons]}"
	router_counters_read "${FL[$f.rns]}"
	S[slow]=${C[slowpath]:-}
	for d in o r; do
		read -r _ "S[eng_$d]" "S[engb_$d]" _ <<<"${TE[${FL[$f.${d}key]}]:-}"
		S[cpu_$d]=${C[cpu_${f}_$d]:-}
		S[cpub_$d]=${C[cpu_${f}_$d.b]:-}
		S[fwd_$d]=${C[fwd_${f}_$d]:-}
		S[rx_$d]=${C[rx_${f}_$d]:-}
		S[rxb_$d]=${C[rx_${f}_$d.b]:-}
		S[tx_$d]=${C[tx_${f}_$d]:-}
		S[xcpu_$d]=${C[xcpu_${f}_$d]:-0}
		S[xrx_$d]=${C[xrx_${f}_$d]:-0}
		[ "$d" = o ] && port=${FL[$f.iif]} || port=${FL[$f.oif]}
		router_port_get "$port" fwd_rx_packets "S[fwdrx_$d]"
	done
}

# flow_settled F: read the counters; true when per direction engine + CPU =
# arrived, in packets and in bytes
flow_settled()
{
	local d eng engb cpu cpub

	flow_read "$1"
	for d in o r; do
		eng=${S[eng_$d]} engb=${S[engb_$d]} cpu=${S[cpu_$d]} cpub=${S[cpub_$d]}
		[ -n "$eng" ] && [ -n "${S[rx_$d]}" ] &&
		[ $((eng + cpu)) -eq "${S[rx_$d]}" ] &&
		[ $((engb + cpub)) -eq "${S[rxb_$d]}" ] || return 1
	done
}

# ct_read CTARGS: CT := router_ct_counts, once two reads in a row agree (the
# STATS work adds to conntrack right after the driver answered)
ct_read()
{
	local prev

	prev=$(router_ct_counts "$1")
	CT=$(router_ct_counts "$1")
	[ -n "$CT" ] && [ "$CT" = "$prev" ]
}

ct_describe()
{
	local op ob rp rb

	read -r op ob rp rb <<<"$1"
	echo "orig $op pkts $ob B, reply $rp pkts $rb B"
}

# flow_snapshot F CTARGS: keep the last read as P (the flow just bound, its
# traffic paused) and conntrack's counters, synced with the engine, as PCT
flow_snapshot()
{
	local k

	P=()
	for k in "${!S[@]}"; do
		P[$k]=${S[$k]}
	done
	router_flow_sync
	check_err $? "nf_flow_table did not fetch the engine's counters (stats_calls $(router_ppe_stat stats_calls))"
	busywait 10000 ct_read "$2"
	check_err $? "cannot read conntrack's counters of the flow"
	PCT=$CT
}

flow_describe()
{
	echo "orig: engine ${S[eng_o]} + CPU ${S[cpu_o]} vs arrived ${S[rx_o]} pkts (${S[engb_o]} + ${S[cpub_o]} vs ${S[rxb_o]} B); reply: engine ${S[eng_r]} + CPU ${S[cpu_r]} vs arrived ${S[rx_r]} pkts (${S[engb_r]} + ${S[cpub_r]} vs ${S[rxb_r]} B); softnet drops $(router_softnet_drops)"
}

flow_entries_present()
{
	router_table_read
	[ -n "${TE[${FL[$1.okey]}]:-}" ] && [ -n "${TE[${FL[$1.rkey]}]:-}" ]
}

# check_entries F TYPE ORIG_NAT REPLY_NAT: exactly one bound entry per
# direction, of TYPE, translating as the flow needs ("- -": no translation);
# all from one read of the table, taken once both entries are there
check_entries()
{
	local f=$1 type=$2 d k want t ns nd

	busywait 10000 flow_entries_present "$f"
	for d in o r; do
		k=${FL[$f.${d}key]}
		[ "${TN[$k]:-0}" -eq 1 ]
		check_err $? "${TN[$k]:-0} bound entries keyed $k, expected 1"
		read -r t _ _ ns nd _ <<<"${TE[$k]:-}"
		[ "$t" = "$type" ]
		check_err $? "the entry keyed $k is '$t', expected $type"
		[ "$d" = o ] && want=$3 || want=$4
		[ "$ns $nd" = "$want" ]
		check_err $? "the entry keyed $k translates to '$ns $nd', expected '$want'"
	done
	read -r t _ _ ns nd _ <<<"${TE[${FL[$f.okey]}]:-none}"
	want="orig $t ${FL[$f.okey]// / -> } nat $ns -> $nd"
	read -r t _ _ ns nd _ <<<"${TE[${FL[$f.rkey]}]:-none}"
	log_info "entries: $want; reply $t ${FL[$f.rkey]// / -> } nat $ns -> $nd; $TE_BOUND bound in all"
}

# check_bound_phase F [slowpath]: compare S (after the traffic) with P (flow
# just bound): the CPU and the forward chain saw nothing of the flow (with
# "slowpath": the forward chain saw nothing at all), the engine forwarded
# all of it, and engine_hits and the ports' fwd_rx_packets grew by exactly
# that (plus what the engine forwarded of the companion connection)
check_bound_phase()
{
	local eo=$((S[eng_o] - P[eng_o])) er=$((S[eng_r] - P[eng_r]))
	local ao=$((S[rx_o] - P[rx_o])) ar=$((S[rx_r] - P[rx_r])) xo xr

	xo=$((S[xrx_o] - P[xrx_o] - S[xcpu_o] + P[xcpu_o]))
	xr=$((S[xrx_r] - P[xrx_r] - S[xcpu_r] + P[xcpu_r]))
	[ "${S[cpu_o]}" -eq "${P[cpu_o]}" ] && [ "${S[cpu_r]}" -eq "${P[cpu_r]}" ]
	check_err $? "packets of the bound flow reached the CPU: orig ${P[cpu_o]} -> ${S[cpu_o]}, reply ${P[cpu_r]} -> ${S[cpu_r]}"
	[ "${S[fwd_o]}" -eq "${P[fwd_o]}" ] && [ "${S[fwd_r]}" -eq "${P[fwd_r]}" ]
	check_err $? "the forward chain saw packets of the bound flow: orig ${P[fwd_o]} -> ${S[fwd_o]}, reply ${P[fwd_r]} -> ${S[fwd_r]}"
	if [ "${2:-}" = slowpath ]; then
		[ "${S[slow]}" -eq "${P[slow]}" ]
		check_err $? "the forward chain's slowpath counter grew: ${P[slow]} -> ${S[slow]}"
	fi
	[ "$ao" -gt 0 ] && [ "$ar" -gt 0 ]
	check_err $? "nothing arrived while bound: orig $ao reply $ar"
	[ "$eo" -eq "$ao" ] && [ "$er" -eq "$ar" ]
	check_err $? "while bound: engine forwarded orig $eo reply $er, arrived orig $ao reply $ar"
	[ $((S[hits] - P[hits])) -eq $((eo + er + xo + xr)) ]
	check_err $? "engine_hits grew by $((S[hits] - P[hits])), the flow's entries by $((eo + er)), companion connection $((xo + xr))"
	[ $((S[fwdrx_o] - P[fwdrx_o])) -eq $((eo + xo)) ] && [ $((S[fwdrx_r] - P[fwdrx_r])) -eq $((er + xr)) ]
	check_err $? "fwd_rx_packets grew by ${FL[$1.iif]} $((S[fwdrx_o] - P[fwdrx_o])) ${FL[$1.oif]} $((S[fwdrx_r] - P[fwdrx_r])), entries by $eo / $er, companion $xo / $xr"
	log_info "after bind: arrived orig $ao reply $ar pkts; engine +$eo / +$er; reached the CPU +$((S[cpu_o] - P[cpu_o])) / +$((S[cpu_r] - P[cpu_r])); forward chain +$((S[fwd_o] - P[fwd_o])) / +$((S[fwd_r] - P[fwd_r])) (slowpath, all flows: +$((S[slow] - P[slow])))"
	log_info "after bind: engine_hits +$((S[hits] - P[hits])), fwd_rx_packets ${FL[$1.iif]} +$((S[fwdrx_o] - P[fwdrx_o])) ${FL[$1.oif]} +$((S[fwdrx_r] - P[fwdrx_r])) (companion connection $xo / $xr)"
}

# check_totals F CTARGS [whole]: per direction, engine + CPU = arrived over
# the flow's life; conntrack's packet and byte counters (synced with the
# engine) grew since flow_snapshot by exactly what arrived meanwhile, i.e.
# what the engine forwarded; with "whole", they also equal everything that
# arrived since the flow started
check_totals()
{
	local f=$1 ct=$2 op ob rp rb pop pob prp prb want got

	busywait 30000 flow_settled "$f"
	check_err $? "engine + CPU != arrived: $(flow_describe)"
	log_info "whole flow: orig arrived ${S[rx_o]} pkts ${S[rxb_o]} B, engine ${S[eng_o]} + CPU ${S[cpu_o]} pkts; reply arrived ${S[rx_r]} pkts ${S[rxb_r]} B, engine ${S[eng_r]} + CPU ${S[cpu_r]} pkts"
	router_flow_sync
	check_err $? "nf_flow_table did not fetch the engine's counters (stats_calls $(router_ppe_stat stats_calls))"
	busywait 10000 ct_read "$ct"
	check_err $? "cannot read conntrack's counters of the flow"
	read -r op ob rp rb <<<"$CT"
	read -r pop pob prp prb <<<"$PCT"
	want="$((S[rx_o] - P[rx_o])) $((S[rxb_o] - P[rxb_o])) $((S[rx_r] - P[rx_r])) $((S[rxb_r] - P[rxb_r]))"
	got="$((op - pop)) $((ob - pob)) $((rp - prp)) $((rb - prb))"
	[ "$got" = "$want" ]
	check_err $? "after bind conntrack grew by $(ct_describe "$got"), arrived $(ct_describe "$want")"
	log_info "after bind: conntrack +$(ct_describe "$got"); arrived +$(ct_describe "$want")"
	if [ "${3:-}" = whole ]; then
		[ "$CT" = "${S[rx_o]} ${S[rxb_o]} ${S[rx_r]} ${S[rxb_r]}" ]
		check_err $? "conntrack $(ct_describe "$CT"), arrived orig ${S[rx_o]} pkts ${S[rxb_o]} B, reply ${S[rx_r]} pkts ${S[rxb_r]} B"
	fi
	# shellcheck disable=SC2086
	log_info "conntrack whole flow: $(ct_describe "$CT")$(router_ct_hw $ct && echo ', [HW_OFFLOAD]')"
}

# iperf_saw LOG ADDR PORT: the last stream iperf3 logged in LOG (PEERLINE)
# came from ADDR port PORT
iperf_saw()
{
	PEERLINE=$(grep 'connected to' "$1" | tail -n 1)
	case "$PEERLINE " in
	*"connected to $2 port $3 "*) return 0 ;;
	esac
	return 1
}

# udp_flow F TYPE "CNS CDEV IIF" "SNS SDEV OIF" "CLIENT CPORT" "CONNECT CPORT2"
#          "SERVER SPORT" PEER
# A UDP flow through the router in two iperf3 runs from the same source
# port: the client CLIENT:CPORT (namespace CNS, device CDEV, router port IIF)
# sends to CONNECT:CPORT2, which reaches the server SERVER:SPORT (SNS, SDEV,
# OIF) from PEER. The first run (10 datagrams) sets the flow up until it is
# [HW_OFFLOAD] with one TYPE entry per direction; the second (UDP_N
# datagrams) must pass through the engine alone, nothing lost. Prints the
# counts; reports through check_err (the caller calls log_test).
UDP_N=2000
udp_flow()
{
	local f=$1 type=$2 peer=$8 cns cdev iif sns sdev oif client cport conn cport2
	local server sport l3=ip fam=ipv4 ct pport onat rnat log=$ROUTER_TMP/iperf-$1.log
	local sent sentr srv

	read -r cns cdev iif <<<"$3"
	read -r sns sdev oif <<<"$4"
	read -r client cport <<<"$5"
	read -r conn cport2 <<<"$6"
	read -r server sport <<<"$7"
	case $client in *:*) l3=ip6 fam=ipv6 ;; esac
	ct="-f $fam -p udp --sport $cport --dport $cport2"

	flow_def "$f" "$iif" "$oif" "$sns $sdev" "$cns $cdev"
	FL[$f.onft]=$(router_host_tx_nft "tx_${f}_r" "$l3 saddr $server udp sport $sport")
	FL[$f.rnft]=$(router_host_tx_nft "tx_${f}_o" "$l3 daddr $conn udp sport $cport")
	flow_counters "$f" "$l3 saddr $client udp sport $cport" \
		"$l3 saddr $server udp sport $sport" \
		"$l3 saddr $client udp sport $cport" \
		"$l3 saddr $server udp sport $sport" \
		"$l3 saddr $peer $l3 daddr $server udp dport $sport" \
		"$l3 saddr $conn $l3 daddr $client udp sport $cport2 udp dport $cport" \
		"$l3 saddr $client tcp dport $cport2" \
		"$l3 saddr $server tcp sport $sport" \
		"$l3 saddr $peer tcp dport $sport" \
		"$l3 saddr $conn tcp sport $cport2"
	check_err $? "cannot set up the counters"

	# one server for both runs
	router_bg srv ip netns exec "$sns" iperf3 -s -B "$server" -p "$sport" --logfile "$log"
	busywait 30000 router_listening "$sns" "$sport"
	check_err $? "iperf3 server did not start"
	ip netns exec "$cns" iperf3 -c "$conn" -p "$cport2" -u -b 1M -l 1200 -k 10 \
		--cport "$cport" >"$log.client" 2>&1
	check_err $? "iperf3 UDP (set-up run) failed: $(tail -n 1 "$log.client")"
	# shellcheck disable=SC2086
	router_wait_hw 60000 $ct
	check_err $? "the UDP flow never became [HW_OFFLOAD]"
	pport=$(router_ct_field_s reply dport "$ct")
	flow_keys "$f" "$(router_ep "$client" "$cport") $(router_ep "$conn" "$cport2")" \
		"$(router_ep "$server" "$sport") $(router_ep "$peer" "$pport")"
	case $type in
	*_napt)
		onat="$(router_ep "$peer" "$pport") $(router_ep "$server" "$sport")"
		rnat="$(router_ep "$conn" "$cport2") $(router_ep "$client" "$cport")" ;;
	*)
		onat="- -" rnat="- -" ;;
	esac
	check_entries "$f" "$type" "$onat" "$rnat"
	busywait 30000 router_tcp_idle "$sns" "$sport"
	check_err $? "the set-up run's control connection did not close"
	busywait 30000 flow_settled "$f"
	check_err $? "after the set-up run: $(flow_describe)"
	flow_snapshot "$f" "$ct"
	log_info "bound after orig ${P[rx_o]} / reply ${P[rx_r]} datagrams, of which the CPU saw orig ${P[cpu_o]} reply ${P[cpu_r]}"

	busywait 30000 router_listening "$sns" "$sport"
	check_err $? "the iperf3 server does not listen again"
	ip netns exec "$cns" iperf3 -c "$conn" -p "$cport2" -u -b 10M -l 1200 -k "$UDP_N" \
		--cport "$cport" >"$log.client" 2>&1
	check_err $? "iperf3 UDP failed: $(tail -n 1 "$log.client")"
	busywait 30000 router_tcp_idle "$sns" "$sport"
	check_err $? "the control connection did not close"

	check_totals "$f" "$ct" whole
	check_bound_phase "$f"
	sent=$((S[tx_o] - P[tx_o]))
	sentr=$((S[tx_r] - P[tx_r]))
	[ "$sent" -gt "$UDP_N" ] && [ $((S[rx_o] - P[rx_o])) -eq "$sent" ] &&
		[ $((S[rx_r] - P[rx_r])) -eq "$sentr" ]
	check_err $? "sent orig $sent (more than $UDP_N expected) reply $sentr, arrived orig $((S[rx_o] - P[rx_o])) reply $((S[rx_r] - P[rx_r]))"
	busywait 10000 iperf_saw "$log" "$peer" "$pport"
	check_err $? "the server did not see $peer port $pport: '$PEERLINE'"
	log_info "second run: client sent $sent datagrams, $((S[rx_o] - P[rx_o])) arrived; server sent $sentr, $((S[rx_r] - P[rx_r])) arrived; server: ${PEERLINE#*] }"
	kill "$srv" 2>/dev/null
	[ "$RET" -eq 0 ] || router_dump
}

# ---- end of generic helpers ----

setup()
{
	router_init
	# a bound flow gets no hits while the test pauses it (between the set-up
	# and the bulk, while counters are read); under TCG such a pause can
	# outlast the 30 s after which nf_flow_table expires an idle flow
	router_flow_timeouts 600 || exit "$ksft_fail"
	# and a receiving host can fall behind a burst and drop it in its
	# input backlog, outside the router
	router_backlog 100000 || exit "$ksft_fail"
	router_host HW wan 0 || exit "$ksft_fail"
	router_host HL lan1 1 || exit "$ksft_fail"
	router_host HL2 lan2 2 || exit "$ksft_fail"
	# resolve every neighbour the flows need before counting
	ip netns exec "$HL" ping -q -c 1 -W 5 "$(router_ip4 0 h)" >/dev/null &&
	ip netns exec "$HL" ping -q -c 1 -W 5 "$(router_ip4 2 h)" >/dev/null &&
	ip netns exec "$HL" ping -6 -q -c 1 -W 5 "$(router_ip6 0 h)" >/dev/null ||
		exit "$ksft_fail"
}

# a port forward: the wan host reaches the lan1 host's port 5201 at the
# router's wan address, port 8080 (UDP for the flow, TCP for iperf3's control)
dnat_port_forward()
{
	RET=0
	router_nft_load -d "wan lan1" -c "wan lan1" \
		-D wan udp 8080 "$(router_ip4 1 h):5201" \
		-D wan tcp 8080 "$(router_ip4 1 h):5201"
	check_err $? "cannot load the ruleset"
	udp_flow dnat ipv4_napt "$HW wan-wire wan" "$HL lan1-wire lan1" \
		"$(router_ip4 0 h) 41001" "$(router_ip4 0 r) 8080" \
		"$(router_ip4 1 h) 5201" "$(router_ip4 0 h)"
	log_test "DNAT wan:8080 -> lan1 host:5201: ipv4_napt, 0 to the CPU after bind, exact counters"
}

ipv4_route()
{
	RET=0
	router_nft_load -d "lan1 lan2" -c "lan1 lan2"
	check_err $? "cannot load the ruleset"
	udp_flow route4 ipv4_route "$HL lan1-wire lan1" "$HL2 lan2-wire lan2" \
		"$(router_ip4 1 h) 41002" "$(router_ip4 2 h) 5201" \
		"$(router_ip4 2 h) 5201" "$(router_ip4 1 h)"
	log_test "IPv4 routing lan1 -> lan2: ipv4_route, 0 to the CPU after bind, exact counters"
}

ipv6_route()
{
	RET=0
	router_nft_load -d "wan lan1" -c "wan lan1"
	check_err $? "cannot load the ruleset"
	udp_flow route6 ipv6_route "$HL lan1-wire lan1" "$HW wan-wire wan" \
		"$(router_ip6 1 h) 41003" "$(router_ip6 0 h) 5201" \
		"$(router_ip6 0 h) 5201" "$(router_ip6 1 h)"
	log_test "IPv6 routing lan1 -> wan: ipv6_route, 0 to the CPU after bind, exact counters"
}

ipv6_masquerade()
{
	RET=0
	router_nft_load -d "wan lan1" -c "wan lan1" -M wan
	check_err $? "cannot load the ruleset"
	udp_flow nat6 ipv6_napt "$HL lan1-wire lan1" "$HW wan-wire wan" \
		"$(router_ip6 1 h) 41004" "$(router_ip6 0 h) 5201" \
		"$(router_ip6 0 h) 5201" "$(router_ip6 0 r)"
	log_test "IPv6 masquerade lan1 -> wan: ipv6_napt, 0 to the CPU after bind, exact counters"
}

setup
run_tests
