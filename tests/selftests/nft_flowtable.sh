#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's own netfilter/nft_flowtable.sh (software flowtable: forwarding,
# NAT, PMTU, bridge, VLAN, IPsec), from the test kernel's source, unmodified.
#
# vm-timeout: 2400
#
# It is run as shipped, with one accommodation for the emulator, and it must
# pass. Each of its ten transfers sends one file each way through two
# routers with nc, and the script allows that a fixed `sleep 3` before killing
# nc. Under QEMU TCG with KASAN and lockdep the guest is one to two orders of
# magnitude slower than the machines those 3 s were written for (136 MB both
# ways over a bare veth pair alone takes about a minute here), so the script's
# sleeps are stretched (tests/selftests/stretch-sleep, as `sleep` first in
# PATH): `sleep N` lasts at least N seconds, at most N * NFT_FLOWTABLE_TIME_SCALE,
# and ends once each background nc is merely listening (the listener is up) or
# gone (the transfer is over; nc exits after its own -w idle time), i.e. once
# what the script waits for is over, however slow the
# guest. A flat factor big enough for the largest file would make the run take
# hours. nc's -w idle timeouts (4 and 5 s) are stretched too, x6
# (tests/selftests/stretch-nc): a loaded host can stop the guest for seconds
# while its clock runs on, and nc would give up mid-transfer. Nothing the script
# checks is changed: both files must arrive intact, the flowtable counters must show the
# offload, and any FAIL line fails this test even where the script forgets to
# set its exit status (the PMTU and IPsec cases).
#
# The script draws the file's size from bash's RANDOM: 8 MiB plus up to
# 32 MiB. Drawn afresh, the run took 674 to 2132 s on one machine, close to
# the vm-timeout. RANDOM is seeded (NFT_FLOWTABLE_SEED) through BASH_ENV,
# which bash reads before the script. The default, 1589, draws 8196 KiB, near
# the bottom of the script's own range: every case still moves its file both
# ways through both paths, and the run fits make check's budget (1411 s with
# seed 1's 24999 KiB on a slow day). NFT_FLOWTABLE_SEED=random keeps the
# script's own draw.

ALL_TESTS="nft_flowtable"
source "$(dirname "$0")/lib.sh"

KSFT_SCRIPT=${KSFT_SCRIPT:-/ksft/netfilter/nft_flowtable.sh}
: "${NFT_FLOWTABLE_TIME_SCALE:=200}"
: "${NFT_FLOWTABLE_SEED:=1589}"

require_command nft
require_command nc
require_command ip
[ -f "$KSFT_SCRIPT" ] ||
	board_fail "$KSFT_SCRIPT not found (kernel selftests share not mounted)"

shim=
cleanup()
{
	[ -n "$shim" ] && rm -rf "$shim"
	ns_cleanup_all
}
trap cleanup EXIT

make_sleep_shim()
{
	shim=$(mktemp -d)
	ln -s "$(realpath "$(dirname "$0")")/stretch-sleep" "$shim/sleep"
	ln -s "$(realpath "$(dirname "$0")")/stretch-nc" "$shim/nc"
}

nft_flowtable()
{
	local out rc npass kib
	local -a seed=()

	RET=0
	make_sleep_shim
	out=$(mktemp)
	if [ "$NFT_FLOWTABLE_SEED" != random ]; then
		printf 'RANDOM=%d\nunset BASH_ENV\n' "$NFT_FLOWTABLE_SEED" >"$shim/seed"
		seed=(BASH_ENV="$shim/seed")
		# the script's make_file(), first user of RANDOM
		kib=$(bash -c 'RANDOM=$1; echo $((RANDOM % (1024 * 128) + 1024 * 8))' \
			_ "$NFT_FLOWTABLE_SEED")
		log_info "RANDOM seeded with $NFT_FLOWTABLE_SEED: the file is $kib KiB"
	fi
	log_info "running $KSFT_SCRIPT, sleeps stretched up to x$NFT_FLOWTABLE_TIME_SCALE"
	SECONDS=0
	(cd "$(dirname "$KSFT_SCRIPT")" &&
		REAL_SLEEP=$(command -v sleep) STRETCH_SCALE=$NFT_FLOWTABLE_TIME_SCALE \
		REAL_NC=$(command -v nc) \
		env PATH="$shim:$PATH" "${seed[@]}" bash "$KSFT_SCRIPT") 2>&1 |
		tee "$out" | sed -u 's/^/# /'

	rc=${PIPESTATUS[0]}
	log_info "took ${SECONDS}s"
	check_err "$rc" "nft_flowtable.sh exited with $rc"
	! grep -q 'FAIL' "$out"
	check_err $? "nft_flowtable.sh reported a failure"
	# routing, plain, NAT (2), PMTU (2), bridge (2), bridge+VLAN (2), IPsec
	npass=$(grep -c '^PASS' "$out")
	[ "$npass" -ge 11 ]
	check_err $? "only $npass PASS lines; the script stopped early"
	rm -f "$out"
	log_test "kernel selftest netfilter/nft_flowtable.sh"
}

run_tests
