#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Stress: for two minutes, many short TCP connections and UDP flows open and
# close in parallel through a masquerading router whose engine has the
# smallest table (256 entries), kept near full by 100 long-lived UDP flows:
# entries relocate, some flows are refused and stay in software, STATS runs
# all along.
#
# Afterwards, per flow and per direction: the packets the engine forwarded
# for it (the openppe_destroy tracepoint: the entry's final counter record)
# plus the packets of it that reached the router's CPU (a netdev ingress
# chain counting per flow) equal the packets the receiving host got on its
# wire. The engine's part of all flows equals what the engine's ports counted
# as forwarded; the table drains to empty. The runner fails the run on any
# KASAN, lockdep, WARN or kmemleak report.
#
# Also reported, not asserted: how many of the engine's packets conntrack
# never counted (nf_flow_table asks no STATS for a flow it tears down; see
# "unreported" in docs/usage.md). TCP connections end with a RST (the client
# closes with the server's echo unread), UDP flows by going quiet.
# vm-timeout: 900

ALL_TESTS="stress"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sim.lib"
source "$(dirname "$0")/router.lib"

require_command nft
require_command conntrack
require_command busybox
require_sim

SECS=${E2E_STRESS_SECONDS:-120}
TCP_LOOPS=${E2E_STRESS_TCP:-12}
UDP_LOOPS=${E2E_STRESS_UDP:-12}
HOLD=${E2E_STRESS_HOLD:-100}
TRACE=/sys/kernel/debug/tracing
ENTRIES=256
CNT=ppe_stress
declare -A SYSCTL_SAVED

cleanup()
{
	local k

	for k in "${!SYSCTL_SAVED[@]}"; do
		sysctl -qw "$k=${SYSCTL_SAVED[$k]}"
	done
	router_cleanup
}
trap cleanup EXIT

sysctl_set()
{
	SYSCTL_SAVED[$1]=$(sysctl -n "$1")
	sysctl -qw "$1=$2"
}

# flowgen tcp|udp ADDR PORT SECONDS FIFO: one flow after another until
# SECONDS pass; a flow writes 8..31 lines of 100 bytes 20 ms apart, then
# ends as the header says. flowgen hold ADDR PORT SECONDS FIFO N: N UDP flows
# that send a datagram every 3 s. Prints "flows datagrams".
flowgen()
{
	local mode=$1 addr=$2 port=$3 end k i fd tick n=0 sent=0 line
	local -a fds=()

	end=$(($(printf '%(%s)T' -1) + $4))
	mkfifo "$5" && exec {tick}<>"$5" || return 1
	line=$(printf '%099d' 0)
	if [ "$mode" = hold ]; then
		for ((i = 0; i < $6; i++)); do
			exec {fd}>"/dev/udp/$addr/$port" || return 1
			fds+=("$fd")
		done
		while [ "$(printf '%(%s)T' -1)" -lt "$end" ]; do
			for fd in "${fds[@]}"; do
				printf '%s\n' "$line" >&"$fd"
				sent=$((sent + 1))
			done
			read -r -t 3 -u "$tick"
		done
		for fd in "${fds[@]}"; do
			exec {fd}>&-
		done
		echo "${#fds[@]} $sent"
		return 0
	fi
	while [ "$(printf '%(%s)T' -1)" -lt "$end" ]; do
		k=$((RANDOM % 24 + 8))
		if [ "$mode" = tcp ]; then
			if ! exec {fd}<>"/dev/tcp/$addr/$port"; then
				read -r -t 1 -u "$tick"
				continue
			fi
		else
			exec {fd}>"/dev/udp/$addr/$port" || return 1
		fi
		for ((i = 0; i < k; i++)); do
			printf '%s\n' "$line" >&"$fd" 2>/dev/null
			read -r -t 0.02 -u "$tick"
		done
		[ "$mode" = tcp ] && read -r -t 4 -u "$tick"
		exec {fd}>&-
		n=$((n + 1))
		sent=$((sent + k))
	done
	echo "$n $sent"
}

# a netdev ingress chain on DEV in NS (or the router) counting every TCP/UDP
# frame per (protocol, port) in the dynamic set "rx"; KEY is sport or dport
rx_counter()
{
	local ns=$1 dev=$2 key=$3
	local -a pre=()

	[ -n "$ns" ] && pre=(ip netns exec "$ns")
	"${pre[@]}" nft -f - <<-EOF
	table netdev $CNT {
		set rx {
			type inet_proto . inet_service
			size 65535
			flags dynamic
			counter
		}
		chain in {
			type filter hook ingress device "$dev" priority -200; policy accept;
			meta l4proto { tcp, udp } update @rx { meta l4proto . th $key }
		}
	}
	EOF
}

