#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run a script on the board like `make vm-run`, but show only the script's own
# output as it comes (the console goes to build/vm-logs/NAME.log). Used by
# `make demo` and `make bench`; the exit status is run.sh's.
#
# usage: vm-follow.sh SCRIPT [ARGS...]
set -uo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
name=${VM_NAME:-$(basename "$1" .sh)}
out=$repo/build/vm-logs/$name/output

rm -f "$out"
VM_QUIET=1 VM_NAME=$name "$repo/tests/qemu/run.sh" "$@" &
pid=$!
# run.sh recreates the run directory: follow the file by name
tail -n +1 -F --pid="$pid" "$out" 2>/dev/null &
tpid=$!
wait "$pid"
rc=$?
wait "$tpid"
exit "$rc"
