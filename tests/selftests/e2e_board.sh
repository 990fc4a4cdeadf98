#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The device-tree board: the emulator and the PPE bind from DT, the firmware
# runs with every feature, and the sysfs and debugfs files of the driver and
# the emulator are exactly the ones docs/ABI/testing documents (parsed from
# the What: lines, so an undocumented new file or a documented missing file
# fails), each readable (or writable) as documented.

ALL_TESTS="dt_bound firmware_running sysfs_driver_abi sysfs_sim_bus_abi debugfs_abi"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sim.lib"
source "$(dirname "$0")/router.lib"

ABI=$(realpath "$(dirname "$0")/../../docs/ABI/testing")
DT_SIM=/proc/device-tree/openppe-sim

cleanup()
{
	router_cleanup
}
trap cleanup EXIT

[ -d "$ABI" ] || board_fail "no $ABI (the repository is not mounted)"
require_command ethtool
router_require

# "What:" paths of one ABI file
abi_what()
{
	sed -n 's/^What:[[:space:]]*//p' "$ABI/$1"
}

# the documented mode of a What: entry, e.g. "0400", or "" if none
abi_mode()
{
	awk -v w="$2" '
		/^What:/ { cur = $2 }
		cur == w && match($0, /\((RO|RW|WO), 0[0-7]+\)/) {
			m = substr($0, RSTART, RLENGTH); sub(/.*, /, "", m); sub(/\)/, "", m)
			print m; exit
		}' "$ABI/$1"
}

dt_bound()
{
	local ppe_node sim_dev

	RET=0
	[ -d "$DT_SIM" ]
	check_err $? "no openppe-sim node in the live device tree"
	grep -q 'openppe,sim' "$DT_SIM/compatible" 2>/dev/null
	check_err $? "the openppe-sim node is not compatible openppe,sim"
	# the wan port's device or, on the DSA board, its switch's parent
	sim_dev=$(board_dev_of wan openppe_sim)
	check_err $? "the wan port is not a port of a device bound to openppe_sim"
	ppe_node=$(readlink -f "$ROUTER_PPE/of_node")
	[ "$ppe_node" = "$(readlink -f "$DT_SIM/ppe")" ]
	check_err $? "the PPE's of_node is $ppe_node, not the board's ppe node"
	grep -q 'openppe,ppe-v1' "$ppe_node/compatible" 2>/dev/null
	check_err $? "the PPE node is not compatible openppe,ppe-v1"
	for p in wan lan1 lan2 lan3; do
		[ "$(board_dev_of "$p" openppe_sim)" = "$sim_dev" ]
		check_err $? "port $p is not a port of the DT engine"
		router_port_stat "$p" fwd_rx_packets >/dev/null
		check_err $? "ethtool -S $p shows no engine counters"
	done
	log_info "sim $(basename "$sim_dev") bound to openppe_sim," \
		"PPE $(basename "$ROUTER_PPE") bound to openppe," \
		"DT node ${ppe_node#/sys/firmware/devicetree/base}"
	log_test "board from DT: emulator, four ports and the PPE bound"
}

firmware_running()
{
	local ver feat tsize

	RET=0
	ver=$(router_ppe_stat fw_version)
	feat=$(router_ppe_stat fw_features)
	tsize=$(router_ppe_stat table_size)
	[ "$ver" = 1.0.0 ]
	check_err $? "fw_version is '$ver', firmware/src/ppe-v1.manifest says 1.0.0"
	[ "$feat" = 0x000000ff ]
	check_err $? "fw_features is '$feat', the full image has all eight (0x000000ff)"
	[ "$tsize" -eq 16384 ]
	check_err $? "table_size is $tsize, the board's openppe,max-entries is 16384"
	[ "$(router_ppe_stat degraded)" -eq 0 ] && [ "$(router_ppe_stat entries_used)" -eq 0 ]
	check_err $? "the engine is degraded or its table not empty at boot"
	dmesg | grep -q \
		"$(basename "$ROUTER_PPE"): firmware openppe/ppe-v1.bin: version 1.0.0 running"
	check_err $? "no 'firmware openppe/ppe-v1.bin: version 1.0.0 running' in the kernel log"
	grep -q 'PPE_STATUS.*RUNNING' "$(sim_dfs_of_port wan)/regs" 2>/dev/null ||
		grep -q 'FW_STATUS .*STATE=RUNNING' "$(sim_dfs_of_port wan)/regs"
	check_err $? "the engine's FW_STATUS is not RUNNING"
	log_info "firmware $ver, features $feat, table_size $tsize"
	log_test "firmware running with every feature"
}