# the elements of a per-port set as "proto port packets" lines
set_dump()
{
	local ns=$1 fam=$2 table=$3 set=$4
	local -a pre=()

	[ -n "$ns" ] && pre=(ip netns exec "$ns")
	"${pre[@]}" nft list set "$fam" "$table" "$set" | tr ',{}' '\n' |
		awk '$2 == "." && $4 == "counter" && $5 == "packets" { print $1, $3, $6 }'
}

setup()
{
	local srv

	router_init
	# every finished flow stays listed, with its counters, until the end
	sysctl_set net.netfilter.nf_conntrack_tcp_timeout_close 900
	sysctl_set net.netfilter.nf_conntrack_tcp_timeout_time_wait 900
	sysctl_set net.netfilter.nf_conntrack_udp_timeout 900
	sysctl_set net.netfilter.nf_conntrack_udp_timeout_stream 900
	# a quiet UDP flow leaves the flowtable after 10 s: the table stays full
	sysctl_set net.netfilter.nf_flowtable_udp_timeout 10
	sysctl_set net.core.netdev_max_backlog 10000

	sim_new SID 2 "$ENTRIES" || exit "$ksft_fail"
	P0=$(sim_port "$SID" 0)
	P1=$(sim_port "$SID" 1)
	busywait 10000 ppe_of_port "$P0" >/dev/null
	ROUTER_PPE=$(ppe_of_port "$P0") || exit "$ksft_fail"
	# the board's wan and lan1 may be addressed: use lan2's and lan3's plan
	router_host HW "$P0" 2 || exit "$ksft_fail"
	router_host HL "$P1" 3 || exit "$ksft_fail"
	SRV=$(router_ip4 2 h)
	LAN=$(router_ip4 3 h)
	router_nft_load -d "$P0 $P1" -m "$P0" -c "$P0 $P1" || exit "$ksft_fail"
	# what reaches the router's CPU, per flow: orig by the lan host's
	# port, reply by the masqueraded port
	nft add set netdev "$ROUTER_NFT" cpu_o \
		'{ type inet_proto . inet_service; size 65535; flags dynamic; counter; }' &&
	nft add set netdev "$ROUTER_NFT" cpu_r \
		'{ type inet_proto . inet_service; size 65535; flags dynamic; counter; }' &&
	nft add rule netdev "$ROUTER_NFT" tocpu iifname "$P1" meta l4proto '{ tcp, udp }' \
		update @cpu_o '{ meta l4proto . th sport }' &&
	nft add rule netdev "$ROUTER_NFT" tocpu iifname "$P0" meta l4proto '{ tcp, udp }' \
		update @cpu_r '{ meta l4proto . th dport }' ||
		exit "$ksft_fail"
	# what the CPU forwarded (or sent itself), per flow: the engine's
	# frames do not pass the ports' egress hooks
	nft -f - <<-EOF || exit "$ksft_fail"
	table netdev $ROUTER_NFT {
		set fwd_o {
			type inet_proto . inet_service
			size 65535
			flags dynamic
			counter
		}
		set fwd_r {
			type inet_proto . inet_service
			size 65535
			flags dynamic
			counter
		}
		chain out0 {
			type filter hook egress device "$P0" priority 0; policy accept;
			meta l4proto { tcp, udp } update @fwd_o { meta l4proto . th sport }
		}
		chain out1 {
			type filter hook egress device "$P1" priority 0; policy accept;
			meta l4proto { tcp, udp } update @fwd_r { meta l4proto . th dport }
		}
	}
	EOF
	# what the hosts receive, per flow
	rx_counter "$HW" "$P0-wire" sport || exit "$ksft_fail"
	rx_counter "$HL" "$P1-wire" dport || exit "$ksft_fail"
	# the server: a TCP echo (busybox nc -ll -e cat, a process per connection) and a UDP sink
	router_bg srv ip netns exec "$HW" busybox nc -ll -p 5001 -e cat 2>/dev/null
	busywait 30000 router_listening "$HW" 5001 || exit "$ksft_fail"
	ip netns exec "$HW" nft add rule netdev "$CNT" in udp dport "{ 5002, 5003 }" drop ||
		exit "$ksft_fail"
}

