# SPDX-License-Identifier: GPL-2.0
# Kernel splat detection over a guest console log (sourced by run.sh and check.sh).
#
# Only kernel lines are judged (they carry a printk timestamp "[    1.234567]",
# possibly after unterminated script output on the same console line),
# plus the kmemleak report that guest.sh prints after its forced scan; the test
# script's own output cannot trigger a false alarm.

SPLAT_PATTERNS=(
	'BUG:'				# BUG(), KASAN ("BUG: KASAN: ..."), sleeping in atomic, ...
	'WARNING:'			# WARN*(), lockdep, suspicious RCU usage
	'Oops'
	'Internal error:'		# arm64 oops banner
	'Unable to handle kernel'
	'Kernel panic'
	'Call trace:'			# any stack dump
	'KASAN'
	'UBSAN:'
	'possible circular locking'
	'possible recursive locking'
	'inconsistent lock state'
	'suspicious RCU usage'
	'DEBUG_LOCKS_WARN_ON'
	'rcu: INFO:'			# RCU stall
	'self-detected stall'
	'soft lockup'
	'hard LOCKUP'
	'blocked for more than'		# hung task
	'ODEBUG:'			# debugobjects
	'list_add corruption'
	'list_del corruption'
	'unreferenced object'		# kmemleak
	'kmemleak: .* new suspected memory leaks'
)

# splat_scan LOG: print the offending lines (at most 40), return 0 if any found
splat_scan() {
	local log=$1 re
	re=$(IFS='|'; echo "${SPLAT_PATTERNS[*]}")
	grep -a -E '\[ *[0-9]+\.[0-9]{6}\]|^openppe-vm: kmemleak: ' "$log" |
		grep -a -E -- "$re" | head -n 40 | grep -a .
}
