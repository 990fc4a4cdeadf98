#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Engine firmware on run-time engines: a missing, corrupt (CRC), foreign
# (hardware id), truncated or non-openppe image makes the probe fail with one
# error naming the file and the problem, and the engine can be deleted and
# bound again once the image is good; with the image that lacks IPv6, IPv6
# flows stay in software (refused_no_fw_feature) while IPv4 flows offload.
#
# The images are firmware/src/*.manifest, built by `make firmware`. The driver
# asks for openppe/ppe-v1.bin; firmware_class.path points the loader at a
# directory holding the image under test by that name.
# vm-timeout: 900

ALL_TESTS="fw_missing fw_badcrc fw_wronghw fw_truncated fw_badmagic fw_good_after_bad fw_no_ipv6"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sim.lib"
source "$(dirname "$0")/router.lib"

FW_DIR=/lib/firmware/openppe
FW_PATH_PARAM=/sys/module/firmware_class/parameters/path
DRV=/sys/bus/platform/drivers/openppe

require_command nft
require_command conntrack
require_command iperf3
require_sim
[ -w "$FW_PATH_PARAM" ] || board_fail "no writable $FW_PATH_PARAM"
[ -f "$FW_DIR/ppe-v1.bin" ] || board_fail "no $FW_DIR/ppe-v1.bin (make firmware)"

cleanup()
{
	echo /lib/firmware >"$FW_PATH_PARAM"
	[ -f "$FW_DIR/ppe-v1.bin.away" ] && mv "$FW_DIR/ppe-v1.bin.away" "$FW_DIR/ppe-v1.bin"
	router_cleanup
}
trap cleanup EXIT

# serve IMAGE (a file name in $FW_DIR) as openppe/ppe-v1.bin
fw_serve()
{
	local d=$ROUTER_TMP/fw

	mkdir -p "$d/openppe"
	cp "$FW_DIR/$1" "$d/openppe/ppe-v1.bin" || return 1
	echo -n "$d" >"$FW_PATH_PARAM"
}

# an empty write never reaches the parameter; the default directory does
fw_unserve()
{
	echo /lib/firmware >"$FW_PATH_PARAM"
}

ppe_child()	# the PPE platform device of run-time instance $1
{
	local c

	for c in "$SIM_BUS/devices/openppe_sim$1"/openppe.*; do
		[ -e "$c" ] && { basename "$c"; return 0; }
	done
	return 1
}

# error-level kernel messages of the driver for device $1 logged after line
# $2 of dmesg (the firmware loader's own "firmware: failed to load" for a
# missing file carries the device's prefix too, and so does, in 6.12 and 7.3, the
# driver core's "probe with driver openppe failed with error N" (an error
# too; 6.1 logs "probe of DEV failed" as a warning): neither is the driver's)
dev_errors()
{
	dmesg -r | tail -n +"$(($2 + 1))" | grep "^<3>" | grep -F "openppe $1: " |
		grep -vF -e "openppe $1: firmware: failed to load" \
			-e "openppe $1: probe with driver openppe failed with error"
}

# a new engine serving IMAGE must fail to probe with exactly one error
# containing WHY
fw_bad()
{
	local image=$1 why=$2 id dev mark errs

	RET=0
	mark=$(dmesg | wc -l)
	if [ "$image" = missing ]; then
		mv "$FW_DIR/ppe-v1.bin" "$FW_DIR/ppe-v1.bin.away"
	else
		fw_serve "$image"
	fi
	sim_new id 2 256
	check_err $? "cannot create an engine"
	dev=$(ppe_child "$id")
	check_err $? "the engine has no PPE device"
	[ ! -e "$DRV/$dev" ]
	check_err $? "the driver bound $dev with $image"
	[ ! -d "/sys/kernel/debug/openppe/$dev" ]
	check_err $? "a failed probe left /sys/kernel/debug/openppe/$dev"
	errs=$(dev_errors "$dev" "$mark")
	[ "$(echo "$errs" | grep -c .)" -eq 1 ]
	check_err $? "not one error message for $dev: '$errs'"
	echo "$errs" | grep -qF "firmware openppe/ppe-v1.bin: $why"
	check_err $? "the error does not say 'firmware openppe/ppe-v1.bin: $why': '$errs'"
	log_info "$image: ${errs#*: }"

	if [ "$image" = missing ]; then
		mv "$FW_DIR/ppe-v1.bin.away" "$FW_DIR/ppe-v1.bin"
	else
		fw_unserve
	fi
	sim_del "$id"
	check_err $? "cannot delete the engine after the failed probe"
	log_test "$image image: probe fails with one message naming the problem"
}

fw_missing()
{
	fw_bad missing "cannot load it"
}

fw_badcrc()
{
	fw_bad ppe-v1-badcrc.bin "CRC mismatch (corrupt image)"
}

fw_wronghw()
{
	fw_bad ppe-v1-wronghw.bin "built for another hardware id"
}

fw_truncated()
{
	fw_bad ppe-v1-truncated.bin "length does not match the header"
}

fw_badmagic()
{
	fw_bad ppe-v1-badmagic.bin "bad magic (not an openppe image)"
}

