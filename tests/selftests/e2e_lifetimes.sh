#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Flow lifetimes end to end on the board's engine (lan1 host -> wan host,
# masqueraded): a TCP connection closed by FIN and one aborted by RST lose both
# their entries (the engine punts the FIN/RST to the CPU, nf_flow_table tears
# the flow down -- or, after 6.12, marks it closing and takes it out of the
# hardware only -- DESTROY removes the entries) and entries_used returns to its
# baseline; an idle UDP flow expires after the flowtable timeout and its
# entries go; a UDP flow kept busy through the engine (pktgen) for three
# flowtable timeouts stays [HW_OFFLOAD] on the same two entries, never
# re-installed, no packet of it reaching the CPU, its entry's packet count
# rising (the driver's FLOW_CLS_STATS lastused is all that keeps it alive),
# and expires once it stops. Every flow is counted exactly: packets forwarded
# by the engine plus packets that reached the CPU equal the packets that
# arrived at the far host (counted on its wire peer before its stack).
# nf_flowtable_udp_timeout is lowered to 10 s; nf_flowtable_tcp_timeout is
# raised to 600 s so that only the FIN or the RST can end the TCP flows.
# vm-timeout: 900

ALL_TESTS="tcp_fin_removes tcp_rst_removes udp_idle_expires udp_busy_stays"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/router.lib"

require_command nft
require_command conntrack
require_command nc
require_command ss
router_require

WAN_IP=$(router_ip4 0 h)
LAN_IP=$(router_ip4 1 h)
LAN_MAC=
# flowtable timeouts while the test runs, seconds: UDP short, to see idle
# flows expire quickly; TCP long, so that only the FIN or RST can end the TCP
# flows (however slow the guest is between two steps)
UDP_TIMEOUT=10
TCP_TIMEOUT=600
SYSCTL_SAVED=()
SINK_PORT=9
HW=
HL=
BASE=		# entries_used before the connection of tcp_bound_two

cleanup()
{
	exec 8>&- 2>/dev/null
	[ -n "$HL" ] && router_pg_stop "$HL" 2>/dev/null
	[ "${#SYSCTL_SAVED[@]}" -gt 0 ] && sysctl -qw "${SYSCTL_SAVED[@]}"
	router_backlog_restore
	router_cleanup
}
trap cleanup EXIT

# --- this test ---------------------------------------------------------------

setup()
{
	router_init
	router_host HW wan 0 || exit "$ksft_fail"
	router_host HL lan1 1 || exit "$ksft_fail"
	router_nft_load -m wan -c "wan lan1" || exit "$ksft_fail"
	local ft=net.netfilter.nf_flowtable ct=net.netfilter.nf_conntrack_udp_timeout
	SYSCTL_SAVED=("${ft}_udp_timeout=$(sysctl -n "${ft}_udp_timeout")"
		      "${ft}_tcp_timeout=$(sysctl -n "${ft}_tcp_timeout")"
		      "$ct=$(sysctl -n "$ct")")
	# conntrack's own UDP timeout (30 s) starts when the flow leaves the
	# flowtable; on a loaded host reading its counters can come later
	sysctl -qw net.netfilter.nf_flowtable_udp_timeout="$UDP_TIMEOUT" \
		net.netfilter.nf_flowtable_tcp_timeout="$TCP_TIMEOUT" "$ct=300" ||
		exit "$ksft_fail"
	# pktgen catches up after a stall of its vCPU with a burst: the hosts'
	# input backlogs must hold it (see router_backlog)
	router_backlog 100000 || exit "$ksft_fail"
	# a flow is offloaded only once both next hops are resolved
	busywait 10000 ip netns exec "$HL" ping -q -c 1 -W 1 "$WAN_IP" >/dev/null ||
		exit "$ksft_fail"
	LAN_MAC=$(ip -br link show lan1 | awk '{ print $3 }')
	# per flow: the frames that reach the router's CPU, those that arrive
	# at the far host; FIN and RST frames at the CPU. The wan host drops
	# the UDP flows after counting them, so that it sends no ICMP back.
	router_cpu_counters \
		"cpu_o_5001 ip saddr $LAN_IP tcp dport 5001" \
		"cpu_r_5001 ip saddr $WAN_IP tcp sport 5001" \
		"cpu_o_5002 ip saddr $LAN_IP tcp dport 5002" \
		"cpu_r_5002 ip saddr $WAN_IP tcp sport 5002" \
		"cpu_fin tcp flags & fin == fin" \
		"cpu_rst tcp flags & rst == rst" \
		"cpu_u_40100 ip saddr $LAN_IP udp sport 40100" \
		"cpu_u_40200 ip saddr $LAN_IP udp sport 40200" || exit "$ksft_fail"
	router_host_rx_counters "$HW" wan-wire \
		"rx_o_5001 tcp dport 5001" "rx_o_5002 tcp dport 5002" \
		"rx_udp udp dport $SINK_PORT" "- udp dport $SINK_PORT drop" || exit "$ksft_fail"
	router_host_rx_counters "$HL" lan1-wire \
		"rx_r_5001 tcp sport 5001" "rx_r_5002 tcp sport 5002" || exit "$ksft_fail"
}

