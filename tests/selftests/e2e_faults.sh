#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Engine faults under offloaded traffic, injected through the sim's debugfs
# knobs on the board's engine; each UDP stream has a known datagram count and
# the wan host counts what arrives.
#
#   cache_timeout    the entry cache stops answering while a flow is
#                    offloaded: the driver disables the engine (degraded = 1,
#                    one warning naming the cache), the engine forwards
#                    nothing more and every datagram goes through the CPU;
#                    once the cache answers the driver re-enables it
#                    (recoveries + 1) and the bound flows are the engine's
#                    again. Engine + CPU = sent = received.
#   dropped_frames   the engine drops a share of what it forwards: the
#                    driver's engine_drops and the port's fwd_drops both count
#                    exactly the datagrams that did not arrive; a TCP file
#                    through the same lossy engine arrives byte-identical.
#   fw_boot_failure  the firmware does not boot on a rebind: probe fails with
#                    one message naming it, nothing stays bound, a flowtable
#                    with "flags offload" is refused, the software flowtable
#                    forwards every datagram; with the fault gone the driver
#                    binds and offloads again.
# vm-timeout: 900

ALL_TESTS="cache_timeout dropped_frames fw_boot_failure"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/router.lib"

require_command nft
require_command conntrack
require_command nc
router_require

WAN_IP=$(router_ip4 0 h)
SIMD=$(sim_dfs_of_port wan)
DRV=/sys/bus/platform/drivers/openppe

cleanup()
{
	local k

	for k in cache_timeout drop_percent fail_fw_boot; do
		echo 0 >"$SIMD/$k" 2>/dev/null
	done
	[ -e "$ROUTER_PPE/driver" ] || basename "$ROUTER_PPE" >"$DRV/bind" 2>/dev/null
	router_cleanup
}
trap cleanup EXIT

setup()
{
	[ -d "$SIMD" ] || { log_info "no sim debugfs at $SIMD"; exit "$ksft_fail"; }
	router_init
	router_host HW wan 0 || exit "$ksft_fail"
	router_host HL lan1 1 || exit "$ksft_fail"
	router_nft_load -m wan -c "wan lan1" || exit "$ksft_fail"
	# what the wan host receives, per test (rules added by rx_rule)
	ip netns exec "$HW" nft -f - <<-EOF || exit "$ksft_fail"
	table netdev $ROUTER_NFT {
		chain rx {
			type filter hook ingress device "wan-wire" priority 0; policy accept;
			udp dport 5300-5399 drop
		}
	}
	EOF
	ip netns exec "$HL" ping -q -c 1 -W 2 "$WAN_IP" >/dev/null
}

# rx_rule NAME MATCH...: count what the wan host receives matching MATCH
# (before the rule that drops the test datagrams)
rx_rule()
{
	local name=$1

	shift
	ip netns exec "$HW" nft add counter netdev "$ROUTER_NFT" "$name" &&
		ip netns exec "$HW" nft insert rule netdev "$ROUTER_NFT" rx "$@" \
			counter name "$name"
}

rx_count()
{
	router_nft_counter_of netdev "$1" packets "$HW"
}

# udp_send DPORT COUNT PPS: COUNT datagrams of 400 bytes from one socket to
# the wan host's DPORT (which counts and drops them: no ICMP comes back);
# COUNT 0: until udp_stop DPORT. How many were sent: udp_sent DPORT.
udp_send()
{
	local fifo=$ROUTER_TMP/pace.$1

	rm -f "$fifo" "$ROUTER_TMP/sent.$1"
	mkfifo "$fifo" || return 1
	# shellcheck disable=SC2016
	ip netns exec "$HL" bash -c '
		exec 3>"/dev/udp/$0/$1" 4<>"$4" || exit 1
		p=$(printf "%0400d" 0)
		rc=0
		for ((i = 0; $2 == 0 || i < $2; )); do
			printf "%s" "$p" >&3 || { rc=1; break; }
			i=$((i + 1))
			# the pace: a read of the fifo that times out. Anything
			# written to it (udp_stop) ends the stream, also the part
			# of a line that a timeout cut: bash reads a pipe a byte
			# at a time, and under TCG that can outlast 5 ms
			read -r -t "$3" -u 4 cmd || [ -n "$cmd" ] && break
		done
		echo "$i" >"$5"
		exit $rc' "$WAN_IP" "$1" "$2" \
		"$(awk -v r="$3" 'BEGIN { printf "%.4f", 1 / r }')" "$fifo" "$ROUTER_TMP/sent.$1"
}

# opened read-write: never blocks, even once the sender is gone
udp_stop()
{
	echo stop 1<>"$ROUTER_TMP/pace.$1"
}

udp_sent()
{
	cat "$ROUTER_TMP/sent.$1" 2>/dev/null || echo 0
}

# conntrack's source port of the flow to DPORT
flow_sport()
{
	router_ct_field orig sport -p udp --dport "$1"
}

