#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A flow table too small for the traffic: on a run-time engine with the
# smallest table (256 entries, 64 buckets of 4), 192 UDP flows (pktgen,
# 20 frames each, the flows in turn; each flow two directions) ask for far
# more entries than exist. The driver fills the table (relocating entries
# between their two buckets) and refuses the rest with table_full; every flow
# still delivers every frame; the refused flows stay in software (all their
# packets reach the CPU) while the offloaded ones are forwarded by the engine,
# per flow engine + CPU = arrived; the engine never meets an unusable entry.
# Once the flows stop and expire the table drains to zero, and new flows are
# offloaded again. Then everything is torn down cleanly.
# vm-timeout: 1200

ALL_TESTS="fill_table every_flow_delivers excess_in_software drain_table"
ALL_TESTS+=" offload_again teardown_table"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sim.lib"
source "$(dirname "$0")/router.lib"

require_command nft
require_command conntrack
require_command ip
require_sim
[ -d /proc/net/pktgen ] || modprobe pktgen 2>/dev/null
[ -d /proc/net/pktgen ] || board_fail "no pktgen in the test kernel"

ENTRIES=256
FLOWS=192		# two directions each: 384 entries wanted
PER_FLOW=20		# frames per flow
DELAY=2000000		# ns between two frames: a flow sends every FLOWS * DELAY
SPORT=20000		# source ports SPORT .. SPORT + FLOWS - 1
NEW_FLOWS=8		# after the drain, source ports NEW_SPORT ..
NEW_SPORT=30000
DPORT=9
# nf_flowtable_udp_timeout while the test runs, seconds: long enough that a
# flow outlives the gaps between its frames and can still be read once all
# have been sent, however slow the guest; it is also the drain time
UDP_TIMEOUT=30
SYSCTL_SAVED=()
SIM=
P0=
P1=
HA=
HB=
SRV_IP=$(router_ip4 0 h)
CLI_IP=$(router_ip4 1 h)
P1_MAC=
D=				# snapshots of the fill phase
REFUSED0=

cleanup()
{
	[ -n "$HB" ] && router_pg_stop "$HB" 2>/dev/null
	[ "${#SYSCTL_SAVED[@]}" -gt 0 ] && sysctl -qw "${SYSCTL_SAVED[@]}"
	router_backlog_restore
	router_cleanup
}
trap cleanup EXIT

# --- this test ---------------------------------------------------------------

setup()
{
	local m="ip saddr $CLI_IP udp dport $DPORT"

	sim_new SIM 2 "$ENTRIES" || exit "$ksft_fail"
	P0=$(sim_port "$SIM" 0)
	P1=$(sim_port "$SIM" 1)
	busywait 5000 ppe_of_port "$P0" >/dev/null
	ROUTER_PPE=$(ppe_of_port "$P0") ||
		board_fail "the openppe driver did not bind the new engine"
	router_init
	router_host HA "$P0" 0 || exit "$ksft_fail"
	router_host HB "$P1" 1 || exit "$ksft_fail"
	router_nft_load -d "$P0 $P1" -c "$P0 $P1" || exit "$ksft_fail"
	local key=net.netfilter.nf_flowtable_udp_timeout
	SYSCTL_SAVED=("$key=$(sysctl -n "$key")")

	sysctl -qw net.netfilter.nf_flowtable_udp_timeout="$UDP_TIMEOUT" || exit "$ksft_fail"
	# pktgen catches up after a stall of its vCPU with a burst: a host's
	# input backlog must hold all the frames (see router_backlog)
	router_backlog 100000 || exit "$ksft_fail"
	# the client host's UDP frames: at the router's CPU and as they arrive
	# at the server host, in total and per flow (source port); the server
	# host drops them after counting (no ICMP back)
	router_cpu_counters "cpu_udp $m" "@cpu_flows $m" || exit "$ksft_fail"
	router_host_rx_counters "$HA" "$P0-wire" "rx_udp $m" "@rx_flows $m" "- $m drop" ||
		exit "$ksft_fail"
	# both next hops resolved before the flows start
	busywait 10000 ip netns exec "$HB" ping -q -c 1 -W 1 "$SRV_IP" >/dev/null ||
		exit "$ksft_fail"
	P1_MAC=$(ip -br link show "$P1" | awk '{ print $3 }')
	D=$ROUTER_TMP/fill
	mkdir -p "$D"
}