# ct_line ARGS...: the flow's conntrack line
ct_line()
{
	timeout 20 conntrack -L "$@" 2>/dev/null | head -n 1
}

ct_not_offloaded()
{
	local l

	l=$(timeout 20 conntrack -L "$@" 2>/dev/null) || [ $? -ne 124 ] || return 1
	! echo "$l" | grep -q 'OFFLOAD'
}

# ct_not_hw_offloaded ARGS...: conntrack has the flow out of the hardware
# (nf_flow_table clears [HW_OFFLOAD] once the driver's DESTROY returned)
ct_not_hw_offloaded()
{
	local l

	l=$(timeout 20 conntrack -L "$@" 2>/dev/null) || [ $? -ne 124 ] || return 1
	! echo "$l" | grep -q 'HW_OFFLOAD'
}

# closing_stays_in_software: this kernel keeps a TCP flow that saw a FIN or
# an RST in its software flowtable (NF_FLOW_CLOSING): the flow leaves the
# hardware at once and the flowtable when it times out. 6.1 and 6.12 tear
# the flow down at the FIN or RST instead; the kernels after 6.12 tested
# here (7.3) keep it (docs/design.md, "Kernel differences").
closing_stays_in_software()
{
	local maj min

	IFS=. read -r maj min _ <<<"$(uname -r)"
	[ $((maj * 1000 + min)) -gt 6012 ]
}

entries_used_is()
{
	[ "$(router_ppe_stat entries_used)" -eq "$1" ]
}

# TCP_* of the current connection
TCP_PORT=
TCP_OKEY=
TCP_RKEY=
TCP_SPID=
TCP_CPID=
TCP_SENT=
TCP_OUT=

# snapshot of the flow's counters, per direction: engine (entry packets,
# "-" without an entry), CPU, arrived at the far host
tcp_snap()
{
	local p=$TCP_PORT t c

	t=$(cat "$(router_ppe_dfs)/table")
	c=$(router_counters; router_counters "$HW"; router_counters "$HL")
	awk -v ok=" $TCP_OKEY vlan " -v rk=" $TCP_RKEY vlan " -v p="$p" '
		function pk(   i) { for (i = 1; i < NF; i++) if ($i == "packets") return $(i + 1) }
		FNR == NR { if (index($0, ok)) eo = pk(); if (index($0, rk)) er = pk(); next }
		{ v[$1] = $2 }
		END { print (eo == "" ? "-" : eo), (er == "" ? "-" : er),
			v["cpu_o_" p] + 0, v["cpu_r_" p] + 0, v["rx_o_" p] + 0, v["rx_r_" p] + 0 }
	' <(echo "$t") <(echo "$c")
}

TCP_LAST=
tcp_settled()
{
	local now

	now=$(tcp_snap)
	[ "$now" = "$TCP_LAST" ] && return 0
	TCP_LAST=$now
	return 1
}

# wait until the flow's counters stop moving
tcp_settle()
{
	local i

	TCP_LAST=
	for i in $(seq 20); do
		tcp_settled && return 0
		sleep 0.3
	done
	return 1
}

out_size_is()
{
	[ "$(stat -c %s "$TCP_OUT" 2>/dev/null)" = "$1" ]
}

# tcp_send KB: KB kilobytes more through the connection, until they arrived
tcp_send()
{
	local f

	f=$(router_file "$1") || return 1
	cat "$f" >>"$TCP_SENT"
	# a dead client would block the write forever
	timeout 60 cat "$f" >&8 || return 1
	busywait 60000 out_size_is "$(stat -c %s "$TCP_SENT")"
}

