#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The engine through devlink (iproute2's devlink), checked against the sysfs
# counters and the engine's own registers, under offloaded traffic and the
# sim's cache_timeout fault.
#
#   dev_info         "devlink dev info": driver openppe, asic.id and asic.rev
#                    (fixed) as the engine's PPE_REV says, fw (running) the
#                    sysfs fw_version
#   table_resource   "devlink resource show": flow_table of table_size
#                    entries, its occupancy the sysfs entries_used, +2 while
#                    a UDP flow is offloaded (one entry per direction), back
#                    once the flowtable is gone
#   health_cache_timeout   the "entry_cache" health reporter: healthy with an
#                    offloaded flow; the cache stops answering: the driver
#                    goes degraded and devlink shows the error (error count
#                    +1), diagnose says degraded with the sysfs counters, a
#                    recover while the cache still does not answer fails
#                    with the driver's reason; once it answers, a recover
#                    re-enables the engine (sysfs, diagnose and the engine's
#                    PPE_CTRL agree, recover count +1, the offloaded flow is
#                    the engine's again)
#   rebind           unbinding the driver removes the devlink instance,
#                    binding it again brings a new one: healthy, no error,
#                    an empty table

ALL_TESTS="dev_info table_resource health_cache_timeout rebind"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/router.lib"

require_command devlink
require_command nft
require_command conntrack
router_require

WAN_IP=$(router_ip4 0 h)
SIMD=$(sim_dfs_of_port wan)
DL=platform/$(basename "$ROUTER_PPE")
REPORTER=entry_cache
DRV=/sys/bus/platform/drivers/openppe

cleanup()
{
	echo 0 >"$SIMD/cache_timeout" 2>/dev/null
	[ -d "$ROUTER_TMP" ] && touch "$ROUTER_TMP"/stop.* 2>/dev/null
	[ -e "$ROUTER_PPE/driver" ] || basename "$ROUTER_PPE" >"$DRV/bind" 2>/dev/null
	router_cleanup
}
trap cleanup EXIT

setup()
{
	[ -d "$SIMD" ] || { log_info "no sim debugfs at $SIMD"; exit "$ksft_fail"; }
	devlink dev show "$DL" >/dev/null 2>&1 ||
		board_fail "no devlink instance $DL for the bound engine"
	router_init
	router_host HW wan 0 || exit "$ksft_fail"
	router_host HL lan1 1 || exit "$ksft_fail"
	router_nft_load -m wan || exit "$ksft_fail"
	# the wan host drops the test datagrams: no ICMP comes back
	ip netns exec "$HW" nft -f - <<-EOF || exit "$ksft_fail"
	table netdev $ROUTER_NFT {
		chain rx {
			type filter hook ingress device "wan-wire" priority 0; policy accept;
			udp dport 5400-5499 drop
		}
	}
	EOF
	ip netns exec "$HL" ping -q -c 1 -W 2 "$WAN_IP" >/dev/null
}

# kv KEY: the word after the word KEY in stdin (devlink's "key value"
# output; health diagnose prints "key: value")
kv()
{
	awk -v k="$1" '{
		for (i = 1; i < NF; i++)
			if ($i == k || $i == k ":") { print $(i + 1); exit } }'
}

# stream_start DPORT: 50 datagrams/s to the wan host's DPORT from one socket
# until stream_stop DPORT (a stop file: no clock involved)
stream_start()
{
	local stop=$ROUTER_TMP/stop.$1 _pid

	rm -f "$stop"
	# shellcheck disable=SC2016
	router_bg _pid ip netns exec "$HL" bash -c '
		exec 3>"/dev/udp/$0/$1" || exit 1
		while [ ! -e "$2" ]; do
			printf "%0100d" 0 >&3 || exit 1
			sleep 0.02
		done' "$WAN_IP" "$1" "$stop"
}

stream_stop()
{
	touch "$ROUTER_TMP/stop.$1"
}