# on failure: the PPE's counters, the first conntrack entries
dump()
{
	log_info "entries_used $(router_ppe_stat entries_used) flows_offloaded" \
		"$(router_ppe_stat flows_offloaded) installs $(router_ppe_stat installs)" \
		"destroy_calls $(router_ppe_stat destroy_calls) refused_table_full" \
		"$(router_ppe_stat refused_table_full) relocations $(router_ppe_stat relocations)" \
		"engine_hits $(router_ppe_stat engine_hits) degraded $(router_ppe_stat degraded)"
	log_info "conntrack ($(conntrack -L 2>/dev/null | grep -c .) entries), the first 10:"
	conntrack -L 2>/dev/null | head -n 10 | sed 's/^/# /'
}

entries_full()
{
	[ "$(router_ppe_stat entries_used)" -ge $((ENTRIES * 9 / 10)) ]
}

# flows_snap DIR: the table first (the flows expire UDP_TIMEOUT seconds after
# their last frame), then conntrack and the per-flow counters
flows_snap()
{
	mkdir -p "$1"
	cat "$(router_ppe_dfs)/table" >"$1/table"
	conntrack -L -p udp --dport "$DPORT" 2>/dev/null >"$1/conntrack"
	router_flows cpu_flows >"$1/cpu"
	router_flows rx_flows "$HA" >"$1/rx"
	router_counters >"$1/counters"
	router_counters "$HA" >>"$1/counters"
}

snap_counter()
{
	awk -v n="$2" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }' "$1/counters"
}

# flow_report DIR FIRST N: per flow of source ports FIRST .. FIRST + N - 1,
# "SPORT ARRIVED CPU ENGINE ORIG_BOUND REPLY_BOUND CT" into DIR/flows
# (ENGINE: packets of its bound client -> server entry; CT: its conntrack
# flag, HW_OFFLOAD, OFFLOAD or -)
flow_report()
{
	local d=$1

	# shellcheck disable=SC2016 # awk's own variables
	awk -v cli="$CLI_IP" -v first="$2" -v n="$3" '
		FILENAME ~ /\/rx$/ { rx[$1] = $2; next }
		FILENAME ~ /\/cpu$/ { cpu[$1] = $2; next }
		FILENAME ~ /\/conntrack$/ {
			for (i = 1; i <= NF; i++)
				if ($i ~ /^sport=/) { sub(/^sport=/, "", $i); sp = $i; break }
			if ($0 ~ /\[HW_OFFLOAD\]/)
				ct[sp] = "HW_OFFLOAD"
			else
				ct[sp] = $0 ~ /\[OFFLOAD\]/ ? "OFFLOAD" : "-"
			next
		}
		FILENAME ~ /\/table$/ {
			k = ""; r = ""; p = 0
			for (i = 1; i < NF; i++) {
				if ($i == "proto" && $(i + 1) == 17) { k = $(i + 2); r = $(i + 4) }
				if ($i == "packets") p = $(i + 1)
			}
			if (k ~ "^" cli ":") { split(k, a, ":"); eng[a[2]] = p; ob[a[2]] = 1 }
			if (r ~ "^" cli ":") { split(r, a, ":"); rb[a[2]] = 1 }
			next
		}
		END {
			for (s = first; s < first + n; s++)
				print s, rx[s] + 0, cpu[s] + 0, eng[s] + 0, ob[s] + 0, rb[s] + 0,
					(s in ct) ? ct[s] : "-"
		}
	' "$d/rx" "$d/cpu" "$d/conntrack" "$d/table" >"$d/flows"
}