# tcp_open PORT: a connection lan host -> wan host:PORT, the client's stdin
# on fd 8 of this shell, 64 KB sent; waits for [HW_OFFLOAD] and both entries
tcp_open()
{
	local port=$1 fifo nport

	TCP_PORT=$port
	TCP_OUT=$ROUTER_TMP/out.$port
	TCP_SENT=$ROUTER_TMP/sent.$port
	: >"$TCP_SENT"
	router_bg TCP_SPID ip netns exec "$HW" nc -l "$port" >"$TCP_OUT" </dev/null
	router_nc_wait "$port" "$HW" || return 1
	fifo=$ROUTER_TMP/fifo.$port
	mkfifo "$fifo" || return 1
	exec 8<>"$fifo"
	# this shell's fd 8 must not leak into the client: it would never
	# see EOF on its stdin
	router_bg TCP_CPID ip netns exec "$HL" nc -N "$WAN_IP" "$port" <"$fifo" 8>&-
	tcp_send 64 || { log_info "the first 64 KB did not arrive"; return 1; }
	router_wait_hw 20000 -p tcp --dport "$port" ||
		{ log_info "the TCP flow to $port never became [HW_OFFLOAD]"; return 1; }
	nport=$(router_ct_field reply dport -p tcp --dport "$port")
	TCP_OKEY="$LAN_IP:$(router_ct_field orig sport -p tcp --dport "$port") -> $WAN_IP:$port"
	TCP_RKEY="$WAN_IP:$port -> $(router_ip4 0 r):$nport"
	if ! busywait 10000 router_entry "$TCP_OKEY" >/dev/null ||
	   ! busywait 10000 router_entry "$TCP_RKEY" >/dev/null; then
		log_info "the flow's entries are not both bound"
		return 1
	fi
}

# tcp_bound_exact: 128 KB through the bound flow: no packet of it reaches
# the CPU, and what the engine forwarded is exactly what arrived, both ways
tcp_bound_exact()
{
	local s0 s1 eo0 er0 co0 cr0 ro0 rr0 eo1 er1 co1 cr1 ro1 rr1

	tcp_settle || log_info "the flow's counters did not settle"
	s0=$(tcp_snap)
	tcp_send 128
	check_err $? "128 KB did not arrive through the bound flow"
	tcp_settle || log_info "the flow's counters did not settle"
	s1=$(tcp_snap)
	read -r eo0 er0 co0 cr0 ro0 rr0 <<<"$s0"
	read -r eo1 er1 co1 cr1 ro1 rr1 <<<"$s1"
	if [ "$eo0$er0$eo1$er1" != "${eo0#-}${er0#-}${eo1#-}${er1#-}" ]; then
		check_err 1 "the flow's entries are gone: $s0 / $s1 (engine to/back, CPU to/back," \
			"arrived to/back)"
		return
	fi
	log_info "bound: to the server engine $((eo1 - eo0)) + CPU $((co1 - co0)) = arrived" \
		"$((ro1 - ro0)); back engine $((er1 - er0)) + CPU $((cr1 - cr0)) = arrived" \
		"$((rr1 - rr0))"
	[ "$co1" -eq "$co0" ] && [ "$cr1" -eq "$cr0" ]
	check_err $? "packets of the bound flow reached the CPU: $((co1 - co0)) + $((cr1 - cr0))"
	[ $((eo1 - eo0)) -gt 0 ] && [ $((eo1 - eo0 + co1 - co0)) -eq $((ro1 - ro0)) ]
	check_err $? "to the server: engine $((eo1 - eo0)) + CPU $((co1 - co0)) != arrived" \
		"$((ro1 - ro0))"
	[ $((er1 - er0)) -gt 0 ] && [ $((er1 - er0 + cr1 - cr0)) -eq $((rr1 - rr0)) ]
	check_err $? "back: engine $((er1 - er0)) + CPU $((cr1 - cr0)) != arrived $((rr1 - rr0))"
}