sim_reg()	# sim_reg NAME: the decoded fields of register NAME
{
	awk -v n="$1" '$2 == n {
		s = $4; for (i = 5; i <= NF; i++) s = s " " $i; print s; exit }' "$SIMD/regs"
}

# dl_health KEY: a field of the reporter's "health show", read as the
# "key value" pairs from "state" on: in "state error" followed by
# "error 1", the word after the first "error" is not the error count
dl_health()
{
	devlink health show "$DL" reporter "$REPORTER" | tr -s ' \n' '\n\n' |
		awk -v k="$1" '$0 == "state" { on = 1; n = 0 }
			on { n++; if (n % 2 == 1 && $0 == k) f = 1
			     else if (f) { print; exit } }'
}

dl_diag()	# dl_diag KEY: a field of the reporter's diagnosis
{
	devlink health diagnose "$DL" reporter "$REPORTER" | kv "$1"
}

dl_occ()
{
	devlink resource show "$DL" | kv occ
}

stat_is()
{
	[ "$(router_ppe_stat "$1")" = "$2" ]
}

stat_above()
{
	[ "$(router_ppe_stat "$1")" -gt "$2" ]
}

dev_info()
{
	local info fixed running rev hwid major minor

	RET=0
	info=$(devlink dev info "$DL")
	check_err $? "devlink dev info $DL failed"
	log_info "devlink dev info: $(echo "$info" | tr -s ' \n' ' ')"
	[ "$(echo "$info" | kv driver)" = openppe ]
	check_err $? "driver is not openppe"
	fixed=$(echo "$info" | sed -n '/fixed:/,/running:/p')
	running=$(echo "$info" | sed -n '/running:/,$p')
	rev=$(sim_reg PPE_REV)
	hwid=$(echo "$rev" | tr ' ' '\n' | sed -n 's/^HW_ID=//p')
	major=$(echo "$rev" | tr ' ' '\n' | sed -n 's/^MAJOR=//p')
	minor=$(echo "$rev" | tr ' ' '\n' | sed -n 's/^MINOR=//p')
	[ -n "$hwid" ] && [ "$(echo "$fixed" | kv asic.id)" = "$hwid" ]
	check_err $? "fixed asic.id is not the engine's PPE_REV.HW_ID ($hwid)"
	[ -n "$major" ] && [ "$(echo "$fixed" | kv asic.rev)" = "$major.$minor" ]
	check_err $? "fixed asic.rev is not the engine's PPE_REV.MAJOR.MINOR ($major.$minor)"
	[ "$(echo "$running" | kv fw)" = "$(router_ppe_stat fw_version)" ]
	check_err $? "running fw is not sysfs fw_version ($(router_ppe_stat fw_version))"
	log_test "devlink dev info: driver, asic.id, asic.rev, running fw"
}

# occupancy equals entries_used (the table is quiet: no flow in flight)
occ_is_used()
{
	local occ

	occ=$(dl_occ)
	[ -n "$occ" ] && [ "$occ" = "$(router_ppe_stat entries_used)" ]
}

