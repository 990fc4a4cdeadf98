#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runner self-test: a guest that never finishes is killed at VM_TIMEOUT and fails.
# vm-timeout: 60
# expect-exit: 124
# expect-output: did not finish within 60s
echo "hanging on purpose"
while :; do sleep 1; done