# compare the regular files of DIR (minus the driver core's) with NAMES
dir_matches_abi()
{
	local dir=$1 what core=$3 f name missing= extra= n=0

	what=$(echo "$2" | tr '\n' ' ')

	for name in $what; do
		n=$((n + 1))
		[ -e "$dir/$name" ] || missing+=" $name"
	done
	for f in "$dir"/*; do
		name=$(basename "$f")
		[ -f "$f" ] && [ ! -L "$f" ] || continue
		echo " $core " | grep -q " $name " && continue
		echo " $what " | grep -q " $name " || extra+=" $name"
	done
	[ -z "$missing" ] || log_info "documented but missing in $dir:$missing"
	[ -z "$extra" ] || log_info "present but undocumented in $dir:$extra"
	ABI_N=$n
	[ -z "$missing" ] && [ -z "$extra" ]
}

sysfs_driver_abi()
{
	local what name v bad=

	RET=0
	what=$(abi_what sysfs-driver-openppe | sed -n 's|^/sys/bus/platform/devices/<dev>/||p')
	[ -n "$what" ]
	check_err $? "no What: lines in sysfs-driver-openppe"
	dir_matches_abi "$ROUTER_PPE" "$what" "driver_override modalias uevent"
	check_err $? "the PPE's sysfs files differ from docs/ABI/testing/sysfs-driver-openppe"
	for name in $what; do
		v=$(cat "$ROUTER_PPE/$name" 2>/dev/null)
		case $name in
		fw_version) [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ;;
		fw_features) [[ "$v" =~ ^0x[0-9a-f]+$ ]] ;;
		*) [[ "$v" =~ ^[0-9]+$ ]] ;;
		esac || bad+=" $name='$v'"
		[ "$(stat -c %a "$ROUTER_PPE/$name" 2>/dev/null)" = 444 ] ||
			bad+=" $name(mode $(stat -c %a "$ROUTER_PPE/$name" 2>/dev/null))"
	done
	[ -z "$bad" ]
	check_err $? "unreadable or malformed:$bad"
	log_info "$ABI_N documented PPE sysfs files, all present, read-only and well-formed;" \
		"no undocumented file"
	log_test "sysfs of the PPE matches docs/ABI/testing/sysfs-driver-openppe"
}

sysfs_sim_bus_abi()
{
	local what w id path

	RET=0
	what=$(abi_what sysfs-bus-openppe-sim)
	sim_new id 2 256
	check_err $? "cannot create a run-time instance"
	for w in $what; do
		path=${w//<ID>/$id}
		path=${path%/}
		[ -e "$path" ]
		check_err $? "documented $w missing ($path)"
		case $(abi_mode sysfs-bus-openppe-sim "$w") in
		0200) [ "$(stat -c %a "$path")" = 200 ]
		      check_err $? "$path is mode $(stat -c %a "$path"), documented 0200" ;;
		esac
	done
	dir_matches_abi "$SIM_BUS" \
		"$(echo "$what" | sed -n 's|^/sys/bus/openppe_sim/\([^/]*\)$|\1|p')" \
		"drivers_autoprobe drivers_probe uevent"
	check_err $? "the bus's files differ from docs/ABI/testing/sysfs-bus-openppe-sim"
	[ "$(readlink -f "/sys/class/net/$(sim_port "$id" 1)/device")" = \
		"$(readlink -f "$SIM_BUS/devices/openppe_sim$id")" ]

	check_err $? "psim${id}p1's device is not the instance"
	sim_del "$id"
	check_err $? "cannot delete the instance"
	[ ! -e "$SIM_BUS/devices/openppe_sim$id" ]
	check_err $? "the instance is still there after del_device"
	log_info "$(echo "$what" | wc -l) documented bus paths checked with instance $id"
	log_test "sysfs of the openppe_sim bus matches docs/ABI/testing/sysfs-bus-openppe-sim"
}

# every debugfs path documented exists with its documented mode
debugfs_abi()
{
	local w path mode dev n=0 sim

	RET=0
	dev=$(basename "$ROUTER_PPE")
	sim=$(basename "$(board_dev_of wan openppe_sim)")
	for w in $(abi_what debugfs-openppe) $(abi_what debugfs-openppe-sim); do
		path=${w//<n>/0}
		case $path in
		/sys/kernel/debug/openppe/*) path=${path//<dev>/$dev} ;;
		*) path=${path//<dev>/$sim} ;;
		esac
		path=${path%/}
		n=$((n + 1))
		[ -e "$path" ]
		check_err $? "documented $w missing ($path)"
		mode=$(abi_mode debugfs-openppe "$w")
		[ -n "$mode" ] || mode=$(abi_mode debugfs-openppe-sim "$w")
		[ -z "$mode" ] || [ "$(stat -c %a "$path")" = "${mode#0}" ]
		check_err $? "$path is mode $(stat -c %a "$path" 2>/dev/null), documented $mode"
		case $mode in
		0400|0600) cat "$path" >/dev/null
			   check_err $? "cannot read $path" ;;
		esac
	done
	dir_matches_abi "$(router_ppe_dfs)" "table regs" ""
	check_err $? "the driver's debugfs differs from docs/ABI/testing/debugfs-openppe"
	dir_matches_abi "$SIM_DEBUGFS/$sim" "$(abi_what debugfs-openppe-sim |
		sed -n 's|^/sys/kernel/debug/openppe_sim/<dev>/\([^/]*\)$|\1|p')" ""
	check_err $? "the emulator's debugfs differs from docs/ABI/testing/debugfs-openppe-sim"
	log_info "$n documented debugfs paths present with their modes"
	log_test "debugfs matches docs/ABI/testing/debugfs-*"
}

run_tests