fill_table()
{
	local pgpid peak=0 n sent reloc0

	RET=0
	[ "$(router_ppe_stat table_size)" -eq "$ENTRIES" ]
	check_err $? "table_size is $(router_ppe_stat table_size), expected $ENTRIES"
	REFUSED0=$(router_ppe_stat refused_table_full)
	reloc0=$(router_ppe_stat relocations)
	router_pg_setup "$HB" "$P1-wire" "$P1_MAC" "$CLI_IP" "$SRV_IP" "$SPORT" "$FLOWS" \
		"$DPORT" $((FLOWS * PER_FLOW)) "$DELAY"
	router_bg pgpid router_pg_run "$HB"
	busywait 120000 entries_full
	check_err $? "entries_used reached only $(router_ppe_stat entries_used) of $ENTRIES"
	while true; do
		n=$(router_ppe_stat entries_used)
		[ "$n" -gt "$peak" ] && peak=$n
		kill -0 "$pgpid" 2>/dev/null || break
		sleep 0.5
	done
	wait "$pgpid"
	flows_snap "$D"
	sent=$(router_pg_sent "$HB" "$P1-wire")
	check_err $? "pktgen reports errors"
	[ "$sent" -eq $((FLOWS * PER_FLOW)) ]
	check_err $? "pktgen sent $sent frames, not $((FLOWS * PER_FLOW))"
	[ "$peak" -le "$ENTRIES" ]
	check_err $? "entries_used peaked at $peak of $ENTRIES"
	[ "$(router_ppe_stat refused_table_full)" -gt "$REFUSED0" ]
	check_err $? "no flow was refused for a full table"
	# 4-way buckets filled past 90%: a new entry whose two buckets are both
	# full moves another one (docs/design.md, "Table placement and
	# relocation"); none moved means the driver refused what relocation
	# would have placed
	[ "$(router_ppe_stat relocations)" -gt "$reloc0" ]
	check_err $? "no entry was relocated while the table filled" \
		"(relocations $reloc0 -> $(router_ppe_stat relocations))"
	[ "$(router_ppe_stat engine_punt_bad_entry)" -eq 0 ]
	check_err $? "the engine met unusable entries"
	[ "$(router_ppe_stat degraded)" -eq 0 ]
	check_err $? "the engine went into the fail-safe state"
	[ "$(router_ppe_stat entries_used)" -eq "$(router_ppe_stat flows_offloaded)" ]
	check_err $? "entries_used $(router_ppe_stat entries_used) != flows_offloaded" \
		"$(router_ppe_stat flows_offloaded)"
	log_info "$FLOWS UDP flows x $PER_FLOW frames (sent $sent):" \
		"entries_used peak $peak/$ENTRIES, now $(grep -c ': bound ' "$D/table") bound;" \
		"relocations $(router_ppe_stat relocations)," \
		"refused_table_full $REFUSED0 -> $(router_ppe_stat refused_table_full)," \
		"installs $(router_ppe_stat installs), engine_hits $(router_ppe_stat engine_hits)"
	[ "$RET" -eq 0 ] || dump
	log_test "$FLOWS UDP flows on a $ENTRIES-entry table: full, relocated, refused"
}

every_flow_delivers()
{
	local n bad rx cpu eng

	RET=0
	flow_report "$D" "$SPORT" "$FLOWS"
	# every flow: all its frames arrived; engine + CPU = arrived
	bad=$(awk -v k="$PER_FLOW" '$2 != k || $3 + $4 != $2' "$D/flows")
	n=$(echo "$bad" | grep -c .)
	[ -z "$bad" ]
	check_err $? "$n flows did not deliver all $PER_FLOW frames or engine + CPU != arrived" \
		"(sport arrived cpu engine orig reply ct): $(echo "$bad" | head -n 3 | tr '\n' ';')"
	eng=$(awk '{ s += $4 } END { print s + 0 }' "$D/flows")
	cpu=$(snap_counter "$D" cpu_udp)
	rx=$(snap_counter "$D" rx_udp)
	[ "$rx" -eq $((FLOWS * PER_FLOW)) ] && [ $((eng + cpu)) -eq "$rx" ]
	check_err $? "in total: sent $((FLOWS * PER_FLOW)), arrived $rx, engine $eng + CPU $cpu"
	log_info "$FLOWS flows: $((FLOWS * PER_FLOW)) frames sent," \
		"$rx arrived = engine $eng + CPU $cpu; flows short of $PER_FLOW arrivals:" \
		"$(awk -v k="$PER_FLOW" '$2 != k' "$D/flows" | grep -c .);" \
		"softnet drops $(softnet_drops)"
	log_test "every flow delivers all its frames: engine + CPU = arrived"
}