# the openppe_destroy events of the instance's PPE as "dir proto port pkts
# unreported": orig keyed by the lan host's port, reply by the masqueraded one
destroy_dump()
{
	awk -v ppe="$(basename "$ROUTER_PPE")" -v lan="$LAN" '
	$0 ~ "openppe_destroy: " ppe " " && / result=0/ {
		for (i = 1; i <= NF; i++) {
			split($i, kv, "=")
			v[kv[1]] = substr($i, length(kv[1]) + 2)
		}
		p = v["proto"] == 6 ? "tcp" : "udp"
		split(v["src"], a, "]:"); split(v["dst"], b, "]:")
		if (a[1] == "[::ffff:" lan)
			print "o", p, a[2], v["pkts"], v["unreported"]
		else
			print "r", p, b[2], v["pkts"], v["unreported"]
	}' "$TRACE/trace"
}

stress()
{
	local i pid max=0 used fwd0 fwd1 reloc0 stats0 refused0 flows=0 dgrams=0 f d
	local -a pids=()
	local out=$ROUTER_TMP/stress

	RET=0
	mkdir -p "$out"
	echo 8192 >"$TRACE/buffer_size_kb"
	echo 1 >"$TRACE/events/openppe/openppe_destroy/enable"
	echo >"$TRACE/trace"
	fwd0=$(router_port_stat "$P0" fwd_rx_packets)
	fwd0=$((fwd0 + $(router_port_stat "$P1" fwd_rx_packets)))
	reloc0=$(router_ppe_stat relocations)
	stats0=$(router_ppe_stat stats_calls)
	refused0=$(router_ppe_stat refused_table_full)
	router_bg pid ip netns exec "$HL" \
		bash -c "$(declare -f flowgen); flowgen hold $SRV 5003 $SECS $out/h.fifo $HOLD" \
		>"$out/h"
	pids+=("$pid")
	for i in $(seq 1 "$TCP_LOOPS"); do
		router_bg pid ip netns exec "$HL" \
			bash -c "$(declare -f flowgen); flowgen tcp $SRV 5001 $SECS $out/t$i.fifo" \
			>"$out/t$i"
		pids+=("$pid")
	done
	for i in $(seq 1 "$UDP_LOOPS"); do
		router_bg pid ip netns exec "$HL" \
			bash -c "$(declare -f flowgen); flowgen udp $SRV 5002 $SECS $out/u$i.fifo" \
			>"$out/u$i"
		pids+=("$pid")
	done
	# watch the table while the load runs
	while kill -0 "${pids[@]}" 2>/dev/null; do
		used=$(router_ppe_stat entries_used)
		[ "$used" -gt "$max" ] && max=$used
		sleep 2
	done
	for pid in "${pids[@]}"; do
		wait "$pid"
	done
	for f in "$out"/h "$out"/t* "$out"/u*; do
		[ -p "$f" ] && continue
		read -r i d <"$f"
		flows=$((flows + i))
		[[ $f == */[uh] || $f == */u[0-9]* ]] && dgrams=$((dgrams + d))
	done
	log_info "$flows flows in ${SECS}s ($HOLD long-lived UDP," \
		"$TCP_LOOPS TCP and $UDP_LOOPS UDP loops; $dgrams UDP datagrams sent);" \
		"table $ENTRIES entries, at most $max used"
	log_info "relocations +$(($(router_ppe_stat relocations) - reloc0))," \
		"refused_table_full +$(($(router_ppe_stat refused_table_full) - refused0))," \
		"stats_calls +$(($(router_ppe_stat stats_calls) - stats0))"
	[ "$(router_ppe_stat relocations)" -gt "$reloc0" ]
	check_err $? "the table never got full enough to relocate an entry"
	[ "$(router_ppe_stat stats_calls)" -gt "$stats0" ]
	check_err $? "no STATS ran during the load"

	# every flow leaves the engine: RSTs tear TCP down, UDP times out
	busywait 120000 bash -c "[ \$(cat $ROUTER_PPE/entries_used) -eq 0 ]"
	check_err $? "the table did not drain: entries_used $(router_ppe_stat entries_used)"
	busywait 30000 bash -c "[ \$(cat $ROUTER_PPE/flows_offloaded) -eq 0 ]"
	check_err $? "flows_offloaded $(router_ppe_stat flows_offloaded) after the load"
	fwd1=$(router_port_stat "$P0" fwd_rx_packets)
	fwd1=$((fwd1 + $(router_port_stat "$P1" fwd_rx_packets)))
	echo 0 >"$TRACE/events/openppe/openppe_destroy/enable"

	conntrack -L -s "$LAN" 2>/dev/null | grep -E 'dport=500[123] ' >"$out/ct"
	destroy_dump >"$out/eng"
	set_dump "$HW" netdev "$CNT" rx >"$out/rx_srv"
	set_dump "$HL" netdev "$CNT" rx >"$out/rx_cli"
	set_dump "" netdev "$ROUTER_NFT" cpu_o >"$out/cpu_o"
	set_dump "" netdev "$ROUTER_NFT" cpu_r >"$out/cpu_r"
	set_dump "" netdev "$ROUTER_NFT" fwd_o >"$out/fwd_o"
	set_dump "" netdev "$ROUTER_NFT" fwd_r >"$out/fwd_r"
	# per flow (protocol + lan host port) and direction: engine + what the
	# CPU forwarded = received; masqueraded ports map back to lan ports
	# through conntrack. (What reached the CPU can be more: packets of a
	# connection already reset are not forwarded.)
	awk -v fwd=$((fwd1 - fwd0)) -v dgrams="$dgrams" '
	function field(name, nth,   i, n) {
		n = 0
		for (i = 1; i <= NF; i++)
			if (index($i, name "=") == 1 && ++n == nth)
				return substr($i, length(name) + 2)
		return -1
	}
	function lan(p, m) { return (p " " m) in m2c ? m2c[p " " m] : p " " m }
	FILENAME ~ /ct$/ {
		p = $1; c = field("sport", 1); m = field("dport", 2)
		m2c[p " " m] = p " " c
		ct += field("packets", 1) + field("packets", 2)
		next
	}
	FILENAME ~ /eng$/ {
		k = $1 == "o" ? $2 " " $3 : lan($2, $3)
		eng[$1 " " k] += $4; engine += $4; unrep += $5; keys[k] = 1
		next
	}
	FILENAME ~ /rx_srv$/ {
		k = lan($1, $2); recv["o " k] += $3; keys[k] = 1; rx += $3
		if ($1 == "udp") udp_rx += $3
		next
	}
	FILENAME ~ /rx_cli$/ { k = $1 " " $2; recv["r " k] += $3; keys[k] = 1; rx += $3; next }
	FILENAME ~ /cpu_o$/ { k = $1 " " $2; cpu["o " k] += $3; keys[k] = 1; cpus += $3; next }
	FILENAME ~ /cpu_r$/ { k = lan($1, $2); cpu["r " k] += $3; keys[k] = 1; cpus += $3; next }
	FILENAME ~ /fwd_o$/ { k = lan($1, $2); fw["o " k] += $3; keys[k] = 1; fws += $3; next }
	FILENAME ~ /fwd_r$/ { k = $1 " " $2; fw["r " k] += $3; keys[k] = 1; fws += $3; next }
	END {
		bad = 0
		fmt = "# %s %s: engine %d + CPU %d (reached the CPU %d), received %d\n"
		for (k in keys) {
			split(k, kk, " "); n[kk[1]]++
			for (d = 0; d < 2; d++) {
				dir = d ? "r" : "o"
				if (eng[dir " " k] + fw[dir " " k] != recv[dir " " k] + 0 &&
				    bad++ < 10)
					printf fmt, dir == "o" ? "orig" : "reply", k,
						eng[dir " " k], fw[dir " " k],
						cpu[dir " " k], recv[dir " " k]
			}
		}
		printf "# flows: tcp %d, udp %d; received %d packets = engine %d + CPU %d;",
			n["tcp"], n["udp"], rx, engine, fws
		printf " %d reached the CPU; engine ports forwarded %d\n", cpus, fwd
		printf "# UDP datagrams sent %d, received %d; conntrack counted %d packets,",
			dgrams, udp_rx, ct
		printf " %d short of received; %d engine packets no STATS reported\n",
			rx - ct, unrep
		printf "# per-flow mismatches: %d\n", bad
		exit (bad != 0 || engine != fwd || udp_rx != dgrams ||
		      n["tcp"] == 0 || n["udp"] == 0)
	}' "$out/ct" "$out/eng" "$out/rx_srv" "$out/rx_cli" \
		"$out/cpu_o" "$out/cpu_r" "$out/fwd_o" "$out/fwd_r"

	check_err $? "per-flow counts disagree (see above)"
	[ "$RET" -eq 0 ] || router_dump
	log_test "${SECS}s of short TCP and UDP flows on a full table: per flow," \
		"engine + CPU = received"
}

setup
run_tests