# the flow's entries left the table, entries_used is back at BASE, conntrack
# no longer has it in the flowtable
tcp_removed()
{
	local base=$1 what=$2

	busywait 60000 router_entry_gone "$TCP_OKEY"
	check_err $? "the entry $TCP_OKEY is still bound after the $what"
	busywait 10000 router_entry_gone "$TCP_RKEY"
	check_err $? "the entry $TCP_RKEY is still bound after the $what"
	busywait 10000 entries_used_is "$base"
	check_err $? "entries_used is $(router_ppe_stat entries_used) after the $what," \
		"was $base before the flow"
	busywait 10000 ct_not_hw_offloaded -p tcp --dport "$TCP_PORT"
	check_err $? "conntrack still shows the flow in hardware:" \
		"$(ct_line -p tcp --dport "$TCP_PORT")"
	if closing_stays_in_software; then
		log_info "the kernel keeps the closing flow in its software flowtable until it" \
			"times out: $(ct_line -p tcp --dport "$TCP_PORT")"
	else
		busywait 10000 ct_not_offloaded -p tcp --dport "$TCP_PORT"
		check_err $? "conntrack still shows the flow in the flowtable:" \
			"$(ct_line -p tcp --dport "$TCP_PORT")"
	fi
	log_info "after the $what: entries of the flow $(router_entry "$TCP_OKEY" | grep -c .) +" \
		"$(router_entry "$TCP_RKEY" | grep -c .)," \
		"entries_used $(router_ppe_stat entries_used) (baseline $base)," \
		"destroy_calls $(router_ppe_stat destroy_calls)"
}

tcp_close_fds()
{
	exec 8>&-
	wait "$TCP_CPID" 2>/dev/null
	wait "$TCP_SPID" 2>/dev/null
}

# tcp_bound_two PORT EVENT: an offloaded connection to PORT (tcp_open) whose
# packets the engine forwards exactly (tcp_bound_exact), with entries_used
# two above the baseline it sets in BASE; fails, with the connection closed
# and the state dumped, if it cannot be set up
tcp_bound_two()
{
	BASE=$(router_ppe_stat entries_used)
	tcp_open "$1"
	check_err $? "cannot set up an offloaded TCP connection"
	if [ "$RET" -ne 0 ]; then
		router_dump
		tcp_close_fds
		return 1
	fi
	tcp_bound_exact
	log_info "before the $2: entries_used $(router_ppe_stat entries_used) (baseline $BASE);" \
		"$(router_entry_id "$TCP_OKEY") $TCP_OKEY, $(router_entry_id "$TCP_RKEY") $TCP_RKEY"
	[ "$(router_ppe_stat entries_used)" -eq $((BASE + 2)) ]
	check_err $? "entries_used is $(router_ppe_stat entries_used) with the flow bound," \
		"expected $((BASE + 2))"
	return 0
}

tcp_fin_removes()
{
	local base d0 fin0 fin1 punt0 punt1

	RET=0
	if ! tcp_bound_two 5001 FIN; then
		log_test "TCP closed by FIN: its entries leave the table"
		return
	fi
	base=$BASE

	d0=$(router_ppe_stat destroy_calls)
	fin0=$(router_counter cpu_fin)
	punt0=$(router_ppe_stat engine_punt_tcp_flags)
	# EOF on the client's stdin: nc -N shuts its side down (FIN), the
	# server sees EOF, exits and closes (FIN)
	tcp_close_fds
	tcp_removed "$base" FIN
	fin1=$(router_counter cpu_fin)
	punt1=$(router_ppe_stat engine_punt_tcp_flags)
	[ "$fin1" -ge $((fin0 + 2)) ]
	check_err $? "the two FINs did not reach the CPU: $fin0 -> $fin1"
	[ "$punt1" -gt "$punt0" ]
	check_err $? "the engine punted no TCP_FLAGS frame: $punt0 -> $punt1"
	[ "$(router_sha "$TCP_OUT")" = "$(router_sha "$TCP_SENT")" ]
	check_err $? "the received stream differs from the sent one"
	log_info "FIN: FIN frames at the CPU $fin0 -> $fin1," \
		"engine_punt_tcp_flags $punt0 -> $punt1," \
		"destroy_calls $d0 -> $(router_ppe_stat destroy_calls)," \
		"$(stat -c %s "$TCP_SENT") bytes sha256 $(router_sha "$TCP_OUT" | cut -c1-16) equal"
	[ "$RET" -eq 0 ] || router_dump
	log_test "TCP closed by FIN: its entries leave the table"
}

server_has_unread()
{
	ip netns exec "$HW" ss -Htn state established "( sport = :$TCP_PORT )" |
		awk '{ exit !($1 > 0) }'
}

