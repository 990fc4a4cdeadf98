#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`, guest side: one run on the board measuring what offload buys.
# vm-timeout: 1500
#
# Writes "name value" lines to $BENCH_OUT/raw.txt (default
# /openppe/build/bench); tests/bench/report.py turns them into the table,
# results.json and the plots on the host. Measures, never asserts: a goal
# that is missed is reported, not failed. Exits non-zero only when a
# measurement could not be made at all.
#
#   datapath    cpu / sw / hw router modes, 64-byte UDP (pktgen) and bulk TCP
#               (iperf3): see datapath.lib for the method
#   burst       flows offloaded per second, end to end
#   ctrl        driver REPLACE/DESTROY/STATS cost at 1K/16K/64K/~90% of a
#               128K table, route and NAPT rules, BENCH_CTRL_REPS repetitions
#   ctrlmt      REPLACE throughput, 1 and 3 concurrent callers, with the
#               engine's cache commands taking BENCH_MT_LATENCY_US: the
#               one-register engine (1 command slot) beside the N-slot one
#   occupancy   fill fraction at the first refused insert, three policies
#   memory      host memory per offloaded flow
#   driver      ctrl, ctrlmt, occupancy and memory together
# (the last three drive the driver's flow block callback from the test
# module openppe_bench, tests/bench/kmod/, which make modules builds beside the
# drivers and the initramfs carries; on run-time openppe_sim instances)

# settings: NAME=VALUE arguments (make bench ARGS="BENCH_SECONDS=3"); lists
# separated by commas (make bench ARGS="BENCH_PARTS=ctrl,ctrlmt")
for a in "$@"; do
	case $a in
	BENCH_*=*) export "${a?}" ;;
	*) echo "bench: unknown argument $a" >&2; exit 2 ;;
	esac
done

source /openppe/tests/selftests/lib.sh
source /openppe/tests/selftests/sim.lib
source /openppe/tests/selftests/router.lib
source /openppe/tests/bench/datapath.lib