table_resource()
{
	local res occ0 occ dport=5410
	local -a ct=(-p udp --dport $dport)

	RET=0
	res=$(devlink resource show "$DL")
	check_err $? "devlink resource show $DL failed"
	log_info "devlink resource show: $(echo "$res" | tr -s ' \n' ' ')"
	[ "$(echo "$res" | kv name)" = flow_table ]
	check_err $? "no flow_table resource"
	[ "$(echo "$res" | kv size)" = "$(router_ppe_stat table_size)" ]
	check_err $? "flow_table size is not sysfs table_size ($(router_ppe_stat table_size))"
	[ "$(echo "$res" | kv unit)" = entry ]
	check_err $? "flow_table is not counted in entries"
	busywait 10000 occ_is_used
	check_err $? "occupancy $(dl_occ) is not entries_used $(router_ppe_stat entries_used)"
	occ0=$(dl_occ)

	stream_start $dport
	router_wait_hw 60000 "${ct[@]}"
	check_err $? "the UDP flow never became [HW_OFFLOAD]"
	busywait 10000 lib_output_is $((occ0 + 2)) dl_occ
	check_err $? "occupancy $occ0 -> $(dl_occ) with one offloaded flow (2 entries expected)"
	occ=$(dl_occ)
	[ "$occ" = "$(router_ppe_stat entries_used)" ]
	check_err $? "occupancy $occ is not entries_used $(router_ppe_stat entries_used)"
	stream_stop $dport
	log_info "occupancy: $occ0 before, $occ with the flow offloaded"

	# the flowtable goes: its flows leave the engine
	router_nft_del
	busywait 10000 lib_output_is "$occ0" dl_occ
	check_err $? "occupancy $(dl_occ) once the flowtable is gone ($occ0 expected)"
	log_info "occupancy: $(dl_occ) once the flowtable is gone," \
		"entries_used $(router_ppe_stat entries_used)"
	router_nft_load -m wan
	check_err $? "cannot reload the ruleset"
	log_test "devlink resource: flow_table size and occupancy"
}

health_is()	# health_is STATE ERRORS: the reporter's state and error count
{
	[ "$(dl_health state)" = "$1" ] && [ "$(dl_health error)" = "$2" ]
}