# packets of the bound entries whose key starts at ip:port $1
entry_packets()
{
	awk -v k="proto [0-9]+ $1 " '$0 ~ k && / bound / {
		for (i = 1; i < NF; i++) if ($i == "packets") s += $(i + 1) }
		END { print s + 0 }' "$(router_ppe_dfs)/table"
}

stat_is()
{
	[ "$(router_ppe_stat "$1")" = "$2" ]
}

stat_above()
{
	[ "$(router_ppe_stat "$1")" -gt "$2" ]
}

cpu_above()	# cpu_above COUNTER N: the router's CPU path counted more than N
{
	[ "$(router_cpu_counter "$1")" -gt "$2" ]
}

cache_timeout()
{
	local n dport=5310 pid t0 rec0 cpu eng got hits sport
	local -a ct=(-p udp --dport 5310)

	RET=0
	rx_rule rx_cache udp dport $dport
	router_cpu_rule cpu_cache iifname lan1 udp dport $dport
	t0=$(router_ppe_stat cache_timeouts)
	rec0=$(router_ppe_stat recoveries)
	# 200 datagrams/s until every check below that needs traffic is done
	router_bg pid udp_send $dport 0 200
	router_wait_hw 60000 "${ct[@]}"
	check_err $? "the UDP flow never became [HW_OFFLOAD]"
	busywait 10000 stat_above engine_hits "$(router_ppe_stat engine_hits)"
	check_err $? "the engine does not forward the flow"

	echo 1 >"$SIMD/cache_timeout"
	# any table write now needs the cache: a second flow's REPLACE does
	router_bg hits udp_send 5311 20 20
	busywait 20000 stat_is degraded 1
	check_err $? "the driver did not notice the cache timeout" \
		"(degraded $(router_ppe_stat degraded))"
	[ "$(router_ppe_stat cache_timeouts)" -gt "$t0" ]
	check_err $? "cache_timeouts did not count it"
	dmesg | grep -F "$(basename "$ROUTER_PPE")" | grep -qi "cache"
	check_err $? "no kernel message names the entry cache"
	# measured against the stream's own progress, not the clock: 100 more
	# datagrams through the CPU, and the engine forwarded none meanwhile
	hits=$(router_ppe_stat engine_hits)
	cpu=$(router_cpu_counter cpu_cache)
	busywait 60000 cpu_above cpu_cache $((cpu + 100))
	check_err $? "the stream does not go through the CPU while degraded" \
		"(CPU path $cpu -> $(router_cpu_counter cpu_cache))"
	[ "$(router_ppe_stat engine_hits)" -eq "$hits" ]
	check_err $? "the engine still forwards while degraded" \
		"(engine_hits $hits -> $(router_ppe_stat engine_hits))"
	log_info "degraded: cache_timeouts +$(($(router_ppe_stat cache_timeouts) - t0))," \
		"CPU path +$(($(router_cpu_counter cpu_cache) - cpu)) datagrams," \
		"engine_hits +$(($(router_ppe_stat engine_hits) - hits))"
	log_info "kernel: $(dmesg | grep -F "$(basename "$ROUTER_PPE")" | grep -i cache |
		head -n 1 | sed 's/^\[[^]]*\] //')"


	echo 0 >"$SIMD/cache_timeout"
	busywait 20000 stat_is degraded 0
	check_err $? "the driver did not recover"
	[ "$(router_ppe_stat recoveries)" -gt "$rec0" ]
	check_err $? "recoveries did not count it"
	hits=$(router_ppe_stat engine_hits)
	router_ct_hw "${ct[@]}" && busywait 10000 stat_above engine_hits "$hits"
	check_err $? "the bound flow is not the engine's again after the recovery"

	udp_stop $dport
	wait "$pid"
	check_err $? "the sender failed"
	n=$(udp_sent $dport)
	busywait 10000 lib_output_is "$n" rx_count rx_cache
	got=$(rx_count rx_cache)
	cpu=$(router_cpu_counter cpu_cache)
	sport=$(flow_sport $dport)
	eng=$(entry_packets "$(router_ip4 1 h):$sport")
	[ "$n" -gt 0 ] && [ "$got" -eq "$n" ] && [ $((eng + cpu)) -eq "$n" ]
	check_err $? "sent $n, received $got, engine $eng + CPU $cpu"
	log_info "stream: sent $n, received $got, engine $eng + CPU $cpu;" \
		"recoveries +$(($(router_ppe_stat recoveries) - rec0))"
	[ "$RET" -eq 0 ] || router_dump
	log_test "cache timeout under traffic: engine off, CPU forwards, recovered"
}

