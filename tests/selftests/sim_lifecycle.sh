#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# openppe_sim instance life cycle: the bus interface and its input checks,
# two instances side by side, deletion with traffic in flight, driver
# unbind/rebind with the fault knobs, debugfs, and module reload (the runner
# checks the console for KASAN, lockdep and kmemleak reports). The 100
# create/delete cycles are in sim_create_delete.sh (own guest, own timeout).

ALL_TESTS="bad_input two_instances delete_with_traffic ppe_child_bound driver_rebind"
ALL_TESTS+=" cache_timeout_failsafe debugfs_knobs module_reload"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sim.lib"

require_command ip
require_command ping
require_sim

cleanup()
{
	ns_cleanup_all
	sim_cleanup_all
}
trap cleanup EXIT

bad_input()
{
	local id

	RET=0
	id=$((RANDOM % 900 + 100))
	for arg in "$id" "$id 0" "$id 17" "$id 2 1000" "$id 2 128" \
		   "$id 2 2097152" "x 2" "-1 2" ""; do
		echo "$arg" >"$SIM_BUS/new_device" 2>/dev/null
		check_fail $? "new_device accepted \"$arg\""
		echo "$id" >"$SIM_BUS/del_device" 2>/dev/null
	done
	sim_new id 2 256
	check_err $? "new_device refused a valid 256-entry instance"
	echo "$id 2" >"$SIM_BUS/new_device" 2>/dev/null
	check_fail $? "new_device accepted a duplicate id $id"
	sim_del "$id"
	check_err $? "del_device $id failed"
	echo "$id" >"$SIM_BUS/del_device" 2>/dev/null
	check_fail $? "del_device accepted an id that does not exist"
	echo "junk" >"$SIM_BUS/del_device" 2>/dev/null
	check_fail $? "del_device accepted junk"
	log_test "new_device/del_device reject bad input"
}

two_instances()
{
	local a b

	RET=0
	sim_new a 4 || {
		check_err 1 "cannot create the first instance"
		log_test "two instances"
		return
	}
	sim_new b 2 256 || {
		check_err 1 "cannot create the second instance"
		log_test "two instances"
		return
	}
	grep -q "PORTS=4" "$(sim_dfs "$a")/regs"
	check_err $? "instance $a: PPE_CAPS.PORTS is not 4"
	grep -q "PORTS=2" "$(sim_dfs "$b")/regs"
	check_err $? "instance $b: PPE_CAPS.PORTS is not 2"
	grep -q "MAX_LOG2=12 " "$(sim_dfs "$a")/regs"
	check_err $? "instance $a: TBL_CAPS.MAX_LOG2 is not 12 (4096 entries)"
	grep -q "MAX_LOG2=8 " "$(sim_dfs "$b")/regs"
	check_err $? "instance $b: TBL_CAPS.MAX_LOG2 is not 8 (256 entries)"
	ls -d "$SIM_BUS/devices/openppe_sim$a"/openppe.* >/dev/null 2>&1
	check_err $? "instance $a has no PPE child device"
	ls -d "$SIM_BUS/devices/openppe_sim$b"/openppe.* >/dev/null 2>&1
	check_err $? "instance $b has no PPE child device"
	[ -e "/sys/class/net/$(sim_port "$b" 1)" ] && [ ! -e "/sys/class/net/$(sim_port "$b" 2)" ]
	check_err $? "instance $b does not have exactly 2 ports"
	sim_del "$a"
	check_err $? "cannot delete instance $a"
	[ -d "$(sim_dfs "$b")" ]
	check_err $? "deleting $a removed $b's debugfs"
	sim_del "$b"
	check_err $? "cannot delete instance $b"
	log_test "two instances side by side"
}

delete_with_traffic()
{
	local id p0 p1 pid

	RET=0
	sim_new id 2 || {
		check_err 1 "cannot create an instance"
		log_test "delete with traffic"
		return
	}
	ns_create R H0 H1
	p0=$(sim_port "$id" 0)
	p1=$(sim_port "$id" 1)
	ip link set "$p0" netns "$R"
	ip link set "$p1" netns "$R"
	ip link set "$(sim_wire "$id" 0)" netns "$H0"
	ip link set "$(sim_wire "$id" 1)" netns "$H1"
	ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1
	ip -netns "$R" addr add 10.8.0.1/24 dev "$p0"
	ip -netns "$R" addr add 10.8.1.1/24 dev "$p1"
	ip -netns "$R" link set "$p0" up
	ip -netns "$R" link set "$p1" up
	ip -netns "$H0" addr add 10.8.0.2/24 dev "$(sim_wire "$id" 0)"
	ip -netns "$H1" addr add 10.8.1.2/24 dev "$(sim_wire "$id" 1)"
	ip -netns "$H0" link set "$(sim_wire "$id" 0)" up
	ip -netns "$H1" link set "$(sim_wire "$id" 1)" up
	ip -netns "$H0" route add default via 10.8.0.1
	ip -netns "$H1" route add default via 10.8.1.1
	ip netns exec "$H0" ping -q -c 1 -W 2 10.8.1.2 >/dev/null
	check_err $? "no traffic before the deletion"
	ip netns exec "$H0" ping -q -f -w 30 10.8.1.2 >/dev/null 2>&1 &
	pid=$!
	ip netns exec "$H1" ping -q -f -w 30 10.8.0.2 >/dev/null 2>&1 &
	local pid2=$!
	sleep 1
	sim_del "$id"
	check_err $? "cannot delete the instance under traffic"
	kill "$pid" "$pid2" 2>/dev/null
	wait "$pid" "$pid2" 2>/dev/null
	ns_destroy "$R"
	ns_destroy "$H0"
	ns_destroy "$H1"
	log_test "delete an instance while frames cross it"
}