tcp_rst_removes()
{
	local base d0 rst0 rst1

	RET=0
	if ! tcp_bound_two 5002 RST; then
		log_test "TCP aborted by RST: its entries leave the table"
		return
	fi
	base=$BASE

	d0=$(router_ppe_stat destroy_calls)
	rst0=$(router_counter cpu_rst)
	# the server stops reading; data waits in its socket; killing it then
	# closes a socket with unread data: the kernel answers with a RST
	kill -STOP "$TCP_SPID"
	timeout 60 cat "$(router_file 16)" >&8
	busywait 20000 server_has_unread
	check_err $? "no unread data queued at the stopped server"
	{ kill -KILL "$TCP_SPID"; wait "$TCP_SPID"; } 2>/dev/null
	tcp_removed "$base" RST
	rst1=$(router_counter cpu_rst)
	[ "$rst1" -gt "$rst0" ]
	check_err $? "no RST reached the CPU: $rst0 -> $rst1"
	log_info "RST: RST frames at the CPU $rst0 -> $rst1," \
		"destroy_calls $d0 -> $(router_ppe_stat destroy_calls)," \
		"conntrack: $(ct_line -p tcp --dport 5002 | awk '{ print $4 }' | grep . ||
			echo "(entry gone)")"
	tcp_close_fds
	[ "$RET" -eq 0 ] || router_dump
	log_test "TCP aborted by RST: its entries leave the table"
}

# a UDP flow lan host -> wan host:SINK_PORT from pktgen, masqueraded
UDP_OKEY=
UDP_RKEY=
udp_keys()
{
	local sport=$1

	UDP_OKEY="$LAN_IP:$sport -> $WAN_IP:$SINK_PORT"
	UDP_RKEY="$WAN_IP:$SINK_PORT -> $(router_ip4 0 r):"
	UDP_RKEY+=$(router_ct_field reply dport -p udp --sport "$sport")
}

# udp_snap DIR: the table and the flow's counters (CPU, arrived at the
# wan host) into DIR, read right after one another
udp_snap()
{
	mkdir -p "$1"
	cat "$(router_ppe_dfs)/table" >"$1/table"
	router_counters >"$1/counters"
	router_counters "$HW" >>"$1/counters"
}

snap_counter()
{
	awk -v n="$2" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }' "$1/counters"
}

# udp_arrived SENT RX0: every frame pktgen sent has arrived at the wan host
# (pktgen is done once its frames are queued; on a loaded host the last of
# them may still be crossing the board, and a snapshot taken then reads the
# table before they pass and the wan host's counter after)
udp_arrived()
{
	[ $(( $(router_counter rx_udp "$HW") - $2 )) -ge "$1" ]
}

# udp_settle SENT RX0 DIR: wait (5 s at most, well inside the flow's timeout)
# for the frames to arrive, then snapshot into DIR
udp_settle()
{
	busywait 5000 udp_arrived "$1" "$2"
	udp_snap "$3"
}

# udp_exact SPORT SENT RX0 DIR: after the flow stopped (snapshot DIR): engine
# + CPU = sent = arrived at the wan host (RX0 arrived there before the flow)
udp_exact()
{
	local sport=$1 sent=$2 rx0=$3 d=$4 e c rx

	e=$(router_entry_packets "$UDP_OKEY" "$d/table")
	c=$(snap_counter "$d" "cpu_u_$sport")
	rx=$(( $(snap_counter "$d" rx_udp) - rx0 ))
	log_info "udp $sport: sent $sent, engine ${e:-(no entry)} + CPU $c, arrived $rx"
	[ "${e:-0}" -gt 0 ]
	check_err $? "the engine forwarded no packet of the flow (entry packets '${e}')"
	[ "$rx" -eq "$sent" ]
	check_err $? "sent $sent, arrived $rx; softnet drops $(softnet_drops)"
	[ $((${e:-0} + c)) -eq "$sent" ]
	check_err $? "engine ${e:-0} + CPU $c != sent $sent"
}