excess_in_software()
{
	local orig reply none unbound sw_cpu sw_rx hw_cpu_max refused ct_hw ct_sw bad

	RET=0
	# a flow's client -> server direction carries its frames
	orig=$(awk '$5 == 1' "$D/flows" | grep -c .)
	reply=$(awk '$6 == 1' "$D/flows" | grep -c .)
	none=$(awk '$5 == 0 && $6 == 0' "$D/flows" | grep -c .)
	unbound=$(awk '{ s += 2 - $5 - $6 } END { print s + 0 }' "$D/flows")
	sw_cpu=$(awk '$5 == 0 { s += $3 } END { print s + 0 }' "$D/flows")
	sw_rx=$(awk '$5 == 0 { s += $2 } END { print s + 0 }' "$D/flows")
	hw_cpu_max=$(awk '$5 == 1 && $3 > m { m = $3 } END { print m + 0 }' "$D/flows")
	refused=$(( $(router_ppe_stat refused_table_full) - REFUSED0 ))
	ct_hw=$(awk '$7 == "HW_OFFLOAD"' "$D/flows" | grep -c .)
	ct_sw=$(awk '$7 == "OFFLOAD"' "$D/flows" | grep -c .)
	log_info "of $FLOWS flows: client -> server direction offloaded $orig," \
		"refused $((FLOWS - orig)); reply direction offloaded $reply; neither $none;" \
		"conntrack [HW_OFFLOAD] $ct_hw, [OFFLOAD] (software) $ct_sw;" \
		"refused_table_full +$refused"
	log_info "refused directions: $sw_cpu of their $sw_rx frames reached the CPU;" \
		"offloaded ones: at most $hw_cpu_max frames of a flow reached the CPU before it" \
		"was bound"
	[ "$orig" -gt 0 ] && [ "$orig" -lt "$FLOWS" ]
	check_err $? "expected both offloaded and refused flows: $orig of $FLOWS offloaded"
	# the table holds the flows' bound directions and nothing else
	[ $((orig + reply)) -eq "$(grep -c ': bound ' "$D/table")" ]
	check_err $? "$((orig + reply)) directions of the flows bound, but the table has" \
		"$(grep -c ': bound ' "$D/table") bound entries"
	[ "$refused" -ge "$unbound" ]
	check_err $? "refused_table_full grew by $refused for $unbound directions left unbound"
	[ "$ct_sw" -eq "$none" ] && [ "$ct_hw" -eq $((FLOWS - none)) ]
	check_err $? "conntrack shows $ct_hw [HW_OFFLOAD] and $ct_sw [OFFLOAD] flows," \
		"the table $((FLOWS - none)) with a bound direction and $none without"
	# every frame of a refused direction went through the CPU
	bad=$(awk '$5 == 0 && $3 != $2' "$D/flows")
	[ -z "$bad" ] && [ "$sw_cpu" -eq "$sw_rx" ]
	check_err $? "refused flows with frames not through the CPU:" \
		"$(echo "$bad" | head -n 3 | tr '\n' ';')"
	# every offloaded direction was forwarded by the engine once bound
	bad=$(awk '$5 == 1 && ($4 == 0 || $3 >= $2)' "$D/flows")
	[ -z "$bad" ]
	check_err $? "offloaded flows the engine did not forward:" \
		"$(echo "$bad" | head -n 3 | tr '\n' ';')"
	log_test "the excess stays in software, the counters say so"
}

drain_table()
{
	RET=0
	busywait $(( (UDP_TIMEOUT + 60) * 1000 )) sh -c "[ \$(cat $ROUTER_PPE/entries_used) -eq 0 ]"
	check_err $? "entries_used is $(router_ppe_stat entries_used) after the flows stopped"
	[ "$(router_ppe_stat flows_offloaded)" -eq 0 ]
	check_err $? "flows_offloaded is $(router_ppe_stat flows_offloaded)"
	[ "$(router_entries "$ROUTER_PPE")" -eq 0 ]
	check_err $? "the debugfs table still lists $(router_entries "$ROUTER_PPE") bound entries"
	log_info "drained: entries_used $(router_ppe_stat entries_used)," \
		"flows_offloaded $(router_ppe_stat flows_offloaded)," \
		"bound entries $(router_entries "$ROUTER_PPE")," \
		"destroy_calls $(router_ppe_stat destroy_calls)"
	[ "$RET" -eq 0 ] || dump
	log_test "the table drains once the flows stop"
}

