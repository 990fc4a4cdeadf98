#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runner self-test: a kernel WARN fails the run although the script succeeds.
# lkdtm (CONFIG_LKDTM=y in the test kernel) WARNs on demand.
# expect-exit: 1
# expect-output: kernel splat in the console log
f=/sys/kernel/debug/provoke-crash/DIRECT
[ -w "$f" ] || { echo "no $f: is CONFIG_LKDTM in tests/qemu/kernel.config?"; exit 2; }
echo WARNING >"$f"
exit 0