# a failed probe leaves nothing behind that stops a later bind
fw_good_after_bad()
{
	local id dev

	RET=0
	fw_serve ppe-v1-badcrc.bin
	sim_new id 2 256
	check_err $? "cannot create an engine"
	dev=$(ppe_child "$id")
	[ ! -e "$DRV/$dev" ]
	check_err $? "the driver bound $dev with a bad image"
	fw_unserve
	echo "$dev" >"$DRV/bind"
	check_err $? "cannot bind $dev once the image is good:" \
		"$(dmesg | grep -F "$dev" | tail -n 2)"
	[ "$(cat "/sys/bus/platform/devices/$dev/fw_version")" = 1.0.0 ]
	check_err $? "fw_version after the rebind is not 1.0.0"
	log_info "$dev: bad image refused, bound with the good one:" \
		"fw_version $(cat "/sys/bus/platform/devices/$dev/fw_version")"
	sim_del "$id"
	check_err $? "cannot delete the engine"
	log_test "a good image binds after a bad one was refused"
}

# refused_both PPE N: refused_no_fw_feature of PPE reached N
refused_both()
{
	[ "$(router_ppe_stat refused_no_fw_feature "$1")" -ge "$2" ]
}

fw_no_ipv6()
{
	local id p0 p1 ppe ref0 ref1 feat log=$ROUTER_TMP/iperf6.log lost rx

	RET=0
	fw_serve ppe-v1-noipv6.bin
	sim_new id 2 256
	check_err $? "cannot create an engine"
	fw_unserve
	p0=$(sim_port "$id" 0)
	p1=$(sim_port "$id" 1)
	ppe=$(ppe_of_port "$p0")
	check_err $? "the driver did not bind the engine with the no-IPv6 image"
	if [ "$RET" -ne 0 ]; then
		log_test "no-IPv6 image: IPv6 flows stay in software, IPv4 flows offload"
		return
	fi
	feat=$(router_ppe_stat fw_features "$ppe")
	[ "$feat" = 0x00000073 ]
	check_err $? "fw_features $feat, the no-IPv6 image declares 0x00000073"
	router_init
	router_host HA "$p0" 0 && router_host HB "$p1" 1
	check_err $? "cannot set up the hosts"
	router_nft_load -d "$p0 $p1"
	check_err $? "cannot load the flowtable"
	# the IPv6 datagrams (1000 bytes of payload) as they arrive on the
	# server host's wire: iperf3's own loss count also counts its
	# socket buffer, which a stalled server can overflow
	router_host_rx_counters "$HA" "$p0-wire" \
		"rx6 ip6 saddr $(router_ip6 1 h) udp sport 40006 udp length 1008"
	check_err $? "cannot set up the counter"

	ref0=$(router_ppe_stat refused_no_fw_feature "$ppe")
	router_iperf_server "$HA" "$(router_ip6 0 h)" 5201 "$log"
	check_err $? "iperf3 server did not start"
	ip netns exec "$HB" iperf3 -c "$(router_ip6 0 h)" -u -b 1M -l 1000 -k 1000 --cport 40006 \
		>/dev/null 2>&1
	check_err $? "IPv6 UDP transfer failed"
	router_ct_sw -f ipv6 -p udp --sport 40006
	check_err $? "the IPv6 flow did not even enter the flowtable"
	# the refusals come from nf_flow_table's work queue, maybe after the
	# transfer: wait for both, then look at what conntrack says
	busywait 30000 refused_both "$ppe" $((ref0 + 2))
	ref1=$(router_ppe_stat refused_no_fw_feature "$ppe")
	[ "$ref1" -ge $((ref0 + 2)) ]
	check_err $? "refused_no_fw_feature $ref0 -> $ref1, expected both directions refused"
	! router_ct_hw -f ipv6 -p udp --sport 40006
	check_err $? "the IPv6 flow is [HW_OFFLOAD] with a firmware without IPv6"
	busywait 10000 lib_output_is 1000 router_counter rx6 "$HA"
	rx=$(router_counter rx6 "$HA")
	[ "$rx" -eq 1000 ]
	check_err $? "1000 IPv6 datagrams sent through the software flowtable, $rx arrived"
	lost=$(grep -o '[0-9]*/[0-9]* ([0-9.e+-]*%)' "$log" | tail -n 1)
	log_info "IPv6: refused_no_fw_feature $ref0 -> $ref1, 1000 datagrams sent," \
		"$rx arrived (iperf3 server: lost/total $lost)," \
		"entries_used $(router_ppe_stat entries_used "$ppe")"

	router_iperf_server "$HA" "$(router_ip4 0 h)" 5201
	check_err $? "iperf3 server did not start"
	ip netns exec "$HB" iperf3 -c "$(router_ip4 0 h)" -u -b 5M -l 1000 -k 2000 --cport 40007 \
		>/dev/null 2>&1

	check_err $? "IPv4 UDP transfer failed"
	router_wait_hw 30000 -p udp --sport 40007
	check_err $? "the IPv4 flow is not [HW_OFFLOAD]"
	log_info "IPv4: [HW_OFFLOAD], engine_hits $(router_ppe_stat engine_hits "$ppe")," \
		"entries_used $(router_ppe_stat entries_used "$ppe")"
	[ "$RET" -eq 0 ] || { ROUTER_PPE=$ppe; router_dump; }
	log_test "no-IPv6 image: IPv6 flows stay in software, IPv4 flows offload"
}

run_tests