# udp_expired SPORT SENT BASE T0: wait for the flow to expire; its entries go,
# entries_used is back at BASE; conntrack keeps the connection, out of the
# flowtable, and counts exactly what was sent (the engine's packets reached
# it through STATS before the flow went)
udp_expired()
{
	local sport=$1 sent=$2 base=$3 t0=$4 t1 ctp

	busywait $(( (UDP_TIMEOUT + 60) * 1000 )) router_entry_gone "$UDP_OKEY"
	check_err $? "the entry $UDP_OKEY is still bound"
	t1=$(lib_now_ms)
	busywait 30000 router_entry_gone "$UDP_RKEY"
	check_err $? "the entry $UDP_RKEY is still bound"
	busywait 30000 entries_used_is "$base"
	check_err $? "entries_used is $(router_ppe_stat entries_used) after the flow expired," \
		"was $base before it"
	busywait 30000 ct_not_offloaded -p udp --sport "$sport"
	check_err $? "conntrack still shows the flow in the flowtable:" \
		"$(ct_line -p udp --sport "$sport")"
	ctp=$(router_ct_field orig packets -p udp --sport "$sport")
	[ "$ctp" = "$sent" ]
	check_err $? "conntrack counts $ctp packets of the flow, $sent were sent"
	log_info "udp $sport: gone $(( (t1 - t0) / 1000 )) s after its last packet" \
		"(timeout $UDP_TIMEOUT s);" \
		"entries_used $(router_ppe_stat entries_used) (baseline $base)," \
		"conntrack packets $ctp," \
		"$(ct_line -p udp --sport "$sport" | grep -o '\[[A-Z_]*\]' | tr '\n' ' ')"
}

udp_idle_expires()
{
	local sport=40100 base rx0 pgpid sent t0 d0 d=$ROUTER_TMP/idle

	RET=0
	base=$(router_ppe_stat entries_used)
	rx0=$(router_counter rx_udp "$HW")
	d0=$(router_ppe_stat destroy_calls)
	# 150 frames, one every 20 ms: bound while they go
	router_pg_setup "$HL" lan1-wire "$LAN_MAC" "$LAN_IP" "$WAN_IP" "$sport" 1 "$SINK_PORT" \
		150 20000000
	router_bg pgpid router_pg_run "$HL"
	router_wait_hw 20000 -p udp --sport "$sport"
	check_err $? "the UDP flow never became [HW_OFFLOAD] while it was sending"
	wait "$pgpid"
	t0=$(lib_now_ms)
	# the table first: the flow expires UDP_TIMEOUT seconds from now
	sent=$(router_pg_sent "$HL" lan1-wire)
	check_err $? "pktgen reports errors"
	udp_settle "$sent" "$rx0" "$d"
	udp_keys "$sport"
	log_info "bound at its last packet: $(router_entry_id "$UDP_OKEY" "$d/table") $UDP_OKEY," \
		"$(router_entry_id "$UDP_RKEY" "$d/table") $UDP_RKEY;" \
		"entries $(grep -c ': bound ' "$d/table") (baseline $base)"
	[ "$(grep -c ': bound ' "$d/table")" -eq $((base + 2)) ] &&
		router_entry "$UDP_OKEY" "$d/table" >/dev/null &&
		router_entry "$UDP_RKEY" "$d/table" >/dev/null
	check_err $? "the flow's two entries were not bound"
	udp_exact "$sport" "$sent" "$rx0" "$d"
	udp_expired "$sport" "$sent" "$base" "$t0"
	log_info "destroy_calls $d0 -> $(router_ppe_stat destroy_calls)"
	[ "$RET" -eq 0 ] || router_dump
	log_test "idle UDP flow expires and its entries go"
}