OUT=${BENCH_OUT:-/openppe/build/bench}
SECS=${BENCH_SECONDS:-5}
UDP_FLOWS=${BENCH_UDP_FLOWS:-16}
UDP_PACKETS=${BENCH_UDP_PACKETS:-5000}
BURST_FLOWS=${BENCH_BURST_FLOWS:-500}
# 131072 entries of 128 bytes (16 MiB, plus 4 MiB of counters) come from the
# test kernel's CMA pool; 65536 installed is half full
CTRL_ENTRIES=${BENCH_CTRL_ENTRIES:-131072}
# levels separated by spaces or commas (BENCH_CTRL_LEVELS=256,1024)
CTRL_LEVELS=${BENCH_CTRL_LEVELS:-1024 16384 65536 117964}
CTRL_LEVELS=${CTRL_LEVELS//,/ }
CTRL_SAMPLES=${BENCH_CTRL_SAMPLES:-1000}
CTRL_REPS=${BENCH_CTRL_REPS:-5}
CTRL_RULES=${BENCH_CTRL_RULES:-route napt}
# the concurrency part: REPLACEs per caller, command latency, slots (new)
MT_FLOWS=${BENCH_MT_FLOWS:-1000}
MT_LATENCY_US=${BENCH_MT_LATENCY_US:-50}
MT_SLOTS=${BENCH_MT_SLOTS:-4}
FILL_ENTRIES=${BENCH_FILL_ENTRIES:-16384}
FILL_RUNS=${BENCH_FILL_RUNS:-5}
MEM_FLOWS=${BENCH_MEM_FLOWS:-8192}
PARTS=${BENCH_PARTS:-datapath burst driver}
PARTS=${PARTS//,/ }
BENCH_DFS=/sys/kernel/debug/openppe_bench

cleanup()
{
	[ -n "$DP_HL" ] && dp_pktgen_stop
	dp_cleanup
	if [ -d "$BENCH_DFS" ]; then
		echo unbind >"$BENCH_DFS/run" 2>/dev/null
		rmmod openppe_bench
	fi
	sim_cleanup_all
	ns_cleanup_all
}
trap cleanup EXIT

say()
{
	echo "bench: $* (t=$(cut -d' ' -f1 /proc/uptime)s)"
}

emit()
{
	local k

	for k in "${!DP_R[@]}"; do
		printf '%s %s\n' "$k" "${DP_R[$k]}"
	done | sort >>"$OUT/raw.txt"
	DP_R=()
}

bench_run()	# one command to the bench module; fails loudly
{
	echo "$*" >"$BENCH_DFS/run" || { echo "bench: openppe_bench: '$*' failed" >&2; return 1; }
}

# kernel memory in use, "cache bytes" per line: each slab cache's objects x
# object size, without kmemleak's own cache; the page allocations kmalloc()
# makes itself for large sizes ("kmalloc-large": slab pages the meminfo
# counters hold beyond those of the caches), where a growing rhashtable's
# bucket array goes; and vmalloc ("vmalloc"), where kvmalloc() falls back.
# Shrinking every cache first also empties KASAN's quarantine of it: freed
# objects waiting there still count as active in /proc/slabinfo.
slab_snapshot()
{
	local f page

	for f in /sys/kernel/slab/*/shrink; do
		echo 1 >"$f"
	done 2>/dev/null
	page=$(awk '/^KernelPageSize:/ { print $2 * 1024; exit }' /proc/self/smaps)
	awk -v page="${page:-4096}" '
		FILENAME == "/proc/meminfo" {
			if ($1 == "Slab:") slab = $2 * 1024
			if ($1 == "VmallocUsed:") vm = $2 * 1024
			next
		}
		FNR > 2 {
			pages += $15 * $6
			if ($1 !~ /^kmemleak/) printf "%s %d\n", $1, $2 * $4
		}
		END { printf "kmalloc-large %d\nvmalloc %d\n", slab - pages * page, vm }
	' /proc/slabinfo /proc/meminfo
}

# the snapshot once the memory stops changing: a growing rhashtable
# allocates its new bucket array from a work item and frees the old one
# after an RCU grace period
slab_settled()
{
	local prev now i

	prev=$(slab_snapshot)
	for i in $(seq 1 20); do
		sleep 0.2
		now=$(slab_snapshot)
		[ "$(slab_total "$now")" = "$(slab_total "$prev")" ] && break
		prev=$now
	done
	echo "$now"
}

slab_total()
{
	awk '$1 != "vmalloc" { t += $2 } END { print t }' <(echo "$1")
}

slab_delta()	# BEFORE AFTER FLOWS -> "bytes_per_flow top-caches"
{
	awk -v n="$3" 'NR == FNR { a[$1] = $2; next }
		{ d = $2 - a[$1]; tot += d; if (d > 0) grew[$1] = d }
		END {
			printf "%.1f", tot / n
			for (k in grew) if (grew[k] / n >= 4) printf " %s:%.0f", k, grew[k] / n
			printf "\n"
		}' <(echo "$1") <(echo "$2")
}

# the debugging options the running kernel has, from what they leave behind
# ("none" for the production-like build)
kernel_debug()
{
	local d=()

	dmesg | grep -q 'KernelAddressSanitizer initialized' && d+=(KASAN)
	[ -e /proc/lockdep ] && d+=(lockdep)
	[ -e /sys/kernel/debug/kmemleak ] && d+=(kmemleak)
	[ ${#d[@]} -gt 0 ] || d=(none)
	(IFS=+; echo "${d[*]}")
}

for c in nft conntrack iperf3 ethtool; do
	command -v "$c" >/dev/null || { echo "bench: $c missing" >&2; exit 1; }
done
mkdir -p "$OUT" || exit 1
: >"$OUT/raw.txt"
dp_affinity

{
	echo "meta.kernel $(uname -r)"
	# which kernel build: make bench boots the production-like one
	# (KVARIANT=prod), make check's smoke run the test kernel
	echo "meta.kernel_debug $(kernel_debug)"
	echo "meta.cpus $(grep -c ^processor /proc/cpuinfo)"
	echo "meta.tcp_seconds $SECS"
	echo "meta.udp_flows $UDP_FLOWS"
	echo "meta.udp_packets $UDP_PACKETS"
	echo "meta.start $(date -u +%FT%TZ)"
} >>"$OUT/raw.txt"

part()
{
	[[ " $PARTS " == *" $1 "* ]]
}

# ---- datapath, three modes, one topology ----
if part datapath || part burst; then
	dp_setup || exit 1
	echo "meta.table_size $(dp_ppe table_size)" >>"$OUT/raw.txt"
	echo "meta.fw_version $(dp_ppe fw_version)" >>"$OUT/raw.txt"
fi
part datapath &&
for mode in cpu sw hw; do
	dp_mode "$mode" && dp_ping || exit 1
	say "udp $mode: $UDP_FLOWS flows, $UDP_PACKETS packets"
	dp_udp "$mode" "$UDP_FLOWS" "$UDP_PACKETS"
	emit
	dp_mode "$mode" || exit 1
	say "tcp $mode: ${SECS}s"
	dp_tcp "$mode" "$SECS"
	emit
done

# ---- control plane end to end: a burst of new flows ----
if part burst; then
	dp_mode sw && dp_ping || exit 1
	say "burst of $BURST_FLOWS new flows into the software flowtable"
	dp_burst_sw "$BURST_FLOWS"
	emit
	dp_mode hw && dp_ping || exit 1
	say "burst of $BURST_FLOWS new flows into the engine"
	dp_burst "$BURST_FLOWS"
	emit
	dp_cleanup
	conntrack -F >/dev/null 2>&1
	busywait 60000 dp_entries_zero
fi
part driver && PARTS="$PARTS ctrl ctrlmt occupancy memory"
if ! part ctrl && ! part ctrlmt && ! part occupancy && ! part memory; then
	say "done"
	echo "meta.end $(date -u +%FT%TZ)" >>"$OUT/raw.txt"
	exit 0
fi

# ---- the driver alone: per-call cost, memory, occupancy ----
modprobe openppe_bench ||
	{ echo "bench: openppe_bench (tests/bench/kmod) does not load" >&2; exit 1; }
if part ctrl || part memory; then
	# the PPE's node asks for the whole table (without, the driver takes 16384)
	sim_new CID 2 "$CTRL_ENTRIES" "$CTRL_ENTRIES" || exit 1
	CPPE=$(ppe_of_port "$(sim_port "$CID" 0)") ||
		{ echo "bench: no PPE bound on instance $CID" >&2; exit 1; }
	bench_run bind "$(sim_port "$CID" 0)" "$(sim_port "$CID" 1)" || exit 1
fi

if part memory; then
	say "memory: $MEM_FLOWS flows"
	m0=$(slab_settled)
	bench_run install "$MEM_FLOWS" || exit 1
	m1=$(slab_settled)
	set -- $(slab_delta "$m0" "$m1" "$MEM_FLOWS")
	echo "mem.flows $MEM_FLOWS" >>"$OUT/raw.txt"
	echo "mem.slab_bytes_per_flow $1" >>"$OUT/raw.txt"
	shift
	echo "mem.slab_caches $*" >>"$OUT/raw.txt"
	bench_run flush || exit 1
fi

if part ctrl; then
	{
		echo "ctrl.table_size $(cat "$CPPE/table_size")"
		echo "ctrl.reps $CTRL_REPS"
		echo "ctrl.samples $CTRL_SAMPLES"
		echo "ctrl.rules $CTRL_RULES"
		echo "ctrl.levels $CTRL_LEVELS"
	} >>"$OUT/raw.txt"
	# each repetition fills from empty, level by level, and empties again
	for rules in $CTRL_RULES; do
		bench_run rules "$rules" || exit 1
		for rep in $(seq 1 "$CTRL_REPS"); do
			for level in $CTRL_LEVELS; do
				say "per-call cost, $rules rules, $level entries, rep $rep"
				bench_run install "$level" || exit 1
				r0=$(cat "$CPPE/relocations")
				bench_run cost "ctrl.$rules.$level.r$rep" "$CTRL_SAMPLES" || exit 1
				# entries moved to make room while timing
				echo "ctrl.$rules.$level.r$rep.moves" \
					"$(($(cat "$CPPE/relocations") - r0))" >>"$OUT/raw.txt"
			done
			bench_run flush || exit 1
		done
		echo "ctrl.$rules.relocations $(cat "$CPPE/relocations")" >>"$OUT/raw.txt"
	done
	bench_run rules route || exit 1
fi
if part ctrl || part memory; then
	bench_run unbind || exit 1
	sim_del "$CID"
fi

# REPLACE throughput with 1 and 3 concurrent callers, on the engine with one
# command register (cmd_slots 1) and with MT_SLOTS: the emulator's knob
# takes effect at the engine's reset, so the driver is bound again to see it
if part ctrlmt; then
	sim_new MID 2 16384 16384 || exit 1
	MPPE=$(ppe_of_port "$(sim_port "$MID" 0)") || exit 1
	MDFS=$(sim_dfs "$MID")
	{
		echo "ctrlmt.latency_us $MT_LATENCY_US"
		echo "ctrlmt.flows_per_caller $MT_FLOWS"
		echo "ctrlmt.new_slots $MT_SLOTS"
	} >>"$OUT/raw.txt"
	for slots in 1 "$MT_SLOTS"; do
		design=new
		[ "$slots" = 1 ] && design=old
		say "concurrency: $slots command slot(s), ${MT_LATENCY_US}us per command"
		echo "$slots" >"$MDFS/cmd_slots" || exit 1
		name=$(basename "$MPPE")
		echo "$name" >/sys/bus/platform/drivers/openppe/unbind || exit 1
		echo "$name" >/sys/bus/platform/drivers/openppe/bind || exit 1
		echo "$MT_LATENCY_US" >"$MDFS/cmd_latency_us" || exit 1
		bench_run bind "$(sim_port "$MID" 0)" "$(sim_port "$MID" 1)" || exit 1
		bench_run mt "ctrlmt.$design.c1" 1 "$MT_FLOWS" || exit 1
		bench_run mt "ctrlmt.$design.c3" 3 "$MT_FLOWS" || exit 1
		bench_run unbind || exit 1
		echo 0 >"$MDFS/cmd_latency_us"
		{
			echo "ctrlmt.$design.slots $slots"
			# rebinding started the counters from 0
			echo "ctrlmt.$design.cache_timeouts $(cat "$MPPE/cache_timeouts")"
		} >>"$OUT/raw.txt"
	done
	sim_del "$MID"
fi

part occupancy || FILL_RUNS=0
# occupancy at the first refusal is a random variable: FILL_RUNS fills, each
# on a new instance (new hash seeds, new random keys), reported as the median
for run in $(seq 1 "$FILL_RUNS"); do
	say "occupancy: $FILL_ENTRIES-entry table, fill $run of $FILL_RUNS"
	sim_new FID 2 "$FILL_ENTRIES" "$FILL_ENTRIES" || exit 1
	FPPE=$(ppe_of_port "$(sim_port "$FID" 0)") || exit 1
	bench_run bind "$(sim_port "$FID" 0)" "$(sim_port "$FID" 1)" || exit 1
	bench_run fill "fill.$run" 4 "$(cat "$FPPE/table_size")" || exit 1
	{
		echo "fill.$run.relocations $(cat "$FPPE/relocations")"
		echo "fill.$run.refused_table_full $(cat "$FPPE/refused_table_full")"
		echo "fill.$run.entries_used $(cat "$FPPE/entries_used")"
	} >>"$OUT/raw.txt"
	bench_run unbind || exit 1
	sim_del "$FID"
done
part occupancy && echo "fill.runs $FILL_RUNS" >>"$OUT/raw.txt"

cat "$BENCH_DFS/results" >>"$OUT/raw.txt"
echo "meta.end $(date -u +%FT%TZ)" >>"$OUT/raw.txt"
say "done"
exit 0
