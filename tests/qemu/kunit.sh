#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of `make check`'s KUnit stage: load every *_kunit module built for
# this kernel (their suites run at load), print all results as one KTAP document
# from /sys/kernel/debug/kunit/<suite>/results, then unload them (so kmemleak
# also sees their teardown).
set -u
kdir=/sys/kernel/debug/kunit
extra=/lib/modules/$(uname -r)/extra
rc=0

mapfile -t mods < <(cd "$extra" 2>/dev/null && ls -- *_kunit.ko 2>/dev/null | sed 's/\.ko$//')
[ -d "$kdir" ] || { echo "KTAP version 1"; echo "1..0 # SKIP no $kdir (CONFIG_KUNIT_DEBUGFS)"; exit 4; }
[ "${#mods[@]}" -gt 0 ] || { echo "KTAP version 1"; echo "1..0 # SKIP no *_kunit modules"; exit 4; }

before=$(ls "$kdir")
loaded=()
for m in "${mods[@]}"; do
	if modprobe "$m" >/tmp/modprobe.err 2>&1; then
		loaded+=("$m")
	else
		echo "# modprobe $m failed: $(cat /tmp/modprobe.err)"
		rc=1
	fi
done
mapfile -t suites < <(comm -13 <(echo "$before" | sort) <(ls "$kdir" | sort))

echo "KTAP version 1"
echo "1..${#suites[@]}"
i=0
for s in "${suites[@]}"; do
	i=$((i + 1))
	# the suite's own result line is numbered 1 in each file: renumber it
	sed -e '$ s/^\(not ok\|ok\) [0-9]\+/\1 '"$i"'/' "$kdir/$s/results"
	tail -n1 "$kdir/$s/results" | grep -q '^ok ' || rc=1
done
[ "${#suites[@]}" -gt 0 ] || { echo "# the modules registered no suite"; rc=1; }

for m in "${loaded[@]}"; do
	modprobe -r "$m" || { echo "# modprobe -r $m failed"; rc=1; }
done
exit "$rc"