udp_busy_stays()
{
	local sport=40200 base rx0 pgpid sent t0 t1 now
	local oid rid c0 inst0 stats0 p prev rise n=0 samples="" d=$ROUTER_TMP/busy tb

	RET=0
	base=$(router_ppe_stat entries_used)
	rx0=$(router_counter rx_udp "$HW")
	# one frame every 20 ms until stopped
	router_pg_setup "$HL" lan1-wire "$LAN_MAC" "$LAN_IP" "$WAN_IP" "$sport" 1 "$SINK_PORT" \
		0 20000000
	router_bg pgpid router_pg_run "$HL"
	router_wait_hw 30000 -p udp --sport "$sport"
	check_err $? "the UDP flow never became [HW_OFFLOAD]"
	udp_keys "$sport"
	busywait 30000 router_entry "$UDP_RKEY" >/dev/null
	check_err $? "the reply entry $UDP_RKEY is not bound"
	# frames punted before the entry was written may still be on their way
	sleep 1
	mkdir -p "$d"
	tb=$d/table
	cat "$(router_ppe_dfs)/table" >"$tb"
	oid=$(router_entry_id "$UDP_OKEY" "$tb")
	rid=$(router_entry_id "$UDP_RKEY" "$tb")
	prev=$(router_entry_packets "$UDP_OKEY" "$tb")
	c0=$(router_counter "cpu_u_$sport")
	inst0=$(router_ppe_stat installs)
	stats0=$(router_ppe_stat stats_calls)
	log_info "bound: $oid $UDP_OKEY, $rid $UDP_RKEY;" \
		"entries_used $(router_ppe_stat entries_used) (baseline $base), CPU packets $c0," \
		"installs $inst0"

	# three flowtable timeouts and one second more, checked every second
	t0=$(lib_now_ms)
	now=$t0
	rise=$t0
	while [ "$RET" -eq 0 ]; do
		sleep 1
		now=$(lib_now_ms)
		n=$((n + 1))
		cat "$(router_ppe_dfs)/table" >"$tb"
		router_ct_hw -p udp --sport "$sport"
		check_err $? "after $(( (now - t0) / 1000 )) s the flow is no longer" \
			"[HW_OFFLOAD]: $(ct_line -p udp --sport "$sport")"
		[ "$(router_entry_id "$UDP_OKEY" "$tb")" = "$oid" ] &&
			[ "$(router_entry_id "$UDP_RKEY" "$tb")" = "$rid" ]

		check_err $? "after $(( (now - t0) / 1000 )) s the entries are not the same:" \
			"'$(router_entry_id "$UDP_OKEY" "$tb")'" \
			"'$(router_entry_id "$UDP_RKEY" "$tb")', were $oid $rid"
		[ "$(router_ppe_stat installs)" -eq "$inst0" ]
		check_err $? "after $(( (now - t0) / 1000 )) s installs moved $inst0 ->" \
			"$(router_ppe_stat installs): the flow was re-added"
		[ "$(router_counter "cpu_u_$sport")" -eq "$c0" ]
		check_err $? "after $(( (now - t0) / 1000 )) s packets of the flow reached the" \
			"CPU: $c0 -> $(router_counter "cpu_u_$sport")"
		# busy: the entry's packets never fall (it is the same entry) and
		# rise within every half timeout (a loaded host may stall the
		# guest, pktgen included, for a second or two; a flow that no
		# longer moved for a whole timeout would rightly expire)
		p=$(router_entry_packets "$UDP_OKEY" "$tb")
		[ "${p:-0}" -ge "${prev:-0}" ]
		check_err $? "after $(( (now - t0) / 1000 )) s the entry's packets fell:" \
			"$prev -> $p"
		[ "${p:-0}" -gt "${prev:-0}" ] && rise=$now
		[ $((now - rise)) -lt $((UDP_TIMEOUT * 500)) ]
		check_err $? "after $(( (now - t0) / 1000 )) s the entry's packets had not" \
			"risen for $(( (now - rise) / 1000 )) s: $p"
		samples+=" $(( (now - t0) / 1000 )):$p"
		prev=$p
		[ $((now - t0)) -ge $(( (3 * UDP_TIMEOUT + 1) * 1000 )) ] && break
	done
	log_info "busy for $(( (now - t0) / 1000 )) s (timeout $UDP_TIMEOUT s), $n checks," \
		"s:entry packets$samples"
	log_info "CPU packets $c0 -> $(router_counter "cpu_u_$sport")," \
		"installs $inst0 -> $(router_ppe_stat installs)," \
		"stats_calls $stats0 -> $(router_ppe_stat stats_calls)," \
		"entries $(router_entry_id "$UDP_OKEY") $(router_entry_id "$UDP_RKEY")"
	[ "$(router_ppe_stat stats_calls)" -gt "$stats0" ]
	check_err $? "no FLOW_CLS_STATS while the flow was busy"

	router_pg_stop "$HL"
	wait "$pgpid"
	t1=$(lib_now_ms)
	sent=$(router_pg_sent "$HL" lan1-wire)
	check_err $? "pktgen reports errors"
	udp_settle "$sent" "$rx0" "$d"
	udp_exact "$sport" "$sent" "$rx0" "$d"
	udp_expired "$sport" "$sent" "$base" "$t1"
	[ "$RET" -eq 0 ] || router_dump
	log_test "busy UDP flow stays offloaded for 3 timeouts, then expires"
}

setup
run_tests