# the PPE child of a run-time instance: named openppe, bound by the driver
ppe_child_bound()
{
	local id child

	RET=0
	if [ ! -d /sys/bus/platform/drivers/openppe ]; then
		check_err 1 "board broken: openppe driver not loaded"
		log_test "run-time PPE child bound by the openppe driver"
		return
	fi
	sim_new id 4 || {
		check_err 1 "cannot create an instance"
		log_test "run-time PPE child bound by the openppe driver"
		return
	}
	child=$(ls -d "$SIM_BUS/devices/openppe_sim$id"/openppe.* 2>/dev/null | head -1)
	[ -n "$child" ] && [ -e "$child/driver" ]
	check_err $? "the PPE child of instance $id is not bound"
	grep -q "STATE=RUNNING" "$(sim_dfs "$id")/regs"
	check_err $? "firmware not running after the driver's probe"
	grep -q "RUNNING=1 FW_RUNNING=1 TBL_READY=1" "$(sim_dfs "$id")/regs"
	check_err $? "engine not enabled with a ready table after the driver's probe"
	sim_del "$id"
	check_err $? "cannot delete the instance with its PPE bound"
	log_test "run-time PPE child bound by the openppe driver"
}

driver_rebind()
{
	local id child name

	RET=0
	if [ ! -d /sys/bus/platform/drivers/openppe ]; then
		check_err 1 "board broken: openppe driver not loaded"
		log_test "driver unbind/rebind, faults on boot"
		return
	fi
	sim_new id 2 || {
		check_err 1 "cannot create an instance"
		log_test "driver unbind/rebind, faults on boot"
		return
	}
	child=$(ls -d "$SIM_BUS/devices/openppe_sim$id"/openppe.* | head -1)
	name=$(basename "$child")
	echo "$name" >/sys/bus/platform/drivers/openppe/unbind
	check_err $? "cannot unbind $name"
	grep -q "STATE=IDLE" "$(sim_dfs "$id")/regs"
	check_err $? "engine not reset by the driver's remove"

	echo 1 >"$(sim_dfs "$id")/fail_fw_boot"
	echo "$name" >/sys/bus/platform/drivers/openppe/bind 2>/dev/null
	[ ! -e "$child/driver" ]
	check_err $? "driver bound although the firmware failed to boot"
	grep -q "ERR=BOOT_FAILED" "$(sim_dfs "$id")/regs"
	check_err $? "fail_fw_boot did not end in ERROR/BOOT_FAILED"
	echo 0 >"$(sim_dfs "$id")/fail_fw_boot"

	echo 5 >"$(sim_dfs "$id")/inject_reg_error"
	echo "$name" >/sys/bus/platform/drivers/openppe/bind 2>/dev/null
	[ ! -e "$child/driver" ]
	check_err $? "driver bound although a register access failed"
	[ "$(cat "$(sim_dfs "$id")/inject_reg_error")" = 0 ]
	check_err $? "inject_reg_error is not one-shot"

	echo "$name" >/sys/bus/platform/drivers/openppe/bind
	check_err $? "cannot bind $name again after the faults were cleared"
	grep -q "RUNNING=1 FW_RUNNING=1 TBL_READY=1" "$(sim_dfs "$id")/regs"
	check_err $? "engine not running after the rebind"

	[ -e "$child/driver" ]
	check_err $? "$name not bound at the end"
	sim_del "$id"
	log_test "driver unbind/rebind, faults on boot"
}

