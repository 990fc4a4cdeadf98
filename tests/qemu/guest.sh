#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of the runner (tests/qemu/run.sh), exec'd by /init as PID 1.
#
# Reads its orders from the run directory named on the kernel command line
# (openppe_vm.run=build/vm-logs/NAME, relative to the repository, which is mounted
# at /openppe), loads the project's modules, runs the script as root with bash,
# forces a kmemleak scan, writes the script's exit status back and powers off.
# Lines starting with "openppe-vm:" come from here, not from the script.

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
# no `set -e/-u`: this is PID 1, and if it exits the kernel panics

say() { echo "openppe-vm: $* (t=$(cut -d' ' -f1 /proc/uptime)s)"; }

finish() {
	local rc=$1
	[ -n "${rundir:-}" ] && [ -d "$rundir" ] && echo "$rc" >"$rundir/rc"
	sync
	say "exit status $rc"
	poweroff -f
	sleep 10	# poweroff -f does not return; never let PID 1 exit
}

rundir=
for arg in $(cat /proc/cmdline); do
	case $arg in
	openppe_vm.run=*) rundir=/openppe/${arg#openppe_vm.run=} ;;
	esac
done
[ -n "$rundir" ] && [ -f "$rundir/env" ] || { say "no run directory on the command line"; finish 1; }
# shellcheck source=/dev/null
. "$rundir/env"

hostname openppe-vm
ip link set lo up
say "booted, kernel $(uname -r)"

load_modules() {
	local m mods strict=1
	case ${VM_MODULES:-auto} in
	none)
		say "modules: none loaded (VM_MODULES=none)"
		return 0 ;;
	auto)
		mods="openppe openppe_sim"
		strict=0 ;;
	*)
		mods=${VM_MODULES//,/ } ;;
	esac
	for m in $mods; do
		if ! modinfo "$m" >/dev/null 2>&1; then
			if [ "$strict" -eq 1 ]; then
				say "module $m requested but not built"
				return 1
			fi
			say "module $m not built; continuing without it"
			continue
		fi
		if ! modprobe "$m"; then
			say "modprobe $m failed"
			return 1
		fi
		say "loaded module $m"
	done
}

load_modules || finish 1

say "running ${VM_SCRIPT#/openppe/}"
cd "$(dirname "$VM_SCRIPT")" || finish 1
exec 3> >(tee "$rundir/output")
tee_pid=$!
bash "$VM_SCRIPT" "${VM_ARGS[@]}" </dev/null >&3 2>&3
rc=$?
exec 3>&-
# tee ends when the script's last writer is gone; don't wait for stray daemons
for _ in $(seq 50); do
	kill -0 "$tee_pid" 2>/dev/null || break
	sleep 0.1
done
say "script exit status $rc"

# kmemleak never reports an object younger than 5 s. Scan twice (the second scan
# drops objects that were only transiently unreferenced; the first one takes long
# enough under TCG to age the objects freed at the script's end) and print the
# report for the host to judge.
kml=/sys/kernel/debug/kmemleak
if [ -w "$kml" ]; then
	t0=$SECONDS
	echo scan >"$kml"
	[ $((SECONDS - t0)) -ge 6 ] || sleep $((6 - (SECONDS - t0)))
	echo scan >"$kml"
	report=$(cat "$kml")
	if [ -n "$report" ]; then
		say "kmemleak: suspected leaks:"
		printf '%s\n' "$report" | sed 's/^/openppe-vm: kmemleak: /'
		say "kmemleak: end of report"
	else
		say "kmemleak: no leaks"
	fi
fi

finish "$rc"
