#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`, run inside the test guest: the nftables offload router of
# docs/usage.md on the emulated board, traffic without and with offload, and
# a short report. Fails (non-zero) if the flows were not offloaded.
# vm-timeout: 900
#
# Writes build/demo/raw.txt; the host draws build/demo/demo.png from it
# (tests/bench/report.py --demo).

source /openppe/tests/selftests/lib.sh
source /openppe/tests/selftests/router.lib
source /openppe/tests/bench/datapath.lib

# settings: NAME=VALUE arguments (make check runs it with DEMO_OUT, so the
# user's build/demo is left alone)
for a in "$@"; do
	case $a in
	DEMO_OUT=*) export "${a?}" ;;
	*) echo "demo: unknown argument $a" >&2; exit 2 ;;
	esac
done

OUT=${DEMO_OUT:-/openppe/build/demo}
FLOWS=16
PACKETS=2000
RULESET=/openppe/tests/bench/router.nft

cleanup()
{
	[ -n "$DP_HL" ] && dp_pktgen_stop
	dp_cleanup
	nft delete table inet router 2>/dev/null
	ns_cleanup_all
}
trap cleanup EXIT

section()
{
	printf '\n=== %s ===\n' "$*"
}

fail()
{
	echo
	echo "DEMO FAILED: $*"
	exit 1
}

emit()
{
	local k

	for k in "${!DP_R[@]}"; do
		printf '%s %s\n' "$k" "${DP_R[$k]}"
	done | sort >>"$OUT/raw.txt"
}

for c in nft conntrack iperf3 ethtool; do
	command -v "$c" >/dev/null || fail "$c is missing from the guest"
done
mkdir -p "$OUT" || exit 1
: >"$OUT/raw.txt"
dp_affinity

section "the board"
echo "$(tr -d '\0' </proc/device-tree/model), kernel $(uname -r)," \
	"$(grep -c ^processor /proc/cpuinfo) CPUs (QEMU TCG)"
lsmod | awk '$1 ~ /^openppe/ { printf "module %s\n", $1 }'
dp_setup || fail "the board's ports wan/lan1 or their PPE are missing"
echo "PPE $(basename "$DP_PPE"): firmware $(dp_ppe fw_version)," \
	"features $(dp_ppe fw_features), $(dp_ppe table_size) table entries"
echo "router ports: wan $(router_ip4 0 r) (host $DP_WIRE_IP behind it)," \
	"lan1 $(router_ip4 1 r) (host $DP_LAN_IP)"
if [ -e /sys/class/net/eth0/dsa/tagging ]; then
	echo "wan and lan1 are DSA user ports of a switch behind the engine port eth0" \
		"(tag $(cat /sys/class/net/eth0/dsa/tagging)), as on most OpenWrt routers"
else
	echo "wan and lan1 are engine ports of their own (the plain board)"
fi
echo "traffic: $FLOWS UDP flows of 64-byte frames lan1 -> wan from pktgen, $PACKETS frames per run"

section "1. CPU path: routing + NAT, no flowtable"
dp_mode cpu && dp_ping || fail "the router does not forward lan1 -> wan"
dp_udp cpu "$FLOWS" "$PACKETS"
echo "forwarded ${DP_R[udp.cpu.pps]} packets/s; every packet went through the CPU:" \
	"${DP_R[udp.cpu.to_cpu_per_flow]} per flow; the router's NET_RX softirq time:" \
	"${DP_R[udp.cpu.router_cpu_ms]} ms"
emit
DP_R=()

section "2. software flowtable: the same router, a flowtable without flags offload"
dp_mode sw || fail "cannot load the software flowtable ruleset"
dp_udp sw "$FLOWS" "$PACKETS"
echo "forwarded ${DP_R[udp.sw.pps]} packets/s; the flowtable's fast path still runs" \
	"on the router's CPU for every packet: ${DP_R[udp.sw.to_cpu_per_flow]} per flow;" \
	"NET_RX softirq time: ${DP_R[udp.sw.router_cpu_ms]} ms"
emit
DP_R=()
dp_cleanup
conntrack -F >/dev/null 2>&1

section "3. offload: docs/usage.md ruleset (tests/bench/router.nft)"
sed -n '/^table/,$p' "$RULESET"
nft -f "$RULESET" || fail "cannot load $RULESET"
dp_udp hw "$FLOWS" "$PACKETS"
# right away: flows leave the engine once idle
offloaded=$(dp_ppe flows_offloaded)
hits=$(dp_ppe engine_hits)
ct=$(conntrack -L 2>/dev/null | grep 'HW_OFFLOAD')
table=$(head -n 4 "/sys/kernel/debug/openppe/$(basename "$DP_PPE")/table" 2>/dev/null)
counters=$(for f in flows_offloaded entries_used installs replace_calls stats_calls \
		    engine_hits engine_misses relocations refused_unsupported \
		    refused_foreign_port refused_table_full; do
		printf '  %-22s %s\n' "$f" "$(dp_ppe "$f")"
	   done)
ports=$(ethtool -S "$DP_LAN" | awk '$1 ~ /^(fwd_rx_packets|punt_miss):$/ { printf "%s %s  ", $1, $2 }')
echo
echo "conntrack entries in the engine (conntrack -L | grep HW_OFFLOAD, first 4):"
echo "$ct" | head -n 4 | sed 's/^/  /'
echo "  ... $(echo "$ct" | grep -c HW_OFFLOAD) flows [HW_OFFLOAD] in total"
echo
echo "the engine's flow table (debugfs openppe/$(basename "$DP_PPE")/table, first 3 entries):"
echo "$table" | sed 's/^/  /'
echo
echo "driver counters (sysfs $DP_PPE):"
echo "$counters"
echo "port counters (ethtool -S lan1): $ports"
echo
echo "forwarded ${DP_R[udp.hw.pps]} packets/s; after binding" \
	"${DP_R[udp.hw.to_cpu_per_flow]} packets per flow reached the CPU; the router's" \
	"NET_RX softirq time: ${DP_R[udp.hw.router_cpu_ms]} ms"
emit

echo "meta.udp_flows $FLOWS" >>"$OUT/raw.txt"
echo "meta.udp_packets $PACKETS" >>"$OUT/raw.txt"
echo "meta.offloaded $offloaded" >>"$OUT/raw.txt"
echo "meta.engine_hits $hits" >>"$OUT/raw.txt"

[ "$offloaded" -ge $((2 * FLOWS)) ] ||
	fail "only $offloaded of $((2 * FLOWS)) flow directions reached the engine"
[ "$hits" -ge "$PACKETS" ] ||
	fail "the engine forwarded $hits frames, fewer than the $PACKETS sent after binding"
echo "$ct" | grep -q HW_OFFLOAD || fail "no conntrack entry was [HW_OFFLOAD]"

echo "meta.end $(date -u +%FT%TZ)" >>"$OUT/raw.txt"
exit 0