# A cache command that never completes: the driver must stop trusting the
# engine (EN clear: traffic falls back to the CPU) and re-enable it once the
# cache answers again.
cache_timeout_failsafe()
{
	local id child name

	RET=0
	if [ ! -d /sys/bus/platform/drivers/openppe ]; then
		check_err 1 "board broken: openppe driver not loaded"
		log_test "cache timeout: engine disabled, then recovered"
		return
	fi
	sim_new id 2 || {
		check_err 1 "cannot create an instance"
		log_test "cache timeout: engine disabled, then recovered"
		return
	}
	child=$(ls -d "$SIM_BUS/devices/openppe_sim$id"/openppe.* | head -1)
	name=$(basename "$child")
	echo "$name" >/sys/bus/platform/drivers/openppe/unbind
	echo 1 >"$(sim_dfs "$id")/cache_timeout"
	echo "$name" >/sys/bus/platform/drivers/openppe/bind 2>/dev/null
	grep -q "BUSY=1" "$(sim_dfs "$id")/regs"
	check_err $? "cache_timeout did not hold CACHE_STATUS.BUSY"
	grep -q "RUNNING=1 FW_RUNNING" "$(sim_dfs "$id")/regs"
	check_fail $? "engine enabled (PPE_CTRL.EN) while its cache does not answer"
	echo 0 >"$(sim_dfs "$id")/cache_timeout"
	busywait 5000 grep -q "RUNNING=1 FW_RUNNING=1 TBL_READY=1" "$(sim_dfs "$id")/regs"
	check_err $? "engine not re-enabled after the cache answered again"
	sim_del "$id"
	log_test "cache timeout: engine disabled, then recovered"
}

# the debugfs knobs and actions accept what the ABI document says, only that
debugfs_knobs()
{
	local id d

	RET=0
	sim_new id 2 || {
		check_err 1 "cannot create an instance"
		log_test "debugfs knobs and actions"
		return
	}
	d=$(sim_dfs "$id")
	for f in regs cache ports/0/counters ports/1/counters; do
		cat "$d/$f" >/dev/null
		check_err $? "cannot read $f"
	done
	echo 50 >"$d/drop_percent"
	check_err $? "drop_percent refused 50"
	echo 101 >"$d/drop_percent" 2>/dev/null
	check_fail $? "drop_percent accepted 101"
	[ "$(cat "$d/drop_percent")" = 50 ]
	check_err $? "drop_percent does not read back 50"
	echo 0 >"$d/drop_percent"
	echo 5000 >"$d/inject_reg_error" 2>/dev/null
	check_fail $? "inject_reg_error accepted 5000"
	echo all >"$d/evict"
	check_err $? "evict refused all"
	echo 3 >"$d/evict"
	check_err $? "evict refused an index"
	echo 99999999 >"$d/evict" 2>/dev/null
	check_fail $? "evict accepted an index beyond the table"
	echo junk >"$d/evict" 2>/dev/null
	check_fail $? "evict accepted junk"
	echo "1 2" >"$d/counter_set" 2>/dev/null
	check_fail $? "counter_set accepted a short line"
	if [ -e "$(ls -d "$SIM_BUS/devices/openppe_sim$id"/openppe.*/driver 2>/dev/null |
		head -1)" ]; then
		echo "7 4294967290 18446744073709551000" >"$d/counter_set"
		check_err $? "counter_set refused a record of the driver's table"
		echo "999999 1 1" >"$d/counter_set" 2>/dev/null
		check_fail $? "counter_set accepted an index beyond the table"
	fi
	for f in fail_fw_boot cache_timeout cache_reject inject_reg_error drop_percent; do
		[ "$(stat -c %a "$d/$f")" = 600 ]
		check_err $? "$f is not 0600"
	done
	for f in counter_set evict; do
		[ "$(stat -c %a "$d/$f")" = 200 ]
		check_err $? "$f is not 0200"
	done
	for f in regs cache; do
		[ "$(stat -c %a "$d/$f")" = 400 ]
		check_err $? "$f is not 0400"
	done
	sim_del "$id"
	log_test "debugfs knobs and actions"
}

module_reload()
{
	local id

	RET=0
	sim_new id 2 || {
		check_err 1 "cannot create an instance"
		log_test "module reload"
		return
	}
	SIM_IDS=()
	modprobe -r openppe_sim
	check_err $? "cannot unload openppe_sim with instances present"
	[ ! -e "/sys/class/net/$(sim_port "$id" 0)" ]
	check_err $? "ports left behind by the unload"
	if [ -d /sys/module/openppe ]; then
		modprobe -r openppe
		check_err $? "cannot unload openppe"
	fi
	# the emulator first: modprobe loads the driver as its dependency
	modprobe openppe_sim
	check_err $? "cannot load openppe_sim"
	sim_new id 2
	check_err $? "no instance after the reload"
	if [ -d /sys/module/openppe ]; then
		busywait 5000 bash -c \
			"ls $SIM_BUS/devices/openppe_sim$id/openppe.*/driver >/dev/null 2>&1"

		check_err $? "PPE child not bound after loading openppe_sim"
	fi
	sim_del "$id"
	log_test "module reload with instances present"
}

run_tests