dropped_frames()
{
	local n dport=5320 pct=20 pid d0 p0 got drops pdrops src out kb=512
	local -a ct=(-p udp --dport 5320)

	RET=0
	rx_rule rx_drop udp dport $dport
	d0=$(router_ppe_stat engine_drops)
	p0=$(router_port_stat lan1 fwd_drops)
	router_bg pid udp_send $dport 0 200
	# the flow is bound before the engine starts dropping; it sends on
	# until the engine has dropped 100 of its frames
	router_wait_hw 60000 "${ct[@]}"
	check_err $? "the UDP flow never became [HW_OFFLOAD]"
	echo $pct >"$SIMD/drop_percent"
	busywait 60000 stat_above engine_drops $((d0 + 100))
	check_err $? "drop_percent $pct: engine_drops only $d0 -> $(router_ppe_stat engine_drops)"
	udp_stop $dport
	wait "$pid"
	check_err $? "the sender failed"
	n=$(udp_sent $dport)
	echo 0 >"$SIMD/drop_percent"
	drops=$(($(router_ppe_stat engine_drops) - d0))
	busywait 10000 lib_output_is $((n - drops)) rx_count rx_drop
	got=$(rx_count rx_drop)
	pdrops=$(($(router_port_stat lan1 fwd_drops) - p0))
	[ $((got + drops)) -eq "$n" ] && [ "$drops" -eq "$pdrops" ] && [ "$drops" -gt 0 ]
	check_err $? "sent $n, received $got, engine_drops +$drops, lan1 fwd_drops +$pdrops"
	log_info "udp: sent $n datagrams, drop_percent $pct once bound: received $got," \
		"engine_drops +$drops = lan1 fwd_drops +$pdrops"

	# TCP carries a file through the lossy engine intact
	src=$(router_file $kb)
	out=$ROUTER_TMP/drop.out
	router_nc_server "$HW" 5302 "$out"
	check_err $? "nc server did not start"
	echo $pct >"$SIMD/drop_percent"
	ip netns exec "$HL" nc -N "$WAN_IP" 5302 <"$src"
	check_err $? "nc client failed"
	busywait 120000 lib_output_is $((kb * 1024)) stat -c %s "$out"
	echo 0 >"$SIMD/drop_percent"
	[ "$(router_sha "$src")" = "$(router_sha "$out")" ]
	check_err $? "the file arrived corrupted or short ($(stat -c %s "$out") bytes)"
	[ "$(router_ppe_stat engine_drops)" -gt $((d0 + drops)) ]
	check_err $? "the engine dropped none of the TCP flow's frames: was it offloaded?"
	log_info "tcp: $((kb * 1024)) bytes through drop_percent $pct, sha256 equal;" \
		"the engine dropped $(($(router_ppe_stat engine_drops) - d0 - drops)) of its frames"
	[ "$RET" -eq 0 ] || router_dump
	log_test "dropped frames: counted exactly, TCP recovers"
}

fw_boot_failure()
{
	local n=1000 dport=5330 name got msgs
	local -a ct=(-p udp --dport 5330)

	RET=0
	name=$(basename "$ROUTER_PPE")
	rx_rule rx_fw udp dport $dport
	echo "$name" >"$DRV/unbind"
	check_err $? "unbind failed"
	router_nft_del
	echo 1 >"$SIMD/fail_fw_boot"
	dmesg -c >/dev/null
	echo "$name" >"$DRV/bind" 2>/dev/null
	check_fail $? "the driver bound an engine whose firmware did not boot"
	[ ! -e "$ROUTER_PPE/driver" ]
	check_err $? "$name is bound"
	# the firmware loader's "direct-loading" and the driver core's "probe
	# of ... failed" (6.1) or "probe with driver ... failed" (6.12, 7.3)
	# aside, the driver says one thing, naming the failure
	msgs=$(dmesg | grep -F "$name" | grep -v "direct-loading\|probe of\|probe with driver")
	[ "$(echo "$msgs" | wc -l)" -eq 1 ] && echo "$msgs" | grep -qi "boot"
	check_err $? "expected one message naming the firmware boot failure, got: $msgs"
	log_info "probe: $(echo "$msgs" | sed 's/^\[[^]]*\] //')"

	router_nft_load -m wan 2>/dev/null
	check_fail $? "a flowtable with flags offload was accepted without a bound driver"
	router_nft_load -o -m wan
	check_err $? "cannot load the software flowtable"
	udp_send $dport $n 200
	check_err $? "the sender failed"
	router_ct_sw "${ct[@]}" && ! router_ct_hw "${ct[@]}"
	check_err $? "the flow is not in the software flowtable"
	busywait 10000 lib_output_is $n rx_count rx_fw
	got=$(rx_count rx_fw)
	[ "$got" -eq $n ]
	check_err $? "sent $n datagrams through the software flowtable, received $got"
	log_info "no engine: $n datagrams sent, $got received through the software flowtable"

	echo 0 >"$SIMD/fail_fw_boot"
	router_nft_del
	echo "$name" >"$DRV/bind"
	check_err $? "cannot bind once the firmware boots"
	router_nft_load -m wan -c "wan lan1"
	check_err $? "cannot load the offload flowtable after the rebind"
	udp_send 5331 50 50
	# REPLACE runs from nf_flow_table's work queue: on a loaded host it can
	# come after the last datagram
	router_wait_hw 30000 -p udp --dport 5331
	check_err $? "no offload after the firmware booted again"
	[ "$RET" -eq 0 ] || router_dump
	log_test "firmware boot failure: probe fails with one message, the CPU forwards"
}

setup
run_tests