health_cache_timeout()
{
	local e0 r0 rec0 t0 diag out hits dport=5420
	local -a ct=(-p udp --dport $dport)

	RET=0
	log_info "before: $(devlink health show "$DL" reporter "$REPORTER" | tr -s ' \n' ' ')"
	e0=$(dl_health error)
	r0=$(dl_health recover)
	rec0=$(router_ppe_stat recoveries)
	t0=$(router_ppe_stat cache_timeouts)
	[ "$(dl_health state)" = healthy ] && [ -n "$e0" ] && [ -n "$r0" ]
	check_err $? "the reporter is not healthy before the fault"
	[ "$(dl_diag state)" = ok ] && [ "$(dl_diag engine_enabled)" = true ]
	check_err $? "diagnose does not say ok, engine enabled, before the fault"

	stream_start $dport
	router_wait_hw 60000 "${ct[@]}"
	check_err $? "the UDP flow never became [HW_OFFLOAD]"
	busywait 10000 stat_above engine_hits "$(router_ppe_stat engine_hits)"
	check_err $? "the engine does not forward the flow"

	echo 1 >"$SIMD/cache_timeout"
	# a table write needs the cache: a second flow's REPLACE does
	stream_start $((dport + 1))
	busywait 20000 stat_is degraded 1
	check_err $? "the driver did not notice the cache timeout"
	stream_stop $((dport + 1))
	busywait 10000 health_is error $((e0 + 1))
	check_err $? "devlink: state $(dl_health state), error count $(dl_health error) (error," \
		"$((e0 + 1)) expected)"
	log_info "degraded: $(devlink health show "$DL" reporter "$REPORTER" | tr -s ' \n' ' ')"

	diag=$(devlink health diagnose "$DL" reporter "$REPORTER")
	check_err $? "devlink health diagnose failed"
	log_info "diagnose: $(echo "$diag" | tr -s ' \n' ' ')"
	[ "$(echo "$diag" | kv state)" = degraded ] &&
		[ "$(echo "$diag" | kv engine_enabled)" = false ]
	check_err $? "diagnose does not say degraded, engine disabled"
	[ "$(echo "$diag" | kv cache_timeouts)" = "$(router_ppe_stat cache_timeouts)" ] &&
		[ "$(echo "$diag" | kv cache_errors)" = "$(router_ppe_stat cache_errors)" ] &&
		[ "$(echo "$diag" | kv recoveries)" = "$(router_ppe_stat recoveries)" ]
	check_err $? "diagnose counters differ from sysfs"
	[ "$(echo "$diag" | kv cache_timeouts)" -gt "$t0" ]
	check_err $? "diagnose: cache_timeouts did not count the timeout"

	# the cache still holds the command: recovery must fail, and say why
	out=$(devlink health recover "$DL" reporter "$REPORTER" 2>&1)
	check_fail $? "recover succeeded while the cache does not answer"
	echo "$out" | grep -q "entry cache still not answering"
	check_err $? "recover did not give the driver's reason: $out"
	log_info "recover while the cache is stuck: $(echo "$out" | head -n 1)"
	health_is error $((e0 + 1)) && stat_is degraded 1 &&
		[ "$(sim_reg PPE_CTRL)" = EN=0 ]
	check_err $? "a failed recover changed the state (devlink $(dl_health state)," \
		"degraded $(router_ppe_stat degraded), $(sim_reg PPE_CTRL))"

	echo 0 >"$SIMD/cache_timeout"
	out=$(devlink health recover "$DL" reporter "$REPORTER" 2>&1)
	check_err $? "recover failed once the cache answers: $out"
	# no wait: when recover returns, the engine runs
	stat_is degraded 0
	check_err $? "sysfs degraded is still 1 after the recover"
	[ "$(sim_reg PPE_CTRL)" = EN=1 ]
	check_err $? "the engine is not enabled after the recover ($(sim_reg PPE_CTRL))"
	health_is healthy $((e0 + 1)) && [ "$(dl_health recover)" = $((r0 + 1)) ]
	check_err $? "devlink after recover: state $(dl_health state), error $(dl_health error)," \
		"recover $(dl_health recover) (healthy, $((e0 + 1)), $((r0 + 1)) expected)"
	stat_is recoveries $((rec0 + 1))
	check_err $? "sysfs recoveries $rec0 -> $(router_ppe_stat recoveries) (+1 expected)"
	[ "$(dl_diag state)" = ok ] && [ "$(dl_diag engine_enabled)" = true ] &&
		[ "$(dl_diag recoveries)" = "$(router_ppe_stat recoveries)" ]
	check_err $? "diagnose after recover: state $(dl_diag state)," \
		"engine_enabled $(dl_diag engine_enabled), recoveries $(dl_diag recoveries)"
	log_info "recovered: $(devlink health show "$DL" reporter "$REPORTER" | tr -s ' \n' ' ')"

	hits=$(router_ppe_stat engine_hits)
	router_ct_hw "${ct[@]}" && busywait 10000 stat_above engine_hits "$hits"
	check_err $? "the offloaded flow is not the engine's again after the recover"
	stream_stop $dport
	[ "$RET" -eq 0 ] || router_dump
	log_test "devlink health: entry-cache fault reported, diagnosed, recovered"
}

rebind()
{
	local name

	RET=0
	name=$(basename "$ROUTER_PPE")
	router_nft_del
	echo "$name" >"$DRV/unbind"
	check_err $? "unbind failed"
	devlink dev show "$DL" >/dev/null 2>&1
	check_fail $? "the devlink instance outlives the driver's binding"
	echo "$name" >"$DRV/bind"
	check_err $? "bind failed"
	devlink dev show "$DL" >/dev/null 2>&1
	check_err $? "no devlink instance after the rebind"
	health_is healthy 0 && [ "$(dl_health recover)" = 0 ]
	check_err $? "the new instance's reporter: state $(dl_health state)," \
		"error $(dl_health error), recover $(dl_health recover)"
	[ "$(dl_occ)" = 0 ] && [ "$(devlink dev info "$DL" | kv driver)" = openppe ]
	check_err $? "the new instance: occupancy $(dl_occ)," \
		"info $(devlink dev info "$DL" | tr -s ' \n' ' ')"
	router_nft_load -m wan
	check_err $? "cannot load the offload flowtable after the rebind"
	log_test "rebind: devlink instance gone with the driver, a fresh one after"
}

setup
run_tests
