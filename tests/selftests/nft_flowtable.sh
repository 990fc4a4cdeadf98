#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's own nft_flowtable.sh (software flowtable: forwarding, NAT,
# PMTU, DSCP, bridge, VLAN, IPsec), from the test kernel's source, unmodified:
# netfilter/nft_flowtable.sh up to 6.1 (nc and fixed sleeps),
# net/netfilter/nft_flowtable.sh since 6.8 (socat under `timeout 60`, lib.sh's
# busywait, and a second pass of every case with random MTUs and file size).
#
# vm-timeout: 2400
#
# It is run as shipped and it must pass. The accommodations are for time
# only. Under QEMU TCG with KASAN and lockdep the guest is one to two orders of
# magnitude slower than the machines the script's limits were written for
# (136 MB both ways over a bare veth pair alone takes about a minute here), so
# the commands it measures time with come first in PATH, stretched:
#   sleep (tests/selftests/stretch-sleep): `sleep N` lasts at least N seconds,
#     at most N * NFT_FLOWTABLE_TIME_SCALE, and ends once each background nc
#     is merely listening (the listener is up) or gone (the transfer is over),
#     i.e. once what the script waits for is over, however slow the guest. A
#     flat factor big enough for the largest file would make the run take
#     hours.
#   nc (stretch-nc): the -w idle timeouts (4 and 5 s) x6: a loaded host can
#     stop the guest for seconds while its clock runs on, and nc would give
#     up mid-transfer.
#   timeout (stretch-timeout): socat's 60 s limit x10.
#   date (stretch-date): the clock busywait() measures with runs 10 times
#     slower, so waiting 1000 ms for the listener waits 10 s (busywait's
#     result is not checked: a listener that came up late means a refused
#     connection and a FAIL).
# Nothing the script checks is changed: both files must arrive intact, the
# flowtable counters must show the offload, and any FAIL line fails this test
# even where the script forgets to set its exit status (the PMTU, DSCP and
# IPsec cases).
#
# The scripts draw sizes from bash's RANDOM, seeded (NFT_FLOWTABLE_SEED)
# through BASH_ENV, which bash reads before the script;
# NFT_FLOWTABLE_SEED=random keeps the script's own draw.
#   - up to 6.1 the file is 8 MiB plus up to 32 MiB; drawn afresh, the run
#     took 674 to 2132 s on one machine, close to the vm-timeout. The default
#     seed there, 1589, draws 8196 KiB, near the bottom of the range.
#   - since 6.8 the first pass moves 2 MiB files and the second pass draws
#     MTUs of 1280 to 34047 and a file of 2 to 64 MB; the default seed there,
#     85, draws MTUs 32177/30981/20438 and 2011572 bytes, the bottom of the
#     range.
# Every case still moves its file both ways through both paths, and the run
# fits make check's budget.

ALL_TESTS="nft_flowtable"
source "$(dirname "$0")/lib.sh"

# the script's place moved in 6.8; the first that exists
if [ -z "${KSFT_SCRIPT:-}" ]; then
	for KSFT_SCRIPT in /ksft/net/netfilter/nft_flowtable.sh \
			   /ksft/netfilter/nft_flowtable.sh; do
		[ -f "$KSFT_SCRIPT" ] && break
	done
fi
: "${NFT_FLOWTABLE_TIME_SCALE:=200}"

require_command nft
require_command ip
[ -f "$KSFT_SCRIPT" ] ||
	board_fail "$KSFT_SCRIPT not found (kernel selftests share not mounted)"
if grep -q socat "$KSFT_SCRIPT"; then
	# since 6.8: socat; PASS lines per pass: routing, DSCP (3 + 3 with
	# PMTU discovery, and the DSCP-none check), NAT (2 + 2), bridge (2),
	# bridge+VLAN (2), IPsec; the second pass repeats them all
	require_command socat
	two_pass=1
	: "${NFT_FLOWTABLE_SEED:=85}"
	min_pass=${NFT_FLOWTABLE_MIN_PASS:-34}
else
	# routing, plain, NAT (2), PMTU (2), bridge (2), bridge+VLAN (2), IPsec
	require_command nc
	two_pass=0
	: "${NFT_FLOWTABLE_SEED:=1589}"
	min_pass=${NFT_FLOWTABLE_MIN_PASS:-11}
fi

shim=
cleanup()
{
	[ -n "$shim" ] && rm -rf "$shim"
	ns_cleanup_all
}
trap cleanup EXIT

make_shims()
{
	local here cmd

	here=$(realpath "$(dirname "$0")")
	shim=$(mktemp -d)
	for cmd in sleep nc timeout date; do
		ln -s "$here/stretch-$cmd" "$shim/$cmd"
	done
}

# what the seed draws, for the log: replays the script's uses of RANDOM
seed_draws()
{
	if [ "$two_pass" = 1 ]; then
		# SPI1, SPI2, then the second pass's MTUs and file size
		bash -c 'RANDOM=$1; : $RANDOM $RANDOM; m=$((65536 - 1280))
			o=$((RANDOM % m + 1280)); l=$((RANDOM % m + 1280))
			r=$((RANDOM % m + 1280)); f=$(((RANDOM * RANDOM) % 64000000))
			[ "$f" -lt 2000000 ] && f=$((f + 2000000))
			echo "second pass MTUs -o $o -l $l -r $r, file $f bytes"' \
			_ "$NFT_FLOWTABLE_SEED"
	else
		# make_file(), the first user of RANDOM
		bash -c 'RANDOM=$1; echo "file $((RANDOM % (1024 * 128) + 1024 * 8)) KiB"' \
			_ "$NFT_FLOWTABLE_SEED"
	fi
}

nft_flowtable()
{
	local out rc npass
	local -a seed=()

	RET=0
	make_shims
	out=$(mktemp)
	if [ "$NFT_FLOWTABLE_SEED" != random ]; then
		printf 'RANDOM=%d\nunset BASH_ENV\n' "$NFT_FLOWTABLE_SEED" >"$shim/seed"
		seed=(BASH_ENV="$shim/seed")
		log_info "RANDOM seeded with $NFT_FLOWTABLE_SEED: $(seed_draws)"
	fi
	log_info "running $KSFT_SCRIPT, sleeps stretched up to x$NFT_FLOWTABLE_TIME_SCALE"
	SECONDS=0
	(cd "$(dirname "$KSFT_SCRIPT")" &&
		REAL_SLEEP=$(command -v sleep) STRETCH_SCALE=$NFT_FLOWTABLE_TIME_SCALE \
		REAL_NC=$(command -v nc) REAL_TIMEOUT=$(command -v timeout) \
		REAL_DATE=$(command -v date) \
		env PATH="$shim:$PATH" "${seed[@]}" bash "$KSFT_SCRIPT") 2>&1 |
		tee "$out" | sed -u 's/^/# /'
	rc=${PIPESTATUS[0]}
	log_info "took ${SECONDS}s"
	check_err "$rc" "nft_flowtable.sh exited with $rc"
	! grep -q 'FAIL' "$out"
	check_err $? "nft_flowtable.sh reported a failure"
	npass=$(grep -c '^PASS' "$out")
	[ "$npass" -ge "$min_pass" ]
	check_err $? "only $npass PASS lines of $min_pass; the script stopped early"
	rm -f "$out"
	log_test "kernel selftest ${KSFT_SCRIPT#/ksft/}"
}

run_tests
