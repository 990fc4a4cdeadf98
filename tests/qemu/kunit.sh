#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of `make check`'s KUnit stage: load every *_kunit module built for
# this kernel (their suites run at load) and print all their results as one
# KTAP document, then unload them (so kmemleak also sees their teardown).
#
# The KTAP comes from the kernel log of each load (dmesg, printk timestamps
# stripped): in 6.1, /sys/kernel/debug/kunit/*/results keeps only the last
# case of a parameterised test. The suites' top-level results are renumbered
# into one plan, printed at the end.
set -u
extra=/lib/modules/$(uname -r)/extra
rc=0

mapfile -t mods < <(cd "$extra" 2>/dev/null && ls -- *_kunit.ko 2>/dev/null | sed 's/\.ko$//')
if [ "${#mods[@]}" -eq 0 ]; then
	echo "KTAP version 1"
	echo "1..0 # SKIP no *_kunit modules"
	exit 4
fi

echo "KTAP version 1"
n=0
loaded=()
for m in "${mods[@]}"; do
	dmesg -c >/dev/null
	if ! modprobe "$m" >/tmp/modprobe.err 2>&1; then
		echo "# modprobe $m failed: $(cat /tmp/modprobe.err)"
		rc=1
		continue
	fi
	loaded+=("$m")
	dmesg | sed 's/^\[[ 0-9.]*\] \{0,1\}//' >/tmp/kunit.log
	# keep the suites (indented) and their top-level results, renumbered
	awk -v n="$n" '
		/^KTAP version [0-9]+$/ || /^1\.\.[0-9]+$/ { next }
		/^(not ok|ok) [0-9]+ / {
			n++
			sub(/^ok [0-9]+/, "ok " n); sub(/^not ok [0-9]+/, "not ok " n)
			print; next
		}
		/^    / { print }
		END { print n > "/tmp/kunit.n" }' /tmp/kunit.log
	m_n=$(cat /tmp/kunit.n)
	if [ "$m_n" -eq "$n" ]; then
		echo "# $m registered no suite"
		rc=1
	fi
	n=$m_n
	grep -q '^not ok [0-9]' /tmp/kunit.log && rc=1
done
echo "1..$n"

for m in "${loaded[@]}"; do
	modprobe -r "$m" || { echo "# modprobe -r $m failed"; rc=1; }
done
exit "$rc"