new_flows_hw()
{
	[ "$(conntrack -L -p udp --dport "$DPORT" 2>/dev/null | grep HW_OFFLOAD |
	     awk -v a="$NEW_SPORT" -v b=$((NEW_SPORT + NEW_FLOWS)) '
		{
			for (i = 1; i <= NF; i++)
				if ($i ~ /^sport=/) {
					sub(/^sport=/, "", $i)
					if ($i >= a && $i < b) n++
					break
				}
		}
		END { print n + 0 }')" -eq "$1" ]
}

offload_again()
{
	local pgpid refused0 d=$ROUTER_TMP/again bad

	RET=0
	refused0=$(router_ppe_stat refused_table_full)
	# 8 new flows, 20 frames each, one frame every 20 ms
	router_pg_setup "$HB" "$P1-wire" "$P1_MAC" "$CLI_IP" "$SRV_IP" "$NEW_SPORT" "$NEW_FLOWS" \
		"$DPORT" $((NEW_FLOWS * PER_FLOW)) 20000000
	router_bg pgpid router_pg_run "$HB"
	busywait 60000 new_flows_hw "$NEW_FLOWS"
	check_err $? "not all $NEW_FLOWS new flows became [HW_OFFLOAD]"
	wait "$pgpid"
	flows_snap "$d"
	flow_report "$d" "$NEW_SPORT" "$NEW_FLOWS"
	bad=$(awk -v k="$PER_FLOW" '$5 != 1 || $6 != 1 || $7 != "HW_OFFLOAD" ||
		$2 != k || $3 + $4 != $2 || $4 == 0' "$d/flows")

	[ -z "$bad" ]
	check_err $? "new flows not offloaded on both directions," \
		"or not exact (sport arrived cpu engine orig reply ct):" \
		"$(echo "$bad" | head -n 3 | tr '\n' ';')"
	[ "$(grep -c ': bound ' "$d/table")" -eq $((2 * NEW_FLOWS)) ]
	check_err $? "$(grep -c ': bound ' "$d/table") entries bound, expected $((2 * NEW_FLOWS))"
	[ "$(router_ppe_stat refused_table_full)" -eq "$refused0" ]
	check_err $? "new flows refused on the drained table:" \
		"$refused0 -> $(router_ppe_stat refused_table_full)"
	log_info "new flows: $(awk '$7 == "HW_OFFLOAD"' "$d/flows" | grep -c .) of $NEW_FLOWS" \
		"[HW_OFFLOAD], $(grep -c ': bound ' "$d/table") entries bound," \
		"frames arrived $(awk '{ s += $2 } END { print s + 0 }' "$d/flows") = engine" \
		"$(awk '{ s += $4 } END { print s + 0 }' "$d/flows") + CPU" \
		"$(awk '{ s += $3 } END { print s + 0 }' "$d/flows")," \
		"refused_table_full $refused0 -> $(router_ppe_stat refused_table_full)"
	[ "$RET" -eq 0 ] || dump
	log_test "after the drain new flows offload again"
}

teardown_table()
{
	RET=0
	nft delete table inet "$ROUTER_NFT"
	check_err $? "cannot delete the flowtable"
	busywait 10000 sh -c "[ \$(cat $ROUTER_PPE/entries_used) -eq 0 ]"
	check_err $? "entries_used is $(router_ppe_stat entries_used) after the flowtable was" \
		"deleted"
	[ "$(router_ppe_stat flows_offloaded)" -eq 0 ]
	check_err $? "flows_offloaded is $(router_ppe_stat flows_offloaded)"
	sim_del "$SIM"
	check_err $? "cannot delete the engine instance"
	log_test "flowtable and engine deleted"
}

setup
run_tests
