#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runner self-test: vm-run returns the script's exit status.
# expect-exit: 3
# expect-output: exit status 3
echo "this script exits with status 3"
exit 3
